/*
 * tools/escape.h: one place for each output format's escaping (text for a
 * terminal, JSON, CSV, markdown), so text from a guest, a file name or the
 * hypervisor can never break the line, cell or string it is written into.
 * Runs on: host.
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

/*
 * A JSON string, quotes included, written by jansson, ASCII only (anything
 * else as \uXXXX). Bytes that are not UTF-8 are taken one by one as the
 * characters U+0080..U+00FF, so every byte still shows.
 */
void tv_put_json_string(FILE *f, const char *s);

/*
 * A CSV field (RFC 4180): as it is, or quoted with its quotes doubled when
 * it holds a comma, a quote or a line break.
 */
void tv_put_csv_field(FILE *f, const char *s);

/*
 * Text for a markdown table cell: '|' escaped (it would end the cell) and
 * '`' written as '\'' (it would open or close a code span).
 */
void tv_put_md_text(FILE *f, const char *s);

#endif
