/*
 * guests/lib/guest_fifo_console.c: COM1 output sixteen bytes per trap
 * instead of two traps per byte.
 * Runs in: guest.
 *
 * Under the hypervisor every IN and OUT traps, and with tracing on every
 * trap is a line on the wire: the byte-at-a-time console (guest_console.c:
 * poll the line status, write one byte) would cost some 14000 traps for the
 * sensitive probe's report and one line per fuzz sequence would cost a
 * hundred. A 16550A with its FIFOs enabled takes sixteen bytes whenever the
 * line status says the transmitter is empty, so one poll and one REP OUTSB
 * (a single trap, emulated whole) send sixteen bytes. This is correct on a
 * real 16550A, on QEMU's UART and on the hypervisor's virtual one.
 */
#include <stdarg.h>
#include <stddef.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_fifo_console.h"
#include "lib/format.h"
#include "lib/x86.h"

#define FIFO_COM1_FCR		(GUEST_COM1 + 2)	/* FIFO control register */
#define FIFO_FCR_ENABLE_CLEAR	0x07	/* enable both FIFOs, clear them */
#define FIFO_UART_DEPTH		16	/* transmit FIFO depth of a 16550A */
#define FIFO_THRE_POLLS		100000	/* bounded, as guest_console.c */

void guest_fifo_console_init(void)
{
	guest_console_setup();
	outb(FIFO_COM1_FCR, FIFO_FCR_ENABLE_CLEAR);
}

static void fifo_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len < FIFO_UART_DEPTH ? len : FIFO_UART_DEPTH;

		len -= n;
		for (int i = 0; i < FIFO_THRE_POLLS; i++)
			if (inb(GUEST_COM1_LSR) & GUEST_LSR_THRE)
				break;
		/* CLD: the fuzz guest's sequences leave any direction flag behind. */
		__asm__ volatile("cld\n"
				 "rep outsb"
				 : "+S"(s), "+c"(n)
				 : "d"((uint16_t)GUEST_COM1)
				 : "memory", "cc");
	}
}

void guest_fifo_printf(const char *fmt, ...)
{
	char buf[GUEST_FIFO_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = tv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	fifo_console_write(buf, (size_t)n);
}
