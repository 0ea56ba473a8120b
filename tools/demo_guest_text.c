/*
 * tools/demo_guest_text.c: the popf_demo guest's sentences in the reader's
 * language. Runs on: host.
 *
 * A guest has no gettext, and its narration must stay what it is on the
 * wire: English lines that `trapvisor run popf_demo` shows as they are and
 * that tests read. So the guest keeps writing its sentences, and the host
 * recognizes each one: below is every sentence the guest can write, with
 * its printf directives exactly as in the guest's source. A line that
 * matches one of them (the directives standing for the numbers and words
 * the guest put there) is written again from that sentence's translation,
 * with the guest's own numbers put back in, in the translation's order. A
 * line that matches none (a newer guest, a line cut at its length limit)
 * is shown as the guest wrote it: English, never a guess.
 *
 * The numbers therefore always come from the guest's run; only the words
 * around them are the catalog's. tests/i18n/guest_sentences.sh checks that
 * this list and the guest's sources hold the same sentences.
 */
#include "tools/demo_guest_text.h"

#include <stdio.h>
#include <string.h>

#include "tools/i18n.h"

/*
 * Everything the guest says to people (guests/popf_demo/): popf_demo_say()
 * lines, popf_demo_begin() titles, popf_demo_result() details, and its own
 * "popf_demo: " lines (without the newline).
 */
