/*
 * tests/unit/test_classify_table.c: the pure half of `trapvisor classify`
 * (tools/classify_table.h) on made-up runs. Runs on: host.
 *
 * The runs are shaped by the architecture, not copied from a real one: on
 * the bare machine (ring 0) OUT writes COM1's scratch register, which reads
 * back, and SGDT stores the kernel's own GDTR; deprivileged without UMIP,
 * OUT raises #GP (the hypervisor's trap line carries its EIP) and is
 * emulated, while SGDT runs without a trap and stores the hypervisor's
 * GDTR; ADD is innocuous and runs unchanged. A CLI row, whose effect the
 * probe does not observe (effect=unchecked), traps too.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/classify_table.h"

/* Rows at made-up addresses: OUT (1 byte), SGDT (7 bytes), ADD (2 bytes), CLI (1 byte). */
#define LA_OUT	0x00100100u
#define LA_SGDT	0x00100110u
#define LA_ADD	0x00100120u
#define LA_CLI	0x00100130u
#define OUT_READ_BACK	"eax=0x000000a5 flags=0x000000c1 exc=none"

static void feed(struct tv_probe_run *run, const char *line)
{
	struct tv_probe_line l;
	enum tv_probe_line_kind k = tv_probe_parse_line(line, strlen(line), &l);

	tv_probe_run_add_line(run, k, &l);
}

static void row_effect(struct tv_probe_run *run, const char *name, const char *category,
		       uint32_t la, const char *bytes, const char *effect, const char *observed)
{
	char line[512];

	snprintf(line, sizeof(line), "PROBE name=%s category=%s la=0x%08x len=%zu bytes=%s "
		 "effect=%s observed=\"%s\"", name, category, la, strlen(bytes) / 2, bytes, effect,
		 observed);
	feed(run, line);
}

/* A row whose observation shows the instruction's effect. */
static void row(struct tv_probe_run *run, const char *name, const char *category, uint32_t la,
		const char *bytes, const char *observed)
{
	row_effect(run, name, category, la, bytes, "checked", observed);
}

static void native_run(struct tv_probe_run *run)
{
	tv_probe_run_init(run);
	feed(run, "some other line the guest printed");
	row(run, "out", "privileged", LA_OUT, "ee", OUT_READ_BACK);
	row(run, "sgdt", "sensitive", LA_SGDT, "0f010500a01000",
	    "flags=0x000000c1 mem=3f00e8a91000 exc=none");
	row(run, "add", "innocuous", LA_ADD, "01c8", "eax=0x80000000 flags=0x00000894 exc=none");
	row_effect(run, "cli", "privileged", LA_CLI, "fa", "unchecked", "flags=0x000000c1 exc=none");
	feed(run, "PROBE-END count=4");
}

/*
 * Deprivileged: OUT and CLI trap (a trap line at each EIP), SGDT leaks the
 * hypervisor's GDTR; out_observed is what OUT's read-back saw.
 */
static void hv_run_out(struct tv_probe_run *run, const char *sgdt_observed,
		       const char *out_observed)
{
	tv_probe_run_init(run);
	tv_probe_run_add_trap(run, 0x00100f00u, 0);	/* console output, elsewhere */
	row(run, "out", "privileged", LA_OUT, "ee", out_observed);
	tv_probe_run_add_trap(run, LA_OUT, 0);
	row(run, "sgdt", "sensitive", LA_SGDT, "0f010500a01000", sgdt_observed);
	row(run, "add", "innocuous", LA_ADD, "01c8", "eax=0x80000000 flags=0x00000894 exc=none");
	row_effect(run, "cli", "privileged", LA_CLI, "fa", "unchecked", "flags=0x000000c1 exc=none");
	tv_probe_run_add_trap(run, LA_CLI, 0);
	feed(run, "PROBE-END count=4");
}

static void hv_run(struct tv_probe_run *run, const char *sgdt_observed)
{
	hv_run_out(run, sgdt_observed, OUT_READ_BACK);
}

static const struct tv_classify_config ring1 = { .ring = 1, .umip = 0, .patch = "none" };

/* ---- 1. lines ---- */

