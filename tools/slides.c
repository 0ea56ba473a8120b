/*
 * tools/slides.c: `trapvisor slides`: run the lecture's experiments live and
 * write a slide deck from their results. Runs on: host.
 *
 * 1. Parse the options (tools/slides.h has the synopsis); check that the
 *    output directory can be made and that Graphviz and gnuplot are there,
 *    before minutes of runs.
 * 2. Run the experiments through the commands' own functions, progress on
 *    stderr: the POPF demo (tv_demo_collect), classify without and with
 *    UMIP (tv_classify_collect), one row of the bench guest per cure
 *    (tv_bench_run), one traced trap of a CLI (the sensitive_probe guest
 *    with tracing on) and, with --kernel, the teacher's kernel unpatched
 *    (its panic screen) and patched inline (its boot).
 * 3. Write the pictures, the tables and data.json, then the deck
 *    (tools/slides_data.h). A failed experiment writes nothing: a deck
 *    shows only what this run measured.
 */
#include "tools/slides.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tools/bench.h"
#include "tools/classify.h"
#include "tools/cli_args.h"
#include "tools/demo.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/process.h"
#include "tools/run.h"
#include "tools/slides_data.h"

#define SLIDES_DIR_DEFAULT	"slides"
#define SLIDES_TIMEOUT_DEFAULT	60.0
/* xv6's kernelmemfs reached its shell patched inline in 52 s on a busy two-core machine. */
#define KERNEL_TIMEOUT_DEFAULT	300.0
#define KERNEL_MEM_DEFAULT	256	/* xv6's kernelmemfs frees memory up to 224 MiB */
#define KERNEL_UNTIL_DEFAULT	"init: starting sh"
/* The unpatched kernel's run ends as soon as its screen shows a panic. */
#define KERNEL_PANIC_RE		"[Pp]anic|PANIC"
#define TRACE_GUEST		"sensitive_probe"

const char tv_slides_help[] =
	"The deck has a title slide and one slide each for: the roles turned upside\n"
	"down (the rings, bare and virtualized), trap and emulate (the path of one\n"
	"trapped CLI with the cycles of each part), Popek and Goldberg's condition\n"
	"(classify's instructions as privileged, sensitive, both or neither), POPF\n"
	"vanishes (the demo's table and its lost updates) and the cures and their\n"
	"price (a chart from the benchmarks); with --kernel, one for that kernel's\n"
	"panic unpatched and its boot patched inline. Each slide has speaker notes\n"
	"(the key n shows them); arrow keys or a click move, and printing gives one\n"
	"slide per page. Every number comes from this run: DIR/data.json holds them\n"
	"for programs. It takes about a minute, more with --kernel; progress goes\n"
	"to stderr.\n"
	"docs/slides.md says what each slide shows and where each number comes from.\n"
	"\n"
	"options:\n"
	"  -o DIR        where to write the deck (default ./slides; made if missing)\n"
	"  --lang L      en or nb (Norwegian, bokmal); default from LANGUAGE,\n"
	"                LC_ALL, LC_MESSAGES or LANG, else en\n"
	"  --ring R      the ring of the guest kernel under the hypervisor: 1 or 3\n"
	"                (default 1)\n"
	"  --timeout S   give up on a run after S seconds and kill QEMU (default 60,\n"
	"                and 300 for the kernel's runs)\n"
	"  --kernel K    also run the multiboot kernel K (e.g. xv6's kernelmemfs)\n"
	"                with --patch none, until its screen shows a panic, and with\n"
	"                --patch inline, until its boot ends\n"
	"  --kernel-mem N   the kernel's memory in MiB (default 256)\n"
	"  --kernel-until RE\n"
	"                the line or screen row that ends the kernel's patched boot\n"
	"                (an extended regular expression; default 'init: starting sh')\n"
	"\n"
	"exit status:\n"
	"  0  every experiment ran and the deck is written\n"
	"  1  a run's guest exited with a nonzero status\n"
	"  2  usage or set-up error; nothing ran (bad option, DIR cannot be made,\n"
	"     Graphviz or gnuplot missing, nothing built, QEMU not installed)\n"
	"  3  a guest image was refused (a KERNEL that is no ELF file)\n"
	"  4  a run's guest was stopped before it exited\n"
	"  5  timeout: a run's QEMU was killed\n"
	"  6  no result: a run ended without saying how or reported too little,\n"
	"     or a file could not be written\n"
	"  7  the bare machine disagreed with the architecture in the demo\n"
	"  For 1 to 7 no deck is written: a deck shows only what was measured.\n";

