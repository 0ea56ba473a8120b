/*
 * tests/unit/test_eflags_rules.c: POPF and PUSHF (deprivilege/eflags_rules.c)
 * against the rules of Intel SDM vol. 2B, POPF/POPFD and PUSHF/PUSHFD.
 * Runs on: host (Check).
 *
 * Each row is one rule, with EFLAGS written in hex and decoded in its
 * comment. The bits that matter here:
 *   0x00000002 bit 1, always 1      0x00000200 IF
 *   0x00003000 IOPL (3 << 12)       0x00010000 RF
 *   0x00020000 VM                   0x00040000 AC
 *   0x00080000 VIF                  0x00100000 VIP
 *   0x00200000 ID
 *   0x000008D5 CF|PF|AF|ZF|SF|OF, the status flags
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/eflags_rules.h"

struct popf_row {
	const char *rule;
	uint32_t old;
	uint32_t popped;
	unsigned cpl;
	int operand16;
	uint32_t expected;
};

static const struct popf_row popf_rows[] = {
	/* CPL 0 may change IF: clear it ... */
	{ "cpl0 clears IF", 0x00000202, 0x00000002, 0, 0, 0x00000002 },
	/* ... and set it, and set IOPL to 3. */
	{ "cpl0 sets IF and IOPL", 0x00000002, 0x00003202, 0, 0, 0x00003202 },
	/* CPL 0 may lower IOPL too. */
	{ "cpl0 lowers IOPL", 0x00003202, 0x00000202, 0, 0, 0x00000202 },
	/*
	 * The Popek-Goldberg case: a kernel deprivileged to CPL 1 with IOPL 0
	 * pops IF=0 and nothing happens: IF stays 1, and no exception tells
	 * anyone.
	 */
	{ "cpl1 iopl0 keeps IF=1", 0x00000202, 0x00000002, 1, 0, 0x00000202 },
	/* Nor can it set IF. */
	{ "cpl1 iopl0 keeps IF=0", 0x00000002, 0x00000202, 1, 0, 0x00000002 },
	/* Nor raise IOPL (only CPL 0 may). */
	{ "cpl1 iopl0 keeps IOPL", 0x00000002, 0x00003002, 1, 0, 0x00000002 },
	/* The status flags still change at CPL 1: only IF and IOPL are guarded. */
	{ "cpl1 iopl0 status flags", 0x00000202, 0x000008D7, 1, 0, 0x00000AD7 },
	/* CPL 1 with IOPL 1: CPL <= IOPL, so IF may change; IOPL may not. */
	{ "cpl1 iopl1 clears IF", 0x00001202, 0x00000002, 1, 0, 0x00001002 },
	/*
	 * The IF check uses the IOPL before the POPF: at CPL 1 with IOPL 0,
	 * popping IOPL 3 does not make IF writable (and IOPL stays 0).
	 */
	{ "cpl1 iopl check uses old IOPL", 0x00000202, 0x00003002, 1, 0, 0x00000202 },
	/* CPL 3 with IOPL 3 may change IF but not IOPL. */
	{ "cpl3 iopl3 clears IF, keeps IOPL", 0x00003202, 0x00000002, 3, 0, 0x00003002 },
	/* CPL 3 with IOPL 2: CPL > IOPL, IF stays. */
	{ "cpl3 iopl2 keeps IF", 0x00002202, 0x00002002, 3, 0, 0x00002202 },
	/*
	 * Reserved bits: popping all ones at CPL 0 sets every writable bit
	 * (status flags, TF, IF, DF, IOPL, NT = 0x7FD5, AC, ID) and bit 1,
	 * leaves 3, 5, 15 and 22..31 clear, clears RF, and leaves VM, VIF
	 * and VIP as they were (clear).
	 */
	{ "cpl0 pops all ones", 0x00000002, 0xFFFFFFFF, 0, 0, 0x00247FD7 },
	/* Bit 1 reads as 1 even if the popped value has it clear. */
	{ "bit 1 stays set", 0x00000002, 0x00000000, 0, 0, 0x00000002 },
	/* VIF and VIP are unchanged by POPFD, whether set ... */
	{ "VIF VIP kept set", 0x00180002, 0x00000002, 0, 0, 0x00180002 },
	/* ... or clear; and POPFD cannot set VM. */
	{ "VM VIF VIP not set", 0x00000002, 0x001A0002, 0, 0, 0x00000002 },
	/* POPFD clears RF, even when the popped image has it set. */
	{ "RF cleared", 0x00010002, 0x00010002, 0, 0, 0x00000002 },
	/* AC and ID are writable by the 32-bit form. */
	{ "AC ID written", 0x00240002, 0x00000002, 3, 0, 0x00000002 },
	/*
	 * The 16-bit form changes bits 15..0 only: IF clears, AC and ID
	 * (bits 18, 21) and RF (bit 16) keep their values.
	 */
	{ "16-bit cpl0 clears IF only", 0x00250202, 0x00000002, 0, 1, 0x00250002 },
	/* The 16-bit form ignores the popped value above bit 15. */
	{ "16-bit ignores high word", 0x00000002, 0x00240202, 0, 1, 0x00000202 },
	/* The 16-bit form follows the same IF rule: CPL 1, IOPL 0, IF stays. */
	{ "16-bit cpl1 iopl0 keeps IF", 0x00000202, 0x00000002, 1, 1, 0x00000202 },
	/* ... and the same IOPL rule. */
	{ "16-bit cpl3 keeps IOPL", 0x00003002, 0x00000002, 3, 1, 0x00003002 },
};

