/*
 * tools/slides_data.h: what `trapvisor slides` measured, and the files it
 * writes from it. Runs on: host.
 *
 * tools/slides.c runs the experiments and fills one struct tv_slides; the
 * writers take nothing else, so every number on a slide is one this run
 * measured:
 *   - slides_pictures.c: the pictures as SVG (the rings and Popek and
 *     Goldberg's sets written directly, the trap's path through Graphviz,
 *     the cures' chart through gnuplot);
 *   - slides_tables.c: the tables as markdown and CSV, and data.json, the
 *     same numbers for programs (the deck's test reads them);
 *   - slides_html.c: the deck, index.html, with the pictures inline.
 * The sentences for people go through _() (gettext); data.json and the CSV
 * stay in English.
 */
#ifndef TV_TOOLS_SLIDES_DATA_H
#define TV_TOOLS_SLIDES_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/bench_table.h"
#include "tools/classify_table.h"
#include "tools/demo_table.h"
#include "tools/i18n.h"
#include "tools/screen.h"

/* The ids of the slides, in order; the kernel's only with --kernel. */
#define TV_SLIDES_MAX	8

/* The benchmark runs behind the cures' chart: one row of the bench guest each. */
enum tv_slides_case_id {
	TV_CASE_CLI_NONE,	/* cli_sti, patch=none: CLI and STI trap */
	TV_CASE_CLI_INLINE,	/* cli_sti, patch=inline: patch code, no trap */
	TV_CASE_POPF_NONE,	/* pushf_popf, patch=none: silent, so wrong */
	TV_CASE_POPF_TRAP,	/* pushf_popf, patch=popf: patched to trap */
	TV_CASE_POPF_INLINE,	/* pushf_popf, patch=inline */
	TV_CASE_IN_NONE,	/* in_port80, patch=none: I/O always traps */
	TV_CASE_SYSCALL_NONE,	/* user_syscall through the hypervisor */
	TV_CASE_SYSCALL_DIRECT,	/* user_syscall with --direct (ring 1 only) */
	TV_CASES,
};

struct tv_slides_case {
	/* Fixed (tv_slides_init): */
	const char *key;	/* "cli_sti/none": data.json and the tables */
	const char *row;	/* the bench guest's row */
	const char *patch;
	int direct;
	/* Measured: */
	int ran;		/* both sides have figures */
	struct tv_bench_figures native, hv;
	int64_t traps;		/* all the traps of the hypervisor run; -1 unknown */
};

/* The trap-path parts the hypervisor times (hv/trap_cost.c), as the slide shows them. */
enum tv_slides_part {
	TV_PART_ENTRY,		/* the switcher, into the hypervisor's space */
	TV_PART_FETCH,		/* the trapped instruction's bytes read */
	TV_PART_DECODE,		/* decoded (a cache hit) */
	TV_PART_EMULATE,	/* emulated against the virtual CPU */
	TV_PART_WAY_OUT,	/* interrupts looked for, the frame checked */
	TV_PART_EXIT,		/* the switcher, back to the guest's space */
	TV_PART_HANDLING,	/* all of hv_trap, the middle four included */
	TV_PARTS,
};

/* One traced trap of a CLI. */
struct tv_slides_trap {
	int found;
	uint64_t seq, vec, err, eip;
	char bytes[32];
	char insn[48];
	char action[16];
	int ring;		/* the ring the hypervisor's hello line reported */
	/* From the untraced cli_sti run (TV_CASE_CLI_NONE): medians; -1 unknown. */
	int64_t part[TV_PARTS];
};

/* One run of the teacher's kernel. */
struct tv_slides_kernel_run {
	int ran;
	int end;			/* enum tv_run_end */
	double wall_s;
	char until_line[256];		/* what matched, if anything did */
	struct tv_screen screen;
};

struct tv_slides_kernel {
	int given;
	char name[128];			/* the file's name, without its directory */
	unsigned mem_mib;
	double timeout_s;		/* each of its runs */
	char until[128];		/* the patched boot's end */
	struct tv_slides_kernel_run naive;	/* --patch none --screen */
	struct tv_slides_kernel_run patched;	/* --patch inline */
};

