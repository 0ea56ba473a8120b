/*
 * tests/unit/test_bench_table.c: the bench table (tools/bench_table.c) on
 * synthetic guest output. Runs on: host.
 *
 * The line format is the one guests/bench/bench_main.c documents; the
 * targets are the ones tools/bench_table.c states (compute loop within 1 %
 * of native, a trapped instruction at most 1.5 times the exception round
 * trip under the hypervisor, a reflected divide error at most 3 times
 * native, each macro row at most 5 times native), so every expected
 * verdict below follows from those rules.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench_table.h"

static struct tv_bench_line parse_ok(const char *s, enum tv_bench_line_kind want)
{
	struct tv_bench_line l;
	char err[128] = "";

	ck_assert_int_eq(tv_bench_parse_line(s, strlen(s), &l, err, sizeof(err)), want);
	ck_assert_int_eq(l.kind, want);
	return l;
}

static void add(struct tv_bench_table *t, enum tv_bench_side side, const char *s)
{
	char err[128] = "";
	enum tv_bench_line_kind k = tv_bench_table_add_line(t, side, s, strlen(s), err,
							    sizeof(err));
	ck_assert_msg(k != TV_BENCH_LINE_MALFORMED, "'%s' refused: %s", s, err);
}

/* A result line with the given figures. */
static void add_fig(struct tv_bench_table *t, enum tv_bench_side side, const char *name,
		    unsigned median, unsigned min, unsigned max)
{
	char line[256];

	snprintf(line, sizeof(line), "BENCH name=%s iterations=100 median=%u min=%u max=%u",
		 name, median, min, max);
	add(t, side, line);
}

static void start_both(struct tv_bench_table *t)
{
	tv_bench_table_init(t, 1, "none");
	add(t, TV_BENCH_NATIVE, "BENCH-START where=native batches=31");
	add(t, TV_BENCH_HV, "BENCH-START where=hv batches=31");
}

static void end_both(struct tv_bench_table *t)
{
	add(t, TV_BENCH_NATIVE, "BENCH-END");
	add(t, TV_BENCH_HV, "BENCH-END");
}

/* Everything in the output of one format, as a string the caller frees. */
static char *print_to_string(const struct tv_bench_table *t, enum tv_bench_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	tv_bench_print(f, t, fmt);
	fclose(f);
	return buf;
}

/* A table like a real run: every kind of row, including n/a. */
static void sample_table(struct tv_bench_table *t)
{
	start_both(t);
	add_fig(t, TV_BENCH_NATIVE, "empty_loop", 4, 4, 40);
	add_fig(t, TV_BENCH_HV, "empty_loop", 5, 5, 16);
	add_fig(t, TV_BENCH_NATIVE, "int3_round_trip", 300, 290, 900);
	add_fig(t, TV_BENCH_HV, "int3_round_trip", 30000, 29000, 70000);
	add_fig(t, TV_BENCH_NATIVE, "cli_sti", 50, 50, 200);
	add_fig(t, TV_BENCH_HV, "cli_sti", 40000, 39000, 41000);
	add_fig(t, TV_BENCH_NATIVE, "compute_loop", 400, 398, 500);
	add_fig(t, TV_BENCH_HV, "compute_loop", 402, 400, 600);
	add(t, TV_BENCH_NATIVE, "BENCH name=invlpg na=\"needs paging, \\\"later\\\"\"");
	add(t, TV_BENCH_HV, "BENCH name=invlpg na=\"needs paging, \\\"later\\\"\"");
	end_both(t);
}

START_TEST(test_parse_result)
{
	struct tv_bench_line l =
		parse_ok("BENCH name=cli_sti iterations=256 median=53 min=52 max=17270",
			 TV_BENCH_LINE_RESULT);

	ck_assert_str_eq(l.name, "cli_sti");
	ck_assert_int_eq(l.fig.present, 1);
	ck_assert_int_eq(l.fig.na, 0);
	ck_assert_uint_eq(l.fig.iterations, 256);
	ck_assert_uint_eq(l.fig.median, 53);
	ck_assert_uint_eq(l.fig.min, 52);
	ck_assert_uint_eq(l.fig.max, 17270);

	/* A serial line may end in CR. */
	l = parse_ok("BENCH name=x iterations=1 median=2 min=1 max=3\r", TV_BENCH_LINE_RESULT);
	ck_assert_uint_eq(l.fig.max, 3);
}
END_TEST

