/*
 * tools/demo_table.c: read the popf_demo guest's report lines and compare
 * each run with the bare machine. The explanation is written by
 * tools/demo_narrative.c, the table printed by tools/demo_print.c.
 * Runs on: host.
 *
 * Nothing here starts QEMU or reads the clock: tools/demo.c runs the guest
 * and feeds the lines in, the unit tests feed made-up ones.
 */
#include "tools/demo_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "tools/fields.h"
#include "tools/i18n.h"
#include "tools/outcome.h"

void tv_demo_results_init(struct tv_demo_results *r)
{
	static const struct {
		const char *key, *title, *how, *mode;
		int ring;
		const char *patch, *guest_word;
	} runs[TV_DEMO_RUNS] = {
		[TV_DEMO_BARE] = { "bare", N_("bare machine"), N_("native QEMU"), "native", 0, NULL,
				   NULL },
		[TV_DEMO_TRAP_EMULATE] = { "trap_and_emulate", N_("trap-and-emulate"),
					   N_("ring 1, patch=none"), "hv", 1, "none", NULL },
		[TV_DEMO_PATCHED] = { "patched", N_("patched"), N_("ring 1, patch=all"), "hv", 1,
				      "all", NULL },
		[TV_DEMO_INLINE] = { "inline", N_("patched inline"), N_("ring 1, patch=inline"),
				     "hv", 1, "inline", NULL },
		[TV_DEMO_PARAVIRT] = { "paravirt", N_("paravirt"), N_("ring 1, hypercalls"), "hv",
				       1, "none", "paravirt" },
	};

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < TV_DEMO_RUNS; i++) {
		struct tv_demo_run *run = &r->run[i];
		run->key = runs[i].key;
		run->title = runs[i].title;
		run->how = runs[i].how;
		run->mode = runs[i].mode;
		run->ring = runs[i].ring;
		run->patch = runs[i].patch;
		run->guest_word = runs[i].guest_word;
		run->guest_status = -1;
		run->traps = -1;
	}
}

/* ---- 1. the guest's report lines ---- */

/* Copy at most len bytes, keeping printable ASCII and writing '?' for the rest. */
static void copy_clean(char *dst, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
}

/* The key=value fields after a report line's first word; values point into the line. */
struct line_fields {
	struct tv_field f[TV_FIELDS_MAX];
	unsigned n;
};

/* Split line (which this modifies) into its fields; -1 if they break the grammar. */
static int split_fields(char *line, struct line_fields *f)
{
	char *rest = strchr(line, ' ');

	f->n = 0;
	return rest && tv_fields_parse(rest, f->f, TV_FIELDS_MAX, &f->n) ? -1 : 0;
}

/* Copy field key's value to dst; -1 if the line did not carry it. */
static int get_field(const struct line_fields *f, const char *key, char *dst, size_t size)
{
	const char *v = tv_fields_find(f->f, f->n, key);

	if (!v)
		return -1;
	copy_clean(dst, size, v, strlen(v));
	return 0;
}

/* Experiment names are what the guest promises: [a-z0-9_]+. */
static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum tv_demo_line_kind tv_demo_parse_line(const char *s, size_t len, struct tv_demo_line *out)
{
	char line[512], verdict[8];
	struct line_fields f;

	memset(out, 0, sizeof(*out));
	copy_clean(line, sizeof(line), s, len);
	copy_clean(out->text, sizeof(out->text), s, len);

	if (starts_with(line, "SAY ") || strcmp(line, "SAY") == 0) {
		const char *said = line[3] ? line + 4 : line + 3;
		copy_clean(out->text, sizeof(out->text), said, strlen(said));
		return out->kind = TV_DEMO_LINE_SAY;
	}
	if (starts_with(line, "SUMMARY:"))
		return out->kind = TV_DEMO_LINE_SUMMARY;
	/* Other DEMO- words may come later; they are not errors. */
	if (!starts_with(line, "DEMO-PAUSE ") && !starts_with(line, "DEMO-BEGIN ") &&
	    !starts_with(line, "DEMO-RESULT "))
		return out->kind = TV_DEMO_LINE_OTHER;

	if (split_fields(line, &f) < 0 || get_field(&f, "name", out->name, sizeof(out->name)) < 0 ||
	    !valid_name(out->name))
		return out->kind = TV_DEMO_LINE_MALFORMED;

	if (starts_with(line, "DEMO-PAUSE"))
		return out->kind = TV_DEMO_LINE_PAUSE;
	if (starts_with(line, "DEMO-BEGIN")) {
		if (get_field(&f, "title", out->title, sizeof(out->title)) < 0)
			copy_clean(out->title, sizeof(out->title), out->name, strlen(out->name));
		return out->kind = TV_DEMO_LINE_BEGIN;
	}
	if (get_field(&f, "bare", out->bare, sizeof(out->bare)) < 0 ||
	    get_field(&f, "observed", out->observed, sizeof(out->observed)) < 0 ||
	    get_field(&f, "verdict", verdict, sizeof(verdict)) < 0)
		return out->kind = TV_DEMO_LINE_MALFORMED;
	if (strcmp(verdict, "PASS") == 0)
		out->verdict_pass = 1;
	else if (strcmp(verdict, "FAIL") != 0)
		return out->kind = TV_DEMO_LINE_MALFORMED;
	if (get_field(&f, "detail", out->detail, sizeof(out->detail)) < 0)
		out->detail[0] = '\0';
	return out->kind = TV_DEMO_LINE_RESULT;
}

