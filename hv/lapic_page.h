/*
 * hv/lapic_page.h: the local APIC's registers as a read-only page the
 * guest reads without trapping (direct=1).
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_LAPIC_PAGE_H
#define TV_HV_LAPIC_PAGE_H

#include "hv/machine.h"

/*
 * Map the copy wherever the guest's page tables map the local APIC
 * (0xFEE00000 guest-physical), filled with the registers' values. Called
 * once, after the shadow MMU is set up; without it, every access traps.
 */
void lapic_page_init(struct machine *m);

/*
 * The model changed in a way a read can see (a write, an interrupt
 * accepted, acknowledged or ended, the timer reaching zero): the copy is
 * rewritten before the guest runs again.
 */
static inline void lapic_page_changed(struct machine *m)
{
	m->lapic_page_stale = 1;
}

/*
 * On the way back to the guest from every trap: rewrite the copy if the
 * model changed, and the timer's current count whenever it runs.
 */
void lapic_page_sync(struct machine *m);

#endif
