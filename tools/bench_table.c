/*
 * tools/bench_table.c: gather the benchmark guest's lines into a table,
 * judge it, and write it out (bench_table.h). Runs on: host.
 *
 * The guest's figures are TSC cycles per loop iteration, each the median,
 * minimum or maximum over its batches. The ratio shown is hv median over
 * native median: how many times dearer the same instruction is when the
 * guest kernel runs deprivileged.
 */
#include "tools/bench_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static const char *const side_names[TV_BENCH_SIDES] = { "native", "hv" };

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- parsing the guest's lines ---- */

#define FIELDS_MAX	8
#define VALUE_MAX	TV_BENCH_REASON_MAX

struct field {
	char key[16];
	char value[VALUE_MAX];
};

/*
 * Split "key=value key=\"quoted value\" ..." into fields. A quoted value may
 * hold \" and \\. Returns the number of fields, or -1 with err set.
 */
static int split_fields(const char *p, const char *end, struct field *f, int max,
			char *err, size_t errlen)
{
	int n = 0;

	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return n;
		if (n == max) {
			set_err(err, errlen, "too many fields");
			return -1;
		}
		size_t k = 0;
		while (p < end && *p != '=' && *p != ' ') {
			if (k + 1 >= sizeof(f[n].key)) {
				set_err(err, errlen, "field name too long");
				return -1;
			}
			f[n].key[k++] = *p++;
		}
		f[n].key[k] = '\0';
		if (k == 0 || p == end || *p != '=') {
			set_err(err, errlen, "expected key=value");
			return -1;
		}
		p++;
		size_t v = 0;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p == end) {
					set_err(err, errlen, "unterminated quoted value");
					return -1;
				}
				char c = *p++;
				if (c == '"')
					break;
				if (c == '\\' && p < end && (*p == '"' || *p == '\\'))
					c = *p++;
				if (v + 1 >= VALUE_MAX) {
					set_err(err, errlen, "value of %s too long", f[n].key);
					return -1;
				}
				f[n].value[v++] = c;
			}
			if (p < end && *p != ' ') {
				set_err(err, errlen, "text after a quoted value");
				return -1;
			}
		} else {
			while (p < end && *p != ' ') {
				if (v + 1 >= VALUE_MAX) {
					set_err(err, errlen, "value of %s too long", f[n].key);
					return -1;
				}
				f[n].value[v++] = *p++;
			}
		}
		f[n].value[v] = '\0';
		n++;
	}
}

static const char *field_get(const struct field *f, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].key, key) == 0)
			return f[i].value;
	return NULL;
}

