/*
 * tools/slides_html.c: the deck of `trapvisor slides`, DIR/index.html: one
 * self-contained file (its CSS, script and pictures inline, nothing
 * fetched when it is shown) that any current browser shows and prints.
 * Runs on: host.
 *
 * 1. Each slide is a <section class="slide" id="..."> with an <h2> title
 *    and an <aside class="notes"> of speaker notes, both from this run.
 * 2. Every measured number is a <span class="num" data-key="K">, where K
 *    names the same number in data.json (tools/slides_tables.c): the
 *    deck's test compares the two.
 * 3. The script shows one slide at a time: arrow keys, Page Up/Down,
 *    space or a click move (a click on the left third goes back), n shows
 *    the notes, the address's #id names the slide. Printed, every slide is
 *    one landscape page and the notes stay out.
 * Sentences are written through _(): a sentence with numbers in it is one
 * format, its %s each a number's span, so a translation can move them.
 */
#include "tools/slides_data.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/demo_guest_text.h"
#include "tools/outcome.h"

#define NUM_MAX	512

static void put_html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A number's span: its text as data.json's value prints (integers whole, reals to 2 places). */
struct num {
	char html[NUM_MAX];
};

static const char *num_str(struct num *n, const char *key, const char *value)
{
	size_t len = (size_t)snprintf(n->html, sizeof(n->html), "<span class=\"num\" data-key=\"%s\">",
				      key);
	for (const char *s = value; *s && len + 8 < sizeof(n->html); s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
		if (e) {
			memcpy(n->html + len, e, strlen(e));
			len += strlen(e);
		} else {
			n->html[len++] = *s;
		}
	}
	snprintf(n->html + len, sizeof(n->html) - len, "</span>");
	return n->html;
}

static const char *num_int(struct num *n, const char *key, long long v)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", v);
	return num_str(n, key, text);
}

static const char *num_2dp(struct num *n, const char *key, double v)
{
	char text[32];
	snprintf(text, sizeof(text), "%.2f", tv_slides_2dp(v));
	return num_str(n, key, text);
}

