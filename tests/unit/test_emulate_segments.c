/*
 * tests/unit/test_emulate_segments.c: descriptor tables, SS loads, IRET and far RET
 * (hv/emulate_segments.c), and a GDT entry the guest wrote after its LGDT.
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>
#include <string.h>

#include "tests/unit/emulate_fixture.h"
#include "hv/guest_mode.h"

/* ---- descriptor tables ---- */

START_TEST(lgdt_reads_the_pseudo_descriptor_and_the_table)
{
	uint8_t pd[6] = { 0x17, 0x00, 0x00, 0x50, 0x00, 0x00 };	/* limit 0x17, base 0x5000 */
	put(DATA, pd, sizeof pd);
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x15, 0x00, 0x40, 0x00, 0x00), 0);	/* lgdt [0x4000] */
	ck_assert_uint_eq(rec.gdt_loads, 1);
	ck_assert_uint_eq(rec.gdt_entries, 3);
	ck_assert_uint_eq(v->virt_gdtr.limit, 0x17);
	ck_assert_uint_eq(v->virt_gdtr.base, 0x5000);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 7);
}
END_TEST

START_TEST(lgdt_operand_outside_guest_memory_stops_the_guest)
{
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x15, 0x00, 0x00, 0xF0, 0x00), 1);	/* [0xF00000] */
	ck_assert_ptr_nonnull(strstr(rec.why, "0x00f00000 lies outside guest memory"));
	ck_assert_uint_eq(rec.gdt_loads, 0);
}
END_TEST

START_TEST(lidt_records_the_virtual_idtr)
{
	uint8_t pd[6] = { 0xFF, 0x07, 0x00, 0x60, 0x00, 0x00 };
	put(DATA, pd, sizeof pd);
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x1D, 0x00, 0x40, 0x00, 0x00), 0);	/* lidt [0x4000] */
	ck_assert_int_eq(v->idt_loaded, 1);
	ck_assert_uint_eq(v->virt_idtr.limit, 0x7FF);
	ck_assert_uint_eq(v->virt_idtr.base, 0x6000);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 7);
}
END_TEST

START_TEST(sgdt_with_umip_gives_the_virtual_gdtr)
{
	v->virt_gdtr.limit = 0x27;
	v->virt_gdtr.base = 0x00123000;
	ck_assert_int_eq(GP(0, 0x0F, 0x01, 0x05, 0x00, 0x40, 0x00, 0x00), 0);	/* sgdt [0x4000] */
	ck_assert_uint_eq(fake_mem[DATA], 0x27);
	ck_assert_uint_eq(word_at(DATA + 2), 0x00123000);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 7);
}
END_TEST

START_TEST(mov_ss_with_rpl_0_loads_the_real_ring)
{
	v->regs.eax = 0x10;	/* the guest's data selector, RPL 0 */
	ck_assert_int_eq(GP(0x10, 0x8E, 0xD0), 0);	/* mov ss, eax */
	ck_assert_uint_eq(v->regs.ss, 0x10 | FAKE_RING);
	ck_assert_int_eq(v->sti_shadow.state, INTERRUPT_SHADOW_BEGUN);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 2);
}
END_TEST

