/*
 * tools/demo_table.c: read the popf_demo guest's report lines, compare each
 * run with the bare machine, explain the differences and print the table
 * as text, markdown or JSON. Runs on: host.
 *
 * Nothing here starts QEMU or reads the clock: tools/demo.c runs the guest
 * and feeds the lines in, the unit tests feed made-up ones.
 */
#include "tools/demo_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "tools/outcome.h"

void tv_demo_results_init(struct tv_demo_results *r)
{
	static const struct {
		const char *key, *title, *how, *mode;
		int ring;
		const char *patch;
	} runs[TV_DEMO_RUNS] = {
		[TV_DEMO_BARE] = { "bare", "bare machine", "native QEMU", "native", 0, NULL },
		[TV_DEMO_TRAP_EMULATE] = { "trap_and_emulate", "trap-and-emulate",
					   "ring 1, patch=none", "hv", 1, "none" },
		[TV_DEMO_PATCHED] = { "patched", "patched", "ring 1, patch=all", "hv", 1, "all" },
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

#define LINE_FIELDS_MAX	8

/* The key=value fields after a report line's first word; values point into the line. */
struct line_fields {
	const char *key[LINE_FIELDS_MAX], *value[LINE_FIELDS_MAX];
	size_t n;
};

/*
 * Split line (which this modifies) into its fields, left to right: each is
 * key=value, the value double-quoted up to the next quote or bare up to the
 * next space. Returns 0, or -1 if a token is not key=value or a quote does
 * not close, so text inside a value can never be taken for a field.
 */
static int split_fields(char *line, struct line_fields *f)
{
	char *p = strchr(line, ' ');

	f->n = 0;
	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *eq = p;
		while (*eq && *eq != '=' && *eq != ' ' && *eq != '"')
			eq++;
		if (*eq != '=' || eq == p || f->n == LINE_FIELDS_MAX)
			return -1;
		*eq = '\0';
		f->key[f->n] = p;
		p = eq + 1;
		if (*p == '"') {
			char *close = strchr(p + 1, '"');
			if (!close || (close[1] && close[1] != ' '))
				return -1;
			*close = '\0';
			f->value[f->n++] = p + 1;
			p = close + 1;
		} else {
			f->value[f->n++] = p;
			p = strchr(p, ' ');
			if (p)
				*p++ = '\0';
		}
	}
	return 0;
}

/* Copy field key's value to dst; -1 if the line did not carry it. */
static int get_field(const struct line_fields *f, const char *key, char *dst, size_t size)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->key[i], key) == 0) {
			copy_clean(dst, size, f->value[i], strlen(f->value[i]));
			return 0;
		}
	}
	return -1;
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
		return TV_DEMO_STATUS_BARE_DISAGREES;
	return TV_STATUS_GUEST_OK;
}

/* ---- 3. the narrative ---- */

static void patch_cost(const struct tv_demo_results *r, char *buf, size_t len);

