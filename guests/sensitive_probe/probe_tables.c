/*
 * guests/sensitive_probe/probe_tables.c: the probe's own GDT and IDT.
 * Runs in: guest.
 *
 * The probe needs descriptors guests/lib does not give (a TSS for LTR, an
 * LDT for LLDT, data segments whose base is a known word) and the
 * pseudo-descriptors of its tables in memory, for the LGDT and LIDT rows.
 * Those rows must show that the new table is in use, yet change nothing
 * the next row relies on, so each loads a table that is the one in use
 * plus one difference a later instruction of the row can see:
 *   - the GDT is installed with a limit that ends before
 *     PROBE_SEL_LGDT_MARK; the LGDT row loads the same array with its full
 *     limit, and only then can that selector be loaded;
 *   - the LIDT row loads a copy of the IDT whose gate PROBE_LIDT_VECTOR
 *     leads to the handler of the next vector, so INT PROBE_LIDT_VECTOR
 *     reports the other vector only through the new table.
 * Entries 1 and 2 are those of guests/lib, so the segment registers stay
 * valid across the switch. Code and data descriptors have their accessed
 * bit set in advance: otherwise the CPU sets it on first use and LAR would
 * read a bit that depends on history, not on the instruction.
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

/* The first GDT ends before this entry; the LGDT row's includes it. */
#define PROBE_GDT_FIRST_ENTRIES	(PROBE_SEL_LGDT_MARK >> 3)

struct x86_desc probe_gdt[PROBE_GDT_ENTRIES] __attribute__((aligned(8)));
static struct x86_gate probe_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static struct x86_gate probe_idt_lidt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static struct x86_tss probe_tss __attribute__((aligned(128)));
/* The LDT the LLDT row loads: a null entry and one data segment on a mark. */
static struct x86_desc probe_ldt[2] __attribute__((aligned(8)));

/* Distinct words, so a read through the wrong segment cannot pass for the right one. */
const uint32_t probe_marks[PROBE_MARKS] __attribute__((aligned(8))) = {
	[PROBE_MARK_SEG] = 0x5E6D0A28u,
	[PROBE_MARK_LGDT] = 0x5E6D0B30u,
	[PROBE_MARK_LDT] = 0x5E6D0C0Cu,
};

/* Read by the LGDT and LIDT probes (probe_stubs.S). */
struct x86_pseudo_desc probe_gdtr __attribute__((aligned(8)));
struct x86_pseudo_desc probe_idtr_lidt __attribute__((aligned(8)));

/* A data segment of four bytes whose base is one of probe_marks. */
static struct x86_desc probe_mark_desc(unsigned mark)
{
	return desc_make((uint32_t)&probe_marks[mark], sizeof(probe_marks[0]) - 1,
			 PROBE_DATA_FLAGS);
}

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
	probe_ldt[1] = probe_mark_desc(PROBE_MARK_LDT);
	probe_gdt[PROBE_SEL_LDT >> 3] = desc_make((uint32_t)probe_ldt, sizeof(probe_ldt) - 1,
						  PROBE_LDT_FLAGS);
	probe_gdt[PROBE_SEL_MARK >> 3] = probe_mark_desc(PROBE_MARK_SEG);
	probe_gdt[PROBE_SEL_LGDT_MARK >> 3] = probe_mark_desc(PROBE_MARK_LGDT);
	struct x86_pseudo_desc first_gdtr = {
		.limit = PROBE_GDT_FIRST_ENTRIES * sizeof(probe_gdt[0]) - 1,
		.base = (uint32_t)probe_gdt,
	};
	lgdt(&first_gdtr);
	probe_gdtr.limit = sizeof(probe_gdt) - 1;
	probe_gdtr.base = (uint32_t)probe_gdt;

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++) {
		probe_idt[v] = gate_make(PROBE_SEL_CODE, guest_trap_stubs[v], DESC_SYS_INT_GATE, 0);
		probe_idt_lidt[v] = probe_idt[v];
	}
	probe_idt_lidt[PROBE_LIDT_VECTOR] = probe_idt[PROBE_LIDT_VECTOR + 1];
	struct x86_pseudo_desc idtr = {
		.limit = sizeof(probe_idt) - 1,
		.base = (uint32_t)probe_idt,
	};
	lidt(&idtr);
	probe_idtr_lidt.limit = sizeof(probe_idt_lidt) - 1;
	probe_idtr_lidt.base = (uint32_t)probe_idt_lidt;
}
