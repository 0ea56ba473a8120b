/*
 * tests/unit/test_fields_escape.c: the host program's one key=value grammar
 * (tools/fields.c, as tools/fields.h states it) and its output escaping
 * (tools/escape.c: text, JSON, CSV, markdown). Runs on: host.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/escape.h"
#include "tools/fields.h"

/* Parse a copy of s; returns the reason, or NULL. */
static const char *parse(const char *s, char *buf, size_t size, struct tv_field *f, unsigned *n)
{
	snprintf(buf, size, "%s", s);
	return tv_fields_parse(buf, f, TV_FIELDS_MAX, n);
}

START_TEST(test_fields_grammar)
{
	struct tv_field f[TV_FIELDS_MAX];
	unsigned n;
	char buf[256];

	ck_assert_ptr_null(parse(" a=1  b=\"x y\" c= d=\"q\\\"\\\\\\x41\" ", buf, sizeof(buf), f, &n));
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(tv_fields_find(f, n, "a"), "1");
	ck_assert_str_eq(tv_fields_find(f, n, "b"), "x y");
	ck_assert_str_eq(tv_fields_find(f, n, "c"), "");
	ck_assert_str_eq(tv_fields_find(f, n, "d"), "q\"\\A");
	ck_assert_ptr_null(tv_fields_find(f, n, "e"));
	/* The first of a key wins: a later one cannot replace what was read. */
	ck_assert_ptr_null(parse("k=1 k=2", buf, sizeof(buf), f, &n));
	ck_assert_str_eq(tv_fields_find(f, n, "k"), "1");
	ck_assert_ptr_null(parse("", buf, sizeof(buf), f, &n));
	ck_assert_uint_eq(n, 0);

	static const char *const bad[] = {
		"a", "=1", "A=1", "a-b=1", "a=\"open", "a=\"x\"y", "a=x\"y", "a=\"\\n\"",
		"a=\"\\x00\"", "a=\"\\x4\"",
		/* text inside a quoted value is never a field of its own */
		"a=\"b=\" c",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], buf, sizeof(buf), f, &n) != NULL, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_numbers)
{
	uint64_t v;

	ck_assert_int_eq(tv_parse_u64("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(tv_parse_u64("18446744073709551615", 10, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(tv_parse_u64("ffFF", 16, &v), 0);
	ck_assert_uint_eq(v, 0xffff);
	static const char *const bad10[] = { "", "18446744073709551616", "-1", "+1", " 1", "1 ",
					     "0x10", "1a" };
	for (size_t i = 0; i < sizeof(bad10) / sizeof(bad10[0]); i++)
		ck_assert_msg(tv_parse_u64(bad10[i], 10, &v) < 0, "accepted: '%s'", bad10[i]);
	ck_assert_int_eq(tv_parse_u64("10000000000000000", 16, &v), -1);
	ck_assert_int_eq(tv_parse_u64("g", 16, &v), -1);
}
END_TEST

/* What an escaping function wrote, as a string the caller frees. */
#define CAPTURE(call)                                                   \
	({                                                              \
		char *buf_ = NULL;                                      \
		size_t len_ = 0;                                        \
		FILE *f = open_memstream(&buf_, &len_);                 \
		ck_assert_ptr_nonnull(f);                               \
		call;                                                   \
		fclose(f);                                              \
		buf_;                                                   \
	})

static void check_capture(char *got, const char *want)
{
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_escaping)
{
	char small[7];

	/* Text: nothing a terminal acts on, no line broken. */
	check_capture(CAPTURE(tv_put_text(f, "a\tb\nc\033[2J\xff", 10)),
		      "a\tb\\x0ac\\x1b[2J\\xff");
	/* Cut short to fit, never in the middle of an escape. */
	ck_assert_str_eq(tv_escape_text(small, sizeof(small), "ab\ncd"), "ab\\x0a");
	ck_assert_str_eq(tv_escape_text(small, 5, "ab\ncd"), "ab");
	/* JSON: quotes, backslashes and control characters escaped; ASCII only. */
	check_capture(CAPTURE(tv_put_json_string(f, "say \"hi\"\\\n")), "\"say \\\"hi\\\"\\\\\\n\"");
	check_capture(CAPTURE(tv_put_json_string(f, "caf\xc3\xa9")), "\"caf\\u00E9\"");
	/* Not UTF-8: each byte stays visible. */
	check_capture(CAPTURE(tv_put_json_string(f, "\xff")), "\"\\u00FF\"");
	/* CSV: quoted only when it must be, quotes doubled. */
	check_capture(CAPTURE(tv_put_csv_field(f, "plain")), "plain");
	check_capture(CAPTURE(tv_put_csv_field(f, "a,\"b\"")), "\"a,\"\"b\"\"\"");
	check_capture(CAPTURE(tv_put_csv_field(f, "two\nlines")), "\"two\nlines\"");
	/* Markdown: a bar cannot end the cell, a backtick cannot open code. */
	check_capture(CAPTURE(tv_put_md_text(f, "a|b `c`")), "a\\|b 'c'");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fields_escape");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, test_fields_grammar);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_escaping);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
