/*
 * tests/unit/test_demo_table.c: the pure half of `trapvisor demo`
 * (tools/demo_table.h): reading the popf_demo guest's report lines,
 * comparing each run with the bare machine, the narrative, the exit status
 * and the text, markdown and JSON output. Runs on: host.
 *
 * The results are made up, shaped by the architecture: on the bare machine
 * POPF in ring 0 changes IF, PUSHF shows it and CS has RPL 0; deprivileged
 * without patching, CLI/STI still trap (so the control experiment agrees)
 * while POPF, PUSHF and reads of CS do not; patched (to trap, or inline
 * into patch code that does not trap), or paravirtualized (the guest asks
 * by hypercall instead of running them), all agree.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/demo_table.h"
#include "tools/outcome.h"

/* ---- building results from guest lines ---- */

static void feed(struct tv_demo_results *r, enum tv_demo_run_id run, const char *line)
{
	struct tv_demo_line l;

	tv_demo_parse_line(line, strlen(line), &l);
	tv_demo_record_line(r, run, &l);
}

static void feed_result(struct tv_demo_results *r, enum tv_demo_run_id run, const char *name,
			const char *title, const char *bare, const char *observed)
{
	char line[512];

	snprintf(line, sizeof(line), "DEMO-BEGIN name=%s title=\"%s\"", name, title);
	feed(r, run, line);
	feed(r, run, "SAY some narration");
	snprintf(line, sizeof(line),
		 "DEMO-RESULT name=%s bare=\"%s\" observed=\"%s\" detail=\"n=1\" verdict=%s",
		 name, bare, observed, strcmp(bare, observed) == 0 ? "PASS" : "FAIL");
	feed(r, run, line);
}

static void finish_run(struct tv_demo_results *r, enum tv_demo_run_id run, double wall_s,
		       int64_t traps)
{
	feed(r, run, "SUMMARY: 1 passed, 5 failed");
	r->run[run].ran = 1;
	r->run[run].host_status = TV_STATUS_GUEST_OK;
	r->run[run].guest_status = 0;
	snprintf(r->run[run].end, sizeof(r->run[run].end), "the guest exited");
	r->run[run].wall_s = wall_s;
	r->run[run].traps = traps;
}

/* The six experiments: id, title, the architecture's category, the naive VMM's. */
static const struct {
	const char *name, *title, *bare, *naive;
} six[] = {
	{ "cli_sti", "CLI keeps the timer out", "no-ticks", "no-ticks" },
	{ "popf_clears_if", "POPF turns interrupts off", "no-ticks", "ticks" },
	{ "popf_sets_if", "POPF turns interrupts back on", "ticks", "no-ticks" },
	{ "pushf_shows_if", "PUSHF after CLI", "IF=0", "IF=1" },
	{ "ring_leak", "CS tells the ring", "RPL=0", "RPL=1" },
	{ "irqsave_lost_update", "Lost updates under an irqsave lock", "no-lost-updates",
	  "lost-updates" },
};
#define NSIX (sizeof(six) / sizeof(six[0]))

/*
 * What the architecture predicts: bare as promised, naive differs, patched
 * and paravirt equal.
 */
