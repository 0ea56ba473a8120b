/*
 * tests/unit/test_scan_table.c: the pure half of `trapvisor scan`
 * (tools/scan_table.h) on made-up runs. Runs on: host.
 *
 * The runs are shaped by the architecture, not copied from a real one: on
 * the bare machine SGDT stores the kernel's GDTR; deprivileged without
 * UMIP it runs without a trap and stores the hypervisor's, so its digest
 * differs with no trap line at its slot. CLI raises #GP deprivileged (a
 * trap line at its slot) and is emulated: the same digest. INT 0xE0 goes
 * through a DPL-0 gate, traps and is reflected: the same vector on both
 * sides. RDTSC reads another count every time: "varies".
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/scan_table.h"

#define SLOTS	0x00400000u
#define SLOT	32u

static struct tv_scan *scan;

static void feed(int virt, const char *line)
{
	struct tv_scan_line l;
	enum tv_scan_line_kind k = tv_scan_parse_line(line, strlen(line), &l);

	tv_scan_add_line(scan, virt, k, &l);
}

static void both_runs(void)
{
	scan = calloc(1, sizeof(*scan));
	ck_assert_ptr_nonnull(scan);
	tv_scan_init(scan, 1, 0);
	feed(0, "SCAN-SKIP what=\"f4\" why=\"HLT: would hang\"");
	feed(0, "SCAN-BEGIN cases=4 slots=0x00400000 slot=32");
	feed(0, "C 0 0f010500003000 - 11111111");
	feed(0, "C 1 fa - 22222222");
	feed(0, "C 2 cde0 e0/0 33333333");
	feed(0, "C 3 0f31 - varies");
	feed(0, "SCAN-END cases=4");
	feed(1, "SCAN-SKIP what=\"f4\" why=\"HLT: would hang\"");
	feed(1, "SCAN-BEGIN cases=4 slots=0x00400000 slot=32");
	feed(1, "C 0 0f010500003000 - 44444444");
	feed(1, "C 1 fa - 22222222");
	feed(1, "C 2 cde0 e0/0 33333333");
	feed(1, "C 3 0f31 - varies");
	feed(1, "SCAN-END cases=4");
	tv_scan_add_trap(scan, SLOTS + 1 * SLOT, "emulate");	/* CLI */
	tv_scan_add_trap(scan, SLOTS + 2 * SLOT, "reflect");	/* INT 0xE0 */
	/* Not the instruction's: a shadow fill at SGDT, and the jump back after it. */
	tv_scan_add_trap(scan, SLOTS + 0 * SLOT, "hidden");
	tv_scan_add_trap(scan, SLOTS + 0 * SLOT + 7, "reflect");
	/* Outside every slot. */
	tv_scan_add_trap(scan, SLOTS - 4, "emulate");
	tv_scan_add_trap(scan, SLOTS + 4 * SLOT, "emulate");
}

static void done(void)
{
	free(scan);
	scan = NULL;
}

