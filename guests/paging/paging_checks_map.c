/*
 * guests/paging/paging_checks_map.c: mapping, remapping and unmapping 4 KiB
 * pages, demand paging, and write protection.
 * Runs in: guest, with paging on (paging_pd_main).
 *
 * Expectations (Intel SDM vol. 3, 4.6, 4.7, 4.10.4): after an entry is
 * changed and its address invalidated with INVLPG, the next access uses the
 * new entry; an access to a not-present page faults with P=0 and W telling
 * read from write; a supervisor write to a read-only page faults with
 * P=1, W=1 when CR0.WP = 1 and succeeds when CR0.WP = 0.
 */
#include "guests/lib/guest_test.h"
#include "guests/paging/paging.h"
#include "lib/x86.h"

#define PAGING_T0		PAGING_TEST_BASE		/* mapped, remapped, unmapped */
#define PAGING_T1		(PAGING_TEST_BASE + 0x1000u)	/* read-only */
#define PAGING_WORD0		0x11110000u
#define PAGING_WORD1		0x22220000u
#define PAGING_WRITTEN		0x33330000u
#define PAGING_READ_ONLY	0x44440000u

static void paging_checks_map_unmap(void)
{
	volatile uint32_t *f0 = (volatile uint32_t *)paging_frame_alloc();
	volatile uint32_t *f1 = (volatile uint32_t *)paging_frame_alloc();

	f0[0] = PAGING_WORD0;
	f1[0] = PAGING_WORD1;
	paging_map(paging_pd_main, PAGING_T0, (uint32_t)f0, PTE_W);
	unsigned before = paging_faults.count;
	uint32_t got = paging_probe_read(PAGING_T0);
	paging_check_no_fault(got == PAGING_WORD0, "map-4k-page-read", before,
			      "read 0x%08x, want 0x%08x", got, PAGING_WORD0);
	before = paging_faults.count;
	paging_probe_write(PAGING_T0 + 4, PAGING_WRITTEN);
	paging_check_no_fault(f0[1] == PAGING_WRITTEN, "map-4k-page-write", before,
			      "the frame holds 0x%08x, want 0x%08x", f0[1], PAGING_WRITTEN);

	paging_map(paging_pd_main, PAGING_T0, (uint32_t)f1, PTE_W);
	before = paging_faults.count;
	got = paging_probe_read(PAGING_T0);
	paging_check_no_fault(got == PAGING_WORD1, "remap-invlpg-sees-new-frame", before,
			      "read 0x%08x, want 0x%08x", got, PAGING_WORD1);

	paging_unmap(paging_pd_main, PAGING_T0);
	before = paging_faults.count;
	got = paging_probe_read(PAGING_T0);
	paging_check_fault("unmap-invlpg-read-faults", before, PAGING_T0, 0,
			   (uint32_t)paging_probe_read_insn);
	before = paging_faults.count;
	paging_probe_write(PAGING_T0, PAGING_WRITTEN);
	paging_check_fault("unmap-invlpg-write-faults", before, PAGING_T0, PF_ERR_W,
			   (uint32_t)paging_probe_write_insn);
	guest_test_check(f1[0] == PAGING_WORD1, "unmapped-frame-unchanged",
			 "the frame holds 0x%08x, want 0x%08x", f1[0], PAGING_WORD1);
}

static void paging_checks_demand(void)
{
	/* Not page-aligned, so CR2 is seen to hold the exact address. */
	uint32_t d0 = PAGING_DEMAND_BASE + 0x10u;
	uint32_t d1 = PAGING_DEMAND_BASE + PAGE_SIZE + 0x24u;

	unsigned before = paging_faults.count;
	uint32_t got = paging_probe_read(d0);
	paging_check_fault("demand-read-not-present-faults", before, d0, 0,
			   (uint32_t)paging_probe_read_insn);
	guest_test_check(got == paging_demand_pattern(d0), "demand-read-sees-new-page",
			 "read 0x%08x, want 0x%08x", got, paging_demand_pattern(d0));
	before = paging_faults.count;
	got = paging_probe_read(d0 + 4);
	paging_check_no_fault(got == paging_demand_pattern(d0 + 4), "demand-page-stays-mapped",
			      before, "read 0x%08x, want 0x%08x", got,
			      paging_demand_pattern(d0 + 4));

	before = paging_faults.count;
	paging_probe_write(d1, PAGING_WRITTEN);
	paging_check_fault("demand-write-not-present-faults", before, d1, PF_ERR_W,
			   (uint32_t)paging_probe_write_insn);
	uint32_t pte = *paging_pte(paging_pd_main, d1);
	volatile uint32_t *frame = (volatile uint32_t *)(pte & PAGE_MASK);
	uint32_t in_frame = frame[(d1 & ~PAGE_MASK) / 4];
	before = paging_faults.count;
	got = paging_probe_read(d1);
	paging_check_no_fault((pte & PTE_P) && got == PAGING_WRITTEN && in_frame == PAGING_WRITTEN,
			      "demand-write-lands-in-new-page", before,
			      "PTE 0x%08x, frame holds 0x%08x, read 0x%08x, want 0x%08x",
			      pte, in_frame, got, PAGING_WRITTEN);
}

static void paging_checks_write_protect(void)
{
	volatile uint32_t *f = (volatile uint32_t *)paging_frame_alloc();

	f[0] = PAGING_READ_ONLY;
	paging_map(paging_pd_main, PAGING_T1, (uint32_t)f, 0);
	unsigned before = paging_faults.count;
	uint32_t got = paging_probe_read(PAGING_T1);
	paging_check_no_fault(got == PAGING_READ_ONLY, "read-only-page-reads", before,
			      "read 0x%08x, want 0x%08x", got, PAGING_READ_ONLY);

	before = paging_faults.count;
	paging_probe_write(PAGING_T1, PAGING_WRITTEN);
	paging_check_fault("wp1-write-read-only-faults", before, PAGING_T1, PF_ERR_P | PF_ERR_W,
			   (uint32_t)paging_probe_write_insn);
	guest_test_check(f[0] == PAGING_READ_ONLY, "wp1-read-only-page-unchanged",
			 "the frame holds 0x%08x, want 0x%08x", f[0], PAGING_READ_ONLY);

	write_cr0(read_cr0() & ~CR0_WP);
	before = paging_faults.count;
	paging_probe_write(PAGING_T1, PAGING_WRITTEN);
	paging_check_no_fault(f[0] == PAGING_WRITTEN, "wp0-kernel-writes-read-only", before,
			      "the frame holds 0x%08x, want 0x%08x", f[0], PAGING_WRITTEN);

	write_cr0(read_cr0() | CR0_WP);
	before = paging_faults.count;
	paging_probe_write(PAGING_T1, PAGING_READ_ONLY);
	paging_check_fault("wp1-again-write-faults", before, PAGING_T1, PF_ERR_P | PF_ERR_W,
			   (uint32_t)paging_probe_write_insn);
}

void paging_checks_map(void)
{
	paging_checks_map_unmap();
	paging_checks_demand();
	paging_checks_write_protect();
}
