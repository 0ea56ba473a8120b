/*
 * hv/console.c: the real COM1, the protocol's line format, the guest's
 * output, and the end of a run.
 * Runs in: hypervisor, ring 0.
 *
 * 1. Everything goes out through one ring buffer, in order, drained into
 *    the real COM1 a FIFO-load at a time and only while its transmitter
 *    is empty: after each line, on the way back to the guest, and while
 *    the hypervisor waits for an interrupt. No trap ever waits for the
 *    UART. On QEMU the UART costs no time and the ring empties at once; on
 *    a machine whose UART runs at its baud rate (Bochs, a real PC), 80
 *    bytes take about 7 ms at 115200 baud. Input that arrived before the
 *    hypervisor started is kept for the guest.
 * 2. console_event() writes one "tv:" line. When the ring is full it waits
 *    for room: those lines are the protocol. console_trace() writes a trace
 *    line, which is dropped instead and counted (the `trace lines
 *    dropped` counter of the summary), so --trace with a fast guest timer
 *    cannot starve the guest.
 * 3. The guest's bytes are gathered into lines and escaped, so nothing the
 *    guest prints can pass for the hypervisor's own words.
 * 4. hv_exit_*() flush, print the statistics and the exit line, and end
 *    the machine (end_run): QEMU through the isa-debug-exit port with the
 *    host program's status, so QEMU's own exit status mirrors the
 *    protocol; elsewhere by powering off (docs/other-machines.md).
 */
#include "hv/hot.h"
#include <stdarg.h>
#include "hv/console.h"
#include "hv/machine.h"
#include "hv/integrity.h"
#include "hv/power.h"
#include "hv/stats.h"
#include "lib/exit_status.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/x86.h"

#define COM1		0x3F8
#define COM1_LSR	(COM1 + 5)
#define LSR_DR		0x01
#define LSR_THRE	0x20	/* the transmit FIFO is empty */
#define LSR_TEMT	0x40	/* and so is the shift register: all sent */
/* A 16550's transmit FIFO: THRE says all of it is free. */
#define COM1_FIFO_BYTES	16

/* The bytes not yet given to the UART; a power of two. */
#define TX_RING_BYTES	32768u

static char tx_ring[TX_RING_BYTES];
static uint32_t tx_head, tx_tail;	/* free-running: written at head, sent from tail */
static uint32_t trace_dropped;

/*
 * Bytes already in the real UART when the hypervisor starts: the first byte
 * of a pipe or FIFO on the host's standard input arrives before anything
 * runs, and the FIFO's start-up below would drop it (in a 16550, FCR bit 1,
 * or switching the FIFO on, empties the receiver). The guest gets them first.
 */
static uint8_t early_input[16];
static unsigned early_input_len, early_input_taken;

int console_early_input(uint8_t *byte)
{
	if (early_input_taken == early_input_len)
		return 0;
	*byte = early_input[early_input_taken++];
	return 1;
}

void console_init(void)
{
	while (early_input_len < sizeof early_input && (inb(COM1_LSR) & LSR_DR))
		early_input[early_input_len++] = inb(COM1);
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB on */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1, DLAB off */
	outb(COM1 + 2, 0xC7);	/* FIFO on */
}

/* Give the UART what it can take now, without waiting; returns whether it took any. */
static int tx_fill_fifo(void)
{
	if (tx_head == tx_tail || !(inb(COM1_LSR) & LSR_THRE))
		return 0;
	for (unsigned n = 0; n < COM1_FIFO_BYTES && tx_tail != tx_head; n++)
		outb(COM1, (uint8_t)tx_ring[tx_tail++ % TX_RING_BYTES]);
	return 1;
}

void console_drain(void)
{
	/* On QEMU the FIFO is empty again at once, and this loop sends everything. */
	while (tx_fill_fifo())
		;
}

int console_pending(void)
{
	return tx_head != tx_tail;
}

/* Wait until the UART has taken n more bytes off the ring, or all of it. */
static void tx_wait_for_room(uint32_t n)
{
	while (tx_head != tx_tail && TX_RING_BYTES - (tx_head - tx_tail) < n) {
		if (!tx_fill_fifo())
			__asm__ volatile("pause");
	}
}

void console_flush(void)
{
	tx_wait_for_room(TX_RING_BYTES);
	/* And out of the FIFO onto the wire: a machine ended now would cut the last bytes. */
	while (!(inb(COM1_LSR) & LSR_TEMT))
		__asm__ volatile("pause");
}

/*
 * One whole line into the ring (the pieces one after another, then '\n'),
 * or nothing: a trace line that does not fit is dropped, any other line
 * waits for room.
 */
