/*
 * tools/bench_table.h: the table `trapvisor bench` prints: the benchmark
 * guest's lines from a native and a hypervisor run, gathered per benchmark
 * and checked for plausibility (bench_table.c), compared against the
 * efficiency targets (bench_judge.c), and written as text, Markdown, CSV or
 * JSON (bench_print.c). Runs on: host.
 *
 * Pure: no QEMU, no processes; the unit tests feed it synthetic lines.
 * The guest's line format is described in guests/bench/bench_main.c:
 *   BENCH-START where=<native|hv> batches=<b>
 *   BENCH name=<id> iterations=<n> median=<cycles> min=<cycles> max=<cycles>
 *   BENCH name=<id> na="<reason>"
 *   BENCH-END
 * Figures are TSC cycles per iteration of the benchmark's loop.
 */
#ifndef TV_TOOLS_BENCH_TABLE_H
#define TV_TOOLS_BENCH_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TV_BENCH_ROWS_MAX	32
#define TV_BENCH_NAME_MAX	40
#define TV_BENCH_REASON_MAX	160
#define TV_BENCH_COUNTERS_MAX	32
#define TV_BENCH_WHAT_MAX	64
#define TV_BENCH_TARGETS_MAX	20

enum tv_bench_side {
	TV_BENCH_NATIVE,	/* bare QEMU: the reference */
	TV_BENCH_HV,		/* deprivileged under the hypervisor */
	TV_BENCH_SIDES,
};

enum tv_bench_format {
	TV_BENCH_TEXT,
	TV_BENCH_MD,
	TV_BENCH_CSV,
	TV_BENCH_JSON,
};

/* One benchmark as one run reported it. */
struct tv_bench_figures {
	int present;			/* a BENCH line for it arrived */
	int na;				/* the line said n/a; the numbers below are 0 */
	char na_reason[TV_BENCH_REASON_MAX];
	uint64_t iterations;		/* per batch */
	uint64_t median, min, max;	/* cycles per iteration, over the batches */
};

struct tv_bench_row {
	char name[TV_BENCH_NAME_MAX];
	struct tv_bench_figures side[TV_BENCH_SIDES];
};

/* One of the hypervisor's own `tv:stat what="..." count=N` counters. */
struct tv_bench_counter {
	char what[TV_BENCH_WHAT_MAX];
	uint64_t count;
};

struct tv_bench_table {
	int ring;			/* the hypervisor run's ring */
	char patch[16];			/* the hypervisor run's patch mode */
	int direct;			/* it ran with direct=1 (set after init) */
	int started[TV_BENCH_SIDES];	/* BENCH-START seen */
	int ended[TV_BENCH_SIDES];	/* BENCH-END seen */
	uint64_t batches[TV_BENCH_SIDES];
	struct tv_bench_row rows[TV_BENCH_ROWS_MAX];	/* in order of first appearance */
	size_t nrows;
	struct tv_bench_counter counters[TV_BENCH_COUNTERS_MAX];
	size_t ncounters;
};

/* What one line of guest output was. */
enum tv_bench_line_kind {
	TV_BENCH_LINE_OTHER,		/* not a BENCH line: ignored */
	TV_BENCH_LINE_START,
	TV_BENCH_LINE_RESULT,		/* figures, or n/a */
	TV_BENCH_LINE_END,
	TV_BENCH_LINE_MALFORMED,	/* starts with BENCH but breaks the format */
};

struct tv_bench_line {
	enum tv_bench_line_kind kind;
	char name[TV_BENCH_NAME_MAX];	/* RESULT */
	struct tv_bench_figures fig;	/* RESULT */
	char where[16];			/* START */
	uint64_t batches;		/* START */
};

/*
 * Parse one line of the guest's output (len bytes, no line ending). For
 * TV_BENCH_LINE_MALFORMED a one-line reason goes to err.
 */
enum tv_bench_line_kind tv_bench_parse_line(const char *line, size_t len,
					    struct tv_bench_line *out, char *err, size_t errlen);

void tv_bench_table_init(struct tv_bench_table *t, int ring, const char *patch);

/*
 * Add one line of the guest's output from one side. Returns the line's
 * kind; TV_BENCH_LINE_MALFORMED also for a benchmark reported twice by one
 * side or a table that is full, with the reason in err.
 */
enum tv_bench_line_kind tv_bench_table_add_line(struct tv_bench_table *t, enum tv_bench_side side,
						const char *line, size_t len,
						char *err, size_t errlen);

/*
 * Whether a hypervisor counter is worth showing beside the figures: the
 * trap-path cycle counters (what= starting with "cycles"), the decode
 * cache's hits and misses, and the total of traps.
 */
int tv_bench_counter_wanted(const char *what);

/* Keep a counter (if wanted and there is room); returns 1 if kept. */
int tv_bench_table_add_counter(struct tv_bench_table *t, const char *what, uint64_t count);

/* Whether any kept counter is a trap-path cycle counter. */
int tv_bench_has_cycle_counters(const struct tv_bench_table *t);

/*
 * Whether the table is complete and plausible: both runs started and ended,
 * at least one benchmark, every benchmark reported by both sides, and every
 * figure positive with min <= median <= max. Returns 0, or -1 with a one-line
 * reason in err.
 */
int tv_bench_table_check(const struct tv_bench_table *t, char *err, size_t errlen);

/* The row called name, or NULL. */
const struct tv_bench_row *tv_bench_find(const struct tv_bench_table *t, const char *name);

/*
 * Add a row made from other runs' figures (the inline patch mode's rows:
 * the native run's figures for a benchmark beside those of an extra run
 * under the hypervisor). Returns 0, or -1 if the name is taken or the
 * table is full.
 */
int tv_bench_table_add_row(struct tv_bench_table *t, const char *name,
			   const struct tv_bench_figures *native, const struct tv_bench_figures *hv);

/* ---- bench_judge.c: the ratios and the targets ---- */

/* Whether a side reported figures (not n/a, not missing). */
int tv_bench_has_figures(const struct tv_bench_figures *f);

/* hv median / native median into *ratio; -1 if either side lacks figures. */
int tv_bench_ratio(const struct tv_bench_row *row, double *ratio);

enum tv_bench_verdict {
	TV_BENCH_MET,
	TV_BENCH_NOT_MET,
	TV_BENCH_UNKNOWN,	/* a figure it needs is missing or n/a */
};

/*
 * An efficiency target: measured <= limit. Targets are shown beside the
 * figures and never change the program's exit status.
 */
struct tv_bench_target {
	const char *row;		/* the benchmark it judges */
	const char *measure;		/* what `measured` is, in words */
	const char *limit_rule;		/* how `limit` is found, in words */
	double measured;
	double limit;
	enum tv_bench_verdict verdict;
};

/* Fill out[] with the targets (at most max); returns how many. */
size_t tv_bench_targets(const struct tv_bench_table *t, struct tv_bench_target *out, size_t max);

/* "met", "not met", "unknown". */
const char *tv_bench_verdict_name(enum tv_bench_verdict v);

/* ---- bench_print.c: the formats ---- */

/* "text", "md", "csv", "json" -> *fmt and 0; -1 for anything else. */
int tv_bench_format_from_name(const char *name, enum tv_bench_format *fmt);

/* Write the whole table (figures, targets, counters) in the given format. */
void tv_bench_print(FILE *out, const struct tv_bench_table *t, enum tv_bench_format fmt);

#endif
