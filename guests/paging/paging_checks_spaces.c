/*
 * guests/paging/paging_checks_spaces.c: two address spaces, switched by
 * writing CR3.
 * Runs in: guest, with paging on.
 *
 * paging_pd_main and paging_pd_other map PAGING_SPACE_LA onto different
 * frames and everything else alike. A CR3 write makes the CPU forget the
 * old space's translations (Intel SDM vol. 3, 4.10.4.1), so each space must
 * see only its own frame, however often the guest switches.
 */
#include "guests/lib/guest_test.h"
#include "guests/paging/paging.h"
#include "lib/x86.h"

#define PAGING_SPACE_ROUNDS	16
#define PAGING_VALUE_A		0xAAAA0000u
#define PAGING_VALUE_B		0xBBBB0000u

static volatile uint32_t *paging_space_frame(const uint32_t *pt)
{
	return (volatile uint32_t *)(pt[PTX(PAGING_SPACE_LA)] & PAGE_MASK);
}

void paging_checks_spaces(void)
{
	volatile uint32_t *fa = paging_space_frame(paging_pt_space_a);
	volatile uint32_t *fb = paging_space_frame(paging_pt_space_b);
	uint32_t pd_a = (uint32_t)paging_pd_main, pd_b = (uint32_t)paging_pd_other;
	unsigned before = paging_faults.count;

	write_cr3(pd_a);
	paging_probe_write(PAGING_SPACE_LA, PAGING_VALUE_A);
	paging_check_no_fault(fa[0] == PAGING_VALUE_A && fb[0] == 0, "space-a-write-lands-in-frame-a",
			      before, "frame A holds 0x%08x, frame B 0x%08x", fa[0], fb[0]);

	before = paging_faults.count;
	write_cr3(pd_b);
	uint32_t cr3 = read_cr3();
	uint32_t got = paging_probe_read(PAGING_SPACE_LA);
	paging_check_no_fault(cr3 == pd_b && got == 0, "cr3-switch-sees-other-space", before,
			      "CR3 0x%08x (want 0x%08x), read 0x%08x, want 0", cr3, pd_b, got);
	paging_probe_write(PAGING_SPACE_LA, PAGING_VALUE_B);
	write_cr3(pd_a);
	got = paging_probe_read(PAGING_SPACE_LA);
	paging_check_no_fault(got == PAGING_VALUE_A && fb[0] == PAGING_VALUE_B,
			      "cr3-switch-back-keeps-first", before,
			      "read 0x%08x (want 0x%08x), frame B holds 0x%08x (want 0x%08x)",
			      got, PAGING_VALUE_A, fb[0], PAGING_VALUE_B);

	/* Write in each space, then read both back, many times over. */
	unsigned bad = 0, bad_round = 0;
	uint32_t bad_a = 0, bad_b = 0;
	before = paging_faults.count;
	for (unsigned i = 0; i < PAGING_SPACE_ROUNDS; i++) {
		write_cr3(pd_a);
		paging_probe_write(PAGING_SPACE_LA, PAGING_VALUE_A + i);
		write_cr3(pd_b);
		paging_probe_write(PAGING_SPACE_LA, PAGING_VALUE_B + i);
		write_cr3(pd_a);
		uint32_t a = paging_probe_read(PAGING_SPACE_LA);
		write_cr3(pd_b);
		uint32_t b = paging_probe_read(PAGING_SPACE_LA);
		if (a != PAGING_VALUE_A + i || b != PAGING_VALUE_B + i) {
			if (!bad++) {
				bad_round = i;
				bad_a = a;
				bad_b = b;
			}
		}
	}
	write_cr3(pd_a);
	paging_check_no_fault(bad == 0, "cr3-switch-round-trips", before,
			      "%u of %u rounds wrong, first round %u read 0x%08x and 0x%08x",
			      bad, PAGING_SPACE_ROUNDS, bad_round, bad_a, bad_b);
	uint32_t last = PAGING_SPACE_ROUNDS - 1;
	guest_test_check(fa[0] == PAGING_VALUE_A + last && fb[0] == PAGING_VALUE_B + last,
			 "spaces-have-distinct-frames", "frame A holds 0x%08x, frame B 0x%08x",
			 fa[0], fb[0]);
}
