/*
 * hv/console.h: the hypervisor's side of the console protocol
 * (docs/console-protocol.md) on the real COM1, and how a run ends.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_CONSOLE_H
#define TV_HV_CONSOLE_H

#include <stdint.h>

void console_init(void);
/* Input that was waiting in the real COM1 before console_init: a byte (1), or 0 when none is left. */
int console_early_input(uint8_t *byte);

/* One protocol line: "tv:" followed by the formatted text. */
void console_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A trace line (trap, io, patch): as console_event, but dropped when the output is backed up. */
void console_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint32_t console_trace_dropped(void);

/*
 * Give the real COM1 what it can take now, never waiting for it: on the way
 * back to the guest and while waiting for an interrupt. console_pending()
 * says whether anything is left to send; console_flush() waits for all of
 * it to go.
 */
void console_drain(void);
int console_pending(void);
void console_flush(void);

/* A byte the guest wrote to its COM1; sent a line at a time as "tv:out". */
void console_guest_byte(uint8_t c);
void console_guest_flush(void);

/* Copy s into a quoted protocol value ("..." with \" and \\ escaped). */
void console_quote(char *dst, unsigned size, const char *s);

/* From here on the end of the run checks the hypervisor's memory (hv/integrity.c). */
void console_guest_started(void);

/* How a run ends; each writes the summary and the exit line, then stops QEMU. */
void __attribute__((noreturn)) hv_exit_guest(uint32_t status);
void __attribute__((noreturn)) hv_exit_refused(const char *reason);
void __attribute__((noreturn)) hv_exit_stopped(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) hv_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
