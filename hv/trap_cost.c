/*
 * hv/trap_cost.c: the hypervisor's breakdown of a trap.
 * Runs in: hypervisor, ring 0, on every trap.
 *
 * Each part keeps its last TRAP_COST_SAMPLES measurements; the summary
 * reports their median (QEMU TCG is noisy: a mean would be dominated by the
 * first, cold executions). Cycles are host TSC cycles as the emulated CPU's
 * RDTSC reports them.
 */
#include "hv/hot.h"
#include "hv/trap_cost.h"
#include "hv/console.h"
#include "hv/switcher.h"
#include "lib/string.h"

/*
 * 64 samples per part keep all ten parts within one page (see hv/hot.h);
 * with 1024 samples for six parts they spanned six, and the trapped IN of
 * `trapvisor bench` cost 5 percent more. The samples are a uniform choice
 * among all the measurements of the run (reservoir sampling), so the median
 * is the run's: kept as the last ones, they were the console output at the
 * end of every run, whatever the run had been doing.
 */
#define TRAP_COST_SAMPLES 64

/* Written by hv/switcher.S: the entry switch directly, the exit switch on the trap stack. */
uint32_t trap_cost_entry_switch HV_HOT;

static struct {
	uint32_t samples[TRAP_COST_SAMPLES];
	uint32_t count;		/* every measurement ever made */
} parts[COST_PARTS] HV_HOT;

static int have_exit_sample HV_HOT;
static uint32_t random_state HV_HOT = 2463534242u;

void trap_cost_record(enum trap_cost_part part, uint32_t cycles)
{
	uint32_t n = parts[part].count++;
	if (n < TRAP_COST_SAMPLES) {
		parts[part].samples[n] = cycles;
		return;
	}
	/* Measurement n + 1 replaces a kept one with probability SAMPLES / (n + 1) (xorshift32). */
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	/* A multiply, not a division: TCG runs DIV as a call into QEMU. */
	uint32_t slot = (uint32_t)(((uint64_t)random_state * (n + 1)) >> 32);
	if (slot < TRAP_COST_SAMPLES)
		parts[part].samples[slot] = cycles;
}

void trap_cost_trap_begins(void)
{
	trap_cost_record(COST_ENTRY_SWITCH, trap_cost_entry_switch);
	/*
	 * The first entry into the guest left an exit measurement too. The word
	 * is on the trap stack, which a ring-1 guest can write: it can skew this
	 * statistic (and only this one), so absurd values are not counted.
	 */
	/* One load: memcpy is a real call in freestanding code, and this runs on every trap. */
	uint32_t exit_switch;
	__builtin_memcpy(&exit_switch, switcher_stack_page, sizeof exit_switch);
	if ((have_exit_sample || exit_switch) && exit_switch < 100000000u)
		trap_cost_record(COST_EXIT_SWITCH, exit_switch);
	have_exit_sample = 1;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

void trap_cost_report(void)
{
	static const char *const names[COST_PARTS] = {
		[COST_ENTRY_SWITCH] = "cycles entry switch to hypervisor space",
		[COST_HANDLING] = "cycles handling in hypervisor",
		[COST_FETCH] = "cycles instruction fetch",
		[COST_DECODE_HIT] = "cycles decode cache hit",
		[COST_DECODE_MISS] = "cycles decode cache miss",
		[COST_EMULATE] = "cycles emulation",
		[COST_SHADOW_FAULT] = "cycles shadow fault verdict",
		[COST_REFLECT] = "cycles delivery to the guest",
		[COST_WAY_OUT] = "cycles interrupt and frame check",
		[COST_EXIT_SWITCH] = "cycles exit switch to guest space",
	};
	static uint32_t sorted[TRAP_COST_SAMPLES];

	for (unsigned p = 0; p < COST_PARTS; p++) {
		uint32_t n = parts[p].count < TRAP_COST_SAMPLES ? parts[p].count : TRAP_COST_SAMPLES;
		if (!n)
			continue;
		memcpy(sorted, parts[p].samples, n * sizeof sorted[0]);
		qsort(sorted, n, sizeof sorted[0], compare_u32);
		console_event("stat what=\"%s median\" count=%u", names[p], sorted[n / 2]);
	}
}
