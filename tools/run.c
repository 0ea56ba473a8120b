/*
 * tools/run.c: boot one guest in QEMU (natively or under the hypervisor),
 * read the run line by line and keep a parsed record of it.
 * Runs on: host.
 *
 * The result of a run is decided by what the hypervisor says (its `tv:exit`
 * line), never by QEMU's exit status alone: QEMU exits 1 both when the
 * debug-exit port is written with 0 and when it refuses a kernel. Natively
 * there is no hypervisor, so tv_native_end() reads QEMU's status carefully.
 */
#define _GNU_SOURCE
#include "tools/run.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tools/bochs.h"
#include "tools/boot_image.h"
#include "tools/input_keys.h"
#include "tools/monitor.h"
#include "tools/process.h"

/* After `tv:exit` the hypervisor ends QEMU itself; allow it this long. */
#define EXIT_GRACE_S	2.0
/* Natively, how often the screen is read while the guest runs. */
#define SCREEN_TICK_S	0.2
/* How long QEMU's monitor may take to answer: a busy machine, before we end it. */
#define MONITOR_WAIT_S	1.0
#define MONITOR_LAST_WAIT_S	5.0

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

/* With --until: end the run with success when text (a guest line or screen row) matches. */
static void check_until(struct run_state *st, const char *text, size_t len)
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
			check_until(st, st->rec->screen.rows[r], strlen(st->rec->screen.rows[r]));
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

static void on_tick(void *ctx)
{
	read_screen(ctx, MONITOR_WAIT_S);
}

/* We are about to end QEMU (timeout, --until, Ctrl-A x): the screen as it is now. */
static void before_kill(void *ctx)
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
static void on_screen_row(struct run_state *st, const struct tv_event *ev)
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
	check_until(st, rec->screen.rows[row], strlen(rec->screen.rows[row]));
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
		check_until(st, line.text, line.text_len);
	} else {
		line.source = TV_LINE_EVENT;
	}
	if (ev.kind == TV_EV_HELLO && st->hello_idx < 0)
		st->hello_idx = (long)rec->nevents - 1;
	if (ev.kind == TV_EV_LOAD)
		tv_event_get_u64(line.ev, "screen", &st->hv_screen_pa);
	if (ev.kind == TV_EV_UNKNOWN && strcmp(ev.name, "screen") == 0)
		on_screen_row(st, line.ev);
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

static void on_line(void *ctx, enum tv_stream stream, const char *s, size_t len)
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
	check_until(st, s, len);
}

/* A growing argv for QEMU; every string is owned. */
struct argv_list {
	char **v;
	size_t n;
};