/* A key with one part filled in: "cures.%s.hv_cycles". */
static const char *key(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *key(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* fprintf of a translated format whose %s are spans. */
static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

static void slide_open(FILE *f, const char *id, const char *title)
{
	fprintf(f, "<section class=\"slide\" id=\"%s\">\n<h2>", id);
	put_html(f, title);
	fputs("</h2>\n", f);
}

static void notes_open(FILE *f)
{
	fputs("<aside class=\"notes\">\n", f);
}

static void slide_close(FILE *f)
{
	fputs("</aside>\n</section>\n", f);
}

/* DIR/name's <svg> element, after its XML prolog and doctype, into the deck. */
static int inline_svg(FILE *f, const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[8192];
	FILE *in = NULL;
	size_t n;
	int started = 0;

	if (tv_slides_path(path, sizeof(path), dir, name) == 0)
		in = fopen(path, "r");
	if (!in) {
		snprintf(err, errlen, "cannot read %s/%s", dir, name);
		return -1;
	}
	fprintf(f, "<figure class=\"picture\" data-file=\"%s\">\n", name);
	while ((n = fread(buf, 1, sizeof(buf) - 1, in)) > 0) {
		buf[n] = '\0';
		const char *from = buf;
		if (!started) {
			const char *svg = strstr(buf, "<svg");
			if (!svg)
				continue;	/* a prolog longer than a buffer: not ours to show */
			from = svg;
			started = 1;
		}
		fwrite(from, 1, n - (size_t)(from - buf), f);
	}
	fclose(in);
	fputs("</figure>\n", f);
	if (!started) {
		snprintf(err, errlen, "%s/%s holds no <svg> element", dir, name);
		return -1;
	}
	return 0;
}

/* ---- the slides ---- */

static void slide_title(FILE *f, const struct tv_slides *s)
{
	struct num a, b, c;

	slide_open(f, "title", _("Trap and emulate, measured"));
	fputs("<p class=\"subtitle\">", f);
	put_html(f, _("trapvisor: a trap-and-emulate hypervisor for 32-bit x86, run live for this "
		      "lecture"));
	fputs("</p>\n<p class=\"facts\">", f);
	say(f, _("Measured %s: every number in this deck comes from %s seconds of runs, the guest "
		 "kernel deprivileged in ring %s."),
	    num_str(&a, "started", s->started), num_2dp(&b, "wall_s", s->wall_s),
	    num_int(&c, "ring", s->ring));
	fputs("</p>\n<ol class=\"agenda\">\n", f);
	const char *const agenda[] = {
		_("The roles turned upside down"), _("Trap and emulate: one CLI"),
		_("Popek and Goldberg: sensitive must be privileged"), _("POPF vanishes"),
		_("The cures and their price"),
	};
	for (size_t i = 0; i < sizeof(agenda) / sizeof(agenda[0]); i++) {
		fputs("<li>", f);
		put_html(f, agenda[i]);
		fputs("</li>\n", f);
	}
	if (s->kernel.given) {
		char title[192];
		snprintf(title, sizeof(title), _("A real kernel: %s"), s->kernel.name);
		fputs("<li>", f);
		put_html(f, title);
		fputs("</li>\n", f);
	}
	fputs("</ol>\n", f);
	notes_open(f);
	say(f, _("This deck was made by ./trapvisor slides on %s. It ran the POPF demo, classify, "
		 "a short benchmark and a traced trap in QEMU, %s seconds in all; the pictures and "
		 "tables are in the same folder, data.json holds every number."),
	    num_str(&a, "started", s->started), num_2dp(&b, "wall_s", s->wall_s));
	slide_close(f);
}

static int slide_roles(FILE *f, const struct tv_slides *s, const char *dir, char *err,
		       size_t errlen)
{
	const struct tv_demo_run *te = &s->demo.run[TV_DEMO_TRAP_EMULATE];
	struct num a, b;

	slide_open(f, "roles", _("The roles turned upside down"));
	if (inline_svg(f, dir, "rings.svg", err, errlen) < 0)
		return -1;
	fputs("<ul>\n<li>", f);
	put_html(f, _("Bare machine: the OS kernel runs in kernel mode, applications in user mode "
		      "and ask the kernel by system call."));
	fputs("</li>\n<li>", f);
	say(f, _("Virtualized: the hypervisor has the kernel's role and alone runs in kernel mode; "
		 "the guest OS kernel runs deprivileged, in ring %s in this run."),
	    num_int(&a, "trap.ring", s->trap.ring));
	fputs("</li>\n<li>", f);
	say(f, _("The demo's guest kernel trapped to the hypervisor %s times under trap-and-emulate, "
		 "in %s seconds."),
	    num_int(&a, "demo.runs.trap_and_emulate.traps", (long long)te->traps),
	    num_2dp(&b, "demo.runs.trap_and_emulate.wall_s", te->wall_s));
	fputs("</li>\n</ul>\n", f);
	notes_open(f);
	say(f, _("The hypervisor now has the role of the operating-system kernel and runs in kernel "
		 "mode; the guest OS runs in user mode (here ring %s, as the hypervisor said at the "
		 "start of the run). The guest OS must ask the hypervisor for what it used to do "
		 "itself: every privileged instruction it runs traps, %s times in the demo's run."),
	    num_int(&a, "trap.ring", s->trap.ring),
	    num_int(&b, "demo.runs.trap_and_emulate.traps", (long long)te->traps));
	slide_close(f);
	return 0;
}

static const char *const part_words[TV_PARTS] = {
	[TV_PART_ENTRY] = N_("switcher: into the hypervisor's address space"),
	[TV_PART_FETCH] = N_("read the instruction's bytes from the guest"),
	[TV_PART_DECODE] = N_("decode (from the cache)"),
	[TV_PART_EMULATE] = N_("emulate: IF=0 in the virtual CPU"),
	[TV_PART_WAY_OUT] = N_("on the way out: interrupts waiting? frame checked"),
	[TV_PART_EXIT] = N_("switcher: back to the guest's address space"),
	[TV_PART_HANDLING] = N_("all of hv_trap (the four above and the dispatch)"),
};

static int slide_trap(FILE *f, const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	const struct tv_slides_trap *t = &s->trap;
	const struct tv_slides_case *cli = &s->cases[TV_CASE_CLI_NONE];
	struct num a, b, c, d, e, g;
	char k[96], eip[16];

	slide_open(f, "trap", _("Trap and emulate: one CLI"));
	if (inline_svg(f, dir, "trap_path.svg", err, errlen) < 0)
		return -1;
	snprintf(eip, sizeof(eip), "0x%08llx", (unsigned long long)t->eip);
	fputs("<div class=\"columns\"><table class=\"parts\">\n<tr><th>", f);
	put_html(f, _("part of the trap"));
	fputs("</th><th>", f);
	put_html(f, _("cycles (median)"));
	fputs("</th></tr>\n", f);
	for (int p = 0; p < TV_PARTS; p++) {
		fprintf(f, "<tr%s><td>", p == TV_PART_HANDLING ? " class=\"total\"" : "");
		put_html(f, _(part_words[p]));
		fprintf(f, "</td><td class=\"n\">%s</td></tr>\n",
			num_int(&a, key(k, sizeof(k), "trap.cycles.%s",
					tv_slides_part_key((enum tv_slides_part)p)),
				(long long)t->part[p]));
	}
	fputs("</table>\n<p>", f);
	say(f, _("Seen from the guest, a CLI and an STI took %s cycles under the hypervisor and %s on "
		 "the bare machine: %s times as long."),
	    num_int(&a, "cures.cli_sti/none.hv_cycles", (long long)cli->hv.median),
	    num_int(&b, "cures.cli_sti/none.native_cycles", (long long)cli->native.median),
	    num_2dp(&c, "cures.cli_sti/none.ratio", tv_slides_case_ratio(cli)));
	fputs("</p></div>\n", f);
	notes_open(f);
	say(f, _("The traced run: trap number %s, %s at %s in ring %s, raised vector %s (#GP, error "
		 "code %s) because a deprivileged kernel may not clear IF. "),
	    num_int(&a, "trap.seq", (long long)t->seq), num_str(&b, "trap.insn", t->insn),
	    num_str(&c, "trap.eip", eip), num_int(&d, "trap.ring", t->ring),
	    num_int(&e, "trap.vec", (long long)t->vec), num_int(&g, "trap.err", (long long)t->err));
	say(f, _("The switcher moves to the hypervisor's address space, hv_trap reads, decodes and "
		 "emulates the instruction against the virtual CPU (action: %s), and the switcher "
		 "returns with IRET to the next instruction. The cycles are the hypervisor's own "
		 "medians (hv/trap_cost.c) over the %s traps of the cli_sti benchmark's run, which "
		 "was not traced."),
	    num_str(&a, "trap.action", t->action),
	    num_int(&b, "cures.cli_sti/none.traps", (long long)cli->traps));
	slide_close(f);
	return 0;
}

static int slide_popek(FILE *f, const struct tv_slides *s, const char *dir, char *err,
		       size_t errlen)
{
	struct num a, b, c, d, e;
	size_t sens = tv_slides_pg_count(&s->classify, TV_PG_SENSITIVE, NULL);
	size_t silent = tv_slides_silent_count(&s->classify);
	size_t both = tv_slides_pg_count(&s->classify, TV_PG_BOTH, NULL);

	slide_open(f, "popek", _("Popek and Goldberg: sensitive must be privileged"));
	if (inline_svg(f, dir, "popek_goldberg.svg", err, errlen) < 0)
		return -1;
	fputs("<p>", f);
	say(f, _("In this run %s instructions were sensitive and privileged: they trapped and were "
		 "emulated. %s were sensitive but not privileged; %s of them were silent: no trap, "
		 "and the guest saw something else than on the bare machine. With UMIP, %s of the "
		 "silent ones trapped (%s left silent)."),
	    num_int(&a, "classify.counts.both", (long long)both),
	    num_int(&b, "classify.counts.sensitive", (long long)sens),
	    num_int(&c, "classify.counts.silent", (long long)silent),
	    num_int(&d, "umip_cured", (long long)tv_slides_umip_cured(s)),
	    num_int(&e, "classify_umip.counts.silent",
		    (long long)tv_slides_silent_count(&s->classify_umip)));
	fputs("</p>\n", f);
	notes_open(f);
	say(f, _("Popek and Goldberg (1974): a machine can be virtualized by trap and emulate if "
		 "every sensitive instruction is privileged, that is, traps outside kernel mode. On "
		 "32-bit x86 %s are not, and %s of them showed it here: they run in the guest's "
		 "ring without a trap and answer with the real machine's state, so the hypervisor "
		 "never learns of them. That is why x86 needed patching, paravirtualization or new "
		 "hardware."),
	    num_int(&a, "classify.counts.sensitive", (long long)sens),
	    num_int(&b, "classify.counts.silent", (long long)silent));
	slide_close(f);
	return 0;
}

/* The demo's table: each cell what the run observed, marked against the bare machine. */
static void demo_table(FILE *f, const struct tv_demo_results *r)
{
	static const char *const heads[TV_DEMO_RUNS] = {
		[TV_DEMO_BARE] = N_("bare machine"),
		[TV_DEMO_TRAP_EMULATE] = N_("trap and emulate"),
		[TV_DEMO_PATCHED] = N_("patched to trap"),
		[TV_DEMO_INLINE] = N_("patched inline"),
		[TV_DEMO_PARAVIRT] = N_("paravirtualized"),
	};
	fputs("<table class=\"demo\">\n<tr><th>", f);
	put_html(f, _("experiment"));
	fputs("</th>", f);
	for (int run = 0; run < TV_DEMO_RUNS; run++) {
		fputs("<th>", f);
		put_html(f, _(heads[run]));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < r->nexp; i++) {
		fputs("<tr><td>", f);
		put_html(f, _(r->exp[i].title));
		fputs("</td>", f);
		for (int run = 0; run < TV_DEMO_RUNS; run++) {
			const struct tv_demo_cell *c = &r->exp[i].cell[run];
			int equal = tv_demo_equal_to_bare(r, i, (enum tv_demo_run_id)run);
			/* A category, not a number: in the reader's language where the catalog has it. */
			fprintf(f, "<td class=\"%s\"><span class=\"mark\">%s</span> ",
				equal ? "same" : "differs", equal ? "&#x2713;" : "&#x2717;");
			put_html(f, c->present ? _(c->observed) : "-");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p class=\"legend\">", f);
	put_html(f, _("✓ the same as on the bare machine; ✗ differs (hatched)."));
	fputs("</p>\n", f);
}

/*
 * A detail the popf_demo guest wrote (in English, with its numbers), in the
 * reader's language: data.json keeps the guest's own words, the deck shows
 * the same numbers in the sentence tools/demo_guest_text.c matches it to.
 */
static const char *guest_detail(struct num *n, const char *key, const char *guest_text)
{
	char said[sizeof(n->html) / 2];

	return num_str(n, key, tv_demo_guest_text(guest_text, said, sizeof(said)));
}

/* The demo's experiment called name, or NULL. */
static const struct tv_demo_experiment *experiment(const struct tv_demo_results *r,
						  const char *name)
{
	for (size_t i = 0; i < r->nexp; i++)
		if (strcmp(r->exp[i].name, name) == 0)
			return &r->exp[i];
	return NULL;
}

static void slide_popf(FILE *f, const struct tv_slides *s)
{
	const struct tv_demo_experiment *lost = experiment(&s->demo, "irqsave_lost_update");
	const struct tv_demo_experiment *popf = experiment(&s->demo, "popf_clears_if");
	struct num a, b;

	slide_open(f, "popf", _("POPF vanishes"));
	demo_table(f, &s->demo);
	if (lost) {
		fputs("<p class=\"big\">", f);
		say(f, _("A lock built on POPF, under trap and emulate: %s. On the bare machine: %s."),
		    guest_detail(&a, "demo.experiments.irqsave_lost_update.cells.trap_and_emulate.detail",
				 lost->cell[TV_DEMO_TRAP_EMULATE].detail),
		    guest_detail(&b, "demo.experiments.irqsave_lost_update.cells.bare.detail",
				 lost->cell[TV_DEMO_BARE].detail));
		fputs("</p>\n", f);
	}
	notes_open(f);
	put_html(f, _("A guest kernel that runs POPF to turn interrupts off, without hardware "
		      "support for virtualization, just vanishes into thin air: in ring 1 POPF "
		      "does not trap and silently keeps IF, so the hypervisor never does what the "
		      "guest wanted. "));
	if (popf)
		say(f, _("Here, after POPF cleared IF: %s under trap and emulate, %s on the bare "
			 "machine. "),
		    guest_detail(&a, "demo.experiments.popf_clears_if.cells.trap_and_emulate.detail",
				 popf->cell[TV_DEMO_TRAP_EMULATE].detail),
		    guest_detail(&b, "demo.experiments.popf_clears_if.cells.bare.detail",
				 popf->cell[TV_DEMO_BARE].detail));
	put_html(f, _("Every sensitive instruction must therefore be privileged, or virtualization "
		      "fails. Patched, patched inline and paravirtualized, every experiment matches "
		      "the bare machine again."));
	slide_close(f);
}

static uint64_t insn_count(const struct tv_demo_run *run, const char *insn)
{
	for (size_t i = 0; i < run->ninsn; i++)
		if (strcmp(run->insn[i].insn, insn) == 0)
			return run->insn[i].count;
	return 0;
}

static int slide_cures(FILE *f, const struct tv_slides *s, const char *dir, char *err,
		       size_t errlen)
{
	const struct tv_slides_case *trap = &s->cases[TV_CASE_POPF_TRAP];
	const struct tv_slides_case *inl = &s->cases[TV_CASE_POPF_INLINE];
	const struct tv_slides_case *sys = &s->cases[TV_CASE_SYSCALL_NONE];
	const struct tv_slides_case *direct = &s->cases[TV_CASE_SYSCALL_DIRECT];
	const struct tv_demo_run *pv = &s->demo.run[TV_DEMO_PARAVIRT];
	struct num a, b, c;

	slide_open(f, "cures", _("The cures and their price"));
	if (inline_svg(f, dir, "cures.svg", err, errlen) < 0)
		return -1;
	fputs("<ul class=\"cures\">\n<li>", f);
	say(f, _("Patching to trap: PUSHF+POPF %s times as slow as on the bare machine, but correct."),
	    num_2dp(&a, "cures.pushf_popf/popf.ratio", tv_slides_case_ratio(trap)));
	fputs("</li>\n<li>", f);
	say(f, _("Patching inline (patch code, no trap): %s times."),
	    num_2dp(&a, "cures.pushf_popf/inline.ratio", tv_slides_case_ratio(inl)));
	fputs("</li>\n<li>", f);
	say(f, _("Paravirtualization: the demo's guest asked by hypercall %s times instead."),
	    num_int(&a, "demo.runs.paravirt.by_insn.int", (long long)insn_count(pv, "int")));
	fputs("</li>\n<li>", f);
	if (direct->ran)
		say(f, _("A system call through the hypervisor: %s times native; delivered directly: "
			 "%s times."),
		    num_2dp(&a, "cures.user_syscall/none.ratio", tv_slides_case_ratio(sys)),
		    num_2dp(&b, "cures.user_syscall/direct.ratio", tv_slides_case_ratio(direct)));
	else
		say(f, _("A system call through the hypervisor: %s times native."),
		    num_2dp(&a, "cures.user_syscall/none.ratio", tv_slides_case_ratio(sys)));
	fputs("</li>\n<li>", f);
	say(f, _("Hardware: with UMIP %s of the silent instructions trapped. VT-x and AMD-V give the "
		 "guest kernel a ring 0 of its own and make sensitive instructions exit to the "
		 "hypervisor; this run has neither."),
	    num_int(&a, "umip_cured", (long long)tv_slides_umip_cured(s)));
	fputs("</li>\n</ul>\n", f);
	notes_open(f);
	say(f, _("The chart shows TSC cycles per loop iteration on the bare machine and under the "
		 "hypervisor, and the traps of each run. Patched to trap, PUSHF and POPF are correct "
		 "and cost a trap each (%s cycles against %s); patched inline they cost %s. "),
	    num_int(&a, "cures.pushf_popf/popf.hv_cycles", (long long)trap->hv.median),
	    num_int(&b, "cures.pushf_popf/popf.native_cycles", (long long)trap->native.median),
	    num_int(&c, "cures.pushf_popf/inline.hv_cycles", (long long)inl->hv.median));
	put_html(f, _("The silent PUSHF+POPF bar is cheap because it is wrong. I/O keeps trapping "
		      "with every cure but hardware. Hardware support (Intel VT-x, AMD-V) ends the "
		      "problem at its root: the guest kernel runs in a guest mode's ring 0, and the "
		      "hypervisor chooses which instructions and events make the CPU exit to it."));
	slide_close(f);
	return 0;
}

static void screen_block(FILE *f, const struct tv_slides_kernel_run *r, const char *k)
{
	int last = -1;
	char kk[64];
	struct num a;

	for (int i = 0; i < TV_SCREEN_ROWS; i++)
		if (r->screen.valid && r->screen.rows[i][0])
			last = i;
	fputs("<pre class=\"screen\">", f);
	for (int i = 0; i <= last; i++) {
		fputs(num_str(&a, key(kk, sizeof(kk), "%s.screen.%d", k, i), r->screen.rows[i]), f);
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

static void slide_kernel(FILE *f, const struct tv_slides *s)
{
	const struct tv_slides_kernel *k = &s->kernel;
	struct num a, b;
	char title[192];

	snprintf(title, sizeof(title), _("A real kernel: %s"), k->name);
	slide_open(f, "kernel", title);
	fputs("<div class=\"columns\"><div>\n<h3>", f);
	put_html(f, _("unpatched (patch=none)"));
	fputs("</h3>\n", f);
	screen_block(f, &k->naive, "kernel.naive");
	fputs("<p>", f);
	/* A run ended by its panic (or its prompt) is cut short: the hypervisor's counters never came. */
	if (k->naive.until_line[0])
		say(f, _("Its screen showed a panic after %s seconds."),
		    num_2dp(&b, "kernel.naive.wall_s", k->naive.wall_s));
	else
		say(f, _("%s after %s seconds."),
		    num_str(&a, "kernel.naive.end", tv_end_name((enum tv_run_end)k->naive.end)),
		    num_2dp(&b, "kernel.naive.wall_s", k->naive.wall_s));
	fputs("</p></div>\n<div>\n<h3>", f);
	put_html(f, _("patched inline (patch=inline)"));
	fputs("</h3>\n", f);
	screen_block(f, &k->patched, "kernel.patched");
	fputs("<p>", f);
	if (k->patched.until_line[0])
		say(f, _("It reached \"%s\" in %s seconds."),
		    num_str(&a, "kernel.patched.matched", k->patched.until_line),
		    num_2dp(&b, "kernel.patched.wall_s", k->patched.wall_s));
	else
		say(f, _("It did not reach \"%s\": %s after %s seconds."), k->until,
		    num_str(&a, "kernel.patched.end", tv_end_name((enum tv_run_end)k->patched.end)),
		    num_2dp(&b, "kernel.patched.wall_s", k->patched.wall_s));
	fputs("</p></div></div>\n", f);
	notes_open(f);
	put_html(f, _("A kernel nobody here wrote. Unpatched, its first look at the interrupt flag "
		      "(PUSHF) sees the real IF, which is 1 while it runs deprivileged, and it "
		      "panics; the message is on its screen. Patched inline, the same kernel boots: "
		      "the flag instructions run as patch code against the virtual IF."));
	slide_close(f);
}

size_t tv_slides_ids(const struct tv_slides *s, const char **ids, size_t max)
{
	static const char *const all[] = { "title", "roles", "trap", "popek", "popf", "cures",
					   "kernel" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++)
		if (strcmp(all[i], "kernel") != 0 || s->kernel.given)
			ids[n++] = all[i];
	return n;
}

static const char style[] =
	"*{box-sizing:border-box}\n"
	"html,body{margin:0;background:#FFFFFF;color:#000000;"
	"font-family:'DejaVu Sans',Verdana,sans-serif}\n"
	"section.slide{display:none;width:100vw;height:100vh;padding:3vh 4vw;overflow:hidden;"
	"flex-direction:column}\n"
	"section.slide.active{display:flex}\n"
	"h1,h2{margin:0 0 2vh 0;font-size:5.2vh;line-height:1.15;border-bottom:0.6vh solid #0072B2}\n"
	"h3{font-size:3.4vh;margin:1vh 0}\n"
	"p,li,td,th{font-size:3vh;line-height:1.3}\n"
	"ul{margin:1vh 0;padding-left:4vh}\n"
	".subtitle{font-size:4vh}.facts{font-size:3.4vh}\n"
	"#title h2{font-size:8vh;margin-top:6vh}ol.agenda li{font-size:3.4vh;margin:0.6vh 0}\n"
	".big{font-size:3.4vh;font-weight:bold}\n"
	".num{font-weight:bold;white-space:nowrap}\n"
	"figure.picture{margin:0;flex:1 1 0;min-height:0;display:flex;justify-content:center;"
	"align-items:center}\n"
	"figure.picture svg{width:100%;height:100%}\n"
	".columns{display:flex;gap:3vw;align-items:flex-start}\n"
	".columns>*{flex:1 1 0;min-width:0}\n"
	"table{border-collapse:collapse}td,th{border:0.25vh solid #000000;padding:0.4vh 0.8vw}\n"
	"th{background:#E6E6E6;text-align:left}td.n{text-align:right}\n"
	"tr.total td{font-weight:bold}\n"
	"table.demo td,table.demo th{font-size:2.9vh}\n"
	"table.parts td,table.parts th{font-size:2.4vh;padding:0.2vh 0.6vw}\n"
	"p.line{font-size:3vh;margin:1vh 0 0 0}\n"
	"ul.cures li{font-size:2.6vh}\n"
	"td.differs{background:repeating-linear-gradient(45deg,#FFFFFF 0 0.6vh,#F5C9A8 0.6vh 1.2vh)}\n"
	"td.differs .mark{color:#D55E00;font-weight:bold}td.same .mark{color:#0072B2}\n"
	".legend{font-size:2.4vh}\n"
	"pre.screen{background:#000000;color:#FFFFFF;font-size:1.6vh;padding:1vh;margin:0;"
	"white-space:pre;overflow:hidden}\n"
	"pre.screen .num{font-weight:normal}\n"
	"aside.notes{display:none}\n"
	"body.show-notes section.slide.active aside.notes{display:block;position:fixed;left:0;"
	"right:0;bottom:0;max-height:40vh;overflow:auto;background:#FFF8D0;border-top:0.4vh solid "
	"#000000;padding:1.5vh 3vw;font-size:2.6vh}\n"
	"#counter{position:fixed;right:2vw;bottom:1.5vh;font-size:2.2vh;color:#444444}\n"
	"@page{size:297mm 167mm;margin:0}\n"
	"@media print{section.slide{display:flex!important;height:100vh;break-after:page;"
	"page-break-after:always}aside.notes,#counter{display:none!important}}\n";

static const char script[] =
	"(function(){\n"
	"var slides=[].slice.call(document.querySelectorAll('section.slide')),i=0;\n"
	"function at(){var id=location.hash.slice(1);for(var k=0;k<slides.length;k++)"
	"if(slides[k].id===id)return k;return 0;}\n"
	"function show(n){i=Math.max(0,Math.min(slides.length-1,n));"
	"slides.forEach(function(s,k){s.classList.toggle('active',k===i);});"
	"document.getElementById('counter').textContent=(i+1)+' / '+slides.length;"
	"if(location.hash!=='#'+slides[i].id)try{history.replaceState(null,'','#'+slides[i].id);}"
	"catch(e){}}\n"
	"document.addEventListener('keydown',function(e){var k=e.key;"
	"if(k==='ArrowRight'||k==='PageDown'||k===' '||k==='ArrowDown'){show(i+1);e.preventDefault();}"
	"else if(k==='ArrowLeft'||k==='PageUp'||k==='ArrowUp'){show(i-1);e.preventDefault();}"
	"else if(k==='Home')show(0);else if(k==='End')show(slides.length-1);"
	"else if(k==='n'||k==='N')document.body.classList.toggle('show-notes');});\n"
	"document.addEventListener('click',function(e){if(e.target.closest('aside'))return;"
	"show(e.clientX<window.innerWidth/3?i-1:i+1);});\n"
	"window.addEventListener('hashchange',function(){show(at());});\n"
	"show(at());\n"
	"})();\n";

int tv_slides_write_deck(const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *f = NULL;

	err[0] = '\0';
	if (tv_slides_path(path, sizeof(path), dir, "index.html") == 0)
		f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s/index.html", dir);
		return -1;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width\">\n<title>", s->lang);
	put_html(f, _("Trap and emulate, measured"));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	slide_title(f, s);
	int bad = slide_roles(f, s, dir, err, errlen) < 0 || slide_trap(f, s, dir, err, errlen) < 0 ||
		  slide_popek(f, s, dir, err, errlen) < 0;
	if (!bad) {
		slide_popf(f, s);
		bad = slide_cures(f, s, dir, err, errlen) < 0;
	}
	if (!bad && s->kernel.given)
		slide_kernel(f, s);
	fprintf(f, "<div id=\"counter\"></div>\n<script>\n%s</script>\n</body>\n</html>\n", script);
	bad |= ferror(f);
	if (fclose(f) != 0 || bad) {
		if (!err[0] || !bad)
			snprintf(err, errlen, "writing %s failed", path);
		return -1;
	}
	return 0;
}
