/*
 * tests/unit/test_emulate.c: the emulator's table and handlers
 * (hv/emulate*.c), driven as the #GP handler is, against a fake guest
 * (tests/unit/fake_machine.c) and the system's Capstone.
 * Runs on: host (Check).
 *
 * Each test puts one instruction's bytes at the guest's EIP, raises the
 * #GP a deprivileged CPU would, and checks the virtual CPU afterwards
 * against the Intel SDM's description of the instruction at CPL 0: the
 * state it changes, where EIP goes, the fault it raises instead, or the
 * stop when the guest names memory it does not have. User-mode traps are
 * checked against what CPL 3 gets on a bare machine.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake_machine.h"
#include "hv/emulate.h"
#include "hv/guest_mode.h"
#include "hv/patch.h"
#include "deprivilege/sysreg_rules.h"
#include "lib/hypercall.h"
#include "lib/mmu.h"

#define EIP0	0x1000u
#define DATA	0x4000u		/* guest memory for operands */

static struct vcpu *v;

static void setup(void)
{
	ck_assert_int_eq(decode_init(), 0);
	fake_reset();
	v = &fake.cpu;
}

static void put(uint32_t gpa, const void *bytes, size_t n)
{
	memcpy(fake_mem + gpa, bytes, n);
}

static uint32_t word_at(uint32_t gpa)
{
	uint32_t w;
	memcpy(&w, fake_mem + gpa, 4);
	return w;
}

/* The #GP of the instruction `bytes` at EIP0; 1 if the guest was stopped. */
static int gp(const void *bytes, size_t n, uint32_t error)
{
	put(EIP0, bytes, n);
	v->regs.eip = EIP0;
	v->regs.error = error;
	return FAKE_RUN(emulate_general_protection(v));
}

#define GP(error, ...) gp((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), error)

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
	ck_assert_int_eq(v->sti_shadow, 1);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(sti_with_if_already_set_opens_no_shadow)
{
	v->virt_if = 1;
	ck_assert_int_eq(GP(0, 0xFB), 0);
	ck_assert_int_eq(v->sti_shadow, 0);
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
	ck_assert_int_eq(v->sti_shadow, 1);
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

/* ---- patched sites ---- */

static void patched(uint8_t original)
{
	struct patch_site site = { .la = EIP0, .len = 1 };
	site.original[0] = original;
	put(EIP0, (uint8_t[]){ 0xCC }, 1);
	v->regs.eip = EIP0;
	ck_assert_int_eq(FAKE_RUN(emulate_patched(v, &site)), 0);
}

START_TEST(patched_popf_changes_the_virtual_if)
{
	uint32_t flags = EFLAGS_FIXED;	/* IF clear */
	put(0x8000, &flags, 4);
	v->virt_if = 1;
	patched(0x9D);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(v->regs.esp, 0x8004);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_IF, EFLAGS_IF);	/* really still on */
}
END_TEST

START_TEST(patched_pushf_shows_the_virtual_if)
{
	v->virt_if = 0;
	patched(0x9C);
	ck_assert_uint_eq(v->regs.esp, 0x8000 - 4);
	ck_assert_uint_eq(word_at(0x8000 - 4) & EFLAGS_IF, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(patched_push_cs_shows_rpl_0)
{
	patched(0x0E);
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_CODE & ~3u);
}
END_TEST

/*
 * The other patched instructions, answered from the guest's own GDT (DPL 0
 * where the real one has the ring) at its virtual CPL 0; the rules
 * themselves are tests/unit/test_query_rules.c's.
 */
static void patched_bytes(const uint8_t *original, size_t len)
{
	struct patch_site site = { .la = EIP0, .len = (uint8_t)len };
	memcpy(site.original, original, len);
	put(EIP0, (uint8_t[]){ 0xCC }, 1);
	v->regs.eip = EIP0;
	ck_assert_int_eq(FAKE_RUN(emulate_patched(v, &site)), 0);
}

#define PATCHED(...) patched_bytes((const uint8_t[]){ __VA_ARGS__ }, \
				   sizeof((const uint8_t[]){ __VA_ARGS__ }))