static void expected_results(struct tv_demo_results *r)
{
	tv_demo_results_init(r);
	for (size_t i = 0; i < NSIX; i++)
		feed_result(r, TV_DEMO_BARE, six[i].name, six[i].title, six[i].bare, six[i].bare);
	finish_run(r, TV_DEMO_BARE, 0.7, -1);
	for (size_t i = 0; i < NSIX; i++)
		feed_result(r, TV_DEMO_TRAP_EMULATE, six[i].name, six[i].title, six[i].bare,
			    six[i].naive);
	finish_run(r, TV_DEMO_TRAP_EMULATE, 0.8, 8000);
	tv_demo_record_insn(&r->run[TV_DEMO_TRAP_EMULATE], "out", 4000);
	tv_demo_record_insn(&r->run[TV_DEMO_TRAP_EMULATE], "cli", 6);
	for (size_t i = 0; i < NSIX; i++)
		feed_result(r, TV_DEMO_PATCHED, six[i].name, six[i].title, six[i].bare,
			    six[i].bare);
	finish_run(r, TV_DEMO_PATCHED, 0.9, 9200);
	tv_demo_record_insn(&r->run[TV_DEMO_PATCHED], "out", 4000);
	tv_demo_record_insn(&r->run[TV_DEMO_PATCHED], "cli", 6);
	tv_demo_record_insn(&r->run[TV_DEMO_PATCHED], "pushfd", 400);
	tv_demo_record_insn(&r->run[TV_DEMO_PATCHED], "popfd", 800);
	for (size_t i = 0; i < NSIX; i++)
		feed_result(r, TV_DEMO_INLINE, six[i].name, six[i].title, six[i].bare,
			    six[i].bare);
	finish_run(r, TV_DEMO_INLINE, 0.75, 8010);
	tv_demo_record_insn(&r->run[TV_DEMO_INLINE], "out", 4000);
	for (size_t i = 0; i < NSIX; i++)
		feed_result(r, TV_DEMO_PARAVIRT, six[i].name, six[i].title, six[i].bare,
			    six[i].bare);
	finish_run(r, TV_DEMO_PARAVIRT, 1.0, 9500);
	tv_demo_record_insn(&r->run[TV_DEMO_PARAVIRT], "out", 4000);
	tv_demo_record_insn(&r->run[TV_DEMO_PARAVIRT], "int", 1200);
}

/* Everything f printed, as one string the caller frees. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* The line of text that starts with prefix, copied into buf; NULL if none. */
static const char *line_starting(const char *text, const char *prefix, char *buf, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			size_t n = strcspn(p, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- a small JSON syntax checker, so "it parses" is a real assertion ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *json_seq(const char *p, char close, int object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (!(p = json_str(json_ws(p))))
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = json_value(p)))
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '{')
		return json_seq(p, '}', 1);
	if (*p == '[')
		return json_seq(p, ']', 0);
	if (*p == '"')
		return json_str(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	char *end;
	strtod(p, &end);
	return end == p ? NULL : end;
}

static int json_valid(const char *text)
{
	const char *end = json_value(text);
	return end && *json_ws(end) == '\0';
}

/* ---- 1. the guest's lines ---- */

START_TEST(test_parse_result_line)
{
	struct tv_demo_line l;
	const char *s = "DEMO-RESULT name=popf_clears_if bare=\"no-ticks\" observed=\"ticks\" "
			"detail=\"20 ticks in 80 ms\" verdict=FAIL";

	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_RESULT);
	ck_assert_str_eq(l.name, "popf_clears_if");
	ck_assert_str_eq(l.bare, "no-ticks");
	ck_assert_str_eq(l.observed, "ticks");
	ck_assert_str_eq(l.detail, "20 ticks in 80 ms");
	ck_assert_int_eq(l.verdict_pass, 0);

	s = "DEMO-RESULT name=cli_sti bare=\"no-ticks\" observed=\"no-ticks\" detail=\"\" "
	    "verdict=PASS";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_RESULT);
	ck_assert_int_eq(l.verdict_pass, 1);
	ck_assert_str_eq(l.detail, "");
}
END_TEST

START_TEST(test_parse_other_lines)
{
	struct tv_demo_line l;
	const char *s;

	s = "DEMO-BEGIN name=ring_leak title=\"CS tells the ring\"";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_BEGIN);
	ck_assert_str_eq(l.name, "ring_leak");
	ck_assert_str_eq(l.title, "CS tells the ring");
	/* Without a title the name stands in. */
	s = "DEMO-BEGIN name=ring_leak";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_BEGIN);
	ck_assert_str_eq(l.title, "ring_leak");

	s = "DEMO-PAUSE name=cli_sti";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_PAUSE);
	ck_assert_str_eq(l.name, "cli_sti");

	s = "SAY On the bare machine: none.";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_SAY);
	ck_assert_str_eq(l.text, "On the bare machine: none.");

	s = "SUMMARY: 1 passed, 5 failed";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_SUMMARY);
	s = "popf_demo: one tick is 8387652 TSC cycles";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_OTHER);
	/* A report word this reader does not know is not an error. */
	s = "DEMO-LATER name=x";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_OTHER);
}
END_TEST