static void arg(struct argv_list *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void arg(struct argv_list *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	va_end(ap);
	/* Always leave room for the terminating NULL. */
	char **v = realloc(a->v, (a->n + 2) * sizeof(*a->v));
	if (!v) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	a->v = v;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void argv_free(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* The guest's arguments joined by spaces, for -append or after the module path. */
static char *join_args(const struct tv_run_config *cfg)
{
	size_t len = 1;
	for (int i = 0; i < cfg->guest_argc; i++)
		len += strlen(cfg->guest_argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	for (int i = 0; i < cfg->guest_argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, cfg->guest_argv[i]);
	}
	return s;
}

static int setup_error(struct tv_run_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int setup_error(struct tv_run_record *rec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec->message, sizeof(rec->message), fmt, ap);
	va_end(ap);
	rec->end = TV_END_NONE;
	rec->host_status = TV_STATUS_USAGE;
	return rec->host_status;
}

/* Every module file must exist; their bytes count towards the hypervisor's QEMU memory. */
static int check_modules(const struct tv_run_config *cfg, struct tv_run_record *rec,
			 uint64_t *bytes)
{
	struct stat sb;

	for (size_t i = 0; i < cfg->nmodules; i++) {
		if (stat(cfg->modules[i].path, &sb) < 0 || !S_ISREG(sb.st_mode))
			return setup_error(rec, "no such module file: %s", cfg->modules[i].path);
		/* Each module starts on a page of its own. */
		*bytes += (uint64_t)sb.st_size + 4096;
	}
	return 0;
}

void tv_hv_options(const struct tv_run_config *cfg, char *buf, size_t size)
{
	snprintf(buf, size, "ring=%d trace=%d mem=%u%s%s%s%s", cfg->ring, cfg->trace ? 1 : 0,
		 cfg->mem_mib, cfg->patch ? " patch=" : "", cfg->patch ? cfg->patch : "",
		 cfg->umip ? " umip=1" : "", cfg->direct ? " direct=1" : "");
}

/* On Bochs: a work directory with the run's image and configuration (tools/bochs.h), and Bochs's argv. */
static int build_bochs_command(const struct tv_run_config *cfg, struct tv_run_record *rec,
			       struct run_state *st, struct argv_list *a, uint64_t module_bytes)
{
	struct stat sb;
	char err[512], opts[160], rc[PATH_MAX + 32], cmds[PATH_MAX + 32];
	const char *tmp = getenv("TMPDIR");

	if (cfg->mode == TV_MODE_HV) {
		if (!cfg->hv_path || stat(cfg->hv_path, &sb) < 0)
			return setup_error(rec, "the hypervisor is not built: %s",
					   cfg->hv_path ? cfg->hv_path : "(no path)");
		if (cfg->patch && (!*cfg->patch || strpbrk(cfg->patch, " ,")))
			return setup_error(rec, "bad patch mode '%s'", cfg->patch);
		stat(cfg->guest_path, &sb);
		rec->machine_mib = tv_hv_machine_mib(cfg->mem_mib, (uint64_t)sb.st_size + module_bytes);
	} else {
		if (cfg->screen)
			return setup_error(rec, "--screen: a bare guest's screen cannot be read on "
					   "Bochs (under the hypervisor it can)");
		rec->machine_mib = cfg->mem_mib;
	}
	snprintf(st->work_dir, sizeof(st->work_dir), "%s/trapvisor-bochs.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(st->work_dir)) {
		st->work_dir[0] = '\0';
		return setup_error(rec, "cannot make a work directory for Bochs: %s", strerror(errno));
	}
	tv_hv_options(cfg, opts, sizeof(opts));
	struct tv_boot_spec spec = {
		.hv_path = cfg->mode == TV_MODE_HV ? cfg->hv_path : NULL,
		.hv_options = opts,
		.guest_path = cfg->guest_path,
		.guest_argv = cfg->guest_argv,
		.guest_argc = cfg->guest_argc,
		.modules = cfg->modules,
		.nmodules = cfg->nmodules,
	};
	if (tv_bochs_prepare(&spec, (unsigned)rec->machine_mib, cfg->cpu, st->work_dir, rc, cmds,
			     sizeof(rc), err, sizeof(err)) != 0)
		return setup_error(rec, "%s", err);

	const char *bochs = cfg->qemu ? cfg->qemu : getenv("TRAPVISOR_BOCHS");
	arg(a, "%s", bochs && *bochs ? bochs : "bochs");
	arg(a, "-q");
	arg(a, "-f");
	arg(a, "%s", rc);
	arg(a, "-rc");
	arg(a, "%s", cmds);
	return 0;
}

/* Check everything that can be checked before QEMU starts, and build its argv. */
static int build_command(const struct tv_run_config *cfg, struct tv_run_record *rec,
			 struct run_state *st, struct argv_list *a)
{
	struct stat sb;
	uint64_t module_bytes = 0;
	char err[512];

	if (cfg->mem_mib < TV_MEM_MIB_MIN || cfg->mem_mib > TV_MEM_MIB_MAX)
		return setup_error(rec, "guest memory must be %d to %d MiB, not %u",
				   TV_MEM_MIB_MIN, TV_MEM_MIB_MAX, cfg->mem_mib);
	if (stat(cfg->guest_path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return setup_error(rec, "no such guest file: %s", cfg->guest_path);
	/* QEMU splits -initrd at commas, and the module path ends at a space. */
	if (strchr(cfg->guest_path, ','))
		return setup_error(rec, "the guest's path must not contain ',': %s",
				   cfg->guest_path);
	for (int i = 0; i < cfg->guest_argc; i++)
		if (cfg->mode == TV_MODE_HV && strchr(cfg->guest_argv[i], ','))
			return setup_error(rec, "guest arguments must not contain ',': %s",
					   cfg->guest_argv[i]);
	if (check_modules(cfg, rec, &module_bytes))
		return rec->host_status;
	if (cfg->on == TV_ON_BOCHS)
		return build_bochs_command(cfg, rec, st, a, module_bytes);

	const char *qemu = cfg->qemu ? cfg->qemu : getenv("TRAPVISOR_QEMU");
	if (!qemu || !*qemu)
		qemu = "qemu-system-i386";
	char *args = join_args(cfg);
	char *initrd;

	arg(a, "%s", qemu);
	arg(a, "-accel");
	arg(a, "tcg");
	if (cfg->mode == TV_MODE_HV) {
		if (strchr(cfg->guest_path, ' ')) {
			free(args);
			return setup_error(rec, "the guest's path must not contain spaces: %s",
					   cfg->guest_path);
		}
		if (!cfg->hv_path || stat(cfg->hv_path, &sb) < 0) {
			free(args);
			return setup_error(rec, "the hypervisor is not built: %s",
					   cfg->hv_path ? cfg->hv_path : "(no path)");
		}
		if (cfg->patch && (!*cfg->patch || strpbrk(cfg->patch, " ,"))) {
			free(args);
			return setup_error(rec, "bad patch mode '%s'", cfg->patch);
		}
		struct stat gsb;
		stat(cfg->guest_path, &gsb);
		rec->machine_mib = tv_hv_machine_mib(cfg->mem_mib,
						     (uint64_t)gsb.st_size + module_bytes);
		/* The guest is the hypervisor's first module, its own modules follow. */
		initrd = tv_initrd_text(cfg->guest_path, args, cfg->modules, cfg->nmodules,
					err, sizeof(err));
		free(args);
		if (!initrd)
			return setup_error(rec, "%s", err);
		arg(a, "-m");
		arg(a, "%llu", (unsigned long long)rec->machine_mib);
		arg(a, "-kernel");
		arg(a, "%s", cfg->hv_path);
		arg(a, "-initrd");
		arg(a, "%s", initrd);
		free(initrd);
		char opts[160];
		tv_hv_options(cfg, opts, sizeof(opts));
		arg(a, "-append");
		arg(a, "%s", opts);
	} else {
		initrd = tv_initrd_text(NULL, NULL, cfg->modules, cfg->nmodules, err, sizeof(err));
		if (!initrd) {
			free(args);
			return setup_error(rec, "%s", err);
		}
		rec->machine_mib = cfg->mem_mib;
		arg(a, "-m");
		arg(a, "%u", cfg->mem_mib);
		arg(a, "-kernel");
		arg(a, "%s", cfg->guest_path);
		if (*args) {
			arg(a, "-append");
			arg(a, "%s", args);
		}
		free(args);
		if (*initrd) {
			arg(a, "-initrd");
			arg(a, "%s", initrd);
		}
		free(initrd);
		/*
		 * The screen a guest under the hypervisor has: text memory at
		 * 0xB8000 and the CRTC's ports. Without a VGA device those ports
		 * read 0xFF and text memory is not there.
		 */
		arg(a, "-vga");
		arg(a, "std");
		/*
		 * QEMU's I/O APIC says version 0x20 while its BIOS's MP table says
		 * 0x11; the virtual PC is the 0x11 chip the table describes
		 * (docs/platform.md).
		 */
		arg(a, "-global");
		arg(a, "ioapic.version=0x11");
	}
	/* The screen of a live machine, for --until and for the end of a run we cut short. */
	if (cfg->screen || cfg->until) {
		char qmp[PATH_MAX + 64];

		if (tv_monitor_init(&st->mon) < 0)
			return setup_error(rec, "cannot make a directory for QEMU's monitor: %s",
					   strerror(errno));
		st->has_mon = 1;
		tv_monitor_qemu_arg(&st->mon, qmp, sizeof(qmp));
		arg(a, "-qmp");
		arg(a, "%s", qmp);
	}
	if (cfg->cpu) {
		arg(a, "-cpu");
		arg(a, "%s", cfg->cpu);
	}
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-serial");
	arg(a, "stdio");
	arg(a, "-no-reboot");
	arg(a, "-nodefaults");
	/*
	 * One port, 0xF4, as the guest contract says: a wider device would end
	 * a native run on a write to 0xF5..0xF7 too, which the hypervisor
	 * ignores. A 32-bit write to 0xF4 still ends the run, with
	 * the low byte (QEMU keeps 7 bits of the status anyway).
	 */
	arg(a, "-device");
	arg(a, "isa-debug-exit,iobase=0xf4,iosize=0x01");
	if (cfg->gdb_port) {
		/* Paused before the first instruction, until gdb says continue. */
		arg(a, "-gdb");
		arg(a, "tcp:127.0.0.1:%d", cfg->gdb_port);
		arg(a, "-S");
	}
	return 0;
}

/* How an hv-mode run ended, from its exit line. */
/*
 * The hypervisor's hello line says what it really ran: a run in another
 * ring, patch mode or UMIP setting than asked for is no result, whatever
 * the guest printed (tables and tests must never label one mode's figures
 * with another's name). Returns 0 when they agree.
 */
static int hello_disagrees(const struct tv_run_config *cfg, struct tv_run_record *rec)
{
	char asked[16];
	const char *ring = tv_event_get(rec->hello, "ring");
	const char *patch = tv_event_get(rec->hello, "patch");
	const char *umip = tv_event_get(rec->hello, "umip");
	const char *direct = tv_event_get(rec->hello, "direct");

	snprintf(asked, sizeof(asked), "%d", cfg->ring);
	if (!ring || strcmp(ring, asked) != 0) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran the guest in ring %s, not in ring %d as asked",
			 ring ? ring : "?", cfg->ring);
		return 1;
	}
	if (cfg->patch && (!patch || strcmp(patch, cfg->patch) != 0)) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor patched '%s', not '%s' as asked", patch ? patch : "?",
			 cfg->patch);
		return 1;
	}
	if (!umip || strcmp(umip, cfg->umip ? "1" : "0") != 0) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran with UMIP %s, not %s as asked", umip ? umip : "?",
			 cfg->umip ? "on" : "off");
		return 1;
	}
	if (cfg->direct && (!direct || strcmp(direct, "1") != 0)) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran without its fast paths (direct=1) as asked");
		return 1;
	}
	return 0;
}

