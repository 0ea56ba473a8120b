/*
 * tests/unit/test_return_rules.c: the code-segment checks of IRET and far
 * RET at CPL 0, and the back-link checks of a task return
 * (deprivilege/return_rules.c), against Intel SDM vol. 2A, IRET/IRETD
 * "Operation" (PROTECTED-MODE-RETURN, TASK-RETURN) and vol. 2B, RET
 * "Operation" (far return, protected mode).
 * Runs on: host (Check).
 *
 * The SDM's checks on the return code segment, in its order (IRET and RET
 * alike):
 *   "IF return code segment selector is NULL THEN #GP(0)";
 *   "IF return code segment selector addresses descriptor beyond
 *    descriptor table limit THEN #GP(selector)";
 *   "IF return code segment descriptor is not a code segment THEN
 *    #GP(selector)";
 *   "IF return code segment selector RPL < CPL THEN #GP(selector)" (never
 *    at CPL 0);
 *   "IF return code segment descriptor is conforming and return code
 *    segment DPL > return code segment selector RPL THEN #GP(selector)";
 *   "IF return code segment descriptor is not conforming and return code
 *    segment DPL != return code segment selector RPL THEN #GP(selector)";
 *   "IF return code segment descriptor is not present THEN #NP(selector)".
 * And TASK-RETURN: "IF local/global bit is set OR index not within GDT
 * limits THEN #TS (TSS selector)"; "IF TSS descriptor type is not TSS or if
 * the TSS is marked not busy THEN #TS (TSS selector)"; "IF TSS not present
 * THEN #NP(TSS selector)"; otherwise the CPU switches tasks.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/return_rules.h"

/* Descriptors: present, 32-bit, code or data or system, with a DPL. */
#define CODE(dpl)	{ 0x0000FFFF, 0x00CF9A00 | (dpl) << 13 }
#define CONFORMING(dpl)	{ 0x0000FFFF, 0x00CF9E00 | (dpl) << 13 }
#define DATA(dpl)	{ 0x0000FFFF, 0x00CF9200 | (dpl) << 13 }
#define ABSENT_CODE(dpl) { 0x0000FFFF, 0x00CF1A00 | (dpl) << 13 }	/* P (bit 15) clear */
#define TSS_BUSY	{ 0x00000067, 0x00008B00 }
#define ABSENT_TSS_BUSY	{ 0x00000067, 0x00000B00 }
#define TSS_AVAIL	{ 0x00000067, 0x00008900 }
#define TSS16_BUSY	{ 0x0000002B, 0x00008300 }

struct cs_row {
	const char *rule;
	uint16_t sel;
	int have;		/* 0: the selector lies beyond its table */
	struct x86_desc d;
	enum sysreg_outcome outcome;
	unsigned vector;
	uint32_t error;
};

static const struct cs_row cs_rows[] = {
	{ "null selector is #GP(0)", 0x0003, 1, CODE(3), SYSREG_FAULT, VEC_GP, 0 },
	{ "beyond the table is #GP(sel)", 0x0800, 0, CODE(0), SYSREG_FAULT, VEC_GP, 0x800 },
	{ "a data segment is #GP(sel)", 0x0010, 1, DATA(0), SYSREG_FAULT, VEC_GP, 0x10 },
	/* The case the issue names: the kernel's DPL 0 code with RPL 3. */
	{ "RPL 3 into DPL 0 code is #GP(sel)", 0x000B, 1, CODE(0), SYSREG_FAULT, VEC_GP, 0x08 },
	{ "RPL 0 into DPL 3 code is #GP(sel)", 0x0018, 1, CODE(3), SYSREG_FAULT, VEC_GP, 0x18 },
	{ "conforming DPL 3 above RPL 0 is #GP(sel)", 0x0020, 1, CONFORMING(3), SYSREG_FAULT,
	  VEC_GP, 0x20 },
	{ "conforming DPL 0 below RPL 3 returns", 0x0023, 1, CONFORMING(0), SYSREG_OK, 0, 0 },
	/* The DPL checks come before the present check. */
	{ "not present after a good DPL is #NP(sel)", 0x0008, 1, ABSENT_CODE(0), SYSREG_FAULT,
	  VEC_NP, 0x08 },
	{ "not present with a bad DPL is #GP(sel)", 0x000B, 1, ABSENT_CODE(0), SYSREG_FAULT,
	  VEC_GP, 0x08 },
	{ "same level returns", 0x0008, 1, CODE(0), SYSREG_OK, 0, 0 },
	{ "user code with RPL 3 returns", 0x001B, 1, CODE(3), SYSREG_OK, 0, 0 },
	{ "ring 1 code with RPL 1 returns", 0x0029, 1, CODE(1), SYSREG_OK, 0, 0 },
	/* An LDT selector: the error code keeps TI. */
	{ "LDT data segment is #GP(sel) with TI", 0x000F, 1, DATA(3), SYSREG_FAULT, VEC_GP, 0x0C },
};

