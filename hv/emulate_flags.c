/*
 * hv/emulate_flags.c: the instructions the patcher makes trap (POPF, PUSHF,
 * PUSH CS, MOV from CS), emulated as a ring-0 CPU would run them.
 * Runs in: hypervisor, ring 0, when a patched site's INT3 traps.
 *
 * Unpatched, these are the Popek-Goldberg problem: they run at ring 1
 * without trapping, POPF dropping its change to IF, PUSHF and reads of CS
 * showing the real IF and ring. Patched, they see and change the virtual
 * state instead: IF and IOPL from the vCPU, CS with RPL 0.
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/patch.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "deprivilege/eflags_rules.h"

static int operand16(const struct decoded_insn *insn)
{
	return insn->x86.prefix[2] == X86_PREFIX_OPSIZE;
}

static void stack_fault(struct vcpu *v, const struct decoded_insn *insn)
{
	hv_exit_stopped("%s at 0x%08x: the stack at 0x%08x is outside guest memory",
			insn->text, v->regs.eip, v->regs.esp);
}

static int push(struct vcpu *v, uint32_t value, int bytes)
{
	uint32_t esp = v->regs.esp - (uint32_t)bytes;
	if (guest_write(v, guest_segment_base((uint16_t)v->regs.ss) + esp, &value, (uint32_t)bytes))
		return -1;
	v->regs.esp = esp;
	return 0;
}

static void emulate_popf(struct vcpu *v, const struct decoded_insn *insn)
{
	int bytes = operand16(insn) ? 2 : 4;
	uint32_t popped = 0;
	if (guest_read(v, guest_segment_base((uint16_t)v->regs.ss) + v->regs.esp, &popped,
		       (uint32_t)bytes))
		stack_fault(v, insn);
	v->regs.esp += (uint32_t)bytes;

	/* At the guest's CPL (0 in its kernel) POPF may change IF and IOPL, as the SDM allows. */
	uint32_t now = eflags_after_popf(guest_visible_eflags(v), popped, guest_virtual_cpl(v),
					 bytes == 2);
	v->virt_if = (now & EFLAGS_IF) != 0;
	v->virt_iopl = (now & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	v->regs.eflags = (now & ~EFLAGS_IOPL) | EFLAGS_IF;
	v->regs.eip += insn->len;
}

static void emulate_pushf(struct vcpu *v, const struct decoded_insn *insn)
{
	int bytes = operand16(insn) ? 2 : 4;
	if (push(v, eflags_for_pushf(guest_visible_eflags(v)), bytes))
		stack_fault(v, insn);
	v->regs.eip += insn->len;
}

/* The CS selector the guest would see: RPL 0 in its kernel, its own in user mode. */
static uint32_t virtual_cs(const struct vcpu *v)
{
	return v->user_mode ? v->regs.cs : v->regs.cs & ~3u;
}

static void emulate_push_cs(struct vcpu *v, const struct decoded_insn *insn)
{
	/* A 32-bit PUSH of a segment register writes 4 bytes (the selector zero-extended). */
	if (push(v, virtual_cs(v), operand16(insn) ? 2 : 4))
		stack_fault(v, insn);
	v->regs.eip += insn->len;
}

static void emulate_mov_from_cs(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0];
	if (dst->type == X86_OP_REG) {
		/* To a 32-bit register the upper half is zeroed on current CPUs. */
		guest_reg_write(v, dst->reg, dst->size == 4 ? virtual_cs(v)
					     : (guest_reg_read(v, dst->reg) & ~0xFFFFu) | virtual_cs(v));
	} else {
		uint16_t sel = (uint16_t)virtual_cs(v);
		if (guest_write(v, guest_operand_address(v, dst), &sel, 2))
			hv_exit_stopped("%s at 0x%08x writes outside guest memory",
					insn->text, v->regs.eip);
	}
	v->regs.eip += insn->len;
}

void emulate_patched(struct vcpu *v, const struct patch_site *site)
{
	const struct decoded_insn *insn = decode_at(site->la, site->original, site->len);
	if (!insn)
		hv_panic("patched instruction at 0x%08x no longer decodes", site->la);
	stats_trap(&v->regs, insn, "emulate");
	switch (site->kind) {
	case PATCH_POPF: emulate_popf(v, insn); break;
	case PATCH_PUSHF: emulate_pushf(v, insn); break;
	case PATCH_PUSH_CS: emulate_push_cs(v, insn); break;
	case PATCH_MOV_FROM_CS: emulate_mov_from_cs(v, insn); break;
	default: hv_panic("unknown patch kind %u at 0x%08x", site->kind, site->la);
	}
}