START_TEST(test_parse_na_and_markers)
{
	struct tv_bench_line l =
		parse_ok("BENCH name=mov_cr3_same na=\"the hypervisor does not emulate MOV to CR3 yet\"",
			 TV_BENCH_LINE_RESULT);

	ck_assert_str_eq(l.name, "mov_cr3_same");
	ck_assert_int_eq(l.fig.na, 1);
	ck_assert_str_eq(l.fig.na_reason, "the hypervisor does not emulate MOV to CR3 yet");

	/* \" and \\ inside quotes. */
	l = parse_ok("BENCH name=q na=\"a \\\"b\\\" c\\\\d\"", TV_BENCH_LINE_RESULT);
	ck_assert_str_eq(l.fig.na_reason, "a \"b\" c\\d");

	l = parse_ok("BENCH-START where=hv batches=31", TV_BENCH_LINE_START);
	ck_assert_str_eq(l.where, "hv");
	ck_assert_uint_eq(l.batches, 31);
	parse_ok("BENCH-END", TV_BENCH_LINE_END);
	parse_ok("selftest: starting", TV_BENCH_LINE_OTHER);
	parse_ok("", TV_BENCH_LINE_OTHER);
}
END_TEST

START_TEST(test_parse_malformed)
{
	static const char *const bad[] = {
		"BENCH iterations=1 median=1 min=1 max=1",		/* no name */
		"BENCH name=x iterations=1 min=1 max=1",		/* no median */
		"BENCH name=x iterations=1 median=-4 min=1 max=1",	/* not a number */
		"BENCH name=x iterations=1 median=4x min=1 max=1",
		"BENCH name=x iterations=1 median=99999999999999999999 min=1 max=1",
		"BENCH name=x na=\"unterminated",
		"BENCH name=x na=\"\"",				/* n/a without a reason */
		"BENCH name=x median",					/* not key=value */
		"BENCH-START where=hv",					/* no batches */
		"BENCH-START where=hv batches=0",
		"BENCH-END now",
		"BENCHMARK name=x",					/* not one of the words */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tv_bench_line l;
		char err[128] = "";
		ck_assert_msg(tv_bench_parse_line(bad[i], strlen(bad[i]), &l, err, sizeof(err)) ==
				      TV_BENCH_LINE_MALFORMED,
			      "accepted: %s", bad[i]);
		ck_assert_msg(err[0] != '\0', "no reason for: %s", bad[i]);
	}
}
END_TEST

START_TEST(test_table_complete_and_plausible)
{
	struct tv_bench_table t;
	char err[256];

	sample_table(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.nrows, 5);
	/* Rows keep the order of first appearance. */
	ck_assert_str_eq(t.rows[0].name, "empty_loop");
	ck_assert_str_eq(t.rows[4].name, "invlpg");
	ck_assert_uint_eq(t.batches[TV_BENCH_HV], 31);

	double ratio;
	ck_assert_int_eq(tv_bench_ratio(tv_bench_find(&t, "int3_round_trip"), &ratio), 0);
	ck_assert_double_eq_tol(ratio, 100.0, 1e-9);
	ck_assert_int_eq(tv_bench_ratio(tv_bench_find(&t, "invlpg"), &ratio), -1);
	ck_assert_ptr_null(tv_bench_find(&t, "nosuch"));
}
END_TEST

