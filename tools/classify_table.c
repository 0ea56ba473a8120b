/*
 * tools/classify_table.c: reading the probe's report, deciding each
 * instruction's verdict, and printing the table and the matrix.
 * Runs on: host (pure: no QEMU, no processes; see classify_table.h).
 */
#include "tools/classify_table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. the probe's lines ---- */

/* The value of key=... in s (up to a space, or inside quotes), copied to out. */
static int field(const char *s, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *p = s; (p = strstr(p, key)) != NULL; p++) {
		if ((p != s && p[-1] != ' ') || p[klen] != '=')
			continue;
		const char *v = p + klen + 1, *end;
		if (*v == '"') {
			v++;
			end = strchr(v, '"');
			if (!end)
				return -1;
		} else {
			end = v + strcspn(v, " ");
		}
		size_t n = (size_t)(end - v);
		if (n >= outlen)
			return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
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
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, base);
	if (*end || v > 0xFFFFFFFFull)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum tv_probe_line_kind tv_probe_parse_line(const char *s, size_t len, struct tv_probe_line *out)
{
	char line[512], num[32];
	uint32_t v;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(line))
		return strncmp(s, "PROBE", 5) == 0 ? TV_PROBE_LINE_MALFORMED : TV_PROBE_LINE_OTHER;
	memcpy(line, s, len);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';

	if (strncmp(line, "PROBE-END ", 10) == 0) {
		if (field(line, "count", num, sizeof(num)) < 0 || parse_u32(num, 10, &v) < 0)
			return TV_PROBE_LINE_MALFORMED;
		out->count = v;
		return TV_PROBE_LINE_END;
	}
	if (strncmp(line, "PROBE ", 6) != 0)
		return strncmp(line, "PROBE", 5) == 0 ? TV_PROBE_LINE_MALFORMED
						      : TV_PROBE_LINE_OTHER;
	if (field(line, "name", out->name, sizeof(out->name)) < 0 ||
	    !all_of(out->name, name_char) ||
	    field(line, "category", out->category, sizeof(out->category)) < 0 ||
	    (strcmp(out->category, "privileged") && strcmp(out->category, "sensitive") &&
	     strcmp(out->category, "innocuous")) ||
	    field(line, "la", num, sizeof(num)) < 0 || strncmp(num, "0x", 2) != 0 ||
	    parse_u32(num + 2, 16, &out->la) < 0 ||
	    field(line, "len", num, sizeof(num)) < 0 || parse_u32(num, 10, &v) < 0 ||
	    v < 1 || v > 15 ||
	    field(line, "bytes", out->bytes, sizeof(out->bytes)) < 0 ||
	    !all_of(out->bytes, hex_char) || strlen(out->bytes) != 2 * v ||
	    field(line, "effect", num, sizeof(num)) < 0 ||
	    (strcmp(num, "checked") && strcmp(num, "unchecked")) ||
	    field(line, "observed", out->observed, sizeof(out->observed)) < 0 ||
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

/* ---- 3. the comparison ---- */

enum tv_verdict tv_classify_verdict(const char *category, int effect_checked, int present,
				    int stopped, int trapped, int equal)
{
	if (stopped)
		return TV_VERDICT_STOPPED;
	if (!present)
		return TV_VERDICT_NO_RESULT;
	/* A difference is a finding whatever was observed; sameness only if the effect was. */
	if (!equal)
		return trapped ? TV_VERDICT_TRAPPED_DIFFERS : TV_VERDICT_SILENT;
	if (!effect_checked)
		return trapped ? TV_VERDICT_TRAPPED_UNCHECKED : TV_VERDICT_UNTRAPPED_UNCHECKED;
	if (trapped)
		return TV_VERDICT_HOLDS;
	/*
	 * Running natively and behaving the same is what Popek and Goldberg
	 * want of an innocuous instruction; for one the catalog calls
	 * sensitive or privileged it only means this run could not tell.
	 */
	return strcmp(category, "innocuous") == 0 ? TV_VERDICT_HOLDS : TV_VERDICT_SILENT_EQUAL;
}

const char *tv_verdict_name(enum tv_verdict v)
{
	switch (v) {
	case TV_VERDICT_HOLDS: return "trap-and-emulate holds";
	case TV_VERDICT_SILENT: return "SILENT: equivalence broken";
	case TV_VERDICT_TRAPPED_DIFFERS: return "trapped but differs";
	case TV_VERDICT_SILENT_EQUAL: return "not trapped, equal in this run";
	case TV_VERDICT_TRAPPED_UNCHECKED: return "trapped; effect not checked here";
	case TV_VERDICT_UNTRAPPED_UNCHECKED: return "not trapped; effect not checked here";
	case TV_VERDICT_STOPPED: return "hypervisor stops the guest";
	case TV_VERDICT_NO_RESULT: return "no result";
	}
	return "?";
}

const char *tv_verdict_short(enum tv_verdict v)
{
	switch (v) {
	case TV_VERDICT_HOLDS: return "holds";
	case TV_VERDICT_SILENT: return "SILENT";
	case TV_VERDICT_TRAPPED_DIFFERS: return "differs";
	case TV_VERDICT_SILENT_EQUAL: return "untrapped=";
	case TV_VERDICT_TRAPPED_UNCHECKED: return "trapped?";
	case TV_VERDICT_UNTRAPPED_UNCHECKED: return "untrapped?";
	case TV_VERDICT_STOPPED: return "stops";
	case TV_VERDICT_NO_RESULT: return "-";
	}
	return "?";
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

void tv_classify_decide(struct tv_classify_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		struct tv_classify_row *r = &t->row[i];
		r->verdict = tv_classify_verdict(r->category, r->effect_checked, r->present,
						 r->stopped, r->trapped, r->equal);
	}
}

void tv_classify_build(struct tv_classify_table *t, const struct tv_classify_config *config,
		       const struct tv_probe_run *native, const struct tv_probe_run *virt,
		       const char *const *stopped, const char *const *reason, size_t nstopped)
{
	memset(t, 0, sizeof(*t));
	t->config = *config;
	for (size_t i = 0; i < native->nrows && i < TV_CLASSIFY_ROWS_MAX; i++) {
		const struct tv_probe_line *n = &native->row[i];
		const struct tv_probe_line *v = tv_probe_run_find(virt, n->name);
		struct tv_classify_row *r = &t->row[t->nrows++];

		copy(r->name, sizeof(r->name), n->name);
		copy(r->category, sizeof(r->category), n->category);
		r->la = n->la;
		r->len = n->len;
		copy(r->bytes, sizeof(r->bytes), n->bytes);
		r->capstone_privileged = -1;
		copy(r->native, sizeof(r->native), n->observed);
		/* The bare machine's line speaks for the catalog the guest was built with. */
		r->effect_checked = n->effect_checked;
		for (size_t k = 0; k < nstopped; k++) {
			if (strcmp(stopped[k], n->name) == 0) {
				r->stopped = 1;
				copy(r->stop_reason, sizeof(r->stop_reason), reason ? reason[k] : "");
			}
		}
		if (!v)
			continue;
		copy(r->virt, sizeof(r->virt), v->observed);
		/* A row skipped on either side was not measured there. */
		r->present = !n->skipped && !v->skipped;
		r->trapped = tv_probe_trapped(virt, n->la, n->len);
		r->equal = r->present && strcmp(n->observed, v->observed) == 0;
		r->patched = strcmp(n->bytes, v->bytes) != 0;
	}
	tv_classify_decide(t);
}

/* ---- 4. the formats ---- */

int tv_classify_format_from_name(const char *name)
{
	if (strcmp(name, "text") == 0)
		return TV_CLASSIFY_TEXT;
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return TV_CLASSIFY_MARKDOWN;
	if (strcmp(name, "csv") == 0)
		return TV_CLASSIFY_CSV;
	if (strcmp(name, "json") == 0)
		return TV_CLASSIFY_JSON;
	return -1;
}

void tv_classify_config_name(const struct tv_classify_config *c, char *buf, size_t len)
{
	snprintf(buf, len, "ring %d, UMIP %s, patch=%s", c->ring, c->umip ? "on" : "off",
		 c->patch ? c->patch : "none");
}

static const char *yes_no(int v)
{
	return v ? "yes" : "no";
}

static const char *capstone_cell(int v)
{
	return v < 0 ? "?" : v ? "yes" : "no";
}

/* What a reader should know about a row beyond its verdict. */
static void row_note(const struct tv_classify_row *r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (r->stopped)
		snprintf(buf, len, "%s", r->stop_reason[0] ? r->stop_reason : "stopped");
	else if (r->patched)
		snprintf(buf, len, "patched by the hypervisor");
}

/* CSV: quote a cell that holds a comma or a quote (RFC 4180). */
static void csv_cell(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Markdown: a pipe inside a cell would end it. */
static void md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
	fputs(" |", f);
}

static void print_text(FILE *f, const struct tv_classify_table *t)
{
	char cfg[96], note[TV_CLASSIFY_NOTE_MAX];

	tv_classify_config_name(&t->config, cfg, sizeof(cfg));
	fprintf(f, "Trapped or silent: each instruction on the bare machine and under the hypervisor (%s)\n\n",
		cfg);
	fprintf(f, "%-13s %-28s %-10s %-9s %-7s %-8s %s\n", "row", "instruction", "category",
		"capstone", "trapped", "= native", "verdict");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_classify_row *r = &t->row[i];
		row_note(r, note, sizeof(note));
		fprintf(f, "%-13s %-28s %-10s %-9s %-7s %-8s %s%s%s%s\n", r->name,
			r->insn[0] ? r->insn : "?",
			r->category, capstone_cell(r->capstone_privileged), yes_no(r->trapped),
			r->present ? yes_no(r->equal) : "-", tv_verdict_name(r->verdict),
			note[0] ? " (" : "", note, note[0] ? ")" : "");
		if (r->present && !r->equal) {
			fprintf(f, "    bare machine: %s\n", r->native);
			fprintf(f, "    hypervisor:   %s\n", r->virt);
		}
	}
	size_t count[TV_VERDICT_NO_RESULT + 1] = { 0 };
	for (size_t i = 0; i < t->nrows; i++)
		count[t->row[i].verdict]++;
	fprintf(f, "\n%zu instructions:", t->nrows);
	const char *sep = " ";
	for (int v = 0; v <= TV_VERDICT_NO_RESULT; v++) {
		if (count[v]) {
			fprintf(f, "%s%zu %s", sep, count[v], tv_verdict_name((enum tv_verdict)v));
			sep = "; ";
		}
	}
	fputc('\n', f);
}

