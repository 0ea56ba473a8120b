/*
 * guests/fuzz/fuzz_console.c: COM1 output sixteen bytes per poll, as the
 * sensitive probe does (guests/sensitive_probe/probe_console.c explains
 * the 16550A FIFO): one line per sequence stays a handful of traps.
 * Runs in: guest.
 */
#include <stdarg.h>
#include <stddef.h>

#include "guests/fuzz/fuzz.h"
#include "guests/lib/guest_console.h"
#include "lib/format.h"
#include "lib/x86.h"

#define FUZZ_COM1_FCR		(GUEST_COM1 + 2)	/* FIFO control register */
#define FUZZ_FCR_ENABLE_CLEAR	0x07
#define FUZZ_UART_FIFO		16
#define FUZZ_THRE_POLLS		100000
#define FUZZ_LINE_MAX		256

void fuzz_console_init(void)
{
	outb(FUZZ_COM1_FCR, FUZZ_FCR_ENABLE_CLEAR);
}

static void fuzz_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len < FUZZ_UART_FIFO ? len : FUZZ_UART_FIFO;

		len -= n;
		for (int i = 0; i < FUZZ_THRE_POLLS; i++)
			if (inb(GUEST_COM1_LSR) & GUEST_LSR_THRE)
				break;
		__asm__ volatile("cld\n"
				 "rep outsb"
				 : "+S"(s), "+c"(n)
				 : "d"((uint16_t)GUEST_COM1)
				 : "memory", "cc");
	}
}

void fuzz_printf(const char *fmt, ...)
{
	char buf[FUZZ_LINE_MAX];
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
	fuzz_console_write(buf, (size_t)n);
}
