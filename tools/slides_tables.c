/*
 * tools/slides_tables.c: the tables of `trapvisor slides` as markdown and
 * CSV files a teacher can drop into a deck of their own, and data.json,
 * every number of the deck for programs. Runs on: host.
 *
 * The demo's and classify's tables are written by their own printers
 * (tools/demo_print.c, tools/classify_print.c); the others are the slides'
 * own. Machine-readable files stay in English; the markdown is a table of
 * facts with English headings, as the commands' own markdown is.
 * data.json's keys are what the deck's numbers name in their data-key
 * attributes (tools/slides_html.c), so a test can check the one against
 * the other.
 */
#include "tools/slides_data.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tools/escape.h"
#include "tools/outcome.h"

/* Open DIR/NAME for writing; NULL with err set. */
static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *f;

	if (tv_slides_path(path, sizeof(path), dir, name) < 0) {
		snprintf(err, errlen, "%s/%s: the path is too long", dir, name);
		return NULL;
	}
	if (!(f = fopen(path, "w")))
		snprintf(err, errlen, "cannot write %s", path);
	return f;
}

/* Close f; -1 with err set if anything failed to be written. */
static int close_out(FILE *f, const char *name, char *err, size_t errlen)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "writing %s failed", name);
		return -1;
	}
	return 0;
}

/* ---- the tables ---- */

static void demo_csv(FILE *f, const struct tv_demo_results *r)
{
	fputs("experiment,title,run,observed,detail,equal_to_bare\n", f);
	for (size_t i = 0; i < r->nexp; i++) {
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const struct tv_demo_cell *c = &r->exp[i].cell[run];
			tv_put_csv_field(f, r->exp[i].name);
			fputc(',', f);
			tv_put_csv_field(f, r->exp[i].title);
			fprintf(f, ",%s,", r->run[run].key);
			tv_put_csv_field(f, c->present ? c->observed : "");
			fputc(',', f);
			tv_put_csv_field(f, c->present ? c->detail : "");
			fprintf(f, ",%s\n", tv_demo_equal_to_bare(r, i, (enum tv_demo_run_id)run)
						    ? "true" : "false");
		}
	}
}

static void pg_tables(FILE *md, FILE *csv, const struct tv_classify_table *t)
{
	fputs("| set | instruction | catalog | trapped | silent |\n|---|---|---|---|---|\n", md);
	fputs("set,name,instruction,category,trapped,silent\n", csv);
	for (int set = 0; set < TV_PG_SETS; set++) {
		for (size_t i = 0; i < t->nrows; i++) {
			const struct tv_classify_row *r = &t->row[i];
			if (!r->present || tv_slides_pg_set(r) != (enum tv_pg_set)set)
				continue;
			fprintf(md, "| %s | ", tv_slides_pg_key((enum tv_pg_set)set));
			tv_put_md_text(md, r->insn[0] ? r->insn : r->name);
			fprintf(md, " | %s | %s | %s |\n", r->category, r->trapped ? "yes" : "no",
				tv_slides_pg_silent(r) ? "SILENT" : "");
			fprintf(csv, "%s,", tv_slides_pg_key((enum tv_pg_set)set));
			tv_put_csv_field(csv, r->name);
			fputc(',', csv);
			tv_put_csv_field(csv, r->insn);
			fprintf(csv, ",%s,%s,%s\n", r->category, r->trapped ? "true" : "false",
				tv_slides_pg_silent(r) ? "true" : "false");
		}
	}
}

static void cures_tables(FILE *md, FILE *csv, const struct tv_slides *s)
{
	fputs("| benchmark | patch | direct | native cycles | hypervisor cycles | ratio | "
	      "traps in the run |\n|---|---|---|---:|---:|---:|---:|\n", md);
	fputs("key,benchmark,patch,direct,native_cycles,hv_cycles,ratio,traps\n", csv);
	for (int c = 0; c < TV_CASES; c++) {
		const struct tv_slides_case *k = &s->cases[c];
		if (!k->ran)
			continue;
		double ratio = tv_slides_2dp(tv_slides_case_ratio(k));
		fprintf(md, "| %s | %s | %s | %llu | %llu | %.2f | %lld |\n", k->row, k->patch,
			k->direct ? "yes" : "no", (unsigned long long)k->native.median,
			(unsigned long long)k->hv.median, ratio, (long long)k->traps);
		fprintf(csv, "%s,%s,%s,%s,%llu,%llu,%.2f,%lld\n", k->key, k->row, k->patch,
			k->direct ? "true" : "false", (unsigned long long)k->native.median,
			(unsigned long long)k->hv.median, ratio, (long long)k->traps);
	}
}

