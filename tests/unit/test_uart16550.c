/*
 * tests/unit/test_uart16550.c: COM1 as a 16550A (platform/uart16550.c),
 * driven through its eight registers as xv6's and Linux's drivers drive
 * it, with host input arriving in between.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/uart16550.h"

#define T0	5000000000ull

static struct uart16550 u;

static void setup(void)
{
	uart_reset(&u);
}

static uint8_t rd(unsigned reg)
{
	return uart_read(&u, reg, T0);
}

static int wr(unsigned reg, uint8_t v)
{
	return uart_write(&u, reg, v, T0);
}

/* xv6's uartinit, then its output loop (uart.c), then input by interrupt. */
START_TEST(xv6_driver)
{
	int i, sent;

	wr(UART_FCR, 0);			/* FIFO off */
	wr(UART_LCR, UART_LCR_DLAB);
	wr(UART_DLL, 12);			/* 9600 baud */
	wr(UART_DLM, 0);
	wr(UART_LCR, 0x03);			/* 8N1, DLAB off */
	wr(UART_MCR, 0);			/* OUT2 clear */
	wr(UART_IER, UART_IER_RDI);
	ck_assert_uint_ne(rd(UART_LSR), 0xFF);	/* "there is a UART" */
	rd(UART_IIR);
	rd(UART_RBR);
	ck_assert(!uart_irq_asserted(&u, T0));

	/* Output: THRE is set at once, each byte handed to the caller. */
	for (i = 0; i < 128 && !(rd(UART_LSR) & UART_LSR_THRE); i++)
		;
	ck_assert_int_eq(i, 0);
	sent = wr(UART_THR, 'x');
	ck_assert_int_eq(sent, 'x');
	ck_assert(!uart_irq_asserted(&u, T0));	/* THRE interrupt not enabled */

	/* Input: one byte fits (FIFO off); it raises IRQ 4 although OUT2 is 0. */
	ck_assert_uint_eq(uart_rx_space(&u), 1);
	ck_assert_int_eq(uart_receive(&u, 'l', T0), 1);
	ck_assert_uint_eq(uart_rx_space(&u), 0);
	ck_assert(uart_irq_asserted(&u, T0));
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 'l');
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert(!uart_irq_asserted(&u, T0));
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NONE);
	/* The next byte may come now. */
	ck_assert_uint_eq(uart_rx_space(&u), 1);
}
END_TEST

START_TEST(reset_state)
{
	ck_assert_uint_eq(rd(UART_IER), 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NONE);
	ck_assert_uint_eq(rd(UART_LCR), 0);
	ck_assert_uint_eq(rd(UART_MCR), 0);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	ck_assert(!uart_irq_asserted(&u, T0));
}
END_TEST

/* DLAB switches offsets 0 and 1 to the divisor latch and back. */
START_TEST(divisor_latch)
{
	wr(UART_IER, 0x05);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	wr(UART_DLL, 0x34);
	wr(UART_DLM, 0x12);
	ck_assert_uint_eq(rd(UART_DLL), 0x34);
	ck_assert_uint_eq(rd(UART_DLM), 0x12);
	ck_assert_int_eq(wr(UART_THR, 'z'), UART_NO_TX);	/* a divisor, not a byte */
	wr(UART_LCR, 0x03);
	ck_assert_uint_eq(rd(UART_IER), 0x05);
	ck_assert_uint_eq(rd(UART_LCR), 0x03);
	/* IER keeps its four defined bits; SCR keeps anything. */
	wr(UART_IER, 0xFF);
	ck_assert_uint_eq(rd(UART_IER), 0x0F);
	wr(UART_SCR, 0xA5);
	ck_assert_uint_eq(rd(UART_SCR), 0xA5);
}
END_TEST

/* THRE interrupt: raised on enabling, cleared by reading IIR, back after THR. */
START_TEST(thre_interrupt)
{
	wr(UART_IER, UART_IER_THRI);
	ck_assert(uart_irq_asserted(&u, T0));
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_THRI);
	ck_assert(!uart_irq_asserted(&u, T0));		/* the read cleared it */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NONE);
	ck_assert_int_eq(wr(UART_THR, 'a'), 'a');
	ck_assert(uart_irq_asserted(&u, T0));
	/* Re-writing IER with THRI already on raises nothing new. */
	rd(UART_IIR);
	wr(UART_IER, UART_IER_THRI);
	ck_assert(!uart_irq_asserted(&u, T0));
}
END_TEST

/* Datasheet table 4: line status over received data over THRE over modem status. */
START_TEST(iir_priorities)
{
	wr(UART_IER, 0x0F);
	wr(UART_MCR, UART_MCR_LOOP);			/* DCD, DSR, CTS drop: deltas */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_THRI);	/* THRE above modem status */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_MSI);
	uart_receive(&u, 'a', T0);
	uart_receive(&u, 'b', T0);			/* no room: overrun */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RLSI);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_OE, UART_LSR_OE);	/* read clears */
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_OE, 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_RBR), 'a');
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_MSI);
	rd(UART_MSR);					/* clears the deltas */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NONE);
}
END_TEST

