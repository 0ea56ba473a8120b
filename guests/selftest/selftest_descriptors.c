/*
 * guests/selftest/selftest_descriptors.c: LGDT with a far jump to reload CS,
 * reloading the data segment registers, and LIDT.
 * Runs in: guest.
 *
 * The selftest's own descriptors are written before LGDT so that a
 * hypervisor that reads the table only at LGDT sees them.
 */
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/selftest/selftest.h"
#include "lib/x86.h"

#define SELFTEST_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			     (DESC_TYPE_WRITABLE << 8))

static volatile uint32_t selftest_lidt_vector_seen;

static void selftest_lidt_handler(struct guest_trap_frame *frame)
{
	selftest_lidt_vector_seen = frame->vector;
}

void selftest_descriptors(void)
{
	guest_gdt_set(SELFTEST_SEL_BASED >> 3,
		      desc_make(SELFTEST_BASED_BASE, SELFTEST_BASED_LIMIT,
				SELFTEST_DATA_FLAGS));
	guest_gdt_set(SELFTEST_SEL_ABSENT >> 3,
		      desc_make(0, 0xFFFFFFFFu, SELFTEST_DATA_FLAGS & ~DESC_HI_P));
	guest_gdt_set(SELFTEST_SEL_FLAT2 >> 3,
		      desc_make(0, 0xFFFFFFFFu, SELFTEST_DATA_FLAGS));

	/* Returning here at all means the far jump through the new GDT worked. */
	guest_gdt_install();
	uint16_t cs = read_cs();
	guest_test_check((cs & SELFTEST_SEL_MASK) == GUEST_SEL_CODE,
			 "lgdt-far-jump-reloads-cs", "CS is 0x%x, want index of 0x%x",
			 cs, GUEST_SEL_CODE);

	const struct {
		const char *name;
		uint16_t sel;
	} data[] = {
		{ "lgdt-reloads-ds", read_ds() },
		{ "lgdt-reloads-es", read_es() },
		{ "lgdt-reloads-fs", read_fs() },
		{ "lgdt-reloads-gs", read_gs() },
		{ "lgdt-reloads-ss", read_ss() },
	};
	for (unsigned i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		guest_test_check((data[i].sel & SELFTEST_SEL_MASK) == GUEST_SEL_DATA,
				 data[i].name, "selector is 0x%x, want index of 0x%x",
				 data[i].sel, GUEST_SEL_DATA);

	/*
	 * A descriptor written into the live GDT after LGDT is what the next
	 * load gets: here a based data segment at an entry that was empty.
	 */
	guest_gdt_write_live(SELFTEST_SEL_LATE >> 3,
			     desc_make(SELFTEST_BASED_BASE, SELFTEST_BASED_LIMIT,
				       SELFTEST_DATA_FLAGS));
	volatile uint32_t *flat = (volatile uint32_t *)(SELFTEST_BASED_BASE + 0x40);
	uint32_t seen;
	*flat = 0x5E1F7E57u;
	__asm__ volatile("push %%fs\n\t"
			 "movw %w1, %%fs\n\t"
			 "movl %%fs:0x40, %0\n\t"
			 "pop %%fs"
			 : "=r"(seen) : "r"(SELFTEST_SEL_LATE) : "memory");
	guest_test_check(seen == 0x5E1F7E57u, "gdt-entry-written-after-lgdt-loads",
			 "read 0x%x through it, want 0x5e1f7e57", seen);

	guest_idt_install();
	guest_trap_set_handler(0x41, selftest_lidt_handler);
	__asm__ volatile("int $0x41" ::: "memory");
	guest_trap_set_handler(0x41, 0);
	guest_test_check(selftest_lidt_vector_seen == 0x41,
			 "lidt-own-idt-takes-int", "handler saw vector 0x%x",
			 selftest_lidt_vector_seen);
}