struct slides_options {
	const char *dir;
	const char *lang;		/* --lang, or NULL: the locale's */
	int ring;
	double timeout_s;
	int timeout_given;
	const char *kernel;
	unsigned kernel_mem;
	const char *kernel_until;
};

/* ---- 1. options ---- */

#define usage_error(...)	tv_cli_usage_error("slides", __VA_ARGS__)

static int parse(int argc, char **argv, struct slides_options *o)
{
	memset(o, 0, sizeof(*o));
	o->dir = SLIDES_DIR_DEFAULT;
	o->ring = 1;
	o->timeout_s = SLIDES_TIMEOUT_DEFAULT;
	o->kernel_mem = KERNEL_MEM_DEFAULT;
	o->kernel_until = KERNEL_UNTIL_DEFAULT;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		int r;

		if (tv_cli_is_help(a))
			return TV_CLI_WANTS_HELP;
		if (tv_cli_is_option(a, "-o")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "-o")) || !*v)
				return usage_error("-o needs a DIR");
			o->dir = v;
		} else if (tv_cli_is_option(a, "--lang")) {
			/* Checked with the environment's by tv_i18n_setup(). */
			if (!(v = tv_cli_option_value(argc, argv, &i, "--lang")))
				return usage_error("--lang needs en or nb");
			o->lang = v;
		} else if (tv_cli_is_option(a, "--ring")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--ring")))
				return usage_error("--ring needs a value");
			if (strcmp(v, "1") && strcmp(v, "3"))
				return usage_error("--ring %s: give 1 or 3", v);
			o->ring = v[0] - '0';
		} else if (tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option("slides", argc, argv, &i, &o->timeout_s)))
				return r;
			o->timeout_given = 1;
		} else if (tv_cli_is_option(a, "--kernel")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--kernel")) || !*v)
				return usage_error("--kernel needs a KERNEL file");
			o->kernel = v;
		} else if (tv_cli_is_option(a, "--kernel-mem")) {
			long n;
			if (!(v = tv_cli_option_value(argc, argv, &i, "--kernel-mem")))
				return usage_error("--kernel-mem needs a value");
			if ((n = tv_cli_parse_long(v, TV_MEM_MIB_MIN, TV_MEM_MIB_MAX)) < 0)
				return usage_error("--kernel-mem %s: give whole MiB from %d to %d", v,
						   TV_MEM_MIB_MIN, TV_MEM_MIB_MAX);
			o->kernel_mem = (unsigned)n;
		} else if (tv_cli_is_option(a, "--kernel-until")) {
			regex_t re;
			if (!(v = tv_cli_option_value(argc, argv, &i, "--kernel-until")) || !*v)
				return usage_error("--kernel-until needs a regular expression");
			if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
				return usage_error("--kernel-until %s: not a valid extended "
						   "regular expression", v);
			regfree(&re);
			o->kernel_until = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s' for 'slides'", a);
		} else {
			return usage_error("unexpected argument '%s' for 'slides'", a);
		}
	}
	return 0;
}

/* DIR, made if missing (one level, as mkdir does), and writable. */
static int make_output_dir(const char *dir)
{
	struct stat sb;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		tv_cli_error("-o %s: cannot make the directory: %s", dir, strerror(errno));
		return TV_STATUS_USAGE;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		tv_cli_error("-o %s: not a directory", dir);
		return TV_STATUS_USAGE;
	}
	return 0;
}

/* ---- 2. the experiments ---- */

static int step, nsteps;

static void progress(const char *what)
{
	fprintf(stderr, TV_PROG ": slides: [%d/%d] %s\n", ++step, nsteps, what);
}

/* A failed run's one line; the status to leave with (never 0). */
static int failed(const char *what, int status)
{
	tv_cli_error("slides: %s failed (exit status %d); nothing written", what, status);
	return status ? status : TV_STATUS_NO_RESULT;
}

static int run_demo(struct tv_slides *s)
{
	struct tv_demo_options d = {
		.ring = s->ring, .format = TV_DEMO_TEXT, .mem_mib = TV_MEM_MIB_DEFAULT,
		.timeout_s = s->timeout_s,
	};
	progress(_("the POPF demo: popf_demo on the bare machine and four ways under the "
		 "hypervisor"));
	int status = tv_demo_collect(&d, &s->demo);
	return status ? failed("the POPF demo", status) : 0;
}

