/*
 * tools/bench.c: `trapvisor bench`: boot the benchmark guest natively, then
 * under the hypervisor, and print the two sets of figures side by side.
 * Runs on: host.
 *
 * 1. Parse the options (tools/bench.h has them).
 * 2. Run guests/bench twice through tv_run(), telling the guest on its
 *    command line where it runs (`native` or `hv`); show progress on stderr.
 * 3. Unless the hypervisor run was already one, an extra run under the
 *    inline patch mode (with --direct if given) for cli_sti, pushf_popf,
 *    divide_error and int80_round_trip alone: their rows cli_sti_inline,
 *    pushf_popf_inline, divide_error_inline and int80_round_trip_inline,
 *    beside the native figures. The last two are the guest kernel's own
 *    gates and IRETs, which the inline mode runs on the CPU (the IRET, and
 *    with --direct in ring 1 the gate too).
 * 4. Gather its BENCH lines and the hypervisor's counters into a
 *    tv_bench_table, check that every figure is there and plausible, and
 *    print it (tools/bench_table.h).
 * Both runs use the same QEMU, the same guest memory and TCG, so the only
 * difference between the columns is the hypervisor.
 */
#include "tools/bench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench_table.h"
#include "tools/cli_args.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/process.h"
#include "tools/run.h"

#define BENCH_GUEST	"bench"

struct bench_options {
	int ring;
	const char *patch;
	int direct;
	enum tv_bench_format format;
	double timeout_s;
};

const char tv_bench_help[] =
	"The bench guest runs natively on bare QEMU and deprivileged under the\n"
	"hypervisor (and once more for the inline patch mode's rows). For each nanobenchmark the table shows its cost in TSC cycles per\n"
	"iteration on both sides (median, min and max over the guest's batches) and\n"
	"the ratio hv/native of the medians; then the efficiency targets, each with\n"
	"met or not met (shown, never enforced), and the hypervisor's own counters.\n"
	"Progress goes to stderr, the table to stdout. docs/benchmarks.md says what\n"
	"each benchmark measures.\n"
	"\n"
	"options:\n"
	"  --ring R      the ring the guest kernel runs in under the hypervisor:\n"
	"                1 (the default) or 3\n"
	"  --patch P     none (the default): sensitive unprivileged instructions run\n"
	"                as they are; popf: the hypervisor first rewrites POPF and\n"
	"                PUSHF in the guest to trap, so they are emulated too;\n"
	"                inline: it rewrites them and CLI and STI into patch code\n"
	"                that runs without a trap. Unless it is inline, a third run\n"
	"                under patch=inline gives the rows cli_sti_inline,\n"
	"                pushf_popf_inline, divide_error_inline and\n"
	"                int80_round_trip_inline\n"
	"  --direct      the hypervisor's fast paths: the guest reads its local\n"
	"                APIC without trapping and, in ring 1, its user-mode system\n"
	"                calls through DPL-3 trap gates reach its handler directly\n"
	"  --format F    text (the default), md, csv or json\n"
	"  --timeout S   give up on each run after S seconds and kill QEMU\n"
	"                (default 30)\n"
	"\n"
	"exit status (a target not met is a finding, not an error):\n"
	"  0  both runs completed and every figure is present and plausible\n"
	"  1  a run's guest exited with a nonzero status\n"
	"  2  usage or set-up error; nothing ran\n"
	"  3  the guest image was refused\n"
	"  4  the guest was stopped before it exited\n"
	"  5  timeout: QEMU was killed\n"
	"  6  no result: the hypervisor panicked, QEMU ended without saying how, or\n"
	"     the guest's figures are missing or implausible (zero, or not\n"
	"     min <= median <= max)\n";

static const char *const side_words[TV_BENCH_SIDES] = { "native", "hv" };

/* A usage error here points at bench's own help. */
#define usage_error(...)	tv_cli_usage_error("bench", __VA_ARGS__)

static int parse_bench_options(int argc, char **argv, struct bench_options *o)
{
	o->ring = 1;
	o->patch = "none";
	o->direct = 0;
	o->format = TV_BENCH_TEXT;
	o->timeout_s = TV_TIMEOUT_DEFAULT_S;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		int r;

		if (tv_cli_is_help(a))
			return TV_CLI_WANTS_HELP;
		if (tv_cli_is_option(a, "--ring")) {
			if ((r = tv_cli_ring_option("bench", argc, argv, &i, &o->ring)))
				return r;
		} else if (tv_cli_is_option(a, "--patch")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--patch")))
				return usage_error("--patch needs a value");
			if (strcmp(v, "none") != 0 && strcmp(v, "popf") != 0 &&
			    strcmp(v, "inline") != 0)
				return usage_error("--patch %s: give none, popf or inline", v);
			o->patch = v;
		} else if (strcmp(a, "--direct") == 0) {
			o->direct = 1;
		} else if (tv_cli_is_option(a, "--format")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--format")))
				return usage_error("--format needs a value");
			if (tv_bench_format_from_name(v, &o->format) < 0)
				return usage_error("--format %s: give text, md, csv or json", v);
		} else if (tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option("bench", argc, argv, &i, &o->timeout_s)))
				return r;
		} else {
			return tv_cli_word_refused("bench", a);
		}
	}
	return 0;
}