START_TEST(test_parse_malformed)
{
	struct tv_demo_line l;
	static const char *const bad[] = {
		"DEMO-RESULT name=x bare=\"a\" observed=\"b detail=\"\" verdict=PASS",
		"DEMO-RESULT name=x bare=\"a\" observed=\"a\" detail=\"\" verdict=MAYBE",
		"DEMO-RESULT name=x bare=\"a\" detail=\"\" verdict=PASS",
		"DEMO-RESULT name=Bad-Name bare=\"a\" observed=\"a\" verdict=PASS",
		"DEMO-RESULT bare=\"a\" observed=\"a\" verdict=PASS",
		"DEMO-BEGIN title=\"no name\"",
		"DEMO-PAUSE name=",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tv_demo_parse_line(bad[i], strlen(bad[i]), &l) ==
			      TV_DEMO_LINE_MALFORMED, "accepted: %s", bad[i]);

	/* A key is a whole token: "observed" inside another key's value does not count. */
	const char *s = "DEMO-RESULT name=x bare=\"observed=\" verdict=PASS";
	ck_assert_int_eq(tv_demo_parse_line(s, strlen(s), &l), TV_DEMO_LINE_MALFORMED);
}
END_TEST

START_TEST(test_parse_keeps_text_printable)
{
	struct tv_demo_line l;
	/* An escape sequence and a NUL byte from the guest must not reach any output. */
	const char s[] = "DEMO-RESULT name=x bare=\"a\" observed=\"\033[2Jb\" detail=\"\0z\" verdict=FAIL";

	ck_assert_int_eq(tv_demo_parse_line(s, sizeof(s) - 1, &l), TV_DEMO_LINE_RESULT);
	ck_assert_str_eq(l.observed, "?[2Jb");
	ck_assert_str_eq(l.detail, "?z");
}
END_TEST

START_TEST(test_record_rows)
{
	struct tv_demo_results r;

	tv_demo_results_init(&r);
	feed_result(&r, TV_DEMO_BARE, "a", "First", "x", "x");
	feed_result(&r, TV_DEMO_BARE, "b", "Second", "y", "y");
	/* A later run adds its cells to the same rows, in the first run's order. */
	feed_result(&r, TV_DEMO_TRAP_EMULATE, "b", "Other title", "y", "z");
	feed(&r, TV_DEMO_TRAP_EMULATE, "DEMO-RESULT name=c bare=\"q\" observed=\"q\" verdict=PASS");
	feed(&r, TV_DEMO_TRAP_EMULATE, "DEMO-RESULT broken");

	ck_assert_uint_eq(r.nexp, 3);
	ck_assert_str_eq(r.exp[0].name, "a");
	ck_assert_str_eq(r.exp[1].title, "Second");
	ck_assert_str_eq(r.exp[1].cell[TV_DEMO_TRAP_EMULATE].observed, "z");
	ck_assert_str_eq(r.exp[2].title, "c");	/* no DEMO-BEGIN: the name */
	ck_assert_int_eq(r.exp[0].cell[TV_DEMO_TRAP_EMULATE].present, 0);
	ck_assert_uint_eq(r.run[TV_DEMO_TRAP_EMULATE].nmalformed, 1);

	/* More experiments than rows: the extra ones are dropped, not overflowed. */
	for (int i = 0; i < TV_DEMO_EXPERIMENTS_MAX + 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "e%d", i);
		feed_result(&r, TV_DEMO_BARE, name, name, "x", "x");
	}
	ck_assert_uint_eq(r.nexp, TV_DEMO_EXPERIMENTS_MAX);
}
END_TEST

/* ---- 2. the comparison and the exit status ---- */