static void print_markdown(FILE *f, const struct tv_classify_table *t)
{
	char cfg[96], note[TV_CLASSIFY_NOTE_MAX];

	tv_classify_config_name(&t->config, cfg, sizeof(cfg));
	fprintf(f, "Under the hypervisor: %s\n\n", cfg);
	fputs("| row | instruction | category | Capstone privileged | trapped | equal to native | verdict | note |\n"
	      "|---|---|---|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_classify_row *r = &t->row[i];
		row_note(r, note, sizeof(note));
		fputc('|', f);
		md_cell(f, r->name);
		md_cell(f, r->insn[0] ? r->insn : "?");
		md_cell(f, r->category);
		md_cell(f, capstone_cell(r->capstone_privileged));
		md_cell(f, yes_no(r->trapped));
		md_cell(f, r->present ? yes_no(r->equal) : "-");
		md_cell(f, r->verdict == TV_VERDICT_SILENT ? "**SILENT: equivalence broken**"
							    : tv_verdict_name(r->verdict));
		md_cell(f, note);
		fputc('\n', f);
	}
}

static void print_csv(FILE *f, const struct tv_classify_table *t)
{
	char la[16], note[TV_CLASSIFY_NOTE_MAX];

	fputs("instruction,category,capstone_privileged,trapped,equal_to_native,verdict,"
	      "name,la,bytes,native,virtualized,note\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_classify_row *r = &t->row[i];
		snprintf(la, sizeof(la), "0x%08x", r->la);
		row_note(r, note, sizeof(note));
		csv_cell(f, r->insn[0] ? r->insn : r->name, 0);
		csv_cell(f, r->category, 0);
		csv_cell(f, capstone_cell(r->capstone_privileged), 0);
		csv_cell(f, yes_no(r->trapped), 0);
		csv_cell(f, r->present ? yes_no(r->equal) : "-", 0);
		csv_cell(f, tv_verdict_name(r->verdict), 0);
		csv_cell(f, r->name, 0);
		csv_cell(f, la, 0);
		csv_cell(f, r->bytes, 0);
		csv_cell(f, r->native, 0);
		csv_cell(f, r->virt, 0);
		csv_cell(f, note, 1);
	}
}

