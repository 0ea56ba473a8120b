/*
 * guests/pc_probe/pc_probe_gdt.c: a GDT of 2,064 entries (16.5 KiB, five
 * pages), loaded with LGDT and then edited, as some kernels build theirs:
 * a descriptor written after LGDT is what the next segment load gets, on a
 * bare CPU, which reads the table in memory at every load.
 * Runs in: guest.
 *
 * Entries 1 and 2 are the guest library's code and data segments, so the
 * IDT's gates and the stack stay valid under the new table.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/x86.h"

#define BIG_GDT_ENTRIES	2064
#define LATE_INDEX	(BIG_GDT_ENTRIES - 1)
#define DATA_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | (DESC_TYPE_WRITABLE << 8))
#define CODE_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			 ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))

static struct x86_desc big_gdt[BIG_GDT_ENTRIES] __attribute__((aligned(8)));
static volatile uint32_t marker_a = 0x600DA11Au, marker_b = 0xB16B00B5u;
static volatile unsigned gp_taken;
static volatile uint32_t gp_resume;

static void on_gp(struct guest_trap_frame *frame)
{
	gp_taken++;
	frame->eip = gp_resume;
}

static uint32_t read_fs0(uint16_t sel)
{
	uint32_t v;

	__asm__ volatile("movw %w1, %%fs\n"
			 "movl %%fs:0, %0\n"
			 "movw %w2, %%fs\n"
			 : "=r"(v)
			 : "r"(sel), "r"(GUEST_SEL_DATA)
			 : "memory");
	return v;
}

void pc_probe_gdt(void)
{
	big_gdt[GUEST_SEL_CODE >> 3] = desc_make(0, 0xFFFFFFFFu, CODE_FLAGS);
	big_gdt[GUEST_SEL_DATA >> 3] = desc_make(0, 0xFFFFFFFFu, DATA_FLAGS);
	struct x86_pseudo_desc pd = {
		.limit = sizeof(big_gdt) - 1,
		.base = (uint32_t)big_gdt,
	};
	lgdt(&pd);
	__asm__ volatile("ljmp %0, $1f\n"
			 "1:\n"
			 "movw %w1, %%ds\n"
			 "movw %w1, %%es\n"
			 "movw %w1, %%ss\n"
			 :
			 : "i"(GUEST_SEL_CODE), "r"(GUEST_SEL_DATA)
			 : "memory");
	guest_test_pass("big-gdt-loaded");

	/* Written after LGDT, in the table's fifth page: no second LGDT. */
	uint16_t late = (uint16_t)(LATE_INDEX << 3);
	big_gdt[LATE_INDEX] = desc_make((uint32_t)&marker_a, 0xFFF, DATA_FLAGS);
	uint32_t got = read_fs0(late);
	guest_test_check(got == marker_a, "big-gdt-entry-written-after-lgdt",
			 "FS through entry %u read 0x%x, want 0x%x", LATE_INDEX, got, marker_a);
	big_gdt[LATE_INDEX] = desc_make((uint32_t)&marker_b, 0xFFF, DATA_FLAGS);
	got = read_fs0(late);
	guest_test_check(got == marker_b, "big-gdt-entry-rewritten",
			 "FS through entry %u read 0x%x after its base changed, want 0x%x",
			 LATE_INDEX, got, marker_b);

	/* One past the limit is #GP, however large the table. */
	guest_trap_set_handler(VEC_GP, on_gp);
	uint16_t beyond = (uint16_t)(BIG_GDT_ENTRIES << 3);
	__asm__ volatile("movl $2f, %0\n"
			 "movw %w1, %%fs\n"
			 "2:\n"
			 : "=m"(gp_resume)
			 : "r"(beyond)
			 : "memory");
	guest_trap_set_handler(VEC_GP, 0);
	guest_test_check(gp_taken == 1, "big-gdt-beyond-limit-gp",
			 "selector 0x%x past the limit: %u #GP", beyond, gp_taken);
}
