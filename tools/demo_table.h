/*
 * tools/demo_table.h: the results of `trapvisor demo` and how they are
 * shown. Runs on: host.
 *
 * The demo runs the popf_demo guest five ways (bare machine,
 * trap-and-emulate, patched, patched inline, paravirtualized) and compares what each run observed with what
 * the bare-machine run observed. This file holds everything about that which
 * needs no QEMU:
 *   1. reading the guest's report lines (DEMO-BEGIN, SAY, DEMO-RESULT, ...;
 *      their rules are at the top of guests/popf_demo/popf_demo_main.c);
 *   2. the comparison: is a cell equal to the bare machine, does the bare
 *      machine agree with the architecture;
 *   3. the narrative that explains the differences this run showed;
 *   4. the table as text, markdown or JSON, and the demo's exit status.
 * All of it is pure, so the unit tests drive it with made-up results.
 */
#ifndef TV_TOOLS_DEMO_TABLE_H
#define TV_TOOLS_DEMO_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The five runs, in the order they run and the columns appear. */
enum tv_demo_run_id {
	TV_DEMO_BARE,		/* the guest booted directly by QEMU: the reference */
	TV_DEMO_TRAP_EMULATE,	/* under the hypervisor in ring 1, nothing patched */
	TV_DEMO_PATCHED,	/* under the hypervisor in ring 1, patch=all */
	TV_DEMO_INLINE,		/* ring 1, patch=inline: patch code, no traps */
	TV_DEMO_PARAVIRT,	/* ring 1, patch=none, the guest asks by hypercall */
	TV_DEMO_RUNS,
};

#define TV_DEMO_EXPERIMENTS_MAX	16
#define TV_DEMO_NAME_MAX	48
#define TV_DEMO_CATEGORY_MAX	48
#define TV_DEMO_TITLE_MAX	96
#define TV_DEMO_DETAIL_MAX	128
#define TV_DEMO_MESSAGE_MAX	512	/* as struct tv_run_record's message */
#define TV_DEMO_INSNS_MAX	32

/* What one run reported for one experiment. */
struct tv_demo_cell {
	int present;				/* its DEMO-RESULT line arrived */
	char bare[TV_DEMO_CATEGORY_MAX];	/* the guest's claim of the bare machine */
	char observed[TV_DEMO_CATEGORY_MAX];	/* what this run saw */
	char detail[TV_DEMO_DETAIL_MAX];	/* the numbers behind it */
};

struct tv_demo_experiment {
	char name[TV_DEMO_NAME_MAX];		/* "popf_clears_if" */
	char title[TV_DEMO_TITLE_MAX];		/* "POPF turns interrupts off" */
	struct tv_demo_cell cell[TV_DEMO_RUNS];
};

/* Traps of one instruction, from the hypervisor's `stat insn=...` lines. */
struct tv_demo_insn_count {
	char insn[32];
	uint64_t count;
};

struct tv_demo_run {
	/* Fixed by tv_demo_results_init(). */
	const char *key;	/* JSON key: "bare", "trap_and_emulate", "patched", "inline", "paravirt" */
	const char *title;	/* column heading: "bare machine", ... (English; _() shows it) */
	const char *how;	/* "native QEMU", "ring 1, patch=none", ... (English, as title) */
	const char *mode;	/* "native" or "hv" */
	int ring;		/* 0 for the bare machine */
	const char *patch;	/* the hypervisor's patch= option; NULL natively */
	const char *guest_word;	/* a word for the guest's command line ("paravirt"), or NULL */

	/* Filled as the run is read. */
	int ran;		/* tv_run() was called and returned */
	int host_status;	/* lib/exit_status.h, as for `trapvisor run` */
	char end[64];		/* how it ended, in words */
	int64_t guest_status;	/* -1 when the guest did not exit */
	char message[TV_DEMO_MESSAGE_MAX];	/* the host's explanation, if any */
	double wall_s;
	int64_t traps;		/* all traps; -1 when unknown (and natively) */
	struct tv_demo_insn_count insn[TV_DEMO_INSNS_MAX];
	size_t ninsn;
	int summary_seen;	/* the guest's SUMMARY line arrived */
	size_t nmalformed;	/* DEMO- lines that did not parse */
};

struct tv_demo_results {
	struct tv_demo_run run[TV_DEMO_RUNS];
	struct tv_demo_experiment exp[TV_DEMO_EXPERIMENTS_MAX];
	size_t nexp;
};

void tv_demo_results_init(struct tv_demo_results *r);

/* ---- 1. the guest's report lines ---- */

enum tv_demo_line_kind {
	TV_DEMO_LINE_OTHER,	/* free text ("popf_demo: ...") */
	TV_DEMO_LINE_PAUSE,	/* DEMO-PAUSE name=<id> */
	TV_DEMO_LINE_BEGIN,	/* DEMO-BEGIN name=<id> title="..." */
	TV_DEMO_LINE_SAY,	/* SAY <text> */
	TV_DEMO_LINE_RESULT,	/* DEMO-RESULT name=<id> bare=... observed=... detail=... verdict=... */
	TV_DEMO_LINE_SUMMARY,	/* SUMMARY: N passed, M failed */
	TV_DEMO_LINE_MALFORMED,	/* starts like a report line but breaks its rules */
};