/* A decimal number (the guest prints no other kind); -1 if not one. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int word_is(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 &&
	       ((size_t)(end - p) == n || p[n] == ' ');
}

static enum tv_bench_line_kind parse_result(const struct field *f, int n,
					    struct tv_bench_line *out, char *err, size_t errlen)
{
	const char *name = field_get(f, n, "name");
	const char *na = field_get(f, n, "na");

	if (!name || !*name) {
		set_err(err, errlen, "BENCH line without a name");
		return TV_BENCH_LINE_MALFORMED;
	}
	if (strlen(name) >= sizeof(out->name)) {
		set_err(err, errlen, "benchmark name too long");
		return TV_BENCH_LINE_MALFORMED;
	}
	strcpy(out->name, name);
	out->fig.present = 1;
	if (na) {
		if (!*na) {
			set_err(err, errlen, "%s: n/a without a reason", name);
			return TV_BENCH_LINE_MALFORMED;
		}
		out->fig.na = 1;
		snprintf(out->fig.na_reason, sizeof(out->fig.na_reason), "%s", na);
		out->kind = TV_BENCH_LINE_RESULT;
		return out->kind;
	}
	static const char *const keys[] = { "iterations", "median", "min", "max" };
	uint64_t *dst[] = { &out->fig.iterations, &out->fig.median, &out->fig.min,
			    &out->fig.max };
	for (size_t i = 0; i < 4; i++) {
		const char *v = field_get(f, n, keys[i]);
		if (!v) {
			set_err(err, errlen, "%s: no %s", name, keys[i]);
			return TV_BENCH_LINE_MALFORMED;
		}
		if (parse_u64(v, dst[i]) < 0) {
			set_err(err, errlen, "%s: %s=%s is not a number", name, keys[i], v);
			return TV_BENCH_LINE_MALFORMED;
		}
	}
	out->kind = TV_BENCH_LINE_RESULT;
	return out->kind;
}

enum tv_bench_line_kind tv_bench_parse_line(const char *line, size_t len,
					    struct tv_bench_line *out, char *err, size_t errlen)
{
	struct field f[FIELDS_MAX];
	const char *end = line + len;

	memset(out, 0, sizeof(*out));
	while (end > line && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (word_is(line, end, "BENCH-END")) {
		if (end - line != (long)strlen("BENCH-END")) {
			set_err(err, errlen, "text after BENCH-END");
			return out->kind = TV_BENCH_LINE_MALFORMED;
		}
		return out->kind = TV_BENCH_LINE_END;
	}
	int start = word_is(line, end, "BENCH-START");
	if (!start && !word_is(line, end, "BENCH")) {
		if (len >= 5 && memcmp(line, "BENCH", 5) == 0) {
			set_err(err, errlen, "unknown BENCH line");
			return out->kind = TV_BENCH_LINE_MALFORMED;
		}
		return out->kind = TV_BENCH_LINE_OTHER;
	}
	const char *p = line + (start ? strlen("BENCH-START") : strlen("BENCH"));
	int n = split_fields(p, end, f, FIELDS_MAX, err, errlen);
	if (n < 0)
		return out->kind = TV_BENCH_LINE_MALFORMED;
	if (!start)
		return parse_result(f, n, out, err, errlen);

	const char *where = field_get(f, n, "where");
	if (!where || strlen(where) >= sizeof(out->where) ||
	    parse_u64(field_get(f, n, "batches"), &out->batches) < 0 || out->batches == 0) {
		set_err(err, errlen, "BENCH-START needs where= and a number of batches=");
		return out->kind = TV_BENCH_LINE_MALFORMED;
	}
	strcpy(out->where, where);
	return out->kind = TV_BENCH_LINE_START;
}

/* ---- the table ---- */

void tv_bench_table_init(struct tv_bench_table *t, int ring, const char *patch)
{
	memset(t, 0, sizeof(*t));
	t->ring = ring;
	snprintf(t->patch, sizeof(t->patch), "%s", patch ? patch : "none");
}

const struct tv_bench_row *tv_bench_find(const struct tv_bench_table *t, const char *name)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

enum tv_bench_line_kind tv_bench_table_add_line(struct tv_bench_table *t, enum tv_bench_side side,
						const char *line, size_t len,
						char *err, size_t errlen)
{
	struct tv_bench_line l;
	enum tv_bench_line_kind kind = tv_bench_parse_line(line, len, &l, err, errlen);

	switch (kind) {
	case TV_BENCH_LINE_OTHER:
	case TV_BENCH_LINE_MALFORMED:
		return kind;
	case TV_BENCH_LINE_START:
		if (strcmp(l.where, side_names[side]) != 0) {
			set_err(err, errlen, "the %s run's guest says where=%s", side_names[side],
				l.where);
			return TV_BENCH_LINE_MALFORMED;
		}
		t->started[side] = 1;
		t->batches[side] = l.batches;
		return kind;
	case TV_BENCH_LINE_END:
		t->ended[side] = 1;
		return kind;
	case TV_BENCH_LINE_RESULT:
		break;
	}

	struct tv_bench_row *row = (struct tv_bench_row *)tv_bench_find(t, l.name);
	if (!row) {
		if (t->nrows == TV_BENCH_ROWS_MAX) {
			set_err(err, errlen, "more than %d benchmarks", TV_BENCH_ROWS_MAX);
			return TV_BENCH_LINE_MALFORMED;
		}
		row = &t->rows[t->nrows++];
		memset(row, 0, sizeof(*row));
		strcpy(row->name, l.name);
	}
	if (row->side[side].present) {
		set_err(err, errlen, "%s reported twice by the %s run", l.name, side_names[side]);
		return TV_BENCH_LINE_MALFORMED;
	}
	row->side[side] = l.fig;
	return kind;
}

int tv_bench_counter_wanted(const char *what)
{
	return strncmp(what, "cycles", 6) == 0 || strcmp(what, "decode cache hits") == 0 ||
	       strcmp(what, "decode cache misses") == 0 || strcmp(what, "traps") == 0;
}

int tv_bench_table_add_counter(struct tv_bench_table *t, const char *what, uint64_t count)
{
	if (!tv_bench_counter_wanted(what) || t->ncounters == TV_BENCH_COUNTERS_MAX)
		return 0;
	struct tv_bench_counter *c = &t->counters[t->ncounters++];
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->count = count;
	return 1;
}