static void trap_tables(FILE *md, FILE *csv, const struct tv_slides *s)
{
	const struct tv_slides_trap *t = &s->trap;

	fprintf(md, "One trapped `%s` (bytes %s) at eip 0x%08llx: vector %llu, error code "
		"0x%llx, action %s, guest kernel in ring %d.\n\n",
		t->insn, t->bytes, (unsigned long long)t->eip, (unsigned long long)t->vec,
		(unsigned long long)t->err, t->action, t->ring);
	fputs("| part | cycles (median) |\n|---|---:|\n", md);
	fputs("part,cycles_median\n", csv);
	for (int p = 0; p < TV_PARTS; p++) {
		if (s->trap.part[p] < 0)
			continue;
		const char *part = tv_slides_part_key((enum tv_slides_part)p);
		fprintf(md, "| %s | %lld |\n", part, (long long)t->part[p]);
		fprintf(csv, "%s,%lld\n", part, (long long)t->part[p]);
	}
}

static void kernel_tables(FILE *md, FILE *csv, const struct tv_slides_kernel *k)
{
	const struct tv_slides_kernel_run *runs[2] = { &k->naive, &k->patched };
	static const char *const patch[2] = { "none", "inline" };

	fputs("| kernel | patch | how it ended | seconds | matched |\n"
	      "|---|---|---|---:|---|\n", md);
	fputs("kernel,patch,end,wall_s,matched\n", csv);
	for (int i = 0; i < 2; i++) {
		const struct tv_slides_kernel_run *r = runs[i];
		fputs("| ", md);
		tv_put_md_text(md, k->name);
		fprintf(md, " | %s | %s | %.2f | ", patch[i],
			tv_end_name((enum tv_run_end)r->end), r->wall_s);
		tv_put_md_text(md, r->until_line);
		fputs(" |\n", md);
		tv_put_csv_field(csv, k->name);
		fprintf(csv, ",%s,", patch[i]);
		tv_put_csv_field(csv, tv_end_name((enum tv_run_end)r->end));
		fprintf(csv, ",%.2f,", r->wall_s);
		tv_put_csv_field(csv, r->until_line);
		fputc('\n', csv);
	}
}

/* One table as NAME.md and NAME.csv. */
static int write_pair(const char *dir, const char *name,
		      void (*fn)(FILE *md, FILE *csv, const struct tv_slides *s),
		      const struct tv_slides *s, char *err, size_t errlen)
{
	char md_name[64], csv_name[64];
	FILE *md, *csv;

	snprintf(md_name, sizeof(md_name), "%s.md", name);
	snprintf(csv_name, sizeof(csv_name), "%s.csv", name);
	if (!(md = open_out(dir, md_name, err, errlen)))
		return -1;
	if (!(csv = open_out(dir, csv_name, err, errlen))) {
		fclose(md);
		return -1;
	}
	fn(md, csv, s);
	int a = close_out(md, md_name, err, errlen);
	int b = close_out(csv, csv_name, err, errlen);
	return a < 0 || b < 0 ? -1 : 0;
}

static void demo_pair(FILE *md, FILE *csv, const struct tv_slides *s)
{
	tv_demo_print_markdown(md, &s->demo);
	demo_csv(csv, &s->demo);
}

static void classify_pair(FILE *md, FILE *csv, const struct tv_slides *s)
{
	tv_classify_print(md, &s->classify, TV_CLASSIFY_MARKDOWN);
	tv_classify_print(csv, &s->classify, TV_CLASSIFY_CSV);
}

static void pg_pair(FILE *md, FILE *csv, const struct tv_slides *s)
{
	pg_tables(md, csv, &s->classify);
}

static void kernel_pair(FILE *md, FILE *csv, const struct tv_slides *s)
{
	kernel_tables(md, csv, &s->kernel);
}

/* ---- data.json ---- */

