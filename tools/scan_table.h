/*
 * tools/scan_table.h: the results of `trapvisor scan` and how they are
 * shown. Runs on: host.
 *
 * scan runs the opcode_scan guest on the bare machine and under the
 * hypervisor (with tracing) and compares, case by case, the digest of what
 * each instruction left (guests/opcode_scan/scan_main.c). This file holds
 * everything about that which needs no QEMU:
 *   1. reading the guest's C, SCAN-SKIP, SCAN-BEGIN and SCAN-END lines;
 *   2. the verdict of each case, from the two digests and the trap
 *      addresses (tools/scan_table.c);
 *   3. the cases grouped into instructions, and Robin & Irvine's list
 *      matched against the silent ones (tools/scan_table.c);
 *   4. the report as text, markdown, CSV or JSON (tools/scan_print.c).
 * All of it is pure, so the unit tests drive it with made-up runs.
 */
#ifndef TV_TOOLS_SCAN_TABLE_H
#define TV_TOOLS_SCAN_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TV_SCAN_CASES_MAX	10240
#define TV_SCAN_BYTES_MAX	31	/* 15 bytes in hex, and the NUL */
#define TV_SCAN_EXC_MAX		16	/* "0d/3010" or "-" */
#define TV_SCAN_INSN_MAX	64
#define TV_SCAN_SKIPS_MAX	32
#define TV_SCAN_TEXT_MAX	160
#define TV_SCAN_GROUPS_MAX	1024
#define TV_SCAN_RI_COUNT	18

/* ---- 1. the guest's lines ---- */

enum tv_scan_line_kind {
	TV_SCAN_LINE_OTHER,
	TV_SCAN_LINE_CASE,	/* C <index> <bytes> <exc> <digest|varies> */
	TV_SCAN_LINE_SKIP,	/* SCAN-SKIP what="..." why="..." */
	TV_SCAN_LINE_BEGIN,	/* SCAN-BEGIN cases=N slots=0x... slot=N */
	TV_SCAN_LINE_END,	/* SCAN-END cases=N */
	TV_SCAN_LINE_MALFORMED,
};

struct tv_scan_line {
	unsigned index;
	char bytes[TV_SCAN_BYTES_MAX];
	char exc[TV_SCAN_EXC_MAX];
	uint32_t digest;
	int varies;
	char what[TV_SCAN_TEXT_MAX], why[TV_SCAN_TEXT_MAX];	/* SKIP */
	unsigned cases;			/* BEGIN, END */
	uint32_t slots;			/* BEGIN */
	unsigned slot_bytes;		/* BEGIN */
};

enum tv_scan_line_kind tv_scan_parse_line(const char *s, size_t len, struct tv_scan_line *out);

/* ---- 2. the cases ---- */

enum tv_scan_verdict {
	TV_SCAN_NOT_RUN,	/* no line from one of the runs */
	TV_SCAN_SAME,		/* not trapped, same outcome: runs natively, as efficiency wants */
	TV_SCAN_CAUGHT,		/* trapped, same outcome: trap-and-emulate holds */
	TV_SCAN_SILENT,		/* not trapped, another outcome: sensitive, unprivileged */
	TV_SCAN_DIFFERS,	/* trapped, another outcome: the hypervisor's emulation */
	TV_SCAN_VARIES,		/* differs from run to run (RDTSC): not compared */
	TV_SCAN_STOPPED,	/* the hypervisor stopped the guest at it */
};

struct tv_scan_case {
	char bytes[TV_SCAN_BYTES_MAX];
	int have_native, have_virt;
	char native_exc[TV_SCAN_EXC_MAX], virt_exc[TV_SCAN_EXC_MAX];
	uint32_t native_digest, virt_digest;
	int native_varies, virt_varies;
	int trapped;
	int stopped;
	enum tv_scan_verdict verdict;
	/* Filled by the caller from a disassembler, for grouping and the report. */
	char insn[TV_SCAN_INSN_MAX];	/* "lar eax, word ptr [0x300000]" */
	char group[TV_SCAN_INSN_MAX];	/* "lar", "mov ss", "66 push cs": see tv_scan_group_key */
	int ri;				/* index into tv_scan_ri[], or -1 */
};