START_TEST(mov_ss_with_a_null_selector_is_gp0)
{
	v->regs.eax = 0;
	ck_assert_int_eq(GP(0, 0x8E, 0xD0), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

/*
 * MOV SS at CPL 0 of a data segment whose DPL is not 0 is #GP(selector)
 * (SDM vol. 2B, MOV: "If the SS register is being loaded and the segment
 * selector's RPL and the segment descriptor's DPL are not equal to the
 * CPL"). Its shadow has the kernel's real ring as DPL, which must not let
 * a guest DPL of 1 (here, with the kernel in ring 1) pass for 0.
 */
START_TEST(mov_ss_of_a_dpl_1_data_segment_is_gp_of_it)
{
	const uint32_t data = DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(1) |
		DESC_TYPE_WRITABLE << 8;
	fake_set_gdt_entry(3, desc_make(0, 0xFFFFF, data));
	v->regs.eax = 3 << 3;
	ck_assert_int_eq(GP(3 << 3, 0x8E, 0xD0), 0);	/* mov ss, eax */
	ck_assert_int_ne(rec.reflected, 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 3 << 3);
	ck_assert_uint_eq(v->regs.ss, FAKE_SEL_DATA);
	ck_assert_uint_eq(v->regs.eip, EIP0);
}
END_TEST

/* The same segment with DPL 0 loads: the near miss of the rule above. */
START_TEST(mov_ss_of_a_dpl_0_data_segment_loads)
{
	const uint32_t data = DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_TYPE_WRITABLE << 8;
	fake_set_gdt_entry(3, desc_make(0, 0xFFFFF, data));
	v->regs.eax = 3 << 3;
	ck_assert_int_eq(GP(3 << 3, 0x8E, 0xD0), 0);
	ck_assert_int_eq(rec.reflected, 0);
	ck_assert_uint_eq(v->regs.ss, (3 << 3) | FAKE_RING);
}
END_TEST

/* A not-present data segment of DPL 0: #SS(selector), as MOV's SDM page says. */
START_TEST(mov_ss_of_a_not_present_data_segment_is_ss)
{
	const uint32_t data = DESC_HI_S | DESC_HI_DB | DESC_TYPE_WRITABLE << 8;
	fake_set_gdt_entry(3, desc_make(0, 0xFFFFF, data));
	v->regs.eax = 3 << 3;
	ck_assert_int_eq(GP(3 << 3, 0x8E, 0xD0), 0);
	ck_assert_uint_eq(rec.vector, VEC_SS);
	ck_assert_uint_eq(rec.error, 3 << 3);
	ck_assert_uint_eq(v->regs.ss, FAKE_SEL_DATA);
}
END_TEST

/* ---- returns to the guest kernel ---- */

START_TEST(iretd_returns_and_restores_the_virtual_if)
{
	uint32_t frame[3] = { 0x2000, 0x08, EFLAGS_FIXED | EFLAGS_IF };	/* CS with RPL 0 */
	put(0x8000, frame, sizeof frame);
	ck_assert_int_eq(GP(0x8, 0xCF), 0);
	ck_assert_uint_eq(v->regs.eip, 0x2000);
	ck_assert_uint_eq(v->regs.cs, 0x08 | FAKE_RING);
	ck_assert_int_eq(v->virt_if, 1);
	ck_assert_uint_eq(v->regs.esp, 0x8000 + 12);
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_IF, EFLAGS_IF);
}
END_TEST

START_TEST(iretd_with_its_frame_outside_memory_stops_the_guest)
{
	v->regs.esp = FAKE_MEM_BYTES - 4;
	ck_assert_int_eq(GP(0x8, 0xCF), 1);
	ck_assert_ptr_nonnull(strstr(rec.why, "lies outside guest memory"));
}
END_TEST

START_TEST(retf_imm_pops_the_extra_bytes)
{
	uint32_t frame[2] = { 0x3000, 0x08 };
	put(0x8000, frame, sizeof frame);
	ck_assert_int_eq(GP(0x8, 0xCA, 0x08, 0x00), 0);	/* retf 8 */
	ck_assert_uint_eq(v->regs.eip, 0x3000);
	ck_assert_uint_eq(v->regs.esp, 0x8000 + 8 + 8);
}
END_TEST

/*
 * ---- returns to rings 1 and 2, which the virtual CPU does not offer ----
 * The bare CPU checks the popped SS against the return's RPL (SDM vol. 2A,
 * IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL): a null SS is #GP(0), one of
 * another RPL or DPL #GP(SS selector), not present #SS(SS selector). Only a
 * return it would complete stops the guest.
 */

/* Guest GDT entries 3 (code, DPL 2) and 4 (data, DPL 2), shadowed as at LGDT. */
static void ring2_segments(int data_present)
{
	const uint32_t code = DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(2) |
		(DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8;
	const uint32_t data = (data_present ? DESC_HI_P : 0) | DESC_HI_S | DESC_HI_DB |
		DESC_HI_DPL(2) | DESC_TYPE_WRITABLE << 8;
	ck_assert_ptr_null(guest_mode_update_gdt_entry(v, 3, desc_make(0, 0xFFFFF, code)));
	ck_assert_ptr_null(guest_mode_update_gdt_entry(v, 4, desc_make(0, 0xFFFFF, data)));
}

static int iret_to_ring2(uint32_t ss)
{
	uint32_t frame[5] = { 0x2000, (3 << 3) | 2, EFLAGS_FIXED, 0x7000, ss };
	put(0x8000, frame, sizeof frame);
	return GP((3 << 3) | 2, 0xCF);
}

START_TEST(iret_to_ring_2_with_a_ring_0_stack_is_gp_of_the_stack)
{
	ring2_segments(1);
	ck_assert_int_eq(iret_to_ring2(0x10 | 2), 0);	/* the kernel's data, RPL 2: DPL 0 is not 2 */
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x10);
	ck_assert_uint_eq(rec.return_eip, EIP0);
	ck_assert_uint_eq(v->regs.esp, 0x8000);
}
END_TEST

START_TEST(iret_to_ring_2_with_a_null_stack_is_gp0)
{
	ring2_segments(1);
	ck_assert_int_eq(iret_to_ring2(2), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0);
}
END_TEST

START_TEST(iret_to_ring_2_with_its_stack_not_present_is_ss)
{
	ring2_segments(0);
	ck_assert_int_eq(iret_to_ring2((4 << 3) | 2), 0);
	ck_assert_uint_eq(rec.vector, VEC_SS);
	ck_assert_uint_eq(rec.error, 4 << 3);
}
END_TEST

START_TEST(iret_to_ring_2_that_the_bare_cpu_completes_stops_the_guest)
{
	ring2_segments(1);
	ck_assert_int_eq(iret_to_ring2((4 << 3) | 2), 1);
	ck_assert_ptr_nonnull(strstr(rec.why, "returning to ring 2"));
}
END_TEST

START_TEST(retf_imm_to_ring_2_reads_the_stack_past_the_immediate)
{
	/* retf 8: EIP, CS, 8 bytes, then ESP and SS; a ring-0 SS there is #GP(SS). */
	uint32_t frame[6] = { 0x2000, (3 << 3) | 2, 0, (4 << 3) | 2, 0x7000, 0x10 | 2 };
	ring2_segments(1);
	put(0x8000, frame, sizeof frame);
	ck_assert_int_eq(GP((3 << 3) | 2, 0xCA, 0x08, 0x00), 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x10);
}
END_TEST

/* ---- a GDT entry written after LGDT ---- */

START_TEST(load_of_an_entry_written_after_lgdt_runs_again)
{
	const uint32_t data = DESC_HI_P | DESC_HI_S | DESC_HI_DB | (DESC_TYPE_WRITABLE << 8);
	struct x86_desc d = desc_make(0x2000, 0xFFFF, data);

	put(FAKE_GDT_BASE + 3 * 8, &d, sizeof d);	/* entry 3 was empty at LGDT */
	ck_assert_int_eq(GP(0x18, 0x8E, 0xD8), 0);	/* mov ds, ax faulted: #GP(0x18) */
	ck_assert_uint_eq(rec.gdt_updates, 1);
	ck_assert_int_eq(rec.reflected, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0);	/* the load runs again */
	/* The same fault again, with the entry as shadowed: the guest's #GP. */
	ck_assert_int_eq(GP(0x18, 0x8E, 0xD8), 0);
	ck_assert_uint_eq(rec.gdt_updates, 1);
	ck_assert_int_ne(rec.reflected, 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x18);
}
END_TEST

/* An error code that is no GDT selector (the LDT, the IDT) reads nothing again. */
START_TEST(fault_without_a_gdt_selector_is_the_guests)
{
	ck_assert_int_eq(GP(0x1C, 0x8E, 0xD8), 0);	/* TI set: the LDT */
	ck_assert_int_eq(GP(0x1A, 0x8E, 0xD8), 0);	/* the IDT */
	ck_assert_uint_eq(rec.gdt_updates, 0);
	ck_assert_int_ne(rec.reflected, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate_segments");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, lgdt_reads_the_pseudo_descriptor_and_the_table);
	tcase_add_test(t, lgdt_operand_outside_guest_memory_stops_the_guest);
	tcase_add_test(t, lidt_records_the_virtual_idtr);
	tcase_add_test(t, sgdt_with_umip_gives_the_virtual_gdtr);
	tcase_add_test(t, mov_ss_with_rpl_0_loads_the_real_ring);
	tcase_add_test(t, mov_ss_with_a_null_selector_is_gp0);
	tcase_add_test(t, mov_ss_of_a_dpl_1_data_segment_is_gp_of_it);
	tcase_add_test(t, mov_ss_of_a_dpl_0_data_segment_loads);
	tcase_add_test(t, mov_ss_of_a_not_present_data_segment_is_ss);
	tcase_add_test(t, iretd_returns_and_restores_the_virtual_if);
	tcase_add_test(t, iretd_with_its_frame_outside_memory_stops_the_guest);
	tcase_add_test(t, retf_imm_pops_the_extra_bytes);
	tcase_add_test(t, iret_to_ring_2_with_a_ring_0_stack_is_gp_of_the_stack);
	tcase_add_test(t, iret_to_ring_2_with_a_null_stack_is_gp0);
	tcase_add_test(t, iret_to_ring_2_with_its_stack_not_present_is_ss);
	tcase_add_test(t, iret_to_ring_2_that_the_bare_cpu_completes_stops_the_guest);
	tcase_add_test(t, retf_imm_to_ring_2_reads_the_stack_past_the_immediate);
	tcase_add_test(t, load_of_an_entry_written_after_lgdt_runs_again);
	tcase_add_test(t, fault_without_a_gdt_selector_is_the_guests);
	return emulate_run_suite(s);
}
