/*
 * guests/bench/bench_user.c: what the user_syscall benchmark needs: a user
 * mode to call from. Ring-3 code and data segments, a TSS that gives the
 * kernel stack for traps from ring 3, and two DPL-3 gates: the system call
 * (its handler only IRETs back to user mode) and the way home to the kernel
 * when the loop is done.
 * Runs in: guest.
 */
#include <stdint.h>

#include "guests/bench/bench.h"
#include "guests/lib/guest_desc.h"
#include "lib/x86.h"

#define BENCH_GDT_USER_CODE	3
#define BENCH_GDT_USER_DATA	4

#define BENCH_USER_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			       ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define BENCH_USER_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			       (DESC_TYPE_WRITABLE << 8))
#define BENCH_TSS_FLAGS (DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8))

static struct x86_tss bench_tss __attribute__((aligned(16)));
static uint8_t bench_trap_stack[4096] __attribute__((aligned(16)));
static uint8_t bench_user_stack[4096] __attribute__((aligned(16)));

/* Read by bench_user_syscall in bench_loops.S. */
uint32_t bench_user_stack_top = (uint32_t)(bench_user_stack + sizeof(bench_user_stack));

void bench_user_descriptors(void)
{
	guest_gdt_set(BENCH_GDT_USER_CODE, desc_make(0, 0xFFFFFFFFu, BENCH_USER_CODE_FLAGS));
	guest_gdt_set(BENCH_GDT_USER_DATA, desc_make(0, 0xFFFFFFFFu, BENCH_USER_DATA_FLAGS));
	guest_gdt_set(BENCH_GDT_TSS, desc_make((uint32_t)&bench_tss, sizeof(bench_tss) - 1,
					       BENCH_TSS_FLAGS));
}

void bench_user_tss_load(void)
{
	bench_tss.ss0 = GUEST_SEL_DATA;
	bench_tss.esp0 = (uint32_t)(bench_trap_stack + sizeof(bench_trap_stack));
	/* No I/O permission bitmap: the map base lies past the segment's limit. */
	bench_tss.iomap_base = sizeof(bench_tss);
	ltr(BENCH_SEL_TSS);
}

void bench_user_tss_switch(uint32_t esp0)
{
	bench_tss.esp0 = esp0 ? esp0 : (uint32_t)(bench_trap_stack + sizeof(bench_trap_stack));
	/* The live descriptor is busy since the last LTR, which would fault on it. */
	guest_gdt_write_live(BENCH_GDT_TSS, desc_make((uint32_t)&bench_tss, sizeof(bench_tss) - 1,
						     BENCH_TSS_FLAGS));
	ltr(BENCH_SEL_TSS);
}
