/*
 * tools/escape.h: one place for each output format's escaping, so text
 * from a guest, a file name or the hypervisor can never break the line,
 * cell or string it is written into. Runs on: host.
 */
#ifndef TV_TOOLS_ESCAPE_H
#define TV_TOOLS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Text for a terminal or a log: printable ASCII and tabs as they are, every
 * other byte (a newline, an escape sequence, a byte above 0x7E) as \xNN, so
 * nothing can split the line or drive the terminal.
 */
void tv_put_text(FILE *f, const char *s, size_t len);

/* The same into dst (size bytes with the NUL; cut short if it must be); returns dst. */
char *tv_escape_text(char *dst, size_t size, const char *s);

#endif