int tv_bench_has_cycle_counters(const struct tv_bench_table *t)
{
	for (size_t i = 0; i < t->ncounters; i++)
		if (strncmp(t->counters[i].what, "cycles", 6) == 0)
			return 1;
	return 0;
}

int tv_bench_table_check(const struct tv_bench_table *t, char *err, size_t errlen)
{
	for (int s = 0; s < TV_BENCH_SIDES; s++) {
		if (!t->started[s]) {
			set_err(err, errlen, "the %s run printed no BENCH-START", side_names[s]);
			return -1;
		}
		if (!t->ended[s]) {
			set_err(err, errlen, "the %s run printed no BENCH-END", side_names[s]);
			return -1;
		}
	}
	if (t->nrows == 0) {
		set_err(err, errlen, "no benchmark reported any figures");
		return -1;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		for (int s = 0; s < TV_BENCH_SIDES; s++) {
			const struct tv_bench_figures *f = &r->side[s];
			if (!f->present) {
				set_err(err, errlen, "%s: no figures from the %s run", r->name,
					side_names[s]);
				return -1;
			}
			if (f->na)
				continue;
			if (f->iterations == 0 || f->min == 0 || f->median == 0 || f->max == 0) {
				set_err(err, errlen, "%s: a zero figure from the %s run", r->name,
					side_names[s]);
				return -1;
			}
			if (f->min > f->median || f->median > f->max) {
				set_err(err, errlen,
					"%s: the %s run's figures are out of order (min %" PRIu64
					", median %" PRIu64 ", max %" PRIu64 ")",
					r->name, side_names[s], f->min, f->median, f->max);
				return -1;
			}
		}
	}
	return 0;
}

static int has_figures(const struct tv_bench_figures *f)
{
	return f->present && !f->na && f->median > 0;
}

int tv_bench_ratio(const struct tv_bench_row *row, double *ratio)
{
	if (!row || !has_figures(&row->side[TV_BENCH_NATIVE]) ||
	    !has_figures(&row->side[TV_BENCH_HV]))
		return -1;
	*ratio = (double)row->side[TV_BENCH_HV].median /
		 (double)row->side[TV_BENCH_NATIVE].median;
	return 0;
}

/* ---- the efficiency targets ---- */

/*
 * Popek & Goldberg's efficiency asks that innocuous instructions run at
 * native speed; the others say what a trap may reasonably cost. Rows:
 *   compute_loop: no sensitive instruction, so within 1 % of native;
 *   cli_sti, in_port80, out_port80: one trapped and emulated instruction at
 *     most 1.5 times the bare exception round trip under the hypervisor
 *     (INT3 to the guest's handler and its IRET, measured in the same run);
 *   divide_error: reflected to the guest, at most 3 times native.
 */
enum rule_kind {
	RULE_RATIO,		/* hv/native <= factor */
	RULE_VS_HV_ROW,		/* hv median / insns <= factor x base row's hv median */
};

struct target_rule {
	const char *row;
	enum rule_kind kind;
	unsigned insns;		/* trapped instructions per iteration (RULE_VS_HV_ROW) */
	double factor;
	const char *base_row;
	const char *measure;
	const char *limit_rule;
};

static const struct target_rule target_rules[] = {
	{ "compute_loop", RULE_RATIO, 0, 1.01, NULL, "hv/native", "1.01" },
	{ "cli_sti", RULE_VS_HV_ROW, 2, 1.5, "int3_round_trip",
	  "hv cycles per instruction (pair / 2)", "1.5 x int3_round_trip under hv" },
	{ "in_port80", RULE_VS_HV_ROW, 1, 1.5, "int3_round_trip",
	  "hv cycles per instruction", "1.5 x int3_round_trip under hv" },
	{ "out_port80", RULE_VS_HV_ROW, 1, 1.5, "int3_round_trip",
	  "hv cycles per instruction", "1.5 x int3_round_trip under hv" },
	{ "divide_error", RULE_RATIO, 0, 3.0, NULL, "hv/native", "3" },
};