/*
 * One line, parsed. Text taken from the guest is kept to printable ASCII
 * (anything else becomes '?'), so no format can be driven by it.
 */
struct tv_demo_line {
	enum tv_demo_line_kind kind;
	char name[TV_DEMO_NAME_MAX];
	char title[TV_DEMO_TITLE_MAX];
	char bare[TV_DEMO_CATEGORY_MAX];
	char observed[TV_DEMO_CATEGORY_MAX];
	char detail[TV_DEMO_DETAIL_MAX];
	int verdict_pass;
	char text[256];		/* SAY: the narration; OTHER and SUMMARY: the line */
};

enum tv_demo_line_kind tv_demo_parse_line(const char *s, size_t len, struct tv_demo_line *out);

/* Add a parsed line of run `run` to the results (BEGIN, RESULT, SUMMARY count). */
void tv_demo_record_line(struct tv_demo_results *r, enum tv_demo_run_id run,
			 const struct tv_demo_line *line);

/* Count the traps of one instruction (from a `stat insn=` line) for a run. */
void tv_demo_record_insn(struct tv_demo_run *run, const char *insn, uint64_t count);

/* ---- 2. the comparison ---- */

enum tv_demo_mark {
	TV_DEMO_MISSING,	/* this run reported nothing for the experiment */
	TV_DEMO_NO_REFERENCE,	/* the bare machine reported nothing to compare with */
	TV_DEMO_EQUAL,		/* same category as the bare machine's run */
	TV_DEMO_DIFFERS,	/* another category than the bare machine's run */
	/* Only in the bare machine's own column: */
	TV_DEMO_AS_ARCHITECTURE,	/* what the architecture promises (bare=) */
	TV_DEMO_NOT_ARCHITECTURE,	/* the emulated CPU disagrees with the architecture */
};

/*
 * The mark of experiment i in run `run`: columns other than the bare
 * machine's are compared with the bare machine's observed category (not
 * with the guest's bare= claim); the bare machine's own column is compared
 * with its bare= claim.
 */
enum tv_demo_mark tv_demo_mark(const struct tv_demo_results *r, size_t i,
			       enum tv_demo_run_id run);

/* 1 if this cell counts as equal to the bare machine (JSON's equal_to_bare). */
int tv_demo_equal_to_bare(const struct tv_demo_results *r, size_t i, enum tv_demo_run_id run);

/* A run completed: the guest exited with status 0, said SUMMARY and reported every row. */
int tv_demo_run_complete(const struct tv_demo_results *r, enum tv_demo_run_id run);

/* The bare machine reported every experiment and each as the architecture promises. */
int tv_demo_bare_as_architecture(const struct tv_demo_results *r);

/*
 * The demo's exit status: the first run (in column order) that failed gives
 * its own status; a run that ended well but reported too little gives
 * TV_STATUS_NO_RESULT; then TV_STATUS_BARE_DISAGREES; else 0. Any
 * difference from the bare machine in the other columns is the
 * demonstration, never an error.
 */
int tv_demo_exit_status(const struct tv_demo_results *r);

/* ---- 3. the narrative ---- */

#define TV_DEMO_NARRATIVE_MAX	16
#define TV_DEMO_SENTENCE_MAX	512

struct tv_demo_narrative {
	char line[TV_DEMO_NARRATIVE_MAX][TV_DEMO_SENTENCE_MAX];
	int warning[TV_DEMO_NARRATIVE_MAX];	/* say it loudly */
	size_t n;
};

/* Explain what this run showed, one paragraph per line, facts from r only. */
void tv_demo_narrate(const struct tv_demo_results *r, struct tv_demo_narrative *n);

/* "bare machine 0.70 s; trap-and-emulate 0.81 s, 8664 traps; patched ...; inline ...; paravirt ..." */
void tv_demo_timing_line(const struct tv_demo_results *r, char *buf, size_t len);

/* ---- 4. the formats ---- */

enum tv_demo_format { TV_DEMO_TEXT, TV_DEMO_MARKDOWN, TV_DEMO_JSON };

/* "text", "md" (or "markdown"), "json"; -1 for anything else. */
int tv_demo_format_from_name(const char *name);

/* Table, narrative and timing. colour: ANSI colours (text only). */
void tv_demo_print_text(FILE *f, const struct tv_demo_results *r, int colour);
void tv_demo_print_markdown(FILE *f, const struct tv_demo_results *r);
/* One JSON object; exit_status is the demo's, recorded in it. */
void tv_demo_print_json(FILE *f, const struct tv_demo_results *r, int exit_status);

#endif
