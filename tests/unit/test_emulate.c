/*
 * tests/unit/test_emulate.c: the #GP handler itself (hv/emulate.c): its
 * table, the interrupt flag (CLI, STI, HLT), who may run an instruction from
 * the guest's user mode, software interrupts and hypercalls, and what it
 * does not emulate.
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>
#include <string.h>

#include "tests/unit/emulate_fixture.h"
#include "lib/hypercall.h"

/* ---- the table ---- */

START_TEST(table_rows_are_consistent)
{
	static const uint8_t cli[] = { 0xFA }, mov[] = { 0x89, 0xD8 }, mov_cr[] = { 0x0F, 0x22, 0xC0 };
	const struct decoded_insn *insn = decode_at(0, cli, sizeof cli);
	const struct em_row *row = emulate_row(insn);
	ck_assert_ptr_nonnull(row);
	ck_assert_int_eq(row->who, EM_FOR_IOPL);
	ck_assert(!row->sensitive_unprivileged);
	/* An ordinary MOV has no row; a MOV to CR0 has its own. */
	ck_assert_ptr_null(emulate_row(decode_at(0, mov, sizeof mov)));
	row = emulate_row(decode_at(0, mov_cr, sizeof mov_cr));
	ck_assert_ptr_nonnull(row);
	ck_assert_int_eq(row->who, EM_FOR_KERNEL);
}
END_TEST

/* ---- the interrupt flag ---- */

START_TEST(cli_clears_virtual_if_and_advances)
{
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xFA), 0);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
	ck_assert_str_eq(rec.action, "emulate");
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_IF, EFLAGS_IF);	/* the real IF stays on */
}
END_TEST

START_TEST(sti_sets_if_with_a_one_instruction_shadow)
{
	ck_assert_int_eq(GP(0, 0xFB), 0);
	ck_assert_int_eq(v->virt_if, 1);
	ck_assert_int_eq(v->sti_shadow.state, INTERRUPT_SHADOW_BEGUN);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(sti_with_if_already_set_opens_no_shadow)
{
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xFB), 0);
	ck_assert_int_eq(v->sti_shadow.state, INTERRUPT_SHADOW_NONE);
}
END_TEST

START_TEST(hlt_waits_then_continues_after_it)
{
	v->virt_if = 1;
	rec.wait_answer = 1;
	ck_assert_int_eq(GP(0, 0xF4), 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(hlt_that_nothing_can_wake_stops_the_guest)
{
	rec.wait_answer = 0;
	ck_assert_int_eq(GP(0, 0xF4), 1);
	ck_assert_ptr_nonnull(strstr(rec.why, "halted"));
}
END_TEST

START_TEST(lock_cli_is_ud)
{
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xF0, 0xFA), 0);
	ck_assert_uint_eq(rec.vector, VEC_UD);
	ck_assert_int_eq(v->virt_if, 1);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

START_TEST(cli_with_tf_set_is_followed_by_the_single_step_trap)
{
	v->virt_if = 1;
	v->regs.eflags |= EFLAGS_TF;
	ck_assert_int_eq(GP(0, 0xFA), 0);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(rec.vector, VEC_DB);
	ck_assert_uint_eq(rec.return_eip, EIP0 + 1);	/* after the CLI, as a trap */
	ck_assert_uint_eq(v->virt_dr[6] & 0x4000, 0x4000);	/* DR6.BS */
}
END_TEST

/* ---- user mode: CPL 3 on the bare machine ---- */

START_TEST(user_cli_without_iopl_is_the_kernels_gp)
{
	v->user_mode = 1;
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xFA), 0);
	ck_assert_int_eq(rec.reflected, 1);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0);
	ck_assert_int_eq(v->virt_if, 1);
	ck_assert_str_eq(rec.action, "reflect");
}
END_TEST

START_TEST(user_cli_with_iopl_3_is_emulated)
{
	v->user_mode = 1;
	v->virt_iopl = 3;
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xFA), 0);
	ck_assert_int_eq(rec.reflected, 0);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(user_iret_that_faults_is_not_emulated)
{
	v->user_mode = 1;
	ck_assert_int_eq(GP(0x8, 0xCF), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x8);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

START_TEST(user_lgdt_is_the_kernels_gp)
{
	v->user_mode = 1;
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x15, 0x00, 0x40, 0x00, 0x00), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.gdt_loads, 0);
}
END_TEST

/* ---- software interrupts and hypercalls ---- */

