/*
 * tools/fuzz_expect.h: reading the fuzz guest's result lines and deciding
 * whether a difference between the bare machine and the hypervisor is on
 * the documented list of expected differences (docs/fuzz.md).
 * Runs on: host.
 *
 * Pure: the unit tests drive the same code `trapvisor fuzz` uses. The list
 * is data (tv_fuzz_rules in fuzz_expect.c), one row per documented
 * difference, each naming the instructions that cause it. A divergence is
 * expected when the FIRST instruction after which the two machines differ
 * is one of them, in a mode where the difference exists, and the fields
 * that differ are ones it can reach. Which instruction that is comes from
 * cut runs: the sequence run again up to an instruction (fuzz_cut) on both
 * machines; tv_fuzz_cuts_needed says which.
 */
#ifndef TV_TOOLS_FUZZ_EXPECT_H
#define TV_TOOLS_FUZZ_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "guests/fuzz/fuzz_gen.h"

/* The guest's vectors beyond the CPU's (guests/fuzz/fuzz_main.c). */
#define TV_FUZZ_VEC_TICK	0x100	/* the watchdog's tick */
#define TV_FUZZ_VEC_DONE	0x101	/* the end label reached */
/* Not the guest's: the hypervisor stopped it at a triple fault (tv_fuzz_shutdown_line). */
#define TV_FUZZ_VEC_SHUTDOWN	0x102

/* One `F` line: the end state of one sequence. */
struct tv_fuzz_line {
	uint32_t k, vector, error, eflags, eip, state, mem;
};

/* Parse "F k vec err eflags eip state mem" (hex but k); 0, or -1 if it is not such a line. */
int tv_fuzz_parse_line(const char *s, size_t len, struct tv_fuzz_line *out);

/* Parse "C k n vec err eflags eip state mem", sequence k cut after n instructions; 0, or -1. */
int tv_fuzz_parse_cut_line(const char *s, size_t len, struct tv_fuzz_line *out, uint32_t *n);

/* Parse the FUZZ-LAYOUT line into *lay; 0, or -1. */
int tv_fuzz_parse_layout(const char *s, size_t len, struct fuzz_layout *lay);

/*
 * The hypervisor's patch modes, each rewriting what the one before does and
 * more: inline also turns CLI and STI into patch code. Only the guest's own
 * code is patched, never a generated sequence.
 */
enum tv_fuzz_patch { TV_FUZZ_PATCH_NONE, TV_FUZZ_PATCH_POPF, TV_FUZZ_PATCH_ALL,
		     TV_FUZZ_PATCH_INLINE, TV_FUZZ_PATCHES };

struct tv_fuzz_mode {
	int ring;			/* 1 or 3 */
	enum tv_fuzz_patch patch;
	int umip;
	/* Where the guest's tables are (for rows that read an operand); NULL: unknown. */
	const struct fuzz_layout *lay;
	int direct;			/* the hypervisor's fast paths (--direct) */
	/*
	 * NULL, or the length of the instruction the CPU decodes at code
	 * (len bytes there, at linear address addr), 0 if none: for rows that
	 * follow the CPU into bytes that begin no item (the host's Capstone).
	 */
	unsigned (*insn_len)(const uint8_t *code, unsigned len, uint32_t addr);
};

/* Which fields of two lines differ (TV_FUZZ_DIFF_*). */
#define TV_FUZZ_DIFF_VECTOR	(1u << 0)	/* vector or error code */
#define TV_FUZZ_DIFF_IF_IOPL	(1u << 1)	/* EFLAGS, in IF or IOPL only */
#define TV_FUZZ_DIFF_EFLAGS	(1u << 2)	/* EFLAGS, in other bits */
#define TV_FUZZ_DIFF_EIP	(1u << 3)
#define TV_FUZZ_DIFF_STATE	(1u << 4)	/* registers, segments, CR0/CR2/CR4 */
#define TV_FUZZ_DIFF_MEM	(1u << 5)
unsigned tv_fuzz_diff(const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt);

#define TV_FUZZ_K_RAW	FUZZ_KINDS