static void print_json_rows(FILE *f, const struct tv_classify_table *t, const char *indent)
{
	char note[TV_CLASSIFY_NOTE_MAX];

	fputc('[', f);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_classify_row *r = &t->row[i];
		row_note(r, note, sizeof(note));
		fprintf(f, "%s\n%s  {\"name\": ", i ? "," : "", indent);
		json_string(f, r->name);
		fputs(", \"instruction\": ", f);
		json_string(f, r->insn);
		fputs(", \"category\": ", f);
		json_string(f, r->category);
		fprintf(f, ", \"la\": %u, \"bytes\": ", r->la);
		json_string(f, r->bytes);
		fprintf(f, ", \"capstone_privileged\": %s, \"trapped\": %s, "
			"\"equal_to_native\": %s, \"effect_checked\": %s, \"stopped\": %s, "
			"\"patched\": %s, \"verdict\": ",
			r->capstone_privileged < 0 ? "null" : r->capstone_privileged ? "true" : "false",
			r->trapped ? "true" : "false",
			!r->present ? "null" : r->equal ? "true" : "false",
			r->effect_checked ? "true" : "false",
			r->stopped ? "true" : "false", r->patched ? "true" : "false");
		json_string(f, tv_verdict_name(r->verdict));
		fputs(", \"native\": ", f);
		json_string(f, r->native);
		fputs(", \"virtualized\": ", f);
		json_string(f, r->virt);
		fputs(", \"note\": ", f);
		json_string(f, note);
		fputc('}', f);
	}
	fprintf(f, "\n%s]", indent);
}

