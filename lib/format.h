/*
 * lib/format.h: formatted output into a buffer (a small vsnprintf).
 * Runs in: hypervisor and guests (freestanding), and on the host in unit tests.
 * Supports %d %i %u %x %X %o %c %s %p %% with flags '-', '0', width,
 * precision for strings, and the length modifiers l, ll, h, hh, z.
 */
#ifndef TV_LIB_FORMAT_H
#define TV_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int tv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int tv_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef TV_HOSTED
/* Capstone's printers call vsnprintf by name. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
#endif

#endif
