/*
 * guests/sensitive_probe/probe_console.c: COM1 output sixteen bytes per
 * trap instead of two traps per byte.
 * Runs in: guest.
 *
 * Under the hypervisor every IN and OUT traps, and with tracing on every
 * trap is a line on the wire: guests/lib's byte-at-a-time console (poll
 * the line status, write one byte) would cost some 14000 traps for the
 * probe's report and make `trapvisor classify` slow. A 16550A with its
 * FIFOs enabled takes sixteen bytes whenever the line status says the
 * transmitter is empty, so one poll and one REP OUTSB (a single trap,
 * emulated whole) send sixteen bytes. This is correct on a real 16550A, on
 * QEMU's UART and on the hypervisor's virtual one.
 */
#include <stdarg.h>

#include "guests/lib/guest_console.h"
#include "guests/sensitive_probe/probe.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/x86.h"

#define PROBE_COM1_FCR		(GUEST_COM1 + 2)	/* FIFO control register */
#define PROBE_FCR_ENABLE_CLEAR	0x07	/* enable both FIFOs, clear them */
#define PROBE_UART_FIFO		16	/* transmit FIFO depth of a 16550A */
#define PROBE_THRE_POLLS	100000	/* bounded, as guests/lib's console */

void probe_console_init(void)
{
	outb(PROBE_COM1_FCR, PROBE_FCR_ENABLE_CLEAR);
}

static void probe_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len < PROBE_UART_FIFO ? len : PROBE_UART_FIFO;

		for (int i = 0; i < PROBE_THRE_POLLS; i++)
			if (inb(GUEST_COM1_LSR) & GUEST_LSR_THRE)
				break;
		__asm__ volatile("rep outsb"
				 : "+S"(s), "+c"(n)
				 : "d"((uint16_t)GUEST_COM1)
				 : "memory");
		len -= len < PROBE_UART_FIFO ? len : PROBE_UART_FIFO;
	}
}

void probe_printf(const char *fmt, ...)
{
	char buf[PROBE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = tv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A line longer than buf is cut; keep its newline. */
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	probe_console_write(buf, (size_t)n);
}
