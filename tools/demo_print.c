/*
 * tools/demo_print.c: the demo's table as text (with colours on a
 * terminal), markdown for slides, or JSON for tools.
 * Runs on: host.
 */
#include "tools/demo_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/escape.h"
#include "tools/i18n.h"
#include "tools/outcome.h"

int tv_demo_format_from_name(const char *name)
{
	if (strcmp(name, "text") == 0)
		return TV_DEMO_TEXT;
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return TV_DEMO_MARKDOWN;
	if (strcmp(name, "json") == 0)
		return TV_DEMO_JSON;
	return -1;
}

#define C_EQUAL	"\033[32m"	/* green */
#define C_DIFF	"\033[31m"	/* red */
#define C_WARN	"\033[1;31m"	/* bold red */
#define C_HEAD	"\033[1m"
#define C_OFF	"\033[0m"

/* The text marker of a cell (in the reader's language), and the colour it is shown in. */
static const char *text_marker(enum tv_demo_mark m, const char **colour)
{
	*colour = "";
	switch (m) {
	case TV_DEMO_EQUAL:
		*colour = C_EQUAL;
		/* TRANSLATORS: the table's mark of a cell equal to the bare machine's. */
		return _("= bare");
	case TV_DEMO_DIFFERS:
		*colour = C_DIFF;
		return _("DIFFERS");
	case TV_DEMO_AS_ARCHITECTURE:
		*colour = C_EQUAL;
		/* TRANSLATORS: the mark of a bare-machine cell as the architecture promises. */
		return _("= arch");
	case TV_DEMO_NOT_ARCHITECTURE:
		*colour = C_WARN;
		return _("NOT ARCH!");
	case TV_DEMO_NO_REFERENCE:
		return _("(no reference)");
	case TV_DEMO_MISSING:
		return _("(no result)");
	}
	return "";
}

/* A cell's category as the reader reads it ("no-ticks" is "ingen tikk" in Norwegian). */
static const char *cell_observed(const struct tv_demo_results *r, size_t i, int run)
{
	const struct tv_demo_cell *c = &r->exp[i].cell[run];
	return c->present ? _(c->observed) : "-";
}

static void pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* s, then blanks up to `width` columns (a UTF-8 letter is one column, not two bytes). */
static void put_padded(FILE *f, const char *s, size_t width)
{
	size_t w = tv_utf8_width(s);

	fputs(s, f);
	pad(f, width > w ? width - w : 0);
}

/* A paragraph, wrapped at spaces to lines of at most `width` columns where it can be. */
static void put_wrapped(FILE *f, const char *s, size_t width)
{
	size_t col = 0;

	while (*s) {
		size_t word = strcspn(s, " "), letters = 0;
		for (size_t k = 0; k < word; k++)	/* columns, not UTF-8 bytes */
			letters += ((unsigned char)s[k] & 0xc0) != 0x80;
		if (col > 0 && col + 1 + letters > width) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, word, f);
		col += letters;
		s += word;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

#define TEXT_WIDTH	78

void tv_demo_print_text(FILE *f, const struct tv_demo_results *r, int colour)
{
	const char *experiment = _("experiment");
	size_t w_title = tv_utf8_width(experiment), w_obs[TV_DEMO_RUNS], w_col[TV_DEMO_RUNS];
	struct tv_demo_narrative n;
	char timing[1024];
	const char *c;

	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		w_obs[run] = 0;
		w_col[run] = tv_utf8_width(_(r->run[run].title));
		if (tv_utf8_width(_(r->run[run].how)) + 2 > w_col[run])
			w_col[run] = tv_utf8_width(_(r->run[run].how)) + 2;
	}
	for (size_t i = 0; i < r->nexp; i++) {
		if (tv_utf8_width(_(r->exp[i].title)) > w_title)
			w_title = tv_utf8_width(_(r->exp[i].title));
		for (int run = 0; run < TV_DEMO_RUNS; run++)
			if (tv_utf8_width(cell_observed(r, i, run)) > w_obs[run])
				w_obs[run] = tv_utf8_width(cell_observed(r, i, run));
	}
	for (size_t i = 0; i < r->nexp; i++) {
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			size_t w = w_obs[run] + 2 +
				   tv_utf8_width(text_marker(tv_demo_mark(r, i, run), &c));
			if (w > w_col[run])
				w_col[run] = w;
		}
	}

	/* Two heading lines: what each column is, and how it ran. */
	fputs(colour ? C_HEAD : "", f);
	put_padded(f, experiment, w_title);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		fputs("   ", f);
		put_padded(f, _(r->run[run].title), run == TV_DEMO_RUNS - 1 ? 0 : w_col[run]);
	}
	fputs(colour ? C_OFF : "", f);
	fputc('\n', f);
	pad(f, w_title);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		char how[96];
		snprintf(how, sizeof(how), "(%s)", _(r->run[run].how));
		fputs("   ", f);
		put_padded(f, how, run == TV_DEMO_RUNS - 1 ? 0 : w_col[run]);
	}
	fputc('\n', f);
	for (size_t k = 0; k < w_title; k++)
		fputc('-', f);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		fputs("   ", f);
		for (size_t k = 0; k < w_col[run]; k++)
			fputc('-', f);
	}
	fputc('\n', f);

	for (size_t i = 0; i < r->nexp; i++) {
		put_padded(f, _(r->exp[i].title), w_title);
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const char *obs = cell_observed(r, i, run);
			const char *marker = text_marker(tv_demo_mark(r, i, run), &c);
			fputs("   ", f);
			put_padded(f, obs, w_obs[run]);
			fprintf(f, "  %s%s%s", colour ? c : "", marker, colour && *c ? C_OFF : "");
			if (run != TV_DEMO_RUNS - 1)
				pad(f, w_col[run] - w_obs[run] - 2 - tv_utf8_width(marker));
		}
		fputc('\n', f);
	}
	fputs(_("= bare: as on the bare machine in this demo. DIFFERS: not so.\n"
		"= arch: as the architecture promises a kernel in ring 0.\n"), f);

	tv_demo_narrate(r, &n);
	for (size_t k = 0; k < n.n; k++) {
		fputc('\n', f);
		fputs(n.warning[k] && colour ? C_WARN : "", f);
		put_wrapped(f, n.line[k], TEXT_WIDTH);
		fputs(n.warning[k] && colour ? C_OFF : "", f);
	}
	char line[1100];
	tv_demo_timing_line(r, timing, sizeof(timing));
	snprintf(line, sizeof(line), _("Wall time and traps: %s."), timing);
	fputc('\n', f);
	put_wrapped(f, line, TEXT_WIDTH);
}

