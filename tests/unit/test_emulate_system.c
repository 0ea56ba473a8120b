/*
 * tests/unit/test_emulate_system.c: the instructions of system software
 * (hv/emulate_system.c): control and debug registers, MSRs; and SYSENTER
 * from user mode (hv/emulate_user.c).
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>

#include "tests/unit/emulate_fixture.h"
#include "deprivilege/sysreg_rules.h"

/* ---- control and debug registers, MSRs ---- */

START_TEST(mov_cr0_turning_paging_on_rebuilds_the_shadows)
{
	v->regs.eax = CR0_PE | CR0_ET | CR0_PG;
	ck_assert_int_eq(GP(0, 0x0F, 0x22, 0xC0), 0);	/* mov cr0, eax */
	ck_assert_uint_eq(v->virt_cr0, CR0_PE | CR0_ET | CR0_PG);
	ck_assert_uint_eq(rec.shadow_flushes, 1);
	ck_assert_uint_eq(rec.shadow_switches, 1);
	ck_assert_uint_eq(rec.cr3_refreshes, 1);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(mov_from_cr3_reads_the_virtual_one)
{
	v->virt_cr3 = 0x00234000;
	ck_assert_int_eq(GP(0, 0x0F, 0x20, 0xD8), 0);	/* mov eax, cr3 */
	ck_assert_uint_eq(v->regs.eax, 0x00234000);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(mov_to_cr1_is_ud)
{
	ck_assert_int_eq(GP(0, 0x0F, 0x22, 0xC8), 0);	/* mov cr1, eax */
	ck_assert_int_eq(rec.reflected, 1);
	ck_assert_uint_eq(rec.vector, VEC_UD);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

START_TEST(clts_clears_ts)
{
	v->virt_cr0 |= CR0_TS;
	ck_assert_int_eq(GP(0, 0x0F, 0x06), 0);
	ck_assert_uint_eq(v->virt_cr0 & CR0_TS, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(mov_dr7_keeps_its_always_one_bit)
{
	v->regs.eax = 0;
	ck_assert_int_eq(GP(0, 0x0F, 0x23, 0xF8), 0);	/* mov dr7, eax */
	ck_assert_uint_eq(v->virt_dr[7] & 0x400, 0x400);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(wrmsr_then_rdmsr_sysenter_cs)
{
	v->regs.ecx = MSR_SYSENTER_CS;
	v->regs.eax = 0x10008;
	v->regs.edx = 0;
	ck_assert_int_eq(GP(0, 0x0F, 0x30), 0);	/* wrmsr */
	ck_assert_uint_eq(v->msr_sysenter_cs, 0x0008);
	v->regs.eax = 0;
	ck_assert_int_eq(GP(0, 0x0F, 0x32), 0);	/* rdmsr */
	ck_assert_uint_eq(v->regs.eax, 0x0008);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(rdmsr_of_an_unknown_msr_is_gp0)
{
	v->regs.ecx = 0x12345;
	ck_assert_int_eq(GP(0, 0x0F, 0x32), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

START_TEST(lmsw_cannot_clear_pe)
{
	v->regs.eax = 0;
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0xF0), 0);	/* lmsw ax */
	ck_assert_uint_eq(v->virt_cr0 & CR0_PE, CR0_PE);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(sysenter_enters_the_kernel_from_user_mode)
{
	v->user_mode = 1;
	v->msr_sysenter_cs = 0x08;
	v->msr_sysenter_eip = 0xC000;
	v->msr_sysenter_esp = 0x9000;
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0x0F, 0x34), 0);
	ck_assert_int_eq(v->user_mode, 0);
	ck_assert_uint_eq(v->regs.eip, 0xC000);
	ck_assert_uint_eq(v->regs.esp, 0x9000);
	ck_assert_uint_eq(v->regs.cs, 0x08 | FAKE_RING);
	ck_assert_int_eq(v->virt_if, 0);
}
END_TEST

/* LLDT of a null selector with RPL 3 leaves 3 in LDTR, and SLDT (UMIP) stores it (SDM LLDT). */
START_TEST(lldt_of_a_null_selector_keeps_its_rpl_for_sldt)
{
	v->regs.ebx = 3;
	ck_assert_int_eq(GP(0, 0x0F, 0x00, 0xD3), 0);	/* lldt bx */
	ck_assert_uint_eq(v->virt_ldtr, 3);
	v->regs.edx = 0xAAAA5555;
	ck_assert_int_eq(GP(0, 0x66, 0x0F, 0x00, 0xC2), 0);	/* sldt dx */
	ck_assert_uint_eq(v->regs.edx, 0xAAAA0003);
	/* And a selector with TI read through it finds no LDT: nothing to read. */
	v->regs.ebx = 0;
	ck_assert_int_eq(GP(0, 0x0F, 0x00, 0xD3), 0);
	ck_assert_uint_eq(v->virt_ldtr, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate_system");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, mov_cr0_turning_paging_on_rebuilds_the_shadows);
	tcase_add_test(t, lldt_of_a_null_selector_keeps_its_rpl_for_sldt);
	tcase_add_test(t, mov_from_cr3_reads_the_virtual_one);
	tcase_add_test(t, mov_to_cr1_is_ud);
	tcase_add_test(t, clts_clears_ts);
	tcase_add_test(t, mov_dr7_keeps_its_always_one_bit);
	tcase_add_test(t, wrmsr_then_rdmsr_sysenter_cs);
	tcase_add_test(t, rdmsr_of_an_unknown_msr_is_gp0);
	tcase_add_test(t, lmsw_cannot_clear_pe);
	tcase_add_test(t, sysenter_enters_the_kernel_from_user_mode);
	return emulate_run_suite(s);
}