static json_t *json_demo(const struct tv_demo_results *r)
{
	json_t *runs = json_object(), *exps = json_object();

	for (int i = 0; i < TV_DEMO_RUNS; i++) {
		const struct tv_demo_run *run = &r->run[i];
		json_t *o = json_object();
		json_object_set_new(o, "wall_s", json_real(tv_slides_2dp(run->wall_s)));
		json_object_set_new(o, "traps", run->traps >= 0 ? json_integer(run->traps)
								: json_null());
		json_t *by_insn = json_object();
		for (size_t k = 0; k < run->ninsn; k++)
			json_object_set_new(by_insn, run->insn[k].insn,
					    json_integer((json_int_t)run->insn[k].count));
		json_object_set_new(o, "by_insn", by_insn);
		json_object_set_new(runs, run->key, o);
	}
	for (size_t i = 0; i < r->nexp; i++) {
		json_t *e = json_object(), *cells = json_object();
		json_object_set_new(e, "title", json_string(r->exp[i].title));
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const struct tv_demo_cell *c = &r->exp[i].cell[run];
			json_t *cell = json_object();
			json_object_set_new(cell, "observed", json_string(c->observed));
			json_object_set_new(cell, "detail", json_string(c->detail));
			json_object_set_new(cell, "equal_to_bare",
					    json_boolean(tv_demo_equal_to_bare(r, i,
								(enum tv_demo_run_id)run)));
			json_object_set_new(cells, r->run[run].key, cell);
		}
		json_object_set_new(e, "cells", cells);
		json_object_set_new(exps, r->exp[i].name, e);
	}
	json_t *d = json_object();
	json_object_set_new(d, "runs", runs);
	json_object_set_new(d, "experiments", exps);
	return d;
}

static json_t *json_classify(const struct tv_classify_table *t)
{
	json_t *rows = json_object(), *counts = json_object();

	for (size_t i = 0; i < t->nrows; i++) {
		const struct tv_classify_row *r = &t->row[i];
		json_t *o = json_object();
		if (!r->present)
			continue;
		json_object_set_new(o, "instruction", json_string(r->insn));
		json_object_set_new(o, "category", json_string(r->category));
		json_object_set_new(o, "trapped", json_boolean(r->trapped));
		json_object_set_new(o, "set", json_string(tv_slides_pg_key(tv_slides_pg_set(r))));
		json_object_set_new(o, "silent", json_boolean(tv_slides_pg_silent(r)));
		json_object_set_new(o, "verdict", json_string(tv_verdict_name(r->verdict)));
		json_object_set_new(rows, r->name, o);
	}
	for (int set = 0; set < TV_PG_SETS; set++) {
		size_t silent;
		size_t n = tv_slides_pg_count(t, (enum tv_pg_set)set, &silent);
		json_object_set_new(counts, tv_slides_pg_key((enum tv_pg_set)set), json_integer((json_int_t)n));
		(void)silent;
	}
	json_object_set_new(counts, "silent",
			    json_integer((json_int_t)tv_slides_silent_count(t)));
	json_t *c = json_object();
	json_object_set_new(c, "umip", json_boolean(t->config.umip));
	json_object_set_new(c, "rows", rows);
	json_object_set_new(c, "counts", counts);
	return c;
}

static json_t *json_trap(const struct tv_slides_trap *t)
{
	json_t *o = json_object(), *parts = json_object();
	char eip[16];

	snprintf(eip, sizeof(eip), "0x%08llx", (unsigned long long)t->eip);
	json_object_set_new(o, "seq", json_integer((json_int_t)t->seq));
	json_object_set_new(o, "vec", json_integer((json_int_t)t->vec));
	json_object_set_new(o, "err", json_integer((json_int_t)t->err));
	json_object_set_new(o, "eip", json_string(eip));
	json_object_set_new(o, "bytes", json_string(t->bytes));
	json_object_set_new(o, "insn", json_string(t->insn));
	json_object_set_new(o, "action", json_string(t->action));
	json_object_set_new(o, "ring", json_integer(t->ring));
	for (int p = 0; p < TV_PARTS; p++)
		json_object_set_new(parts, tv_slides_part_key((enum tv_slides_part)p),
				    t->part[p] >= 0 ? json_integer(t->part[p]) : json_null());
	json_object_set_new(o, "cycles", parts);
	return o;
}

