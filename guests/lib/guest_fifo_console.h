/*
 * guests/lib/guest_fifo_console.h: COM1 output sixteen bytes per poll, for
 * guests that print many lines under the hypervisor (guest_fifo_console.c
 * says why).
 * Runs in: guest.
 */
#ifndef TV_GUESTS_LIB_GUEST_FIFO_CONSOLE_H
#define TV_GUESTS_LIB_GUEST_FIFO_CONSOLE_H

#define GUEST_FIFO_LINE_MAX	256	/* a longer formatted line is cut, its newline kept */

/* Enable the UART's FIFOs; before the first guest_fifo_printf. */
void guest_fifo_console_init(void);
/* Formatted output to COM1, sixteen bytes per poll. */
void guest_fifo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