static void print_json_config(FILE *f, const struct tv_classify_config *c)
{
	fprintf(f, "{\"ring\": %d, \"umip\": %s, \"patch\": ", c->ring, c->umip ? "true" : "false");
	json_string(f, c->patch ? c->patch : "none");
	fputc('}', f);
}

void tv_classify_print(FILE *f, const struct tv_classify_table *t, enum tv_classify_format fmt)
{
	switch (fmt) {
	case TV_CLASSIFY_TEXT:
		print_text(f, t);
		return;
	case TV_CLASSIFY_MARKDOWN:
		print_markdown(f, t);
		return;
	case TV_CLASSIFY_CSV:
		print_csv(f, t);
		return;
	case TV_CLASSIFY_JSON:
		fputs("{\"config\": ", f);
		print_json_config(f, &t->config);
		fputs(",\n \"rows\": ", f);
		print_json_rows(f, t, " ");
		fputs("}\n", f);
		return;
	}
}

/* The first configuration that ran: it names the rows. */
static const struct tv_classify_table *matrix_rows(const struct tv_classify_matrix *m)
{
	for (size_t c = 0; c < m->nconfigs; c++)
		if (m->ran[c])
			return &m->table[c];
	return NULL;
}

/* The verdict of row `name` in configuration c, or NULL if it did not run. */
static const struct tv_classify_row *matrix_cell(const struct tv_classify_matrix *m, size_t c,
						 const char *name)
{
	if (!m->ran[c])
		return NULL;
	for (size_t i = 0; i < m->table[c].nrows; i++)
		if (strcmp(m->table[c].row[i].name, name) == 0)
			return &m->table[c].row[i];
	return NULL;
}

/* "r1 umip- none": a column heading short enough for a terminal. */
static void config_short(const struct tv_classify_config *c, char *buf, size_t len)
{
	snprintf(buf, len, "r%d %s %s", c->ring, c->umip ? "umip+" : "umip-",
		 c->patch ? c->patch : "none");
}

void tv_classify_print_matrix(FILE *f, const struct tv_classify_matrix *m,
			      enum tv_classify_format fmt)
{
	const struct tv_classify_table *rows = matrix_rows(m);
	char name[96];

