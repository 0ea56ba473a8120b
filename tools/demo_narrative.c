/*
 * tools/demo_narrative.c: the demo's explanation under its table, written
 * from this run's results only (a difference that did not show is not
 * claimed), and the line of wall times and trap counts.
 * Runs on: host.
 *
 * Each paragraph is made of whole sentences in _(), so a translation can
 * order its words as its language does; the guest's titles, categories and
 * details in them are shown in the reader's language too
 * (tools/demo_guest_text.c). JSON asks for the English (tv_i18n_english()).
 */
#include "tools/demo_table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/demo_guest_text.h"
#include "tools/i18n.h"
#include "tools/outcome.h"

static void patch_cost(const struct tv_demo_results *r, char *buf, size_t len);
static uint64_t insn_traps(const struct tv_demo_run *run, const char *insn);

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

/* The category a run observed in a named experiment, in the reader's language. */
static const char *observed_in(const struct tv_demo_results *r, const char *name,
			       enum tv_demo_run_id run)
{
	size_t i;
	const struct tv_demo_experiment *e = find_exp(r, name, &i);

	return e ? _(e->cell[run].observed) : "";
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
		snprintf(buf, len, "%s", _("it did not run"));
	else if (rr->host_status != TV_STATUS_GUEST_OK)
		snprintf(buf, len, "%s%s%s", rr->end[0] ? rr->end : _("it failed"),
			 rr->message[0] ? ": " : "", rr->message);
	else
		snprintf(buf, len, "%s",
			 _("the guest exited but did not report every experiment"));
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
		say(n, 1, _("WARNING: the bare-machine run did not complete (%s), so there is no "
			    "full reference to compare the other runs with."), why);
	}
	for (size_t i = 0; i < r->nexp; i++) {
		const struct tv_demo_cell *c = &r->exp[i].cell[TV_DEMO_BARE];
		if (tv_demo_mark(r, i, TV_DEMO_BARE) != TV_DEMO_NOT_ARCHITECTURE)
			continue;
		say(n, 1, _("WARNING: on the bare machine \"%s\" observed %s, but the architecture "
			    "promises a ring-0 kernel %s. The emulated CPU itself disagrees with "
			    "the architecture; the other columns are compared with what it did."),
		    _(r->exp[i].title), _(c->observed), _(c->bare));
	}
}

static void narrate_trap_emulate(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id te = TV_DEMO_TRAP_EMULATE;
	size_t compared, differing, i;
	char why[TV_DEMO_MESSAGE_MAX + 80];

	if (!tv_demo_run_complete(r, te)) {
		run_trouble(r, te, why, sizeof(why));
		say(n, 1, _("The trap-and-emulate run did not complete (%s); its column is "
			    "incomplete."), why);
	}
	count_marks(r, te, &compared, &differing);
	if (compared > 0 && differing == 0)
		say(n, 0, _("Trap-and-emulate matched the bare machine in every experiment this "
			    "time (%zu of %zu): the POPF problem did not show in this run."),
		    compared, r->nexp);

	enum tv_demo_mark cli = mark_of(r, "cli_sti", te);
	if (cli == TV_DEMO_EQUAL)
		say(n, 0, _("CLI and STI are privileged: in ring %d they trap, and the hypervisor "
			    "keeps the guest's interrupt flag as a virtual IF. So the control "
			    "experiment, CLI against the timer, matched the bare machine."),
		    r->run[te].ring);
	else if (cli == TV_DEMO_DIFFERS)
		say(n, 1, _("Even the control experiment differed under trap-and-emulate: after "
			    "CLI, which traps, it observed %s where the bare machine showed %s. "
			    "The virtual interrupt flag did not work in this run."),
		    observed_in(r, "cli_sti", te), observed_in(r, "cli_sti", TV_DEMO_BARE));

	int off = mark_of(r, "popf_clears_if", te) == TV_DEMO_DIFFERS;
	int on = mark_of(r, "popf_sets_if", te) == TV_DEMO_DIFFERS;
	if (off && on)
		say(n, 0, _("POPF is sensitive but not privileged: in ring %d it never traps, and "
			    "the CPU silently keeps the old IF. So the hypervisor never learned "
			    "that the guest turned interrupts off and back on (after POPF cleared "
			    "IF: %s; after POPF set IF: %s)."),
		    r->run[te].ring, observed_in(r, "popf_clears_if", te),
		    observed_in(r, "popf_sets_if", te));
	else if (off)
		say(n, 0, _("POPF is sensitive but not privileged: in ring %d it never traps, and "
			    "the CPU silently keeps the old IF. So the hypervisor never learned "
			    "that the guest turned interrupts off (after POPF cleared IF: %s)."),
		    r->run[te].ring, observed_in(r, "popf_clears_if", te));
	else if (on)
		say(n, 0, _("POPF is sensitive but not privileged: in ring %d it never traps, and "
			    "the CPU silently keeps the old IF. So the hypervisor never learned "
			    "that the guest turned interrupts back on (after POPF set IF: %s)."),
		    r->run[te].ring, observed_in(r, "popf_sets_if", te));

	if (mark_of(r, "pushf_shows_if", te) == TV_DEMO_DIFFERS)
		say(n, 0, _("PUSHF does not trap either: after CLI it showed %s where the bare "
			    "machine shows %s, the real flag instead of the guest's virtual one."),
		    observed_in(r, "pushf_shows_if", te),
		    observed_in(r, "pushf_shows_if", TV_DEMO_BARE));

	if (mark_of(r, "ring_leak", te) == TV_DEMO_DIFFERS)
		say(n, 0, _("Reading CS (MOV from CS, PUSH CS) does not trap: the guest saw %s where "
			    "the bare machine shows %s, so a kernel can tell it was moved out of "
			    "ring 0."),
		    observed_in(r, "ring_leak", te), observed_in(r, "ring_leak", TV_DEMO_BARE));

	if (find_exp(r, "irqsave_lost_update", &i) && tv_demo_mark(r, i, te) == TV_DEMO_DIFFERS) {
		char detail[TV_DEMO_SENTENCE_MAX];
		say(n, 0, _("What that costs a real kernel: a spin_lock_irqsave-style section "
			    "built on POPF did not keep the timer out: %s, %s."),
		    _(r->exp[i].cell[te].observed),
		    tv_demo_guest_text(r->exp[i].cell[te].detail, detail, sizeof(detail)));
	}

	for (i = 0; i < r->nexp; i++)
		if (!is_explained(r->exp[i].name) && tv_demo_mark(r, i, te) == TV_DEMO_DIFFERS)
			say(n, 0, _("\"%s\" also differed under trap-and-emulate: %s where the "
				    "bare machine showed %s."), _(r->exp[i].title),
			    _(r->exp[i].cell[te].observed),
			    _(r->exp[i].cell[TV_DEMO_BARE].observed));
}