void tv_demo_print_markdown(FILE *f, const struct tv_demo_results *r)
{
	struct tv_demo_narrative n;
	char timing[1024];

	fprintf(f, "| %s |", _("experiment"));
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		fprintf(f, " %s (%s) |", _(r->run[run].title), _(r->run[run].how));
	fputs("\n|---|", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		fputs("---|", f);
	fputc('\n', f);

	for (size_t i = 0; i < r->nexp; i++) {
		fputs("| ", f);
		tv_put_md_text(f, _(r->exp[i].title));
		fputs(" |", f);
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const struct tv_demo_cell *cell = &r->exp[i].cell[run];
			enum tv_demo_mark m = tv_demo_mark(r, i, run);

			fputc(' ', f);
			if (m == TV_DEMO_MISSING) {
				fputs("— |", f);
				continue;
			}
			int bold = m == TV_DEMO_DIFFERS || m == TV_DEMO_NOT_ARCHITECTURE;
			fputs(bold ? "**`" : "`", f);
			tv_put_md_text(f, _(cell->observed));
			fputs("`", f);
			switch (m) {
			case TV_DEMO_EQUAL: fputs(" =", f); break;
			case TV_DEMO_DIFFERS: fputs(" ≠", f); break;
			case TV_DEMO_NOT_ARCHITECTURE:
				fprintf(f, " ⚠ %s (`", _("not as the architecture"));
				tv_put_md_text(f, _(cell->bare));
				fputs("`)", f);
				break;
			case TV_DEMO_NO_REFERENCE: fprintf(f, " %s", _("(no reference)")); break;
			default: break;
			}
			fputs(bold ? "** |" : " |", f);
		}
		fputc('\n', f);
	}
	fprintf(f, "\n%s\n", _("= as on the bare machine, ≠ differs from it."));

	tv_demo_narrate(r, &n);
	for (size_t k = 0; k < n.n; k++)
		fprintf(f, "\n%s%s%s\n", n.warning[k] ? "**" : "", n.line[k],
			n.warning[k] ? "**" : "");
	tv_demo_timing_line(r, timing, sizeof(timing));
	fputs("\n*", f);
	fprintf(f, _("Wall time and traps: %s."), timing);
	fputs("*\n", f);
}

static void json_bool_or_null(FILE *f, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", f);
}