static void decide_hv(struct tv_run_record *rec)
{
	if (!rec->exit) {
		rec->end = TV_END_NO_EXIT;
		if (rec->nqemu_lines)
			snprintf(rec->message, sizeof(rec->message), "QEMU: %s",
				 rec->qemu_lines[0].s);
		else if (!rec->hello)
			snprintf(rec->message, sizeof(rec->message),
				 "the hypervisor never spoke (QEMU exit code %d)", rec->qemu_code);
		else
			snprintf(rec->message, sizeof(rec->message),
				 "the hypervisor ended without a tv:exit line");
		return;
	}
	const char *kind = tv_event_get(rec->exit, "kind");
	rec->end = tv_end_from_exit_kind(kind);
	rec->reason = tv_event_get(rec->exit, "reason");
	if (rec->end == TV_END_NO_EXIT)
		snprintf(rec->message, sizeof(rec->message), "unknown exit kind '%s'",
			 kind ? kind : "");
	if (rec->end == TV_END_GUEST) {
		uint64_t status;
		if (tv_event_get_u64(rec->exit, "status", &status) < 0) {
			rec->end = TV_END_NO_EXIT;
			snprintf(rec->message, sizeof(rec->message),
				 "the exit line carries no valid status");
		} else {
			rec->guest_status = (int64_t)status;
		}
	}
}