size_t tv_bench_targets(const struct tv_bench_table *t, struct tv_bench_target *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(target_rules) / sizeof(target_rules[0]) && n < max; i++) {
		const struct target_rule *rule = &target_rules[i];
		const struct tv_bench_row *row = tv_bench_find(t, rule->row);
		struct tv_bench_target *tg = &out[n++];
		int known = 0;

		tg->row = rule->row;
		tg->measure = rule->measure;
		tg->limit_rule = rule->limit_rule;
		tg->measured = tg->limit = 0;
		if (rule->kind == RULE_RATIO) {
			tg->limit = rule->factor;
			known = tv_bench_ratio(row, &tg->measured) == 0;
		} else {
			const struct tv_bench_row *base = tv_bench_find(t, rule->base_row);
			if (row && base && has_figures(&row->side[TV_BENCH_HV]) &&
			    has_figures(&base->side[TV_BENCH_HV])) {
				tg->measured = (double)row->side[TV_BENCH_HV].median / rule->insns;
				tg->limit = rule->factor * (double)base->side[TV_BENCH_HV].median;
				known = 1;
			}
		}
		tg->verdict = !known ? TV_BENCH_UNKNOWN :
			      tg->measured <= tg->limit ? TV_BENCH_MET : TV_BENCH_NOT_MET;
	}
	return n;
}

const char *tv_bench_verdict_name(enum tv_bench_verdict v)
{
	switch (v) {
	case TV_BENCH_MET: return "met";
	case TV_BENCH_NOT_MET: return "not met";
	case TV_BENCH_UNKNOWN: break;
	}
	return "unknown";
}

int tv_bench_format_from_name(const char *name, enum tv_bench_format *fmt)
{
	static const struct {
		const char *name;
		enum tv_bench_format fmt;
	} names[] = {
		{ "text", TV_BENCH_TEXT }, { "md", TV_BENCH_MD },
		{ "csv", TV_BENCH_CSV }, { "json", TV_BENCH_JSON },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return 0;
		}
	return -1;
}

/* ---- writing it out ---- */

/* Whether a target is the ratio itself, or a count of cycles. */
static int target_is_ratio(const struct tv_bench_target *tg)
{
	return strcmp(tg->measure, "hv/native") == 0;
}

/* A target's figures: whole cycles, or a ratio to three places. */
static void put_target_value(FILE *out, const struct tv_bench_target *tg, double v)
{
	if (target_is_ratio(tg))
		fprintf(out, "%.3f", v);
	else
		fprintf(out, "%.0f", v);
}

/*
 * A target as text and markdown show it: what was measured (n/a when not
 * known), sep, "<= rule", and for a count of cycles the limit that rule
 * works out to in this run.
 */
static void put_target(FILE *out, const struct tv_bench_target *tg, const char *sep)
{
	if (tg->verdict == TV_BENCH_UNKNOWN)
		fputs("n/a", out);
	else
		put_target_value(out, tg, tg->measured);
	fprintf(out, "%s<= %s", sep, tg->limit_rule);
	if (tg->verdict != TV_BENCH_UNKNOWN && !target_is_ratio(tg)) {
		fputs(" = ", out);
		put_target_value(out, tg, tg->limit);
	}
}

static const char *row_note(const struct tv_bench_row *r)
{
	for (int s = 0; s < TV_BENCH_SIDES; s++)
		if (r->side[s].na)
			return r->side[s].na_reason;
	return "";
}

static void print_text(FILE *out, const struct tv_bench_table *t)
{
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];
	size_t ntg = tv_bench_targets(t, tg, TV_BENCH_TARGETS_MAX);

	fprintf(out, "Cycles per iteration (host TSC), median over %" PRIu64
		" batches natively and %" PRIu64 " under the hypervisor\n"
		"(ring %d, patch %s); min and max over the same batches.\n\n",
		t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV], t->ring, t->patch);
	fprintf(out, "%-18s %27s   %27s\n", "", "---------- native ---------",
		"------- hypervisor --------");
	fprintf(out, "%-18s %9s %8s %8s   %9s %8s %8s %10s\n", "benchmark", "median", "min",
		"max", "median", "min", "max", "hv/native");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		double ratio;

		fprintf(out, "%-18s", r->name);
		for (int s = 0; s < TV_BENCH_SIDES; s++) {
			const struct tv_bench_figures *f = &r->side[s];
			if (has_figures(f))
				fprintf(out, " %9" PRIu64 " %8" PRIu64 " %8" PRIu64, f->median,
					f->min, f->max);
			else
				fprintf(out, " %9s %8s %8s", "n/a", "", "");
			if (s == TV_BENCH_NATIVE)
				fputs("  ", out);
		}
		if (tv_bench_ratio(r, &ratio) == 0)
			fprintf(out, " %10.3f\n", ratio);
		else
			fprintf(out, " %10s  %s\n", "n/a", row_note(r));
	}

	fputs("\nTargets (shown beside the figures, never enforced):\n", out);
	for (size_t i = 0; i < ntg; i++) {
		fprintf(out, "  %-14s %s = ", tg[i].row, tg[i].measure);
		put_target(out, &tg[i], ", target ");
		fprintf(out, ": %s\n", tv_bench_verdict_name(tg[i].verdict));
	}

	fputs("\nHypervisor counters (the hv run, whole):\n", out);
	for (size_t i = 0; i < t->ncounters; i++)
		fprintf(out, "  %-46s %12" PRIu64 "\n", t->counters[i].what, t->counters[i].count);
	if (!tv_bench_has_cycle_counters(t))
		fputs("  trap-path cycle counters: not available (the hypervisor reports no"
		      " \"cycles ...\" statistics)\n", out);
}

