/*
 * tests/unit/test_interrupt_shadow.c: the one-instruction interrupt shadow
 * of STI and MOV SS, held by address until that instruction has run
 * (deprivilege/interrupt_shadow.c).
 * Runs on: host (Check).
 *
 * Intel SDM vol. 2B, STI: "If IF = 0, maskable hardware interrupts remain
 * inhibited on the instruction boundary following an execution of STI"
 * (its example is STI followed by RET, which runs before an interrupt is
 * recognized); so in an idle loop's STI; HLT the interrupt comes only once
 * HLT has begun, and wakes it. Vol. 3, 6.8.3: MOV SS and POP SS inhibit
 * interrupts for the instruction after them.
 *
 * Under the hypervisor the STI traps, and a trap can come at the next
 * instruction before it runs: a real timer interrupt that arrived while
 * the hypervisor carried out the STI, or a page fault its shadow tables
 * fill. Neither may end the shadow (seed 2027: the guest's watchdog tick
 * was delivered between STI and HLT, and the HLT then waited for nothing).
 */
#include <check.h>
#include <stdlib.h>

#include "deprivilege/interrupt_shadow.h"

#define CS	0x09u
#define STI_AT	0x00100cc6u	/* sti */
#define HLT_AT	0x00100cc7u	/* hlt, right after it */
#define AFTER	0x00100cc8u

static struct interrupt_shadow s;

static void setup(void)
{
	s = (struct interrupt_shadow){ 0 };
}

START_TEST(no_shadow_without_sti)
{
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 0);
}
END_TEST

/* The trap that carried out STI returns to the HLT: interrupts held. */
START_TEST(sti_holds_at_the_next_instruction)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
}
END_TEST

/* A real interrupt, or a shadow page filled, at the HLT before it ran: still held. */
START_TEST(a_trap_before_the_instruction_runs_keeps_it)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);	/* the timer's trap */
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);	/* a #PF filled */
}
END_TEST

/* The HLT ran (its trap carried it out, EIP past it): the interrupt may come now. */
START_TEST(the_instruction_run_ends_it)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, AFTER), 0);
	/* And it does not come back at the same address later. */
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 0);
}
END_TEST

/* An exception's delivery moves the guest elsewhere: the shadow is over. */
START_TEST(a_fault_delivered_ends_it)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, 0x08u | 1, 0x00106c00u), 0);
}
END_TEST

/* Another code segment at the same offset is another instruction. */
/*
 * The fast trap path (ring 3, --direct) answers an STI itself and leaves
 * the address of the instruction after it; the timer's real interrupt
 * that then enters the hypervisor at that instruction must not be taken
 * before it, and once the guest is past it, the shadow is gone.
 */
START_TEST(an_sti_answered_elsewhere_holds_at_the_address_given)
{
	interrupt_shadow_hold_at(&s, CS, HLT_AT);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);	/* the timer's trap */
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);	/* the HLT's own */
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, AFTER), 0);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 0);
}
END_TEST

/* Given for another instruction than the one the guest is at: nothing held. */
START_TEST(an_sti_answered_elsewhere_the_guest_has_left)
{
	interrupt_shadow_hold_at(&s, CS, HLT_AT);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, AFTER), 0);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS + 8, HLT_AT), 0);
}
END_TEST

START_TEST(the_code_segment_counts)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, 0x3bu, HLT_AT), 0);
}
END_TEST

/* jmp $ after STI: its single step came, though EIP is where it was; held no longer. */
START_TEST(the_single_step_ends_it_in_place)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	interrupt_shadow_end(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 0);
}
END_TEST

/* STI; STI: the second, run, ends the first's shadow (IF was 1: it opens none). */
START_TEST(a_new_shadow_covers_its_own_next_instruction)
{
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, STI_AT), 1);
	/* MOV SS at STI_AT: a shadow again, now for the instruction after it. */
	interrupt_shadow_begin(&s);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, HLT_AT), 1);
	ck_assert_int_eq(interrupt_shadow_holds(&s, CS, AFTER), 0);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("interrupt_shadow");
	TCase *t = tcase_create("shadow");
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, no_shadow_without_sti);
	tcase_add_test(t, sti_holds_at_the_next_instruction);
	tcase_add_test(t, a_trap_before_the_instruction_runs_keeps_it);
	tcase_add_test(t, the_instruction_run_ends_it);
	tcase_add_test(t, a_fault_delivered_ends_it);
	tcase_add_test(t, an_sti_answered_elsewhere_holds_at_the_address_given);
	tcase_add_test(t, an_sti_answered_elsewhere_the_guest_has_left);
	tcase_add_test(t, the_code_segment_counts);
	tcase_add_test(t, the_single_step_ends_it_in_place);
	tcase_add_test(t, a_new_shadow_covers_its_own_next_instruction);
	suite_add_tcase(suite, t);

	SRunner *sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
