/*
 * hv/emulate_user.c: the guest kernel entering its user mode (IRET, far RET
 * or far JMP to a user code segment, SYSEXIT) and user code calling the
 * kernel with SYSENTER.
 * Runs in: hypervisor, ring 0.
 *
 * The kernel view of the GDT marks user code segments not present
 * (hv/guest_mode.c), so the kernel's jump into user mode arrives here as
 * #NP; the instruction is completed as the bare machine would complete it,
 * in the user view and the user address space.
 */
#include "hv/emulate.h"
#include "hv/cpu_tables.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "deprivilege/eflags_rules.h"
#include "deprivilege/sysreg_rules.h"

/* Into user mode at cs:eip with ss:esp; the stack segment is checked in the user view. */
static int enter_user(struct vcpu *v, const struct decoded_insn *insn, uint32_t eip,
		      uint16_t cs, uint32_t esp, uint16_t ss)
{
	/* The stack segment is checked as the return to CPL 3 checks it (#GP or #SS). */
	guest_mode_enter_user(v);
	struct sysreg_result check = sysreg_check_load_ss(ss, cpu_tables_gdt_entry(ss), 3);
	if (check.outcome != SYSREG_OK) {
		guest_mode_enter_kernel(v);
		reflect_to_guest(v, check.vector, check.error, v->regs.eip, insn->text);
		return -1;
	}
	v->regs.eip = eip;
	v->regs.cs = cs;
	v->regs.esp = esp;
	v->regs.ss = ss;
	return 0;
}

/*
 * #NP from the guest kernel: an entry into user mode, or a real
 * not-present segment the guest must handle itself.
 */
void emulate_segment_not_present(struct vcpu *v)
{
	uint32_t la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint8_t bytes[DECODE_MAX_LEN];
	uint32_t avail = DECODE_MAX_LEN;
	while (avail && guest_read(v, la, bytes, avail))
		avail--;
	const struct decoded_insn *insn = avail ? decode_at_mode(la, bytes, avail, guest_code16(v)) : 0;
	uint16_t sel = (uint16_t)(v->regs.error & ~3u);

	if ((!insn || v->user_mode || !guest_mode_is_user_code(v, sel)) &&
	    emulate_gdt_entry_changed(v, v->regs.error)) {
		stats_trap(&v->regs, insn, "emulate");
		return;
	}
	if (!insn || v->user_mode || !guest_mode_is_user_code(v, sel) ||
	    (insn->id != X86_INS_IRETD && insn->id != X86_INS_RETF)) {
		stats_trap(&v->regs, insn, "reflect");
		reflect_to_guest(v, VEC_NP, v->regs.error, v->regs.eip, insn ? insn->text : 0);
		return;
	}
	stats_trap(&v->regs, insn, "emulate");
	if (insn->id == X86_INS_IRETD) {
		uint32_t w[5];	/* EIP, CS, EFLAGS, ESP, SS */
		if (guest_stack_read_or_fault(v, 0, w, sizeof w, insn))
			return;
		if (SEL_RPL(w[1]) != 3) {
			emulate_raise_gp(v, w[1] & ~3u, insn);
			return;
		}
		if (enter_user(v, insn, w[0], (uint16_t)w[1], w[3], (uint16_t)w[4]))
			return;
		/* The flags an IRET at CPL 0 loads, NT among them; IF and IOPL virtually. */
		uint32_t now = eflags_after_iret(guest_visible_eflags(v), w[2], 0);
		v->virt_if = (now & EFLAGS_IF) != 0;
		v->virt_iopl = (now & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
		v->regs.eflags = (now & ~EFLAGS_IOPL) | EFLAGS_IF;
	} else {
		uint32_t w[4];	/* EIP, CS, ESP, SS (after any immediate) */
		uint32_t imm = insn->x86.op_count == 1 ? (uint32_t)insn->x86.operands[0].imm : 0;
		if (guest_stack_read_or_fault(v, 0, w, 8, insn) ||
		    guest_stack_read_or_fault(v, 8 + imm, w + 2, 8, insn))
			return;
		if (SEL_RPL(w[1]) != 3) {
			emulate_raise_gp(v, w[1] & ~3u, insn);
			return;
		}
		enter_user(v, insn, w[0], (uint16_t)w[1], w[2] + imm, (uint16_t)w[3]);
	}
}

enum em_result emulate_sysenter(struct vcpu *v, const struct decoded_insn *insn)
{
	uint16_t cs = (uint16_t)(v->msr_sysenter_cs & ~3u);
	/* Intel SDM, SYSENTER: #GP(0) if IA32_SYSENTER_CS is null. */
	if (!cs) {
		emulate_raise_gp(v, 0, insn);
		return EM_DONE;
	}
	guest_mode_enter_kernel(v);
	v->virt_if = 0;
	v->regs.eflags &= ~(EFLAGS_VM | EFLAGS_RF);
	v->regs.cs = cs | v->ring;
	v->regs.ss = (uint16_t)(cs + 8) | v->ring;
	v->regs.eip = v->msr_sysenter_eip;
	v->regs.esp = v->msr_sysenter_esp;
	return EM_DONE;
}

enum em_result emulate_sysexit(struct vcpu *v, const struct decoded_insn *insn)
{
	uint16_t cs = (uint16_t)(v->msr_sysenter_cs & ~3u);
	/* Intel SDM, SYSEXIT: #GP(0) if IA32_SYSENTER_CS is null (CPL 0 is the guest's). */
	if (!cs) {
		emulate_raise_gp(v, 0, insn);
		return EM_DONE;
	}
	enter_user(v, insn, v->regs.edx, (uint16_t)(cs + 16) | 3, v->regs.ecx,
		   (uint16_t)(cs + 24) | 3);
	return EM_DONE;
}
