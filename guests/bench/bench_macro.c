/*
 * guests/bench/bench_macro.c: the macro benchmarks, each modelled on a hot
 * path of a small Unix kernel (xv6's, for one): what a real kernel pays
 * under the hypervisor, where the nanobenchmarks time one instruction.
 * Runs in: guest.
 *
 *   spinlock_irqsave  (bench_macro_loops.S) PUSHF, CLI, a read of the local
 *                     APIC's ID (the kernel asks which CPU it is on), an
 *                     XCHG to take the lock, a store to drop it, POPF;
 *   syscall_round_trip (bench_macro_loops.S) from user mode INT to a gate
 *                     whose handler saves every register, loads the
 *                     kernel's data segments, calls C to dispatch the call,
 *                     restores and IRETs back to user mode;
 *   context_switch    (here) a switch between two processes: the kernel
 *                     stack switched, the TSS's ESP0 set, its descriptor
 *                     marked available and LTR run again (as xv6's
 *                     switchuvm does), and CR3 loaded with the other
 *                     process's page directory;
 *   address_space_fill (here) what a fork costs the page tables: a fresh
 *                     page directory whose kernel half is written out as
 *                     64 page tables, 65,536 entries (xv6 copies its kernel
 *                     map into every process so), loaded into CR3, 64 of
 *                     its kernel pages read, CR3 back, and every one of
 *                     those pages freed as a kernel frees a page: filled
 *                     with junk. Two such sets take turns, so a page is a
 *                     page table, then data, then a page table again.
 * The last two run with the guest's paging on (bench_paging.c).
 */
#include <stdint.h>

#include "guests/bench/bench.h"
#include "guests/lib/guest_desc.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"

#define BENCH_PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

/* --- syscall_round_trip: the C half of the handler --- */

/* The registers bench_handler_syscall_macro saved, lowest address first (pushal). */
struct bench_syscall_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;
};

static uint32_t bench_sys_getpid(void)
{
	return 1;
}

static uint32_t (*const bench_syscalls[])(void) = { bench_sys_getpid };

/* Called by bench_handler_syscall_macro: EAX names the call and gets its result. */
void bench_syscall_dispatch(struct bench_syscall_frame *tf)
{
	uint32_t number = tf->eax;
	tf->eax = number < sizeof bench_syscalls / sizeof bench_syscalls[0]
		  ? bench_syscalls[number]() : (uint32_t)-1;
}

/* --- context_switch --- */

/* A second process: its own page directory (the same mappings) and kernel stack. */
static uint32_t bench_pd_other[1024] BENCH_PAGE_ALIGNED;
static uint8_t bench_kstack_other[4096] __attribute__((aligned(16)));
static uint32_t bench_esp_other;

/*
 * Switch to the process whose kernel stack pointer is *to_esp, saving ours
 * in *from_esp, as xv6's swtch does: callee-saved registers pushed, stacks
 * exchanged, popped.
 */
void bench_swtch(uint32_t *from_esp, uint32_t to_esp);
__asm__(".text\n"
	".globl bench_swtch\n"
	".type bench_swtch, @function\n"
	"bench_swtch:\n"
	"	movl 4(%esp), %eax\n"
	"	movl 8(%esp), %edx\n"
	"	pushl %ebp\n"
	"	pushl %ebx\n"
	"	pushl %esi\n"
	"	pushl %edi\n"
	"	movl %esp, (%eax)\n"
	"	movl %edx, %esp\n"
	"	popl %edi\n"
	"	popl %esi\n"
	"	popl %ebx\n"
	"	popl %ebp\n"
	"	ret\n");

/* The other process's first switch lands here: it switches straight back. */
static void bench_other_process(void);

static uint32_t bench_esp_main;

static void bench_switchuvm(uint32_t cr3, uint32_t esp0)
{
	bench_user_tss_switch(esp0);
	write_cr3(cr3);
}

static void bench_other_process(void)
{
	for (;;) {
		bench_switchuvm(bench_paging_cr3, 0);
		bench_swtch(&bench_esp_other, bench_esp_main);
	}
}

