/*
 * tools/run_lines.c: each line QEMU or Bochs writes during a run, sorted
 * into the run's record: the guest's output, the hypervisor's protocol
 * events, foreign and malformed serial text, and the emulator's own words.
 * Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/run_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bochs.h"
#include "tools/boot_image.h"

/* After `tv:exit` the hypervisor ends QEMU itself; allow it this long. */
#define EXIT_GRACE_S	2.0

/*
 * Make room for one more element. Arrays hold count elements in a capacity of
 * count rounded up to a power of two, so they are full exactly when count is
 * zero or a power of two.
 */
static void *grow(void *array, size_t count, size_t size)
{
	if (count != 0 && (count & (count - 1)) != 0)
		return array;
	void *p = realloc(array, (count ? count * 2 : 1) * size);
	if (!p) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	return p;
}

static void push_text(struct tv_text **list, size_t *n, const char *s, size_t len)
{
	*list = grow(*list, *n, sizeof(**list));
	char *copy = malloc(len + 1);
	if (!copy) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	(*list)[*n].s = copy;
	(*list)[*n].len = len;
	(*n)++;
}

static void emit(struct run_state *st, const struct tv_run_line *line)
{
	if (st->cfg->on_line)
		st->cfg->on_line(st->cfg->ctx, line);
}

static void on_serial_hv(struct run_state *st, const char *s, size_t len)
{
	struct tv_run_record *rec = st->rec;
	struct tv_run_line line = { .raw = s, .raw_len = len };
	struct tv_event ev;

	switch (tv_parse_line(s, len, &ev)) {
	case TV_PARSE_NOT_PROTOCOL:
		push_text(&rec->foreign_lines, &rec->nforeign_lines, s, len);
		line.source = TV_LINE_FOREIGN;
		emit(st, &line);
		return;
	case TV_PARSE_MALFORMED:
		push_text(&rec->foreign_lines, &rec->nforeign_lines, s, len);
		rec->nmalformed++;
		line.source = TV_LINE_MALFORMED;
		emit(st, &line);
		return;
	case TV_PARSE_OK:
		break;
	}

	rec->events = grow(rec->events, rec->nevents, sizeof(*rec->events));
	rec->events[rec->nevents] = ev;
	line.ev = &rec->events[rec->nevents];
	rec->nevents++;

	if (ev.kind == TV_EV_OUT) {
		push_text(&rec->guest_lines, &rec->nguest_lines, ev.text, ev.text_len);
		line.source = TV_LINE_GUEST;
		line.text = line.ev->text;
		line.text_len = line.ev->text_len;
		tv_run_check_until(st, line.text, line.text_len);
	} else {
		line.source = TV_LINE_EVENT;
	}
	if (ev.kind == TV_EV_HELLO && st->hello_idx < 0)
		st->hello_idx = (long)rec->nevents - 1;
	if (ev.kind == TV_EV_LOAD)
		tv_event_get_u64(line.ev, "screen", &st->hv_screen_pa);
	if (ev.kind == TV_EV_UNKNOWN && strcmp(ev.name, "screen") == 0)
		tv_run_screen_row(st, line.ev);
	if (ev.kind == TV_EV_EXIT && st->exit_idx < 0) {
		st->exit_idx = (long)rec->nevents - 1;
		double grace = tv_now() + EXIT_GRACE_S;
		if (grace < st->proc->deadline)
			st->proc->deadline = grace;
	}
	emit(st, &line);
}

/*
 * Bochs's standard error is its own chatter (a banner, the plugins it
 * loads); what matters is the message it exits with, kept for a run that
 * gave no result. Its shutdown port's message is the normal end.
 */
static void on_bochs_stderr(struct run_state *st, const char *s, size_t len)
{
	if (st->bochs_message_next) {
		st->bochs_message_next = 0;
		if (!memmem(s, len, "Shutdown port", 13))
			snprintf(st->bochs_message, sizeof(st->bochs_message), "%.*s", (int)len, s);
		return;
	}
	if (memmem(s, len, "Bochs is exiting with the following message", 44))
		st->bochs_message_next = 1;
}

/*
 * A bare guest on Bochs says its status in its last line (there is no
 * debug-exit device): keep the status, let any text before it through.
 * Returns 1 when the line was only that.
 */
static int on_bochs_guest_exit(struct run_state *st, const char **s, size_t *len)
{
	long status;
	size_t before;

	if (st->bochs_exit_seen || !tv_bochs_guest_exit(*s, *len, &status, &before))
		return 0;
	st->bochs_exit_seen = 1;
	st->bochs_exit_status = status;
	/* Bochs ends at the guest's shutdown write; allow it a moment as for `tv:exit`. */
	double grace = tv_now() + EXIT_GRACE_S;
	if (grace < st->proc->deadline)
		st->proc->deadline = grace;
	*len = before;
	return before == 0;
}

void tv_run_on_line(void *ctx, enum tv_stream stream, const char *s, size_t len)
{
	struct run_state *st = ctx;
	struct tv_run_record *rec = st->rec;

	if (stream == TV_STREAM_STDERR && st->cfg->on == TV_ON_BOCHS) {
		on_bochs_stderr(st, s, len);
		return;
	}
	if (stream == TV_STREAM_STDERR) {
		/* QEMU's farewell when we end it says nothing about the guest. */
		if (st->proc->killed && memmem(s, len, "terminating on signal", 21))
			return;
		struct tv_run_line line = { .source = TV_LINE_QEMU, .raw = s, .raw_len = len };
		push_text(&rec->qemu_lines, &rec->nqemu_lines, s, len);
		emit(st, &line);
		return;
	}
	st->serial_seen = 1;
	if (st->cfg->idle_timeout_s > 0) {
		double idle_end = tv_now() + st->cfg->idle_timeout_s;
		st->idle = idle_end < st->deadline;
		st->proc->deadline = st->idle ? idle_end : st->deadline;
	}
	/* After GRUB's escape sequences for the serial terminal. */
	if (st->cfg->on == TV_ON_BOCHS &&
	    memmem(s, len, TV_GRUB_FAILED_LINE, strlen(TV_GRUB_FAILED_LINE)))
		st->grub_failed = 1;
	if (st->cfg->mode == TV_MODE_HV) {
		st->proc->input_held = 0;	/* its UART is set up: see tv_run */
		on_serial_hv(st, s, len);
		return;
	}
	if (st->cfg->on == TV_ON_BOCHS && on_bochs_guest_exit(st, &s, &len))
		return;
	struct tv_run_line line = {
		.source = TV_LINE_GUEST, .raw = s, .raw_len = len, .text = s, .text_len = len,
	};
	push_text(&rec->guest_lines, &rec->nguest_lines, s, len);
	emit(st, &line);
	tv_run_check_until(st, s, len);
}