struct tv_fuzz_rule {
	const char *id;			/* short name, as the report counts it */
	const char *why;		/* one line, for the report and docs/fuzz.md */
	/* The instructions it blames (FUZZ_K_*, 0-terminated; TV_FUZZ_K_RAW for FUZZ_K_RAW, which is 0). */
	uint8_t kinds[40];
	int when_end_only;		/* only when both reached the end label */
	enum tv_fuzz_patch patch_max;	/* holds in patch modes up to this one */
	int without_umip_only;		/* holds only when --umip is off */
	unsigned may_differ;		/* TV_FUZZ_DIFF_* the difference can reach */
	int after_lock;			/* only when a LOCK prefix comes right before the instruction */
	uint32_t eflags_only;		/* nonzero: only when the lines differ in these EFLAGS bits alone */
	uint32_t error_only;		/* nonzero: only when the error codes differ in these bits alone */
	/*
	 * NULL, or whether the row holds for instruction i of seq in mode
	 * (its operand: the selector a POP DS loads, the CS an IRET returns
	 * to); unit_end: where the bytes the CPU runs as i's end (see sync).
	 */
	int (*applies)(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, unsigned i,
		       unsigned unit_end);
	/*
	 * The instruction sends the CPU into bytes that are no instruction of
	 * the sequence (a return into the middle of a later item), which no cut
	 * can end: the row holds when the machines agree before it, and the
	 * whole sequence is what differs after it.
	 */
	int whole_after;
	/*
	 * NULL, or whether the two end states fit the row where it blames
	 * instruction i, whose unit ends at unit_end (i -1: a row of the
	 * harness itself): where the difference must show (the hypervisor's
	 * #UD at a LOCK prefix, its #GP(0) at a MOV to CR4).
	 */
	int (*lines_fit)(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			 unsigned unit_end, const struct tv_fuzz_line *bare,
			 const struct tv_fuzz_line *virt);
};

extern const struct tv_fuzz_rule tv_fuzz_rules[];
extern const size_t tv_fuzz_nrules;

/* Both machines' lines for sequence seq cut after its first n instructions. */
struct tv_fuzz_cut {
	uint32_t n;
	int have;			/* 0: either machine did not finish the cut run */
	struct tv_fuzz_line bare, virt;
};

#define TV_FUZZ_CUTS_MAX	(2 * FUZZ_INSNS_MAX)

/*
 * The cuts (instruction counts for fuzz_cut) whose lines tv_fuzz_expected
 * needs to judge a divergence of seq, into cuts[TV_FUZZ_CUTS_MAX]: the
 * state before and after each instruction a row could blame. Returns how
 * many (0: none needed, the full lines decide).
 *
 * sync[i] (NULL: all 1) says whether seq->insn[i] begins where the CPU,
 * decoding from the start, begins an instruction: random bytes may end
 * inside the next item, and the two then run as one, cut only as one.
 */
unsigned tv_fuzz_cuts_needed(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			     const uint8_t *sync, const struct tv_fuzz_line *bare,
			     const struct tv_fuzz_line *virt, uint32_t *cuts);

/*
 * The rule that explains a divergence of sequence seq in mode, or NULL: an
 * unexpected divergence. cuts[ncuts] hold the cut runs tv_fuzz_cuts_needed
 * asked for (a cut not there, or not finished on both machines, counts as
 * differing). *first, when first is not NULL, is the index in seq->insn of
 * the first instruction after which the machines differ, or -1 when the
 * cuts did not find it.
 */
const struct tv_fuzz_rule *tv_fuzz_expected(const struct tv_fuzz_mode *mode,
					    const struct fuzz_seq *seq, const uint8_t *sync,
					    const struct tv_fuzz_line *bare,
					    const struct tv_fuzz_line *virt,
					    const struct tv_fuzz_cut *cuts, unsigned ncuts,
					    int *first);

/*
 * A stop of the guest under the hypervisor at its own triple fault (the
 * reason begins "triple fault"), where the bare machine shuts down as well,
 * as a line: sequence k ended in TV_FUZZ_VEC_SHUTDOWN, its EFLAGS 0 (which
 * no PUSHF shows: bit 1 is always set), every other field 0. Where the bare
 * machine finished, the two differ as any divergence does, and a row must
 * explain their first difference. Returns 1 and fills *out, or 0 for any
 * other stop.
 */
int tv_fuzz_shutdown_line(const char *reason, uint32_t k, struct tv_fuzz_line *out);

/*
 * Whether a stop of the guest under the hypervisor, with that reason, is a
 * documented one (docs/guest-contract.md: what the hypervisor does not
 * emulate) met at an instruction of the sequence itself (at an address in
 * [code, code + 4096)): the same stop at the guest's own handler is a fault
 * of the hypervisor's. Returns the documented item's name, or NULL.
 */
const char *tv_fuzz_expected_stop(const char *reason, uint32_t code);

#endif
