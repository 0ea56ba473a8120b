/*
 * guests/lib/guest_desc.h: the guest's own GDT and IDT.
 * Runs in: guest.
 *
 * The GDT holds a null descriptor, a flat 4 GiB ring-0 code segment
 * (GUEST_SEL_CODE) and a flat data segment (GUEST_SEL_DATA); entries from
 * GUEST_GDT_FIRST_FREE up are free for a guest's own descriptors. The IDT
 * sends every vector to its stub in guest_traps.S (interrupt gates, DPL 0).
 */
#ifndef TV_GUESTS_LIB_GUEST_DESC_H
#define TV_GUESTS_LIB_GUEST_DESC_H

#include <stdint.h>

#include "lib/x86_desc.h"

#define GUEST_GDT_ENTRIES	16
#define GUEST_GDT_LIMIT		(GUEST_GDT_ENTRIES * 8 - 1)
#define GUEST_SEL_CODE		0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_GDT_FIRST_FREE	3

/* LGDT the table, reload CS with a far jump and DS, ES, FS, GS, SS with GUEST_SEL_DATA. */
void guest_gdt_install(void);

/*
 * Set GDT entry `index` (GUEST_GDT_FIRST_FREE..GUEST_GDT_ENTRIES-1). If the
 * table is installed it is loaded again with LGDT: real hardware reads the
 * table at every segment load, but a hypervisor that shadows it may read it
 * only at LGDT.
 */
void guest_gdt_set(unsigned index, struct x86_desc desc);

/*
 * Write entry index (GUEST_GDT_FIRST_FREE or above) of the loaded GDT in
 * place, without LGDT, as a kernel edits its live GDT: a bare CPU's next
 * segment load of it reads the new descriptor.
 */
void guest_gdt_write_live(unsigned index, struct x86_desc desc);

/* Fill the IDT and LIDT it. Needs guest_gdt_install() first (gates use GUEST_SEL_CODE). */
void guest_idt_install(void);

/*
 * Make vector's gate (still to its stub) of `type` (DESC_SYS_INT_GATE or
 * DESC_SYS_TRAP_GATE) and dpl, then LIDT again: a hypervisor that delivers
 * gates itself may read the table only at LIDT.
 */
void guest_idt_set_gate(unsigned vector, unsigned type, unsigned dpl);

/* The same with a handler of the caller's at offset (not the library's stub). */
void guest_idt_set_gate_at(unsigned vector, uint32_t offset, unsigned type, unsigned dpl);

/* Both of the above: the usual start of a guest that takes traps. */
void guest_desc_init(void);

#endif
