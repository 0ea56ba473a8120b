/*
 * tools/scan_print.c: the opcode-space scan's report as text, markdown, CSV
 * or JSON (tools/scan_table.h, part 4).
 * Runs on: host (pure: no QEMU, no processes).
 *
 * Every format says the same: how many cases came to each verdict; the
 * silent instructions (and, apart, those the hypervisor trapped but got
 * wrong, or stopped at); Robin & Irvine's list, each found or missed and
 * why; the instructions found beyond it and what each is; what was not
 * run and why; and how long the runs took.
 */
#include "tools/scan_table.h"

#include <string.h>

#include "tools/escape.h"

int tv_scan_format_from_name(const char *name)
{
	if (strcmp(name, "text") == 0)
		return TV_SCAN_TEXT;
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return TV_SCAN_MARKDOWN;
	if (strcmp(name, "csv") == 0)
		return TV_SCAN_CSV;
	if (strcmp(name, "json") == 0)
		return TV_SCAN_JSON;
	return -1;
}

/*
 * What an instruction found beyond Robin & Irvine's list is, by its
 * mnemonic. Whether it was found is the run's; this only names the
 * mechanism for a reader.
 */
static const struct {
	const char *mnemonic;
	const char *what;
} extra_notes[] = {
	{ "iret", "IRET to an RPL-1 frame: at CPL 0 a return to an outer ring (whose stack the frame lacks), deprivileged a return within the ring" },
	{ "iretd", "IRET to an RPL-1 frame: at CPL 0 a return to an outer ring (whose stack the frame lacks), deprivileged a return within the ring" },
	{ "lds", "loads DS from a far pointer: MOV to a segment register by another name" },
	{ "les", "loads ES from a far pointer: MOV to a segment register by another name" },
	{ "lfs", "loads FS from a far pointer: MOV to a segment register by another name" },
	{ "lgs", "loads GS from a far pointer: MOV to a segment register by another name" },
	{ "lss", "loads SS from a far pointer: MOV to a segment register by another name" },
	{ "fnstenv", "stores the x87 environment, whose last-instruction CS carries the real ring" },
	{ "fnsave", "stores the x87 state, whose last-instruction CS carries the real ring" },
	{ "fxsave", "stores the x87 and SSE state, whose last-instruction CS carries the real ring" },
	{ "arpl", "adjusts an RPL against another selector's: the real ring's if that one is CS or SS" },
};

static const char *extra_what(const struct tv_scan_group *g)
{
	char mnemonic[TV_SCAN_INSN_MAX];
	const char *name = g->name;

	if (strncmp(name, "66 ", 3) == 0)
		name += 3;
	snprintf(mnemonic, sizeof(mnemonic), "%s", name);
	mnemonic[strcspn(mnemonic, " ")] = '\0';
	for (size_t i = 0; i < sizeof(extra_notes) / sizeof(extra_notes[0]); i++)
		if (strcmp(extra_notes[i].mnemonic, mnemonic) == 0)
			return extra_notes[i].what;
	return "";
}

static const char *exc_text(const char *exc)
{
	return strcmp(exc, "-") == 0 ? "no fault" : exc;
}

/* "#GP(0x3010)" style: vector/error as the guest printed it, named. */
static void outcome(char *buf, size_t len, const char *exc)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9", "#TS", "#NP",
		"#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
	};
	unsigned vector, error;

	if (sscanf(exc, "%x/%x", &vector, &error) != 2) {
		snprintf(buf, len, "%s", exc_text(exc));
		return;
	}
	if (vector < 32 && names[vector])
		snprintf(buf, len, "%s(0x%x)", names[vector], error);
	else
		snprintf(buf, len, "INT 0x%02x", vector);
}

static void config_name(const struct tv_scan *s, char *buf, size_t len)
{
	snprintf(buf, len, "ring %d, UMIP %s", s->ring, s->umip ? "on" : "off");
}

static int group_is(const struct tv_scan_group *g, enum tv_scan_verdict v)
{
	switch (v) {
	case TV_SCAN_SILENT: return g->silent > 0;
	case TV_SCAN_DIFFERS: return g->differs > 0 && !g->silent;
	case TV_SCAN_STOPPED: return g->stopped > 0;
	default: return 0;
	}
}

static const char *ri_name(int ri)
{
	return ri >= 0 && ri < TV_SCAN_RI_COUNT ? tv_scan_ri[ri].name : "";
}

/* ---- text and markdown ---- */

