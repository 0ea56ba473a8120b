/*
 * shadow_pt/spte.c: shadow entries from guest entries, the error code the
 * guest sees, and the guest-entry range check (see spte.h).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include <stddef.h>

#include "shadow_pt/spte.h"

/* A 4 MiB PDE's bits 20:13: physical address bits 39:32 (PSE-36). */
#define PDE_LARGE_HIGH_ADDR	0x001FE000u
#define LARGE_PAGE_MASK		0xFFC00000u

uint32_t spte_from_gpte(const struct gpt_walk *w, uint32_t host_base,
			unsigned guest_ring, int user_shadow, unsigned access)
{
	uint32_t spte = ((host_base + w->gpa) & PAGE_MASK) | PTE_P;
	int may_write;

	if (w->outside)
		return 0;

	if (user_shadow) {
		/* Guest user code must fault on supervisor pages. */
		if (!w->user)
			return 0;
		spte |= PTE_U;
		may_write = w->writable;
	} else if (guest_ring == 3) {
		/* Only the guest kernel runs on it, and it runs in ring 3. */
		spte |= PTE_U;
		may_write = w->supervisor_writable;
	} else {
		/*
		 * Ring 1 is supervisor for paging. Only the guest kernel runs on
		 * this shadow (its user code has the user shadow), so a user page
		 * is writable as the guest kernel may write it: with CR0.WP = 0,
		 * read-only ones too (SDM vol. 3, 4.6.1).
		 */
		if (w->user) {
			spte |= PTE_U;
			may_write = w->supervisor_writable;
		} else {
			if (access & PF_ERR_U)
				return 0;
			may_write = w->supervisor_writable;
		}
	}

	/* Read-only until dirty: the first write must come to us to set D. */
	if (may_write && w->dirty)
		spte |= PTE_W;
	if ((access & PF_ERR_W) && !(spte & PTE_W))
		return 0;
	return spte;
}

uint32_t spte_device_page(const struct gpt_walk *w, uint32_t hpa, unsigned guest_ring,
			  int user_shadow, unsigned access)
{
	if (!w->page_outside || (access & PF_ERR_W))
		return 0;
	if (!w->user && (user_shadow || (access & PF_ERR_U)))
		return 0;
	/* The guest kernel in ring 3 reaches only U pages; elsewhere U is the guest's. */
	uint32_t u = w->user || (guest_ring == 3 && !user_shadow) ? PTE_U : 0;
	return (hpa & PAGE_MASK) | PTE_P | u;
}

uint32_t pf_error_for_guest(uint32_t real_error, unsigned virtual_cpl)
{
	real_error &= ~PF_ERR_U;
	if (virtual_cpl == 3)
		real_error |= PF_ERR_U;
	return real_error;
}

int gpte_check(uint32_t gpte_or_gpde, int is_large_pde, uint32_t mem_bytes,
	       const char **why)
{
	const char *reason = NULL;

	if (!(gpte_or_gpde & PTE_P)) {
		/* Not present: it names nothing. */
	} else if (is_large_pde) {
		if (gpte_or_gpde & PDE_LARGE_HIGH_ADDR)
			reason = "4 MiB page above 4 GiB";
		else if ((gpte_or_gpde & LARGE_PAGE_MASK) >= mem_bytes)
			reason = "4 MiB page outside guest memory";
	} else if ((gpte_or_gpde & PAGE_MASK) >= mem_bytes) {
		reason = "frame outside guest memory";
	}
	if (why)
		*why = reason;
	return reason == NULL;
}
