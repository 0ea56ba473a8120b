/*
 * tools/bench_print.c: the benchmark table as text, markdown, CSV or JSON
 * (bench_table.h). Runs on: host.
 */
#include "tools/bench_table.h"

#include <inttypes.h>
#include <string.h>

#include "tools/escape.h"

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

/*
 * How text and markdown lay out the table's lines. A benchmark's row: its
 * name, each side's median, min and max (or n/a), then hv/native (or n/a
 * and the reason). A target's: its row and measure, the figures
 * (put_target), the verdict. A counter's: what it counts, and how many.
 */
struct layout {
	const char *name;		/* the row's name */
	const char *figures;		/* a side's median, min and max */
	const char *no_figures;		/* "n/a", "", "" */
	const char *between_sides;
	const char *ratio;		/* hv/native, and the line's end */
	const char *no_ratio;		/* "n/a", the note, and the line's end */
	const char *target;		/* the target's row and measure */
	const char *target_sep;		/* put_target's sep */
	const char *verdict;		/* the verdict, and the line's end */
	const char *counter;		/* what, and the count */
};

static const struct layout text_layout = {
	.name = "%-23s",
	.figures = " %9" PRIu64 " %8" PRIu64 " %8" PRIu64,
	.no_figures = " %9s %8s %8s",
	.between_sides = "  ",
	.ratio = " %10.3f\n",
	.no_ratio = " %10s  %s\n",
	.target = "  %-14s %s = ",
	.target_sep = ", target ",
	.verdict = ": %s\n",
	.counter = "  %-46s %12" PRIu64 "\n",
};

static const struct layout md_layout = {
	.name = "| %s |",
	.figures = " %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |",
	.no_figures = " %s |%s |%s |",
	.between_sides = "",
	.ratio = " %.3f | |\n",
	.no_ratio = " %s | %s |\n",
	.target = "| %s | %s | ",
	.target_sep = " | ",
	.verdict = " | %s |\n",
	.counter = "- %s: %" PRIu64 "\n",
};

static void put_rows(FILE *out, const struct tv_bench_table *t, const struct layout *lay)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		double ratio;

		fprintf(out, lay->name, r->name);
		for (int s = 0; s < TV_BENCH_SIDES; s++) {
			const struct tv_bench_figures *f = &r->side[s];
			if (tv_bench_has_figures(f))
				fprintf(out, lay->figures, f->median, f->min, f->max);
			else
				fprintf(out, lay->no_figures, "n/a", "", "");
			if (s == TV_BENCH_NATIVE)
				fputs(lay->between_sides, out);
		}
		if (tv_bench_ratio(r, &ratio) == 0)
			fprintf(out, lay->ratio, ratio);
		else
			fprintf(out, lay->no_ratio, "n/a", row_note(r));
	}
}

static void put_targets(FILE *out, const struct tv_bench_table *t, const struct layout *lay)
{
	struct tv_bench_target tg[TV_BENCH_TARGETS_MAX];
	size_t ntg = tv_bench_targets(t, tg, TV_BENCH_TARGETS_MAX);

	for (size_t i = 0; i < ntg; i++) {
		fprintf(out, lay->target, tg[i].row, tg[i].measure);
		put_target(out, &tg[i], lay->target_sep);
		fprintf(out, lay->verdict, tv_bench_verdict_name(tg[i].verdict));
	}
}

static void put_counters(FILE *out, const struct tv_bench_table *t, const struct layout *lay)
{
	for (size_t i = 0; i < t->ncounters; i++)
		fprintf(out, lay->counter, t->counters[i].what, t->counters[i].count);
}

static void print_text(FILE *out, const struct tv_bench_table *t)
{
	fprintf(out, "Cycles per iteration (host TSC), median over %" PRIu64
		" batches natively and %" PRIu64 " under the hypervisor\n"
		"(ring %d, patch %s%s); min and max over the same batches.\n\n",
		t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV], t->ring, t->patch,
		t->direct ? ", direct" : "");
	fprintf(out, "%-23s %27s   %27s\n", "", "---------- native ---------",
		"------- hypervisor --------");
	fprintf(out, "%-23s %9s %8s %8s   %9s %8s %8s %10s\n", "benchmark", "median", "min",
		"max", "median", "min", "max", "hv/native");
	put_rows(out, t, &text_layout);
	if (tv_bench_find(t, "cli_sti_inline"))
		fputs("(_inline rows: the native run's figures beside an extra hypervisor run with\n"
		      "patch inline: CLI, STI, PUSHF, POPF and the kernel's IRET run as patch code\n"
		      "without a trap, and with --direct in ring 1 the kernel's gates it uses too.)\n",
		      out);

	fputs("\nTargets (shown beside the figures, never enforced):\n", out);
	put_targets(out, t, &text_layout);

	fputs("\nHypervisor counters (the hv run, whole):\n", out);
	put_counters(out, t, &text_layout);
	if (!tv_bench_has_cycle_counters(t))
		fputs("  trap-path cycle counters: not available (the hypervisor reports no"
		      " \"cycles ...\" statistics)\n", out);
}

static void print_md(FILE *out, const struct tv_bench_table *t)
{
	fprintf(out, "Cycles per iteration (host TSC); median, min and max over %" PRIu64
		" batches natively and %" PRIu64 " under the hypervisor (ring %d, patch %s%s).\n\n",
		t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV], t->ring, t->patch,
		t->direct ? ", direct" : "");
	fputs("| benchmark | native median | native min | native max | hv median | hv min"
	      " | hv max | hv/native | note |\n", out);
	fputs("|---|--:|--:|--:|--:|--:|--:|--:|---|\n", out);
	put_rows(out, t, &md_layout);

	fputs("\nTargets (shown, never enforced):\n\n"
	      "| benchmark | measure | measured | target | result |\n"
	      "|---|---|--:|---|---|\n", out);
	put_targets(out, t, &md_layout);

	fputs("\nHypervisor counters (the hv run, whole):\n\n", out);
	put_counters(out, t, &md_layout);
	if (!tv_bench_has_cycle_counters(t))
		fputs("- trap-path cycle counters: not available\n", out);
}

/* One figure of a side and the comma after it; empty when the side has none. */
static void put_csv_figure(FILE *out, const struct tv_bench_figures *f, uint64_t v)
{
	if (tv_bench_has_figures(f))
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
		tv_put_csv_field(out, r->name);
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
			tv_put_csv_field(out, rule);
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
		tv_put_csv_field(out, row_note(r));
		fputc('\n', out);
	}
}

static void put_json_side(FILE *out, const struct tv_bench_figures *f)
{
	if (f->na) {
		fputs("{\"na\": ", out);
		tv_put_json_string(out, f->na_reason);
		fputc('}', out);
	} else if (tv_bench_has_figures(f)) {
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
	tv_put_json_string(out, t->patch);
	fprintf(out, ",\n  \"direct\": %s", t->direct ? "true" : "false");
	fprintf(out, ",\n  \"batches\": {\"native\": %" PRIu64 ", \"hv\": %" PRIu64 "},\n"
		"  \"benchmarks\": [", t->batches[TV_BENCH_NATIVE], t->batches[TV_BENCH_HV]);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_bench_row *r = &t->rows[i];
		double ratio;

		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		tv_put_json_string(out, r->name);
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
		tv_put_json_string(out, tg[i].row);
		fputs(", \"measure\": ", out);
		tv_put_json_string(out, tg[i].measure);
		fputs(", \"limit_rule\": ", out);
		tv_put_json_string(out, tg[i].limit_rule);
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
		tv_put_json_string(out, t->counters[i].what);
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