static void say(struct tv_demo_narrative *n, int warning, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct tv_demo_narrative *n, int warning, const char *fmt, ...)
{
	va_list ap;

	if (n->n == TV_DEMO_NARRATIVE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(n->line[n->n], TV_DEMO_SENTENCE_MAX, fmt, ap);
	va_end(ap);
	n->warning[n->n++] = warning;
}

static const struct tv_demo_experiment *find_exp(const struct tv_demo_results *r,
						 const char *name, size_t *index)
{
	for (size_t i = 0; i < r->nexp; i++) {
		if (strcmp(r->exp[i].name, name) == 0) {
			*index = i;
			return &r->exp[i];
		}
	}
	return NULL;
}

/* The mark of a named experiment in a run, or TV_DEMO_MISSING if there is no such row. */
static enum tv_demo_mark mark_of(const struct tv_demo_results *r, const char *name,
				 enum tv_demo_run_id run)
{
	size_t i;

	if (!find_exp(r, name, &i))
		return TV_DEMO_MISSING;
	return tv_demo_mark(r, i, run);
}

static const char *observed_in(const struct tv_demo_results *r, const char *name,
			       enum tv_demo_run_id run)
{
	size_t i;
	const struct tv_demo_experiment *e = find_exp(r, name, &i);

	return e ? e->cell[run].observed : "";
}

/* The experiments the narrative knows how to explain. */
static const char *const explained[] = {
	"cli_sti", "popf_clears_if", "popf_sets_if", "pushf_shows_if", "ring_leak",
	"irqsave_lost_update",
};

static int is_explained(const char *name)
{
	for (size_t i = 0; i < sizeof(explained) / sizeof(explained[0]); i++)
		if (strcmp(explained[i], name) == 0)
			return 1;
	return 0;
}

/* How a run that did not complete ended, for a sentence. */
static void run_trouble(const struct tv_demo_results *r, enum tv_demo_run_id run,
			char *buf, size_t len)
{
	const struct tv_demo_run *rr = &r->run[run];

	if (!rr->ran)
		snprintf(buf, len, "it did not run");
	else if (rr->host_status != TV_STATUS_GUEST_OK)
		snprintf(buf, len, "%s%s%s", rr->end[0] ? rr->end : "it failed",
			 rr->message[0] ? ": " : "", rr->message);
	else
		snprintf(buf, len, "the guest exited but did not report every experiment");
}

/* Compare and count the cells of one column with the bare machine's. */
static void count_marks(const struct tv_demo_results *r, enum tv_demo_run_id run,
			size_t *compared, size_t *differing)
{
	*compared = *differing = 0;
	for (size_t i = 0; i < r->nexp; i++) {
		enum tv_demo_mark m = tv_demo_mark(r, i, run);
		if (m == TV_DEMO_EQUAL || m == TV_DEMO_DIFFERS)
			(*compared)++;
		if (m == TV_DEMO_DIFFERS)
			(*differing)++;
	}
}

static void narrate_bare(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	char why[TV_DEMO_MESSAGE_MAX + 80];

	if (!tv_demo_run_complete(r, TV_DEMO_BARE)) {
		run_trouble(r, TV_DEMO_BARE, why, sizeof(why));
		say(n, 1, "WARNING: the bare-machine run did not complete (%s), so there is no "
			  "full reference to compare the other runs with.", why);
	}
	for (size_t i = 0; i < r->nexp; i++) {
		const struct tv_demo_cell *c = &r->exp[i].cell[TV_DEMO_BARE];
		if (tv_demo_mark(r, i, TV_DEMO_BARE) != TV_DEMO_NOT_ARCHITECTURE)
			continue;
		say(n, 1, "WARNING: on the bare machine \"%s\" observed %s, but the architecture "
			  "promises a ring-0 kernel %s. The emulated CPU itself disagrees with "
			  "the architecture; the other columns are compared with what it did.",
		    r->exp[i].title, c->observed, c->bare);
	}
}

static void narrate_trap_emulate(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id te = TV_DEMO_TRAP_EMULATE;
	size_t compared, differing, i;
	char why[TV_DEMO_MESSAGE_MAX + 80];

	if (!tv_demo_run_complete(r, te)) {
		run_trouble(r, te, why, sizeof(why));
		say(n, 1, "The trap-and-emulate run did not complete (%s); its column is "
			  "incomplete.", why);
	}
	count_marks(r, te, &compared, &differing);
	if (compared > 0 && differing == 0)
		say(n, 0, "Trap-and-emulate matched the bare machine in every experiment this "
			  "time (%zu of %zu): the POPF problem did not show in this run.",
		    compared, r->nexp);

	enum tv_demo_mark cli = mark_of(r, "cli_sti", te);
	if (cli == TV_DEMO_EQUAL)
		say(n, 0, "CLI and STI are privileged: in ring %d they trap, and the hypervisor "
			  "keeps the guest's interrupt flag as a virtual IF. So the control "
			  "experiment, CLI against the timer, matched the bare machine.",
		    r->run[te].ring);
	else if (cli == TV_DEMO_DIFFERS)
		say(n, 1, "Even the control experiment differed under trap-and-emulate: after "
			  "CLI, which traps, it observed %s where the bare machine showed %s. "
			  "The virtual interrupt flag did not work in this run.",
		    observed_in(r, "cli_sti", te), observed_in(r, "cli_sti", TV_DEMO_BARE));

	int off = mark_of(r, "popf_clears_if", te) == TV_DEMO_DIFFERS;
	int on = mark_of(r, "popf_sets_if", te) == TV_DEMO_DIFFERS;
	if (off || on) {
		char seen[160];
		snprintf(seen, sizeof(seen), "%s%s%s%s%s",
			 off ? "after POPF cleared IF: " : "",
			 off ? observed_in(r, "popf_clears_if", te) : "", off && on ? "; " : "",
			 on ? "after POPF set IF: " : "", on ? observed_in(r, "popf_sets_if", te) : "");
		say(n, 0, "POPF is sensitive but not privileged: in ring %d it never traps, and "
			  "the CPU silently keeps the old IF. So the hypervisor never learned that "
			  "the guest turned interrupts %s (%s).",
		    r->run[te].ring, off && on ? "off and back on" : off ? "off" : "back on", seen);
	}

	if (mark_of(r, "pushf_shows_if", te) == TV_DEMO_DIFFERS)
		say(n, 0, "PUSHF does not trap either: after CLI it showed %s where the bare "
			  "machine shows %s, the real flag instead of the guest's virtual one.",
		    observed_in(r, "pushf_shows_if", te),
		    observed_in(r, "pushf_shows_if", TV_DEMO_BARE));

	if (mark_of(r, "ring_leak", te) == TV_DEMO_DIFFERS)
		say(n, 0, "Reading CS (MOV from CS, PUSH CS) does not trap: the guest saw %s where "
			  "the bare machine shows %s, so a kernel can tell it was moved out of "
			  "ring 0.",
		    observed_in(r, "ring_leak", te), observed_in(r, "ring_leak", TV_DEMO_BARE));

	if (find_exp(r, "irqsave_lost_update", &i) && tv_demo_mark(r, i, te) == TV_DEMO_DIFFERS)
		say(n, 0, "What that costs a real kernel: a spin_lock_irqsave-style section built "
			  "on POPF did not keep the timer out: %s, %s.",
		    r->exp[i].cell[te].observed, r->exp[i].cell[te].detail);

	for (i = 0; i < r->nexp; i++)
		if (!is_explained(r->exp[i].name) && tv_demo_mark(r, i, te) == TV_DEMO_DIFFERS)
			say(n, 0, "\"%s\" also differed under trap-and-emulate: %s where the bare "
				  "machine showed %s.", r->exp[i].title,
			    r->exp[i].cell[te].observed, r->exp[i].cell[TV_DEMO_BARE].observed);
}

static void narrate_patched(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id p = TV_DEMO_PATCHED;
	size_t compared, differing, te_compared, te_differing;
	char why[TV_DEMO_MESSAGE_MAX + 80], list[TV_DEMO_SENTENCE_MAX];

	if (!tv_demo_run_complete(r, p)) {
		run_trouble(r, p, why, sizeof(why));
		say(n, 1, "The patched run (patch=all) did not complete (%s); its column is "
			  "incomplete.", why);
	}
	count_marks(r, p, &compared, &differing);
	count_marks(r, TV_DEMO_TRAP_EMULATE, &te_compared, &te_differing);
	if (compared == 0)
		return;
	if (differing == 0) {
		char added[256], cost[320] = "";
		patch_cost(r, added, sizeof(added));
		if (added[0])
			snprintf(cost, sizeof(cost), " The price is paid in traps: %s, compared "
				 "with trap-and-emulate.", added);
		say(n, 0, "Patching rewrites each POPF and PUSHF, and each PUSH CS and MOV from CS, "
			  "into an instruction that traps, and the hypervisor emulates it against "
			  "the virtual CPU. With patch=all %s matched the bare machine%s.%s",
		    compared == r->nexp ? "every experiment" : "every experiment that reported",
		    te_differing ? ": equivalence is restored" : "", cost);
		return;
	}
	list[0] = '\0';
	for (size_t i = 0; i < r->nexp; i++) {
		if (tv_demo_mark(r, i, p) != TV_DEMO_DIFFERS)
			continue;
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s\"%s\" (%s where the bare machine "
			 "showed %s)", used ? ", " : "", r->exp[i].title,
			 r->exp[i].cell[p].observed, r->exp[i].cell[TV_DEMO_BARE].observed);
	}
	say(n, 1, "Even with patch=all, %zu experiment(s) differed from the bare machine: %s.",
	    differing, list);
}

