/*
 * tests/unit/test_direct_gate.c: the rules for a direct system call gate
 * and its stack (deprivilege/direct_gate.c), one table row per rule, each
 * with the reason the hypervisor cannot do without it.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/direct_gate.h"

#define TOP		0xFFC00000u	/* where the switcher begins */
#define HANDLER		0x00101234u

#define CODE_FLAGS(dpl) (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(dpl) | \
			 ((DESC_TYPE_CODE | DESC_TYPE_READABLE | DESC_TYPE_ACCESSED) << 8))
#define DATA_FLAGS(dpl) (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(dpl) | \
			 ((DESC_TYPE_WRITABLE | DESC_TYPE_ACCESSED) << 8))

/* The guest kernel's code segment as the hypervisor shadows it for ring 1: limit below the switcher. */
static struct x86_desc kernel_code(void)
{
	return desc_make(0, TOP - 1, CODE_FLAGS(1));
}

struct gate_row {
	const char *what;
	struct x86_gate gate;
	int code_kind;		/* 0: the ring-1 kernel code; 1: none; 2..: variations below */
	unsigned ring;
	int ok;
};

enum { KERNEL_CODE, NO_CODE, CODE_DPL0, CODE_DPL3, CODE_CONFORMING, CODE_16BIT, CODE_ABSENT,
       DATA_SEG, CODE_SHORT };

static struct x86_desc code_of(int kind)
{
	switch (kind) {
	case CODE_DPL0: return desc_make(0, TOP - 1, CODE_FLAGS(0));
	case CODE_DPL3: return desc_make(0, TOP - 1, CODE_FLAGS(3));
	case CODE_CONFORMING:
		return desc_make(0, TOP - 1, CODE_FLAGS(1) | (DESC_TYPE_CONFORMING << 8));
	case CODE_16BIT: return desc_make(0, TOP - 1, CODE_FLAGS(1) & ~DESC_HI_DB);
	case CODE_ABSENT: return desc_make(0, TOP - 1, CODE_FLAGS(1) & ~DESC_HI_P);
	case DATA_SEG: return desc_make(0, TOP - 1, DATA_FLAGS(1));
	case CODE_SHORT: return desc_make(0, 0x000FFFFFu, CODE_FLAGS(1) & ~DESC_HI_G);
	default: return kernel_code();
	}
}

