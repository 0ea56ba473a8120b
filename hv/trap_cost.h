/*
 * hv/trap_cost.h: where the cycles of a trap go, measured with RDTSC on
 * every trap and reported as medians in the run's summary.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_TRAP_COST_H
#define TV_HV_TRAP_COST_H

#include <stdint.h>
#include "lib/x86.h"

/*
 * The parts of a trap, in the order a trapped instruction meets them. The
 * handling includes the parts between it and the exit switch; what it has
 * beyond them is the dispatch, the statistics and the copies of the frame.
 */
enum trap_cost_part {
	COST_ENTRY_SWITCH,	/* CR3 to the hypervisor's space (hv/switcher.S) */
	COST_HANDLING,		/* hv_trap from start to end */
	COST_FETCH,		/* reading the trapped instruction's bytes from guest memory */
	COST_DECODE_HIT,	/* decode_at answered from the cache */
	COST_DECODE_MISS,	/* decode_at ran Capstone */
	COST_EMULATE,		/* one instruction's emulation */
	COST_SHADOW_FAULT,	/* a #PF's verdict from the shadow MMU (shadow_pt/) */
	COST_REFLECT,		/* an exception or interrupt delivered through the guest's IDT */
	COST_WAY_OUT,		/* a virtual interrupt looked for, the frame checked */
	COST_EXIT_SWITCH,	/* CR3 back to the guest's space (hv/switcher.S) */
	COST_PARTS
};

void trap_cost_record(enum trap_cost_part part, uint32_t cycles);

/* At the start of hv_trap: takes in the switcher's two measurements. */
void trap_cost_trap_begins(void);

/* "tv:stat what=\"cycles ... median\"" lines. */
void trap_cost_report(void);

/*
 * The low half of the TSC. The memory clobber keeps the compiler from
 * moving the read across the loads and stores of the code being timed.
 */
static inline uint32_t trap_cost_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo;
}

#endif