START_TEST(parses_a_probe_line)
{
	struct tv_probe_line l;
	const char *s = "PROBE name=sgdt category=sensitive la=0x00100f50 len=7 "
			"bytes=0f010500a01000 effect=checked "
			"observed=\"flags=0x000000c1 mem=3f00e8a91000 exc=none\"";

	ck_assert_int_eq(tv_probe_parse_line(s, strlen(s), &l), TV_PROBE_LINE_ROW);
	ck_assert_str_eq(l.name, "sgdt");
	ck_assert_str_eq(l.category, "sensitive");
	ck_assert_uint_eq(l.la, 0x00100f50u);
	ck_assert_uint_eq(l.len, 7);
	ck_assert_str_eq(l.bytes, "0f010500a01000");
	ck_assert_str_eq(l.observed, "flags=0x000000c1 mem=3f00e8a91000 exc=none");
	ck_assert_int_eq(l.skipped, 0);
	ck_assert_int_eq(l.effect_checked, 1);
}
END_TEST

START_TEST(parses_skipped_and_end)
{
	struct tv_probe_line l;
	const char *s = "PROBE name=invd category=privileged la=0x00100e10 len=2 bytes=0f08 "
			"effect=unchecked observed=\"skipped\"";
	const char *e = "PROBE-END count=55\r";

	ck_assert_int_eq(tv_probe_parse_line(s, strlen(s), &l), TV_PROBE_LINE_ROW);
	ck_assert_int_eq(l.skipped, 1);
	ck_assert_int_eq(l.effect_checked, 0);
	ck_assert_int_eq(tv_probe_parse_line(e, strlen(e), &l), TV_PROBE_LINE_END);
	ck_assert_uint_eq(l.count, 55);
}
END_TEST

START_TEST(refuses_malformed_lines)
{
	static const char *const bad[] = {
		/* length and bytes disagree */
		"PROBE name=cli category=privileged la=0x00100100 len=2 bytes=fa effect=checked observed=\"x\"",
		/* unknown category */
		"PROBE name=cli category=weird la=0x00100100 len=1 bytes=fa effect=checked observed=\"x\"",
		/* a name with characters a row cannot have */
		"PROBE name=c;i category=privileged la=0x00100100 len=1 bytes=fa effect=checked observed=\"x\"",
		/* no 0x on the address */
		"PROBE name=cli category=privileged la=00100100 len=1 bytes=fa effect=checked observed=\"x\"",
		/* longer than any x86 instruction */
		"PROBE name=cli category=privileged la=0x00100100 len=16 bytes=fa effect=checked observed=\"x\"",
		/* unterminated quote */
		"PROBE name=cli category=privileged la=0x00100100 len=1 bytes=fa effect=checked observed=\"x",
		/* no effect field: a row must say whether its observation shows the effect */
		"PROBE name=cli category=privileged la=0x00100100 len=1 bytes=fa observed=\"x\"",
		/* an effect that is neither */
		"PROBE name=cli category=privileged la=0x00100100 len=1 bytes=fa effect=maybe observed=\"x\"",
		"PROBE-END count=many",
		"PROBEX",
	};
	struct tv_probe_line l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tv_probe_parse_line(bad[i], strlen(bad[i]), &l) ==
				      TV_PROBE_LINE_MALFORMED, "accepted: %s", bad[i]);
	ck_assert_int_eq(tv_probe_parse_line("hello", 5, &l), TV_PROBE_LINE_OTHER);
}
END_TEST

/* ---- 2. runs ---- */

START_TEST(trap_inside_the_instruction_counts)
{
	struct tv_probe_run run;

	tv_probe_run_init(&run);
	tv_probe_run_add_trap(&run, LA_SGDT + 6, 0);	/* last byte of a 7-byte instruction */
	ck_assert(tv_probe_trapped(&run, LA_SGDT, 7));
	ck_assert(!tv_probe_trapped(&run, LA_SGDT, 6));	/* one past the end */
	ck_assert(!tv_probe_trapped(&run, LA_SGDT + 7, 2));
	ck_assert(!tv_probe_trapped(&run, LA_OUT, 1));
}
END_TEST