START_TEST(test_table_refuses_implausible)
{
	struct tv_bench_table t;
	char err[256];

	/* min > median */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "a", 10, 11, 12);
	add_fig(&t, TV_BENCH_HV, "a", 10, 9, 12);
	end_both(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "out of order"));

	/* median > max */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "a", 10, 9, 12);
	add_fig(&t, TV_BENCH_HV, "a", 13, 9, 12);
	end_both(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);

	/* a zero figure */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "a", 0, 0, 12);
	add_fig(&t, TV_BENCH_HV, "a", 10, 9, 12);
	end_both(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "zero"));

	/* one side never reported a benchmark */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "a", 10, 9, 12);
	add_fig(&t, TV_BENCH_NATIVE, "b", 10, 9, 12);
	add_fig(&t, TV_BENCH_HV, "a", 10, 9, 12);
	end_both(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "b: no figures from the hv run"));

	/* a run that never finished */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "a", 10, 9, 12);
	add_fig(&t, TV_BENCH_HV, "a", 10, 9, 12);
	add(&t, TV_BENCH_NATIVE, "BENCH-END");
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "BENCH-END"));

	/* nothing at all */
	start_both(&t);
	end_both(&t);
	ck_assert_int_eq(tv_bench_table_check(&t, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_table_refuses_duplicates_and_wrong_side)
{
	struct tv_bench_table t;
	char err[256] = "";
	const char *dup = "BENCH name=a iterations=1 median=2 min=1 max=3";

	start_both(&t);
	add(&t, TV_BENCH_NATIVE, dup);
	ck_assert_int_eq(tv_bench_table_add_line(&t, TV_BENCH_NATIVE, dup, strlen(dup), err,
						 sizeof(err)),
			 TV_BENCH_LINE_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err, "twice"));

	/* The guest must say it ran where the host booted it. */
	const char *wrong = "BENCH-START where=native batches=31";
	tv_bench_table_init(&t, 1, "none");
	ck_assert_int_eq(tv_bench_table_add_line(&t, TV_BENCH_HV, wrong, strlen(wrong), err,
						 sizeof(err)),
			 TV_BENCH_LINE_MALFORMED);
}
END_TEST

START_TEST(test_targets)
{
	struct tv_bench_table t;
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];

	start_both(&t);
	/* 101/100 = 1.01 exactly at the limit: met. */
	add_fig(&t, TV_BENCH_NATIVE, "compute_loop", 100, 100, 100);
	add_fig(&t, TV_BENCH_HV, "compute_loop", 101, 101, 101);
	add_fig(&t, TV_BENCH_HV, "int3_round_trip", 1000, 1000, 1000);
	add_fig(&t, TV_BENCH_NATIVE, "int3_round_trip", 10, 10, 10);
	/* A pair of trapped instructions: 3000 / 2 = 1500 = 1.5 x 1000: met. */
	add_fig(&t, TV_BENCH_HV, "cli_sti", 3000, 3000, 3000);
	add_fig(&t, TV_BENCH_NATIVE, "cli_sti", 5, 5, 5);
	/* One trapped instruction at 1501 > 1500: not met. */
	add_fig(&t, TV_BENCH_HV, "in_port80", 1501, 1501, 1501);
	add_fig(&t, TV_BENCH_NATIVE, "in_port80", 7, 7, 7);
	/* out_port80 missing: unknown. divide_error 4x native: not met. */
	add_fig(&t, TV_BENCH_NATIVE, "divide_error", 100, 100, 100);
	add_fig(&t, TV_BENCH_HV, "divide_error", 400, 400, 400);
	end_both(&t);

	size_t n = tv_bench_targets(&t, tg, TV_BENCH_TARGETS_MAX);
	ck_assert_uint_eq(n, 9);
	ck_assert_str_eq(tg[0].row, "compute_loop");
	ck_assert_int_eq(tg[0].verdict, TV_BENCH_MET);
	ck_assert_double_eq_tol(tg[0].measured, 1.01, 1e-12);
	ck_assert_str_eq(tg[1].row, "cli_sti");
	ck_assert_int_eq(tg[1].verdict, TV_BENCH_MET);
	ck_assert_double_eq_tol(tg[1].measured, 1500.0, 1e-9);
	ck_assert_double_eq_tol(tg[1].limit, 1500.0, 1e-9);
	ck_assert_str_eq(tg[2].row, "in_port80");
	ck_assert_int_eq(tg[2].verdict, TV_BENCH_NOT_MET);
	ck_assert_str_eq(tg[3].row, "out_port80");
	ck_assert_int_eq(tg[3].verdict, TV_BENCH_UNKNOWN);
	ck_assert_str_eq(tg[4].row, "divide_error");
	ck_assert_int_eq(tg[4].verdict, TV_BENCH_NOT_MET);
	ck_assert_double_eq_tol(tg[4].measured, 4.0, 1e-12);
	/* The macro rows have no figures here: unknown. */
	ck_assert_str_eq(tg[5].row, "spinlock_irqsave");
	ck_assert_int_eq(tg[5].verdict, TV_BENCH_UNKNOWN);
	ck_assert_str_eq(tg[8].row, "address_space_fill");

	/* A macro row at 5 times native is met, just above is not. */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "context_switch", 1000, 1000, 1000);
	add_fig(&t, TV_BENCH_HV, "context_switch", 5000, 5000, 5000);
	add_fig(&t, TV_BENCH_NATIVE, "address_space_fill", 1000, 1000, 1000);
	add_fig(&t, TV_BENCH_HV, "address_space_fill", 5001, 5001, 5001);
	end_both(&t);
	tv_bench_targets(&t, tg, TV_BENCH_TARGETS_MAX);
	ck_assert_int_eq(tg[7].verdict, TV_BENCH_MET);
	ck_assert_int_eq(tg[8].verdict, TV_BENCH_NOT_MET);

	/* Just over the compute limit. */
	start_both(&t);
	add_fig(&t, TV_BENCH_NATIVE, "compute_loop", 1000, 1000, 1000);
	add_fig(&t, TV_BENCH_HV, "compute_loop", 1011, 1011, 1011);
	end_both(&t);
	tv_bench_targets(&t, tg, TV_BENCH_TARGETS_MAX);
	ck_assert_int_eq(tg[0].verdict, TV_BENCH_NOT_MET);

	/* The caller's array bounds the count. */
	ck_assert_uint_eq(tv_bench_targets(&t, tg, 2), 2);

	ck_assert_str_eq(tv_bench_verdict_name(TV_BENCH_MET), "met");
	ck_assert_str_eq(tv_bench_verdict_name(TV_BENCH_NOT_MET), "not met");
}
END_TEST