/* The experiments of a column that differ from the bare machine, as a list for a sentence. */
static void list_differences(const struct tv_demo_results *r, enum tv_demo_run_id run,
			     char *list, size_t len)
{
	list[0] = '\0';
	for (size_t i = 0; i < r->nexp; i++) {
		if (tv_demo_mark(r, i, run) != TV_DEMO_DIFFERS)
			continue;
		size_t used = strlen(list);
		if (used) {
			if (used + 3 >= len)
				break;
			memcpy(list + used, ", ", 3);
			used += 2;
		}
		snprintf(list + used, len - used, _("\"%s\" (%s where the bare machine showed %s)"),
			 _(r->exp[i].title), _(r->exp[i].cell[run].observed),
			 _(r->exp[i].cell[TV_DEMO_BARE].observed));
	}
}

static void narrate_patched(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id p = TV_DEMO_PATCHED;
	size_t compared, differing, te_compared, te_differing;
	char why[TV_DEMO_MESSAGE_MAX + 80], list[TV_DEMO_SENTENCE_MAX];

	if (!tv_demo_run_complete(r, p)) {
		run_trouble(r, p, why, sizeof(why));
		say(n, 1, _("The patched run (patch=all) did not complete (%s); its column is "
			    "incomplete."), why);
	}
	count_marks(r, p, &compared, &differing);
	count_marks(r, TV_DEMO_TRAP_EMULATE, &te_compared, &te_differing);
	if (compared == 0)
		return;
	if (differing == 0) {
		char added[256], cost[320] = "";
		const char *matched;
		patch_cost(r, added, sizeof(added));
		if (added[0]) {
			cost[0] = ' ';
			snprintf(cost + 1, sizeof(cost) - 1, _("The price is paid in traps: %s, "
							       "compared with trap-and-emulate."),
				 added);
		}
		if (compared == r->nexp)
			matched = te_differing ? _("With patch=all every experiment matched the "
						   "bare machine: equivalence is restored.")
					       : _("With patch=all every experiment matched the "
						   "bare machine.");
		else
			matched = te_differing ? _("With patch=all every experiment that reported "
						   "matched the bare machine: equivalence is "
						   "restored.")
					       : _("With patch=all every experiment that reported "
						   "matched the bare machine.");
		say(n, 0, "%s %s%s",
		    _("Patching rewrites each POPF and PUSHF, each PUSH CS and MOV from CS, and "
		      "the other sensitive instructions the patcher knows (SGDT, LAR, ...), "
		      "into an instruction that traps, and the hypervisor emulates it against "
		      "the virtual CPU."), matched, cost);
		return;
	}
	list_differences(r, p, list, sizeof(list));
	say(n, 1, tv_ngettext("Even with patch=all, %zu experiment differed from the bare "
			      "machine: %s.",
			      "Even with patch=all, %zu experiments differed from the bare "
			      "machine: %s.", differing),
	    differing, list);
}

/* The traps of CLI, STI, POPF, PUSHF and PUSH (CS) in a run (MOV counts every MOV the hypervisor emulates). */
static uint64_t flag_traps(const struct tv_demo_run *run)
{
	static const char *const flags[] = { "cli", "sti", "popfd", "pushfd", "popf", "pushf",
					      "push" };
	uint64_t n = 0;
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		n += insn_traps(run, flags[i]);
	return n;
}