START_TEST(complete_needs_end_and_every_row)
{
	static struct tv_probe_run native, partial;

	native_run(&native);
	ck_assert(tv_probe_run_complete(&native, NULL));
	tv_probe_run_init(&partial);
	row(&partial, "out", "privileged", LA_OUT, "ee", OUT_READ_BACK);
	ck_assert(!tv_probe_run_complete(&partial, &native));	/* no PROBE-END */
	feed(&partial, "PROBE-END count=1");
	ck_assert(tv_probe_run_complete(&partial, NULL));
	ck_assert(!tv_probe_run_complete(&partial, &native));	/* fewer rows than the reference */
}
END_TEST

START_TEST(duplicate_row_is_malformed)
{
	static struct tv_probe_run run;

	native_run(&run);
	row(&run, "out", "privileged", LA_OUT, "ee", OUT_READ_BACK);
	ck_assert_uint_eq(run.nrows, 4);
	ck_assert_uint_eq(run.nmalformed, 1);
	ck_assert(!tv_probe_run_complete(&run, NULL));
}
END_TEST

START_TEST(stop_is_attributed_by_eip_else_by_order)
{
	static struct tv_probe_run native, stopped;

	native_run(&native);
	/* The hypervisor stopped at SGDT's address: that row. */
	tv_probe_run_init(&stopped);
	row(&stopped, "out", "privileged", LA_OUT, "ee", OUT_READ_BACK);
	tv_probe_run_add_trap(&stopped, LA_SGDT + 3, 1);
	ck_assert_int_eq(tv_classify_stopped_row(&native, &stopped), 1);

	/* Stopped outside any instruction (in a row's set-up): the first row not reported. */
	tv_probe_run_init(&stopped);
	row(&stopped, "out", "privileged", LA_OUT, "ee", OUT_READ_BACK);
	tv_probe_run_add_trap(&stopped, 0x00100f00u, 1);
	ck_assert_int_eq(tv_classify_stopped_row(&native, &stopped), 1);

	/* Every row reported and no address: nothing to blame. */
	hv_run(&stopped, "exc=none");
	ck_assert_int_eq(tv_classify_stopped_row(&native, &stopped), -1);
}
END_TEST

/* ---- 3. verdicts ---- */

START_TEST(verdict_rules)
{
	/* Arguments: category, effect checked, present, stopped, trapped, equal. */
	/* Trapped and emulated right: the Popek-Goldberg case. */
	ck_assert_int_eq(tv_classify_verdict("privileged", 1, 1, 0, 1, 1), TV_VERDICT_HOLDS);
	/* Trapped but emulated into something else. */
	ck_assert_int_eq(tv_classify_verdict("privileged", 1, 1, 0, 1, 0), TV_VERDICT_TRAPPED_DIFFERS);
	/* Ran natively and differed: the x86 problem. */
	ck_assert_int_eq(tv_classify_verdict("sensitive", 1, 1, 0, 0, 0), TV_VERDICT_SILENT);
	ck_assert_int_eq(tv_classify_verdict("innocuous", 1, 1, 0, 0, 0), TV_VERDICT_SILENT);
	/* Innocuous and equal: runs natively, as efficiency wants. */
	ck_assert_int_eq(tv_classify_verdict("innocuous", 1, 1, 0, 0, 1), TV_VERDICT_HOLDS);
	/* Sensitive, untrapped, yet equal: this run could not tell. */
	ck_assert_int_eq(tv_classify_verdict("sensitive", 1, 1, 0, 0, 1), TV_VERDICT_SILENT_EQUAL);
	ck_assert_int_eq(tv_classify_verdict("privileged", 1, 1, 0, 0, 1), TV_VERDICT_SILENT_EQUAL);
	/* Stops win over everything; a missing row is no result. */
	ck_assert_int_eq(tv_classify_verdict("privileged", 1, 0, 1, 1, 0), TV_VERDICT_STOPPED);
	ck_assert_int_eq(tv_classify_verdict("privileged", 1, 0, 0, 0, 0), TV_VERDICT_NO_RESULT);
}
END_TEST

/*
 * A row whose observation cannot show the instruction's effect is equal
 * even when the emulation does nothing: it never "holds", in any category.
 * A difference is still a difference.
 */