START_TEST(test_counters)
{
	struct tv_bench_table t;

	tv_bench_table_init(&t, 1, "none");
	ck_assert_int_eq(tv_bench_counter_wanted("decode cache hits"), 1);
	ck_assert_int_eq(tv_bench_counter_wanted("decode cache misses"), 1);
	ck_assert_int_eq(tv_bench_counter_wanted("traps"), 1);
	ck_assert_int_eq(tv_bench_counter_wanted("cycles in the trap path"), 1);
	ck_assert_int_eq(tv_bench_counter_wanted("vector 13"), 0);

	ck_assert_int_eq(tv_bench_table_add_counter(&t, "vector 13", 5), 0);
	ck_assert_int_eq(tv_bench_table_add_counter(&t, "traps", 22838), 1);
	ck_assert_int_eq(tv_bench_has_cycle_counters(&t), 0);
	ck_assert_int_eq(tv_bench_table_add_counter(&t, "cycles per emulated trap", 4000), 1);
	ck_assert_int_eq(tv_bench_has_cycle_counters(&t), 1);
	ck_assert_uint_eq(t.ncounters, 2);
}
END_TEST

START_TEST(test_format_names)
{
	enum tv_bench_format f;

	ck_assert_int_eq(tv_bench_format_from_name("text", &f), 0);
	ck_assert_int_eq(f, TV_BENCH_TEXT);
	ck_assert_int_eq(tv_bench_format_from_name("md", &f), 0);
	ck_assert_int_eq(f, TV_BENCH_MD);
	ck_assert_int_eq(tv_bench_format_from_name("csv", &f), 0);
	ck_assert_int_eq(f, TV_BENCH_CSV);
	ck_assert_int_eq(tv_bench_format_from_name("json", &f), 0);
	ck_assert_int_eq(f, TV_BENCH_JSON);
	ck_assert_int_eq(tv_bench_format_from_name("xml", &f), -1);
	ck_assert_int_eq(tv_bench_format_from_name("", &f), -1);
}
END_TEST

START_TEST(test_csv)
{
	struct tv_bench_table t;

	sample_table(&t);
	char *s = print_to_string(&t, TV_BENCH_CSV);
	/* The first four columns are promised to readers (docs/benchmarks.md). */
	ck_assert_msg(strncmp(s, "name,native_cycles,hv_cycles,ratio,", 35) == 0, "%s", s);
	/* 5 / 4 = 1.25; min and max follow. */
	ck_assert_ptr_nonnull(strstr(s, "\nempty_loop,4,5,1.250,4,40,5,16,100,"));
	/* 402 / 400 = 1.005 and its target within 1.01: met. */
	ck_assert_ptr_nonnull(strstr(s, "\ncompute_loop,400,402,1.005,"));
	ck_assert_ptr_nonnull(strstr(s, "hv/native <= 1.01,1.005,1.010,met,"));
	/* cli_sti: 40000 / 2 = 20000 > 1.5 x 30000? No: 20000 <= 45000, met. */
	ck_assert_ptr_nonnull(strstr(s, ",20000,45000,met,"));
	/* n/a: empty figures, the reason quoted with its quotes doubled. */
	ck_assert_ptr_nonnull(strstr(s, "\ninvlpg,,,,,,,,,,,,,\"needs paging, \"\"later\"\"\"\n"));
	/* One header and five rows. */
	size_t lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 6);
	free(s);
}
END_TEST

