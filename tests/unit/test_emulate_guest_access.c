/*
 * tests/unit/test_emulate_guest_access.c: the emulator's reads and writes of guest memory
 * (hv/guest_access.c) where the guest's own paging does not map it: the
 * guest's page fault, as on the bare machine.
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>
#include <string.h>

#include "tests/unit/emulate_fixture.h"

/*
 * ---- memory the guest's own paging does not map ----
 * The bare CPU raises #PF with CR2 the linear address and the error code of
 * the access (SDM vol. 3, 4.7; vol. 2A, LGDT, SGDT, IRET, INS: "#PF(fault-
 * code) If a page fault occurs"), before the instruction changes anything:
 * EIP stays on it and nothing is loaded or written.
 */

static void unmap(uint32_t page)
{
	v->virt_cr0 |= CR0_PG;
	rec.unmapped_page = page;
}

START_TEST(lgdt_operand_the_guest_does_not_map_is_its_page_fault)
{
	uint8_t pd[6] = { 0x17, 0x00, 0x00, 0x50, 0x00, 0x00 };
	put(DATA, pd, sizeof pd);
	unmap(DATA);
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x15, 0x00, 0x40, 0x00, 0x00), 0);	/* lgdt [0x4000] */
	ck_assert_int_eq(rec.reflected, 1);
	ck_assert_uint_eq(rec.vector, VEC_PF);
	ck_assert_uint_eq(rec.error, 0);		/* not present, a read, at CPL 0 */
	ck_assert_uint_eq(v->virt_cr2, DATA);
	ck_assert_uint_eq(rec.return_eip, EIP0);	/* a fault: the LGDT runs again after it */
	ck_assert_uint_eq(v->regs.eip, EIP0);
	ck_assert_uint_eq(rec.gdt_loads, 0);
	ck_assert_uint_eq(v->virt_gdtr.base, FAKE_GDT_BASE);
}
END_TEST

START_TEST(sgdt_into_a_page_the_guest_does_not_map_writes_nothing)
{
	memset(fake_mem + DATA + 0xFF8, 0xAA, 8);
	v->virt_gdtr.limit = 0x27;
	v->virt_gdtr.base = 0x00123000;
	unmap(DATA + 0x1000);
	/* sgdt [0x4ffe]: two bytes in a mapped page, four in the next, which is not. */
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x05, 0xFE, 0x4F, 0x00, 0x00), 0);
	ck_assert_uint_eq(rec.vector, VEC_PF);
	ck_assert_uint_eq(rec.error, PF_ERR_W);
	ck_assert_uint_eq(v->virt_cr2, DATA + 0x1000);
	ck_assert_uint_eq(rec.return_eip, EIP0);
	ck_assert_uint_eq(fake_mem[DATA + 0xFFE], 0xAA);
	ck_assert_uint_eq(fake_mem[DATA + 0xFFF], 0xAA);
}
END_TEST

START_TEST(iretd_whose_frame_the_guest_does_not_map_is_its_page_fault)
{
	unmap(0x8000);
	ck_assert_int_eq(GP(0x8, 0xCF), 0);
	ck_assert_uint_eq(rec.vector, VEC_PF);
	ck_assert_uint_eq(rec.error, 0);
	ck_assert_uint_eq(v->virt_cr2, 0x8000);
	ck_assert_uint_eq(rec.return_eip, EIP0);
	ck_assert_uint_eq(v->regs.esp, 0x8000);		/* nothing popped */
	ck_assert_uint_eq(v->regs.cs, FAKE_SEL_CODE);
}
END_TEST

START_TEST(patched_pushf_onto_a_stack_the_guest_does_not_map_is_its_page_fault)
{
	const struct decoded_insn *insn = decode_at(EIP0, (const uint8_t[]){ 0x9C }, 1);
	unmap(0x7000);	/* ESP 0x8000: the push writes 0x7ffc */
	v->regs.eip = EIP0;
	ck_assert_int_eq(FAKE_RUN(emulate_pushf(v, insn)), 0);
	ck_assert_uint_eq(rec.vector, VEC_PF);
	ck_assert_uint_eq(rec.error, PF_ERR_W);
	ck_assert_uint_eq(v->virt_cr2, 0x7FFC);
	ck_assert_uint_eq(v->regs.esp, 0x8000);
}
END_TEST

START_TEST(user_rep_insb_stops_at_the_page_the_guest_does_not_map)
{
	v->user_mode = 1;
	v->virt_iopl = 3;
	v->regs.edi = DATA + 0xFFE;
	v->regs.ecx = 4;
	v->regs.edx = 0x80;
	rec.port_in_value = 0x5A;
	unmap(DATA + 0x1000);
	ck_assert_int_eq(GP(0, 0xF3, 0x6C), 0);			/* rep insb */
	ck_assert_uint_eq(rec.vector, VEC_PF);
	ck_assert_uint_eq(rec.error, PF_ERR_W | PF_ERR_U);	/* from the guest's user mode */
	ck_assert_uint_eq(v->virt_cr2, DATA + 0x1000);
	ck_assert_uint_eq(rec.return_eip, EIP0);
	/* The two iterations done stay done, as REP leaves them at a fault. */
	ck_assert_uint_eq(fake_mem[DATA + 0xFFF], 0x5A);
	ck_assert_uint_eq(v->regs.edi, DATA + 0x1000);
	ck_assert_uint_eq(v->regs.ecx, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate_guest_access");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, lgdt_operand_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, sgdt_into_a_page_the_guest_does_not_map_writes_nothing);
	tcase_add_test(t, iretd_whose_frame_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, patched_pushf_onto_a_stack_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, user_rep_insb_stops_at_the_page_the_guest_does_not_map);
	return emulate_run_suite(s);
}