void tv_demo_narrate(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	memset(n, 0, sizeof(*n));
	narrate_bare(r, n);
	narrate_trap_emulate(r, n);
	narrate_patched(r, n);
}

/* The traps of instruction insn in a run, 0 if it never trapped. */
static uint64_t insn_traps(const struct tv_demo_run *run, const char *insn)
{
	for (size_t i = 0; i < run->ninsn; i++)
		if (strcmp(run->insn[i].insn, insn) == 0)
			return run->insn[i].count;
	return 0;
}

/*
 * What patching cost: the instructions that trapped more often patched than
 * under plain trap-and-emulate, the biggest increase first, at most four.
 */
static void patch_cost(const struct tv_demo_results *r, char *buf, size_t len)
{
	const struct tv_demo_run *te = &r->run[TV_DEMO_TRAP_EMULATE], *p = &r->run[TV_DEMO_PATCHED];
	int shown[TV_DEMO_INSNS_MAX] = { 0 };
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < 4; k++) {
		size_t best = p->ninsn;
		uint64_t best_more = 0;
		for (size_t i = 0; i < p->ninsn; i++) {
			uint64_t before = insn_traps(te, p->insn[i].insn);
			if (!shown[i] && p->insn[i].count > before &&
			    p->insn[i].count - before > best_more) {
				best = i;
				best_more = p->insn[i].count - before;
			}
		}
		if (best == p->ninsn)
			break;
		shown[best] = 1;
		int w = snprintf(buf + used, len - used, "%s%s +%" PRIu64, used ? ", " : "",
				 p->insn[best].insn, best_more);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

void tv_demo_timing_line(const struct tv_demo_results *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < TV_DEMO_RUNS && used + 1 < len; i++) {
		const struct tv_demo_run *run = &r->run[i];
		char traps[64] = "", extra[256] = "";
		int w;

		if (i == TV_DEMO_PATCHED && run->ran) {
			patch_cost(r, extra, sizeof(extra));
		}
		if (run->ran && run->mode[0] == 'h')
			snprintf(traps, sizeof(traps), run->traps >= 0 ? ", %" PRId64 " traps"
				 : ", traps not reported", run->traps);
		if (!run->ran)
			w = snprintf(buf + used, len - used, "%s%s did not run", used ? "; " : "",
				     run->title);
		else
			w = snprintf(buf + used, len - used, "%s%s %.2f s%s%s%s%s", used ? "; " : "",
				     run->title, run->wall_s, traps,
				     extra[0] ? " (more than trap-and-emulate: " : "", extra,
				     extra[0] ? ")" : "");
		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}

/* ---- 4. the formats ---- */

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

/* The text marker of a cell, and the colour it is shown in. */
static const char *text_marker(enum tv_demo_mark m, const char **colour)
{
	*colour = "";
	switch (m) {
	case TV_DEMO_EQUAL:
		*colour = C_EQUAL;
		return "= bare";
	case TV_DEMO_DIFFERS:
		*colour = C_DIFF;
		return "DIFFERS";
	case TV_DEMO_AS_ARCHITECTURE:
		*colour = C_EQUAL;
		return "= arch";
	case TV_DEMO_NOT_ARCHITECTURE:
		*colour = C_WARN;
		return "NOT ARCH!";
	case TV_DEMO_NO_REFERENCE:
		return "(no reference)";
	case TV_DEMO_MISSING:
		return "(no result)";
	}
	return "";
}

static const char *cell_observed(const struct tv_demo_results *r, size_t i, int run)
{
	const struct tv_demo_cell *c = &r->exp[i].cell[run];
	return c->present ? c->observed : "-";
}

static void pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* A paragraph, wrapped at spaces to lines of at most `width` columns where it can be. */
static void put_wrapped(FILE *f, const char *s, size_t width)
{
	size_t col = 0;

	while (*s) {
		size_t word = strcspn(s, " ");
		if (col > 0 && col + 1 + word > width) {
			fputc('\n', f);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, word, f);
		col += word;
		s += word;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

#define TEXT_WIDTH	78

void tv_demo_print_text(FILE *f, const struct tv_demo_results *r, int colour)
{
	size_t w_title = strlen("experiment"), w_obs[TV_DEMO_RUNS], w_col[TV_DEMO_RUNS];
	struct tv_demo_narrative n;
	char timing[1024];
	const char *c;

	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		w_obs[run] = 0;
		w_col[run] = strlen(r->run[run].title);
		if (strlen(r->run[run].how) + 2 > w_col[run])
			w_col[run] = strlen(r->run[run].how) + 2;
	}
	for (size_t i = 0; i < r->nexp; i++) {
		if (strlen(r->exp[i].title) > w_title)
			w_title = strlen(r->exp[i].title);
		for (int run = 0; run < TV_DEMO_RUNS; run++)
			if (strlen(cell_observed(r, i, run)) > w_obs[run])
				w_obs[run] = strlen(cell_observed(r, i, run));
	}
	for (size_t i = 0; i < r->nexp; i++) {
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			size_t w = w_obs[run] + 2 +
				   strlen(text_marker(tv_demo_mark(r, i, run), &c));
			if (w > w_col[run])
				w_col[run] = w;
		}
	}

	/* Two heading lines: what each column is, and how it ran. */
	fputs(colour ? C_HEAD : "", f);
	fprintf(f, "%-*s", (int)w_title, "experiment");
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		fprintf(f, "   %-*s", run == TV_DEMO_RUNS - 1 ? 0 : (int)w_col[run],
			r->run[run].title);
	fputs(colour ? C_OFF : "", f);
	fputc('\n', f);
	pad(f, w_title);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		char how[64];
		snprintf(how, sizeof(how), "(%s)", r->run[run].how);
		fprintf(f, "   %-*s", run == TV_DEMO_RUNS - 1 ? 0 : (int)w_col[run], how);
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
		fprintf(f, "%-*s", (int)w_title, r->exp[i].title);
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const char *obs = cell_observed(r, i, run);
			const char *marker = text_marker(tv_demo_mark(r, i, run), &c);
			fprintf(f, "   %-*s  ", (int)w_obs[run], obs);
			fprintf(f, "%s%s%s", colour ? c : "", marker, colour && *c ? C_OFF : "");
			if (run != TV_DEMO_RUNS - 1)
				pad(f, w_col[run] - w_obs[run] - 2 - strlen(marker));
		}
		fputc('\n', f);
	}
	fputs("= bare: as on the bare machine in this demo. DIFFERS: not so.\n"
	      "= arch: as the architecture promises a kernel in ring 0.\n", f);

	tv_demo_narrate(r, &n);
	for (size_t k = 0; k < n.n; k++) {
		fputc('\n', f);
		fputs(n.warning[k] && colour ? C_WARN : "", f);
		put_wrapped(f, n.line[k], TEXT_WIDTH);
		fputs(n.warning[k] && colour ? C_OFF : "", f);
	}
	char line[1100];
	tv_demo_timing_line(r, timing, sizeof(timing));
	snprintf(line, sizeof(line), "Wall time and traps: %s.", timing);
	fputc('\n', f);
	put_wrapped(f, line, TEXT_WIDTH);
}

