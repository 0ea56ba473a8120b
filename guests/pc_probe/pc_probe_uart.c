/*
 * guests/pc_probe/pc_probe_uart.c: COM1 input by interrupt, as a kernel's
 * console reads its keyboard on a serial line: IRQ 4 through the I/O APIC,
 * the 8259s masked, and the bytes taken in the handler only.
 * Runs in: guest.
 *
 * The input is whatever the host feeds the run's standard input; the word
 * to expect comes on the command line (`input=WORD`), ended by CR or LF.
 * The wait is timed by the local APIC timer, so it ends even when nothing
 * comes. The receive register is never read before interrupts are on: the
 * first byte may be waiting there since boot, and its interrupt comes as
 * soon as IER allows it.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/string.h"
#include "lib/x86.h"

#define COM1_RBR	(GUEST_COM1 + 0)
#define COM1_IER	(GUEST_COM1 + 1)
#define COM1_IIR	(GUEST_COM1 + 2)
#define COM1_MCR	(GUEST_COM1 + 4)
#define LSR_DR		0x01
#define IIR_ID_MASK	0x0F
#define IIR_RX_DATA	0x04

#define WAIT_MS		5000u	/* for the whole word */
#define INPUT_MAX	64

static char input[INPUT_MAX];
static volatile unsigned input_len, com1_irqs, rx_ids, line_done, clock_ms;

static void on_com1(struct guest_trap_frame *frame)
{
	(void)frame;
	com1_irqs++;
	if ((inb(COM1_IIR) & IIR_ID_MASK) == IIR_RX_DATA)
		rx_ids++;
	while (inb(GUEST_COM1_LSR) & LSR_DR) {
		char c = (char)inb(COM1_RBR);
		if (c == '\r' || c == '\n') {
			if (input_len)
				line_done = 1;
		} else if (!line_done && input_len < INPUT_MAX - 1) {
			input[input_len++] = c;
		}
	}
	pc_probe_lapic_eoi();
}

static void on_clock(struct guest_trap_frame *frame)
{
	(void)frame;
	clock_ms++;
	pc_probe_lapic_eoi();
}

void pc_probe_uart(const struct pc_probe_mp *mp, const char *expect)
{
	(void)mp;
	if (!expect) {
		guest_printf("pc_probe: no input= word on the command line: COM1 input "
			     "not checked\n");
		return;
	}
	guest_trap_set_handler(PC_PROBE_VEC_COM1, on_com1);
	guest_trap_set_handler(PC_PROBE_VEC_TIMER, on_clock);
	/* OUT2 as a PC's BIOS leaves it; receive interrupts only. */
	outb(COM1_MCR, 0x0B);
	guest_printf("pc_probe: type '%s' and Enter\n", expect);
	outb(COM1_IER, 0x01);

	/* The local APIC timer, periodic at 1 ms, is the clock of this wait. */
	pc_probe_lapic_write(0x3E0, 0xB);
	pc_probe_lapic_write(0x320, 0x00020000u | PC_PROBE_VEC_TIMER);
	pc_probe_lapic_write(0x380, 1000000u);
	sti();
	while (!line_done && clock_ms < WAIT_MS)
		hlt();
	cli();
	pc_probe_lapic_write(0x320, 0x00010000u);
	outb(COM1_IER, 0x00);
	input[input_len] = '\0';

	guest_printf("pc_probe: COM1 gave '%s' in %u interrupts, %u ms\n", input, com1_irqs,
		     clock_ms);
	guest_test_check(line_done && strcmp(input, expect) == 0, "com1-input-by-interrupt",
			 "got '%s'%s, want '%s'", input, line_done ? "" : " and no Enter", expect);
	guest_test_check(com1_irqs >= 1 && rx_ids >= 1, "com1-iir-received-data",
			 "%u interrupts, %u of them identified as received data", com1_irqs,
			 rx_ids);
}
