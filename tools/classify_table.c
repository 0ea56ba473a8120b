/*
 * tools/classify_table.c: reading the probe's report: its PROBE lines, one
 * run's rows and trap addresses, and which row a stop belongs to
 * (classify_table.h, parts 1 and 2). The verdicts are classify_verdict.c's,
 * the formats classify_print.c's.
 * Runs on: host (pure: no QEMU, no processes).
 */
#include "tools/classify_table.h"

#include <ctype.h>
#include <string.h>

#include "tools/fields.h"

/* ---- 1. the probe's lines ---- */

/* Copy field key's value to out; -1 if absent or too long for it. */
static int field(const struct tv_field *f, unsigned n, const char *key, char *out,
		 size_t outlen)
{
	const char *v = tv_fields_find(f, n, key);

	if (!v || strlen(v) >= outlen)
		return -1;
	strcpy(out, v);
	return 0;
}

static int all_of(const char *s, int (*ok)(int c))
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!ok((unsigned char)*s))
			return 0;
	return 1;
}

static int name_char(int c) { return islower(c) || isdigit(c) || c == '_'; }
static int hex_char(int c) { return isdigit(c) || (c >= 'a' && c <= 'f'); }
static int observed_char(int c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

static int parse_u32(const char *s, int base, uint32_t *out)
{
	uint64_t v;

	if (tv_parse_u64(s, base, &v) < 0 || v > 0xFFFFFFFFu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum tv_probe_line_kind tv_probe_parse_line(const char *s, size_t len, struct tv_probe_line *out)
{
	char line[512], num[32];
	struct tv_field f[TV_FIELDS_MAX];
	unsigned n;
	uint32_t v;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(line) || memchr(s, '\0', len))
		return strncmp(s, "PROBE", 5) == 0 ? TV_PROBE_LINE_MALFORMED : TV_PROBE_LINE_OTHER;
	memcpy(line, s, len);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';

	int end = strncmp(line, "PROBE-END ", 10) == 0;
	if (!end && strncmp(line, "PROBE ", 6) != 0)
		return strncmp(line, "PROBE", 5) == 0 ? TV_PROBE_LINE_MALFORMED
						      : TV_PROBE_LINE_OTHER;
	if (tv_fields_parse(strchr(line, ' '), f, TV_FIELDS_MAX, &n))
		return TV_PROBE_LINE_MALFORMED;
	if (end) {
		if (field(f, n, "count", num, sizeof(num)) < 0 || parse_u32(num, 10, &v) < 0)
			return TV_PROBE_LINE_MALFORMED;
		out->count = v;
		return TV_PROBE_LINE_END;
	}
	if (field(f, n, "name", out->name, sizeof(out->name)) < 0 ||
	    !all_of(out->name, name_char) ||
	    field(f, n, "category", out->category, sizeof(out->category)) < 0 ||
	    (strcmp(out->category, "privileged") && strcmp(out->category, "sensitive") &&
	     strcmp(out->category, "innocuous")) ||
	    field(f, n, "la", num, sizeof(num)) < 0 || strncmp(num, "0x", 2) != 0 ||
	    parse_u32(num + 2, 16, &out->la) < 0 ||
	    field(f, n, "len", num, sizeof(num)) < 0 || parse_u32(num, 10, &v) < 0 ||
	    v < 1 || v > 15 ||
	    field(f, n, "bytes", out->bytes, sizeof(out->bytes)) < 0 ||
	    !all_of(out->bytes, hex_char) || strlen(out->bytes) != 2 * v ||
	    field(f, n, "effect", num, sizeof(num)) < 0 ||
	    (strcmp(num, "checked") && strcmp(num, "unchecked")) ||
	    field(f, n, "observed", out->observed, sizeof(out->observed)) < 0 ||
	    !all_of(out->observed, observed_char))
		return TV_PROBE_LINE_MALFORMED;
	out->effect_checked = strcmp(num, "checked") == 0;
	out->len = v;
	out->skipped = strcmp(out->observed, "skipped") == 0;
	return TV_PROBE_LINE_ROW;
}

/* ---- 2. one run ---- */

void tv_probe_run_init(struct tv_probe_run *run)
{
	memset(run, 0, sizeof(*run));
}

void tv_probe_run_add_line(struct tv_probe_run *run, enum tv_probe_line_kind kind,
			   const struct tv_probe_line *line)
{
	switch (kind) {
	case TV_PROBE_LINE_ROW:
		/* A row reported twice, or too many rows, breaks the report's rules. */
		if (run->nrows >= TV_CLASSIFY_ROWS_MAX || tv_probe_run_find(run, line->name)) {
			run->nmalformed++;
			return;
		}
		run->row[run->nrows++] = *line;
		return;
	case TV_PROBE_LINE_END:
		run->end_seen = 1;
		run->end_count = line->count;
		return;
	case TV_PROBE_LINE_MALFORMED:
		run->nmalformed++;
		return;
	case TV_PROBE_LINE_OTHER:
		return;
	}
}

void tv_probe_run_add_trap(struct tv_probe_run *run, uint32_t eip, int stop)
{
	if (stop) {
		run->stop_eip_known = 1;
		run->stop_eip = eip;
	}
	if (run->ntraps >= TV_CLASSIFY_TRAPS_MAX) {
		run->traps_dropped++;
		return;
	}
	run->trap_eip[run->ntraps++] = eip;
}

const struct tv_probe_line *tv_probe_run_find(const struct tv_probe_run *run, const char *name)
{
	for (size_t i = 0; i < run->nrows; i++)
		if (strcmp(run->row[i].name, name) == 0)
			return &run->row[i];
	return NULL;
}

int tv_probe_trapped(const struct tv_probe_run *run, uint32_t la, unsigned len)
{
	for (size_t i = 0; i < run->ntraps; i++)
		if (run->trap_eip[i] >= la && run->trap_eip[i] - la < len)
			return 1;
	return 0;
}

int tv_probe_run_complete(const struct tv_probe_run *run, const struct tv_probe_run *reference)
{
	if (!run->end_seen || run->end_count != run->nrows || run->nmalformed)
		return 0;
	return !reference || run->nrows == reference->nrows;
}

int tv_classify_stopped_row(const struct tv_probe_run *reference,
			    const struct tv_probe_run *stopped)
{
	if (stopped->stop_eip_known)
		for (size_t i = 0; i < reference->nrows; i++)
			if (stopped->stop_eip >= reference->row[i].la &&
			    stopped->stop_eip - reference->row[i].la < reference->row[i].len)
				return (int)i;
	for (size_t i = 0; i < reference->nrows; i++)
		if (!tv_probe_run_find(stopped, reference->row[i].name))
			return (int)i;
	return -1;
}