/* Markdown cell text: a '|' would end the cell and a '`' the code span. */
static void md_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else
			fputc(*s, f);
	}
}

void tv_demo_print_markdown(FILE *f, const struct tv_demo_results *r)
{
	struct tv_demo_narrative n;
	char timing[1024];

	fputs("| experiment |", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		fprintf(f, " %s (%s) |", r->run[run].title, r->run[run].how);
	fputs("\n|---|", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++)
		fputs("---|", f);
	fputc('\n', f);

	for (size_t i = 0; i < r->nexp; i++) {
		fputs("| ", f);
		md_put(f, r->exp[i].title);
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
			md_put(f, cell->observed);
			fputs("`", f);
			switch (m) {
			case TV_DEMO_EQUAL: fputs(" =", f); break;
			case TV_DEMO_DIFFERS: fputs(" ≠", f); break;
			case TV_DEMO_NOT_ARCHITECTURE:
				fputs(" ⚠ not as the architecture (`", f);
				md_put(f, cell->bare);
				fputs("`)", f);
				break;
			case TV_DEMO_NO_REFERENCE: fputs(" (no reference)", f); break;
			default: break;
			}
			fputs(bold ? "** |" : " |", f);
		}
		fputc('\n', f);
	}
	fputs("\n= as on the bare machine, ≠ differs from it.\n", f);

	tv_demo_narrate(r, &n);
	for (size_t k = 0; k < n.n; k++)
		fprintf(f, "\n%s%s%s\n", n.warning[k] ? "**" : "", n.line[k],
			n.warning[k] ? "**" : "");
	tv_demo_timing_line(r, timing, sizeof(timing));
	fprintf(f, "\n*Wall time and traps: %s.*\n", timing);
}