START_TEST(unchecked_effect_never_holds)
{
	ck_assert_int_eq(tv_classify_verdict("privileged", 0, 1, 0, 1, 1),
			 TV_VERDICT_TRAPPED_UNCHECKED);
	ck_assert_int_eq(tv_classify_verdict("innocuous", 0, 1, 0, 1, 1),
			 TV_VERDICT_TRAPPED_UNCHECKED);
	ck_assert_int_eq(tv_classify_verdict("innocuous", 0, 1, 0, 0, 1),
			 TV_VERDICT_UNTRAPPED_UNCHECKED);
	ck_assert_int_eq(tv_classify_verdict("privileged", 0, 1, 0, 0, 1),
			 TV_VERDICT_UNTRAPPED_UNCHECKED);
	ck_assert_int_eq(tv_classify_verdict("privileged", 0, 1, 0, 1, 0),
			 TV_VERDICT_TRAPPED_DIFFERS);
	ck_assert_int_eq(tv_classify_verdict("sensitive", 0, 1, 0, 0, 0), TV_VERDICT_SILENT);
	ck_assert_int_eq(tv_classify_verdict("privileged", 0, 1, 1, 1, 1), TV_VERDICT_STOPPED);
	ck_assert_int_eq(tv_classify_verdict("privileged", 0, 0, 0, 0, 0), TV_VERDICT_NO_RESULT);
	ck_assert_str_eq(tv_verdict_name(TV_VERDICT_TRAPPED_UNCHECKED),
			 "trapped; effect not checked here");
	ck_assert_str_ne(tv_verdict_name(TV_VERDICT_UNTRAPPED_UNCHECKED),
			 tv_verdict_name(TV_VERDICT_HOLDS));
}
END_TEST

START_TEST(build_classifies_each_row)
{
	static struct tv_probe_run native, virt;
	static struct tv_classify_table t;

	native_run(&native);
	hv_run(&virt, "flags=0x000000c1 mem=ff070028c0ff exc=none");
	tv_classify_build(&t, &ring1, &native, &virt, NULL, NULL, 0);

	ck_assert_uint_eq(t.nrows, 4);
	ck_assert_str_eq(t.row[0].name, "out");
	ck_assert(t.row[0].trapped && t.row[0].equal && t.row[0].effect_checked);
	ck_assert_int_eq(t.row[0].verdict, TV_VERDICT_HOLDS);
	ck_assert_str_eq(t.row[1].name, "sgdt");
	ck_assert(!t.row[1].trapped && !t.row[1].equal);
	ck_assert_int_eq(t.row[1].verdict, TV_VERDICT_SILENT);
	ck_assert_int_eq(t.row[2].verdict, TV_VERDICT_HOLDS);
	/* CLI trapped and its line is equal, but that line cannot show IF. */
	ck_assert_str_eq(t.row[3].name, "cli");
	ck_assert(t.row[3].trapped && t.row[3].equal && !t.row[3].effect_checked);
	ck_assert_int_eq(t.row[3].verdict, TV_VERDICT_TRAPPED_UNCHECKED);
	ck_assert_int_eq(t.row[0].capstone_privileged, -1);	/* for the caller to fill */
}
END_TEST

/* An OUT emulated as a no-op: the scratch register reads back its old value. */
START_TEST(out_as_a_no_op_differs)
{
	static struct tv_probe_run native, virt;
	static struct tv_classify_table t;

	native_run(&native);
	hv_run_out(&virt, "flags=0x000000c1 mem=ff070028c0ff exc=none",
		   "eax=0x0000005a flags=0x000000c1 exc=none");
	tv_classify_build(&t, &ring1, &native, &virt, NULL, NULL, 0);
	ck_assert_str_eq(t.row[0].name, "out");
	ck_assert_int_eq(t.row[0].verdict, TV_VERDICT_TRAPPED_DIFFERS);
}
END_TEST

