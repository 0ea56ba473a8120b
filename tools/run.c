/*
 * tools/run.c: boot one guest in QEMU or Bochs (natively or under the
 * hypervisor) and keep a parsed record of the run: tv_run() starts the
 * emulator, hands it the terminal and pumps its output; the other run_*.c
 * files do the rest (tools/run_state.h says which).
 * Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/run_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tools/boot_image.h"

/* Natively, how often the screen is read while the guest runs. */
#define SCREEN_TICK_S	0.2

/* The terminal as it was before a run put it in raw mode, restored however we leave. */
static struct termios saved_tty;
static int tty_raw;

static void restore_tty(void)
{
	if (tty_raw) {
		tcsetattr(0, TCSAFLUSH, &saved_tty);
		tty_raw = 0;
	}
}

/*
 * Keys to the guest as typed: no line editing, no echo (the guest echoes),
 * no CR-to-NL translation (a guest's console expects the CR of Enter), no
 * flow control. Ctrl-C still ends the run (the signal is watched); Ctrl-Z
 * and Ctrl-\ go to the guest, as stopping the program would leave the
 * terminal raw. Output is untouched, so our lines still end properly.
 */
static void raw_tty(void)
{
	static int registered;
	struct termios t;

	if (tty_raw || !isatty(0) || tcgetattr(0, &saved_tty) < 0)
		return;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | ISTRIP);
	t.c_cc[VSUSP] = _POSIX_VDISABLE;
	t.c_cc[VQUIT] = _POSIX_VDISABLE;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSAFLUSH, &t) < 0)
		return;
	tty_raw = 1;
	if (!registered) {
		atexit(restore_tty);
		registered = 1;
	}
	fputs(TV_INPUT_HINT "\n", stderr);
}

/*
 * Whether our standard input may go to the guest: not a terminal we do not
 * own. A program started in the background that read (or set up) its
 * terminal would be stopped by the shell's job control until brought back.
 */
static int stdin_is_ours(void)
{
	return !isatty(0) || tcgetpgrp(0) == getpgrp();
}

int tv_run(const struct tv_run_config *cfg, struct tv_run_record *rec)
{
	struct argv_list a = { 0 };
	struct tv_process proc;
	struct run_state st = {
		.cfg = cfg, .rec = rec, .proc = &proc, .hello_idx = -1, .exit_idx = -1,
	};

	memset(rec, 0, sizeof(*rec));
	rec->mode = cfg->mode;
	rec->on = cfg->on;
	rec->guest_status = -1;
	rec->qemu_code = -1;

	if (cfg->until) {
		if (regcomp(&st.until_re, cfg->until, REG_EXTENDED | REG_NOSUB) != 0)
			return tv_run_setup_error(rec, "--until: not a valid extended regular "
						  "expression: %s", cfg->until);
		st.has_until = 1;
	}
	if (tv_run_build_command(cfg, rec, &st, &a) != 0) {
		tv_run_argv_free(&a);
		goto out;
	}

	double start = tv_now();
	st.deadline = start + cfg->timeout_s;
	/* Bochs's COM1 is written to a file (our pipe); nothing reads its input. */
	int forward = cfg->forward_stdin && cfg->on == TV_ON_QEMU && stdin_is_ours();
	int err = tv_process_spawn_opts(&proc, a.v, start + cfg->timeout_s, forward ? 0 : -1,
					cfg->on == TV_ON_BOCHS);
	if (err) {
		if (err == ENOENT && cfg->on == TV_ON_BOCHS)
			tv_run_setup_error(rec, "Bochs not found: '%s' (install the Debian "
					   "packages bochs, bochsbios and vgabios)", a.v[0]);
		else if (err == ENOENT)
			tv_run_setup_error(rec, "QEMU not found: '%s' (install the Debian package "
					   "qemu-system-x86)", a.v[0]);
		else
			tv_run_setup_error(rec, "cannot start %s: %s", a.v[0], strerror(err));
		tv_run_argv_free(&a);
		goto out;
	}
	tv_run_argv_free(&a);

	proc.hook_ctx = &st;
	proc.before_kill = tv_run_screen_before_kill;
	/* Under the hypervisor the screen comes at the end anyway: read it early only for --until. */
	if (st.has_mon && (cfg->mode == TV_MODE_NATIVE || cfg->until)) {
		proc.on_tick = tv_run_screen_tick;
		proc.tick_s = SCREEN_TICK_S;
	}
	/*
	 * The hypervisor switches its UART's FIFO on before its first line, and
	 * doing so empties the receiver: a byte that reached QEMU's COM1 in that
	 * moment would be lost. So the input waits for the first line; until
	 * then it stays in our standard input.
	 */
	proc.input_held = cfg->mode == TV_MODE_HV;
	if (proc.forward_fd == 0 && cfg->stdin_console && isatty(0)) {
		proc.keys = &st.keys;
		raw_tty();
	}
	enum tv_pump_result pumped = tv_process_pump(&proc, tv_run_on_line, &st);
	restore_tty();
	if (st.has_mon && cfg->mode == TV_MODE_NATIVE)
		tv_run_date_native_screen(&st);
	rec->wall_s = tv_now() - start;
	if (proc.reaped && WIFEXITED(proc.wait_status)) {
		rec->qemu_exited = 1;
		rec->qemu_code = WEXITSTATUS(proc.wait_status);
	}
	if (st.hello_idx >= 0)
		rec->hello = &rec->events[st.hello_idx];
	if (st.exit_idx >= 0)
		rec->exit = &rec->events[st.exit_idx];

	tv_run_decide_end(&st, pumped);
out:
	if (st.work_dir[0])
		tv_remove_tree(st.work_dir);
	if (st.has_until)
		regfree(&st.until_re);
	if (st.has_mon)
		tv_monitor_close(&st.mon);
	return rec->host_status;
}

static void free_texts(struct tv_text *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].s);
	free(list);
}

void tv_run_record_free(struct tv_run_record *rec)
{
	for (size_t i = 0; i < rec->nevents; i++)
		tv_event_free(&rec->events[i]);
	free(rec->events);
	free_texts(rec->guest_lines, rec->nguest_lines);
	free_texts(rec->foreign_lines, rec->nforeign_lines);
	free_texts(rec->qemu_lines, rec->nqemu_lines);
	memset(rec, 0, sizeof(*rec));
}
