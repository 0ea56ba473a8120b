/*
 * hv/cpu_tables.c: the real descriptor tables.
 * Runs in: hypervisor, ring 0, at boot and when the guest loads a GDT.
 *
 * 1. The GDT holds the guest's shadowed descriptors at the guest's own
 *    indices and the hypervisor's six at the end (hv/layout.h); the guest's
 *    LDT, if it loads one, is shadowed into the switcher's real LDT.
 * 2. Every IDT gate leads to a switcher stub at DPL 0, so a guest's INT n
 *    raises #GP with the vector in the error code instead of reaching a
 *    stub directly: one door into the hypervisor, one frame layout. (With
 *    direct=1, hv/direct.c puts the guest's checked user-mode system call
 *    gates in their place: cpu_tables_set_gate.)
 * 3. The TSS gives the CPU the trap stack for entries from rings 1..3, and
 *    has no I/O permission map, so every port access by the guest traps.
 * The tables are written here through the hypervisor's writable mapping of
 * the switcher; the guest's mapping of them is read-only, which is why every
 * descriptor is installed with its accessed bit already set.
 */
#include "hv/cpu_tables.h"
#include "hv/layout.h"
#include "hv/switcher.h"
#include "hv/patch_inline.h"
#include "lib/string.h"
#include "lib/x86.h"

static uint8_t hv_trap_stack[65536] __attribute__((aligned(16)));

static unsigned ldt_entries;

uint32_t cpu_tables_generation;

const struct x86_desc *cpu_tables_gdt_entry(uint16_t sel)
{
	if (sel & SEL_TI)
		return SEL_INDEX(sel) < ldt_entries ? &switcher_ldt[SEL_INDEX(sel)] : 0;
	/* A selector names up to 8192 entries; the real GDT has GDT_ENTRIES. */
	return SEL_INDEX(sel) < GDT_ENTRIES ? &switcher_gdt[SEL_INDEX(sel)] : 0;
}

void cpu_tables_load_ldt(const struct x86_desc *entries, unsigned n)
{
	cpu_tables_generation++;
	ldt_entries = n < LDT_ENTRIES ? n : LDT_ENTRIES;
	memset(switcher_ldt, 0, LDT_ENTRIES * sizeof switcher_ldt[0]);
	if (!ldt_entries) {
		switcher_gdt[GDT_GUEST_LDT] = (struct x86_desc){ 0, 0 };
		lldt(0);
		return;
	}
	memcpy(switcher_ldt, entries, ldt_entries * sizeof entries[0]);
	switcher_gdt[GDT_GUEST_LDT] = desc_make((uint32_t)switcher_ldt, ldt_entries * 8 - 1,
						DESC_HI_P | DESC_SYS_LDT << 8);
	lldt(SEL_GUEST_LDT);
}

void cpu_tables_set_guest_entry(unsigned i, struct x86_desc d)
{
	if (i < GDT_GUEST_ENTRIES) {
		switcher_gdt[i] = d;
		cpu_tables_generation++;
	}
}

struct x86_gate cpu_tables_hv_gate(unsigned vector)
{
	return gate_make(SEL_HV_CODE, (uint32_t)switcher_vectors + vector * SWITCHER_VECTOR_STUB_BYTES,
			 DESC_SYS_INT_GATE, 0);
}

void cpu_tables_set_gate(unsigned vector, const struct x86_gate *g)
{
	if (vector < 256)
		switcher_idt[vector] = g ? *g : cpu_tables_hv_gate(vector);
}

static void load_hv_segments(void)
{
	__asm__ volatile("ljmp %0, $1f\n1:\n"
			 "movl %1, %%eax\n"
			 "movl %%eax, %%ds\n movl %%eax, %%es\n movl %%eax, %%ss\n"
			 "xorl %%eax, %%eax\n movl %%eax, %%fs\n movl %%eax, %%gs\n"
			 : : "i"(SEL_HV_CODE), "i"(SEL_HV_DATA) : "eax", "memory");
}