START_TEST(build_marks_stopped_and_patched_rows)
{
	static struct tv_probe_run native, virt;
	static struct tv_classify_table t;
	const char *stopped[] = { "sgdt" };
	const char *why[] = { "unemulated: sgdt" };

	native_run(&native);
	tv_probe_run_init(&virt);
	row(&virt, "out", "privileged", LA_OUT, "cc", OUT_READ_BACK);	/* patched */
	tv_probe_run_add_trap(&virt, LA_OUT, 0);
	row(&virt, "sgdt", "sensitive", LA_SGDT, "0f010500a01000", "skipped");
	row(&virt, "add", "innocuous", LA_ADD, "01c8", "eax=0x80000000 flags=0x00000894 exc=none");
	row_effect(&virt, "cli", "privileged", LA_CLI, "fa", "unchecked", "flags=0x000000c1 exc=none");
	feed(&virt, "PROBE-END count=4");
	tv_classify_build(&t, &ring1, &native, &virt, stopped, why, 1);

	ck_assert(t.row[0].patched);
	ck_assert_str_eq(t.row[0].bytes, "ee");		/* the bare machine's bytes are shown */
	ck_assert(t.row[1].stopped && !t.row[1].present);
	ck_assert_str_eq(t.row[1].stop_reason, "unemulated: sgdt");
	ck_assert_int_eq(t.row[1].verdict, TV_VERDICT_STOPPED);
}
END_TEST

START_TEST(emulated_wrongly_is_trapped_but_differs)
{
	static struct tv_probe_run native, virt;
	static struct tv_classify_table t;

	native_run(&native);
	hv_run(&virt, "flags=0x000000c1 mem=3f00e8a91000 exc=none");
	/* As with UMIP: SGDT now traps, but say the emulation stored the wrong limit. */
	tv_probe_run_add_trap(&virt, LA_SGDT, 0);
	strcpy(virt.row[1].observed, "flags=0x000000c1 mem=ff00e8a91000 exc=none");
	tv_classify_build(&t, &ring1, &native, &virt, NULL, NULL, 0);
	ck_assert_int_eq(t.row[1].verdict, TV_VERDICT_TRAPPED_DIFFERS);
}
END_TEST

/* ---- 4. formats ---- */

static char *print_to_string(const struct tv_classify_table *t, enum tv_classify_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tv_classify_print(f, t, fmt);
	fclose(f);
	return buf;
}

static void filled_table(struct tv_classify_table *t)
{
	static struct tv_probe_run native, virt;

	native_run(&native);
	hv_run(&virt, "flags=0x000000c1 mem=ff070028c0ff exc=none");
	tv_classify_build(t, &ring1, &native, &virt, NULL, NULL, 0);
	snprintf(t->row[1].insn, sizeof(t->row[1].insn), "sgdt [0x10a000]");
	t->row[1].capstone_privileged = 0;
	snprintf(t->row[2].insn, sizeof(t->row[2].insn), "add eax, ecx");
}

START_TEST(csv_has_the_documented_columns)
{
	static struct tv_classify_table t;
	filled_table(&t);
	char *s = print_to_string(&t, TV_CLASSIFY_CSV);

	ck_assert_ptr_nonnull(strstr(s, "instruction,category,capstone_privileged,trapped,"
					"equal_to_native,verdict,"));
	ck_assert_ptr_nonnull(strstr(s, "\nsgdt [0x10a000],sensitive,no,no,no,"
					"SILENT: equivalence broken,sgdt,0x00100110,"));
	/* A cell with a comma is quoted. */
	ck_assert_ptr_nonnull(strstr(s, "\n\"add eax, ecx\",innocuous,?,no,yes,"
					"trap-and-emulate holds,add,"));
	/* CLI: trapped and equal, and yet not "holds". */
	ck_assert_ptr_nonnull(strstr(s, "\ncli,privileged,?,yes,yes,"
					"trapped; effect not checked here,cli,0x00100130,"));
	free(s);
}
END_TEST

