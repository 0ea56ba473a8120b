/*
 * tests/unit/test_query_rules.c: LAR, LSL, VERR and VERW
 * (deprivilege/query_rules.c) against the rules of Intel SDM vol. 2A (LAR,
 * LSL) and vol. 2B (VERR/VERW), one table row per rule.
 * Runs on: host (Check).
 *
 * Descriptors are written as their high word (the low word is the limit's
 * low 16 bits and the base's low 16, 0x0000FFFF for flat segments):
 *   0x00CF9300 flat data, writable, accessed, DPL 0, G, D/B, present
 *   0x00CF9100 the same, read-only          0x00CFF300 the same, DPL 3
 *   0x00CF9B00 flat code, readable, DPL 0   0x00CF9900 code, execute-only
 *   0x00CF9F00 conforming readable code, DPL 0
 *   0x00CF1300 flat data, DPL 0, NOT present
 *   0x00008900 32-bit TSS, available        0x00008200 LDT
 *   0x0000EC00 32-bit call gate, DPL 3      0x00008E00 interrupt gate
 * Selectors: 0x10 (RPL 0), 0x11 (RPL 1), 0x13 (RPL 3), 0x00 null.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/query_rules.h"

enum op { LAR, LAR16, LSL, LSL16, VERR, VERW };

struct row {
	const char *rule;
	enum op op;
	uint32_t lo, hi;
	int beyond;		/* the selector lies beyond its table: no descriptor */
	uint16_t sel;
	unsigned cpl;
	int zf;
	uint32_t value;		/* LAR and LSL, when zf */
};

#define FLAT	0x0000FFFFu

static const struct row rows[] = {
	/* LAR: "IF Offset(SRC) > descriptor table limit THEN ZF := 0". */
	{ "LAR beyond the table", LAR, 0, 0, 1, 0x10, 0, 0, 0 },
	/* The selector must not be null. */
	{ "LAR of the null selector", LAR, 0, 0, 0, 0x00, 0, 0, 0 },
	/* Rights: bytes 5-7 masked by 00FxFF00H (the limit's 19:16 left out). */
	{ "LAR of DPL-0 data at CPL 0", LAR, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0x00C09300 },
	{ "LAR 16-bit: the low word only", LAR16, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0x9300 },
	/* "(CPL > DPL) or (RPL > DPL)" for any but conforming code: ZF := 0. */
	{ "LAR through RPL 1 of DPL 0", LAR, FLAT, 0x00CF9300, 0, 0x11, 0, 0, 0 },
	{ "LAR of DPL 0 at CPL 3", LAR, FLAT, 0x00CF9300, 0, 0x13, 3, 0, 0 },
	{ "LAR of conforming code at CPL 3", LAR, FLAT, 0x00CF9F00, 0, 0x13, 3, 1, 0x00C09F00 },
	/* The present bit is not checked. */
	{ "LAR of a not-present segment", LAR, FLAT, 0x00CF1300, 0, 0x10, 0, 1, 0x00C01300 },
	/* Valid system types include TSSs, the LDT and gates; not interrupt gates. */
	{ "LAR of a 32-bit TSS", LAR, 0x00000067, 0x00008900, 0, 0x18, 0, 1, 0x00008900 },
	{ "LAR of a call gate", LAR, 0, 0x0000EC00, 0, 0x23, 3, 1, 0x0000EC00 },
	{ "LAR of an interrupt gate", LAR, 0, 0x00008E00, 0, 0x28, 0, 0, 0 },

	/* LSL: the limit scaled by G ("the limit in bytes"). */
	{ "LSL of flat data, G=1", LSL, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0xFFFFFFFFu },
	{ "LSL 16-bit: the low word", LSL16, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0xFFFF },
	{ "LSL of a byte-granular TSS", LSL, 0x00000067, 0x00008900, 0, 0x18, 0, 1, 0x67 },
	{ "LSL of an LDT", LSL, 0x0000000F, 0x00008200, 0, 0x20, 0, 1, 0x0F },
	/* Gates have no limit: not valid for LSL. */
	{ "LSL of a call gate", LSL, 0, 0x0000EC00, 0, 0x23, 3, 0, 0 },
	{ "LSL through RPL 1 of DPL 0", LSL, FLAT, 0x00CF9300, 0, 0x11, 0, 0, 0 },
	{ "LSL beyond the table", LSL, 0, 0, 1, 0x10, 0, 0, 0 },

	/* VERR: code or data only, readable, and the privilege check. */
	{ "VERR of DPL-0 data at CPL 0", VERR, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0 },
	{ "VERR through RPL 1 of DPL 0", VERR, FLAT, 0x00CF9300, 0, 0x11, 0, 0, 0 },
	{ "VERR of execute-only code", VERR, FLAT, 0x00CF9900, 0, 0x08, 0, 0, 0 },
	{ "VERR of readable code", VERR, FLAT, 0x00CF9B00, 0, 0x08, 0, 1, 0 },
	{ "VERR of conforming code at CPL 3", VERR, FLAT, 0x00CF9F00, 0, 0x0B, 3, 1, 0 },
	{ "VERR of a TSS (system)", VERR, 0x00000067, 0x00008900, 0, 0x18, 0, 0, 0 },
	{ "VERR of the null selector", VERR, 0, 0, 0, 0x00, 0, 0, 0 },
	{ "VERR beyond the table", VERR, 0, 0, 1, 0x10, 0, 0, 0 },

	/* VERW: writable data only, and the privilege check. */
	{ "VERW of writable DPL-0 data", VERW, FLAT, 0x00CF9300, 0, 0x10, 0, 1, 0 },
	{ "VERW of read-only data", VERW, FLAT, 0x00CF9100, 0, 0x10, 0, 0, 0 },
	{ "VERW of readable code", VERW, FLAT, 0x00CF9B00, 0, 0x08, 0, 0, 0 },
	{ "VERW through RPL 1 of DPL 0", VERW, FLAT, 0x00CF9300, 0, 0x11, 0, 0, 0 },
	{ "VERW of DPL-3 data at CPL 3", VERW, FLAT, 0x00CFF300, 0, 0x13, 3, 1, 0 },
	{ "VERW of DPL-0 data at CPL 3", VERW, FLAT, 0x00CF9300, 0, 0x13, 3, 0, 0 },
};

START_TEST(each_rule)
{
	const struct row *r = &rows[_i];
	struct x86_desc d = { r->lo, r->hi };
	const struct x86_desc *dp = r->beyond ? NULL : &d;
	struct query_answer a;

	switch (r->op) {
	case LAR: a = query_lar(r->sel, dp, r->cpl, 0); break;
	case LAR16: a = query_lar(r->sel, dp, r->cpl, 1); break;
	case LSL: a = query_lsl(r->sel, dp, r->cpl, 0); break;
	case LSL16: a = query_lsl(r->sel, dp, r->cpl, 1); break;
	case VERR: a = query_verr(r->sel, dp, r->cpl); break;
	default: a = query_verw(r->sel, dp, r->cpl); break;
	}
	ck_assert_msg(a.zf == r->zf, "%s: ZF %d, want %d", r->rule, a.zf, r->zf);
	if (r->zf && (r->op == LAR || r->op == LAR16 || r->op == LSL || r->op == LSL16))
		ck_assert_msg(a.value == r->value, "%s: 0x%08x, want 0x%08x", r->rule, a.value,
			      r->value);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("query_rules");
	TCase *t = tcase_create("rules");

	tcase_add_loop_test(t, each_rule, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
