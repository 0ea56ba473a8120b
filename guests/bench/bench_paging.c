/*
 * guests/bench/bench_paging.c: the page tables the paging benchmarks run on,
 * and turning paging on for them.
 * Runs in: guest.
 *
 * Layout (32-bit paging without PAE, 4 KiB pages only, so CR4 is left
 * alone):
 *   PDX 0    bench_pt_identity: linear 0..4 MiB onto physical 0..4 MiB,
 *            which holds the whole image (code, data, stacks, these tables);
 *   PDX 256  bench_pt_window: the pages the loops aim at, in a 4 MiB slot
 *            of their own. One is mapped (BENCH_WINDOW_MAPPED), one is not
 *            (BENCH_WINDOW_ABSENT).
 * The window keeps the loops' targets away from the page table that maps
 * the loops themselves: a hypervisor that drops a whole shadow page table
 * on INVLPG then drops only the window's, and the figure is INVLPG's own
 * cost, not that of refilling the code's translations after it.
 *
 * Every table and the mapped frame is a page-aligned page of its own, so a
 * hypervisor that write-protects the guest's page tables protects nothing
 * else the benchmarks write.
 */
#include <stdint.h>

#include "guests/bench/bench.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "lib/mmu.h"
#include "lib/x86.h"

#define BENCH_WINDOW_BASE	0x40000000u
#define BENCH_WINDOW_MAPPED	(BENCH_WINDOW_BASE + 0x0000u)
#define BENCH_WINDOW_ABSENT	(BENCH_WINDOW_BASE + 0x1000u)

#define BENCH_PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

static uint32_t bench_pd[1024] BENCH_PAGE_ALIGNED;
static uint32_t bench_pt_identity[1024] BENCH_PAGE_ALIGNED;
static uint32_t bench_pt_window[1024] BENCH_PAGE_ALIGNED;
static uint32_t bench_window_frame[1024] BENCH_PAGE_ALIGNED;

extern const char guest_image_end[];	/* guests/lib/guest.ld */

/* Read by the loops in bench_loops.S. */
uint32_t bench_paging_cr3;
uint32_t bench_paging_mapped_la = BENCH_WINDOW_MAPPED;
uint32_t bench_paging_absent_la = BENCH_WINDOW_ABSENT;
uint32_t *bench_paging_mapped_pte = &bench_pt_window[PTX(BENCH_WINDOW_MAPPED)];

void bench_paging_on(void)
{
	if ((uint32_t)guest_image_end > LARGE_PAGE_SIZE) {
		guest_printf("FAIL: bench: the image ends at 0x%08x, past the 4 MiB identity map\n",
			     (uint32_t)guest_image_end);
		guest_exit(GUEST_EXIT_PANIC);
	}

	/* Supervisor pages only: user_syscall, the one row in ring 3, runs before. */
	for (uint32_t i = 0; i < 1024; i++)
		bench_pt_identity[i] = (i << 12) | PTE_P | PTE_W;
	bench_pt_window[PTX(BENCH_WINDOW_MAPPED)] = (uint32_t)bench_window_frame | PTE_P | PTE_W;
	bench_pt_window[PTX(BENCH_WINDOW_ABSENT)] = 0;
	bench_pd[PDX(0)] = (uint32_t)bench_pt_identity | PTE_P | PTE_W;
	bench_pd[PDX(BENCH_WINDOW_BASE)] = (uint32_t)bench_pt_window | PTE_P | PTE_W;

	bench_paging_cr3 = (uint32_t)bench_pd;
	write_cr3(bench_paging_cr3);
	write_cr0(read_cr0() | CR0_PG);

	/* The window is really there: what the loops will aim at works. */
	bench_window_frame[0] = 0x0B5E55EDu;
	if (*(volatile uint32_t *)BENCH_WINDOW_MAPPED != 0x0B5E55EDu) {
		guest_printf("FAIL: bench: the window page at 0x%08x does not show its frame\n",
			     BENCH_WINDOW_MAPPED);
		guest_exit(GUEST_EXIT_PANIC);
	}
}