static const struct gate_row gate_rows[] = {
	{ "xv6's T_SYSCALL: DPL-3 trap gate to kernel code",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, KERNEL_CODE, 1, 1 },
	{ "interrupt gate: would clear the real IF",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_INT_GATE, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "DPL 0: a kernel-mode INT, frame and IRET need the hypervisor",
	  { 0x1234, 0x08, 0, 0x80 | DESC_SYS_TRAP_GATE, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "not present", { 0x1234, 0x08, 0, (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 },
	  KERNEL_CODE, 1, 0 },
	{ "16-bit trap gate", { 0x1234, 0x08, 0, 0x80 | (3 << 5) | 0x7, 0x0010 },
	  KERNEL_CODE, 1, 0 },
	{ "task gate", { 0, 0x28, 0, 0x80 | (3 << 5) | DESC_SYS_TASK_GATE, 0 }, KERNEL_CODE, 1, 0 },
	{ "a code descriptor in the IDT (S set)",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | 0x10 | DESC_SYS_TRAP_GATE, 0x0010 },
	  KERNEL_CODE, 1, 0 },
	{ "guest kernel in ring 3: no ring of its own",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, KERNEL_CODE, 3, 0 },
	{ "null selector", { 0x1234, 0x00, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 },
	  KERNEL_CODE, 1, 0 },
	{ "LDT selector", { 0x1234, 0x0C, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 },
	  KERNEL_CODE, 1, 0 },
	{ "selector beyond the guest's entries (the hypervisor's)",
	  { 0x1234, 0xFFF8, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, NO_CODE, 1, 0 },
	{ "code segment of DPL 0 in the real GDT: ring 0 is the hypervisor's",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, CODE_DPL0, 1, 0 },
	{ "user code segment: a gate from ring 3 to ring 3 switches no stack",
	  { 0x1234, 0x1B, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, CODE_DPL3, 1, 0 },
	{ "conforming code: the handler would run in ring 3",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, CODE_CONFORMING, 1, 0 },
	{ "16-bit code segment", { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 },
	  CODE_16BIT, 1, 0 },
	{ "code segment not present",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, CODE_ABSENT, 1, 0 },
	{ "a data segment", { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 },
	  DATA_SEG, 1, 0 },
	{ "offset into the switcher, beyond the shadowed limit",
	  { 0x0000, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0xFFC0 }, KERNEL_CODE, 1, 0 },
	{ "offset beyond a short limit",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, CODE_SHORT, 1, 0 },
	{ "offset at a short limit's last byte",
	  { 0xFFFF, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x000F }, CODE_SHORT, 1, 1 },
};

START_TEST(gate_rule)
{
	const struct gate_row *r = &gate_rows[_i];
	struct x86_desc code = code_of(r->code_kind);
	const char *why = "unset";
	int ok = direct_gate_check(r->gate, r->code_kind == NO_CODE ? NULL : &code, r->ring, &why);

	ck_assert_msg(ok == r->ok, "%s: got %d (%s)", r->what, ok, why ? why : "no reason");
	if (ok)
		ck_assert_ptr_null(why);
	else
		ck_assert_ptr_nonnull(why);
}
END_TEST

/* The real gate: the guest's handler, a trap gate of DPL 3, the selector's RPL the ring. */
START_TEST(gate_made)
{
	struct x86_gate g = gate_rows[0].gate;
	struct x86_gate real = direct_gate_make(g, 1);

	ck_assert_uint_eq(GATE_OFFSET(real), HANDLER);
	ck_assert_uint_eq(real.selector, 0x09);
	ck_assert_uint_eq(GATE_TYPE(real), DESC_SYS_TRAP_GATE);
	ck_assert_uint_eq(GATE_DPL(real), 3);
	ck_assert(GATE_P(real));
}
END_TEST

/*
 * Kernel gates (DPL 0, under the inline mode: direct_kernel_gate_check):
 * interrupt and trap gates alike, since the real gate is a trap gate to an
 * entry stub that clears the virtual IF; the code segment rules as above.
 */
static const struct gate_row kernel_gate_rows[] = {
	{ "xv6's and Linux's #DE: DPL-0 interrupt gate to kernel code",
	  { 0x1234, 0x08, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 }, KERNEL_CODE, 1, 1 },
	{ "DPL-0 trap gate", { 0x1234, 0x08, 0, 0x80 | DESC_SYS_TRAP_GATE, 0x0010 }, KERNEL_CODE, 1, 1 },
	{ "DPL 3: a system call gate, direct_gate_check's",
	  { 0x1234, 0x08, 0, 0x80 | (3 << 5) | DESC_SYS_TRAP_GATE, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "DPL 1: no gate a ring-0 kernel would use from ring 0 alone",
	  { 0x1234, 0x08, 0, 0x80 | (1 << 5) | DESC_SYS_INT_GATE, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "not present", { 0x1234, 0x08, 0, DESC_SYS_INT_GATE, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "16-bit interrupt gate", { 0x1234, 0x08, 0, 0x80 | 0x6, 0x0010 }, KERNEL_CODE, 1, 0 },
	{ "task gate", { 0, 0x28, 0, 0x80 | DESC_SYS_TASK_GATE, 0 }, KERNEL_CODE, 1, 0 },
	{ "guest kernel in ring 3", { 0x1234, 0x08, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 },
	  KERNEL_CODE, 3, 0 },
	{ "selector beyond the guest's entries", { 0x1234, 0xFFF8, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 },
	  NO_CODE, 1, 0 },
	{ "code segment of DPL 0: ring 0 is the hypervisor's",
	  { 0x1234, 0x08, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 }, CODE_DPL0, 1, 0 },
	{ "user code segment", { 0x1234, 0x1B, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 }, CODE_DPL3, 1, 0 },
	{ "conforming code", { 0x1234, 0x08, 0, 0x80 | DESC_SYS_INT_GATE, 0x0010 }, CODE_CONFORMING, 1, 0 },
	{ "offset into the switcher", { 0x0000, 0x08, 0, 0x80 | DESC_SYS_INT_GATE, 0xFFC0 },
	  KERNEL_CODE, 1, 0 },
	{ "offset beyond a short limit", { 0x1234, 0x08, 0, 0x80 | DESC_SYS_TRAP_GATE, 0x0010 },
	  CODE_SHORT, 1, 0 },
};

START_TEST(kernel_gate_rule)
{
	const struct gate_row *r = &kernel_gate_rows[_i];
	struct x86_desc code = code_of(r->code_kind);
	const char *why = "unset";
	int ok = direct_kernel_gate_check(r->gate, r->code_kind == NO_CODE ? NULL : &code, r->ring,
					  &why);

	ck_assert_msg(ok == r->ok, "%s: got %d (%s)", r->what, ok, why ? why : "no reason");
	if (ok)
		ck_assert_ptr_null(why);
	else
		ck_assert_ptr_nonnull(why);
}
END_TEST

/*
 * The real kernel gate: a TRAP gate (the real IF stays 1) of DPL 1, so the
 * kernel's INT n reaches it and user mode's faults, to the entry stub.
 */
START_TEST(kernel_gate_made)
{
	struct x86_gate real = direct_kernel_gate_make(kernel_gate_rows[0].gate, 1, 0xFFD21010u);

	ck_assert_uint_eq(GATE_OFFSET(real), 0xFFD21010u);
	ck_assert_uint_eq(real.selector, 0x09);
	ck_assert_uint_eq(GATE_TYPE(real), DESC_SYS_TRAP_GATE);
	ck_assert_uint_eq(GATE_DPL(real), 1);
	ck_assert(GATE_P(real));
}
END_TEST

struct stack_row {
	const char *what;
	uint16_t ss0;
	int has_desc;		/* the kernel data segment of ring 1, or none */
	uint32_t esp0;
	int ok;
};

static const struct stack_row stack_rows[] = {
	{ "xv6: kernel data, a kernel stack", 0x11, 1, 0x8010A000u, 1 },
	{ "null selector", 0x01, 1, 0x8010A000u, 0 },
	{ "LDT selector", 0x15, 1, 0x8010A000u, 0 },
	{ "no descriptor", 0x11, 0, 0x8010A000u, 0 },
	{ "frame would reach into the switcher", 0x11, 1, 0xFFC15000u, 0 },
	{ "top of guest space exactly", 0x11, 1, 0xFFC00000u, 1 },
	{ "frame would wrap below 0", 0x11, 1, 16, 0 },
};

START_TEST(stack_rule)
{
	const struct stack_row *r = &stack_rows[_i];
	struct x86_desc d = desc_make(0, TOP - 1, DATA_FLAGS(1));
	const char *why = "unset";
	int ok = direct_stack_check(r->ss0, r->has_desc ? &d : NULL, 1, r->esp0, TOP, &why);

	ck_assert_msg(ok == r->ok, "%s: got %d (%s)", r->what, ok, why ? why : "no reason");
}
END_TEST

/* The stack segment itself: a present, writable data segment of the ring. */
START_TEST(stack_segment_kinds)
{
	struct x86_desc user = desc_make(0, TOP - 1, DATA_FLAGS(3));
	struct x86_desc read_only = desc_make(0, TOP - 1, DATA_FLAGS(1) & ~(DESC_TYPE_WRITABLE << 8));
	struct x86_desc code = kernel_code();
	struct x86_desc absent = desc_make(0, TOP - 1, DATA_FLAGS(1) & ~DESC_HI_P);
	const char *why;

	ck_assert(!direct_stack_check(0x23, &user, 1, 0x1000, TOP, &why));
	ck_assert(!direct_stack_check(0x11, &read_only, 1, 0x1000, TOP, &why));
	ck_assert(!direct_stack_check(0x09, &code, 1, 0x1000, TOP, &why));
	ck_assert(!direct_stack_check(0x11, &absent, 1, 0x1000, TOP, &why));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("direct_gate");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, gate_rule, 0, sizeof(gate_rows) / sizeof(gate_rows[0]));
	tcase_add_test(tc, gate_made);
	tcase_add_loop_test(tc, kernel_gate_rule, 0,
			    sizeof(kernel_gate_rows) / sizeof(kernel_gate_rows[0]));
	tcase_add_test(tc, kernel_gate_made);
	tcase_add_loop_test(tc, stack_rule, 0, sizeof(stack_rows) / sizeof(stack_rows[0]));
	tcase_add_test(tc, stack_segment_kinds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
