/*
 * guests/lib/guest_desc.c: building and loading the guest's GDT and IDT.
 * Runs in: guest.
 */
#include <stdbool.h>

#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"

static struct x86_desc guest_gdt[GUEST_GDT_ENTRIES] __attribute__((aligned(8)));
static struct x86_gate guest_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static bool guest_gdt_loaded;

/* Type, S, DPL 0, P and 32-bit default size: ring-0 code and data. */
#define GUEST_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			  ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define GUEST_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			  (DESC_TYPE_WRITABLE << 8))

static void guest_gdt_load(void)
{
	struct x86_pseudo_desc pd = {
		.limit = GUEST_GDT_LIMIT,
		.base = (uint32_t)guest_gdt,
	};
	lgdt(&pd);
	guest_gdt_loaded = true;
}

void guest_gdt_install(void)
{
	guest_gdt[0] = (struct x86_desc){ 0, 0 };
	guest_gdt[GUEST_SEL_CODE >> 3] = desc_make(0, 0xFFFFFFFFu, GUEST_CODE_FLAGS);
	guest_gdt[GUEST_SEL_DATA >> 3] = desc_make(0, 0xFFFFFFFFu, GUEST_DATA_FLAGS);
	guest_gdt_load();

	/* CS changes only through a far transfer; the others by plain loads. */
	__asm__ volatile("ljmp %0, $1f\n"
			 "1:\n"
			 "movw %w1, %%ds\n"
			 "movw %w1, %%es\n"
			 "movw %w1, %%fs\n"
			 "movw %w1, %%gs\n"
			 "movw %w1, %%ss\n"
			 :
			 : "i"(GUEST_SEL_CODE), "r"(GUEST_SEL_DATA)
			 : "memory");
}

void guest_gdt_write_live(unsigned index, struct x86_desc desc)
{
	if (index < GUEST_GDT_FIRST_FREE || index >= GUEST_GDT_ENTRIES)
		return;
	*(volatile struct x86_desc *)&guest_gdt[index] = desc;
}

void guest_gdt_set(unsigned index, struct x86_desc desc)
{
	if (index < GUEST_GDT_FIRST_FREE || index >= GUEST_GDT_ENTRIES)
		return;
	guest_gdt[index] = desc;
	if (guest_gdt_loaded)
		guest_gdt_load();
}

static void guest_idt_load(void)
{
	struct x86_pseudo_desc pd = {
		.limit = sizeof(guest_idt) - 1,
		.base = (uint32_t)guest_idt,
	};
	lidt(&pd);
}

void guest_idt_install(void)
{
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_idt[v] = gate_make(GUEST_SEL_CODE, guest_trap_stubs[v],
					 DESC_SYS_INT_GATE, 0);
	guest_idt_load();
}

void guest_idt_set_gate_at(unsigned vector, uint32_t offset, unsigned type, unsigned dpl)
{
	if (vector >= GUEST_TRAP_VECTORS)
		return;
	guest_idt[vector] = gate_make(GUEST_SEL_CODE, offset, type, dpl);
	guest_idt_load();
}

void guest_idt_set_gate(unsigned vector, unsigned type, unsigned dpl)
{
	if (vector < GUEST_TRAP_VECTORS)
		guest_idt_set_gate_at(vector, guest_trap_stubs[vector], type, dpl);
}

void guest_desc_init(void)
{
	guest_gdt_install();
	guest_idt_install();
}
