/*
 * guests/popf_demo/popf_demo_pause.c: step mode, so a teacher can stop
 * before each experiment and explain it.
 * Runs in: guest.
 *
 * The guest says `DEMO-PAUSE name=<id>` and polls COM1 for one byte (any
 * byte: the host program sends one per step). It gives up after about 30 s,
 * because a hypervisor may not yet feed COM1 input to its guest and the
 * demo must then go on by itself rather than hang.
 */
#include "guests/lib/guest_console.h"
#include "guests/popf_demo/popf_demo.h"
#include "lib/x86.h"

#define POPF_DEMO_COM1_RBR	GUEST_COM1	/* receiver buffer, when reading */
#define POPF_DEMO_LSR_DR	0x01		/* line status: data ready */
#define POPF_DEMO_PAUSE_SECONDS	30

void popf_demo_pause(const char *name)
{
	/* Seconds in TSC cycles, taking the PIT's rate as the clock. */
	uint64_t limit = (uint64_t)POPF_DEMO_PAUSE_SECONDS * POPF_DEMO_TIMER_HZ *
			 popf_demo_cycles_per_tick();
	uint64_t start = rdtsc();

	guest_printf("DEMO-PAUSE name=%s\n", name);
	while (rdtsc() - start < limit) {
		if (inb(GUEST_COM1_LSR) & POPF_DEMO_LSR_DR) {
			(void)inb(POPF_DEMO_COM1_RBR);
			return;
		}
	}
	guest_printf("popf_demo: no key after %u s, going on\n", POPF_DEMO_PAUSE_SECONDS);
}
