/*
 * guests/paging/paging_checks_dirty.c: the accessed and dirty bits the CPU
 * writes into the guest's own entries.
 * Runs in: guest, with paging on (paging_pd_main).
 *
 * Expectations (Intel SDM vol. 3, 4.8): the first access through an entry
 * sets its A bit, and for a 4 KiB page also the PDE's; a write sets D in
 * the entry that maps the page (the PTE, or the PDE of a 4 MiB page); a
 * read leaves D clear. Each entry is cleaned and its address invalidated
 * first, so the CPU cannot use a cached translation that skips the update.
 */
#include "guests/lib/guest_test.h"
#include "guests/paging/paging.h"
#include "lib/x86.h"

#define PAGING_T2		(PAGING_TEST_BASE + 0x2000u)	/* read, then written */
#define PAGING_T3		(PAGING_TEST_BASE + 0x3000u)	/* never touched */
#define PAGING_DIRTY_VALUE	0xD1D1D1D1u

static volatile uint32_t paging_dirty_word;	/* reached through the 4 MiB page */

static bool paging_bit(uint32_t entry, uint32_t bit)
{
	return (entry & bit) != 0;
}

static void paging_checks_dirty_4k(void)
{
	uint32_t *pde = &paging_pd_main[PDX(PAGING_T2)];
	uint32_t *pte = paging_pte(paging_pd_main, PAGING_T2);

	paging_map(paging_pd_main, PAGING_T2, paging_frame_alloc(), PTE_W);
	paging_map(paging_pd_main, PAGING_T3, paging_frame_alloc(), PTE_W);
	*pde &= ~PTE_A;
	paging_invlpg(PAGING_T2);

	unsigned before = paging_faults.count;
	(void)paging_probe_read(PAGING_T2);
	uint32_t e = *pte;
	paging_check_no_fault(paging_bit(e, PTE_A), "accessed-set-by-read-4k", before,
			      "PTE 0x%08x", e);
	guest_test_check(!paging_bit(e, PTE_D), "dirty-clear-after-read-4k", "PTE 0x%08x", e);
	guest_test_check(paging_bit(*pde, PTE_A), "accessed-set-in-pde-4k", "PDE 0x%08x", *pde);
	uint32_t untouched = *paging_pte(paging_pd_main, PAGING_T3);
	guest_test_check(!paging_bit(untouched, PTE_A | PTE_D), "untouched-page-stays-clean-4k",
			 "PTE 0x%08x", untouched);

	before = paging_faults.count;
	paging_probe_write(PAGING_T2, PAGING_DIRTY_VALUE);
	e = *pte;
	paging_check_no_fault(paging_bit(e, PTE_D) && paging_bit(e, PTE_A),
			      "dirty-set-by-write-4k", before, "PTE 0x%08x", e);
}

static void paging_checks_dirty_4m(void)
{
	uint32_t *pde = &paging_pd_main[PDX(PAGING_ALIAS_BASE)];
	uint32_t la = PAGING_ALIAS_BASE + (uint32_t)&paging_dirty_word;

	*pde &= ~(PTE_A | PTE_D);
	paging_invlpg(la);

	unsigned before = paging_faults.count;
	(void)paging_probe_read(la);
	uint32_t e = *pde;
	paging_check_no_fault(paging_bit(e, PTE_A), "accessed-set-by-read-4m", before,
			      "PDE 0x%08x", e);
	guest_test_check(!paging_bit(e, PTE_D), "dirty-clear-after-read-4m", "PDE 0x%08x", e);

	before = paging_faults.count;
	paging_probe_write(la, PAGING_DIRTY_VALUE);
	e = *pde;
	paging_check_no_fault(paging_bit(e, PTE_D) && paging_dirty_word == PAGING_DIRTY_VALUE,
			      "dirty-set-by-write-4m", before, "PDE 0x%08x, the word holds 0x%08x",
			      e, paging_dirty_word);
}

void paging_checks_dirty(void)
{
	paging_checks_dirty_4k();
	paging_checks_dirty_4m();
}