	if (fmt == TV_CLASSIFY_JSON) {
		fputs("{\"configs\": [", f);
		for (size_t c = 0; c < m->nconfigs; c++) {
			fprintf(f, "%s\n {\"config\": ", c ? "," : "");
			print_json_config(f, &m->table[c].config);
			fprintf(f, ", \"ran\": %s, \"note\": ", m->ran[c] ? "true" : "false");
			json_string(f, m->note[c]);
			fputs(", \"rows\": ", f);
			if (m->ran[c])
				print_json_rows(f, &m->table[c], " ");
			else
				fputs("[]", f);
			fputc('}', f);
		}
		fputs("\n]}\n", f);
		return;
	}
	if (fmt == TV_CLASSIFY_CSV) {
		fputs("instruction,category,capstone_privileged", f);
		for (size_t c = 0; c < m->nconfigs; c++) {
			config_short(&m->table[c].config, name, sizeof(name));
			fputc(',', f);
			fputs(name, f);
		}
		fputc('\n', f);
	} else if (fmt == TV_CLASSIFY_MARKDOWN) {
		fputs("| row | instruction | category |", f);
		for (size_t c = 0; c < m->nconfigs; c++) {
			config_short(&m->table[c].config, name, sizeof(name));
			md_cell(f, name);
		}
		fputs("\n|---|---|---|", f);
		for (size_t c = 0; c < m->nconfigs; c++)
			fputs("---|", f);
		fputc('\n', f);
	} else {
		fputs("Verdicts across hypervisor configurations (r = ring, umip+/- = UMIP on/off,\n"
		      "then the patch mode); each column against the bare machine's run.\n\n", f);
		fprintf(f, "%-13s %-10s", "row", "category");
		for (size_t c = 0; c < m->nconfigs; c++) {
			config_short(&m->table[c].config, name, sizeof(name));
			fprintf(f, " %-15s", name);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; rows && i < rows->nrows; i++) {
		const struct tv_classify_row *r = &rows->row[i];
		const char *insn = r->insn[0] ? r->insn : r->name;

		if (fmt == TV_CLASSIFY_CSV) {
			csv_cell(f, insn, 0);
			csv_cell(f, r->category, 0);
			csv_cell(f, capstone_cell(r->capstone_privileged), m->nconfigs == 0);
		} else if (fmt == TV_CLASSIFY_MARKDOWN) {
			fputc('|', f);
			md_cell(f, r->name);
			md_cell(f, insn);
			md_cell(f, r->category);
		} else {
			fprintf(f, "%-13s %-10s", r->name, r->category);
		}
		for (size_t c = 0; c < m->nconfigs; c++) {
			const struct tv_classify_row *cell = matrix_cell(m, c, r->name);
			const char *v = cell ? tv_verdict_short(cell->verdict) : "not run";
			if (fmt == TV_CLASSIFY_CSV)
				csv_cell(f, cell ? tv_verdict_name(cell->verdict) : "not run",
					 c + 1 == m->nconfigs);
			else if (fmt == TV_CLASSIFY_MARKDOWN)
				md_cell(f, cell && cell->verdict == TV_VERDICT_SILENT ? "**SILENT**" : v);
			else
				fprintf(f, " %-15s", v);
		}
		if (fmt != TV_CLASSIFY_CSV)
			fputc('\n', f);
	}
	if (fmt == TV_CLASSIFY_CSV)
		return;
	fputc('\n', f);
	if (fmt == TV_CLASSIFY_TEXT)
		fputs("holds = trap-and-emulate holds; SILENT = not trapped and not equivalent;\n"
		      "differs = trapped but emulated differently; untrapped= = not trapped but\n"
		      "equal in this run; trapped? and untrapped? = equal, but the probe does not\n"
		      "observe the instruction's effect; stops = the hypervisor stops the guest there.\n", f);
	for (size_t c = 0; c < m->nconfigs; c++) {
		if (m->ran[c])
			continue;
		tv_classify_config_name(&m->table[c].config, name, sizeof(name));
		fprintf(f, "%s%s: not run: %s\n", fmt == TV_CLASSIFY_MARKDOWN ? "- " : "", name,
			m->note[c]);
	}
}