START_TEST(cs_rule)
{
	const struct cs_row *r = &cs_rows[_i];
	struct sysreg_result got = return_check_cs(r->sel, r->have ? &r->d : NULL);

	ck_assert_msg(got.outcome == r->outcome, "%s: outcome %d, expected %d", r->rule,
		      got.outcome, r->outcome);
	if (r->outcome == SYSREG_FAULT)
		ck_assert_msg(got.vector == r->vector && got.error == r->error,
			      "%s: vector %u error 0x%x, expected %u 0x%x", r->rule, got.vector,
			      got.error, r->vector, r->error);
}
END_TEST

struct link_row {
	const char *rule;
	uint16_t link;
	int have;
	struct x86_desc d;
	enum sysreg_outcome outcome;
	unsigned vector;
	uint32_t error;
};

static const struct link_row link_rows[] = {
	/* A null link names the null descriptor, which is no busy TSS. */
	{ "null link is #TS(0)", 0x0000, 1, { 0, 0 }, SYSREG_FAULT, VEC_TS, 0 },
	{ "LDT link is #TS(link)", 0x001C, 0, { 0, 0 }, SYSREG_FAULT, VEC_TS, 0x1C },
	{ "beyond the GDT is #TS(link)", 0x0400, 0, { 0, 0 }, SYSREG_FAULT, VEC_TS, 0x400 },
	{ "a code segment is #TS(link)", 0x0008, 1, CODE(0), SYSREG_FAULT, VEC_TS, 0x08 },
	{ "an available TSS is #TS(link)", 0x0028, 1, TSS_AVAIL, SYSREG_FAULT, VEC_TS, 0x28 },
	{ "a busy TSS not present is #NP(link)", 0x0028, 1, ABSENT_TSS_BUSY, SYSREG_FAULT,
	  VEC_NP, 0x28 },
	{ "a busy TSS is a task switch", 0x0028, 1, TSS_BUSY, SYSREG_UNSUPPORTED, 0, 0 },
	{ "a busy 16-bit TSS is a task switch", 0x0030, 1, TSS16_BUSY, SYSREG_UNSUPPORTED, 0, 0 },
};

START_TEST(link_rule)
{
	const struct link_row *r = &link_rows[_i];
	struct sysreg_result got = return_check_task_link(r->link, r->have ? &r->d : NULL);

	ck_assert_msg(got.outcome == r->outcome, "%s: outcome %d, expected %d", r->rule,
		      got.outcome, r->outcome);
	if (r->outcome == SYSREG_FAULT)
		ck_assert_msg(got.vector == r->vector && got.error == r->error,
			      "%s: vector %u error 0x%x, expected %u 0x%x", r->rule, got.vector,
			      got.error, r->vector, r->error);
	if (r->outcome == SYSREG_UNSUPPORTED)
		ck_assert_msg(got.why != NULL, "%s: no reason given", r->rule);
}
END_TEST

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	Suite *s = suite_create("return_rules");
	TCase *cs = tcase_create("code_selector");
	TCase *link = tcase_create("task_link");
	tcase_add_loop_test(cs, cs_rule, 0, ROWS(cs_rows));
	tcase_add_loop_test(link, link_rule, 0, ROWS(link_rows));
	suite_add_tcase(s, cs);
	suite_add_tcase(s, link);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
