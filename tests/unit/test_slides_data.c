/*
 * tests/unit/test_slides_data.c: the pure half of `trapvisor slides`
 * (tools/slides_data.h): where classify's rows go in Popek and Goldberg's
 * sets, the silent rows and those UMIP cured, the rounding the deck and
 * data.json share, and the deck and data.json written from made-up
 * results. Runs on: host.
 *
 * The sets follow the definitions (Popek and Goldberg 1974): privileged is
 * "traps when run deprivileged", sensitive is the probe's catalog (its
 * privileged and sensitive rows); the rows here are made up in that shape.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/slides_data.h"

static void add_row(struct tv_classify_table *t, const char *name, const char *category,
		    int trapped, enum tv_verdict verdict)
{
	struct tv_classify_row *r = &t->row[t->nrows++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->category, sizeof(r->category), "%s", category);
	r->present = 1;
	r->trapped = trapped;
	r->verdict = verdict;
}

START_TEST(sets_follow_the_definitions)
{
	struct tv_classify_table t = { .nrows = 0 };
	size_t silent;

	add_row(&t, "cli", "privileged", 1, TV_VERDICT_TRAPPED_UNCHECKED);
	add_row(&t, "int_n", "sensitive", 1, TV_VERDICT_HOLDS);
	add_row(&t, "sgdt", "sensitive", 0, TV_VERDICT_SILENT);
	add_row(&t, "push_ds", "sensitive", 0, TV_VERDICT_SILENT_EQUAL);
	add_row(&t, "nop", "innocuous", 0, TV_VERDICT_HOLDS);
	add_row(&t, "odd", "innocuous", 1, TV_VERDICT_HOLDS);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[0]), TV_PG_BOTH);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[1]), TV_PG_BOTH);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[2]), TV_PG_SENSITIVE);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[3]), TV_PG_SENSITIVE);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[4]), TV_PG_NEITHER);
	ck_assert_int_eq(tv_slides_pg_set(&t.row[5]), TV_PG_PRIVILEGED);
	ck_assert_uint_eq(tv_slides_pg_count(&t, TV_PG_BOTH, &silent), 2);
	ck_assert_uint_eq(silent, 0);
	ck_assert_uint_eq(tv_slides_pg_count(&t, TV_PG_SENSITIVE, &silent), 2);
	/* Only a difference the guest saw makes a row silent; equal in this run does not. */
	ck_assert_uint_eq(silent, 1);
	ck_assert_uint_eq(tv_slides_silent_count(&t), 1);
	/* A row one run did not report is in no set. */
	t.row[2].present = 0;
	ck_assert_uint_eq(tv_slides_pg_count(&t, TV_PG_SENSITIVE, &silent), 1);
	ck_assert_uint_eq(tv_slides_silent_count(&t), 0);
}
END_TEST

START_TEST(umip_cures_only_what_then_traps)
{
	static struct tv_slides s;

	tv_slides_init(&s, "en", 1, 30);
	add_row(&s.classify, "sgdt", "sensitive", 0, TV_VERDICT_SILENT);
	add_row(&s.classify, "smsw", "sensitive", 0, TV_VERDICT_SILENT);
	add_row(&s.classify, "popf_if", "sensitive", 0, TV_VERDICT_SILENT);
	add_row(&s.classify, "cli", "privileged", 1, TV_VERDICT_TRAPPED_UNCHECKED);
	add_row(&s.classify_umip, "cli", "privileged", 1, TV_VERDICT_TRAPPED_UNCHECKED);
	add_row(&s.classify_umip, "popf_if", "sensitive", 0, TV_VERDICT_SILENT);
	add_row(&s.classify_umip, "smsw", "sensitive", 1, TV_VERDICT_HOLDS);
	add_row(&s.classify_umip, "sgdt", "sensitive", 1, TV_VERDICT_HOLDS);
	ck_assert_uint_eq(tv_slides_umip_cured(&s), 2);
}
END_TEST

START_TEST(rounding_and_ratios)
{
	struct tv_slides_case c = { .ran = 1 };

	ck_assert(tv_slides_2dp(2.344) == 2.34);
	ck_assert(tv_slides_2dp(2.346) == 2.35);
	ck_assert(tv_slides_2dp(1600.0) == 1600.0);
	c.native.median = 40;
	c.hv.median = 100;
	ck_assert(tv_slides_case_ratio(&c) == 2.5);
	c.native.median = 0;
	ck_assert(tv_slides_case_ratio(&c) < 0);
	c.native.median = 40;
	c.ran = 0;
	ck_assert(tv_slides_case_ratio(&c) < 0);
}
END_TEST

