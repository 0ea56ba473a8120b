/*
 * guests/popf_demo/popf_demo_main.c: the POPF demonstration guest.
 * Runs in: guest (natively in ring 0, or deprivileged under the hypervisor).
 *
 * A guest kernel that runs six small experiments, each showing one place
 * where x86 lets a kernel notice it is not in ring 0 or lets its request
 * vanish: POPF and PUSHF are sensitive but not privileged (Popek &
 * Goldberg), and CS shows the ring. On the bare machine every experiment
 * shows what the architecture promises a ring-0 kernel; under a naive
 * trap-and-emulate hypervisor, several do not. README.md explains each.
 *
 * Command line (multiboot): the first word names the guest; the options are
 *   step	before each experiment print DEMO-PAUSE and wait for one byte
 *		on COM1 (at most about 30 s, then go on).
 *   paravirt	do every interrupt-flag operation (and the read of CS) by
 *		asking the hypervisor (lib/hypercall.h) instead of with CLI,
 *		STI, PUSHF, POPF and MOV from CS: the third cure. Only when the
 *		loader's name is "trapvisor"; on the bare machine there is no
 *		hypervisor to ask and the plain instructions are used.
 * Any other word is refused: one error line and exit status 2.
 *
 * Output rules (read by the host program `trapvisor demo` and by tests):
 *   - Lines starting with "popf_demo: " are free narration for people.
 *   - Before the first experiment: one SAY line telling how the guest
 *     touches the interrupt flag in this run.
 *   - Per experiment, in this order:
 *       DEMO-PAUSE name=<id>                     (step mode only)
 *       DEMO-BEGIN name=<id> title="<short title>"
 *       SAY <one line of narration>              (any number)
 *       DEMO-RESULT name=<id> bare="<category>" observed="<category>"
 *           detail="<numbers>" verdict=PASS|FAIL  (one line)
 *     <id> is one of cli_sti, popf_clears_if, popf_sets_if, pushf_shows_if,
 *     ring_leak, irqsave_lost_update, always in that order. bare is what the
 *     architecture makes a ring-0 kernel see; observed is what this run
 *     saw. Both are stable categories without counts (no-ticks, ticks, IF=0,
 *     IF=1, RPL=<n> or RPL=<mov>/<push> if the two reads differ,
 *     no-lost-updates, lost-updates), so runs compare exactly; the counts
 *     go in detail. No quoted value contains a double quote. verdict is
 *     PASS exactly when observed equals bare.
 *   - Last: SUMMARY: N passed, M failed
 *   The narration, titles and details are English; `demo --lang nb` shows
 *   them in Norwegian by recognizing each sentence in the host's list of
 *   them (tools/demo_guest_text.c): a sentence changed here is changed
 *   there too (the test i18n.guest_sentences says which).
 * Exit status (debug-exit port): 0 when every experiment ran to the end,
 * whatever its verdict, since a FAIL is the demonstration, not an error;
 * 2 for a bad command line; 3 if the timer never ticked (nothing can be
 * shown); 127 if the guest took a trap it did not expect (guests/lib).
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/popf_demo/popf_demo.h"
#include "lib/hypercall.h"
#include "lib/string.h"
#include "lib/x86.h"

struct popf_demo_experiment {
	const char *name;
	bool (*run)(void);
};

static const struct popf_demo_experiment popf_demo_experiments[] = {
	{ "cli_sti", popf_demo_cli_sti },
	{ "popf_clears_if", popf_demo_popf_clears_if },
	{ "popf_sets_if", popf_demo_popf_sets_if },
	{ "pushf_shows_if", popf_demo_pushf_shows_if },
	{ "ring_leak", popf_demo_ring_leak },
	{ "irqsave_lost_update", popf_demo_irqsave_lost_update },
};

#define POPF_DEMO_EXPERIMENTS \
	(sizeof(popf_demo_experiments) / sizeof(popf_demo_experiments[0]))

/* Read the options after the guest's name; false (after saying why) if one is unknown. */
static bool popf_demo_parse_options(const struct multiboot_info *info, bool *step,
				    bool *paravirt)
{
	char word[64];

	*step = false;
	*paravirt = false;
	for (unsigned n = 0; guest_mb_arg(info, n, word, sizeof(word)); n++) {
		if (strcmp(word, "step") == 0) {
			*step = true;
			continue;
		}
		if (strcmp(word, "paravirt") == 0) {
			*paravirt = true;
			continue;
		}
		guest_printf("popf_demo: error: unknown option \"%s\" (the options are \"step\" and \"paravirt\")\n",
			     word);
		return false;
	}
	return true;
}

/*
 * Whether the loader is trapvisor, which answers hypercalls. The name is
 * at a guest-physical address, which is also where this unpaged guest reads.
 */
static bool popf_demo_on_trapvisor(const struct multiboot_info *info)
{
	if (!(info->flags & MULTIBOOT_INFO_LOADER) || !info->boot_loader_name)
		return false;
	return strcmp((const char *)(uintptr_t)info->boot_loader_name, "trapvisor") == 0;
}

/* Choose the irq ops and say, once, what this run uses. */
static void popf_demo_choose_irq_ops(bool paravirt, bool on_trapvisor)
{
	popf_demo_irq_ops_select(paravirt && on_trapvisor);
	if (popf_demo_irq->paravirt)
		popf_demo_say("Paravirtualized: the guest asks the hypervisor by hypercall (INT 0x%x) instead of running CLI, STI, PUSHF, POPF and MOV from CS.",
			      TV_HYPERCALL_VECTOR);
	else if (paravirt)
		popf_demo_say("Paravirt asked for, but there is no hypervisor to ask: the guest uses the plain instructions, so nothing changes.");
	else
		popf_demo_say("The guest uses the plain instructions: CLI, STI, PUSHF, POPF and MOV from CS.");
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	bool step, paravirt;

	/* Own tables first, so that any unexpected trap is reported, not a reset. */
	guest_desc_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		guest_printf("popf_demo: error: not started by a multiboot loader (EAX 0x%08x)\n",
			     magic);
		return POPF_DEMO_EXIT_USAGE;
	}
	if (!popf_demo_parse_options(info, &step, &paravirt))
		return POPF_DEMO_EXIT_USAGE;
	popf_demo_choose_irq_ops(paravirt, popf_demo_on_trapvisor(info));

	guest_printf("popf_demo: a kernel that believes it runs in ring 0 checks six things it relies on.\n");
	guest_printf("popf_demo: starting the timer at %u Hz and measuring one tick with the TSC\n",
		     POPF_DEMO_TIMER_HZ);
	popf_demo_timer_start();
	if (!popf_demo_timer_calibrate()) {
		popf_demo_irq->irq_disable();
		guest_printf("popf_demo: error: the timer did not tick (%u ticks); nothing can be shown\n",
			     popf_demo_ticks);
		return POPF_DEMO_EXIT_NO_TIMER;
	}
	guest_printf("popf_demo: one tick is %llu TSC cycles\n",
		     (unsigned long long)popf_demo_cycles_per_tick());

	unsigned passed = 0;
	for (unsigned i = 0; i < POPF_DEMO_EXPERIMENTS; i++) {
		if (step)
			popf_demo_pause(popf_demo_experiments[i].name);
		if (popf_demo_experiments[i].run())
			passed++;
	}

	popf_demo_irq->irq_disable();
	guest_printf("SUMMARY: %u passed, %u failed\n", passed,
		     (unsigned)POPF_DEMO_EXPERIMENTS - passed);
	return POPF_DEMO_EXIT_COMPLETED;
}