START_TEST(lines_parse_and_refuse)
{
	struct tv_scan_line l;

	ck_assert_int_eq(tv_scan_parse_line("C 12 0f00d8 0d/3010 1a2b3c4d", 28, &l), TV_SCAN_LINE_CASE);
	ck_assert_uint_eq(l.index, 12);
	ck_assert_str_eq(l.bytes, "0f00d8");
	ck_assert_str_eq(l.exc, "0d/3010");
	ck_assert_uint_eq(l.digest, 0x1a2b3c4du);
	ck_assert_int_eq(tv_scan_parse_line("C 3 0f31 - varies", 17, &l), TV_SCAN_LINE_CASE);
	ck_assert_int_eq(l.varies, 1);
	/* Odd hex, upper case, a short digest, anything after it. */
	const char *bad[] = { "C 1 0f0 - 11111111", "C 1 0F - 11111111", "C 1 0f - 1111",
			      "C 1 0f - 11111111 x", "C x 0f - 11111111", "SCAN-BEGIN cases=x",
			      "SCAN-SKIP what=\"a\"", "SCAN-END" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(tv_scan_parse_line(bad[i], strlen(bad[i]), &l),
				 TV_SCAN_LINE_MALFORMED);
	ck_assert_int_eq(tv_scan_parse_line("hello", 5, &l), TV_SCAN_LINE_OTHER);
	const char *begin = "SCAN-BEGIN cases=8955 slots=0x00400000 slot=32";
	ck_assert_int_eq(tv_scan_parse_line(begin, strlen(begin), &l), TV_SCAN_LINE_BEGIN);
	ck_assert_uint_eq(l.cases, 8955);
	ck_assert_uint_eq(l.slots, 0x00400000u);
	ck_assert_uint_eq(l.slot_bytes, 32);
}
END_TEST

START_TEST(verdicts_follow_digests_and_traps)
{
	both_runs();
	tv_scan_judge(scan);
	ck_assert_int_eq(scan->c[0].verdict, TV_SCAN_SILENT);
	ck_assert_int_eq(scan->c[1].verdict, TV_SCAN_CAUGHT);
	ck_assert_int_eq(scan->c[2].verdict, TV_SCAN_CAUGHT);
	ck_assert_int_eq(scan->c[3].verdict, TV_SCAN_VARIES);
	ck_assert_uint_eq(scan->nskips, 1);	/* said twice, kept once */
	ck_assert_uint_eq(scan->nmalformed, 0);
	done();
}
END_TEST

START_TEST(a_trapped_difference_and_a_stop)
{
	both_runs();
	/* CLI emulated into something else: trapped but differs. */
	feed(1, "C 1 fa - 55555555");
	scan->c[2].stopped = 1;
	tv_scan_judge(scan);
	ck_assert_int_eq(scan->c[1].verdict, TV_SCAN_DIFFERS);
	ck_assert_int_eq(scan->c[2].verdict, TV_SCAN_STOPPED);
	/* INT n missed, and the reason says it stopped the hypervisor rather than trapped. */
	struct tv_scan_report *r = calloc(1, sizeof(*r));
	char why[160];
	scan->c[2].ri = 14;
	for (unsigned n = 0; n < 4; n++)
		if (n != 2)
			scan->c[n].ri = -1;
	tv_scan_report_build(scan, r);
	ck_assert_int_eq(r->ri_found[14], 0);
	tv_scan_ri_missed_why(r, 14, why, sizeof(why));
	ck_assert_str_eq(why, "of 1 forms run: 1 stop the hypervisor");
	free(r);
	done();
}
END_TEST

START_TEST(another_instruction_in_the_same_slot_is_refused)
{
	both_runs();
	feed(1, "C 0 90 - 11111111");
	ck_assert_uint_eq(scan->nmalformed, 1);
	ck_assert_uint_eq(tv_scan_first_missing(scan, 1, 0), 4);
	done();
}
END_TEST

START_TEST(first_missing_names_where_a_run_ended)
{
	scan = calloc(1, sizeof(*scan));
	tv_scan_init(scan, 3, 1);
	feed(0, "SCAN-BEGIN cases=3 slots=0x00400000 slot=32");
	feed(0, "C 0 fa - 22222222");
	feed(0, "C 2 fb - 22222222");
	ck_assert_uint_eq(tv_scan_first_missing(scan, 0, 0), 1);
	ck_assert_uint_eq(tv_scan_first_missing(scan, 0, 2), 3);
	ck_assert_uint_eq(tv_scan_first_missing(scan, 1, 0), 0);
	done();
}
END_TEST

/* Group names and Robin & Irvine's indices as tools/scan.c gives them from Capstone. */
static void name(unsigned n, const char *group, int ri)
{
	snprintf(scan->c[n].group, sizeof(scan->c[n].group), "%s", group);
	snprintf(scan->c[n].insn, sizeof(scan->c[n].insn), "%s", group);
	scan->c[n].ri = ri;
}

static struct tv_scan_report *report(void)
{
	struct tv_scan_report *r = calloc(1, sizeof(*r));

	name(0, "sgdt", 0);
	name(1, "cli", -1);
	name(2, "int", 14);
	name(3, "rdtsc", -1);
	tv_scan_judge(scan);
	tv_scan_report_build(scan, r);
	return r;
}

START_TEST(robin_irvine_found_and_missed)
{
	both_runs();
	struct tv_scan_report *r = report();
	char why[160];

	ck_assert_uint_eq(r->ngroups, 4);
	ck_assert_int_eq(r->ri_found[0], 1);	/* SGDT */
	ck_assert_int_eq(r->ri_found[14], 0);	/* INT n */
	ck_assert_uint_eq(r->total[TV_SCAN_SILENT], 1);
	ck_assert_uint_eq(r->total[TV_SCAN_CAUGHT], 2);
	tv_scan_ri_missed_why(r, 14, why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "traps deprivileged in all 1 forms"));
	tv_scan_ri_missed_why(r, 6, why, sizeof(why));	/* LAR: not in these runs */
	ck_assert_str_eq(why, "no form of it was run");
	free(r);
	done();
}
END_TEST

static char *print(enum tv_scan_format format)
{
	struct tv_scan_report *r = report();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tv_scan_print(f, scan, r, format);
	fclose(f);
	free(r);
	return buf;
}

START_TEST(formats_say_the_same)
{
	both_runs();
	char *text = print(TV_SCAN_TEXT);
	ck_assert_ptr_nonnull(strstr(text, "4 cases: 0 run natively with the same outcome, 2 trapped and held, 1 SILENT"));
	ck_assert_ptr_nonnull(strstr(text, "  SGDT   found "));
	ck_assert_ptr_nonnull(strstr(text, "  INT n  MISSED  traps deprivileged"));
	ck_assert_ptr_nonnull(strstr(text, "f4: HLT: would hang"));
	free(text);
	char *csv = print(TV_SCAN_CSV);
	ck_assert_ptr_nonnull(strstr(csv, "instruction,example,bytes,forms,silent,"));
	ck_assert_ptr_nonnull(strstr(csv, "\nsgdt,sgdt,0f010500003000,1,1,0,0,0,0,0,no fault,no fault,SGDT\n"));
	free(csv);
	char *json = print(TV_SCAN_JSON);
	ck_assert_ptr_nonnull(strstr(json, "{\"instruction\": \"SGDT\", \"found\": true"));
	ck_assert_ptr_nonnull(strstr(json, "{\"instruction\": \"INT n\", \"found\": false"));
	free(json);
	char *md = print(TV_SCAN_MARKDOWN);
	ck_assert_ptr_nonnull(strstr(md, "| SGDT | found |"));
	free(md);
	ck_assert_int_eq(tv_scan_format_from_name("xml"), -1);
	ck_assert_int_eq(tv_scan_format_from_name("md"), TV_SCAN_MARKDOWN);
	done();
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan_table");
	TCase *t = tcase_create("scan");

	tcase_add_test(t, lines_parse_and_refuse);
	tcase_add_test(t, verdicts_follow_digests_and_traps);
	tcase_add_test(t, a_trapped_difference_and_a_stop);
	tcase_add_test(t, another_instruction_in_the_same_slot_is_refused);
	tcase_add_test(t, first_missing_names_where_a_run_ended);
	tcase_add_test(t, robin_irvine_found_and_missed);
	tcase_add_test(t, formats_say_the_same);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scan_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