static json_t *json_cases(const struct tv_slides *s)
{
	json_t *o = json_object();

	for (int c = 0; c < TV_CASES; c++) {
		const struct tv_slides_case *k = &s->cases[c];
		json_t *e = json_object();
		if (!k->ran)
			continue;
		json_object_set_new(e, "row", json_string(k->row));
		json_object_set_new(e, "patch", json_string(k->patch));
		json_object_set_new(e, "direct", json_boolean(k->direct));
		json_object_set_new(e, "native_cycles", json_integer((json_int_t)k->native.median));
		json_object_set_new(e, "hv_cycles", json_integer((json_int_t)k->hv.median));
		json_object_set_new(e, "ratio", json_real(tv_slides_2dp(tv_slides_case_ratio(k))));
		json_object_set_new(e, "traps", k->traps >= 0 ? json_integer(k->traps) : json_null());
		json_object_set_new(o, k->key, e);
	}
	return o;
}

static json_t *json_kernel_run(const struct tv_slides_kernel_run *r)
{
	json_t *o = json_object(), *screen = json_array();
	int last = -1;

	json_object_set_new(o, "end", json_string(tv_end_name((enum tv_run_end)r->end)));
	json_object_set_new(o, "wall_s", json_real(tv_slides_2dp(r->wall_s)));
	json_object_set_new(o, "matched", json_string(r->until_line));
	for (int i = 0; i < TV_SCREEN_ROWS; i++)
		if (r->screen.valid && r->screen.rows[i][0])
			last = i;
	for (int i = 0; i <= last; i++)
		json_array_append_new(screen, json_string(r->screen.rows[i]));
	json_object_set_new(o, "screen", screen);
	return o;
}

static int write_json(const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	json_t *root = json_object();

	json_object_set_new(root, "lang", json_string(s->lang));
	json_object_set_new(root, "ring", json_integer(s->ring));
	json_object_set_new(root, "started", json_string(s->started));
	json_object_set_new(root, "wall_s", json_real(tv_slides_2dp(s->wall_s)));
	json_object_set_new(root, "demo", json_demo(&s->demo));
	json_object_set_new(root, "classify", json_classify(&s->classify));
	json_object_set_new(root, "classify_umip", json_classify(&s->classify_umip));
	json_object_set_new(root, "umip_cured",
			    json_integer((json_int_t)tv_slides_umip_cured(s)));
	json_object_set_new(root, "trap", json_trap(&s->trap));
	json_object_set_new(root, "cures", json_cases(s));
	if (s->kernel.given) {
		json_t *k = json_object();
		json_object_set_new(k, "name", json_string(s->kernel.name));
		json_object_set_new(k, "mem_mib", json_integer(s->kernel.mem_mib));
		json_object_set_new(k, "until", json_string(s->kernel.until));
		json_object_set_new(k, "naive", json_kernel_run(&s->kernel.naive));
		json_object_set_new(k, "patched", json_kernel_run(&s->kernel.patched));
		json_object_set_new(root, "kernel", k);
	} else {
		json_object_set_new(root, "kernel", json_null());
	}

	FILE *f = open_out(dir, "data.json", err, errlen);
	if (!f) {
		json_decref(root);
		return -1;
	}
	json_dumpf(root, f, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
	fputc('\n', f);
	json_decref(root);
	return close_out(f, "data.json", err, errlen);
}

int tv_slides_write_tables(const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	/* Markdown is for people; CSV and JSON stay English whatever the deck's language. */
	if (write_pair(dir, "popf_demo", demo_pair, s, err, errlen) < 0 ||
	    write_pair(dir, "classify", classify_pair, s, err, errlen) < 0 ||
	    write_pair(dir, "popek_goldberg", pg_pair, s, err, errlen) < 0 ||
	    write_pair(dir, "cures", cures_tables, s, err, errlen) < 0 ||
	    write_pair(dir, "trap_path", trap_tables, s, err, errlen) < 0)
		return -1;
	if (s->kernel.given && write_pair(dir, "kernel", kernel_pair, s, err, errlen) < 0)
		return -1;
	int english = tv_i18n_english(1);
	int r = write_json(s, dir, err, errlen);
	tv_i18n_english(english);
	return r;
}