START_TEST(int_n_goes_to_the_guests_handler_with_the_next_eip)
{
	ck_assert_int_eq(GP(0x40 * 8 + 2, 0xCD, 0x40), 0);
	ck_assert_uint_eq(rec.vector, 0x40);
	ck_assert_uint_eq(rec.return_eip, EIP0 + 2);
	ck_assert_str_eq(rec.action, "reflect");
}
END_TEST

START_TEST(int3_is_vector_3)
{
	ck_assert_int_eq(GP(3 * 8 + 2, 0xCC), 0);
	ck_assert_uint_eq(rec.vector, VEC_BP);
	ck_assert_uint_eq(rec.return_eip, EIP0 + 1);
}
END_TEST

START_TEST(hypercall_disables_the_virtual_if)
{
	v->virt_if = 1;
	v->regs.eax = TV_HYPERCALL_MAGIC | TV_HC_IRQ_DISABLE;
	ck_assert_int_eq(GP(TV_HYPERCALL_VECTOR * 8 + 2, 0xCD, TV_HYPERCALL_VECTOR), 0);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(v->regs.eax, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
	ck_assert_str_eq(rec.action, "hypercall");
	ck_assert_int_eq(rec.reflected, 0);
}
END_TEST

START_TEST(hypercall_vector_without_magic_is_a_plain_int)
{
	v->regs.eax = 0;
	ck_assert_int_eq(GP(TV_HYPERCALL_VECTOR * 8 + 2, 0xCD, TV_HYPERCALL_VECTOR), 0);
	ck_assert_uint_eq(rec.vector, TV_HYPERCALL_VECTOR);
}
END_TEST

/* ---- what is not emulated ---- */

/* The virtual CR4 never has OSXSAVE: XSETBV is the guest kernel's #UD, as on the bare machine. */
START_TEST(xsetbv_is_ud_without_osxsave)
{
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0xD1), 0);
	ck_assert_int_eq(rec.stopped, 0);
	ck_assert_int_ne(rec.reflected, 0);
	ck_assert_uint_eq(rec.vector, VEC_UD);
	ck_assert_uint_eq(rec.return_eip, EIP0);	/* a fault: at the instruction */
}
END_TEST

START_TEST(rsm_stops_the_guest)
{
	ck_assert_int_eq(GP(0, 0x0F, 0xAA), 1);
	ck_assert_ptr_nonnull(strstr(rec.why, "unemulated: rsm"));
	ck_assert_str_eq(rec.action, "stop");
}
END_TEST

START_TEST(a_real_protection_fault_goes_back_to_the_guest)
{
	ck_assert_int_eq(GP(0x40, 0x8E, 0xD8), 0);	/* mov ds, eax with a bad selector */
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x40);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

START_TEST(an_unpatched_popf_that_faults_is_not_emulated)
{
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0x9D), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_int_eq(v->virt_if, 1);
	ck_assert_uint_eq(v->regs.esp, 0x8000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, table_rows_are_consistent);
	tcase_add_test(t, cli_clears_virtual_if_and_advances);
	tcase_add_test(t, sti_sets_if_with_a_one_instruction_shadow);
	tcase_add_test(t, sti_with_if_already_set_opens_no_shadow);
	tcase_add_test(t, hlt_waits_then_continues_after_it);
	tcase_add_test(t, hlt_that_nothing_can_wake_stops_the_guest);
	tcase_add_test(t, lock_cli_is_ud);
	tcase_add_test(t, cli_with_tf_set_is_followed_by_the_single_step_trap);
	tcase_add_test(t, user_cli_without_iopl_is_the_kernels_gp);
	tcase_add_test(t, user_cli_with_iopl_3_is_emulated);
	tcase_add_test(t, user_iret_that_faults_is_not_emulated);
	tcase_add_test(t, user_lgdt_is_the_kernels_gp);
	tcase_add_test(t, int_n_goes_to_the_guests_handler_with_the_next_eip);
	tcase_add_test(t, int3_is_vector_3);
	tcase_add_test(t, hypercall_disables_the_virtual_if);
	tcase_add_test(t, hypercall_vector_without_magic_is_a_plain_int);
	tcase_add_test(t, rsm_stops_the_guest);
	tcase_add_test(t, xsetbv_is_ud_without_osxsave);
	tcase_add_test(t, a_real_protection_fault_goes_back_to_the_guest);
	tcase_add_test(t, an_unpatched_popf_that_faults_is_not_emulated);
	return emulate_run_suite(s);
}
