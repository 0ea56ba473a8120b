/*
 * guests/selftest/selftest_segments.c: loading segment registers and using
 * what was loaded.
 * Runs in: guest.
 *
 * A deprivileged guest's descriptors are rewritten by the hypervisor (DPL,
 * limits) and its selectors may need fixing up, SS above all, whose RPL
 * must equal the CPL. Whatever the hypervisor does, a based segment must
 * still add its base, a new stack segment must still hold the stack, and a
 * pushed segment register must pop back.
 */
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"
#include "lib/x86.h"

/* Offsets inside the based segment, far below its limit. */
#define SELFTEST_OFF_WRITE	0x10u
#define SELFTEST_OFF_READ	0x20u

/* One segment register usable for based accesses: FS or GS. */
struct selftest_sreg {
	const char *write_name;
	const char *read_name;
	void (*load)(uint16_t sel);
	uint32_t (*read32)(uint32_t off);
	void (*write32)(uint32_t off, uint32_t v);
};

static void load_fs(uint16_t sel) { __asm__ volatile("movw %0, %%fs" : : "r"(sel)); }
static void load_gs(uint16_t sel) { __asm__ volatile("movw %0, %%gs" : : "r"(sel)); }

static uint32_t read_fs32(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
	return v;
}

static uint32_t read_gs32(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
	return v;
}

static void write_fs32(uint32_t off, uint32_t v)
{
	__asm__ volatile("movl %1, %%fs:(%0)" : : "r"(off), "r"(v) : "memory");
}

static void write_gs32(uint32_t off, uint32_t v)
{
	__asm__ volatile("movl %1, %%gs:(%0)" : : "r"(off), "r"(v) : "memory");
}

static const struct selftest_sreg selftest_sregs[] = {
	{ "fs-based-write", "fs-based-read", load_fs, read_fs32, write_fs32 },
	{ "gs-based-write", "gs-based-read", load_gs, read_gs32, write_gs32 },
};

static void selftest_based_segment(const struct selftest_sreg *r, uint32_t seed)
{
	volatile uint32_t *flat_w = (volatile uint32_t *)(SELFTEST_BASED_BASE + SELFTEST_OFF_WRITE);
	volatile uint32_t *flat_r = (volatile uint32_t *)(SELFTEST_BASED_BASE + SELFTEST_OFF_READ);

	*flat_w = 0;
	*flat_r = seed ^ 0xFFFFFFFFu;
	r->load(SELFTEST_SEL_BASED);
	r->write32(SELFTEST_OFF_WRITE, seed);
	uint32_t via_seg = r->read32(SELFTEST_OFF_READ);
	r->load(GUEST_SEL_DATA);

	guest_test_check(*flat_w == seed, r->write_name,
			 "wrote 0x%08x at seg:0x%x, flat 0x%x holds 0x%08x", seed,
			 SELFTEST_OFF_WRITE, SELFTEST_BASED_BASE + SELFTEST_OFF_WRITE,
			 *flat_w);
	guest_test_check(via_seg == (seed ^ 0xFFFFFFFFu), r->read_name,
			 "seg:0x%x read 0x%08x, flat 0x%x holds 0x%08x",
			 SELFTEST_OFF_READ, via_seg,
			 SELFTEST_BASED_BASE + SELFTEST_OFF_READ, *flat_r);
}

void selftest_segments(void)
{
	for (unsigned i = 0; i < sizeof(selftest_sregs) / sizeof(selftest_sregs[0]); i++)
		selftest_based_segment(&selftest_sregs[i], 0xC0FFEE00u + i);

	uint32_t ss_seen = 0;
	uint32_t echoed = selftest_use_stack_segment(SELFTEST_SEL_FLAT2, &ss_seen);
	guest_test_check((ss_seen & SELFTEST_SEL_MASK) == SELFTEST_SEL_FLAT2,
			 "mov-ss-loads-selector", "SS read back as 0x%x, want index of 0x%x",
			 ss_seen, SELFTEST_SEL_FLAT2);
	guest_test_check(echoed == 0x600DCAFEu, "stack-works-after-mov-ss",
			 "push/call/ret/pop gave 0x%08x", echoed);

	uint32_t popped;
	__asm__ volatile("pushl %%ds\n"
			 "popl %%ds\n"
			 "pushl %%ds\n"
			 "popl %0\n"
			 : "=r"(popped) : : "memory");
	uint16_t ds = read_ds();
	guest_test_check((ds & SELFTEST_SEL_MASK) == GUEST_SEL_DATA &&
				 (popped & SELFTEST_SEL_MASK) == GUEST_SEL_DATA,
			 "push-pop-ds", "DS 0x%x after pop, pushed value 0x%x", ds,
			 popped & 0xFFFFu);
}
