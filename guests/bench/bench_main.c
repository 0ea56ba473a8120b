/*
 * guests/bench/bench_main.c: the benchmark guest: what it costs to run a
 * kernel's instructions deprivileged (Popek & Goldberg's efficiency; the
 * nanobenchmarks of Adams & Agesen, ASPLOS 2006).
 * Runs in: guest.
 *
 * Each benchmark runs one loop (bench_loops.S) in BENCH_BATCHES timed
 * batches of `iterations` iterations, after one untimed batch that warms
 * QEMU's translation cache and the hypervisor's decode cache. A batch is
 * timed with RDTSC, which neither the CPU nor the hypervisor traps here, and
 * divided by its iterations; the median, minimum and maximum over the
 * batches are reported. The figures include the loop's own `dec; jnz`, which
 * the empty loop measures alone: nothing is subtracted.
 *
 * The paging rows come last: paging is turned on just before the first of
 * them and stays on, so every row before them runs exactly as it did
 * without paging (identity map, 4 KiB pages: bench_paging.c).
 *
 * Command line: `bench native` or `bench hv`, saying where the host booted
 * it, then optionally the names of the rows to run (all of them without:
 * `trapvisor bench` runs all; one row alone makes the hypervisor's own
 * breakdown of a trap, printed at the end of the run, that row's). The
 * word only labels the output: the guest runs the same rows either way. A row it cannot run is reported as n/a, decided from the table below
 * and never by where it runs, so the two columns always list the same rows
 * (no row is n/a today).
 *
 * Output, one line each:
 *   BENCH-START where=<word> batches=<b>
 *   BENCH name=<id> iterations=<n> median=<cycles> min=<cycles> max=<cycles>
 *   BENCH name=<id> na="<reason>"
 *   BENCH-END
 * and exit status 0; 2 for a bad command line; 127 (GUEST_EXIT_PANIC) if the
 * image outgrows the identity map or an unexpected trap arrives.
 */
#include <stddef.h>
#include <stdint.h>

#include "guests/bench/bench.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "lib/string.h"
#include "lib/x86.h"

#define BENCH_BATCHES	31	/* odd, so the median is one batch's figure */

struct bench_case {
	const char *name;
	bench_loop_fn loop;
	uint32_t iterations;	/* per batch */
	int needs_paging;	/* turn the guest's paging on before it */
	const char *na;		/* why it cannot run, or NULL */
};

/*
 * Iterations are few where every one traps, or may (pushf_popf does when
 * the hypervisor patches POPF and PUSHF; pte_write does when it
 * write-protects the guest's page tables): under QEMU's TCG a trap to the
 * hypervisor costs tens of thousands of cycles, and the whole run should
 * stay within a few seconds.
 */
static const struct bench_case bench_cases[] = {
	{ "empty_loop", bench_empty_loop, 10000, 0, NULL },
	{ "int3_round_trip", bench_int3, 256, 0, NULL },
	{ "cli_sti", bench_cli_sti, 256, 0, NULL },
	{ "in_port80", bench_in_port80, 256, 0, NULL },
	{ "out_port80", bench_out_port80, 256, 0, NULL },
	{ "pushf_popf", bench_pushf_popf, 256, 0, NULL },
	{ "call_ret", bench_call_ret, 10000, 0, NULL },
	{ "compute_loop", bench_compute, 1024, 0, NULL },
	{ "divide_error", bench_divide_error, 256, 0, NULL },
	{ "int80_round_trip", bench_int80, 256, 0, NULL },
	{ "user_syscall", bench_user_syscall, 256, 0, NULL },
	/* Macro benchmarks: a kernel's hot paths (bench_macro.c). */
	{ "spinlock_irqsave", bench_spinlock_irqsave, 256, 0, NULL },
	{ "syscall_round_trip", bench_syscall_round_trip, 256, 0, NULL },
	{ "mov_cr3_same", bench_mov_cr3_same, 256, 1, NULL },
	{ "invlpg", bench_invlpg, 256, 1, NULL },
	{ "page_fault", bench_page_fault, 256, 1, NULL },
	{ "pte_write", bench_pte_write, 256, 1, NULL },
	{ "context_switch", bench_context_switch, 256, 1, NULL },
	{ "address_space_fill", bench_address_space_fill, 1, 1, NULL },
};

#define BENCH_CASES (sizeof(bench_cases) / sizeof(bench_cases[0]))

/* Cycles per iteration of one batch, rounded to the nearest cycle. */
static uint32_t bench_time_batch(const struct bench_case *c)
{
	uint64_t start = rdtsc();
	c->loop(c->iterations);
	uint64_t cycles = rdtsc() - start;
	return (uint32_t)((cycles + c->iterations / 2) / c->iterations);
}

/* Insertion sort: 31 numbers, no library needed. */
static void bench_sort(uint32_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint32_t x = v[i];
		unsigned j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void bench_run(const struct bench_case *c)
{
	uint32_t per_iteration[BENCH_BATCHES];

	if (c->na) {
		guest_printf("BENCH name=%s na=\"%s\"\n", c->name, c->na);
		return;
	}
	bench_time_batch(c);	/* warm-up, not counted */
	for (unsigned b = 0; b < BENCH_BATCHES; b++)
		per_iteration[b] = bench_time_batch(c);
	bench_sort(per_iteration, BENCH_BATCHES);
	guest_printf("BENCH name=%s iterations=%u median=%u min=%u max=%u\n", c->name,
		     c->iterations, per_iteration[BENCH_BATCHES / 2], per_iteration[0],
		     per_iteration[BENCH_BATCHES - 1]);
}

/*
 * The rows named after the first word, as bits of bench_cases; all rows
 * when none is named, 0 when a word names no row.
 */
static uint32_t bench_selected(const struct multiboot_info *info)
{
	char word[32];
	uint32_t selected = 0;
	unsigned n = 1;

	_Static_assert(BENCH_CASES <= 32, "one bit per row");
	for (; guest_mb_arg(info, n, word, sizeof(word)); n++) {
		unsigned i = 0;
		while (i < BENCH_CASES && strcmp(word, bench_cases[i].name) != 0)
			i++;
		if (i == BENCH_CASES) {
			guest_printf("bench: no row named '%s'\n", word);
			return 0;
		}
		selected |= 1u << i;
	}
	return n == 1 ? (uint32_t)((1ull << BENCH_CASES) - 1) : selected;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	char where[16];

	if (!guest_mb_arg(info, 0, where, sizeof(where)) ||
	    (strcmp(where, "native") != 0 && strcmp(where, "hv") != 0)) {
		guest_printf("bench: usage: bench native|hv [ROW]... (where the host booted it)\n");
		return GUEST_EXIT_USAGE;
	}
	uint32_t selected = bench_selected(info);
	if (!selected)
		return GUEST_EXIT_USAGE;

	bench_user_descriptors();
	guest_gdt_install();
	bench_user_tss_load();
	bench_idt_install();
	/* cli_sti leaves IF set; no device interrupt may then arrive. */
	guest_pic_mask_all();

	guest_printf("BENCH-START where=%s batches=%u\n", where, BENCH_BATCHES);
	int paging = 0;
	for (unsigned i = 0; i < BENCH_CASES; i++) {
		if (!(selected & (1u << i)))
			continue;
		if (bench_cases[i].needs_paging && !paging) {
			bench_paging_on();
			paging = 1;
		}
		bench_run(&bench_cases[i]);
	}
	guest_printf("BENCH-END\n");
	return GUEST_EXIT_OK;
}