static int run_classify(struct tv_slides *s, int umip)
{
	struct tv_classify_config cfg = { .ring = s->ring, .umip = umip, .patch = "none" };
	char note[TV_CLASSIFY_NOTE_MAX];

	progress(umip ? _("classify with UMIP: the sensitive_probe guest, SGDT and friends trapped")
		      : _("classify: every sensitive and privileged instruction of the "
			  "sensitive_probe guest"));
	int status = tv_classify_collect(&cfg, s->timeout_s, umip ? &s->classify_umip : &s->classify,
					 note, sizeof(note));
	if (note[0])
		fprintf(stderr, TV_PROG ": slides: classify: %s\n", note);
	return status ? failed(umip ? "classify --umip" : "classify", status) : 0;
}

/* The counter called what in t, or -1. */
static int64_t counter(const struct tv_bench_table *t, const char *what)
{
	for (size_t i = 0; i < t->ncounters; i++)
		if (strcmp(t->counters[i].what, what) == 0)
			return (int64_t)t->counters[i].count;
	return -1;
}

/* The trap path's parts, as hv/trap_cost.c names its medians. */
static const char *const part_counter[TV_PARTS] = {
	[TV_PART_ENTRY] = "cycles entry switch to hypervisor space median",
	[TV_PART_FETCH] = "cycles instruction fetch median",
	[TV_PART_DECODE] = "cycles decode cache hit median",
	[TV_PART_EMULATE] = "cycles emulation median",
	[TV_PART_WAY_OUT] = "cycles interrupt and frame check median",
	[TV_PART_EXIT] = "cycles exit switch to guest space median",
	[TV_PART_HANDLING] = "cycles handling in hypervisor median",
};

/*
 * The benchmark rows: the native side once for all, then each case's row
 * alone under the hypervisor, so that the run's traps and the
 * hypervisor's medians are that row's.
 */
static int run_bench(struct tv_slides *s)
{
	const char *native_rows[TV_CASES + 1];
	size_t nnative = 0;
	struct tv_bench_table *native = calloc(1, sizeof(*native));
	struct tv_bench_table *hv = calloc(1, sizeof(*hv));
	int status = 0, sig = 0;

	if (!native || !hv) {
		free(native);
		free(hv);
		tv_cli_error("out of memory");
		return TV_STATUS_NO_RESULT;
	}
	for (int c = 0; c < TV_CASES; c++) {
		int seen = 0;
		for (size_t k = 0; k < nnative; k++)
			seen |= strcmp(native_rows[k], s->cases[c].row) == 0;
		if (!seen)
			native_rows[nnative++] = s->cases[c].row;
	}
	native_rows[nnative] = NULL;

	struct tv_bench_run_options ro = { .ring = s->ring, .patch = "none",
					   .timeout_s = s->timeout_s };
	progress(_("bench: the rows natively, on bare QEMU"));
	tv_bench_table_init(native, s->ring, "none");
	status = tv_bench_run(TV_BENCH_NATIVE, &ro, native_rows, native, &sig);
	for (int c = 0; c < TV_CASES && !status && !sig; c++) {
		struct tv_slides_case *k = &s->cases[c];
		const char *rows[2] = { k->row, NULL };
		char what[160];

		/* --direct's system calls bypass the hypervisor in ring 1 only. */
		if (k->direct && s->ring != 1)
			continue;
		snprintf(what, sizeof(what), _("bench: %s under the hypervisor, patch=%s%s"), k->row,
			 k->patch, k->direct ? ", --direct" : "");
		progress(what);
		ro.patch = k->patch;
		ro.direct = k->direct;
		tv_bench_table_init(hv, s->ring, k->patch);
		status = tv_bench_run(TV_BENCH_HV, &ro, rows, hv, &sig);
		const struct tv_bench_row *n = tv_bench_find(native, k->row);
		const struct tv_bench_row *h = tv_bench_find(hv, k->row);
		if (status || sig)
			break;
		if (!n || !h || !tv_bench_has_figures(&n->side[TV_BENCH_NATIVE]) ||
		    !tv_bench_has_figures(&h->side[TV_BENCH_HV])) {
			tv_cli_error("slides: bench: no figures for %s", k->row);
			status = TV_STATUS_NO_RESULT;
			break;
		}
		k->ran = 1;
		k->native = n->side[TV_BENCH_NATIVE];
		k->hv = h->side[TV_BENCH_HV];
		k->traps = counter(hv, "traps");
		if (c == TV_CASE_CLI_NONE)
			for (int p = 0; p < TV_PARTS; p++)
				s->trap.part[p] = counter(hv, part_counter[p]);
	}
	free(native);
	free(hv);
	if (sig) {
		tv_process_reraise(sig);
		return TV_STATUS_NO_RESULT;
	}
	return status ? failed("bench", status) : 0;
}