START_TEST(test_marks_as_architecture_predicts)
{
	struct tv_demo_results r;

	expected_results(&r);
	ck_assert_uint_eq(r.nexp, NSIX);
	for (size_t i = 0; i < NSIX; i++) {
		ck_assert_int_eq(tv_demo_mark(&r, i, TV_DEMO_BARE), TV_DEMO_AS_ARCHITECTURE);
		ck_assert_int_eq(tv_demo_mark(&r, i, TV_DEMO_PATCHED), TV_DEMO_EQUAL);
		ck_assert_int_eq(tv_demo_equal_to_bare(&r, i, TV_DEMO_PATCHED), 1);
		ck_assert_int_eq(tv_demo_mark(&r, i, TV_DEMO_INLINE), TV_DEMO_EQUAL);
		/* The guest that asks by hypercall is equal everywhere, unpatched. */
		ck_assert_int_eq(tv_demo_mark(&r, i, TV_DEMO_PARAVIRT), TV_DEMO_EQUAL);
		ck_assert_int_eq(tv_demo_equal_to_bare(&r, i, TV_DEMO_PARAVIRT), 1);
		/* Only the control experiment agrees without patching. */
		int control = strcmp(six[i].name, "cli_sti") == 0;
		ck_assert_int_eq(tv_demo_mark(&r, i, TV_DEMO_TRAP_EMULATE),
				 control ? TV_DEMO_EQUAL : TV_DEMO_DIFFERS);
		ck_assert_int_eq(tv_demo_equal_to_bare(&r, i, TV_DEMO_TRAP_EMULATE), control);
	}
	ck_assert(tv_demo_bare_as_architecture(&r));
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		ck_assert(tv_demo_run_complete(&r, (enum tv_demo_run_id)run));
	/* Differences in the other columns are the demonstration: success. */
	ck_assert_int_eq(tv_demo_exit_status(&r), 0);
}
END_TEST

START_TEST(test_columns_compare_with_bare_run_not_claim)
{
	struct tv_demo_results r;

	tv_demo_results_init(&r);
	/* The bare machine itself disagrees with the guest's bare= claim. */
	feed_result(&r, TV_DEMO_BARE, "popf_clears_if", "t", "no-ticks", "ticks");
	feed_result(&r, TV_DEMO_TRAP_EMULATE, "popf_clears_if", "t", "no-ticks", "ticks");
	feed_result(&r, TV_DEMO_PATCHED, "popf_clears_if", "t", "no-ticks", "no-ticks");
	feed_result(&r, TV_DEMO_INLINE, "popf_clears_if", "t", "no-ticks", "no-ticks");
	feed_result(&r, TV_DEMO_PARAVIRT, "popf_clears_if", "t", "no-ticks", "no-ticks");
	finish_run(&r, TV_DEMO_BARE, 1, -1);
	finish_run(&r, TV_DEMO_TRAP_EMULATE, 1, 1);
	finish_run(&r, TV_DEMO_PATCHED, 1, 1);
	finish_run(&r, TV_DEMO_INLINE, 1, 1);
	finish_run(&r, TV_DEMO_PARAVIRT, 1, 1);

	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_BARE), TV_DEMO_NOT_ARCHITECTURE);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_TRAP_EMULATE), TV_DEMO_EQUAL);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_PATCHED), TV_DEMO_DIFFERS);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_INLINE), TV_DEMO_DIFFERS);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_PARAVIRT), TV_DEMO_DIFFERS);
	ck_assert(!tv_demo_bare_as_architecture(&r));
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_BARE_DISAGREES);

	struct tv_demo_narrative n;
	tv_demo_narrate(&r, &n);
	ck_assert_uint_ge(n.n, 1);
	ck_assert(n.warning[0]);
	ck_assert_ptr_nonnull(strstr(n.line[0], "WARNING"));
	ck_assert_ptr_nonnull(strstr(n.line[0], "architecture"));
}
END_TEST

START_TEST(test_missing_cells)
{
	struct tv_demo_results r;

	tv_demo_results_init(&r);
	feed_result(&r, TV_DEMO_TRAP_EMULATE, "a", "A", "x", "y");
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_BARE), TV_DEMO_MISSING);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_TRAP_EMULATE), TV_DEMO_NO_REFERENCE);
	ck_assert_int_eq(tv_demo_mark(&r, 0, TV_DEMO_PATCHED), TV_DEMO_MISSING);
	ck_assert_int_eq(tv_demo_equal_to_bare(&r, 0, TV_DEMO_TRAP_EMULATE), -1);
	ck_assert_int_eq(tv_demo_equal_to_bare(&r, 0, TV_DEMO_PATCHED), -1);
}
END_TEST