static void json_run(FILE *f, const struct tv_demo_results *r, int i)
{
	const struct tv_demo_run *run = &r->run[i];

	fputs("    {\"key\": ", f);
	tv_put_json_string(f, run->key);
	fputs(", \"title\": ", f);
	tv_put_json_string(f, run->title);
	fputs(", \"how\": ", f);
	tv_put_json_string(f, run->how);
	fputs(", \"mode\": ", f);
	tv_put_json_string(f, run->mode);
	fprintf(f, ", \"ring\": %d, \"patch\": ", run->ring);
	if (run->patch)
		tv_put_json_string(f, run->patch);
	else
		fputs("null", f);
	fputs(", \"guest_word\": ", f);
	if (run->guest_word)
		tv_put_json_string(f, run->guest_word);
	else
		fputs("null", f);
	fprintf(f, ",\n     \"ran\": %s, \"completed\": %s, \"status\": %d, \"end\": ",
		run->ran ? "true" : "false",
		tv_demo_run_complete(r, (enum tv_demo_run_id)i) ? "true" : "false",
		run->host_status);
	tv_put_json_string(f, run->end);
	if (run->guest_status >= 0)
		fprintf(f, ", \"guest_status\": %" PRId64, run->guest_status);
	else
		fputs(", \"guest_status\": null", f);
	fputs(", \"message\": ", f);
	tv_put_json_string(f, run->message);
	fprintf(f, ",\n     \"wall_s\": %.3f, \"traps\": ", run->wall_s);
	if (run->traps >= 0)
		fprintf(f, "%" PRId64, run->traps);
	else
		fputs("null", f);
	fputs(", \"traps_by_insn\": {", f);
	for (size_t k = 0; k < run->ninsn; k++) {
		fputs(k ? ", " : "", f);
		tv_put_json_string(f, run->insn[k].insn);
		fprintf(f, ": %" PRIu64, run->insn[k].count);
	}
	fprintf(f, "}, \"malformed_lines\": %zu}", run->nmalformed);
}

/* One experiment on one line, so a line-based check can read a whole row. */
static void json_experiment(FILE *f, const struct tv_demo_results *r, size_t i)
{
	const struct tv_demo_experiment *e = &r->exp[i];
	const char *arch = NULL;

	/* The architecture's promise, as the guest states it (bare=). */
	for (int run = 0; run < TV_DEMO_RUNS && !arch; run++)
		if (e->cell[run].present)
			arch = e->cell[run].bare;

	fputs("    {\"name\": ", f);
	tv_put_json_string(f, e->name);
	fputs(", \"title\": ", f);
	tv_put_json_string(f, e->title);
	fputs(", \"architecture\": ", f);
	if (arch)
		tv_put_json_string(f, arch);
	else
		fputs("null", f);
	fputs(", \"cells\": {", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		const struct tv_demo_cell *c = &e->cell[run];
		fputs(run ? ", " : "", f);
		tv_put_json_string(f, r->run[run].key);
		if (!c->present) {
			fputs(": null", f);
			continue;
		}
		fputs(": {\"observed\": ", f);
		tv_put_json_string(f, c->observed);
		fputs(", \"detail\": ", f);
		tv_put_json_string(f, c->detail);
		fputs(", \"equal_to_bare\": ", f);
		json_bool_or_null(f, tv_demo_equal_to_bare(r, i, (enum tv_demo_run_id)run));
		fputs(", \"as_architecture\": ", f);
		fputs(strcmp(c->observed, c->bare) == 0 ? "true" : "false", f);
		fputc('}', f);
	}
	fputs("}}", f);
}

void tv_demo_print_json(FILE *f, const struct tv_demo_results *r, int exit_status)
{
	struct tv_demo_narrative n;
	char timing[1024];

	/* JSON is for programs: English whatever the reader's language. */
	int was_english = tv_i18n_english(1);

	fputs("{\n  \"guest\": \"popf_demo\",\n  \"runs\": [\n", f);
	for (int i = 0; i < TV_DEMO_RUNS; i++) {
		json_run(f, r, i);
		fputs(i + 1 < TV_DEMO_RUNS ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"experiments\": [\n", f);
	for (size_t i = 0; i < r->nexp; i++) {
		json_experiment(f, r, i);
		fputs(i + 1 < r->nexp ? ",\n" : "\n", f);
	}
	fprintf(f, "  ],\n  \"bare_as_architecture\": %s,\n  \"narrative\": [",
		tv_demo_bare_as_architecture(r) ? "true" : "false");
	tv_demo_narrate(r, &n);
	for (size_t k = 0; k < n.n; k++) {
		fputs(k ? ",\n    " : "\n    ", f);
		tv_put_json_string(f, n.line[k]);
	}
	tv_demo_timing_line(r, timing, sizeof(timing));
	fputs(n.n ? "\n  ],\n  \"timing\": " : "],\n  \"timing\": ", f);
	tv_put_json_string(f, timing);
	fprintf(f, ",\n  \"exit_status\": %d\n}\n", exit_status);
	tv_i18n_english(was_english);
}
