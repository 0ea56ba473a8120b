/*
 * guests/popf_demo/popf_demo_interrupt_flag.c: experiments 1-4, the
 * interrupt flag (IF) as CLI, STI, POPF and PUSHF see it.
 * Runs in: guest.
 *
 * The rule behind all four (Intel SDM vol. 2, POPF; vol. 1, 3.4.3): CLI
 * and STI are allowed only when CPL <= IOPL and raise #GP otherwise, so a
 * deprivileged kernel's CLI traps to the hypervisor. POPF has no such
 * check: when CPL > IOPL it writes every other flag and silently keeps the
 * old IF. PUSHF always shows the real IF. A hypervisor keeps the real IF at
 * 1 (it needs its own interrupts), so what POPF and PUSHF do with IF never
 * reaches the guest's virtual IF.
 *
 * Each experiment starts with interrupts on and ends with STI, which traps
 * under the hypervisor and so always brings the virtual IF back to 1.
 *
 * Paravirtualized (popf_demo_irq_ops.c), the same steps are hypercalls:
 * CLI and STI become "disable" and "enable", PUSHF becomes "save flags" and
 * POPF the kernel's "restore flags". Each asks the hypervisor, so none can
 * vanish: the POPF experiments test restore_flags instead.
 */
#include "guests/popf_demo/popf_demo.h"
#include "lib/format.h"
#include "lib/x86.h"

#define IRQ (popf_demo_irq)

/* Each wait lasts this many tick periods: enough that "none" is no accident. */
#define POPF_DEMO_WAIT_PERIODS	20
#define POPF_DEMO_WAIT_MS	(POPF_DEMO_WAIT_PERIODS * 1000 / POPF_DEMO_TIMER_HZ)

static const char *popf_demo_tick_category(uint32_t ticks)
{
	return ticks ? "ticks" : "no-ticks";
}

bool popf_demo_cli_sti(void)
{
	const char *name = "cli_sti";

	popf_demo_begin(name, "CLI keeps the timer out");
	popf_demo_say("A kernel turns interrupts off with CLI when it must not be disturbed.");
	popf_demo_say("We run CLI, wait %u ms (%u timer periods) and count the timer interrupts that got in.",
		      POPF_DEMO_WAIT_MS, POPF_DEMO_WAIT_PERIODS);
	popf_demo_say("On the bare machine: none. The timer's request waits in the PIC until STI.");
	if (IRQ->paravirt)
		popf_demo_say("Here the guest asks the hypervisor to disable interrupts instead of running CLI; it clears the virtual IF.");
	else
		popf_demo_say("CLI is privileged: outside ring 0 it traps, and the hypervisor clears the guest's virtual IF.");

	IRQ->irq_disable();
	uint32_t ticks = popf_demo_count_ticks_during(POPF_DEMO_WAIT_PERIODS);
	IRQ->irq_enable();

	popf_demo_say("Counted %u timer interrupts while IF was off.", ticks);
	popf_demo_say("Then %s turned interrupts back on.", IRQ->paravirt ? "the enable call" : "STI");
	return popf_demo_result(name, "no-ticks", popf_demo_tick_category(ticks),
				"%u ticks in %u ms after %s", ticks, POPF_DEMO_WAIT_MS,
				IRQ->paravirt ? "the disable call" : "CLI");
}

bool popf_demo_popf_clears_if(void)
{
	const char *name = "popf_clears_if";

	popf_demo_begin(name, "POPF turns interrupts off");
	popf_demo_say("Kernels also turn interrupts off by rewriting EFLAGS: PUSHF, clear the IF bit, POPF.");
	popf_demo_say("We do exactly that with interrupts on, wait %u ms and count timer interrupts.",
		      POPF_DEMO_WAIT_MS);
	popf_demo_say("On the bare machine, in ring 0, POPF may change IF: no tick can get in.");
	if (IRQ->paravirt)
		popf_demo_say("Here no POPF runs: the guest asks the hypervisor for its flags and hands them back with IF clear, the kernel's restore_flags.");
	else
		popf_demo_say("Outside ring 0 POPF does not trap; the CPU just keeps the old IF and says nothing.");

	IRQ->restore_flags(IRQ->save_flags() & ~EFLAGS_IF);
	uint32_t ticks = popf_demo_count_ticks_during(POPF_DEMO_WAIT_PERIODS);
	IRQ->irq_enable();

	popf_demo_say("Counted %u timer interrupts while this kernel believed IF was off.", ticks);
	if (ticks)
		popf_demo_say("The %s vanished into thin air: the hypervisor never saw it.",
			      IRQ->paravirt ? "restore_flags call" : "POPF");
	popf_demo_say("Then %s turned interrupts back on.", IRQ->paravirt ? "the enable call" : "STI");
	return popf_demo_result(name, "no-ticks", popf_demo_tick_category(ticks),
				"%u ticks in %u ms after %s cleared IF", ticks,
				POPF_DEMO_WAIT_MS, IRQ->paravirt ? "restore_flags" : "POPF");
}

