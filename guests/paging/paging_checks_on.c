/*
 * guests/paging/paging_checks_on.c: turning paging on with 4 KiB pages, off
 * again, and on with 4 MiB pages (CR4.PSE).
 * Runs in: guest.
 *
 * To tell that paging is really on, one identity page is first mapped onto
 * another frame: with CR0.PG = 1 a read of it returns that frame's word,
 * with PG = 0 its own (Intel SDM vol. 3, 4.1). A linear address whose PDE
 * is not present must fault, with CR2 = the address and error code 0 (a
 * supervisor read of a not-present page, SDM 4.7).
 */
#include "guests/lib/guest_test.h"
#include "guests/paging/paging.h"
#include "lib/x86.h"

#define PAGING_MARK_OWN		0x0A0A0A0Au	/* the identity frame's word */
#define PAGING_MARK_OTHER	0x0B0B0B0Bu	/* the word of the frame it is mapped onto */
#define PAGING_MARK_ALIAS	0x4A11A500u	/* written through the 4 MiB page */

void paging_checks_on(void)
{
	volatile uint32_t *own = (volatile uint32_t *)paging_frame_alloc();
	volatile uint32_t *other = (volatile uint32_t *)paging_frame_alloc();
	uint32_t own_pa = (uint32_t)own;

	*own = PAGING_MARK_OWN;
	*other = PAGING_MARK_OTHER;
	paging_pt_low[PTX(own_pa)] = (uint32_t)other | PTE_P | PTE_W;

	write_cr3((uint32_t)paging_pd_4k);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	uint32_t cr0 = read_cr0();
	guest_test_check((cr0 & CR0_PG) && *own == PAGING_MARK_OTHER, "paging-on-4k-pages",
			 "CR0 0x%08x, the remapped page reads 0x%08x, want 0x%08x",
			 cr0, *own, PAGING_MARK_OTHER);
	guest_test_check(read_cr3() == (uint32_t)paging_pd_4k, "cr3-reads-back",
			 "CR3 0x%08x, want 0x%08x", read_cr3(), (uint32_t)paging_pd_4k);

	unsigned before = paging_faults.count;
	uint32_t got = paging_probe_read(PAGING_TEST_BASE);
	paging_check_fault("not-present-pde-read-faults", before, PAGING_TEST_BASE, 0,
			   (uint32_t)paging_probe_read_insn);
	guest_test_check(got == PAGING_FAULT_MARK, "not-present-pde-read-gets-nothing",
			 "the read returned 0x%08x", got);

	write_cr0(read_cr0() & ~CR0_PG);
	cr0 = read_cr0();
	guest_test_check(!(cr0 & CR0_PG) && *own == PAGING_MARK_OWN, "paging-off-reads-physical",
			 "CR0 0x%08x, the page reads 0x%08x, want 0x%08x", cr0, *own,
			 PAGING_MARK_OWN);
	paging_pt_low[PTX(own_pa)] = own_pa | PTE_P | PTE_W;

	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)paging_pd_main);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	cr0 = read_cr0();
	volatile uint32_t *alias_own = (volatile uint32_t *)(PAGING_ALIAS_BASE + own_pa);
	before = paging_faults.count;
	uint32_t via_alias = *alias_own;
	paging_check_no_fault((cr0 & CR0_PG) && (read_cr4() & CR4_PSE) &&
				      via_alias == PAGING_MARK_OWN,
			      "paging-on-4m-pages", before,
			      "CR0 0x%08x CR4 0x%08x, 0x%08x through the 4 MiB page reads 0x%08x, want 0x%08x",
			      cr0, read_cr4(), (uint32_t)alias_own, via_alias, PAGING_MARK_OWN);

	volatile uint32_t *alias_other = (volatile uint32_t *)(PAGING_ALIAS_BASE + (uint32_t)other);
	before = paging_faults.count;
	*alias_other = PAGING_MARK_ALIAS;
	paging_check_no_fault(*other == PAGING_MARK_ALIAS, "4m-page-write-reaches-frame", before,
			      "the frame holds 0x%08x, want 0x%08x", *other, PAGING_MARK_ALIAS);
}