static void tx_line(int droppable, const char *a, const char *b)
{
	uint32_t la = strlen(a), lb = strlen(b), n = la + lb + 1;

	if (TX_RING_BYTES - (tx_head - tx_tail) < n) {
		if (droppable) {
			trace_dropped++;
			return;
		}
		tx_wait_for_room(n);
	}
	for (uint32_t i = 0; i < la; i++)
		tx_ring[tx_head++ % TX_RING_BYTES] = a[i];
	for (uint32_t i = 0; i < lb; i++)
		tx_ring[tx_head++ % TX_RING_BYTES] = b[i];
	tx_ring[tx_head++ % TX_RING_BYTES] = '\n';
	console_drain();
}

uint32_t console_trace_dropped(void)
{
	return trace_dropped;
}

void console_event(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	tv_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	tx_line(0, "tv:", line);
}

void console_trace(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	tv_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	tx_line(1, "tv:", line);
}

/*
 * One byte of text as the protocol writes it: printable ASCII as it is, a
 * backslash doubled, anything else (a newline, an escape sequence, a byte
 * above 0x7E) as \xNN, so no byte of the guest's, or of a file name the
 * host passed in, can end a protocol line or reach a terminal raw. Writes
 * at most 4 characters to dst; returns how many.
 */
static unsigned escape_byte(char *dst, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\') {
		dst[0] = dst[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7F) {
		dst[0] = (char)c;
		return 1;
	}
	dst[0] = '\\';
	dst[1] = 'x';
	dst[2] = hex[c >> 4];
	dst[3] = hex[c & 15];
	return 4;
}

void console_quote(char *dst, unsigned size, const char *s)
{
	unsigned n = 0;
	if (size < 3)
		return;
	dst[n++] = '"';
	for (; *s; s++) {
		char e[4];
		unsigned k;
		if (*s == '"') {
			e[0] = '\\';
			e[1] = '"';
			k = 2;
		} else {
			k = escape_byte(e, (uint8_t)*s);
		}
		if (n + k + 2 > size)	/* the closing quote and the NUL must fit */
			break;
		memcpy(dst + n, e, k);
		n += k;
	}
	dst[n++] = '"';
	dst[n] = 0;
}

/* The guest's current line, already escaped. */
static char guest_line[600] HV_HOT;
static unsigned guest_line_len HV_HOT;

void console_guest_flush(void)
{
	if (!guest_line_len)
		return;
	guest_line[guest_line_len] = 0;
	tx_line(0, "tv:out ", guest_line);
	guest_line_len = 0;
}

void console_guest_byte(uint8_t c)
{
	if (c == '\n') {
		/* An empty guest line still shows as one. */
		if (!guest_line_len)
			guest_line[guest_line_len++] = 0;
		console_guest_flush();
		return;
	}
	if (c == '\r')
		return;
	guest_line_len += escape_byte(guest_line + guest_line_len, c);
	if (guest_line_len > 500)
		console_guest_flush();
}

static void __attribute__((noreturn)) end_run(uint32_t qemu_status)
{
	console_flush();
	power_off(qemu_status);
}

static int guest_started;

void console_guest_started(void)
{
	guest_started = 1;
}

static void finish(void)
{
	console_guest_flush();
	stats_report();
	if (stats_tracing())
		console_event("stat what=\"trace lines dropped\" count=%u", trace_dropped);
	if (guest_started) {
		machine_report_screen(&the_machine);
		integrity_report();
	}
}

void hv_exit_guest(uint32_t status)
{
	finish();
	console_event("exit kind=guest status=%u", status);
	end_run(status == 0 ? TV_STATUS_GUEST_OK : TV_STATUS_GUEST_FAILED);
}

void hv_exit_refused(const char *reason)
{
	char q[300];
	finish();
	console_quote(q, sizeof q, reason);
	console_event("exit kind=refused reason=%s", q);
	end_run(TV_STATUS_REFUSED);
}

static void __attribute__((noreturn)) exit_with_reason(const char *kind, uint32_t status,
			     const char *fmt, va_list ap)
{
	char reason[300], q[400];
	tv_vsnprintf(reason, sizeof reason, fmt, ap);
	finish();
	console_quote(q, sizeof q, reason);
	console_event("exit kind=%s reason=%s", kind, q);
	end_run(status);
}

void hv_exit_stopped(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	exit_with_reason("stopped", TV_STATUS_STOPPED, fmt, ap);
}

void hv_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	exit_with_reason("panic", TV_STATUS_NO_RESULT, fmt, ap);
}