START_TEST(patched_lar_shows_the_guests_dpl_0)
{
	v->regs.ecx = 0x10;
	v->regs.eflags &= ~EFLAGS_ZF;
	PATCHED(0x0F, 0x02, 0xC1);	/* lar eax, ecx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, EFLAGS_ZF);
	ck_assert_uint_eq((v->regs.eax >> 13) & 3, 0);		/* the real descriptor says 1 */
	ck_assert_uint_eq(v->regs.eax & 0x1F00, 0x1300);	/* S, data, writable, accessed */
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(patched_verr_refuses_rpl_1_of_dpl_0)
{
	v->regs.ecx = 0x11;
	v->regs.eflags |= EFLAGS_ZF;
	PATCHED(0x0F, 0x00, 0xE1);	/* verr cx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, 0);
	v->regs.ecx = 0x10;
	PATCHED(0x0F, 0x00, 0xE9);	/* verw cx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, EFLAGS_ZF);
}
END_TEST

START_TEST(patched_lsl_beyond_the_gdt_leaves_the_register)
{
	v->regs.ecx = 0x40;		/* entry 8: the guest's GDT has 8 */
	v->regs.eax = 0x12345678;
	v->regs.eflags |= EFLAGS_ZF;
	PATCHED(0x0F, 0x03, 0xC1);	/* lsl eax, ecx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, 0);
	ck_assert_uint_eq(v->regs.eax, 0x12345678);
}
END_TEST

START_TEST(patched_push_ss_and_mov_from_ss_show_rpl_0)
{
	PATCHED(0x16);			/* push ss */
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_DATA & ~3u);
	v->regs.eax = 0xFFFFFFFF;
	PATCHED(0x8C, 0xD0);		/* mov eax, ss */
	ck_assert_uint_eq(v->regs.eax, FAKE_SEL_DATA & ~3u);
}
END_TEST

START_TEST(patched_far_call_pushes_the_virtual_cs)
{
	PATCHED(0x9A, 0x00, 0x20, 0x00, 0x00, 0x08, 0x00);	/* call 0x08:0x2000 */
	ck_assert_int_eq(rec.reflected, 0);
	ck_assert_uint_eq(v->regs.eip, 0x2000);
	ck_assert_uint_eq(v->regs.cs, FAKE_SEL_CODE);		/* the real ring in the RPL */
	ck_assert_uint_eq(v->regs.esp, 0x8000 - 8);
	ck_assert_uint_eq(word_at(0x8000 - 8), EIP0 + 7);
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_CODE & ~3u);
}
END_TEST