static struct tv_demo_experiment *find_or_add(struct tv_demo_results *r, const char *name)
{
	for (size_t i = 0; i < r->nexp; i++)
		if (strcmp(r->exp[i].name, name) == 0)
			return &r->exp[i];
	if (r->nexp == TV_DEMO_EXPERIMENTS_MAX)
		return NULL;
	struct tv_demo_experiment *e = &r->exp[r->nexp++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

void tv_demo_record_line(struct tv_demo_results *r, enum tv_demo_run_id run,
			 const struct tv_demo_line *line)
{
	struct tv_demo_experiment *e;

	switch (line->kind) {
	case TV_DEMO_LINE_BEGIN:
		e = find_or_add(r, line->name);
		if (e && !e->title[0])
			snprintf(e->title, sizeof(e->title), "%s", line->title);
		break;
	case TV_DEMO_LINE_RESULT:
		e = find_or_add(r, line->name);
		if (!e)
			break;
		if (!e->title[0])
			snprintf(e->title, sizeof(e->title), "%s", line->name);
		e->cell[run].present = 1;
		snprintf(e->cell[run].bare, sizeof(e->cell[run].bare), "%s", line->bare);
		snprintf(e->cell[run].observed, sizeof(e->cell[run].observed), "%s",
			 line->observed);
		snprintf(e->cell[run].detail, sizeof(e->cell[run].detail), "%s", line->detail);
		break;
	case TV_DEMO_LINE_SUMMARY:
		r->run[run].summary_seen = 1;
		break;
	case TV_DEMO_LINE_MALFORMED:
		r->run[run].nmalformed++;
		break;
	default:
		break;
	}
}

void tv_demo_record_insn(struct tv_demo_run *run, const char *insn, uint64_t count)
{
	for (size_t i = 0; i < run->ninsn; i++) {
		if (strcmp(run->insn[i].insn, insn) == 0) {
			run->insn[i].count += count;
			return;
		}
	}
	if (run->ninsn == TV_DEMO_INSNS_MAX)
		return;
	copy_clean(run->insn[run->ninsn].insn, sizeof(run->insn[0].insn), insn, strlen(insn));
	run->insn[run->ninsn++].count = count;
}

/* ---- 2. the comparison ---- */

enum tv_demo_mark tv_demo_mark(const struct tv_demo_results *r, size_t i,
			       enum tv_demo_run_id run)
{
	const struct tv_demo_cell *c = &r->exp[i].cell[run];
	const struct tv_demo_cell *ref = &r->exp[i].cell[TV_DEMO_BARE];

	if (!c->present)
		return TV_DEMO_MISSING;
	if (run == TV_DEMO_BARE)
		return strcmp(c->observed, c->bare) == 0 ? TV_DEMO_AS_ARCHITECTURE
							 : TV_DEMO_NOT_ARCHITECTURE;
	if (!ref->present)
		return TV_DEMO_NO_REFERENCE;
	return strcmp(c->observed, ref->observed) == 0 ? TV_DEMO_EQUAL : TV_DEMO_DIFFERS;
}

int tv_demo_equal_to_bare(const struct tv_demo_results *r, size_t i, enum tv_demo_run_id run)
{
	switch (tv_demo_mark(r, i, run)) {
	case TV_DEMO_EQUAL:
	case TV_DEMO_AS_ARCHITECTURE:
	case TV_DEMO_NOT_ARCHITECTURE:	/* the bare machine's run is the reference itself */
		return 1;
	case TV_DEMO_DIFFERS:
		return 0;
	default:
		return -1;
	}
}

int tv_demo_run_complete(const struct tv_demo_results *r, enum tv_demo_run_id run)
{
	const struct tv_demo_run *rr = &r->run[run];

	if (!rr->ran || rr->host_status != TV_STATUS_GUEST_OK || !rr->summary_seen ||
	    r->nexp == 0)
		return 0;
	for (size_t i = 0; i < r->nexp; i++)
		if (!r->exp[i].cell[run].present)
			return 0;
	return 1;
}

int tv_demo_bare_as_architecture(const struct tv_demo_results *r)
{
	if (r->nexp == 0)
		return 0;
	for (size_t i = 0; i < r->nexp; i++)
		if (tv_demo_mark(r, i, TV_DEMO_BARE) != TV_DEMO_AS_ARCHITECTURE)
			return 0;
	return 1;
}

int tv_demo_exit_status(const struct tv_demo_results *r)
{
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		if (!r->run[run].ran)
			return TV_STATUS_NO_RESULT;
		if (r->run[run].host_status != TV_STATUS_GUEST_OK)
			return r->run[run].host_status;
	}
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		if (!tv_demo_run_complete(r, (enum tv_demo_run_id)run))
			return TV_STATUS_NO_RESULT;
	if (!tv_demo_bare_as_architecture(r))
		return TV_STATUS_BARE_DISAGREES;
	return TV_STATUS_GUEST_OK;
}
