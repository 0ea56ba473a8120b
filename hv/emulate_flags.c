/*
 * hv/emulate_flags.c: the instructions the patcher makes trap that read or
 * write the flags or a selector holding the ring (POPF, PUSHF, PUSH CS and
 * SS, MOV from CS and SS), emulated as a ring-0 CPU would run them; LAR,
 * LSL, VERR, VERW and the far CALL are in hv/emulate_query.c.
 * Runs in: hypervisor, ring 0, when a patched site's INT3 traps (the
 * table in hv/emulate.c marks their rows sensitive-unprivileged).
 *
 * Unpatched, these are the Popek-Goldberg problem: they run at ring 1
 * without trapping, POPF dropping its change to IF, PUSHF and reads of CS
 * showing the real IF and ring. Patched, they see and change the virtual
 * state instead: IF and IOPL from the vCPU, CS and SS with RPL 0.
 */
#include "hv/emulate.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/reflect.h"
#include "deprivilege/eflags_rules.h"

static unsigned operand_bytes(const struct decoded_insn *insn)
{
	return insn->x86.prefix[2] == X86_PREFIX_OPSIZE ? 2 : 4;
}

enum em_result emulate_popf(struct vcpu *v, const struct decoded_insn *insn)
{
	unsigned bytes = operand_bytes(insn);
	uint32_t popped;
	if (guest_pop_or_fault(v, bytes, &popped, insn))
		return EM_DONE;

	/* At the guest's CPL (0 in its kernel) POPF may change IF and IOPL, as the SDM allows. */
	uint32_t now = eflags_after_popf(guest_visible_eflags(v), popped, guest_virtual_cpl(v),
					 bytes == 2);
	v->virt_if = (now & EFLAGS_IF) != 0;
	v->virt_iopl = (now & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	v->regs.eflags = (now & ~EFLAGS_IOPL) | EFLAGS_IF;
	return EM_ADVANCE;
}

enum em_result emulate_pushf(struct vcpu *v, const struct decoded_insn *insn)
{
	if (guest_push_or_fault(v, eflags_for_pushf(guest_visible_eflags(v)), operand_bytes(insn),
				insn))
		return EM_DONE;
	return EM_ADVANCE;
}

/*
 * The selector of CS or SS the guest would see: RPL 0 in its kernel (the
 * real one carries the ring it runs in), its own in user mode.
 */
static uint32_t virtual_selector(const struct vcpu *v, x86_reg reg)
{
	uint32_t sel = reg == X86_REG_SS ? v->regs.ss : v->regs.cs;
	return v->user_mode ? sel : sel & ~3u;
}

enum em_result emulate_push_sreg(struct vcpu *v, const struct decoded_insn *insn)
{
	/* A 32-bit PUSH of a segment register writes 4 bytes (the selector zero-extended). */
	if (guest_push_or_fault(v, virtual_selector(v, insn->x86.operands[0].reg),
				operand_bytes(insn), insn))
		return EM_DONE;
	return EM_ADVANCE;
}

enum em_result emulate_mov_from_sreg(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0];
	uint32_t sel = virtual_selector(v, insn->x86.operands[1].reg);
	if (dst->type == X86_OP_REG) {
		/* To a 32-bit register the upper half is zeroed on current CPUs. */
		guest_reg_write(v, dst->reg, dst->size == 4 ? sel
					     : (guest_reg_read(v, dst->reg) & ~0xFFFFu) | sel);
	} else {
		uint16_t word = (uint16_t)sel;
		if (guest_write_or_fault(v, guest_operand_address(v, dst), &word, 2, insn))
			return EM_DONE;
	}
	return EM_ADVANCE;
}
