/*
 * guests/selftest/selftest_interrupt_flag.c: CLI and STI.
 * Runs in: guest.
 *
 * Deprivileged, both trap; the hypervisor must change the virtual IF and
 * resume after the instruction. What IF then reads as through PUSHF differs
 * by design, so only "execution goes on" is checked here.
 */
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"
#include "lib/x86.h"

#define SELFTEST_CLI_STI_ROUNDS 1000

void selftest_interrupt_flag(void)
{
	volatile unsigned reached = 0;

	/* With every IRQ masked, STI lets nothing in. */
	guest_pic_mask_all();

	cli();
	reached++;
	guest_test_check(reached == 1, "cli-continues", "reached %u", reached);

	sti();
	reached++;
	guest_test_check(reached == 2, "sti-continues", "reached %u", reached);

	volatile unsigned rounds = 0;
	for (unsigned i = 0; i < SELFTEST_CLI_STI_ROUNDS; i++) {
		cli();
		sti();
		rounds++;
	}
	guest_test_check(rounds == SELFTEST_CLI_STI_ROUNDS, "cli-sti-loop",
			 "%u of %u rounds", rounds, SELFTEST_CLI_STI_ROUNDS);

	cli();
}
