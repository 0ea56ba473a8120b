/*
 * guests/popf_demo/popf_demo_ring_leak.c: experiment 5, the ring a kernel
 * can read off its own code selector.
 * Runs in: guest.
 *
 * The low two bits of CS are its requested privilege level, and for the
 * code segment that is the current privilege level (Intel SDM vol. 3,
 * 5.5). Reading CS is allowed at every level and traps nowhere, so a kernel
 * that the hypervisor moved to ring 1 sees a 1 where it expects its 0: the
 * hypervisor cannot hide it short of making these instructions trap.
 * Paravirtualized, the kernel asks the hypervisor for CS instead, and is
 * told the selector a ring-0 kernel would see.
 */
#include "guests/popf_demo/popf_demo.h"
#include "lib/format.h"
#include "lib/x86.h"

#define POPF_DEMO_SELECTOR_RPL	0x3

static uint16_t popf_demo_cs_by_push(void)
{
	uint32_t v;

	__asm__ volatile("pushl %%cs; popl %0" : "=r"(v));
	return (uint16_t)v;
}

bool popf_demo_ring_leak(void)
{
	const char *name = "ring_leak";
	char observed[16];

	popf_demo_begin(name, "CS tells the ring");
	popf_demo_say("This kernel believes it runs in ring 0, the CPU's most privileged level.");
	popf_demo_say("The low two bits of the code selector CS tell which ring really runs the code.");
	if (popf_demo_irq->paravirt) {
		popf_demo_say("Here the guest does not read CS itself: it asks the hypervisor for it.");
		popf_demo_say("On the bare machine CS shows 0; the hypervisor answers as ring 0 would see it.");

		uint16_t asked = popf_demo_irq->read_cs();
		unsigned rpl = asked & POPF_DEMO_SELECTOR_RPL;

		popf_demo_say("The hypervisor said CS=0x%04x (ring %u).", asked, rpl);
		tv_snprintf(observed, sizeof(observed), "RPL=%u", rpl);
		return popf_demo_result(name, "RPL=0", observed, "read_cs hypercall 0x%04x",
					asked);
	}
	popf_demo_say("We read CS twice, with MOV from CS and with PUSH CS; POP. Neither instruction traps.");
	popf_demo_say("On the bare machine both show 0. Deprivileged, they show the ring the hypervisor chose.");

	uint16_t by_mov = popf_demo_irq->read_cs();
	uint16_t by_push = popf_demo_cs_by_push();
	unsigned rpl_mov = by_mov & POPF_DEMO_SELECTOR_RPL;
	unsigned rpl_push = by_push & POPF_DEMO_SELECTOR_RPL;

	popf_demo_say("MOV read CS=0x%04x (ring %u); PUSH CS read 0x%04x (ring %u).", by_mov,
		      rpl_mov, by_push, rpl_push);
	/* Two answers that differ would mean one of the reads was patched: show both. */
	if (rpl_mov == rpl_push)
		tv_snprintf(observed, sizeof(observed), "RPL=%u", rpl_mov);
	else
		tv_snprintf(observed, sizeof(observed), "RPL=%u/%u", rpl_mov, rpl_push);
	return popf_demo_result(name, "RPL=0", observed, "mov %%cs 0x%04x, push %%cs 0x%04x",
				by_mov, by_push);
}
