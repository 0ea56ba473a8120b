/*
 * guests/bench/bench.h: what the parts of the benchmark guest share: the
 * timed loops (bench_loops.S) and the guest's own IDT for them (bench_idt.c).
 * Runs in: guest.
 *
 * Every loop is a cdecl function `uint32_t bench_x(uint32_t n)` that runs its
 * body n times (n >= 1) around the same two-instruction loop
 * (`dec %ecx; jnz`), so the empty loop measures exactly the overhead the
 * others share. The return value only keeps the work observable.
 */
#ifndef TV_GUESTS_BENCH_BENCH_H
#define TV_GUESTS_BENCH_BENCH_H

#include <stdint.h>

typedef uint32_t (*bench_loop_fn)(uint32_t n);

uint32_t bench_empty_loop(uint32_t n);
uint32_t bench_int3(uint32_t n);	/* INT3 to a handler that only IRETs */
uint32_t bench_cli_sti(uint32_t n);
uint32_t bench_in_port80(uint32_t n);
uint32_t bench_out_port80(uint32_t n);
uint32_t bench_pushf_popf(uint32_t n);
uint32_t bench_call_ret(uint32_t n);
uint32_t bench_compute(uint32_t n);	/* 64 integer-mixing steps per iteration */
uint32_t bench_divide_error(uint32_t n);	/* DIV by zero; the handler skips it */
uint32_t bench_int80(uint32_t n);	/* INT 0x80 to a handler that only IRETs */
/* From ring 3: INT BENCH_VEC_USER_SYSCALL n times, then back to the kernel. */
uint32_t bench_user_syscall(uint32_t n);

/* With paging on (bench_paging_on()) only: */
uint32_t bench_mov_cr3_same(uint32_t n);	/* MOV to CR3 of the current CR3 */
uint32_t bench_invlpg(uint32_t n);	/* INVLPG of one mapped page */
uint32_t bench_page_fault(uint32_t n);	/* read a not-present page; the handler skips it */
uint32_t bench_pte_write(uint32_t n);	/* flip a software bit in a mapped page's PTE */

/* Minimal handlers for the vectors above, in bench_loops.S. */
void bench_handler_iret(void);		/* #BP and INT 0x80: IRET at once */
void bench_handler_divide(void);	/* #DE: resume after the DIV, then IRET */
void bench_handler_page_fault(void);	/* #PF: resume after the page_fault read */
void bench_handler_user_done(void);	/* from ring 3: resume the kernel in bench_user_syscall */

#define BENCH_VEC_SYSCALL	0x80	/* from the kernel itself (DPL-0 gate) */
#define BENCH_VEC_USER_SYSCALL	0x81	/* from user mode (DPL-3 gate) */
#define BENCH_VEC_USER_DONE	0x82	/* user mode's way back to the kernel (DPL 3) */

/* Selectors of the user segments (bench_user.c), RPL 3. */
#define BENCH_SEL_USER_CODE	0x1B
#define BENCH_SEL_USER_DATA	0x23

/* GDT entries for user mode and the TSS; set before guest_gdt_install(). */
void bench_user_descriptors(void);
/* Fill the TSS (the kernel stack for traps from ring 3) and LTR it. */
void bench_user_tss_load(void);
/*
 * A process switch's part of it: ESP0 set (0: the first kernel stack), the
 * live descriptor marked available again and LTR run, as xv6's switchuvm.
 */
void bench_user_tss_switch(uint32_t esp0);

#define BENCH_GDT_TSS		5
#define BENCH_SEL_TSS		SEL_MAKE(BENCH_GDT_TSS, 0)

/* The macro benchmarks (bench_macro.c, bench_macro_loops.S). */
uint32_t bench_spinlock_irqsave(uint32_t n);	/* PUSHF, CLI, APIC ID read, XCHG, store, POPF */
uint32_t bench_syscall_round_trip(uint32_t n);	/* from ring 3: INT to a handler that saves all and calls C */
uint32_t bench_context_switch(uint32_t n);	/* paging on: two process switches with LTR and CR3 */
uint32_t bench_address_space_fill(uint32_t n);	/* paging on: a fork's fresh page tables, used, freed */
void bench_handler_syscall_macro(void);
#define BENCH_VEC_SYSCALL_MACRO	0x83	/* the macro system call (DPL-3 gate) */

/* The page directory bench_paging_on() loaded (its physical address: identity-mapped). */
extern uint32_t bench_paging_cr3;

/*
 * Identity-map the first 4 MiB (the whole image) with 4 KiB pages, map the
 * window the paging loops aim at, and turn paging on; it stays on. Ends the
 * run with GUEST_EXIT_PANIC if the image does not fit.
 */
void bench_paging_on(void);

/*
 * Load an IDT whose gates for #DE, #BP, #PF and INT 0x80 lead straight to the
 * handlers above, and every other vector to the guest library's stubs (so
 * an unexpected trap is still reported). Needs guest_gdt_install() first.
 */
void bench_idt_install(void);

#endif