struct tv_scan_skip {
	char what[TV_SCAN_TEXT_MAX], why[TV_SCAN_TEXT_MAX];
};

struct tv_scan {
	int ring, umip;
	struct tv_scan_case c[TV_SCAN_CASES_MAX];
	unsigned ncases;		/* from SCAN-BEGIN */
	uint32_t slots;
	unsigned slot_bytes;
	struct tv_scan_skip skip[TV_SCAN_SKIPS_MAX];
	unsigned nskips;
	unsigned nmalformed;
	double native_s, virt_s;	/* wall time of each side's runs */
	unsigned virt_runs;		/* hypervisor runs (1 + one per stop) */
	char stop_note[8][TV_SCAN_TEXT_MAX];	/* why the hypervisor stopped, per stop */
	unsigned nstop_notes;
};

void tv_scan_init(struct tv_scan *s, int ring, int umip);
/* A line of the bare machine's run (virt = 0) or the hypervisor's (virt = 1). */
void tv_scan_add_line(struct tv_scan *s, int virt, enum tv_scan_line_kind kind,
		      const struct tv_scan_line *line);
/* A trap of the hypervisor at eip with the trace's action: which case it hit, if any. */
void tv_scan_add_trap(struct tv_scan *s, uint32_t eip, const char *action);
/* The first case index without a line of that run at or after from (ncases if none). */
unsigned tv_scan_first_missing(const struct tv_scan *s, int virt, unsigned from);
/* Decide every case. */
void tv_scan_judge(struct tv_scan *s);
const char *tv_scan_verdict_name(enum tv_scan_verdict v);

/* ---- 3. instructions and Robin & Irvine ---- */

/* Robin & Irvine's list, as usually quoted. */
struct tv_scan_ri {
	const char *name;		/* "SGDT", "MOV" */
	const char *how;		/* how it leaks, in a line */
};
extern const struct tv_scan_ri tv_scan_ri[TV_SCAN_RI_COUNT];

/* What one instruction (cases of one group) came to. */
struct tv_scan_group {
	char name[TV_SCAN_INSN_MAX];
	char example[TV_SCAN_INSN_MAX];	/* the first silent (else first) case's text */
	char example_bytes[TV_SCAN_BYTES_MAX];
	char native_exc[TV_SCAN_EXC_MAX], virt_exc[TV_SCAN_EXC_MAX];
	int ri;
	unsigned cases, silent, caught, same, differs, varies, stopped;
};

struct tv_scan_report {
	struct tv_scan_group g[TV_SCAN_GROUPS_MAX];
	unsigned ngroups;
	unsigned total[TV_SCAN_STOPPED + 1];	/* cases per verdict */
	/* Per Robin & Irvine instruction: found (a silent group), and its groups' counts. */
	int ri_found[TV_SCAN_RI_COUNT];
	unsigned ri_cases[TV_SCAN_RI_COUNT], ri_caught[TV_SCAN_RI_COUNT],
		 ri_same[TV_SCAN_RI_COUNT], ri_differs[TV_SCAN_RI_COUNT],
		 ri_stopped[TV_SCAN_RI_COUNT], ri_varies[TV_SCAN_RI_COUNT];
};

/* Group the judged cases (by their group key) and match Robin & Irvine. */
void tv_scan_report_build(const struct tv_scan *s, struct tv_scan_report *r);
/* Why a listed instruction was not found, from its counts, in a line. */
void tv_scan_ri_missed_why(const struct tv_scan_report *r, int i, char *buf, size_t len);

/* ---- 4. the formats ---- */

enum tv_scan_format { TV_SCAN_TEXT, TV_SCAN_MARKDOWN, TV_SCAN_CSV, TV_SCAN_JSON };
int tv_scan_format_from_name(const char *name);
void tv_scan_print(FILE *f, const struct tv_scan *s, const struct tv_scan_report *r,
		   enum tv_scan_format format);

#endif
