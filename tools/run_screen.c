/*
 * tools/run_screen.c: the guest's 80x25 text screen during a run, for
 * --screen, and --until matched against its rows and the guest's lines.
 * Runs on: host.
 *
 * Natively the screen is read from QEMU's memory through its monitor
 * (tools/monitor.h), now and then while the guest runs and once more before
 * the host ends QEMU; under the hypervisor it comes in the hypervisor's own
 * `screen` lines at the end of the run.
 */
#define _GNU_SOURCE
#include "tools/run_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long QEMU's monitor may take to answer: a busy machine, before we end it. */
#define MONITOR_WAIT_S	1.0
#define MONITOR_LAST_WAIT_S	5.0

void tv_run_check_until(struct run_state *st, const char *text, size_t len)
{
	if (!st->has_until || st->rec->until_line[0] || st->proc->stop_requested)
		return;
	char *copy = strndup(text, len);
	if (!copy)
		return;
	if (regexec(&st->until_re, copy, 0, NULL, 0) == 0) {
		snprintf(st->rec->until_line, sizeof(st->rec->until_line), "%s", copy);
		st->proc->stop_requested = 1;
	}
	free(copy);
}

static void check_until_screen(struct run_state *st)
{
	for (int r = 0; r < TV_SCREEN_ROWS; r++)
		if (st->rec->screen.rows[r][0])
			tv_run_check_until(st, st->rec->screen.rows[r],
					   strlen(st->rec->screen.rows[r]));
}

/*
 * Read the screen through QEMU's monitor: natively at 0xB8000; under the
 * hypervisor where its `load` line said the guest's 0xB8000 lies in QEMU's
 * memory (once the hypervisor sends its own rows, those are the screen).
 * Returns 0 when it was read.
 */
static int read_screen(struct run_state *st, double wait_s)
{
	uint8_t cells[TV_SCREEN_BYTES];
	uint64_t pa = TV_SCREEN_BASE;

	if (!st->has_mon || st->proc->reaped)
		return -1;
	if (st->cfg->mode == TV_MODE_HV) {
		if (!st->hv_screen_pa || st->hv_screen_pa > UINT32_MAX - TV_SCREEN_BYTES ||
		    st->hv_screen_rows)
			return -1;
		pa = st->hv_screen_pa;
	}
	if (tv_monitor_read(&st->mon, (uint32_t)pa, cells, sizeof(cells), wait_s) < 0)
		return -1;
	tv_screen_from_cells(&st->rec->screen, cells, sizeof(cells));
	st->screen_read_at = tv_now();
	check_until_screen(st);
	return 0;
}

void tv_run_screen_tick(void *ctx)
{
	read_screen(ctx, MONITOR_WAIT_S);
}

/* We are about to end QEMU (timeout, --until, Ctrl-A x): the screen as it is now. */
void tv_run_screen_before_kill(void *ctx)
{
	struct run_state *st = ctx;

	if (read_screen(st, MONITOR_LAST_WAIT_S) == 0)
		snprintf(st->rec->screen_when, sizeof(st->rec->screen_when),
			 "at the end of the run%s",
			 st->cfg->mode == TV_MODE_HV ? ", read from QEMU's memory" : "");
}

/*
 * The hypervisor's `screen` lines (docs/console-protocol.md): one per row,
 * before its exit line, already as printable text.
 */
void tv_run_screen_row(struct run_state *st, const struct tv_event *ev)
{
	struct tv_run_record *rec = st->rec;
	uint64_t row;
	const char *text = tv_event_get(ev, "text");

	if (tv_event_get_u64(ev, "row", &row) < 0 || row >= TV_SCREEN_ROWS || !text)
		return;
	if (st->hv_screen_rows == 0) {
		memset(&rec->screen, 0, sizeof(rec->screen));
		rec->screen.valid = 1;
		snprintf(rec->screen_when, sizeof(rec->screen_when),
			 "sent by the hypervisor at the end of the run");
	}
	st->hv_screen_rows++;
	snprintf(rec->screen.rows[row], sizeof(rec->screen.rows[row]), "%s", text);
	tv_run_check_until(st, rec->screen.rows[row], strlen(rec->screen.rows[row]));
}

/*
 * Natively, QEMU may be gone before we could look (the debug-exit port ends
 * it at once): the screen is then the last one read while it ran.
 */
void tv_run_date_native_screen(struct run_state *st)
{
	struct tv_run_record *rec = st->rec;

	if (rec->screen_when[0] || !rec->screen.valid)
		return;
	snprintf(rec->screen_when, sizeof(rec->screen_when),
		 "as read %.2f s before QEMU exited; the guest may have written after that",
		 tv_now() - st->screen_read_at);
}
