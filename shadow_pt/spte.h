/*
 * shadow_pt/spte.h: shadow page-table entries built from the guest's, the
 * page-fault error code the guest must see, and the check that a guest
 * entry names memory the guest owns.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * Vocabulary (as lguest's): gpte/gpde are the guest's entries, in guest
 * memory, holding guest-physical addresses; spte/spde are the shadow
 * entries the real CPU walks, holding host-physical addresses. Guest memory
 * is guest-physical 0..mem_bytes, at host-physical host_base + gpa.
 *
 * Which shadow runs when (shadow_pt/README.md has the whole design):
 *  - guest kernel in ring 1: one shadow per guest address space serves the
 *    guest kernel (ring 1) and guest user code (ring 3), because the guest's
 *    IRET to user mode does not trap. Build it with user_shadow = 0.
 *  - guest kernel in ring 3: paging cannot tell the two apart, so each guest
 *    address space has a kernel shadow (user_shadow = 0, loaded while the
 *    guest's virtual CPL is 0) and a user shadow (user_shadow = 1, loaded
 *    while it is 3).
 */
#ifndef TV_SHADOW_PT_SPTE_H
#define TV_SHADOW_PT_SPTE_H

#include <stdint.h>

#include "shadow_pt/gpt_walk.h"

/*
 * The shadow entry for the 4 KiB page holding the address a successful walk
 * (GPT_OK) translated: present, at host_base + (w->gpa & ~0xFFF).
 *
 *  - Always a 4 KiB entry, also for a guest 4 MiB page: the shadow never
 *    uses large pages, so each 4 KiB piece can be write-protected alone.
 *  - Writable only if the guest entries allow the mode that runs on this
 *    shadow to write (CR0.WP taken into account) AND the guest's D bit is
 *    set (w->dirty): until then the first write faults, and the hypervisor
 *    sets D as the CPU would (walk again with PF_ERR_W). Walk a write with
 *    set_accessed_dirty and D is already set.
 *  - U: in a ring-1 shadow the guest's U (guest user code shares it); in a
 *    ring-3 kernel shadow always 1 (the real ring is 3); in a user shadow
 *    the guest's U, and supervisor pages are not mapped at all.
 *  - No G: the hypervisor switches CR3 on every trap, which flushes every
 *    non-global entry; a global shadow entry would outlive the guest
 *    address space it belongs to. PWT/PCD are not copied: guest memory is
 *    ordinary RAM.
 *
 * access is the access being filled (PF_ERR_W, PF_ERR_U as for gpt_walk).
 * Returns 0 (no entry) if the entry could not let that access through:
 * a supervisor page in a user shadow; or a write to a page whose D is clear
 * (walked without set_accessed_dirty). A kernel shadow serves the guest
 * kernel alone (its user code runs on the user shadow), so with the guest's
 * CR0.WP = 0 a read-only user page is writable there, as the SDM allows a
 * supervisor write (vol. 3, 4.6.1). guest_ring is 1 (or 2) or 3.
 */
uint32_t spte_from_gpte(const struct gpt_walk *w, uint32_t host_base,
			unsigned guest_ring, int user_shadow, unsigned access);

/*
 * The shadow entry that maps a device's register page read-only: a walk
 * that ended outside guest memory on the page itself (w->page_outside),
 * mapped onto the hypervisor's page at host-physical hpa, which holds a
 * copy of the registers (hv/lapic_page.c). U as spte_from_gpte gives it,
 * never W: every write must still fault and be emulated. Returns 0 for a
 * write, or where spte_from_gpte would give no entry (a supervisor page in
 * a user shadow).
 */
uint32_t spte_device_page(const struct gpt_walk *w, uint32_t hpa, unsigned guest_ring,
			  int user_shadow, unsigned access);

/*
 * The #PF error code the bare machine would produce for a fault the real
 * CPU took: P, W (and RSVD) as the CPU reported them, U from the guest's
 * virtual CPL (0 for the guest kernel, 3 for guest user code) instead of
 * the real ring, which is 1 or 3 either way. Also how to turn a real fault
 * into the `access` for gpt_walk (keep PF_ERR_W | PF_ERR_U).
 */
uint32_t pf_error_for_guest(uint32_t real_error, unsigned virtual_cpl);

/*
 * Does this guest PDE or PTE name memory the guest owns? Returns 1 if yes
 * (or the entry is not present: it names nothing), 0 if not, with *why
 * (when why is not NULL) saying what is wrong; *why is NULL on 1.
 * is_large_pde: the entry is a PDE with PS under CR4.PSE, a 4 MiB page; it
 * is accepted if it starts inside guest memory, because a guest with, say,
 * 6 MiB may well map 4..8 MiB with one; gpt_walk checks every 4 KiB of it
 * as it is used.
 *
 * An entry pointing outside is never shadowed. This only reports it: the
 * caller decides whether to stop the guest (as for any access outside its
 * memory) or to give it what a bare machine with that much RAM would.
 */
int gpte_check(uint32_t gpte_or_gpde, int is_large_pde, uint32_t mem_bytes,
	       const char **why);

#endif