uint32_t bench_context_switch(uint32_t n)
{
	/* The other process starts as if switched away from just before bench_other_process. */
	if (!bench_esp_other) {
		uint32_t *sp = (uint32_t *)(bench_kstack_other + sizeof bench_kstack_other);
		*--sp = (uint32_t)bench_other_process;	/* swtch's return address */
		for (unsigned i = 0; i < 4; i++)
			*--sp = 0;			/* ebp, ebx, esi, edi */
		bench_esp_other = (uint32_t)sp;
		memcpy(bench_pd_other, (const void *)bench_paging_cr3, PAGE_SIZE);
	}
	for (uint32_t i = 0; i < n; i++) {
		/* There and back: two switches, so one iteration is the pair, as in a ping-pong. */
		bench_switchuvm((uint32_t)bench_pd_other,
				(uint32_t)(bench_kstack_other + sizeof bench_kstack_other));
		bench_swtch(&bench_esp_main, bench_esp_other);
	}
	return n;
}

/* --- address_space_fill --- */

#define BENCH_KERNEL_BASE	0x80000000u
#define BENCH_KERNEL_TABLES	64	/* 256 MiB, 65,536 entries */
#define BENCH_FILL_SETS		2
#define BENCH_TOUCHED_TABLES	4
#define BENCH_TOUCHES_PER_TABLE	16

struct bench_space {
	uint32_t pd[1024];
	uint32_t pt[BENCH_KERNEL_TABLES][1024];
};

static struct bench_space bench_spaces[BENCH_FILL_SETS] BENCH_PAGE_ALIGNED;
static unsigned bench_next_space;

/* The tables a process touches: its first three (code, data) and its last. */
static const unsigned bench_touched_tables[BENCH_TOUCHED_TABLES] = {
	0, 1, 2, BENCH_KERNEL_TABLES - 1
};

/* Free a page as a kernel does: fill it with junk, four bytes at a time (REP STOSL). */
static void bench_free_page(void *page)
{
	uint32_t count = PAGE_SIZE / 4, junk = 0x01010101u;
	__asm__ volatile("cld; rep stosl"
			 : "+D"(page), "+c"(count)
			 : "a"(junk)
			 : "memory");
}

uint32_t bench_address_space_fill(uint32_t n)
{
	uint32_t *kernel_pd = (uint32_t *)bench_paging_cr3;
	uint32_t sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct bench_space *s = &bench_spaces[bench_next_space];
		bench_next_space = (bench_next_space + 1) % BENCH_FILL_SETS;

		/* A fresh directory: the image's identity map shared, the kernel half copied. */
		memset(s->pd, 0, PAGE_SIZE);
		s->pd[PDX(0)] = kernel_pd[PDX(0)];
		for (unsigned t = 0; t < BENCH_KERNEL_TABLES; t++) {
			uint32_t *pt = s->pt[t];
			/* Every entry maps a frame of the image (aliases do no harm to reads). */
			for (unsigned j = 0; j < 1024; j++)
				pt[j] = (j << 12) | PTE_P | PTE_W;
			s->pd[PDX(BENCH_KERNEL_BASE) + t] = (uint32_t)pt | PTE_P | PTE_W;
		}

		/* The new process runs: a few pages of each table it uses. */
		write_cr3((uint32_t)s->pd);
		for (unsigned k = 0; k < BENCH_TOUCHED_TABLES; k++) {
			uint32_t table = BENCH_KERNEL_BASE + bench_touched_tables[k] * LARGE_PAGE_SIZE;
			for (unsigned p = 0; p < BENCH_TOUCHES_PER_TABLE; p++)
				sum += *(volatile uint32_t *)(table + p * 64 * PAGE_SIZE);
		}
		write_cr3(bench_paging_cr3);

		/* It exits: its page tables and directory go back to the allocator. */
		for (unsigned t = 0; t < BENCH_KERNEL_TABLES; t++)
			bench_free_page(s->pt[t]);
		bench_free_page(s->pd);
	}
	return sum;
}