START_TEST(test_json)
{
	struct tv_bench_table t;

	sample_table(&t);
	char *s = print_to_string(&t, TV_BENCH_JSON);
	ck_assert_ptr_nonnull(strstr(s, "{\"name\": \"empty_loop\", \"native\": {\"iterations\": 100, "
				     "\"median\": 4, \"min\": 4, \"max\": 40}, \"hv\": "
				     "{\"iterations\": 100, \"median\": 5, \"min\": 5, \"max\": 16}, "
				     "\"ratio\": 1.250}"));
	ck_assert_ptr_nonnull(strstr(s, "\"native\": {\"na\": \"needs paging, \\\"later\\\"\"}"));
	ck_assert_ptr_nonnull(strstr(s, "\"ratio\": null"));
	ck_assert_ptr_nonnull(strstr(s, "\"name\": \"compute_loop\", \"measure\": \"hv/native\""));
	ck_assert_ptr_nonnull(strstr(s, "\"measured\": 1.005, \"limit\": 1.010, \"met\": true"));
	/* in_port80 has no figures here: its target is unknown. */
	ck_assert_ptr_nonnull(strstr(s, "\"measured\": null, \"limit\": null, \"met\": null"));
	ck_assert_ptr_nonnull(strstr(s, "\"cycle_counters_available\": false"));
	/* Balanced, and ends as a whole object. */
	int depth = 0;
	for (char *p = s; *p; p++)
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
	ck_assert_int_eq(depth, 0);
	ck_assert_ptr_nonnull(strstr(s, "}\n"));
	free(s);
}
END_TEST

START_TEST(test_text_and_md)
{
	struct tv_bench_table t;

	sample_table(&t);
	char *s = print_to_string(&t, TV_BENCH_TEXT);
	ck_assert_ptr_nonnull(strstr(s, "median over 31 batches"));
	ck_assert_ptr_nonnull(strstr(s, "hv/native"));
	ck_assert_ptr_nonnull(strstr(s, "  compute_loop   hv/native = 1.005, target <= 1.01: met\n"));
	ck_assert_ptr_nonnull(strstr(s, "out_port80     hv cycles per instruction = n/a"));
	ck_assert_ptr_nonnull(strstr(s, "needs paging, \"later\""));
	ck_assert_ptr_nonnull(strstr(s, "trap-path cycle counters: not available"));
	free(s);

	/* With a cycle counter the note goes and the counter shows. */
	tv_bench_table_add_counter(&t, "cycles per trap", 4321);
	s = print_to_string(&t, TV_BENCH_TEXT);
	ck_assert_ptr_null(strstr(s, "not available"));
	ck_assert_ptr_nonnull(strstr(s, "cycles per trap"));
	ck_assert_ptr_nonnull(strstr(s, "4321"));
	free(s);

	s = print_to_string(&t, TV_BENCH_MD);
	ck_assert_ptr_nonnull(strstr(s, "| benchmark | native median |"));
	ck_assert_ptr_nonnull(strstr(s, "| empty_loop | 4 | 4 | 40 | 5 | 5 | 16 | 1.250 | |\n"));
	ck_assert_ptr_nonnull(strstr(s, "| invlpg | n/a | | | n/a | | | n/a | needs paging"));
	ck_assert_ptr_nonnull(strstr(s, "| cli_sti | hv cycles per instruction (pair / 2) | 20000 |"
				     " <= 1.5 x int3_round_trip under hv = 45000 | met |"));
	ck_assert_ptr_nonnull(strstr(s, "- cycles per trap: 4321\n"));
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bench_table");
	TCase *tc = tcase_create("bench_table");

	tcase_add_test(tc, test_parse_result);
	tcase_add_test(tc, test_parse_na_and_markers);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_table_complete_and_plausible);
	tcase_add_test(tc, test_table_refuses_implausible);
	tcase_add_test(tc, test_table_refuses_duplicates_and_wrong_side);
	tcase_add_test(tc, test_targets);
	tcase_add_test(tc, test_counters);
	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_text_and_md);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