void cpu_tables_init(unsigned guest_ring)
{
	const uint32_t code = DESC_HI_P | DESC_HI_S | DESC_HI_DB |
		(DESC_TYPE_CODE | DESC_TYPE_READABLE | DESC_TYPE_ACCESSED) << 8;
	const uint32_t data = DESC_HI_P | DESC_HI_S | DESC_HI_DB |
		(DESC_TYPE_WRITABLE | DESC_TYPE_ACCESSED) << 8;

	memset(switcher_gdt, 0, GDT_ENTRIES * sizeof(struct x86_desc));
	switcher_gdt[GDT_HV_CODE] = desc_make(0, 0xFFFFFFFFu, code);
	switcher_gdt[GDT_HV_DATA] = desc_make(0, 0xFFFFFFFFu, data);
	/*
	 * The segments the guest is entered with: flat as multiboot promises,
	 * but ending below the switcher (real CPUs enforce this; QEMU TCG does
	 * not, which is why the page tables are what really contain the guest).
	 */
	switcher_gdt[GDT_GUEST_BOOT_CODE] = desc_make(0, guest_linear_top() - 1,
						      code | DESC_HI_DPL(guest_ring));
	switcher_gdt[GDT_GUEST_BOOT_DATA] = desc_make(0, guest_linear_top() - 1,
						      data | DESC_HI_DPL(guest_ring));

	memset(&switcher_tss, 0, sizeof switcher_tss);
	switcher_tss.ss0 = SEL_HV_DATA;
	switcher_tss.esp0 = (uint32_t)switcher_stack_page + SWITCHER_STACK_BYTES;
	switcher_tss.iomap_base = sizeof switcher_tss;	/* no map: all ports trap */
	switcher_gdt[GDT_HV_TSS] = desc_make((uint32_t)&switcher_tss,
					     sizeof switcher_tss - 1,
					     DESC_HI_P | DESC_SYS_TSS_AVAIL << 8);

	for (unsigned v = 0; v < 256; v++)
		switcher_idt[v] = cpu_tables_hv_gate(v);

	switcher_hv_stack_top = (uint32_t)(hv_trap_stack + sizeof hv_trap_stack);

	struct x86_pseudo_desc gdtr = { GDT_ENTRIES * 8 - 1, (uint32_t)switcher_gdt };
	struct x86_pseudo_desc idtr = { 256 * 8 - 1, (uint32_t)switcher_idt };
	lgdt(&gdtr);
	lidt(&idtr);
	load_hv_segments();
	ltr(SEL_HV_TSS);	/* sets the busy bit: before CR0.WP protects the table */
	write_cr0(read_cr0() | CR0_WP);
}

/* Can the switcher's IRET return to this CS at cpl? (Intel SDM, IRET: the code-segment checks.) */
int cpu_tables_code_ok(uint16_t sel, unsigned cpl)
{
	const struct x86_desc *d = cpu_tables_gdt_entry(sel);
	if (SEL_RPL(sel) != cpl || !d || !DESC_P(*d) || !DESC_S(*d) ||
	    !(DESC_TYPE(*d) & DESC_TYPE_CODE))
		return 0;
	if (DESC_TYPE(*d) & DESC_TYPE_CONFORMING)
		return DESC_DPL(*d) <= cpl;
	return DESC_DPL(*d) == cpl;
}

/* Can it return to this SS: a present, writable data segment of exactly that privilege. */
int cpu_tables_stack_ok(uint16_t sel, unsigned cpl)
{
	const struct x86_desc *d = cpu_tables_gdt_entry(sel);
	return SEL_RPL(sel) == cpl && d && DESC_P(*d) && DESC_S(*d) &&
	       !(DESC_TYPE(*d) & DESC_TYPE_CODE) && (DESC_TYPE(*d) & DESC_TYPE_WRITABLE) &&
	       DESC_DPL(*d) == cpl;
}