static void print_md(FILE *out, const struct tv_bench_table *t)
{
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];
	size_t ntg = tv_bench_targets(t, tg, TV_BENCH_TARGETS_MAX);

	fprintf(out, "Cycles per iteration (host TSC); median, min and max over %" PRIu64
		" batches natively and %" PRIu64 " under the hypervisor (ring %d, patch %s).\n\n",
		t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV], t->ring, t->patch);
	fputs("| benchmark | native median | native min | native max | hv median | hv min"
	      " | hv max | hv/native | note |\n", out);
	fputs("|---|--:|--:|--:|--:|--:|--:|--:|---|\n", out);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		double ratio;

		fprintf(out, "| %s |", r->name);
		for (int s = 0; s < TV_BENCH_SIDES; s++) {
			const struct tv_bench_figures *f = &r->side[s];
			if (has_figures(f))
				fprintf(out, " %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |", f->median,
					f->min, f->max);
			else
				fputs(" n/a | | |", out);
		}
		if (tv_bench_ratio(r, &ratio) == 0)
			fprintf(out, " %.3f | |\n", ratio);
		else
			fprintf(out, " n/a | %s |\n", row_note(r));
	}

	fputs("\nTargets (shown, never enforced):\n\n"
	      "| benchmark | measure | measured | target | result |\n"
	      "|---|---|--:|---|---|\n", out);
	for (size_t i = 0; i < ntg; i++) {
		fprintf(out, "| %s | %s | ", tg[i].row, tg[i].measure);
		put_target(out, &tg[i], " | ");
		fprintf(out, " | %s |\n", tv_bench_verdict_name(tg[i].verdict));
	}

	fputs("\nHypervisor counters (the hv run, whole):\n\n", out);
	for (size_t i = 0; i < t->ncounters; i++)
		fprintf(out, "- %s: %" PRIu64 "\n", t->counters[i].what, t->counters[i].count);
	if (!tv_bench_has_cycle_counters(t))
		fputs("- trap-path cycle counters: not available\n", out);
}

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break. */
static void put_csv(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* One figure of a side and the comma after it; empty when the side has none. */
static void put_csv_figure(FILE *out, const struct tv_bench_figures *f, uint64_t v)
{
	if (has_figures(f))
		fprintf(out, "%" PRIu64, v);
	fputc(',', out);
}

/*
 * One row per benchmark; an n/a figure is an empty field. A benchmark's
 * target, if it has one, is in its own row. Counters do not fit the shape
 * and are left to the other formats.
 */
static void print_csv(FILE *out, const struct tv_bench_table *t)
{
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];
	size_t ntg = tv_bench_targets(t, tg, TV_BENCH_TARGETS_MAX);

	fputs("name,native_cycles,hv_cycles,ratio,native_min,native_max,hv_min,hv_max,"
	      "iterations,target,target_measured,target_limit,target_result,note\n", out);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		const struct tv_bench_figures *nf = &r->side[TV_BENCH_NATIVE];
		const struct tv_bench_figures *hf = &r->side[TV_BENCH_HV];
		const struct tv_bench_target *mine = NULL;
		double ratio;

		for (size_t k = 0; k < ntg; k++)
			if (strcmp(tg[k].row, r->name) == 0)
				mine = &tg[k];
		put_csv(out, r->name);
		fputc(',', out);
		put_csv_figure(out, nf, nf->median);
		put_csv_figure(out, hf, hf->median);
		if (tv_bench_ratio(r, &ratio) == 0)
			fprintf(out, "%.3f", ratio);
		fputc(',', out);
		put_csv_figure(out, nf, nf->min);
		put_csv_figure(out, nf, nf->max);
		put_csv_figure(out, hf, hf->min);
		put_csv_figure(out, hf, hf->max);
		put_csv_figure(out, hf, hf->iterations);
		if (mine) {
			char rule[160];
			snprintf(rule, sizeof(rule), "%s <= %s", mine->measure, mine->limit_rule);
			put_csv(out, rule);
			fputc(',', out);
			if (mine->verdict != TV_BENCH_UNKNOWN) {
				put_target_value(out, mine, mine->measured);
				fputc(',', out);
				put_target_value(out, mine, mine->limit);
			} else {
				fputc(',', out);
			}
			fprintf(out, ",%s,", tv_bench_verdict_name(mine->verdict));
		} else {
			fputs(",,,,", out);
		}
		put_csv(out, row_note(r));
		fputc('\n', out);
	}
}

