/*
 * guests/popf_demo/popf_demo_lost_update.c: experiment 6, what the silent
 * POPF does to a real kernel: updates to shared data get lost.
 * Runs in: guest.
 *
 * A counter is shared with the timer handler, which adds 1 on every tick.
 * The rest of the kernel adds 1 inside a critical section built the way
 * spin_lock_irqsave/spin_unlock_irqrestore are on a uniprocessor: save
 * EFLAGS (PUSHF), write them back with IF clear (POPF), read the counter,
 * let time pass, write it plus one, restore the saved EFLAGS (POPF).
 *
 * On the bare machine a tick that comes during the section waits in the
 * PIC until the final POPF, so every increment counts. Deprivileged, the
 * first POPF leaves IF at 1; a tick between the read and the write adds its
 * 1, and the write then overwrites it. Every such tick is an update lost.
 * Paravirtualized, save and restore are hypercalls and the lock holds.
 */
#include "guests/popf_demo/popf_demo.h"
#include "lib/x86.h"

/* Sections, and the time between read and write as a fraction of a tick. */
#define POPF_DEMO_SECTIONS		400
#define POPF_DEMO_SECTION_DELAY_DIV	10	/* a tenth of a tick: 400 sections last ~40 ticks */

/*
 * local_irq_save() built on POPF (or, paravirtualized, on the save and
 * restore hypercalls): returns the old EFLAGS, leaves IF clear.
 */
static uint32_t popf_demo_irq_save(void)
{
	uint32_t flags = popf_demo_irq->save_flags();

	popf_demo_irq->restore_flags(flags & ~EFLAGS_IF);
	return flags;
}

static void popf_demo_irq_restore(uint32_t flags)
{
	popf_demo_irq->restore_flags(flags);
}

/* One critical section: a deliberately slow, non-atomic increment. */
static void popf_demo_locked_increment(uint64_t delay_cycles)
{
	uint32_t flags = popf_demo_irq_save();
	uint32_t value = popf_demo_shared_counter;

	popf_demo_spin_cycles(delay_cycles);
	popf_demo_shared_counter = value + 1;
	popf_demo_irq_restore(flags);
}

bool popf_demo_irqsave_lost_update(void)
{
	const char *name = "irqsave_lost_update";
	uint64_t delay = popf_demo_cycles_per_tick() / POPF_DEMO_SECTION_DELAY_DIV;

	popf_demo_begin(name, "Lost updates under an irqsave lock");
	popf_demo_say("A counter is shared with the timer handler, which adds 1 to it on every tick.");
	if (popf_demo_irq->paravirt) {
		popf_demo_say("The kernel adds 1 in a critical section: save the flags and restore them with IF clear");
		popf_demo_say("(each a call to the hypervisor), read the counter, wait a little, write it plus one,");
		popf_demo_say("restore the saved flags. We do that %u times.", POPF_DEMO_SECTIONS);
	} else {
		popf_demo_say("The kernel adds 1 in a critical section: PUSHF, POPF with IF clear, read the counter,");
		popf_demo_say("wait a little, write it plus one, POPF the saved flags. We do that %u times.",
			      POPF_DEMO_SECTIONS);
	}
	popf_demo_say("On the bare machine no tick lands between read and write: no update is lost.");
	if (popf_demo_irq->paravirt)
		popf_demo_say("Here the hypervisor turns the virtual IF off when asked, so no tick should get inside a section.");
	else
		popf_demo_say("Deprivileged, the POPF does not turn interrupts off, and a tick inside a section is overwritten.");

	/* Disable and enable (CLI and STI trap) make the snapshots exact everywhere. */
	popf_demo_irq->irq_disable();
	uint32_t counter_before = popf_demo_shared_counter;
	uint32_t ticks_before = popf_demo_ticks;
	popf_demo_irq->irq_enable();
	for (unsigned i = 0; i < POPF_DEMO_SECTIONS; i++)
		popf_demo_locked_increment(delay);
	popf_demo_irq->irq_disable();
	uint32_t grown = popf_demo_shared_counter - counter_before;
	uint32_t handler_runs = popf_demo_ticks - ticks_before;
	popf_demo_irq->irq_enable();

	uint32_t expected = POPF_DEMO_SECTIONS + handler_runs;
	uint32_t lost = expected > grown ? expected - grown : 0;

	popf_demo_say("%u sections plus %u handler runs should add %u; the counter grew by %u.",
		      POPF_DEMO_SECTIONS, handler_runs, expected, grown);
	if (lost)
		popf_demo_say("%u updates were lost: the lock did not lock.", lost);
	return popf_demo_result(name, "no-lost-updates",
				lost ? "lost-updates" : "no-lost-updates",
				"%u of %u updates lost (%u sections, %u ticks)", lost,
				expected, POPF_DEMO_SECTIONS, handler_runs);
}