START_TEST(test_exit_status_from_runs)
{
	struct tv_demo_results r;

	/* The first failing run in column order gives the status. */
	expected_results(&r);
	r.run[TV_DEMO_TRAP_EMULATE].host_status = TV_STATUS_TIMEOUT;
	r.run[TV_DEMO_PATCHED].host_status = TV_STATUS_REFUSED;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_TIMEOUT);

	expected_results(&r);
	r.run[TV_DEMO_PATCHED].host_status = TV_STATUS_REFUSED;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_REFUSED);
	ck_assert(!tv_demo_run_complete(&r, TV_DEMO_PATCHED));

	expected_results(&r);
	r.run[TV_DEMO_PARAVIRT].host_status = TV_STATUS_GUEST_FAILED;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_GUEST_FAILED);
	ck_assert(!tv_demo_run_complete(&r, TV_DEMO_PARAVIRT));

	expected_results(&r);
	r.run[TV_DEMO_BARE].host_status = TV_STATUS_GUEST_FAILED;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_GUEST_FAILED);

	/* A run that ended well but never said SUMMARY reported too little. */
	expected_results(&r);
	r.run[TV_DEMO_PATCHED].summary_seen = 0;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_NO_RESULT);

	/* ... as did one that left out an experiment. */
	expected_results(&r);
	r.exp[3].cell[TV_DEMO_TRAP_EMULATE].present = 0;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_NO_RESULT);

	/* A run that never ran (interrupted before it) is no result. */
	expected_results(&r);
	r.run[TV_DEMO_PATCHED].ran = 0;
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_NO_RESULT);

	/* Nothing reported at all: no result, not success. */
	tv_demo_results_init(&r);
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		finish_run(&r, (enum tv_demo_run_id)run, 1, -1);
	ck_assert_int_eq(tv_demo_exit_status(&r), TV_STATUS_NO_RESULT);
}
END_TEST

/* ---- 3. the narrative ---- */

static int narrative_has(const struct tv_demo_narrative *n, const char *needle)
{
	for (size_t i = 0; i < n->n; i++)
		if (strstr(n->line[i], needle))
			return 1;
	return 0;
}

START_TEST(test_narrative_follows_results)
{
	struct tv_demo_results r;
	struct tv_demo_narrative n;

	expected_results(&r);
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "CLI and STI are privileged"));
	ck_assert(narrative_has(&n, "POPF is sensitive but not privileged"));
	ck_assert(narrative_has(&n, "off and back on"));
	ck_assert(narrative_has(&n, "PUSHF does not trap"));
	ck_assert(narrative_has(&n, "RPL=1"));
	ck_assert(narrative_has(&n, "lost-updates"));
	ck_assert(narrative_has(&n, "equivalence is restored"));
	ck_assert(narrative_has(&n, "popfd +800, pushfd +400"));
	ck_assert(narrative_has(&n, "Paravirtualized, the guest"));
	ck_assert(narrative_has(&n, "asked 1200 times"));
	/* Inline: equal, and its flag-instruction traps against patch=all's (0 against 1200). */
	ck_assert(narrative_has(&n, "Patched inline"));
	ck_assert(narrative_has(&n, "The flag instructions trapped 0 times (patch=all: 1206)"));
	ck_assert(!narrative_has(&n, "WARNING"));
	for (size_t i = 0; i < n.n; i++)
		ck_assert(!n.warning[i]);

	/* Only POPF clearing IF differed: say "off", not "back on". */
	expected_results(&r);
	for (size_t i = 0; i < NSIX; i++)
		if (strcmp(six[i].name, "popf_clears_if") != 0)
			snprintf(r.exp[i].cell[TV_DEMO_TRAP_EMULATE].observed,
				 TV_DEMO_CATEGORY_MAX, "%s", six[i].bare);
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "turned interrupts off ("));
	ck_assert(!narrative_has(&n, "back on"));
	ck_assert(!narrative_has(&n, "PUSHF does not trap"));
	ck_assert(!narrative_has(&n, "lost-updates"));

	/* Trap-and-emulate equal everywhere: say that, claim no POPF problem. */
	expected_results(&r);
	for (size_t i = 0; i < NSIX; i++)
		snprintf(r.exp[i].cell[TV_DEMO_TRAP_EMULATE].observed, TV_DEMO_CATEGORY_MAX, "%s",
			 six[i].bare);
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "matched the bare machine in every experiment this time"));
	ck_assert(!narrative_has(&n, "POPF is sensitive"));
	ck_assert(!narrative_has(&n, "equivalence is restored"));

	/* Patched still differs somewhere: say so loudly, no claim of success. */
	expected_results(&r);
	snprintf(r.exp[4].cell[TV_DEMO_PATCHED].observed, TV_DEMO_CATEGORY_MAX, "RPL=1");
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "Even with patch=all, 1 experiment differed"));
	ck_assert(narrative_has(&n, "CS tells the ring"));
	ck_assert(!narrative_has(&n, "equivalence is restored"));

	/* Inline differs somewhere: loudly, and no claim that it matched. */
	expected_results(&r);
	snprintf(r.exp[1].cell[TV_DEMO_INLINE].observed, TV_DEMO_CATEGORY_MAX, "ticks");
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "Even with patch=inline, 1 experiment differed"));
	ck_assert(!narrative_has(&n, "Patched inline"));

	/* Paravirt differs somewhere: loudly, and no claim that it matched. */
	expected_results(&r);
	snprintf(r.exp[3].cell[TV_DEMO_PARAVIRT].observed, TV_DEMO_CATEGORY_MAX, "IF=1");
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "Even paravirtualized, 1 experiment differed"));
	ck_assert(narrative_has(&n, "PUSHF after CLI"));
	ck_assert(!narrative_has(&n, "Paravirtualized, the guest"));
	ck_assert(narrative_has(&n, "equivalence is restored"));	/* patched still is */

	/* A run that failed is named as such. */
	expected_results(&r);
	r.run[TV_DEMO_PATCHED].host_status = TV_STATUS_REFUSED;
	snprintf(r.run[TV_DEMO_PATCHED].end, sizeof(r.run[0].end), "the guest image was refused");
	snprintf(r.run[TV_DEMO_PATCHED].message, sizeof(r.run[0].message), "bad option");
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "The patched run (patch=all) did not complete "
				    "(the guest image was refused: bad option)"));

	expected_results(&r);
	r.run[TV_DEMO_PARAVIRT].host_status = TV_STATUS_TIMEOUT;
	snprintf(r.run[TV_DEMO_PARAVIRT].end, sizeof(r.run[0].end), "timeout");
	tv_demo_narrate(&r, &n);
	ck_assert(narrative_has(&n, "The paravirtualized run did not complete (timeout)"));
}
END_TEST