struct tv_slides {
	char lang[4];			/* "en" or "nb" */
	int ring;			/* asked for */
	double timeout_s;
	char started[32];		/* UTC, "2026-12-07 02:10" */
	double wall_s;			/* all the experiments */
	struct tv_demo_results demo;
	struct tv_classify_table classify;	/* patch none, UMIP off */
	struct tv_classify_table classify_umip;	/* patch none, UMIP on */
	struct tv_slides_trap trap;
	struct tv_slides_case cases[TV_CASES];
	struct tv_slides_kernel kernel;
};

/* The fixed parts; everything measured is zero or unknown. */
void tv_slides_init(struct tv_slides *s, const char *lang, int ring, double timeout_s);

/* ---- what the pictures and the deck share ---- */

/* Where an instruction of classify's table sits in Popek and Goldberg's sets. */
enum tv_pg_set {
	TV_PG_BOTH,		/* sensitive and privileged: it traps, so it can be emulated */
	TV_PG_SENSITIVE,	/* sensitive, not privileged: it runs without a trap */
	TV_PG_PRIVILEGED,	/* traps, but the catalog calls it innocuous */
	TV_PG_NEITHER,		/* innocuous and untrapped: runs directly, rightly */
	TV_PG_SETS,
};

enum tv_pg_set tv_slides_pg_set(const struct tv_classify_row *r);
/* Silent: sensitive, untrapped, and the guest saw something else (classify's SILENT). */
int tv_slides_pg_silent(const struct tv_classify_row *r);
/* The rows in one set, and of those the silent ones. */
size_t tv_slides_pg_count(const struct tv_classify_table *t, enum tv_pg_set set,
			  size_t *silent);

/* All the silent rows of a table, whatever their set. */
size_t tv_slides_silent_count(const struct tv_classify_table *t);

/* A case's ratio hv/native of the medians; -1 when unknown. */
double tv_slides_case_ratio(const struct tv_slides_case *c);

/* x rounded to two decimals, as the deck and data.json both show it. */
double tv_slides_2dp(double x);

/* The rows SILENT without UMIP that trapped with it. */
size_t tv_slides_umip_cured(const struct tv_slides *s);

/* data.json's names: "both", "sensitive", ...; "entry_switch", "fetch", ... */
const char *tv_slides_pg_key(enum tv_pg_set set);
const char *tv_slides_part_key(enum tv_slides_part part);

/* The case's name for people: "CLI/STI, trapped" */
const char *tv_slides_case_label(enum tv_slides_case_id id);

/* ---- slides_pictures.c ---- */

/*
 * Write DIR/rings.svg, DIR/popek_goldberg.svg, DIR/trap_path.svg (Graphviz's
 * dot) and DIR/cures.svg (gnuplot). Returns 0, or -1 with a one-line
 * reason in err.
 */
int tv_slides_write_pictures(const struct tv_slides *s, const char *dir, char *err, size_t errlen);

/* Whether dot and gnuplot can be run; -1 with the reason (the Debian package) in err. */
int tv_slides_tools_present(char *err, size_t errlen);

/* ---- slides_tables.c ---- */

/* DIR/NAME.md and DIR/NAME.csv for each table, and DIR/data.json. 0, or -1 with err. */
int tv_slides_write_tables(const struct tv_slides *s, const char *dir, char *err, size_t errlen);

/* ---- slides_html.c ---- */

/* DIR/index.html, with DIR's SVG files inline. 0, or -1 with err. */
int tv_slides_write_deck(const struct tv_slides *s, const char *dir, char *err, size_t errlen);

/* The slides' ids in order (NULL-terminated), as the deck has them. */
size_t tv_slides_ids(const struct tv_slides *s, const char **ids, size_t max);

/* "dir/name" into buf; -1 if it does not fit. */
int tv_slides_path(char *buf, size_t len, const char *dir, const char *name);

#endif