START_TEST(patched_far_call_through_rpl_1_is_the_guests_gp)
{
	/* At CPL 0, RPL 1 > CPL for a non-conforming code segment: #GP(selector). */
	PATCHED(0x9A, 0x00, 0x20, 0x00, 0x00, 0x09, 0x00);	/* call 0x09:0x2000 */
	ck_assert_int_ne(rec.reflected, 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x08);
	ck_assert_uint_eq(v->regs.esp, 0x8000);
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

static Suite *emulate_suite(void)
{
	Suite *s = suite_create("emulate");
	TCase *t = tcase_create("rows");
	tcase_add_checked_fixture(t, setup, 0);
	tcase_add_test(t, table_rows_are_consistent);
	tcase_add_test(t, cli_clears_virtual_if_and_advances);
	tcase_add_test(t, sti_sets_if_with_a_one_instruction_shadow);
	tcase_add_test(t, sti_with_if_already_set_opens_no_shadow);
	tcase_add_test(t, hlt_waits_then_continues_after_it);
	tcase_add_test(t, hlt_that_nothing_can_wake_stops_the_guest);
	tcase_add_test(t, lock_cli_is_ud);
	tcase_add_test(t, cli_with_tf_set_is_followed_by_the_single_step_trap);
	tcase_add_test(t, in_al_imm8_reads_the_device);
	tcase_add_test(t, out_dx_ax_writes_a_word);
	tcase_add_test(t, in_eax_dx_reads_a_doubleword);
	tcase_add_test(t, rep_outsb_sends_each_byte_and_counts_down);
	tcase_add_test(t, insb_backwards_with_df);
	tcase_add_test(t, insb_outside_guest_memory_stops_the_guest);
	tcase_add_test(t, user_cli_without_iopl_is_the_kernels_gp);
	tcase_add_test(t, user_cli_with_iopl_3_is_emulated);
	tcase_add_test(t, user_iret_that_faults_is_not_emulated);
	tcase_add_test(t, user_lgdt_is_the_kernels_gp);
	tcase_add_test(t, int_n_goes_to_the_guests_handler_with_the_next_eip);
	tcase_add_test(t, int3_is_vector_3);
	tcase_add_test(t, hypercall_disables_the_virtual_if);
	tcase_add_test(t, hypercall_vector_without_magic_is_a_plain_int);
	tcase_add_test(t, lgdt_reads_the_pseudo_descriptor_and_the_table);
	tcase_add_test(t, lgdt_operand_outside_guest_memory_stops_the_guest);
	tcase_add_test(t, lidt_records_the_virtual_idtr);
	tcase_add_test(t, sgdt_with_umip_gives_the_virtual_gdtr);
	tcase_add_test(t, mov_ss_with_rpl_0_loads_the_real_ring);
	tcase_add_test(t, mov_ss_with_a_null_selector_is_gp0);
	tcase_add_test(t, iretd_returns_and_restores_the_virtual_if);
	tcase_add_test(t, iretd_with_its_frame_outside_memory_stops_the_guest);
	tcase_add_test(t, retf_imm_pops_the_extra_bytes);
	tcase_add_test(t, iret_to_ring_2_with_a_ring_0_stack_is_gp_of_the_stack);
	tcase_add_test(t, iret_to_ring_2_with_a_null_stack_is_gp0);
	tcase_add_test(t, iret_to_ring_2_with_its_stack_not_present_is_ss);
	tcase_add_test(t, iret_to_ring_2_that_the_bare_cpu_completes_stops_the_guest);
	tcase_add_test(t, retf_imm_to_ring_2_reads_the_stack_past_the_immediate);
	tcase_add_test(t, lgdt_operand_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, sgdt_into_a_page_the_guest_does_not_map_writes_nothing);
	tcase_add_test(t, iretd_whose_frame_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, patched_pushf_onto_a_stack_the_guest_does_not_map_is_its_page_fault);
	tcase_add_test(t, user_rep_insb_stops_at_the_page_the_guest_does_not_map);
	tcase_add_test(t, mov_cr0_turning_paging_on_rebuilds_the_shadows);
	tcase_add_test(t, mov_from_cr3_reads_the_virtual_one);
	tcase_add_test(t, mov_to_cr1_is_ud);
	tcase_add_test(t, clts_clears_ts);
	tcase_add_test(t, mov_dr7_keeps_its_always_one_bit);
	tcase_add_test(t, wrmsr_then_rdmsr_sysenter_cs);
	tcase_add_test(t, rdmsr_of_an_unknown_msr_is_gp0);
	tcase_add_test(t, lmsw_cannot_clear_pe);
	tcase_add_test(t, sysenter_enters_the_kernel_from_user_mode);
	tcase_add_test(t, rsm_stops_the_guest);
	tcase_add_test(t, xsetbv_is_ud_without_osxsave);
	tcase_add_test(t, a_real_protection_fault_goes_back_to_the_guest);
	tcase_add_test(t, an_unpatched_popf_that_faults_is_not_emulated);
	tcase_add_test(t, patched_popf_changes_the_virtual_if);
	tcase_add_test(t, patched_pushf_shows_the_virtual_if);
	tcase_add_test(t, patched_push_cs_shows_rpl_0);
	tcase_add_test(t, patched_lar_shows_the_guests_dpl_0);
	tcase_add_test(t, patched_verr_refuses_rpl_1_of_dpl_0);
	tcase_add_test(t, patched_lsl_beyond_the_gdt_leaves_the_register);
	tcase_add_test(t, patched_push_ss_and_mov_from_ss_show_rpl_0);
	tcase_add_test(t, patched_far_call_pushes_the_virtual_cs);
	tcase_add_test(t, patched_far_call_through_rpl_1_is_the_guests_gp);
	tcase_add_test(t, load_of_an_entry_written_after_lgdt_runs_again);
	tcase_add_test(t, fault_without_a_gdt_selector_is_the_guests);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(emulate_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
