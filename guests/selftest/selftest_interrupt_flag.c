/*
 * guests/selftest/selftest_interrupt_flag.c: CLI and STI.
 * Runs in: guest.
 *
 * Deprivileged, both trap; the hypervisor must change the virtual IF and
 * resume after the instruction. What IF then reads as through PUSHF differs
 * by design, so only "execution goes on" is checked here; and that an
 * interrupt waiting at STI is taken where a bare CPU takes it: right after
 * the one instruction that follows STI.
 */
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"

#define SELFTEST_CLI_STI_ROUNDS 1000

/* The 8259s with IRQ 0 alone unmasked at vector 0x20, and the 8254 in one-shot mode. */
#define SELFTEST_VEC_TIMER	0x20
#define SELFTEST_PIT_COUNT	200	/* about 170 us */
#define SELFTEST_WAIT_ROUNDS	10000000u

static volatile uint32_t selftest_irq_eip;

static void selftest_timer(struct guest_trap_frame *frame)
{
	selftest_irq_eip = frame->eip;
	outb(0x20, 0x20);	/* end of interrupt */
}

static void selftest_sti_window(void)
{
	uint32_t after_nop = 0;
	unsigned rounds = 0;

	guest_trap_set_handler(SELFTEST_VEC_TIMER, selftest_timer);
	cli();
	outb(0x20, 0x11);	/* ICW1..4: edge, cascade, vectors 0x20 and 0x28 */
	outb(0xA0, 0x11);
	outb(0x21, SELFTEST_VEC_TIMER);
	outb(0xA1, SELFTEST_VEC_TIMER + 8);
	outb(0x21, 0x04);
	outb(0xA1, 0x02);
	outb(0x21, 0x01);
	outb(0xA1, 0x01);
	outb(0x21, 0xFE);	/* IRQ 0 only */
	outb(0xA1, 0xFF);
	outb(0x43, 0x30);	/* channel 0, low then high byte, mode 0: one interrupt */
	outb(0x40, SELFTEST_PIT_COUNT & 0xFF);
	outb(0x40, SELFTEST_PIT_COUNT >> 8);
	/* With IF off, wait until the 8259 holds the request (OCW3: read IRR). */
	outb(0x20, 0x0A);
	while (!(inb(0x20) & 1) && ++rounds < SELFTEST_WAIT_ROUNDS)
		;
	__asm__ volatile("sti\n\t"
			 "nop\n"
			 "1:\tcli\n\t"
			 "movl $1b, %0"
			 : "=r"(after_nop) : : "memory");
	guest_pic_mask_all();
	guest_trap_set_handler(SELFTEST_VEC_TIMER, 0);
	guest_test_check(rounds < SELFTEST_WAIT_ROUNDS && selftest_irq_eip == after_nop,
			 "sti-nop-takes-waiting-irq-after-nop",
			 "request seen %s, taken at 0x%x, want 0x%x (after the NOP)",
			 rounds < SELFTEST_WAIT_ROUNDS ? "yes" : "no", selftest_irq_eip, after_nop);
}

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
	selftest_sti_window();
}
