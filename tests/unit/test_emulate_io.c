/*
 * tests/unit/test_emulate_io.c: port I/O (hv/emulate_io.c): IN, OUT, INS and OUTS in
 * each of their forms.
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>
#include <string.h>

#include "tests/unit/emulate_fixture.h"

/* ---- port I/O ---- */

START_TEST(in_al_imm8_reads_the_device)
{
	v->regs.eax = 0x12345678;
	rec.port_in_value = 0xAB;
	ck_assert_int_eq(GP(0, 0xE4, 0x80), 0);
	ck_assert_uint_eq(rec.port, 0x80);
	ck_assert_uint_eq(rec.port_size, 1);
	ck_assert_uint_eq(v->regs.eax, 0x123456AB);	/* only AL changes */
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(out_dx_ax_writes_a_word)
{
	v->regs.edx = 0x3F8;
	v->regs.eax = 0xCAFEBEEF;
	ck_assert_int_eq(GP(0, 0x66, 0xEF), 0);
	ck_assert_uint_eq(rec.port, 0x3F8);
	ck_assert_uint_eq(rec.port_size, 2);
	ck_assert_uint_eq(rec.port_values[0], 0xBEEF);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(in_eax_dx_reads_a_doubleword)
{
	v->regs.edx = 0xCFC;
	rec.port_in_value = 0xFFFFFFFF;
	ck_assert_int_eq(GP(0, 0xED), 0);
	ck_assert_uint_eq(rec.port_size, 4);
	ck_assert_uint_eq(v->regs.eax, 0xFFFFFFFF);
}
END_TEST

START_TEST(rep_outsb_sends_each_byte_and_counts_down)
{
	put(DATA, "abc", 3);
	v->regs.esi = DATA;
	v->regs.ecx = 3;
	v->regs.edx = 0xE9;
	ck_assert_int_eq(GP(0, 0xF3, 0x6E), 0);
	ck_assert_uint_eq(rec.port_writes, 3);
	ck_assert_uint_eq(rec.port_values[0], 'a');
	ck_assert_uint_eq(rec.port_values[2], 'c');
	ck_assert_uint_eq(v->regs.ecx, 0);
	ck_assert_uint_eq(v->regs.esi, DATA + 3);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(insb_backwards_with_df)
{
	v->regs.edi = DATA + 1;
	v->regs.eflags |= EFLAGS_DF;
	rec.port_in_value = 0x5A;
	ck_assert_int_eq(GP(0, 0x6C), 0);
	ck_assert_uint_eq(fake_mem[DATA + 1], 0x5A);
	ck_assert_uint_eq(v->regs.edi, DATA);
}
END_TEST

START_TEST(insb_outside_guest_memory_stops_the_guest)
{
	v->regs.edi = FAKE_MEM_BYTES + 0x10;
	ck_assert_int_eq(GP(0, 0x6C), 1);
	ck_assert_ptr_nonnull(strstr(rec.why, "lies outside guest memory"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate_io");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, in_al_imm8_reads_the_device);
	tcase_add_test(t, out_dx_ax_writes_a_word);
	tcase_add_test(t, in_eax_dx_reads_a_doubleword);
	tcase_add_test(t, rep_outsb_sends_each_byte_and_counts_down);
	tcase_add_test(t, insb_backwards_with_df);
	tcase_add_test(t, insb_outside_guest_memory_stops_the_guest);
	return emulate_run_suite(s);
}