static void print_groups_text(FILE *f, const struct tv_scan_report *r, enum tv_scan_verdict v,
			      int md)
{
	char a[32], b[32];

	if (md)
		fprintf(f, "| instruction | example | forms | bare machine | virtualized | Robin & Irvine |\n"
			   "|---|---|---|---|---|---|\n");
	else
		fprintf(f, "  %-16s %-40s %-7s %-16s %-16s %s\n", "instruction", "example", "forms",
			"bare machine", "virtualized", "Robin & Irvine");
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct tv_scan_group *g = &r->g[i];
		unsigned k = v == TV_SCAN_SILENT ? g->silent : v == TV_SCAN_DIFFERS ? g->differs
										 : g->stopped;
		char forms[24];

		if (!group_is(g, v))
			continue;
		snprintf(forms, sizeof(forms), "%u/%u", k, g->cases);
		outcome(a, sizeof(a), g->native_exc);
		outcome(b, sizeof(b), g->virt_exc);
		const char *ri = g->ri >= 0 ? ri_name(g->ri) : "extra";
		if (md) {
			fputs("| ", f);
			tv_put_md_text(f, g->name);
			fputs(" | `", f);
			tv_put_md_text(f, g->example);
			fprintf(f, "` | %s | %s | %s | %s |\n", forms, a, b, ri);
		} else {
			fprintf(f, "  %-16s %-40s %-7s %-16s %-16s %s\n", g->name, g->example, forms, a,
				b, ri);
		}
	}
}

static void print_text(FILE *f, const struct tv_scan *s, const struct tv_scan_report *r, int md)
{
	char cfg[64], why[TV_SCAN_TEXT_MAX];
	const char *h = md ? "## " : "";

	config_name(s, cfg, sizeof(cfg));
	fprintf(f, "%sOpcode-space scan: every one- and two-byte opcode on the bare machine and under the hypervisor (%s)\n\n",
		md ? "# " : "", cfg);
	fprintf(f, "%u cases: %u run natively with the same outcome, %u trapped and held, %u SILENT, "
		   "%u trapped but differ, %u vary from run to run (not compared), %u stopped the "
		   "hypervisor, %u not run.\n\n",
		s->ncases, r->total[TV_SCAN_SAME], r->total[TV_SCAN_CAUGHT], r->total[TV_SCAN_SILENT],
		r->total[TV_SCAN_DIFFERS], r->total[TV_SCAN_VARIES], r->total[TV_SCAN_STOPPED],
		r->total[TV_SCAN_NOT_RUN]);

	fprintf(f, "%sSilent: no trap, and an outcome the bare machine does not have\n\n", h);
	print_groups_text(f, r, TV_SCAN_SILENT, md);

	fprintf(f, "\n%sRobin & Irvine's list against this scan\n\n", h);
	if (md)
		fprintf(f, "| instruction | found | how it leaks, or why the scan missed it |\n|---|---|---|\n");
	for (int i = 0; i < TV_SCAN_RI_COUNT; i++) {
		if (r->ri_found[i])
			snprintf(why, sizeof(why), "%s", tv_scan_ri[i].how);
		else
			tv_scan_ri_missed_why(r, i, why, sizeof(why));
		if (md)
			fprintf(f, "| %s | %s | %s |\n", tv_scan_ri[i].name,
				r->ri_found[i] ? "found" : "missed", why);
		else
			fprintf(f, "  %-6s %-7s %s\n", tv_scan_ri[i].name,
				r->ri_found[i] ? "found" : "MISSED", why);
	}
	unsigned found = 0;
	for (int i = 0; i < TV_SCAN_RI_COUNT; i++)
		found += r->ri_found[i] != 0;
	fprintf(f, "\n%u of the %d found.\n", found, TV_SCAN_RI_COUNT);

	fprintf(f, "\n%sFound beyond the list\n\n", h);
	unsigned extras = 0;
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct tv_scan_group *g = &r->g[i];
		char a[32], b[32];
		if (!g->silent || g->ri >= 0)
			continue;
		extras++;
		outcome(a, sizeof(a), g->native_exc);
		outcome(b, sizeof(b), g->virt_exc);
		const char *what = extra_what(g);
		fprintf(f, "%s%s (%s): bare machine %s, virtualized %s%s%s\n", md ? "- " : "  ",
			g->name, g->example, a, b, what[0] ? "; " : "", what);
	}
	if (!extras)
		fprintf(f, "%snone\n", md ? "- " : "  ");

	int any = 0;
	for (unsigned i = 0; i < r->ngroups; i++)
		any |= group_is(&r->g[i], TV_SCAN_DIFFERS) || group_is(&r->g[i], TV_SCAN_STOPPED);
	if (any) {
		fprintf(f, "\n%sTrapped, but the emulation differs from the bare machine (the hypervisor's, not a silent instruction)\n\n", h);
		print_groups_text(f, r, TV_SCAN_DIFFERS, md);
		fprintf(f, "\n%sThe hypervisor stopped the guest at\n\n", h);
		print_groups_text(f, r, TV_SCAN_STOPPED, md);
		for (unsigned i = 0; i < s->nstop_notes; i++)
			fprintf(f, "%s%s\n", md ? "- " : "  ", s->stop_note[i]);
	}

	fprintf(f, "\n%sNot run\n\n", h);
	for (unsigned i = 0; i < s->nskips; i++)
		fprintf(f, "%s%s: %s\n", md ? "- " : "  ", s->skip[i].what, s->skip[i].why);
	fprintf(f, "\nTime: bare machine %.1f s, hypervisor %.1f s (%u run%s).\n", s->native_s,
		s->virt_s, s->virt_runs, s->virt_runs == 1 ? "" : "s");
}