static const char *const guest_sentences[] = {
	/* popf_demo_main.c */
	N_("Paravirtualized: the guest asks the hypervisor by hypercall (INT 0x%x) instead of "
	   "running CLI, STI, PUSHF, POPF and MOV from CS."),
	N_("Paravirt asked for, but there is no hypervisor to ask: the guest uses the plain "
	   "instructions, so nothing changes."),
	N_("The guest uses the plain instructions: CLI, STI, PUSHF, POPF and MOV from CS."),
	N_("popf_demo: error: unknown option \"%s\" (the options are \"step\" and \"paravirt\")"),
	N_("popf_demo: error: not started by a multiboot loader (EAX 0x%08x)"),
	N_("popf_demo: a kernel that believes it runs in ring 0 checks six things it relies on."),
	N_("popf_demo: starting the timer at %u Hz and measuring one tick with the TSC"),
	N_("popf_demo: error: the timer did not tick (%u ticks); nothing can be shown"),
	N_("popf_demo: one tick is %llu TSC cycles"),
	/* popf_demo_pause.c */
	N_("popf_demo: no key after %u s, going on"),
	/* popf_demo_interrupt_flag.c: cli_sti */
	N_("CLI keeps the timer out"),
	N_("A kernel turns interrupts off with CLI when it must not be disturbed."),
	N_("We run CLI, wait %u ms (%u timer periods) and count the timer interrupts that got "
	   "in."),
	N_("On the bare machine: none. The timer's request waits in the PIC until STI."),
	N_("Here the guest asks the hypervisor to disable interrupts instead of running CLI; it "
	   "clears the virtual IF."),
	N_("CLI is privileged: outside ring 0 it traps, and the hypervisor clears the guest's "
	   "virtual IF."),
	N_("Counted %u timer interrupts while IF was off."),
	/* TRANSLATORS: %s is "STI" or "the enable call" (a hypercall), translated apart. */
	N_("Then %s turned interrupts back on."),
	/* TRANSLATORS: a detail in the demo's table: ticks, milliseconds, "CLI" or "the disable call". */
	N_("%u ticks in %u ms after %s"),
	/* popf_clears_if */
	N_("POPF turns interrupts off"),
	N_("Kernels also turn interrupts off by rewriting EFLAGS: PUSHF, clear the IF bit, POPF."),
	N_("We do exactly that with interrupts on, wait %u ms and count timer interrupts."),
	N_("On the bare machine, in ring 0, POPF may change IF: no tick can get in."),
	N_("Here no POPF runs: the guest asks the hypervisor for its flags and hands them back "
	   "with IF clear, the kernel's restore_flags."),
	N_("Outside ring 0 POPF does not trap; the CPU just keeps the old IF and says nothing."),
	N_("Counted %u timer interrupts while this kernel believed IF was off."),
	/* TRANSLATORS: %s is "POPF" or "restore_flags call"; the lecture's "vanishes into thin air". */
	N_("The %s vanished into thin air: the hypervisor never saw it."),
	N_("%u ticks in %u ms after %s cleared IF"),
	/* popf_sets_if */
	N_("POPF turns interrupts back on"),
	N_("The other direction, as local_irq_save/local_irq_restore do it:"),
	N_("save the flags (IF=1), disable, then restore the saved flags: each one a call to the "
	   "hypervisor."),
	N_("save EFLAGS (IF=1), CLI, then write the saved EFLAGS back with POPF."),
	N_("We then wait up to %u ms for timer interrupts; the wait is bounded either way."),
	N_("On the bare machine POPF sets IF again and the ticks resume at once."),
	N_("Here the hypervisor sets the virtual IF from the flags the kernel's restore_flags "
	   "hands it."),
	N_("Deprivileged, CLI trapped and cleared the virtual IF, but POPF cannot set it again."),
	N_("Counted %u timer interrupts after %s restored IF."),
	N_("A kernel now idling for the next tick would wait forever."),
	N_("Then the enable call asked the hypervisor to turn interrupts on, as they should be "
	   "already."),
	N_("Then STI, which does trap, let the hypervisor turn interrupts back on."),
	N_("%u ticks in %u ms after %s set IF"),
	/* pushf_shows_if */
	N_("PUSHF after CLI"),
	N_("After CLI a kernel may check that interrupts are off by reading EFLAGS with PUSHF."),
	N_("On the bare machine PUSHF shows IF=0."),
	N_("Here the guest asks the hypervisor for its flags instead: it answers with the "
	   "virtual IF."),
	N_("PUSHF does not trap either: it shows the real IF, which the hypervisor keeps at 1."),
	N_("%s read EFLAGS=0x%08x, so IF=%u."),
	N_("EFLAGS 0x%08x after %s"),
	/* popf_demo_lost_update.c */
	N_("Lost updates under an irqsave lock"),
	N_("A counter is shared with the timer handler, which adds 1 to it on every tick."),
	/* TRANSLATORS: this and the next two are one sentence the guest writes as three lines. */
	N_("The kernel adds 1 in a critical section: save the flags and restore them with IF "
	   "clear"),
	N_("(each a call to the hypervisor), read the counter, wait a little, write it plus one,"),
	N_("restore the saved flags. We do that %u times."),
	/* TRANSLATORS: this and the next are one sentence the guest writes as two lines. */
	N_("The kernel adds 1 in a critical section: PUSHF, POPF with IF clear, read the "
	   "counter,"),
	N_("wait a little, write it plus one, POPF the saved flags. We do that %u times."),
	N_("On the bare machine no tick lands between read and write: no update is lost."),
	N_("Here the hypervisor turns the virtual IF off when asked, so no tick should get "
	   "inside a section."),
	N_("Deprivileged, the POPF does not turn interrupts off, and a tick inside a section is "
	   "overwritten."),
	N_("%u sections plus %u handler runs should add %u; the counter grew by %u."),
	N_("%u updates were lost: the lock did not lock."),
	N_("%u of %u updates lost (%u sections, %u ticks)"),
	/* popf_demo_ring_leak.c */
	N_("CS tells the ring"),
	N_("This kernel believes it runs in ring 0, the CPU's most privileged level."),
	N_("The low two bits of the code selector CS tell which ring really runs the code."),
	N_("Here the guest does not read CS itself: it asks the hypervisor for it."),
	N_("On the bare machine CS shows 0; the hypervisor answers as ring 0 would see it."),
	N_("The hypervisor said CS=0x%04x (ring %u)."),
	N_("read_cs hypercall 0x%04x"),
	N_("We read CS twice, with MOV from CS and with PUSH CS; POP. Neither instruction traps."),
	N_("On the bare machine both show 0. Deprivileged, they show the ring the hypervisor "
	   "chose."),
	N_("MOV read CS=0x%04x (ring %u); PUSH CS read 0x%04x (ring %u)."),
	N_("mov %%cs 0x%04x, push %%cs 0x%04x"),

	/*
	 * The words the guest puts into its sentences' %s, and the categories of
	 * its DEMO-RESULT lines as the table shows them: each a string in the
	 * guest's source. A word not here (an instruction's name) stays as it is.
	 */
	/* TRANSLATORS: the hypercall that turns interrupts on (the paravirtual STI). */
	N_("the enable call"),
	/* TRANSLATORS: the hypercall that turns interrupts off (the paravirtual CLI). */
	N_("the disable call"),
	N_("restore_flags call"),
	/* TRANSLATORS: categories in the demo's table: no timer interrupt got in, some did. */
	N_("no-ticks"),
	N_("ticks"),
	/* TRANSLATORS: categories in the row "Lost updates under an irqsave lock". */
	N_("no-lost-updates"),
	N_("lost-updates"),
};

#define GUEST_ARGS_MAX	8