/* The whole of a file, NUL-terminated (the caller frees it). */
static char *slurp(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *buf = calloc(1, 1 << 20);
	fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(deck_and_data_from_made_up_results)
{
	static struct tv_slides s;
	char dir[] = "/tmp/test_slides.XXXXXX", err[256];
	static const char *const pictures[] = { "rings.svg", "popek_goldberg.svg",
						 "trap_path.svg", "cures.svg" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	tv_slides_init(&s, "en", 1, 30);
	tv_demo_results_init(&s.demo);
	s.demo.nexp = 1;
	snprintf(s.demo.exp[0].name, sizeof(s.demo.exp[0].name), "irqsave_lost_update");
	snprintf(s.demo.exp[0].title, sizeof(s.demo.exp[0].title), "Lost updates");
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		struct tv_demo_cell *c = &s.demo.exp[0].cell[run];
		c->present = 1;
		snprintf(c->observed, sizeof(c->observed), "%s", run == 1 ? "lost" : "none");
		snprintf(c->detail, sizeof(c->detail), "%s", run == 1 ? "7 of 9 <lost>, & more"
								 : "0 of 9");
	}
	s.demo.run[TV_DEMO_TRAP_EMULATE].traps = 4242;
	s.trap.ring = 1;
	s.trap.found = 1;
	s.trap.eip = 0x100e10;
	snprintf(s.trap.insn, sizeof(s.trap.insn), "cli");
	s.trap.part[TV_PART_EMULATE] = 189;
	s.cases[TV_CASE_CLI_NONE].ran = 1;
	s.cases[TV_CASE_CLI_NONE].native.median = 50;
	s.cases[TV_CASE_CLI_NONE].hv.median = 90000;
	s.cases[TV_CASE_CLI_NONE].traps = 16617;
	add_row(&s.classify, "sgdt", "sensitive", 0, TV_VERDICT_SILENT);
	for (size_t i = 0; i < 4; i++)
		put_file(dir, pictures[i], "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/"
			 "2000/svg\"><text>made up</text></svg>\n");

	ck_assert_int_eq(tv_slides_write_tables(&s, dir, err, sizeof(err)), 0);
	ck_assert_int_eq(tv_slides_write_deck(&s, dir, err, sizeof(err)), 0);
	char *html = slurp(dir, "index.html"), *json = slurp(dir, "data.json");
	char *csv = slurp(dir, "popf_demo.csv");

	/* Slides in order, each with its notes; no kernel slide without a kernel. */
	const char *ids[] = { "id=\"title\"", "id=\"roles\"", "id=\"trap\"", "id=\"popek\"",
			      "id=\"popf\"", "id=\"cures\"" };
	const char *at = html;
	for (size_t i = 0; i < 6; i++) {
		at = strstr(at, ids[i]);
		ck_assert_msg(at != NULL, "%s missing or out of order", ids[i]);
	}
	ck_assert_ptr_null(strstr(html, "id=\"kernel\""));
	ck_assert_ptr_nonnull(strstr(html, "<aside class=\"notes\">"));
	/* The pictures inline, without their XML prolog. */
	ck_assert_ptr_nonnull(strstr(html, "<svg xmlns"));
	ck_assert_ptr_null(strstr(html, "<?xml"));
	/* Numbers as spans naming data.json's keys, the guest's text escaped. */
	ck_assert_ptr_nonnull(strstr(html, "<span class=\"num\" data-key=\"demo.runs."
					   "trap_and_emulate.traps\">4242</span>"));
	ck_assert_ptr_nonnull(strstr(html, "data-key=\"trap.cycles.emulate\">189</span>"));
	ck_assert_ptr_nonnull(strstr(html, "data-key=\"cures.cli_sti/none.ratio\">1800.00</span>"));
	ck_assert_ptr_nonnull(strstr(html, "7 of 9 &lt;lost&gt;, &amp; more"));
	ck_assert_ptr_null(strstr(html, "<lost>"));
	ck_assert_ptr_nonnull(strstr(json, "\"traps\": 4242"));
	ck_assert_ptr_nonnull(strstr(json, "\"cli_sti/none\""));
	ck_assert_ptr_nonnull(strstr(json, "\"detail\": \"7 of 9 <lost>, & more\""));
	/* The CSV quotes the field with a comma in it. */
	ck_assert_ptr_nonnull(strstr(csv, ",trap_and_emulate,lost,\"7 of 9 <lost>, & more\",false"));
	free(html);
	free(json);
	free(csv);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slides_data");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sets_follow_the_definitions);
	tcase_add_test(tc, umip_cures_only_what_then_traps);
	tcase_add_test(tc, rounding_and_ratios);
	tcase_add_test(tc, deck_and_data_from_made_up_results);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