/* Progress: one stderr line per benchmark as its figures arrive. */
static void bench_progress(void *ctx, const struct tv_run_line *line)
{
	const char *side = ctx;
	struct tv_bench_line l;

	if (line->source == TV_LINE_QEMU) {
		fprintf(stderr, "qemu| %.*s\n", (int)line->raw_len, line->raw);
		return;
	}
	if (line->source != TV_LINE_GUEST ||
	    tv_bench_parse_line(line->text, line->text_len, &l, NULL, 0) != TV_BENCH_LINE_RESULT)
		return;
	if (l.fig.na)
		fprintf(stderr, "bench: %-6s %-18s n/a\n", side, l.name);
	else
		fprintf(stderr, "bench: %-6s %-18s %llu cycles\n", side, l.name,
			(unsigned long long)l.fig.median);
}

static int bench_run_rows(enum tv_bench_side side, const struct bench_options *o,
			  const struct tv_paths *paths, const char *guest_path,
			  struct tv_bench_table *t, const char *const *rows, int *signal_out);

/*
 * Run the guest on one side and add what it printed to the table. Returns
 * 0, or the exit status to leave with after saying why on stderr. A signal
 * that cut the run short is passed back in *signal_out.
 */
static int bench_run_side(enum tv_bench_side side, const struct bench_options *o,
			  const struct tv_paths *paths, const char *guest_path,
			  struct tv_bench_table *t, int *signal_out)
{
	return bench_run_rows(side, o, paths, guest_path, t, NULL, signal_out);
}

/* bench_run_side for the rows named in rows (NULL-terminated) alone; all of them when rows is NULL. */
static int bench_run_rows(enum tv_bench_side side, const struct bench_options *o,
			  const struct tv_paths *paths, const char *guest_path,
			  struct tv_bench_table *t, const char *const *rows, int *signal_out)
{
	struct tv_run_config cfg;
	struct tv_run_record rec;
	char *guest_argv[8] = { (char *)side_words[side] };
	int guest_argc = 1;
	char err[256];
	int status = 0;

	for (; rows && rows[guest_argc - 1] && guest_argc < 8; guest_argc++)
		guest_argv[guest_argc] = (char *)rows[guest_argc - 1];

	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = side == TV_BENCH_NATIVE ? TV_MODE_NATIVE : TV_MODE_HV;
	cfg.guest_path = guest_path;
	cfg.guest_argv = guest_argv;
	cfg.guest_argc = guest_argc;
	cfg.mem_mib = TV_MEM_MIB_DEFAULT;
	cfg.timeout_s = o->timeout_s;
	cfg.hv_path = paths->hv;
	cfg.ring = o->ring;
	cfg.trace = 0;
	cfg.patch = o->patch;
	cfg.direct = o->direct;
	cfg.on_line = bench_progress;
	cfg.ctx = (void *)side_words[side];

	fprintf(stderr, "bench: %s run: %s%s%s\n", side_words[side],
		side == TV_BENCH_NATIVE ? "bare QEMU" : "deprivileged under the hypervisor",
		rows ? ", patch " : "", rows ? o->patch : "");
	int host_status = tv_run(&cfg, &rec);
	*signal_out = rec.interrupted_by;

	if (rec.end == TV_END_NONE) {
		tv_cli_error("%s", rec.message);
		status = host_status;
	} else if (rec.end != TV_END_GUEST || rec.guest_status != 0) {
		fprintf(stderr, TV_PROG ": bench: the %s run failed: %s", side_words[side],
			tv_end_name(rec.end));
		if (rec.end == TV_END_GUEST)
			fprintf(stderr, " with status %lld", (long long)rec.guest_status);
		if (rec.reason)
			fprintf(stderr, " (%s)", rec.reason);
		else if (rec.message[0])
			fprintf(stderr, " (%s)", rec.message);
		fputc('\n', stderr);
		status = host_status ? host_status : TV_STATUS_NO_RESULT;
	}
	if (status) {
		tv_run_record_free(&rec);
		return status;
	}

