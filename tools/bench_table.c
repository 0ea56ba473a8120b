/*
 * tools/bench_table.c: gather the benchmark guest's lines and the
 * hypervisor's counters into a table, and check that it is complete and
 * plausible (bench_table.h). Its targets are judged in bench_judge.c, and
 * it is written out by bench_print.c. Runs on: host.
 *
 * The guest's figures are TSC cycles per loop iteration, each the median,
 * minimum or maximum over its batches.
 */
#include "tools/bench_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "tools/fields.h"

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

static int word_is(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 &&
	       ((size_t)(end - p) == n || p[n] == ' ');
}

static enum tv_bench_line_kind parse_result(const struct tv_field *f, unsigned n,
					    struct tv_bench_line *out, char *err, size_t errlen)
{
	const char *name = tv_fields_find(f, n, "name");
	const char *na = tv_fields_find(f, n, "na");

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
		if (strlen(na) >= sizeof(out->fig.na_reason)) {
			set_err(err, errlen, "value of na too long");
			return TV_BENCH_LINE_MALFORMED;
		}
		out->fig.na = 1;
		strcpy(out->fig.na_reason, na);
		out->kind = TV_BENCH_LINE_RESULT;
		return out->kind;
	}
	static const char *const keys[] = { "iterations", "median", "min", "max" };
	uint64_t *dst[] = { &out->fig.iterations, &out->fig.median, &out->fig.min,
			    &out->fig.max };
	for (size_t i = 0; i < 4; i++) {
		const char *v = tv_fields_find(f, n, keys[i]);
		if (!v) {
			set_err(err, errlen, "%s: no %s", name, keys[i]);
			return TV_BENCH_LINE_MALFORMED;
		}
		/* The guest prints decimal numbers only. */
		if (tv_parse_u64(v, 10, dst[i]) < 0) {
			set_err(err, errlen, "%s: %s=%s is not a number", name, keys[i], v);
			return TV_BENCH_LINE_MALFORMED;
		}
	}
	out->kind = TV_BENCH_LINE_RESULT;
	return out->kind;
}

/* The longest BENCH line read; the guest's are far shorter. */
#define LINE_MAX_BYTES	512

enum tv_bench_line_kind tv_bench_parse_line(const char *line, size_t len,
					    struct tv_bench_line *out, char *err, size_t errlen)
{
	struct tv_field f[TV_FIELDS_MAX];
	unsigned n;
	char buf[LINE_MAX_BYTES];
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
	size_t word = start ? strlen("BENCH-START") : strlen("BENCH");
	if ((size_t)(end - line) >= sizeof(buf) || memchr(line, '\0', (size_t)(end - line))) {
		set_err(err, errlen, "BENCH line too long, or with a NUL byte");
		return out->kind = TV_BENCH_LINE_MALFORMED;
	}
	memcpy(buf, line + word, (size_t)(end - line) - word);
	buf[(size_t)(end - line) - word] = '\0';
	const char *why = tv_fields_parse(buf, f, TV_FIELDS_MAX, &n);
	if (why) {
		set_err(err, errlen, "%s", why);
		return out->kind = TV_BENCH_LINE_MALFORMED;
	}
	if (!start)
		return parse_result(f, n, out, err, errlen);

	const char *where = tv_fields_find(f, n, "where");
	const char *batches = tv_fields_find(f, n, "batches");
	if (!where || strlen(where) >= sizeof(out->where) || !batches ||
	    tv_parse_u64(batches, 10, &out->batches) < 0 || out->batches == 0) {
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

int tv_bench_table_add_row(struct tv_bench_table *t, const char *name,
			   const struct tv_bench_figures *native, const struct tv_bench_figures *hv)
{
	if (tv_bench_find(t, name) || t->nrows == TV_BENCH_ROWS_MAX ||
	    strlen(name) >= TV_BENCH_NAME_MAX)
		return -1;
	struct tv_bench_row *row = &t->rows[t->nrows++];
	memset(row, 0, sizeof(*row));
	strcpy(row->name, name);
	row->side[TV_BENCH_NATIVE] = *native;
	row->side[TV_BENCH_HV] = *hv;
	return 0;
}