/* The traced run: its hello line's ring and its first trapped CLI. */
static void on_trace_line(void *ctx, const struct tv_run_line *line)
{
	struct tv_slides_trap *t = ctx;
	const struct tv_event *ev = line->ev;
	const char *insn, *bytes, *action;
	uint64_t v;

	if (line->source != TV_LINE_EVENT)
		return;
	if (ev->kind == TV_EV_HELLO && tv_event_get_u64(ev, "ring", &v) == 0)
		t->ring = (int)v;
	if (t->found || ev->kind != TV_EV_TRAP)
		return;
	insn = tv_event_get(ev, "insn");
	bytes = tv_event_get(ev, "bytes");
	action = tv_event_get(ev, "action");
	if (!insn || strcmp(insn, "cli") != 0 || !bytes || !action ||
	    tv_event_get_u64(ev, "seq", &t->seq) < 0 || tv_event_get_u64(ev, "vec", &t->vec) < 0 ||
	    tv_event_get_u64(ev, "err", &t->err) < 0 || tv_event_get_u64(ev, "eip", &t->eip) < 0)
		return;
	snprintf(t->insn, sizeof(t->insn), "%s", insn);
	snprintf(t->bytes, sizeof(t->bytes), "%s", bytes);
	snprintf(t->action, sizeof(t->action), "%s", action);
	t->found = 1;
}

static int run_trace(struct tv_slides *s)
{
	struct tv_paths paths;
	struct tv_run_config cfg;
	struct tv_run_record rec;
	char guest[PATH_MAX], err[PATH_MAX + 128];
	int status;

	progress(_("one trapped CLI, traced: the sensitive_probe guest with --trace"));
	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, TRACE_GUEST, guest, sizeof(guest), err,
				       sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return status;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = TV_MODE_HV;
	cfg.guest_path = guest;
	cfg.mem_mib = TV_MEM_MIB_DEFAULT;
	cfg.timeout_s = s->timeout_s;
	cfg.hv_path = paths.hv;
	cfg.ring = s->ring;
	cfg.trace = 1;
	cfg.on_line = on_trace_line;
	cfg.ctx = &s->trap;
	s->trap.ring = 0;
	status = tv_run(&cfg, &rec);
	int sig = rec.interrupted_by;
	if (status && rec.message[0])
		tv_cli_error("%s", rec.message);
	tv_run_record_free(&rec);
	if (sig) {
		tv_process_reraise(sig);
		return TV_STATUS_NO_RESULT;
	}
	if (status)
		return failed("the traced run", status);
	if (!s->trap.found || !s->trap.ring) {
		tv_cli_error("slides: the traced run showed no trapped CLI");
		return TV_STATUS_NO_RESULT;
	}
	return 0;
}

/*
 * One run of the teacher's kernel. A timeout is an outcome to show here
 * (a panicking kernel spins for ever), not a failure; a refusal or a run
 * that could not start is. A run ended by its --until, or killed, never
 * sends the hypervisor's counters, so the slide shows no traps.
 */
static int run_kernel(struct tv_slides *s, const char *path, const char *patch, const char *until,
		      struct tv_slides_kernel_run *k)
{
	struct tv_paths paths;
	struct tv_run_config cfg;
	struct tv_run_record rec;