START_TEST(json_and_markdown_carry_the_cells)
{
	static struct tv_classify_table t;
	filled_table(&t);
	char *j = print_to_string(&t, TV_CLASSIFY_JSON);
	char *m = print_to_string(&t, TV_CLASSIFY_MARKDOWN);

	ck_assert_ptr_nonnull(strstr(j, "\"ring\": 1, \"umip\": false, \"patch\": \"none\""));
	ck_assert_ptr_nonnull(strstr(j, "\"name\": \"sgdt\", \"instruction\": \"sgdt [0x10a000]\""));
	ck_assert_ptr_nonnull(strstr(j, "\"capstone_privileged\": false, \"trapped\": false, "
					"\"equal_to_native\": false, \"effect_checked\": true"));
	ck_assert_ptr_nonnull(strstr(j, "\"equal_to_native\": true, \"effect_checked\": false, "
					"\"stopped\": false, \"patched\": false, "
					"\"verdict\": \"trapped; effect not checked here\""));
	ck_assert_ptr_nonnull(strstr(m, "| sgdt | sgdt [0x10a000] | sensitive | no | no | no | "
					"**SILENT: equivalence broken** |"));
	free(j);
	free(m);
}
END_TEST

START_TEST(format_names)
{
	ck_assert_int_eq(tv_classify_format_from_name("text"), TV_CLASSIFY_TEXT);
	ck_assert_int_eq(tv_classify_format_from_name("md"), TV_CLASSIFY_MARKDOWN);
	ck_assert_int_eq(tv_classify_format_from_name("csv"), TV_CLASSIFY_CSV);
	ck_assert_int_eq(tv_classify_format_from_name("json"), TV_CLASSIFY_JSON);
	ck_assert_int_eq(tv_classify_format_from_name("xml"), -1);
}
END_TEST

START_TEST(matrix_shows_refused_configurations)
{
	static struct tv_classify_matrix m;
	char *buf = NULL;
	size_t len = 0;

	memset(&m, 0, sizeof(m));
	filled_table(&m.table[0]);
	m.ran[0] = 1;
	m.table[1].config = (struct tv_classify_config){ .ring = 3, .umip = 1, .patch = "all" };
	m.ran[1] = 0;
	snprintf(m.note[1], sizeof(m.note[1]), "the hypervisor refused it");
	m.nconfigs = 2;

	FILE *f = open_memstream(&buf, &len);
	tv_classify_print_matrix(f, &m, TV_CLASSIFY_CSV);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "instruction,category,capstone_privileged,"
					  "r1 umip- none,r3 umip+ all\n"));
	ck_assert_ptr_nonnull(strstr(buf, "sgdt [0x10a000],sensitive,no,"
					  "SILENT: equivalence broken,not run\n"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	tv_classify_print_matrix(f, &m, TV_CLASSIFY_TEXT);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "ring 3, UMIP on, patch=all: not run: the hypervisor refused it"));
	free(buf);
}
END_TEST

static Suite *classify_suite(void)
{
	Suite *s = suite_create("classify_table");
	TCase *lines = tcase_create("lines");
	TCase *runs = tcase_create("runs");
	TCase *verdicts = tcase_create("verdicts");
	TCase *formats = tcase_create("formats");

	tcase_add_test(lines, parses_a_probe_line);
	tcase_add_test(lines, parses_skipped_and_end);
	tcase_add_test(lines, refuses_malformed_lines);
	tcase_add_test(runs, trap_inside_the_instruction_counts);
	tcase_add_test(runs, complete_needs_end_and_every_row);
	tcase_add_test(runs, duplicate_row_is_malformed);
	tcase_add_test(runs, stop_is_attributed_by_eip_else_by_order);
	tcase_add_test(verdicts, verdict_rules);
	tcase_add_test(verdicts, unchecked_effect_never_holds);
	tcase_add_test(verdicts, build_classifies_each_row);
	tcase_add_test(verdicts, out_as_a_no_op_differs);
	tcase_add_test(verdicts, build_marks_stopped_and_patched_rows);
	tcase_add_test(verdicts, emulated_wrongly_is_trapped_but_differs);
	tcase_add_test(formats, csv_has_the_documented_columns);
	tcase_add_test(formats, json_and_markdown_carry_the_cells);
	tcase_add_test(formats, format_names);
	tcase_add_test(formats, matrix_shows_refused_configurations);
	suite_add_tcase(s, lines);
	suite_add_tcase(s, runs);
	suite_add_tcase(s, verdicts);
	suite_add_tcase(s, formats);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(classify_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
