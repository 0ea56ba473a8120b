/*
 * tools/run_state.h: what one tv_run() keeps while its guest runs, shared by
 * the files that make a run (tools/run.h is what the commands see).
 * Runs on: host.
 *
 * A run in five files, in the order it happens:
 *   run_command.c  every check that can be made before the emulator starts,
 *                  and QEMU's or Bochs's argv;
 *   run.c          tv_run(): the emulator started, the terminal handed to the
 *                  guest, its output pumped;
 *   run_lines.c    each line the emulator writes, sorted into the record;
 *   run_screen.c   the guest's text screen, and --until;
 *   run_end.c      how the run ended: the record's end, status and message.
 */
#ifndef TV_TOOLS_RUN_STATE_H
#define TV_TOOLS_RUN_STATE_H

#include <limits.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/input_keys.h"
#include "tools/monitor.h"
#include "tools/process.h"
#include "tools/run.h"

struct run_state {
	const struct tv_run_config *cfg;
	struct tv_run_record *rec;
	struct tv_process *proc;
	long hello_idx, exit_idx;
	int serial_seen;
	regex_t until_re;
	int has_until;
	struct tv_monitor mon;		/* native runs that need the screen */
	int has_mon;
	double screen_read_at;		/* tv_now() of the last screen read natively */
	uint64_t hv_screen_pa;		/* hv mode: where QEMU holds the guest's screen, or 0 */
	int hv_screen_rows;		/* hv mode: `screen` rows the hypervisor sent */
	struct tv_keys keys;
	double deadline;		/* the run's own, from timeout_s */
	int idle;			/* the last deadline set was idle_timeout_s after a line */
	/* On Bochs: */
	char work_dir[PATH_MAX];	/* the boot image and configuration, removed at the end */
	int bochs_exit_seen;		/* native: the bare guest's exit line arrived */
	long bochs_exit_status;
	int grub_failed;		/* GRUB said it could not load the image */
	int bochs_message_next;		/* the next stderr line is Bochs's last word */
	char bochs_message[256];
};

/* ---- run_command.c ---- */

/* A growing argv for QEMU; every string is owned. */
struct argv_list {
	char **v;
	size_t n;
};

/* Check everything that can be checked before QEMU starts, and build its argv. */
int tv_run_build_command(const struct tv_run_config *cfg, struct tv_run_record *rec,
			 struct run_state *st, struct argv_list *a);
void tv_run_argv_free(struct argv_list *a);
/* A run that never started: rec->message says why; returns TV_STATUS_USAGE. */
int tv_run_setup_error(struct tv_run_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- run_lines.c ---- */

/* The pump's callback (tools/process.h): one line of QEMU's or Bochs's output. */
void tv_run_on_line(void *ctx, enum tv_stream stream, const char *s, size_t len);

/* ---- run_screen.c ---- */

/* With --until: end the run with success when text (a guest line or screen row) matches. */
void tv_run_check_until(struct run_state *st, const char *text, size_t len);
/* One of the hypervisor's `screen` lines. */
void tv_run_screen_row(struct run_state *st, const struct tv_event *ev);
/* The pump's hooks (tools/process.h): while the guest runs, and before it is ended. */
void tv_run_screen_tick(void *ctx);
void tv_run_screen_before_kill(void *ctx);
/* Natively: say how old the last screen read is. */
void tv_run_date_native_screen(struct run_state *st);

/* ---- run_end.c ---- */

/* After the pump: rec's end, status and message, and rec->host_status. */
void tv_run_decide_end(struct run_state *st, enum tv_pump_result pumped);

#endif