static void put_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_json_side(FILE *out, const struct tv_bench_figures *f)
{
	if (f->na) {
		fputs("{\"na\": ", out);
		put_json_string(out, f->na_reason);
		fputc('}', out);
	} else if (has_figures(f)) {
		fprintf(out, "{\"iterations\": %" PRIu64 ", \"median\": %" PRIu64
			", \"min\": %" PRIu64 ", \"max\": %" PRIu64 "}",
			f->iterations, f->median, f->min, f->max);
	} else {
		fputs("null", out);
	}
}

static void print_json(FILE *out, const struct tv_bench_table *t)
{
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];
	size_t ntg = tv_bench_targets(t, tg, TV_BENCH_TARGETS_MAX);

	fprintf(out, "{\n  \"unit\": \"TSC cycles per iteration\",\n  \"ring\": %d,\n"
		"  \"patch\": ", t->ring);
	put_json_string(out, t->patch);
	fprintf(out, ",\n  \"batches\": {\"native\": %" PRIu64 ", \"hv\": %" PRIu64 "},\n"
		"  \"benchmarks\": [", t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV]);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		double ratio;

		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		put_json_string(out, r->name);
		fputs(", \"native\": ", out);
		put_json_side(out, &r->side[TV_BENCH_NATIVE]);
		fputs(", \"hv\": ", out);
		put_json_side(out, &r->side[TV_BENCH_HV]);
		if (tv_bench_ratio(r, &ratio) == 0)
			fprintf(out, ", \"ratio\": %.3f}", ratio);
		else
			fputs(", \"ratio\": null}", out);
	}
	fputs("\n  ],\n  \"targets\": [", out);
	for (size_t i = 0; i < ntg; i++) {
		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		put_json_string(out, tg[i].row);
		fputs(", \"measure\": ", out);
		put_json_string(out, tg[i].measure);
		fputs(", \"limit_rule\": ", out);
		put_json_string(out, tg[i].limit_rule);
		if (tg[i].verdict == TV_BENCH_UNKNOWN) {
			fputs(", \"measured\": null, \"limit\": null, \"met\": null}", out);
		} else {
			fputs(", \"measured\": ", out);
			put_target_value(out, &tg[i], tg[i].measured);
			fputs(", \"limit\": ", out);
			put_target_value(out, &tg[i], tg[i].limit);
			fprintf(out, ", \"met\": %s}",
				tg[i].verdict == TV_BENCH_MET ? "true" : "false");
		}
	}
	fputs("\n  ],\n  \"hv_counters\": [", out);
	for (size_t i = 0; i < t->ncounters; i++) {
		fputs(i ? ",\n    {\"what\": " : "\n    {\"what\": ", out);
		put_json_string(out, t->counters[i].what);
		fprintf(out, ", \"count\": %" PRIu64 "}", t->counters[i].count);
	}
	fprintf(out, "\n  ],\n  \"cycle_counters_available\": %s\n}\n",
		tv_bench_has_cycle_counters(t) ? "true" : "false");
}

void tv_bench_print(FILE *out, const struct tv_bench_table *t, enum tv_bench_format fmt)
{
	switch (fmt) {
	case TV_BENCH_TEXT: print_text(out, t); break;
	case TV_BENCH_MD: print_md(out, t); break;
	case TV_BENCH_CSV: print_csv(out, t); break;
	case TV_BENCH_JSON: print_json(out, t); break;
	}
}
