/*
 * guests/sensitive_probe/probe_tables.c: the probe's own GDT and IDT.
 * Runs in: guest.
 *
 * The probe needs descriptors guests/lib does not give (a TSS for LTR, an
 * LDT for LLDT) and the pseudo-descriptors of its tables in memory, so that
 * the LGDT and LIDT rows can load the tables that are already loaded: a
 * row must change nothing the next row relies on. Entries 1 and 2 are
 * those of guests/lib, so the segment registers stay valid across the
 * switch. Code and data descriptors have their accessed bit set in
 * advance: otherwise the CPU sets it on first use and LAR would read a
 * bit that depends on history, not on the instruction.
 */
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_trap.h"
#include "guests/sensitive_probe/probe.h"
#include "lib/x86.h"
#include "lib/x86_desc.h"

#define PROBE_GDT_ENTRIES	8

#define PROBE_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			  ((DESC_TYPE_CODE | DESC_TYPE_READABLE | DESC_TYPE_ACCESSED) << 8))
#define PROBE_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			  ((DESC_TYPE_WRITABLE | DESC_TYPE_ACCESSED) << 8))
#define PROBE_TSS_FLAGS	 (DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8))
#define PROBE_LDT_FLAGS	 (DESC_HI_P | (DESC_SYS_LDT << 8))

static struct x86_desc probe_gdt[PROBE_GDT_ENTRIES] __attribute__((aligned(8)));
static struct x86_gate probe_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static struct x86_tss probe_tss __attribute__((aligned(128)));
/* The LDT the LLDT row loads: a null entry and one flat data segment. */
static struct x86_desc probe_ldt[2] __attribute__((aligned(8)));

/* Read by the LGDT and LIDT probes (probe_stubs.S). */
struct x86_pseudo_desc probe_gdtr __attribute__((aligned(8)));
struct x86_pseudo_desc probe_idtr __attribute__((aligned(8)));

void probe_tables_install(void)
{
	/* guests/lib first: flat segments loaded, a handler for any early trap. */
	guest_desc_init();

	probe_gdt[PROBE_SEL_CODE >> 3] = desc_make(0, 0xFFFFFFFFu, PROBE_CODE_FLAGS);
	probe_gdt[PROBE_SEL_DATA >> 3] = desc_make(0, 0xFFFFFFFFu, PROBE_DATA_FLAGS);
	probe_tss.ss0 = PROBE_SEL_DATA;
	probe_tss.iomap_base = sizeof(probe_tss);	/* no I/O bitmap */
	probe_gdt[PROBE_SEL_TSS >> 3] = desc_make((uint32_t)&probe_tss, sizeof(probe_tss) - 1,
						  PROBE_TSS_FLAGS);
	probe_ldt[1] = desc_make(0, 0xFFFFFFFFu, PROBE_DATA_FLAGS);
	probe_gdt[PROBE_SEL_LDT >> 3] = desc_make((uint32_t)probe_ldt, sizeof(probe_ldt) - 1,
						  PROBE_LDT_FLAGS);
	probe_gdtr.limit = sizeof(probe_gdt) - 1;
	probe_gdtr.base = (uint32_t)probe_gdt;
	lgdt(&probe_gdtr);

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		probe_idt[v] = gate_make(PROBE_SEL_CODE, guest_trap_stubs[v], DESC_SYS_INT_GATE, 0);
	probe_idtr.limit = sizeof(probe_idt) - 1;
	probe_idtr.base = (uint32_t)probe_idt;
	lidt(&probe_idtr);
}