static void decide_native(struct tv_run_record *rec, int serial_seen)
{
	rec->end = tv_native_end(rec->qemu_exited, rec->qemu_code, serial_seen,
				 rec->nqemu_lines > 0, &rec->guest_status);
	if (rec->end == TV_END_REFUSED) {
		snprintf(rec->message, sizeof(rec->message), "QEMU: %s", rec->qemu_lines[0].s);
		rec->reason = rec->message + strlen("QEMU: ");
	} else if (rec->end == TV_END_NO_EXIT) {
		if (rec->qemu_exited)
			snprintf(rec->message, sizeof(rec->message),
				 "QEMU exited with code %d, which the debug-exit port cannot produce",
				 rec->qemu_code);
		else
			snprintf(rec->message, sizeof(rec->message), "QEMU died of a signal");
	} else if (rec->end == TV_END_GUEST && rec->qemu_code == 1 && !serial_seen) {
		snprintf(rec->message, sizeof(rec->message),
			 "QEMU exit code 1 and no output: taken as guest status 0");
	}
}

/*
 * A bare guest on Bochs: its exit line says its status (there is no
 * debug-exit device, so Bochs's own status says nothing).
 */
static void decide_bochs_native(struct run_state *st, struct tv_run_record *rec)
{
	if (st->bochs_exit_seen) {
		rec->end = TV_END_GUEST;
		rec->guest_status = st->bochs_exit_status;
	} else if (st->grub_failed) {
		rec->end = TV_END_REFUSED;
		snprintf(rec->message, sizeof(rec->message), "GRUB could not load the guest image");
		rec->reason = rec->message;
	} else {
		rec->end = TV_END_NO_EXIT;
		snprintf(rec->message, sizeof(rec->message), "Bochs ended without the guest's exit "
			 "line%s%s", st->bochs_message[0] ? ": " : "", st->bochs_message);
	}
}

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
 * Natively, QEMU may be gone before we could look (the debug-exit port ends
 * it at once): the screen is then the last one read while it ran.
 */