START_TEST(test_timing_line)
{
	struct tv_demo_results r;
	char buf[512];

	expected_results(&r);
	tv_demo_timing_line(&r, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "bare machine 0.70 s;"));
	ck_assert_ptr_nonnull(strstr(buf, "trap-and-emulate 0.80 s, 8000 traps;"));
	/* What patching added, the biggest first; unchanged counts left out. */
	ck_assert_ptr_nonnull(strstr(buf, "patched 0.90 s, 9200 traps (more than "
					  "trap-and-emulate: popfd +800, pushfd +400)"));
	ck_assert_ptr_nonnull(strstr(buf, "; paravirt 1.00 s, 9500 traps"));

	r.run[TV_DEMO_PATCHED].ran = 0;
	tv_demo_timing_line(&r, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "patched did not run"));
	/* A short buffer is cut, never overrun. */
	char small[16];
	tv_demo_timing_line(&r, small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

/* ---- 4. the formats ---- */

START_TEST(test_format_names)
{
	ck_assert_int_eq(tv_demo_format_from_name("text"), TV_DEMO_TEXT);
	ck_assert_int_eq(tv_demo_format_from_name("md"), TV_DEMO_MARKDOWN);
	ck_assert_int_eq(tv_demo_format_from_name("markdown"), TV_DEMO_MARKDOWN);
	ck_assert_int_eq(tv_demo_format_from_name("json"), TV_DEMO_JSON);
	ck_assert_int_eq(tv_demo_format_from_name("html"), -1);
	ck_assert_int_eq(tv_demo_format_from_name(""), -1);
}
END_TEST

START_TEST(test_text_table)
{
	struct tv_demo_results r;
	struct capture c;
	char line[512];

	expected_results(&r);
	capture_start(&c);
	tv_demo_print_text(c.f, &r, 0);
	char *out = capture_end(&c);

	ck_assert_ptr_nonnull(line_starting(out, "experiment", line, sizeof(line)));
	ck_assert_ptr_nonnull(strstr(line, "bare machine"));
	ck_assert_ptr_nonnull(strstr(line, "trap-and-emulate"));
	ck_assert_ptr_nonnull(strstr(line, "patched"));
	ck_assert_ptr_nonnull(strstr(line, "paravirt"));
	/* Each row: the bare column as the architecture, then the three comparisons. */
	for (size_t i = 0; i < NSIX; i++) {
		ck_assert_msg(line_starting(out, six[i].title, line, sizeof(line)) != NULL,
			      "no row for %s", six[i].title);
		const char *bare = strstr(line, "= arch");
		const char *te = bare ? strstr(bare + 1, strcmp(six[i].name, "cli_sti") == 0
							  ? "= bare" : "DIFFERS") : NULL;
		const char *p = te ? strstr(te + 1, "= bare") : NULL;
		const char *pv = p ? strstr(p + 1, "= bare") : NULL;
		ck_assert_msg(bare && te && p && pv, "row %s: %s", six[i].name, line);
		ck_assert_ptr_nonnull(strstr(line, six[i].naive));
	}
	ck_assert_uint_eq(count_of(out, "DIFFERS"), NSIX - 1 + 1);	/* + the legend */
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_nonnull(strstr(out, "POPF is sensitive but not privileged"));
	ck_assert_ptr_nonnull(strstr(out, "Wall time and traps:"));
	/* Everything under the table (legend, narrative, times) fits a terminal. */
	const char *below = strstr(out, "\n= bare:");
	ck_assert_ptr_nonnull(below);
	for (const char *p = below + 1; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
		ck_assert_uint_le(strcspn(p, "\n"), 78);
	free(out);

	/* Colour only when asked for. */
	capture_start(&c);
	tv_demo_print_text(c.f, &r, 1);
	out = capture_end(&c);
	ck_assert_ptr_nonnull(strchr(out, '\033'));
	free(out);
}
END_TEST

START_TEST(test_text_marks_missing_and_unexpected)
{
	struct tv_demo_results r;
	struct capture c;
	char line[512];

	expected_results(&r);
	snprintf(r.exp[1].cell[TV_DEMO_BARE].observed, TV_DEMO_CATEGORY_MAX, "ticks");
	r.exp[2].cell[TV_DEMO_PATCHED].present = 0;
	capture_start(&c);
	tv_demo_print_text(c.f, &r, 0);
	char *out = capture_end(&c);
	ck_assert_ptr_nonnull(line_starting(out, six[1].title, line, sizeof(line)));
	ck_assert_ptr_nonnull(strstr(line, "NOT ARCH"));
	ck_assert_ptr_nonnull(line_starting(out, six[2].title, line, sizeof(line)));
	ck_assert_ptr_nonnull(strstr(line, "(no result)"));
	ck_assert_ptr_nonnull(strstr(out, "WARNING"));
	free(out);
}
END_TEST

START_TEST(test_markdown_table)
{
	struct tv_demo_results r;
	struct capture c;
	char line[512];

	expected_results(&r);
	/* A '|' from the guest must not split a cell. */
	snprintf(r.exp[0].title, TV_DEMO_TITLE_MAX, "CLI | STI");
	capture_start(&c);
	tv_demo_print_markdown(c.f, &r);
	char *out = capture_end(&c);

	ck_assert_ptr_nonnull(line_starting(out, "| experiment |", line, sizeof(line)));
	ck_assert_uint_eq(count_of(line, "|"), 1 + 1 + TV_DEMO_RUNS);
	ck_assert_ptr_nonnull(line_starting(out, "|---|---|---|---|---|", line, sizeof(line)));
	ck_assert_ptr_nonnull(line_starting(out, "| CLI \\| STI |", line, sizeof(line)));
	ck_assert_uint_eq(count_of(line, "|") - count_of(line, "\\|"), 1 + 1 + TV_DEMO_RUNS);
	ck_assert_uint_eq(count_of(line, "≠"), 0);
	ck_assert_ptr_nonnull(line_starting(out, "| POPF turns interrupts off |", line,
					    sizeof(line)));
	ck_assert_ptr_nonnull(strstr(line, "**`ticks` ≠**"));
	ck_assert_ptr_nonnull(strstr(line, "`no-ticks` = | `no-ticks` = |"));
	ck_assert_uint_eq(count_of(out, "≠**"), NSIX - 1);
	ck_assert_ptr_nonnull(strstr(out, "POPF is sensitive but not privileged"));
	free(out);
}
END_TEST

START_TEST(test_json_object)
{
	struct tv_demo_results r;
	struct capture c;

	expected_results(&r);
	/* Quotes and backslashes in text must come out escaped. */
	snprintf(r.run[TV_DEMO_BARE].message, TV_DEMO_MESSAGE_MAX, "say \"hi\" \\ there");
	capture_start(&c);
	tv_demo_print_json(c.f, &r, 0);
	char *out = capture_end(&c);

	ck_assert_msg(json_valid(out), "not JSON:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\"runs\": ["));
	ck_assert_ptr_nonnull(strstr(out, "\"experiments\": ["));
	ck_assert_ptr_nonnull(strstr(out, "\"exit_status\": 0"));
	ck_assert_ptr_nonnull(strstr(out, "\"bare_as_architecture\": true"));
	ck_assert_ptr_nonnull(strstr(out, "say \\\"hi\\\" \\\\ there"));
	ck_assert_uint_eq(count_of(out, "\"observed\": "), NSIX * TV_DEMO_RUNS);
	/* equal_to_bare: true for bare, patched, inline and paravirt, false where naive differs. */
	ck_assert_uint_eq(count_of(out, "\"equal_to_bare\": false"), NSIX - 1);
	ck_assert_uint_eq(count_of(out, "\"equal_to_bare\": true"), NSIX * 4 + 1);
	ck_assert_ptr_nonnull(strstr(out, "\"patch\": \"all\""));
	ck_assert_ptr_nonnull(strstr(out, "\"key\": \"inline\""));
	ck_assert_ptr_nonnull(strstr(out, "\"patch\": \"inline\""));
	ck_assert_ptr_nonnull(strstr(out, "\"key\": \"paravirt\""));
	ck_assert_ptr_nonnull(strstr(out, "\"guest_word\": \"paravirt\""));
	ck_assert_ptr_nonnull(strstr(out, "\"popfd\": 800"));
	free(out);

	/* Missing cells, no traps, a failed run: still valid JSON, with nulls. */
	tv_demo_results_init(&r);
	feed_result(&r, TV_DEMO_TRAP_EMULATE, "a", "A \"quoted\" title", "x", "y");
	r.run[TV_DEMO_BARE].ran = 1;
	r.run[TV_DEMO_BARE].host_status = TV_STATUS_TIMEOUT;
	capture_start(&c);
	tv_demo_print_json(c.f, &r, TV_STATUS_TIMEOUT);
	out = capture_end(&c);
	ck_assert_msg(json_valid(out), "not JSON:\n%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\"bare\": null"));
	ck_assert_ptr_nonnull(strstr(out, "\"equal_to_bare\": null"));
	ck_assert_ptr_nonnull(strstr(out, "\"exit_status\": 5"));
	free(out);
}
END_TEST