static void narrate_inline(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id in = TV_DEMO_INLINE;
	size_t compared, differing;
	char why[TV_DEMO_MESSAGE_MAX + 80], list[TV_DEMO_SENTENCE_MAX], cost[200] = "";

	if (!tv_demo_run_complete(r, in)) {
		run_trouble(r, in, why, sizeof(why));
		say(n, 1, _("The inline-patched run (patch=inline) did not complete (%s); its "
			    "column is incomplete."), why);
	}
	count_marks(r, in, &compared, &differing);
	if (compared == 0)
		return;
	if (differing == 0) {
		const struct tv_demo_run *p = &r->run[TV_DEMO_PATCHED], *i = &r->run[in];
		if (p->ran && i->ran) {
			cost[0] = ' ';
			snprintf(cost + 1, sizeof(cost) - 1, _("The flag instructions trapped %llu "
							       "times (patch=all: %llu)."),
				 (unsigned long long)flag_traps(i),
				 (unsigned long long)flag_traps(p));
		}
		say(n, 0, "%s %s%s",
		    _("Patched inline, as VirtualBox's patch manager did, the same "
		      "instructions and CLI and STI become jumps to patch code the guest "
		      "kernel runs itself, against its virtual IF and IOPL in a page it "
		      "can reach; only turning interrupts on while one waits enters the "
		      "hypervisor."),
		    compared == r->nexp ? _("Every experiment matched the bare machine.")
					: _("Every experiment that reported matched the bare "
					    "machine."),
		    cost);
		return;
	}
	list_differences(r, in, list, sizeof(list));
	say(n, 1, tv_ngettext("Even with patch=inline, %zu experiment differed from the bare "
			      "machine: %s.",
			      "Even with patch=inline, %zu experiments differed from the bare "
			      "machine: %s.", differing),
	    differing, list);
}

static void narrate_paravirt(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	const enum tv_demo_run_id pv = TV_DEMO_PARAVIRT;
	size_t compared, differing;
	char why[TV_DEMO_MESSAGE_MAX + 80], list[TV_DEMO_SENTENCE_MAX], calls[96] = "";

	if (!tv_demo_run_complete(r, pv)) {
		run_trouble(r, pv, why, sizeof(why));
		say(n, 1, _("The paravirtualized run did not complete (%s); its column is "
			    "incomplete."), why);
	}
	count_marks(r, pv, &compared, &differing);
	if (compared == 0)
		return;
	if (differing == 0) {
		uint64_t ints = insn_traps(&r->run[pv], "int");
		if (ints) {
			calls[0] = ' ';
			snprintf(calls + 1, sizeof(calls) - 1,
				 _("It asked %llu times (traps of INT)."), (unsigned long long)ints);
		}
		say(n, 0, "%s %s%s",
		    _("Paravirtualized, the guest knows it runs on trapvisor and asks the "
		      "hypervisor by hypercall (INT 0x82) to disable, enable, save and restore "
		      "interrupts and to read CS, instead of running CLI, STI, PUSHF, POPF and "
		      "MOV from CS; nothing is patched."),
		    compared == r->nexp ? _("So every experiment matched the bare machine.")
					: _("So every experiment that reported matched the bare "
					    "machine."),
		    calls);
		return;
	}
	list_differences(r, pv, list, sizeof(list));
	say(n, 1, tv_ngettext("Even paravirtualized, %zu experiment differed from the bare "
			      "machine: %s.",
			      "Even paravirtualized, %zu experiments differed from the bare "
			      "machine: %s.", differing),
	    differing, list);
}

void tv_demo_narrate(const struct tv_demo_results *r, struct tv_demo_narrative *n)
{
	memset(n, 0, sizeof(*n));
	narrate_bare(r, n);
	narrate_trap_emulate(r, n);
	narrate_patched(r, n);
	narrate_inline(r, n);
	narrate_paravirt(r, n);
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
		if (run->ran && run->mode[0] == 'h' && run->traps >= 0)
			snprintf(traps, sizeof(traps), _(", %lld traps"), (long long)run->traps);
		else if (run->ran && run->mode[0] == 'h')
			snprintf(traps, sizeof(traps), "%s", _(", traps not reported"));
		if (used) {
			if (used + 3 >= len)
				break;
			memcpy(buf + used, "; ", 3);
			used += 2;
		}
		if (!run->ran)
			w = snprintf(buf + used, len - used, _("%s did not run"), _(run->title));
		else if (extra[0])
			/* TRANSLATORS: run, seconds, its traps, then "popfd +802, pushfd +403". */
			w = snprintf(buf + used, len - used,
				     _("%s %.2f s%s (more than trap-and-emulate: %s)"),
				     _(run->title), run->wall_s, traps, extra);
		else
			w = snprintf(buf + used, len - used, "%s %.2f s%s", _(run->title),
				     run->wall_s, traps);
		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}
