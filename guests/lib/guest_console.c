/*
 * guests/lib/guest_console.c: text output on COM1, polled, no interrupts.
 * Runs in: guest.
 *
 * Like a real 16550 driver we wait for the transmit holding register to be
 * empty before each byte. QEMU's UART (and the hypervisor's virtual one)
 * always reports it empty, but a guest must not assume that.
 */
#include <stdarg.h>

#include "guests/lib/guest_console.h"
#include "lib/format.h"
#include "lib/x86.h"

/* Enough polls for a slow real UART; a dead one costs a bounded delay, not a hang. */
#define GUEST_THRE_POLLS	100000

/*
 * 115200 baud, 8 data bits, no parity, one stop bit, set once before the
 * first byte: a firmware may leave the port at 5 data bits (Bochs's BIOS
 * does), which QEMU ignores and a UART that sends at its baud rate does
 * not. The FIFOs are left as they are: switching them on empties the
 * receiver, and input may be waiting there already.
 */
void guest_console_setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	outb(GUEST_COM1 + 3, 0x80);	/* DLAB: the divisor latch */
	outb(GUEST_COM1 + 0, 0x01);	/* divisor 1: 115200 baud */
	outb(GUEST_COM1 + 1, 0x00);
	outb(GUEST_COM1 + 3, 0x03);	/* 8N1, DLAB off */
}

void guest_putc(char c)
{
	guest_console_setup();
	for (int i = 0; i < GUEST_THRE_POLLS; i++)
		if (inb(GUEST_COM1_LSR) & GUEST_LSR_THRE)
			break;
	outb(GUEST_COM1, (uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

int guest_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = tv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guest_puts(buf);
	/* A line longer than buf is cut; say so rather than lose its newline. */
	if (n >= (int)sizeof(buf))
		guest_puts("...\n");
	return n;
}
