/*
 * guests/lib/guest_console.h: text output on the first serial port (COM1).
 * Runs in: guest.
 */
#ifndef TV_GUESTS_LIB_GUEST_CONSOLE_H
#define TV_GUESTS_LIB_GUEST_CONSOLE_H

#define GUEST_COM1		0x3F8
#define GUEST_COM1_LSR		(GUEST_COM1 + 5)	/* line status register */
#define GUEST_LSR_THRE		0x20	/* transmit holding register empty */

/* COM1 at 115200 baud, 8N1; guest_putc does it before its first byte. */
void guest_console_setup(void);
void guest_putc(char c);
void guest_puts(const char *s);		/* no newline added */
int guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
