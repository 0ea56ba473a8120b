/*
 * hv/emulate_query.c: LAR, LSL, VERR, VERW and the far CALL, when the
 * patcher has made them trap, answered from the guest's own descriptors at
 * its virtual CPL.
 * Runs in: hypervisor, ring 0, when a patched site's INT3 traps (their rows
 * in hv/emulate.c are sensitive-unprivileged).
 *
 * Unpatched they run on the real CPU against the shadowed tables: DPL
 * compressed to the guest's ring, limits truncated, the real CPL. Here the
 * descriptor comes from the guest's GDT or LDT in its memory, and the
 * decision from deprivilege/query_rules.c (LAR and friends) or the SDM's
 * far CALL to a code segment; the far CALL pushes the virtual CS (RPL 0 in
 * the guest's kernel).
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/reflect.h"
#include "deprivilege/query_rules.h"
#include "deprivilege/sysreg_rules.h"

/*
 * The guest's own descriptor for sel, from its GDT or (TI set) the LDT its
 * LDTR names, as it is in memory now; NULL when sel lies beyond the table,
 * names an LDT when none is loaded, or the table cannot be read.
 */
static const struct x86_desc *guest_descriptor(const struct vcpu *v, uint16_t sel,
					       struct x86_desc *d)
{
	uint32_t base = v->virt_gdtr.base, limit = v->virt_gdtr.limit;

	if (sel & SEL_TI) {
		struct x86_desc ldt;
		if (sysreg_selector_is_null(v->virt_ldtr) ||
		    !sysreg_gdt_holds(v->virt_ldtr, v->virt_gdtr.limit) ||
		    guest_read_system(v, base + SEL_INDEX(v->virt_ldtr) * 8, &ldt, sizeof ldt))
			return 0;
		base = desc_base(ldt);
		limit = desc_limit(ldt);
	}
	if ((uint32_t)SEL_INDEX(sel) * 8 + 7 > limit)
		return 0;
	if (guest_read_system(v, base + SEL_INDEX(sel) * 8, d, sizeof *d))
		return 0;
	return d;
}

static void set_zf(struct vcpu *v, int zf)
{
	v->regs.eflags = zf ? v->regs.eflags | EFLAGS_ZF : v->regs.eflags & ~EFLAGS_ZF;
}

enum em_result emulate_desc_query(struct vcpu *v, const struct decoded_insn *insn)
{
	int two = insn->id == X86_INS_LAR || insn->id == X86_INS_LSL;
	const cs_x86_op *src = &insn->x86.operands[two ? 1 : 0];
	uint16_t sel;
	struct x86_desc d;

	if (src->type == X86_OP_REG)
		sel = (uint16_t)guest_reg_read(v, src->reg);
	else if (guest_read_or_fault(v, guest_operand_address(v, src), &sel, 2, insn))
		return EM_DONE;

	const struct x86_desc *found = guest_descriptor(v, sel, &d);
	unsigned cpl = guest_virtual_cpl(v);
	struct query_answer a;
	switch (insn->id) {
	case X86_INS_VERR: a = query_verr(sel, found, cpl); break;
	case X86_INS_VERW: a = query_verw(sel, found, cpl); break;
	default: {
		const cs_x86_op *dst = &insn->x86.operands[0];
		int o16 = dst->size == 2;
		a = insn->id == X86_INS_LAR ? query_lar(sel, found, cpl, o16)
					    : query_lsl(sel, found, cpl, o16);
		/* The destination is written only when ZF is set. */
		if (a.zf)
			guest_reg_write(v, dst->reg, o16 ? (guest_reg_read(v, dst->reg) & ~0xFFFFu) | a.value
							 : a.value);
		break;
	}
	}
	set_zf(v, a.zf);
	return EM_ADVANCE;
}

/*
 * CALL ptr16:32 and CALL m16:32 to a code segment at the same privilege
 * (Intel SDM vol. 2A, CALL, "far call to a code segment"): the target
 * checked as the bare CPU at the guest's CPL checks it, the virtual CS and
 * the return address pushed, CS loaded with the new selector at the real
 * ring. A call through a gate or a TSS is not emulated: it stops the guest.
 */
enum em_result emulate_far_call(struct vcpu *v, const struct decoded_insn *insn)
{
	uint16_t sel;
	uint32_t offset;
	struct x86_desc d;

	if (insn->x86.op_count == 2) {
		sel = (uint16_t)insn->x86.operands[0].imm;
		offset = (uint32_t)insn->x86.operands[1].imm;
	} else {
		uint8_t ptr[6];
		if (guest_read_or_fault(v, guest_operand_address(v, &insn->x86.operands[0]), ptr,
					sizeof ptr, insn))
			return EM_DONE;
		offset = (uint32_t)ptr[0] | (uint32_t)ptr[1] << 8 | (uint32_t)ptr[2] << 16 |
			 (uint32_t)ptr[3] << 24;
		sel = (uint16_t)(ptr[4] | ptr[5] << 8);
	}
	unsigned cpl = guest_virtual_cpl(v);
	if (sysreg_selector_is_null(sel)) {
		emulate_raise_gp(v, 0, insn);
		return EM_DONE;
	}
	const struct x86_desc *found = guest_descriptor(v, sel, &d);
	if (found && !DESC_S(d))
		hv_exit_stopped("unemulated: %s at 0x%08x: a far call through a gate or TSS",
				insn->text, v->regs.eip);
	/* Conforming: DPL <= CPL. Non-conforming: RPL <= CPL and DPL == CPL. Else #GP(selector). */
	int conforming = found && (DESC_TYPE(d) & DESC_TYPE_CONFORMING);
	if (!found || !(DESC_TYPE(d) & DESC_TYPE_CODE) ||
	    (conforming ? DESC_DPL(d) > cpl : (SEL_RPL(sel) > cpl || DESC_DPL(d) != cpl))) {
		emulate_raise_gp(v, sel & ~3u, insn);
		return EM_DONE;
	}
	if (!DESC_P(d)) {
		reflect_to_guest(v, VEC_NP, sel & ~3u, v->regs.eip, insn->text);
		return EM_DONE;
	}
	uint32_t virtual_cs = v->user_mode ? v->regs.cs : v->regs.cs & ~3u;
	uint32_t esp = v->regs.esp;
	if (guest_push_or_fault(v, virtual_cs, 4, insn) ||
	    guest_push_or_fault(v, v->regs.eip + insn->len, 4, insn)) {
		v->regs.esp = esp;	/* nothing of the call happened */
		return EM_DONE;
	}
	/* The CPU puts the CPL in CS's RPL: the real ring here. */
	v->regs.cs = (uint16_t)((sel & ~3u) | (v->regs.cs & 3u));
	v->regs.eip = offset;
	return EM_DONE;
}
