/*
 * tools/slides_data.c: the measured results of `trapvisor slides` set up,
 * and what the pictures, tables and deck all read from them in the same
 * way: Popek and Goldberg's sets, the cures' names and ratios.
 * Runs on: host.
 *
 * Pure: the unit tests drive it with made-up rows.
 */
#include "tools/slides_data.h"

#include <stdio.h>
#include <string.h>

/* Which benchmark row, under which patch mode, shows which cure's price. */
static const struct {
	const char *key, *row, *patch;
	int direct;
	const char *label;
} cases[TV_CASES] = {
	[TV_CASE_CLI_NONE] = { "cli_sti/none", "cli_sti", "none", 0, N_("CLI+STI, trapped") },
	[TV_CASE_CLI_INLINE] = { "cli_sti/inline", "cli_sti", "inline", 0,
				 N_("CLI+STI, patched inline") },
	[TV_CASE_POPF_NONE] = { "pushf_popf/none", "pushf_popf", "none", 0,
				N_("PUSHF+POPF, silent (wrong)") },
	[TV_CASE_POPF_TRAP] = { "pushf_popf/popf", "pushf_popf", "popf", 0,
				N_("PUSHF+POPF, patched to trap") },
	[TV_CASE_POPF_INLINE] = { "pushf_popf/inline", "pushf_popf", "inline", 0,
				  N_("PUSHF+POPF, patched inline") },
	[TV_CASE_IN_NONE] = { "in_port80/none", "in_port80", "none", 0, N_("IN from a port, trapped") },
	[TV_CASE_SYSCALL_NONE] = { "user_syscall/none", "user_syscall", "none", 0,
				   N_("system call, through the hypervisor") },
	[TV_CASE_SYSCALL_DIRECT] = { "user_syscall/direct", "user_syscall", "none", 1,
				     N_("system call, --direct") },
};

static const char *const pg_set_key[TV_PG_SETS] = {
	[TV_PG_BOTH] = "both", [TV_PG_SENSITIVE] = "sensitive",
	[TV_PG_PRIVILEGED] = "privileged", [TV_PG_NEITHER] = "neither",
};

static const char *const part_key[TV_PARTS] = {
	[TV_PART_ENTRY] = "entry_switch", [TV_PART_FETCH] = "fetch",
	[TV_PART_DECODE] = "decode", [TV_PART_EMULATE] = "emulate",
	[TV_PART_WAY_OUT] = "way_out", [TV_PART_EXIT] = "exit_switch",
	[TV_PART_HANDLING] = "handling",
};

const char *tv_slides_pg_key(enum tv_pg_set set)
{
	return pg_set_key[set];
}

const char *tv_slides_part_key(enum tv_slides_part part)
{
	return part_key[part];
}

void tv_slides_init(struct tv_slides *s, const char *lang, int ring, double timeout_s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->lang, sizeof(s->lang), "%s", lang);
	s->ring = ring;
	s->timeout_s = timeout_s;
	for (int c = 0; c < TV_CASES; c++) {
		s->cases[c].key = cases[c].key;
		s->cases[c].row = cases[c].row;
		s->cases[c].patch = cases[c].patch;
		s->cases[c].direct = cases[c].direct;
		s->cases[c].traps = -1;
	}
	for (int p = 0; p < TV_PARTS; p++)
		s->trap.part[p] = -1;
}

const char *tv_slides_case_label(enum tv_slides_case_id id)
{
	return _(cases[id].label);
}

double tv_slides_case_ratio(const struct tv_slides_case *c)
{
	if (!c->ran || !c->native.median)
		return -1;
	return (double)c->hv.median / (double)c->native.median;
}

/*
 * Popek and Goldberg: an instruction is privileged when it traps outside
 * the most privileged mode, and sensitive when it reads or changes the
 * machine's control state. Trapped is what this run saw; sensitive is the
 * probe's catalog (its privileged and sensitive rows; innocuous ones are
 * the controls).
 */
enum tv_pg_set tv_slides_pg_set(const struct tv_classify_row *r)
{
	int sensitive = strcmp(r->category, "innocuous") != 0;

	if (r->trapped)
		return sensitive ? TV_PG_BOTH : TV_PG_PRIVILEGED;
	return sensitive ? TV_PG_SENSITIVE : TV_PG_NEITHER;
}

int tv_slides_pg_silent(const struct tv_classify_row *r)
{
	return r->verdict == TV_VERDICT_SILENT;
}

size_t tv_slides_pg_count(const struct tv_classify_table *t, enum tv_pg_set set, size_t *silent)
{
	size_t n = 0, quiet = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		if (!t->row[i].present || tv_slides_pg_set(&t->row[i]) != set)
			continue;
		n++;
		quiet += (size_t)tv_slides_pg_silent(&t->row[i]);
	}
	if (silent)
		*silent = quiet;
	return n;
}

size_t tv_slides_silent_count(const struct tv_classify_table *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nrows; i++)
		n += (size_t)(t->row[i].present && tv_slides_pg_silent(&t->row[i]));
	return n;
}

int tv_slides_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

double tv_slides_2dp(double x)
{
	double scaled = x * 100.0;
	long long whole = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
	return (double)whole / 100.0;
}

size_t tv_slides_umip_cured(const struct tv_slides *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->classify.nrows; i++) {
		const struct tv_classify_row *r = &s->classify.row[i];
		if (!r->present || !tv_slides_pg_silent(r))
			continue;
		for (size_t j = 0; j < s->classify_umip.nrows; j++) {
			const struct tv_classify_row *u = &s->classify_umip.row[j];
			if (strcmp(u->name, r->name) == 0 && u->present && u->trapped)
				n++;
		}
	}
	return n;
}
