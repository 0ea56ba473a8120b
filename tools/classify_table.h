/*
 * tools/classify_table.h: the results of `trapvisor classify` and how they
 * are shown. Runs on: host.
 *
 * classify runs the sensitive_probe guest on the bare machine and under the
 * hypervisor and, per instruction of the probe's catalog, decides whether it
 * trapped and whether the guest saw what it sees on the bare machine. This
 * file holds everything about that which needs no QEMU:
 *   1. reading the probe's PROBE and PROBE-END lines (their rules are at the
 *      top of guests/sensitive_probe/probe_main.c);
 *   2. one run's rows and trap addresses, and which row a stop belongs to
 *      (1 and 2: tools/classify_table.c);
 *   3. the comparison and the verdict of each row (tools/classify_verdict.c);
 *   4. the table as text, markdown, CSV or JSON, and the matrix of verdicts
 *      across hypervisor configurations (tools/classify_print.c).
 * All of it is pure, so the unit tests drive it with made-up runs.
 */
#ifndef TV_TOOLS_CLASSIFY_TABLE_H
#define TV_TOOLS_CLASSIFY_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TV_CLASSIFY_ROWS_MAX		64
#define TV_CLASSIFY_NAME_MAX		32
#define TV_CLASSIFY_CATEGORY_MAX	16
#define TV_CLASSIFY_BYTES_MAX		31	/* 15 bytes in hex, and the NUL */
#define TV_CLASSIFY_OBSERVED_MAX	192
#define TV_CLASSIFY_INSN_MAX		48
#define TV_CLASSIFY_TRAPS_MAX		8192	/* trap addresses kept per run */
#define TV_CLASSIFY_NOTE_MAX		160

/* ---- 1. the probe's lines ---- */

enum tv_probe_line_kind {
	TV_PROBE_LINE_OTHER,		/* not the probe's report */
	TV_PROBE_LINE_ROW,		/* PROBE name=... */
	TV_PROBE_LINE_END,		/* PROBE-END count=N */
	TV_PROBE_LINE_MALFORMED,	/* starts like a report line but breaks its rules */
};

struct tv_probe_line {
	char name[TV_CLASSIFY_NAME_MAX];
	char category[TV_CLASSIFY_CATEGORY_MAX];	/* privileged, sensitive, innocuous */
	uint32_t la;			/* the instruction's address */
	unsigned len;			/* its length in bytes (1..15) */
	char bytes[TV_CLASSIFY_BYTES_MAX];	/* as they were in memory when it ran */
	char observed[TV_CLASSIFY_OBSERVED_MAX];
	int skipped;			/* observed="skipped" */
	int effect_checked;		/* effect=checked: observed would show a no-op */
	unsigned count;			/* PROBE-END only */
};

/*
 * Parse one guest line. Text from the guest is checked character by
 * character: names are [a-z0-9_], bytes hex, observed printable without
 * quotes. Anything else starting with "PROBE" is MALFORMED.
 */
enum tv_probe_line_kind tv_probe_parse_line(const char *s, size_t len, struct tv_probe_line *out);

/* ---- 2. one run ---- */

struct tv_probe_run {
	struct tv_probe_line row[TV_CLASSIFY_ROWS_MAX];
	size_t nrows;
	int end_seen;			/* PROBE-END arrived */
	unsigned end_count;
	size_t nmalformed;
	uint32_t trap_eip[TV_CLASSIFY_TRAPS_MAX];	/* hv runs: every trap's EIP */
	size_t ntraps;
	size_t traps_dropped;		/* beyond TV_CLASSIFY_TRAPS_MAX */
	int stop_eip_known;		/* a trap line with action=stop arrived */
	uint32_t stop_eip;
};

void tv_probe_run_init(struct tv_probe_run *run);
/* Add a parsed line: ROW and END count; MALFORMED is counted; OTHER ignored. */
void tv_probe_run_add_line(struct tv_probe_run *run, enum tv_probe_line_kind kind,
			   const struct tv_probe_line *line);
/* Add one `trap` line's EIP; stop: its action was `stop`. */
void tv_probe_run_add_trap(struct tv_probe_run *run, uint32_t eip, int stop);

/* The row named name, or NULL. */
const struct tv_probe_line *tv_probe_run_find(const struct tv_probe_run *run, const char *name);

/* A trap was taken at the instruction [la, la + len): its EIP lies inside. */
int tv_probe_trapped(const struct tv_probe_run *run, uint32_t la, unsigned len);

/*
 * The run complete: PROBE-END arrived and counted as many rows as arrived,
 * and as many as the reference (the bare machine's run) has, if given.
 */
int tv_probe_run_complete(const struct tv_probe_run *run, const struct tv_probe_run *reference);

/*
 * The hypervisor stopped the guest in `stopped`: which row of `reference`
 * (the bare machine's complete run, whose rows run in the same order) was
 * running? The row whose instruction holds the stop's EIP, if known; else
 * the first row of the reference that `stopped` did not report (the stop
 * came in that row's set-up). Returns its index in reference->row, or -1.
 */
int tv_classify_stopped_row(const struct tv_probe_run *reference,
			    const struct tv_probe_run *stopped);

