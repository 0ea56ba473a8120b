/*
 * hv/cpu_tables.h: the real GDT, IDT and TSS, which live in the switcher.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_CPU_TABLES_H
#define TV_HV_CPU_TABLES_H

#include <stdint.h>
#include "lib/x86_desc.h"

/* Build and load the GDT, IDT and TSS; guest_ring sets the boot segments' DPL. */
void cpu_tables_init(unsigned guest_ring);

/* The real descriptor behind a guest selector, GDT or LDT (NULL if outside the table). */
const struct x86_desc *cpu_tables_gdt_entry(uint16_t sel);

/*
 * Could a ring-0 IRET load this selector as CS, or as SS, for a return to
 * cpl? Checked before any guest-chosen selector goes into a trap frame, so
 * the switcher's IRET never faults.
 */
int cpu_tables_code_ok(uint16_t sel, unsigned cpl);
int cpu_tables_stack_ok(uint16_t sel, unsigned cpl);

/* Install n shadowed guest LDT entries as the real LDT (n = 0: no LDT). */
void cpu_tables_load_ldt(const struct x86_desc *entries, unsigned n);

/* The hypervisor's own gate for a vector: to its stub, DPL 0. */
struct x86_gate cpu_tables_hv_gate(unsigned vector);

/*
 * Real IDT gate `vector`: *g (a direct system call gate, checked by
 * hv/direct.c), or with g NULL the hypervisor's own stub again.
 */
void cpu_tables_set_gate(unsigned vector, const struct x86_gate *g);

/* Put a shadowed guest descriptor at index i (i < GDT_GUEST_ENTRIES). */
void cpu_tables_set_guest_entry(unsigned i, struct x86_desc d);

/*
 * Counts the changes to the real GDT and LDT: a selector the CPU loaded
 * while it held one value was checked against the tables as they are.
 */
extern uint32_t cpu_tables_generation;

#endif