/* FIFO on: 16 bytes, IIR bits 7:6, trigger levels, clear. */
START_TEST(fifo)
{
	int i;
	wr(UART_FCR, UART_FCR_ENABLE | 0x80);		/* trigger at 8 */
	ck_assert_uint_eq(rd(UART_IIR) & UART_IIR_FIFOS, UART_IIR_FIFOS);
	wr(UART_IER, UART_IER_RDI);
	ck_assert_uint_eq(uart_rx_space(&u), 16);
	for (i = 0; i < 7; i++)
		uart_receive(&u, (uint8_t)('0' + i), T0);
	ck_assert(!uart_irq_asserted(&u, T0));		/* below the trigger, no timeout yet */
	uart_receive(&u, '7', T0);
	ck_assert(uart_irq_asserted(&u, T0));
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_RDI);
	for (i = 8; i < 16; i++)
		ck_assert_int_eq(uart_receive(&u, (uint8_t)('0' + i), T0), 1);
	ck_assert_uint_eq(uart_rx_space(&u), 0);
	ck_assert_int_eq(uart_receive(&u, 'X', T0), 0);	/* lost: overrun */
	for (i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t)('0' + i));	/* in order */
	ck_assert_uint_eq(rd(UART_LSR) & (UART_LSR_DR | UART_LSR_OE), UART_LSR_OE);
	uart_receive(&u, 'a', T0);
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	/* Turning the FIFO off empties it too and shows in IIR. */
	uart_receive(&u, 'b', T0);
	wr(UART_FCR, 0);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(rd(UART_IIR) & UART_IIR_FIFOS, 0);
	ck_assert_uint_eq(uart_rx_space(&u), 1);
}
END_TEST

/* Below the trigger level, four character times of silence raise a timeout. */
START_TEST(character_timeout)
{
	/* 115200 baud, 8N1: 10 bits, 86,805 ns per character; four: 347,222 ns. */
	wr(UART_LCR, UART_LCR_DLAB);
	wr(UART_DLL, 1);
	wr(UART_DLM, 0);
	wr(UART_LCR, 0x03);
	wr(UART_FCR, UART_FCR_ENABLE | 0xC0);		/* trigger at 14 */
	wr(UART_IER, UART_IER_RDI);
	uart_receive(&u, 'q', T0);
	ck_assert_uint_eq(uart_next_event_ns(&u), T0 + 347222);
	ck_assert(!uart_irq_asserted(&u, T0 + 347221));
	ck_assert(uart_irq_asserted(&u, T0 + 347222));
	ck_assert_uint_eq(uart_read(&u, UART_IIR, T0 + 347222), UART_IIR_FIFOS | UART_IIR_TIMEOUT);
	ck_assert_uint_eq(uart_read(&u, UART_RBR, T0 + 347222), 'q');
	ck_assert(!uart_irq_asserted(&u, T0 + 10000000));
	ck_assert_uint_eq(uart_next_event_ns(&u), UINT64_MAX);
}
END_TEST

/* Loopback: bytes come back, MSR follows MCR (Linux's probe writes 0x1A, expects 0x90). */
START_TEST(loopback)
{
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);	/* 0x1A */
	ck_assert_uint_eq(rd(UART_MSR) & 0xF0, UART_MSR_DCD | UART_MSR_CTS);	/* 0x90 */
	ck_assert_uint_eq(uart_rx_space(&u), 0);		/* the host is cut off */
	ck_assert_int_eq(wr(UART_THR, 'L'), UART_NO_TX);	/* not sent out */
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 'L');
	/* RI's delta is its trailing edge only. */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	ck_assert_uint_eq(rd(UART_MSR) & 0x04, 0);
	wr(UART_MCR, UART_MCR_LOOP);
	ck_assert_uint_eq(rd(UART_MSR) & 0x04, 0x04);
	/* Out of loopback: a terminal again, bytes go out. */
	wr(UART_MCR, 0);
	ck_assert_uint_eq(rd(UART_MSR) & 0xF0, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	ck_assert_int_eq(wr(UART_THR, 'M'), 'M');
}
END_TEST

/* The line follows IIR whatever OUT2 says (QEMU's behaviour). */
START_TEST(irq_ignores_out2)
{
	wr(UART_IER, UART_IER_RDI);
	wr(UART_MCR, UART_MCR_OUT2);
	uart_receive(&u, 'a', T0);
	ck_assert(uart_irq_asserted(&u, T0));
	wr(UART_MCR, 0);
	ck_assert(uart_irq_asserted(&u, T0));
	wr(UART_IER, 0);
	ck_assert(!uart_irq_asserted(&u, T0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("uart16550");
	TCase *tc = tcase_create("com1");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, xv6_driver);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, divisor_latch);
	tcase_add_test(tc, thre_interrupt);
	tcase_add_test(tc, iir_priorities);
	tcase_add_test(tc, fifo);
	tcase_add_test(tc, character_timeout);
	tcase_add_test(tc, loopback);
	tcase_add_test(tc, irq_ignores_out2);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
