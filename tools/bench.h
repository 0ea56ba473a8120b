/*
 * tools/bench.h: the `trapvisor bench` subcommand: the benchmark guest
 * (guests/bench) run natively and under the hypervisor in one go, and the
 * cost of deprivileging per instruction compared side by side.
 * Runs on: host.
 *
 * main.c's command table calls tv_bench_command() with the words after
 * `bench`; the synopsis, summary and help text live here and in bench.c so
 * the command is described in one place.
 */
#ifndef TV_TOOLS_BENCH_H
#define TV_TOOLS_BENCH_H

#include "tools/bench_table.h"

#define TV_BENCH_SYNOPSIS \
	"bench [--ring 1|3] [--patch none|popf|inline] [--direct] [--format text|md|csv|json]\n" \
	"            [--timeout S]"

#define TV_BENCH_SUMMARY \
	"Measure what deprivileging costs: the bench guest's nanobenchmarks natively\n" \
	"and under the hypervisor, side by side, with the efficiency targets."

/* What `trapvisor help bench` adds to the synopsis: options and exit statuses. */
extern const char tv_bench_help[];

/*
 * Run the subcommand; returns the program's exit status (lib/exit_status.h),
 * or TV_CLI_WANTS_HELP (tools/cli_args.h) for -h or --help.
 */
int tv_bench_command(int argc, char **argv);

/* How tv_bench_run() runs the guest under the hypervisor. */
struct tv_bench_run_options {
	int ring;
	const char *patch;		/* none, popf or inline */
	int direct;
	double timeout_s;
};

/*
 * One run of the bench guest on one side, for a command that shows the
 * figures otherwise (slides): only the rows named in rows (NULL-terminated;
 * NULL for all), their figures and, under the hypervisor, its counters
 * added to t (progress on stderr). Returns 0, or the exit status `bench`
 * would leave with after saying why; a signal that cut the run short is
 * passed back in *signal_out.
 */
int tv_bench_run(enum tv_bench_side side, const struct tv_bench_run_options *ro,
		 const char *const *rows, struct tv_bench_table *t, int *signal_out);

#endif