bool popf_demo_popf_sets_if(void)
{
	const char *name = "popf_sets_if";

	popf_demo_begin(name, "POPF turns interrupts back on");
	popf_demo_say("The other direction, as local_irq_save/local_irq_restore do it:");
	if (IRQ->paravirt)
		popf_demo_say("save the flags (IF=1), disable, then restore the saved flags: each one a call to the hypervisor.");
	else
		popf_demo_say("save EFLAGS (IF=1), CLI, then write the saved EFLAGS back with POPF.");
	popf_demo_say("We then wait up to %u ms for timer interrupts; the wait is bounded either way.",
		      POPF_DEMO_WAIT_MS);
	popf_demo_say("On the bare machine POPF sets IF again and the ticks resume at once.");
	if (IRQ->paravirt)
		popf_demo_say("Here the hypervisor sets the virtual IF from the flags the kernel's restore_flags hands it.");
	else
		popf_demo_say("Deprivileged, CLI trapped and cleared the virtual IF, but POPF cannot set it again.");

	uint32_t saved = IRQ->save_flags();
	IRQ->irq_disable();
	IRQ->restore_flags(saved | EFLAGS_IF);
	uint32_t ticks = popf_demo_count_ticks_during(POPF_DEMO_WAIT_PERIODS);
	IRQ->irq_enable();

	const char *restore = IRQ->paravirt ? "restore_flags" : "POPF";
	popf_demo_say("Counted %u timer interrupts after %s restored IF.", ticks, restore);
	if (!ticks)
		popf_demo_say("A kernel now idling for the next tick would wait forever.");
	if (IRQ->paravirt)
		popf_demo_say("Then the enable call asked the hypervisor to turn interrupts on, as they should be already.");
	else
		popf_demo_say("Then STI, which does trap, let the hypervisor turn interrupts back on.");
	return popf_demo_result(name, "ticks", popf_demo_tick_category(ticks),
				"%u ticks in %u ms after %s set IF", ticks,
				POPF_DEMO_WAIT_MS, restore);
}

bool popf_demo_pushf_shows_if(void)
{
	const char *name = "pushf_shows_if";
	char observed[8];

	popf_demo_begin(name, "PUSHF after CLI");
	popf_demo_say("After CLI a kernel may check that interrupts are off by reading EFLAGS with PUSHF.");
	popf_demo_say("On the bare machine PUSHF shows IF=0.");
	if (IRQ->paravirt)
		popf_demo_say("Here the guest asks the hypervisor for its flags instead: it answers with the virtual IF.");
	else
		popf_demo_say("PUSHF does not trap either: it shows the real IF, which the hypervisor keeps at 1.");

	IRQ->irq_disable();
	uint32_t eflags = IRQ->save_flags();
	IRQ->irq_enable();

	unsigned if_bit = (eflags & EFLAGS_IF) ? 1 : 0;
	popf_demo_say("%s read EFLAGS=0x%08x, so IF=%u.", IRQ->paravirt ? "save_flags" : "PUSHF",
		      eflags, if_bit);
	popf_demo_say("Then %s turned interrupts back on.", IRQ->paravirt ? "the enable call" : "STI");
	tv_snprintf(observed, sizeof(observed), "IF=%u", if_bit);
	return popf_demo_result(name, "IF=0", observed, "EFLAGS 0x%08x after %s", eflags,
				IRQ->paravirt ? "the disable call" : "CLI");
}