	for (size_t i = 0; i < rec.nguest_lines && !status; i++) {
		if (tv_bench_table_add_line(t, side, rec.guest_lines[i].s, rec.guest_lines[i].len,
					    err, sizeof(err)) == TV_BENCH_LINE_MALFORMED) {
			fprintf(stderr, TV_PROG ": bench: the %s run's output: %s\n",
				side_words[side], err);
			status = TV_STATUS_NO_RESULT;
		}
	}
	if (side == TV_BENCH_HV && !status) {
		const char *patch = rec.hello ? tv_event_get(rec.hello, "patch") : NULL;
		/* An older hypervisor does not say; one that does must agree. */
		if (patch && strcmp(patch, o->patch) != 0) {
			fprintf(stderr, TV_PROG ": bench: asked for patch %s, the hypervisor ran "
				"with patch %s\n", o->patch, patch);
			status = TV_STATUS_NO_RESULT;
		}
		for (size_t i = 0; i < rec.nevents; i++) {
			const struct tv_event *ev = &rec.events[i];
			const char *what = tv_event_get(ev, "what");
			uint64_t count;
			if (ev->kind == TV_EV_STAT && what &&
			    tv_event_get_u64(ev, "count", &count) == 0)
				tv_bench_table_add_counter(t, what, count);
		}
	}
	tv_run_record_free(&rec);
	return status;
}

/*
 * The inline patch mode's rows: cli_sti, pushf_popf, divide_error and
 * int80_round_trip run once more under patch=inline (and --direct if the
 * main run had it), each beside the native run's figures for the same loop.
 */
static int bench_inline_rows(const struct bench_options *o, const struct tv_paths *paths,
			     const char *guest_path, struct tv_bench_table *t, int *signal_out)
{
	static const char *const rows[] = { "cli_sti", "pushf_popf", "divide_error",
					    "int80_round_trip", NULL };
	struct bench_options inline_o = *o;
	struct tv_bench_table *extra = malloc(sizeof(*extra));
	int status;

	if (!extra) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	inline_o.patch = "inline";
	tv_bench_table_init(extra, o->ring, "inline");
	status = bench_run_rows(TV_BENCH_HV, &inline_o, paths, guest_path, extra, rows, signal_out);
	for (size_t i = 0; !status && !*signal_out && rows[i]; i++) {
		const struct tv_bench_row *native = tv_bench_find(t, rows[i]);
		const struct tv_bench_row *hv = tv_bench_find(extra, rows[i]);
		char name[TV_BENCH_NAME_MAX];
		snprintf(name, sizeof(name), "%s_inline", rows[i]);
		if (!native || !hv || !extra->ended[TV_BENCH_HV] ||
		    tv_bench_table_add_row(t, name, &native->side[TV_BENCH_NATIVE],
					   &hv->side[TV_BENCH_HV]) < 0) {
			fprintf(stderr, TV_PROG ": bench: the patch=inline run gave no %s\n",
				rows[i]);
			status = TV_STATUS_NO_RESULT;
		}
	}
	free(extra);
	return status;
}

int tv_bench_run(enum tv_bench_side side, const struct tv_bench_run_options *ro,
		 const char *const *rows, struct tv_bench_table *t, int *signal_out)
{
	struct bench_options o = {
		.ring = ro->ring, .patch = ro->patch, .direct = ro->direct,
		.format = TV_BENCH_TEXT, .timeout_s = ro->timeout_s,
	};
	struct tv_paths paths;
	char guest_path[PATH_MAX], err[PATH_MAX + 128];
	int status;

	*signal_out = 0;
	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, BENCH_GUEST, guest_path, sizeof(guest_path), err,
			     sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return status;
	}
	tv_process_watch_signals();
	return bench_run_rows(side, &o, &paths, guest_path, t, rows, signal_out);
}

int tv_bench_command(int argc, char **argv)
{
	struct bench_options o;
	struct tv_paths paths;
	struct tv_bench_table *table;
	char guest_path[PATH_MAX], err[PATH_MAX + 128];
	int status = 0, sig = 0;

	int r = parse_bench_options(argc, argv, &o);
	if (r)
		return r;

	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, BENCH_GUEST, guest_path, sizeof(guest_path), err,
			     sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return status;
	}
	table = malloc(sizeof(*table));
	if (!table) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	tv_bench_table_init(table, o.ring, o.patch);
	table->direct = o.direct;

	tv_process_watch_signals();
	for (int side = 0; side < TV_BENCH_SIDES && !status && !sig; side++)
		status = bench_run_side((enum tv_bench_side)side, &o, &paths, guest_path, table,
					&sig);
	if (!status && !sig && strcmp(o.patch, "inline") != 0)
		status = bench_inline_rows(&o, &paths, guest_path, table, &sig);
	if (sig) {
		free(table);
		tv_process_reraise(sig);
		return TV_STATUS_NO_RESULT;
	}
	if (!status && tv_bench_table_check(table, err, sizeof(err)) < 0) {
		fprintf(stderr, TV_PROG ": bench: %s\n", err);
		status = TV_STATUS_NO_RESULT;
	}
	if (!status)
		tv_bench_print(stdout, table, o.format);
	free(table);
	return status;
}
