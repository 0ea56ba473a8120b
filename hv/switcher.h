/*
 * hv/switcher.h: every symbol of the switcher (hv/switcher.S) and of the
 * image's layout (hv/hv.ld) that C code uses, declared here once with one
 * type.
 * Runs in: hypervisor, ring 0.
 *
 * The switcher is the one part of the image mapped in both address spaces
 * (hv/layout.h): its code, the real IDT, GDT, TSS and LDT, the words it reads
 * on every trap, and the page the CPU pushes the trap frame onto. The
 * hypervisor writes its tables through its own, writable mapping of them.
 */
#ifndef TV_HV_SWITCHER_H
#define TV_HV_SWITCHER_H

#include <stdint.h>
#include "hv/layout.h"
#include "hv/trap_frame.h"
#include "lib/x86_desc.h"

/* hv/hv.ld: the image's bounds, and where the switcher's bytes really lie. */
extern uint8_t hv_image_start[], __etext_rodata_end[], hv_image_end[];
extern uint8_t hv_switcher_load[];

/* hv/hv.ld: the switcher's pages at SWITCHER_BASE: code, then tables, then the trap stack. */
extern uint8_t switcher_start[], switcher_tables[], switcher_end[];
/*
 * The trap stack: the TSS's ESP0 is its top. Its lowest word holds the
 * cycles of the last switch back to the guest's space (hv/trap_cost.c),
 * the only place the switcher can write once the guest's tables are loaded.
 */
#define SWITCHER_STACK_BYTES 4096
extern uint8_t switcher_stack_page[SWITCHER_STACK_BYTES];

/* The 256 vector stubs, 16 bytes apart (.align 16 in hv/switcher.S). */
#define SWITCHER_VECTOR_STUB_BYTES 16
extern uint8_t switcher_vectors[];

/* The real tables the CPU uses (hv/cpu_tables.c fills them). */
extern struct x86_gate switcher_idt[256];
extern struct x86_desc switcher_gdt[GDT_ENTRIES];
extern struct x86_tss switcher_tss;
extern struct x86_desc switcher_ldt[LDT_ENTRIES];

/* Read by the switcher on every trap: the two page directories and the hypervisor's stack. */
extern uint32_t switcher_hv_cr3, switcher_guest_cr3, switcher_hv_stack_top;
/* Read by the switcher on every trap: offer it to the fast trap path first (hv/fast_trap.h). */
extern uint32_t switcher_fast_trap_on;

/* Written by the switcher: the cycles of the last switch into the hypervisor's space. */
extern uint32_t trap_cost_entry_switch;

/* The first entry into the guest, through the same exit path as every later trap. */
void switcher_enter_guest(struct trap_frame *frame) __attribute__((noreturn));

/* Called by the switcher (hv/trap.c): a trap from the guest, and one from the hypervisor. */
void hv_trap(struct trap_frame *frame);
void hv_fault(const struct trap_frame *frame) __attribute__((noreturn));

#endif