/* A JSON string: quotes, backslashes and every byte outside printable ASCII escaped. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_bool_or_null(FILE *f, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", f);
}

static void json_run(FILE *f, const struct tv_demo_results *r, int i)
{
	const struct tv_demo_run *run = &r->run[i];

	fputs("    {\"key\": ", f);
	json_string(f, run->key);
	fputs(", \"title\": ", f);
	json_string(f, run->title);
	fputs(", \"how\": ", f);
	json_string(f, run->how);
	fputs(", \"mode\": ", f);
	json_string(f, run->mode);
	fprintf(f, ", \"ring\": %d, \"patch\": ", run->ring);
	if (run->patch)
		json_string(f, run->patch);
	else
		fputs("null", f);
	fprintf(f, ",\n     \"ran\": %s, \"completed\": %s, \"status\": %d, \"end\": ",
		run->ran ? "true" : "false",
		tv_demo_run_complete(r, (enum tv_demo_run_id)i) ? "true" : "false",
		run->host_status);
	json_string(f, run->end);
	if (run->guest_status >= 0)
		fprintf(f, ", \"guest_status\": %" PRId64, run->guest_status);
	else
		fputs(", \"guest_status\": null", f);
	fputs(", \"message\": ", f);
	json_string(f, run->message);
	fprintf(f, ",\n     \"wall_s\": %.3f, \"traps\": ", run->wall_s);
	if (run->traps >= 0)
		fprintf(f, "%" PRId64, run->traps);
	else
		fputs("null", f);
	fputs(", \"traps_by_insn\": {", f);
	for (size_t k = 0; k < run->ninsn; k++) {
		fputs(k ? ", " : "", f);
		json_string(f, run->insn[k].insn);
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
	json_string(f, e->name);
	fputs(", \"title\": ", f);
	json_string(f, e->title);
	fputs(", \"architecture\": ", f);
	if (arch)
		json_string(f, arch);
	else
		fputs("null", f);
	fputs(", \"cells\": {", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		const struct tv_demo_cell *c = &e->cell[run];
		fputs(run ? ", " : "", f);
		json_string(f, r->run[run].key);
		if (!c->present) {
			fputs(": null", f);
			continue;
		}
		fputs(": {\"observed\": ", f);
		json_string(f, c->observed);
		fputs(", \"detail\": ", f);
		json_string(f, c->detail);
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
		json_string(f, n.line[k]);
	}
	tv_demo_timing_line(r, timing, sizeof(timing));
	fputs(n.n ? "\n  ],\n  \"timing\": " : "],\n  \"timing\": ", f);
	json_string(f, timing);
	fprintf(f, ",\n  \"exit_status\": %d\n}\n", exit_status);
}