/* ---- 3. the comparison ---- */

enum tv_verdict {
	TV_VERDICT_HOLDS,		/* trapped and equal; or innocuous, untrapped and equal;
					 * in both cases with the effect checked */
	TV_VERDICT_SILENT,		/* not trapped, and the guest saw something else */
	TV_VERDICT_TRAPPED_DIFFERS,	/* trapped, but emulated into something else */
	TV_VERDICT_SILENT_EQUAL,	/* not trapped, a catalogued sensitive or privileged
					 * instruction, yet equal in this run */
	TV_VERDICT_TRAPPED_UNCHECKED,	/* trapped and equal, but the probe does not observe
					 * the effect: equal says nothing of the emulation */
	TV_VERDICT_UNTRAPPED_UNCHECKED,	/* the same, not trapped */
	TV_VERDICT_STOPPED,		/* the hypervisor stopped the guest at it */
	TV_VERDICT_NO_RESULT,		/* a run did not report the row */
};

/*
 * The verdict for a row of `category`, from what the runs showed.
 * effect_checked: the row's observation would show an instruction that did
 * nothing (the PROBE line's effect=checked); without it, equal proves
 * nothing and the row never "holds".
 */
enum tv_verdict tv_classify_verdict(const char *category, int effect_checked, int present,
				    int stopped, int trapped, int equal);

/* "trap-and-emulate holds", ... (the column), and a short form for the matrix. */
const char *tv_verdict_name(enum tv_verdict v);
const char *tv_verdict_short(enum tv_verdict v);

/* One instruction's row of the table. */
struct tv_classify_row {
	char name[TV_CLASSIFY_NAME_MAX];
	char category[TV_CLASSIFY_CATEGORY_MAX];
	uint32_t la;
	unsigned len;
	char bytes[TV_CLASSIFY_BYTES_MAX];	/* the bare machine's (unpatched) bytes */
	char insn[TV_CLASSIFY_INSN_MAX];	/* the host's Capstone, Intel syntax */
	int capstone_privileged;		/* in X86_GRP_PRIVILEGE; -1 unknown */
	char native[TV_CLASSIFY_OBSERVED_MAX];	/* observed on the bare machine */
	char virt[TV_CLASSIFY_OBSERVED_MAX];	/* observed under the hypervisor */
	int present;				/* both runs reported it */
	int stopped;				/* the hypervisor stopped the guest at it */
	char stop_reason[TV_CLASSIFY_NOTE_MAX];
	int effect_checked;			/* the bare machine's PROBE line said effect=checked */
	int trapped;
	int equal;
	int patched;				/* the hypervisor's bytes differ (patching) */
	enum tv_verdict verdict;
};

/* The configuration of the hypervisor runs. */
struct tv_classify_config {
	int ring;			/* 1 or 3 */
	int umip;			/* CR4.UMIP set by the hypervisor */
	const char *patch;		/* "none", "popf", "all" */
};

struct tv_classify_table {
	struct tv_classify_config config;
	struct tv_classify_row row[TV_CLASSIFY_ROWS_MAX];
	size_t nrows;
};

/*
 * Fill the table from the bare machine's run and the hypervisor's final
 * run (made with the stopped rows skipped, as was the bare machine's run
 * given here). stopped[i] names a stopped row and reason[i] says why.
 * Capstone's columns are left empty (capstone_privileged -1) for the
 * caller to fill.
 */
void tv_classify_build(struct tv_classify_table *t, const struct tv_classify_config *config,
		       const struct tv_probe_run *native, const struct tv_probe_run *virt,
		       const char *const *stopped, const char *const *reason, size_t nstopped);

/* Recompute every row's verdict (after the caller changed a column). */
void tv_classify_decide(struct tv_classify_table *t);

/* ---- 4. the formats ---- */

enum tv_classify_format { TV_CLASSIFY_TEXT, TV_CLASSIFY_MARKDOWN, TV_CLASSIFY_CSV,
			  TV_CLASSIFY_JSON };

/* "text", "md" (or "markdown"), "csv", "json"; -1 for anything else. */
int tv_classify_format_from_name(const char *name);

/* "ring 1, UMIP off, patch=none" */
void tv_classify_config_name(const struct tv_classify_config *c, char *buf, size_t len);

/*
 * The table. CSV's header is
 * instruction,category,capstone_privileged,trapped,equal_to_native,verdict,
 * followed by name,la,bytes,native,virtualized,note.
 */
void tv_classify_print(FILE *f, const struct tv_classify_table *t, enum tv_classify_format fmt);

/* The matrix: one column per configuration; a refused one has a note instead. */
#define TV_CLASSIFY_CONFIGS_MAX	8
struct tv_classify_matrix {
	struct tv_classify_table table[TV_CLASSIFY_CONFIGS_MAX];
	int ran[TV_CLASSIFY_CONFIGS_MAX];		/* the table holds results */
	char note[TV_CLASSIFY_CONFIGS_MAX][TV_CLASSIFY_NOTE_MAX];	/* why not */
	size_t nconfigs;
};

void tv_classify_print_matrix(FILE *f, const struct tv_classify_matrix *m,
			      enum tv_classify_format fmt);

#endif
