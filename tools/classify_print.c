/*
 * tools/classify_print.c: the classify table as text, markdown, CSV or
 * JSON, and the matrix of verdicts across hypervisor configurations
 * (classify_table.h, part 4).
 * Runs on: host (pure: no QEMU, no processes).
 */
#include "tools/classify_table.h"

#include <string.h>

#include "tools/escape.h"

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

/* CSV: a cell, then the comma or the line's end. */
static void csv_cell(FILE *f, const char *s, int last)
{
	tv_put_csv_field(f, s);
	fputc(last ? '\n' : ',', f);
}

/* Markdown: a cell's text and the bar that ends it. */
static void md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	tv_put_md_text(f, s);
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
		tv_put_json_string(f, r->name);
		fputs(", \"instruction\": ", f);
		tv_put_json_string(f, r->insn);
		fputs(", \"category\": ", f);
		tv_put_json_string(f, r->category);
		fprintf(f, ", \"la\": %u, \"bytes\": ", r->la);
		tv_put_json_string(f, r->bytes);
		fprintf(f, ", \"capstone_privileged\": %s, \"trapped\": %s, "
			"\"equal_to_native\": %s, \"effect_checked\": %s, \"stopped\": %s, "
			"\"patched\": %s, \"verdict\": ",
			r->capstone_privileged < 0 ? "null" : r->capstone_privileged ? "true" : "false",
			r->trapped ? "true" : "false",
			!r->present ? "null" : r->equal ? "true" : "false",
			r->effect_checked ? "true" : "false",
			r->stopped ? "true" : "false", r->patched ? "true" : "false");
		tv_put_json_string(f, tv_verdict_name(r->verdict));
		fputs(", \"native\": ", f);
		tv_put_json_string(f, r->native);
		fputs(", \"virtualized\": ", f);
		tv_put_json_string(f, r->virt);
		fputs(", \"note\": ", f);
		tv_put_json_string(f, note);
		fputc('}', f);
	}
	fprintf(f, "\n%s]", indent);
}

static void print_json_config(FILE *f, const struct tv_classify_config *c)
{
	fprintf(f, "{\"ring\": %d, \"umip\": %s, \"patch\": ", c->ring, c->umip ? "true" : "false");
	tv_put_json_string(f, c->patch ? c->patch : "none");
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
			tv_put_json_string(f, m->note[c]);
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
