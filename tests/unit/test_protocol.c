/*
 * tests/unit/test_protocol.c: the console-protocol parser (tools/protocol.c)
 * against docs/console-protocol.md. Runs on: host.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/protocol.h"

static enum tv_parse_result parse(const char *line, struct tv_event *ev)
{
	return tv_parse_line(line, strlen(line), ev);
}

START_TEST(test_fields_plain_and_quoted)
{
	struct tv_event ev;

	ck_assert_int_eq(parse("tv:hello version=1 ring=1 mem_mib=32 guest=\"self test\" trace=0",
			       &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_HELLO);
	ck_assert_str_eq(ev.name, "hello");
	ck_assert_str_eq(tv_event_get(&ev, "version"), "1");
	ck_assert_str_eq(tv_event_get(&ev, "guest"), "self test");
	ck_assert_str_eq(tv_event_get(&ev, "trace"), "0");
	ck_assert_ptr_null(tv_event_get(&ev, "nosuch"));
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_quoted_escapes)
{
	struct tv_event ev;

	/* On the wire: reason="a \"b\" c\\d" -> a "b" c\d */
	ck_assert_int_eq(parse("tv:exit kind=stopped reason=\"a \\\"b\\\" c\\\\d\"", &ev),
			 TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_EXIT);
	ck_assert_str_eq(tv_event_get(&ev, "kind"), "stopped");
	ck_assert_str_eq(tv_event_get(&ev, "reason"), "a \"b\" c\\d");
	tv_event_free(&ev);

	ck_assert_int_eq(parse("tv:stat insn=\"\" count=0", &ev), TV_PARSE_OK);
	ck_assert_str_eq(tv_event_get(&ev, "insn"), "");
	tv_event_free(&ev);

	/*
	 * Any other byte travels as \xNN: a guest file name with a newline and
	 * an escape sequence in it stays inside its hello line.
	 */
	ck_assert_int_eq(parse("tv:hello guest=\"a\\x0ab\\x1b[2J\\xC3\\xa9\" ring=1", &ev),
			 TV_PARSE_OK);
	ck_assert_str_eq(tv_event_get(&ev, "guest"), "a\nb\033[2J\xc3\xa9");
	ck_assert_str_eq(tv_event_get(&ev, "ring"), "1");
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_trap_numbers)
{
	struct tv_event ev;
	uint64_t v;

	ck_assert_int_eq(parse("tv:trap seq=12 vec=13 err=0x0 eip=0x00101a2f bytes=fa "
			       "insn=\"cli\" action=emulate", &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_TRAP);
	ck_assert_int_eq(tv_event_get_u64(&ev, "seq", &v), 0);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(tv_event_get_u64(&ev, "vec", &v), 0);
	ck_assert_uint_eq(v, 13);
	ck_assert_int_eq(tv_event_get_u64(&ev, "eip", &v), 0);
	ck_assert_uint_eq(v, 0x101a2f);
	ck_assert_str_eq(tv_event_get(&ev, "insn"), "cli");
	ck_assert_str_eq(tv_event_get(&ev, "action"), "emulate");
	/* Not numbers: a quoted word, a missing field. */
	ck_assert_int_eq(tv_event_get_u64(&ev, "insn", &v), -1);
	ck_assert_int_eq(tv_event_get_u64(&ev, "nosuch", &v), -1);
	tv_event_free(&ev);
}
END_TEST

/* A number is its base's digits alone: no second 0x, no sign, no space, no empty hex. */
START_TEST(test_numbers_are_digits_only)
{
	struct tv_event ev;
	uint64_t v = 7;

	ck_assert_int_eq(parse("tv:trap a=0x0xfa b=0x-1 c=0x d=0x1F e=-1 f=18446744073709551616 "
			       "g=18446744073709551615 h=0X10", &ev), TV_PARSE_OK);
	ck_assert_int_eq(tv_event_get_u64(&ev, "a", &v), -1);
	ck_assert_int_eq(tv_event_get_u64(&ev, "b", &v), -1);
	ck_assert_int_eq(tv_event_get_u64(&ev, "c", &v), -1);
	ck_assert_int_eq(tv_event_get_u64(&ev, "e", &v), -1);
	ck_assert_int_eq(tv_event_get_u64(&ev, "f", &v), -1);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(tv_event_get_u64(&ev, "d", &v), 0);
	ck_assert_uint_eq(v, 0x1F);
	ck_assert_int_eq(tv_event_get_u64(&ev, "g", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(tv_event_get_u64(&ev, "h", &v), 0);
	ck_assert_uint_eq(v, 16);
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_out_text_decoded)
{
	struct tv_event ev;

	ck_assert_int_eq(parse("tv:out a\\\\b \\x41\\x00\\x7f\\xFF end", &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_OUT);
	ck_assert_uint_eq(ev.text_len, 12);
	ck_assert_mem_eq(ev.text, "a\\b A\0\x7f\xff end", 12);
	tv_event_free(&ev);

	/* Quotes and '=' in guest text are just text. */
	ck_assert_int_eq(parse("tv:out say \"x=1\"", &ev), TV_PARSE_OK);
	ck_assert_str_eq(ev.text, "say \"x=1\"");
	ck_assert_uint_eq(ev.nfields, 0);
	tv_event_free(&ev);

	/* An empty line of guest output. */
	ck_assert_int_eq(parse("tv:out", &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_OUT);
	ck_assert_uint_eq(ev.text_len, 0);
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_guest_cannot_forge_exit)
{
	struct tv_event ev;

	ck_assert_int_eq(parse("tv:out tv:exit kind=guest status=0", &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_OUT);
	ck_assert_str_eq(ev.text, "tv:exit kind=guest status=0");
	ck_assert_ptr_null(tv_event_get(&ev, "kind"));
	ck_assert_ptr_null(tv_event_get(&ev, "status"));
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_unknown_fields_and_events)
{
	struct tv_event ev;

	ck_assert_int_eq(parse("tv:exit kind=guest colour=\"blue sky\" status=0 z=", &ev),
			 TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_EXIT);
	ck_assert_str_eq(tv_event_get(&ev, "kind"), "guest");
	ck_assert_str_eq(tv_event_get(&ev, "status"), "0");
	tv_event_free(&ev);

	ck_assert_int_eq(parse("tv:weather sky=blue", &ev), TV_PARSE_OK);
	ck_assert_int_eq(ev.kind, TV_EV_UNKNOWN);
	ck_assert_str_eq(ev.name, "weather");
	tv_event_free(&ev);
}
END_TEST

START_TEST(test_not_protocol)
{
	struct tv_event ev;

	ck_assert_int_eq(parse("qemu-system-i386: warning: something", &ev),
			 TV_PARSE_NOT_PROTOCOL);
	ck_assert_int_eq(parse("", &ev), TV_PARSE_NOT_PROTOCOL);
	ck_assert_int_eq(parse(" tv:out x", &ev), TV_PARSE_NOT_PROTOCOL);
	ck_assert_int_eq(parse("TV:out x", &ev), TV_PARSE_NOT_PROTOCOL);
}
END_TEST

START_TEST(test_malformed_rejected)
{
	static const char *const bad[] = {
		"tv:",				/* no event */
		"tv: out x",			/* space before the event */
		"tv:Exit kind=guest",		/* events are lower case */
		"tv:exit\tkind=guest",		/* the separator is a space */
		"tv:exit kind",			/* a field without '=' */
		"tv:exit =guest",		/* a field without a key */
		"tv:exit kind=\"guest",		/* unterminated quote */
		"tv:exit reason=\"a\"b",	/* text glued after a quoted value */
		"tv:exit reason=\"a\\nb\"",	/* only \", \\ and \xNN escape in quotes */
		"tv:exit reason=\"a\\x0\"",	/* \xNN needs two digits */
		"tv:exit reason=\"a\\xg0\"",
		"tv:exit reason=\"a\\x00b\"",	/* a NUL cannot be part of a value */
		"tv:exit reason=a\"b",		/* a quote inside a bare value */
		"tv:out bad \\q escape",	/* out knows only \\ and \xNN */
		"tv:out cut \\x4",		/* \xNN needs two digits */
		"tv:out not hex \\xzz",
		"tv:out trailing \\",
	};
	struct tv_event ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], &ev) == TV_PARSE_MALFORMED,
			      "accepted malformed line: %s", bad[i]);
		ck_assert_ptr_null(ev.buf);
	}
}
END_TEST

START_TEST(test_line_ending_and_length)
{
	struct tv_event ev;
	const char line[] = "tv:exit kind=guest status=4\r";

	ck_assert_int_eq(tv_parse_line(line, strlen(line), &ev), TV_PARSE_OK);
	ck_assert_str_eq(tv_event_get(&ev, "status"), "4");
	tv_event_free(&ev);

	/* Only len bytes count: the rest of the buffer is not the line. */
	ck_assert_int_eq(tv_parse_line("tv:out abcdef", 9, &ev), TV_PARSE_OK);
	ck_assert_str_eq(ev.text, "ab");
	tv_event_free(&ev);

	/* A NUL byte inside the line breaks the format. */
	ck_assert_int_eq(tv_parse_line("tv:out a\0b", 10, &ev), TV_PARSE_MALFORMED);
}
END_TEST

START_TEST(test_first_key_wins_and_many_fields)
{
	struct tv_event ev;
	char line[1024] = "tv:stat insn=\"cli\" insn=\"sti\"";

	for (int i = 0; i < 40; i++)
		sprintf(line + strlen(line), " f%d=%d", i, i);
	ck_assert_int_eq(parse(line, &ev), TV_PARSE_OK);
	ck_assert_str_eq(tv_event_get(&ev, "insn"), "cli");
	ck_assert_str_eq(tv_event_get(&ev, "f0"), "0");
	/* Fields beyond the limit are ignored, not an error. */
	ck_assert_uint_eq(ev.nfields, TV_EVENT_FIELDS_MAX);
	tv_event_free(&ev);
}
END_TEST

static Suite *protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_fields_plain_and_quoted);
	tcase_add_test(tc, test_quoted_escapes);
	tcase_add_test(tc, test_trap_numbers);
	tcase_add_test(tc, test_numbers_are_digits_only);
	tcase_add_test(tc, test_out_text_decoded);
	tcase_add_test(tc, test_guest_cannot_forge_exit);
	tcase_add_test(tc, test_unknown_fields_and_events);
	tcase_add_test(tc, test_not_protocol);
	tcase_add_test(tc, test_malformed_rejected);
	tcase_add_test(tc, test_line_ending_and_length);
	tcase_add_test(tc, test_first_key_wins_and_many_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(protocol_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
