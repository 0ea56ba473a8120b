/*
 * hv/lapic_page.c: the local APIC's registers as a read-only page the
 * guest reads without trapping (direct=1).
 * Runs in: hypervisor, ring 0, at boot and on the way back to the guest
 * from every trap.
 *
 * A kernel reads its local APIC far more often than it writes it (xv6
 * reads the ID register in every lock operation). Trapped, each read costs
 * a whole trap. Here the shadow MMU maps, wherever the guest's page tables
 * map guest-physical 0xFEE00000, a page of the hypervisor's holding what
 * each register would read (platform/lapic.c, lapic_page_image),
 * read-only: reads run at the speed of memory, writes still fault and are
 * emulated by hv/mmio.c against the model, which is the only truth.
 *
 * The copy is rewritten whenever the model changes in a way a read could
 * see: after every emulated write, interrupt accepted (from the I/O APIC,
 * an IPI, the timer), acknowledged or ended, and MSR write (the call sites
 * say lapic_page_changed). Those all happen inside the hypervisor, so the
 * copy is exact when the guest runs again, with two exceptions, both in
 * docs/platform.md:
 *   - the timer's current count is written at the end of every trap while
 *     the timer runs, so a read shows the count at the last trap (at most
 *     a timer period old, since the timer's own expiry traps; the fast
 *     trap path, hv/fast_trap.c, which would not refresh it, answers
 *     nothing while the timer runs);
 *   - a read of an offset that is no register gives 0, as trapped, but
 *     records no "illegal register address" in ESR.
 * The page holds nothing but register values: the storage is a page of
 * its own (hv/machine.c), and the mapping is never writable.
 */
#include "hv/lapic_page.h"
#include "hv/host_timer.h"
#include "shadow_pt/shadow_mmu.h"

void lapic_page_init(struct machine *m)
{
	/* Identity-mapped: the hypervisor's address of the page is its physical one. */
	shadow_mmu_map_device_page(m->shadow, LAPIC_DEFAULT_BASE, (uint32_t)m->lapic_page);
	m->lapic_page_mapped = 1;
	lapic_page_changed(m);
	lapic_page_sync(m);
}

void lapic_page_sync(struct machine *m)
{
	if (!m->lapic_page_mapped)
		return;
	if (m->lapic_page_stale) {
		lapic_page_image(&m->lapic, host_now_ns(), m->lapic_page);
		m->lapic_page_stale = 0;
	} else if (m->lapic.timer_armed) {
		m->lapic_page[LAPIC_TIMER_CURRENT / 4] =
			lapic_peek(&m->lapic, LAPIC_TIMER_CURRENT, host_now_ns());
	}
}
