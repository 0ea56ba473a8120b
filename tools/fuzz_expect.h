/*
 * tools/fuzz_expect.h: reading the fuzz guest's result lines and deciding
 * whether a difference between the bare machine and the hypervisor is on
 * the documented list of expected differences (docs/fuzz.md).
 * Runs on: host.
 *
 * Pure: the unit tests drive the same code `trapvisor fuzz` uses. The list
 * is data (tv_fuzz_rules in fuzz_expect.c), one row per documented
 * difference, each naming the instructions that cause it; a divergence is
 * expected when the sequence holds such an instruction in a mode where the
 * difference exists, and the fields that differ are ones it can reach.
 */
#ifndef TV_TOOLS_FUZZ_EXPECT_H
#define TV_TOOLS_FUZZ_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "guests/fuzz/fuzz_gen.h"

/* The guest's vectors beyond the CPU's (guests/fuzz/fuzz_main.c). */
#define TV_FUZZ_VEC_TICK	0x100	/* the watchdog's tick */
#define TV_FUZZ_VEC_DONE	0x101	/* the end label reached */

/* One `F` line: the end state of one sequence. */
struct tv_fuzz_line {
	uint32_t k, vector, error, eflags, eip, state, mem;
};

/* Parse "F k vec err eflags eip state mem" (hex but k); 0, or -1 if it is not such a line. */
int tv_fuzz_parse_line(const char *s, size_t len, struct tv_fuzz_line *out);

/* Parse the FUZZ-LAYOUT line into *lay; 0, or -1. */
int tv_fuzz_parse_layout(const char *s, size_t len, struct fuzz_layout *lay);

enum tv_fuzz_patch { TV_FUZZ_PATCH_NONE, TV_FUZZ_PATCH_POPF, TV_FUZZ_PATCH_ALL };

struct tv_fuzz_mode {
	int ring;			/* 1 or 3 */
	enum tv_fuzz_patch patch;
	int umip;
};

/* Which fields of two lines differ (TV_FUZZ_DIFF_*). */
#define TV_FUZZ_DIFF_VECTOR	(1u << 0)	/* vector or error code */
#define TV_FUZZ_DIFF_IF_IOPL	(1u << 1)	/* EFLAGS, in IF or IOPL only */
#define TV_FUZZ_DIFF_EFLAGS	(1u << 2)	/* EFLAGS, in other bits */
#define TV_FUZZ_DIFF_EIP	(1u << 3)
#define TV_FUZZ_DIFF_STATE	(1u << 4)	/* registers, segments, CR0/CR2/CR4 */
#define TV_FUZZ_DIFF_MEM	(1u << 5)
unsigned tv_fuzz_diff(const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt);

struct tv_fuzz_rule {
	const char *id;			/* short name, as the report counts it */
	const char *why;		/* one line, for the report and docs/fuzz.md */
	uint8_t kinds[8];		/* any of these in the sequence (FUZZ_K_*; 0-terminated) */
	int when_end_only;		/* only when both reached the end label */
	enum tv_fuzz_patch patch_max;	/* holds in patch modes up to this one */
	int without_umip_only;		/* holds only when --umip is off */
	unsigned may_differ;		/* TV_FUZZ_DIFF_* the difference can reach */
	int after_lock;			/* only when a LOCK prefix comes right before the instruction */
};

extern const struct tv_fuzz_rule tv_fuzz_rules[];
extern const size_t tv_fuzz_nrules;

/*
 * The first rule that explains a divergence of sequence seq in mode, or
 * NULL: an unexpected divergence.
 */
const struct tv_fuzz_rule *tv_fuzz_expected(const struct tv_fuzz_mode *mode,
					    const struct fuzz_seq *seq,
					    const struct tv_fuzz_line *bare,
					    const struct tv_fuzz_line *virt);

/*
 * Whether a stop of the guest under the hypervisor, with that reason, is a
 * documented one (docs/guest-contract.md: what the hypervisor does not
 * emulate) met at an instruction of the sequence itself (at an address in
 * [code, code + 4096)): the same stop at the guest's own handler is a fault
 * of the hypervisor's. Returns the documented item's name, or NULL.
 */
const char *tv_fuzz_expected_stop(const char *reason, uint32_t code);

#endif
