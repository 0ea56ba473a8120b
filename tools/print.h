/*
 * tools/print.h: show a run to a person: the guest's output marked as the
 * guest's, the hypervisor's events in words, traps with their disassembly,
 * and a closing summary. Runs on: host.
 */
#ifndef TV_TOOLS_PRINT_H
#define TV_TOOLS_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "tools/run.h"

struct tv_printer {
	FILE *out;		/* the run: guest output, events, summary */
	FILE *err;		/* QEMU's complaints and the host's own */
	int colour;		/* ANSI colours: only on a terminal, never with NO_COLOR */
};

/* Colour only when out is a terminal and NO_COLOR is unset or empty. */
void tv_printer_init(struct tv_printer *p, FILE *out, FILE *err);

/* A struct tv_run_config on_line callback: ctx is the struct tv_printer. */
void tv_print_line(void *ctx, const struct tv_run_line *line);

/* Traps per instruction, how the run ended, the guest's status, the time. */
void tv_print_summary(const struct tv_printer *p, const struct tv_run_record *rec);

/* "#GP" for 13, "#PF" for 14, ..., "INT 0x80" beyond the exceptions. */
const char *tv_vector_name(unsigned vec, char *buf, size_t len);

#endif