static void date_native_screen(struct run_state *st)
{
	struct tv_run_record *rec = st->rec;

	if (rec->screen_when[0] || !rec->screen.valid)
		return;
	snprintf(rec->screen_when, sizeof(rec->screen_when),
		 "as read %.2f s before QEMU exited; the guest may have written after that",
		 tv_now() - st->screen_read_at);
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

	const char *emulator = cfg->on == TV_ON_BOCHS ? "Bochs" : "QEMU";

	memset(rec, 0, sizeof(*rec));
	rec->mode = cfg->mode;
	rec->on = cfg->on;
	rec->guest_status = -1;
	rec->qemu_code = -1;

	if (cfg->until) {
		if (regcomp(&st.until_re, cfg->until, REG_EXTENDED | REG_NOSUB) != 0)
			return setup_error(rec, "--until: not a valid extended regular "
					   "expression: %s", cfg->until);
		st.has_until = 1;
	}
	if (build_command(cfg, rec, &st, &a) != 0) {
		argv_free(&a);
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
			setup_error(rec, "Bochs not found: '%s' (install the Debian packages "
				    "bochs, bochsbios and vgabios)", a.v[0]);
		else if (err == ENOENT)
			setup_error(rec, "QEMU not found: '%s' (install the Debian package "
				    "qemu-system-x86)", a.v[0]);
		else
			setup_error(rec, "cannot start %s: %s", a.v[0], strerror(err));
		argv_free(&a);
		goto out;
	}
	argv_free(&a);

	proc.hook_ctx = &st;
	proc.before_kill = before_kill;
	/* Under the hypervisor the screen comes at the end anyway: read it early only for --until. */
	if (st.has_mon && (cfg->mode == TV_MODE_NATIVE || cfg->until)) {
		proc.on_tick = on_tick;
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
	enum tv_pump_result pumped = tv_process_pump(&proc, on_line, &st);
	restore_tty();
	if (st.has_mon && cfg->mode == TV_MODE_NATIVE)
		date_native_screen(&st);
	rec->wall_s = tv_now() - start;
	if (proc.reaped && WIFEXITED(proc.wait_status)) {
		rec->qemu_exited = 1;
		rec->qemu_code = WEXITSTATUS(proc.wait_status);
	}
	if (st.hello_idx >= 0)
		rec->hello = &rec->events[st.hello_idx];
	if (st.exit_idx >= 0)
		rec->exit = &rec->events[st.exit_idx];

	if (pumped == TV_PUMP_STOPPED && proc.quit_typed) {
		rec->end = TV_END_QUIT;
		snprintf(rec->message, sizeof(rec->message), "QEMU was ended before a result");
	} else if (pumped == TV_PUMP_STOPPED) {
		rec->end = TV_END_UNTIL;
		rec->guest_status = -1;
	} else if (pumped == TV_PUMP_INTERRUPTED) {
		rec->interrupted_by = tv_process_interrupted();
		rec->end = TV_END_INTERRUPTED;
		snprintf(rec->message, sizeof(rec->message), "QEMU was killed");
	} else if (pumped == TV_PUMP_DEADLINE && !rec->exit && !st.bochs_exit_seen) {
		rec->end = TV_END_TIMEOUT;
		if (st.idle)
			snprintf(rec->message, sizeof(rec->message),
				 "no line for %g s: the guest stopped making progress; %s was killed",
				 cfg->idle_timeout_s, emulator);
		else
			snprintf(rec->message, sizeof(rec->message),
				 "no result within %g s: the guest never exited%s; %s was killed",
				 cfg->timeout_s, cfg->until ? " and --until never matched" : "", emulator);
	} else if (cfg->mode == TV_MODE_HV) {
		decide_hv(rec);
		if (rec->hello && hello_disagrees(cfg, rec))
			rec->end = TV_END_NO_EXIT;
		if (!rec->exit && st.grub_failed)
			snprintf(rec->message, sizeof(rec->message),
				 "GRUB could not load the hypervisor or the guest");
		else if (!rec->exit && st.bochs_message[0])
			snprintf(rec->message, sizeof(rec->message), "Bochs: %s", st.bochs_message);
		if (pumped == TV_PUMP_DEADLINE && rec->message[0] == '\0')
			snprintf(rec->message, sizeof(rec->message),
				 "%s lingered after the exit line and was killed", emulator);
	} else if (cfg->on == TV_ON_BOCHS) {
		decide_bochs_native(&st, rec);
	} else {
		decide_native(rec, st.serial_seen);
	}
	rec->host_status = tv_host_status(rec->end, rec->guest_status);
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
