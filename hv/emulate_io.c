/*
 * hv/emulate_io.c: IN, OUT, INS and OUTS.
 * Runs in: hypervisor, ring 0, for every port access by the guest.
 *
 * The guest runs with IOPL 0 and the TSS has no I/O permission map, so every
 * port access traps, whatever its form: byte, word or doubleword; immediate
 * or DX port; single or REP string.
 */
#include "hv/emulate.h"
#include "hv/guest_access.h"
#include "hv/machine.h"
#include "hv/vdev.h"

enum em_result emulate_in_out(struct vcpu *v, const struct decoded_insn *insn)
{
	int is_out = insn->id == X86_INS_OUT;
	const cs_x86_op *port_op = &insn->x86.operands[is_out ? 0 : 1];
	const cs_x86_op *data_op = &insn->x86.operands[is_out ? 1 : 0];
	uint16_t port = port_op->type == X86_OP_IMM ? (uint16_t)port_op->imm
						    : (uint16_t)guest_reg_read(v, X86_REG_DX);
	unsigned size = data_op->size;

	if (is_out)
		vdev_out(machine_of(v), port, size, guest_reg_read(v, data_op->reg));
	else
		guest_reg_write(v, data_op->reg, vdev_in(machine_of(v), port, size));
	return EM_ADVANCE;
}

static unsigned string_io_size(unsigned id)
{
	switch (id) {
	case X86_INS_INSB:
	case X86_INS_OUTSB: return 1;
	case X86_INS_INSW:
	case X86_INS_OUTSW: return 2;
	default: return 4;
	}
}

enum em_result emulate_string_io(struct vcpu *v, const struct decoded_insn *insn)
{
	int is_out = insn->id == X86_INS_OUTSB || insn->id == X86_INS_OUTSW ||
		     insn->id == X86_INS_OUTSD;
	/* REPNE repeats INS and OUTS as REP does (neither looks at ZF there). */
	int rep = insn->x86.prefix[0] == X86_PREFIX_REP || insn->x86.prefix[0] == X86_PREFIX_REPNE;
	int addr32 = insn->x86.addr_size != 2;
	unsigned size = string_io_size(insn->id);
	uint16_t port = (uint16_t)guest_reg_read(v, X86_REG_DX);
	int32_t step = v->regs.eflags & EFLAGS_DF ? -(int32_t)size : (int32_t)size;
	uint32_t count = rep ? (addr32 ? v->regs.ecx : v->regs.ecx & 0xFFFF) : 1;

	/* OUTS reads DS:ESI (the segment may be overridden); INS writes ES:EDI (it may not). */
	x86_reg seg = X86_REG_ES;
	if (is_out) {
		seg = X86_REG_DS;
		for (unsigned i = 0; i < insn->x86.op_count; i++)
			if (insn->x86.operands[i].type == X86_OP_MEM &&
			    insn->x86.operands[i].mem.segment != X86_REG_INVALID)
				seg = insn->x86.operands[i].mem.segment;
	}
	uint32_t base = guest_segment_base(guest_segment_selector(v, seg));
	uint32_t *index = is_out ? &v->regs.esi : &v->regs.edi;

	for (; count; count--) {
		uint32_t offset = addr32 ? *index : *index & 0xFFFF;
		uint32_t value = 0;
		if (is_out) {
			if (guest_read_or_fault(v, base + offset, &value, size, insn))
				return EM_DONE;	/* the iterations done so far stay done */
			vdev_out(machine_of(v), port, size, value);
		} else {
			value = vdev_in(machine_of(v), port, size);
			if (guest_write_or_fault(v, base + offset, &value, size, insn))
				return EM_DONE;
		}
		if (addr32)
			*index += (uint32_t)step;
		else
			*index = (*index & 0xFFFF0000u) | ((*index + (uint32_t)step) & 0xFFFF);
		if (rep) {
			if (addr32)
				v->regs.ecx--;
			else
				v->regs.ecx = (v->regs.ecx & 0xFFFF0000u) | ((v->regs.ecx - 1) & 0xFFFF);
		}
	}
	return EM_ADVANCE;
}