START_TEST(test_json_checker_rejects)
{
	/* The checker above must itself tell JSON from not-JSON. */
	ck_assert(json_valid("{\"a\": [1, true, null, \"x\\u00e9\"]}"));
	ck_assert(!json_valid("{\"a\": [1, true,]}"));
	ck_assert(!json_valid("{\"a\" 1}"));
	ck_assert(!json_valid("{\"a\": \"\\q\"}"));
	ck_assert(!json_valid("{\"a\": 1} x"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("demo_table");
	TCase *tc = tcase_create("demo_table");

	tcase_add_test(tc, test_parse_result_line);
	tcase_add_test(tc, test_parse_other_lines);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_parse_keeps_text_printable);
	tcase_add_test(tc, test_record_rows);
	tcase_add_test(tc, test_marks_as_architecture_predicts);
	tcase_add_test(tc, test_columns_compare_with_bare_run_not_claim);
	tcase_add_test(tc, test_missing_cells);
	tcase_add_test(tc, test_exit_status_from_runs);
	tcase_add_test(tc, test_narrative_follows_results);
	tcase_add_test(tc, test_timing_line);
	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_text_table);
	tcase_add_test(tc, test_text_marks_missing_and_unexpected);
	tcase_add_test(tc, test_markdown_table);
	tcase_add_test(tc, test_json_object);
	tcase_add_test(tc, test_json_checker_rejects);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