/* The guest's fill-ins of one sentence's directives, as text. */
struct guest_args {
	const char *at[GUEST_ARGS_MAX];
	size_t len[GUEST_ARGS_MAX];
	char conv[GUEST_ARGS_MAX];	/* 's', 'u', 'x', ... */
	int n;
};

/* The characters a number written by directive conv can have. */
static const char *digits_of(char conv)
{
	switch (conv) {
	case 'x': return "0123456789abcdef";
	case 'X': return "0123456789ABCDEF";
	case 'd': case 'i': return "-0123456789";
	default: return "0123456789";	/* u, and anything numeric */
	}
}

/*
 * Whether text is what printf would write from sentence, and its fill-ins
 * into a. A %s takes the shortest text after which the rest still matches.
 */
static int match(const char *sentence, const char *text, struct guest_args *a)
{
	while (*sentence) {
		if (sentence[0] != '%') {
			if (*text++ != *sentence++)
				return 0;
			continue;
		}
		if (sentence[1] == '%') {
			if (*text++ != '%')
				return 0;
			sentence += 2;
			continue;
		}
		const char *d = sentence + 1;
		d += strspn(d, "-+ #0123456789");	/* flags and width */
		d += strspn(d, "hlqjzt");		/* length */
		char conv = *d;
		if (!conv || a->n == GUEST_ARGS_MAX)
			return 0;
		sentence = d + 1;
		int k = a->n++;
		a->at[k] = text;
		a->conv[k] = conv;
		if (conv == 's') {
			for (size_t len = 0;; len++) {
				a->len[k] = len;
				a->n = k + 1;
				if (match(sentence, text + len, a))
					return 1;
				if (!text[len])
					return 0;
			}
		}
		size_t len = strspn(text, digits_of(conv));
		if (len == 0)
			return 0;
		a->len[k] = len;
		text += len;
	}
	return *text == '\0';
}

/*
 * translated (a sentence's translation) with the guest's fill-ins put in
 * place of its directives, in its own order ("%2$s" too), into buf.
 * A %s fill-in is itself translated when it is one of guest_words.
 */
static void fill_in(const char *translated, const struct guest_args *a, char *buf, size_t size)
{
	size_t used = 0;
	int next = 0;

	for (const char *t = translated; *t && used + 1 < size;) {
		if (t[0] != '%' || t[1] == '%') {
			buf[used++] = *t;
			t += t[0] == '%' ? 2 : 1;
			continue;
		}
		const char *d = t + 1;
		int k = next++;
		size_t pos = strspn(d, "0123456789");
		if (pos && d[pos] == '$') {
			k = 0;
			for (size_t i = 0; i < pos; i++)
				k = k * 10 + (d[i] - '0');
			k--;
			d += pos + 1;
		}
		d += strspn(d, "-+ #0123456789");
		d += strspn(d, "hlqjzt");
		t = *d ? d + 1 : d;
		if (k < 0 || k >= a->n)
			continue;	/* msgfmt --check forbids it; never read past the fill-ins */

		char arg[256];
		snprintf(arg, sizeof(arg), "%.*s", (int)a->len[k], a->at[k]);
		const char *put = a->conv[k] == 's' ? _(arg) : arg;
		int w = snprintf(buf + used, size - used, "%s", put);
		used = w < 0 ? used : (size_t)w < size - used ? used + (size_t)w : size - 1;
	}
	buf[used] = '\0';
}

/* The text a match's %s fill-ins took: the less, the more of the line its sentence explains. */
static size_t words_taken(const struct guest_args *a)
{
	size_t n = 0;

	for (int k = 0; k < a->n; k++)
		if (a->conv[k] == 's')
			n += a->len[k];
	return n;
}

const char *tv_demo_guest_text(const char *text, char *buf, size_t size)
{
	struct guest_args a, best = { 0 };
	const char *best_translated = NULL;

	/*
	 * "0 ticks in 80 ms after POPF cleared IF" is also "%u ticks in %u ms
	 * after %s" with %s "POPF cleared IF": the sentence that leaves least to
	 * its %s is the one the guest wrote.
	 */
	for (size_t i = 0; i < sizeof(guest_sentences) / sizeof(guest_sentences[0]); i++) {
		const char *sentence = guest_sentences[i];
		const char *translated = _(sentence);

		if (translated == sentence)
			continue;	/* English, or not translated: the guest's line is it */
		memset(&a, 0, sizeof(a));
		if (!match(sentence, text, &a))
			continue;
		if (!best_translated || words_taken(&a) < words_taken(&best)) {
			best = a;
			best_translated = translated;
		}
	}
	if (!best_translated)
		return text;
	fill_in(best_translated, &best, buf, size);
	return buf;
}