/* ---- CSV: one row per instruction ---- */

static void csv_cell(FILE *f, const char *s, int last)
{
	tv_put_csv_field(f, s);
	fputc(last ? '\n' : ',', f);
}

static void print_csv(FILE *f, const struct tv_scan_report *r)
{
	char a[32], b[32];

	fprintf(f, "instruction,example,bytes,forms,silent,trapped_held,same,trapped_differs,varies,stopped,bare_machine,virtualized,robin_irvine\n");
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct tv_scan_group *g = &r->g[i];
		outcome(a, sizeof(a), g->native_exc);
		outcome(b, sizeof(b), g->virt_exc);
		csv_cell(f, g->name, 0);
		csv_cell(f, g->example, 0);
		csv_cell(f, g->example_bytes, 0);
		fprintf(f, "%u,%u,%u,%u,%u,%u,%u,", g->cases, g->silent, g->caught, g->same,
			g->differs, g->varies, g->stopped);
		csv_cell(f, a, 0);
		csv_cell(f, b, 0);
		csv_cell(f, g->ri >= 0 ? ri_name(g->ri) : (g->silent ? "extra" : ""), 1);
	}
}

/* ---- JSON ---- */

static void print_json(FILE *f, const struct tv_scan *s, const struct tv_scan_report *r)
{
	char a[32], b[32], why[TV_SCAN_TEXT_MAX];

	fprintf(f, "{\"ring\": %d, \"umip\": %s, \"cases\": %u, \"verdicts\": {", s->ring,
		s->umip ? "true" : "false", s->ncases);
	for (int v = 0; v <= TV_SCAN_STOPPED; v++) {
		fprintf(f, "%s", v ? ", " : "");
		tv_put_json_string(f, tv_scan_verdict_name((enum tv_scan_verdict)v));
		fprintf(f, ": %u", r->total[v]);
	}
	fprintf(f, "},\n \"instructions\": [");
	for (unsigned i = 0; i < r->ngroups; i++) {
		const struct tv_scan_group *g = &r->g[i];
		outcome(a, sizeof(a), g->native_exc);
		outcome(b, sizeof(b), g->virt_exc);
		fprintf(f, "%s\n  {\"instruction\": ", i ? "," : "");
		tv_put_json_string(f, g->name);
		fprintf(f, ", \"example\": ");
		tv_put_json_string(f, g->example);
		fprintf(f, ", \"bytes\": ");
		tv_put_json_string(f, g->example_bytes);
		fprintf(f, ", \"forms\": %u, \"silent\": %u, \"trapped_held\": %u, \"same\": %u, "
			   "\"trapped_differs\": %u, \"varies\": %u, \"stopped\": %u, \"bare_machine\": ",
			g->cases, g->silent, g->caught, g->same, g->differs, g->varies, g->stopped);
		tv_put_json_string(f, a);
		fprintf(f, ", \"virtualized\": ");
		tv_put_json_string(f, b);
		fprintf(f, ", \"robin_irvine\": ");
		if (g->ri >= 0)
			tv_put_json_string(f, ri_name(g->ri));
		else
			fputs("null", f);
		if (g->silent && g->ri < 0) {
			fprintf(f, ", \"what\": ");
			tv_put_json_string(f, extra_what(g));
		}
		fputc('}', f);
	}
	fprintf(f, "],\n \"robin_irvine\": [");
	for (int i = 0; i < TV_SCAN_RI_COUNT; i++) {
		if (r->ri_found[i])
			snprintf(why, sizeof(why), "%s", tv_scan_ri[i].how);
		else
			tv_scan_ri_missed_why(r, i, why, sizeof(why));
		fprintf(f, "%s\n  {\"instruction\": ", i ? "," : "");
		tv_put_json_string(f, tv_scan_ri[i].name);
		fprintf(f, ", \"found\": %s, \"why\": ", r->ri_found[i] ? "true" : "false");
		tv_put_json_string(f, why);
		fputc('}', f);
	}
	fprintf(f, "],\n \"not_run\": [");
	for (unsigned i = 0; i < s->nskips; i++) {
		fprintf(f, "%s\n  {\"what\": ", i ? "," : "");
		tv_put_json_string(f, s->skip[i].what);
		fprintf(f, ", \"why\": ");
		tv_put_json_string(f, s->skip[i].why);
		fputc('}', f);
	}
	fprintf(f, "],\n \"seconds\": {\"bare_machine\": %.1f, \"hypervisor\": %.1f}, \"hypervisor_runs\": %u}\n",
		s->native_s, s->virt_s, s->virt_runs);
}

void tv_scan_print(FILE *f, const struct tv_scan *s, const struct tv_scan_report *r,
		   enum tv_scan_format format)
{
	switch (format) {
	case TV_SCAN_TEXT: print_text(f, s, r, 0); break;
	case TV_SCAN_MARKDOWN: print_text(f, s, r, 1); break;
	case TV_SCAN_CSV: print_csv(f, r); break;
	case TV_SCAN_JSON: print_json(f, s, r); break;
	}
}