START_TEST(popf_rule)
{
	const struct popf_row *r = &popf_rows[_i];
	uint32_t got = eflags_after_popf(r->old, r->popped, r->cpl, r->operand16);

	ck_assert_msg(got == r->expected,
		      "%s: old %08x popped %08x cpl %u%s: got %08x, expected %08x",
		      r->rule, r->old, r->popped, r->cpl,
		      r->operand16 ? " (16-bit)" : "", got, r->expected);
}
END_TEST

struct pushf_row {
	const char *rule;
	uint32_t eflags;
	uint32_t expected;
};

static const struct pushf_row pushf_rows[] = {
	/* The image PUSHFD pushes is EFLAGS AND 0x00FCFFFF: VM and RF cleared. */
	{ "VM and RF cleared", 0x00030202, 0x00000202 },
	/* AC, IF, IOPL and the status flags are pushed as they are. */
	{ "AC IF IOPL kept", 0x00073AD7, 0x00043AD7 },
	/* VIF, VIP and ID are pushed as they are. */
	{ "VIF VIP ID kept", 0x00380202, 0x00380202 },
	/* A PUSHF shows the real IF: what a deprivileged kernel sees. */
	{ "IF shown", 0x00000202, 0x00000202 },
};

START_TEST(pushf_rule)
{
	const struct pushf_row *r = &pushf_rows[_i];
	uint32_t got = eflags_for_pushf(r->eflags);

	ck_assert_msg(got == r->expected, "%s: eflags %08x: got %08x, expected %08x",
		      r->rule, r->eflags, got, r->expected);
}
END_TEST

/*
 * IRETD, Intel SDM vol. 2A, IRET/IRETD "Operation",
 * RETURN-TO-SAME-PRIVILEGE-LEVEL: "EFLAGS (CF, PF, AF, ZF, SF, TF, DF, OF,
 * NT) <- tempEFLAGS; IF CPL <= IOPL THEN EFLAGS(IF) <- tempEFLAGS; IF CPL =
 * 0 THEN EFLAGS(IOPL) <- tempEFLAGS; ... EFLAGS(RF, AC, ID) <- tempEFLAGS"
 * for a 32-bit operand size. NT comes from the stack like the others:
 * only the NT the CPU holds before the IRET ("IF EFLAGS.NT = 1 THEN GOTO
 * TASK-RETURN") makes it a task return.
 */
struct iret_row {
	const char *rule;
	uint32_t old;
	uint32_t popped;
	unsigned cpl;
	uint32_t expected;
};

static const struct iret_row iret_rows[] = {
	/* A popped NT is loaded: an ordinary return that leaves NT set. */
	{ "popped NT loaded", 0x00000002, 0x00004002, 0, 0x00004002 },
	/* ... and a popped NT of 0 clears it. */
	{ "NT cleared", 0x00004002, 0x00000002, 0, 0x00000002 },
	/* CPL 0 loads IF and IOPL. */
	{ "cpl0 IF and IOPL", 0x00000002, 0x00003202, 0, 0x00003202 },
	/* CPL 3 with IOPL 0: IF and IOPL stay, the status flags, DF and TF load. */
	{ "cpl3 keeps IF IOPL", 0x00000202, 0x00003DD7, 3, 0x00000FD7 },
	/* CPL 3 with IOPL 3: IF loads, IOPL does not. */
	{ "cpl3 iopl3 IF", 0x00003202, 0x00000002, 3, 0x00003002 },
	/* RF, AC and ID load (the 32-bit form). */
	{ "RF AC ID", 0x00000002, 0x00250002, 0, 0x00250002 },
	/* VM, VIF and VIP are left to the caller: kept as they were. */
	{ "VM VIF VIP kept", 0x00000002, 0x001A0002, 0, 0x00000002 },
	/* Reserved bits read as the CPU has them: bit 1 set, 3, 5, 15, 22..31 clear. */
	{ "reserved bits", 0x00000002, 0xFFC0802A, 0, 0x00000002 },
};

START_TEST(iret_rule)
{
	const struct iret_row *r = &iret_rows[_i];
	uint32_t got = eflags_after_iret(r->old, r->popped, r->cpl);

	ck_assert_msg(got == r->expected, "%s: old %08x popped %08x cpl %u: got %08x, expected %08x",
		      r->rule, r->old, r->popped, r->cpl, got, r->expected);
}
END_TEST

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *eflags_rules_suite(void)
{
	Suite *s = suite_create("eflags_rules");
	TCase *popf = tcase_create("popf");
	TCase *pushf = tcase_create("pushf");

	tcase_add_loop_test(popf, popf_rule, 0, ROWS(popf_rows));
	suite_add_tcase(s, popf);
	tcase_add_loop_test(pushf, pushf_rule, 0, ROWS(pushf_rows));
	suite_add_tcase(s, pushf);
	TCase *iret = tcase_create("iret");
	tcase_add_loop_test(iret, iret_rule, 0, ROWS(iret_rows));
	suite_add_tcase(s, iret);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(eflags_rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