	tv_paths_init(&paths);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = TV_MODE_HV;
	cfg.guest_path = path;
	cfg.mem_mib = s->kernel.mem_mib;
	cfg.timeout_s = s->kernel.timeout_s;
	cfg.hv_path = paths.hv;
	cfg.ring = s->ring;
	cfg.patch = patch;
	cfg.screen = 1;
	cfg.until = until;
	int status = tv_run(&cfg, &rec);
	int sig = rec.interrupted_by;
	k->ran = 1;
	k->end = (int)rec.end;
	k->wall_s = rec.wall_s;
	k->screen = rec.screen;
	snprintf(k->until_line, sizeof(k->until_line), "%s", rec.until_line);
	if (rec.end == TV_END_NONE || rec.end == TV_END_REFUSED)
		tv_cli_error("slides: --kernel %s: %s", path,
			     rec.reason && *rec.reason ? rec.reason : rec.message);
	tv_run_record_free(&rec);
	if (sig) {
		tv_process_reraise(sig);
		return TV_STATUS_NO_RESULT;
	}
	if (k->end == TV_END_NONE || k->end == TV_END_REFUSED)
		return status ? status : TV_STATUS_NO_RESULT;
	return 0;
}

static int run_kernels(struct tv_slides *s, const char *kernel)
{
	char path[PATH_MAX], err[PATH_MAX + 128];
	struct tv_paths paths;
	int status;

	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, kernel, path, sizeof(path), err, sizeof(err)))) {
		tv_cli_error("%s", err);
		return status;
	}
	progress(_("the kernel unpatched (--patch none), until its screen shows a panic"));
	if ((status = run_kernel(s, path, "none", KERNEL_PANIC_RE, &s->kernel.naive)))
		return status;
	progress(_("the kernel patched inline (--patch inline), until its boot ends"));
	return run_kernel(s, path, "inline", s->kernel.until, &s->kernel.patched);
}

/* ---- the command ---- */

int tv_slides_command(int argc, char **argv)
{
	struct slides_options o;
	char err[PATH_MAX + 160];
	int r = parse(argc, argv, &o);

	if (r)
		return r;
	if ((r = tv_i18n_setup(o.lang)) != 0)
		return r;
	if (tv_slides_tools_present(err, sizeof(err)) < 0) {
		tv_cli_error("slides: %s", err);
		return TV_STATUS_USAGE;
	}
	if (o.kernel) {
		char path[PATH_MAX];
		struct tv_paths paths;
		tv_paths_init(&paths);
		/* A missing kernel is a usage error now, not after a minute of runs. */
		if ((r = tv_resolve_guest(&paths, o.kernel, path, sizeof(path), err, sizeof(err)))) {
			tv_cli_error("%s", err);
			return r;
		}
	}
	if ((r = make_output_dir(o.dir)) != 0)
		return r;

	struct tv_slides *s = calloc(1, sizeof(*s));
	if (!s) {
		tv_cli_error("out of memory");
		return TV_STATUS_NO_RESULT;
	}
	tv_slides_init(s, tv_i18n_code(tv_i18n_lang()), o.ring, o.timeout_s);
	if (o.kernel) {
		const char *base = strrchr(o.kernel, '/');
		s->kernel.given = 1;
		s->kernel.mem_mib = o.kernel_mem;
		s->kernel.timeout_s = o.timeout_given ? o.timeout_s : KERNEL_TIMEOUT_DEFAULT;
		snprintf(s->kernel.name, sizeof(s->kernel.name), "%s", base ? base + 1 : o.kernel);
		snprintf(s->kernel.until, sizeof(s->kernel.until), "%s", o.kernel_until);
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(s->started, sizeof(s->started), "%Y-%m-%d %H:%M UTC", &tm);

	double t0 = tv_now();
	step = 0;
	nsteps = 6 + TV_CASES - (o.ring == 1 ? 0 : 1) + (o.kernel ? 2 : 0);
	tv_process_watch_signals();
	if (!(r = run_demo(s)) && !(r = run_classify(s, 0)) && !(r = run_classify(s, 1)) &&
	    !(r = run_bench(s)) && !(r = run_trace(s)) && o.kernel)
		r = run_kernels(s, o.kernel);
	s->wall_s = tv_now() - t0;
	if (r) {
		free(s);
		return r;
	}

	progress(_("writing the pictures, the tables and the deck"));
	if (tv_slides_write_pictures(s, o.dir, err, sizeof(err)) < 0 ||
	    tv_slides_write_tables(s, o.dir, err, sizeof(err)) < 0 ||
	    tv_slides_write_deck(s, o.dir, err, sizeof(err)) < 0) {
		tv_cli_error("slides: %s", err);
		free(s);
		return TV_STATUS_NO_RESULT;
	}
	fprintf(stderr, TV_PROG ": slides: %s/index.html written in %.0f s\n", o.dir, s->wall_s);
	printf("%s/index.html\n", o.dir);
	free(s);
	return 0;
}
