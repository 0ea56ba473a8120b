/*
 * hv/mmio.c: the guest's accesses to a device's memory-mapped registers
 * (the local APIC at 0xFEE00000, the I/O APIC at 0xFEC00000).
 * Runs in: hypervisor, ring 0, on a #PF whose guest-physical address lies
 * outside guest RAM, in a device row's MMIO range (hv/vdev.c).
 *
 * Nothing maps a device page into the guest: with the guest's paging off
 * its address space ends with its RAM, and with paging on the shadow MMU
 * refuses to map anything outside it (shadow_pt/). So every access faults,
 * and here the instruction at the guest's EIP is decoded (through the
 * decode cache) and carried out against the device: MOV in every size,
 * MOVZX/MOVSX, XCHG, the read-modify-write ALU instructions with the
 * arithmetic flags a bare CPU computes (taken from the real ALU), CMP and
 * TEST, and MOVS/STOS/LODS (with REP) where one side is the device. Any
 * other instruction stops the guest with its name and address rather than
 * guess at what it meant.
 */
#include "hv/mmio.h"
#include "hv/console.h"
#include "hv/decode.h"
#include "hv/guest_access.h"
#include "hv/machine.h"
#include "hv/stats.h"
#include "hv/vdev.h"
#include "lib/mmu.h"

#define ARITH_FLAGS (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

/* One access the instruction makes, with where the fault said the device is. */
struct mmio_ctx {
	struct vcpu *v;
	const struct decoded_insn *insn;
	uint32_t fault_la, fault_gpa;
};

static void __attribute__((noreturn)) unemulated(const struct mmio_ctx *c, const char *why)
{
	hv_exit_stopped("unemulated: %s at 0x%08x on MMIO 0x%08x (%s)", c->insn->text,
			c->v->regs.eip, c->fault_gpa, why);
}

/*
 * An access of size bytes at guest-linear la: the device when la lies in
 * the faulting page, guest memory otherwise (the other side of a MOVS).
 */
static uint32_t access_read(const struct mmio_ctx *c, uint32_t la, unsigned size)
{
	uint32_t value = 0;
	if ((la & PAGE_MASK) == (c->fault_la & PAGE_MASK)) {
		uint32_t gpa = (c->fault_gpa & PAGE_MASK) | (la & ~PAGE_MASK);
		const struct vdev *d = vdev_mmio_at(gpa);
		if (!d || !(d->sizes & size) || !d->read)
			unemulated(c, "no device reads there");
		return d->read(machine_of(c->v), gpa, size);
	}
	if (guest_read(c->v, la, &value, size))
		unemulated(c, "its other operand lies outside guest memory");
	return value;
}

static void access_write(const struct mmio_ctx *c, uint32_t la, unsigned size, uint32_t value)
{
	if ((la & PAGE_MASK) == (c->fault_la & PAGE_MASK)) {
		uint32_t gpa = (c->fault_gpa & PAGE_MASK) | (la & ~PAGE_MASK);
		const struct vdev *d = vdev_mmio_at(gpa);
		if (!d || !(d->sizes & size))
			unemulated(c, "no device writes there");
		if (d->write)
			d->write(machine_of(c->v), gpa, size, value);
		return;
	}
	if (guest_write(c->v, la, &value, size))
		unemulated(c, "its other operand lies outside guest memory");
}

/*
 * The real ALU computes the result and the arithmetic flags, in the
 * operand's size, from the guest's flags (CF for ADC and SBB).
 */
#define ALU2(name, op)								\
static uint32_t name(uint32_t a, uint32_t b, unsigned size, uint32_t *flags)	\
{										\
	uint32_t fl = (*flags & ARITH_FLAGS) | EFLAGS_FIXED;			\
	if (size == 1) {							\
		uint8_t x = (uint8_t)a, y = (uint8_t)b;				\
		__asm__("push %[f]; popf; " op "b %[y], %[x]; pushf; pop %[f]"	\
			: [x] "+q"(x), [f] "+r"(fl) : [y] "q"(y) : "cc");		\
		a = x;								\
	} else if (size == 2) {							\
		uint16_t x = (uint16_t)a, y = (uint16_t)b;			\
		__asm__("push %[f]; popf; " op "w %[y], %[x]; pushf; pop %[f]"	\
			: [x] "+r"(x), [f] "+r"(fl) : [y] "r"(y) : "cc");		\
		a = x;								\
	} else {								\
		__asm__("push %[f]; popf; " op "l %[y], %[x]; pushf; pop %[f]"	\
			: [x] "+r"(a), [f] "+r"(fl) : [y] "r"(b) : "cc");		\
	}									\
	*flags = (*flags & ~ARITH_FLAGS) | (fl & ARITH_FLAGS);			\
	return a;								\
}

#define ALU1(name, op)								\
static uint32_t name(uint32_t a, uint32_t b, unsigned size, uint32_t *flags)	\
{										\
	uint32_t fl = (*flags & ARITH_FLAGS) | EFLAGS_FIXED;			\
	(void)b;								\
	if (size == 1) {							\
		uint8_t x = (uint8_t)a;						\
		__asm__("push %[f]; popf; " op "b %[x]; pushf; pop %[f]"		\
			: [x] "+q"(x), [f] "+r"(fl) : : "cc");			\
		a = x;								\
	} else if (size == 2) {							\
		uint16_t x = (uint16_t)a;					\
		__asm__("push %[f]; popf; " op "w %[x]; pushf; pop %[f]"		\
			: [x] "+r"(x), [f] "+r"(fl) : : "cc");			\
		a = x;								\
	} else {								\
		__asm__("push %[f]; popf; " op "l %[x]; pushf; pop %[f]"		\
			: [x] "+r"(a), [f] "+r"(fl) : : "cc");			\
	}									\
	*flags = (*flags & ~ARITH_FLAGS) | (fl & ARITH_FLAGS);			\
	return a;								\
}

ALU2(alu_add, "add")
ALU2(alu_or, "or")
ALU2(alu_adc, "adc")
ALU2(alu_sbb, "sbb")
ALU2(alu_and, "and")
ALU2(alu_sub, "sub")
ALU2(alu_xor, "xor")
ALU2(alu_cmp, "cmp")
ALU2(alu_test, "test")
ALU1(alu_inc, "inc")
ALU1(alu_dec, "dec")
ALU1(alu_neg, "neg")

static uint32_t alu_not(uint32_t a, uint32_t b, unsigned size, uint32_t *flags)
{
	(void)b, (void)flags;	/* NOT changes no flag */
	return size == 4 ? ~a : ~a & ((1u << (size * 8)) - 1);
}

typedef uint32_t (*alu_fn)(uint32_t, uint32_t, unsigned, uint32_t *);

static alu_fn alu_of(unsigned id, int *writes_back)
{
	*writes_back = 1;
	switch (id) {
	case X86_INS_ADD: return alu_add;
	case X86_INS_OR: return alu_or;
	case X86_INS_ADC: return alu_adc;
	case X86_INS_SBB: return alu_sbb;
	case X86_INS_AND: return alu_and;
	case X86_INS_SUB: return alu_sub;
	case X86_INS_XOR: return alu_xor;
	case X86_INS_INC: return alu_inc;
	case X86_INS_DEC: return alu_dec;
	case X86_INS_NEG: return alu_neg;
	case X86_INS_NOT: return alu_not;
	case X86_INS_CMP: *writes_back = 0; return alu_cmp;
	case X86_INS_TEST: *writes_back = 0; return alu_test;
	default: return 0;
	}
}

static uint32_t operand_value(const struct mmio_ctx *c, const cs_x86_op *op)
{
	if (op->type == X86_OP_IMM)
		return (uint32_t)op->imm;
	if (op->type == X86_OP_REG)
		return guest_reg_read(c->v, op->reg);
	unemulated(c, "an operand it cannot take");
}

static uint32_t sign_extend(uint32_t value, unsigned size)
{
	if (size == 1)
		return (uint32_t)(int32_t)(int8_t)value;
	if (size == 2)
		return (uint32_t)(int32_t)(int16_t)value;
	return value;
}

/* MOVS, STOS, LODS, with or without REP: one side is the device. */
static void string_op(const struct mmio_ctx *c)
{
	struct vcpu *v = c->v;
	const struct decoded_insn *insn = c->insn;
	unsigned size;
	int movs = 0, stos = 0;

	switch (insn->id) {
	case X86_INS_MOVSB: movs = 1; size = 1; break;
	case X86_INS_MOVSW: movs = 1; size = 2; break;
	case X86_INS_MOVSD: movs = 1; size = 4; break;
	case X86_INS_STOSB: stos = 1; size = 1; break;
	case X86_INS_STOSW: stos = 1; size = 2; break;
	case X86_INS_STOSD: stos = 1; size = 4; break;
	case X86_INS_LODSB: size = 1; break;
	case X86_INS_LODSW: size = 2; break;
	default: size = 4; break;	/* LODSD */
	}
	if (insn->x86.addr_size == 2)
		unemulated(c, "16-bit addressing");
	int rep = insn->x86.prefix[0] == X86_PREFIX_REP;
	uint32_t count = rep ? v->regs.ecx : 1;
	int32_t step = v->regs.eflags & EFLAGS_DF ? -(int32_t)size : (int32_t)size;
	uint32_t src_base = guest_segment_base(guest_segment_selector(v, X86_REG_DS));
	uint32_t dst_base = guest_segment_base((uint16_t)v->regs.es);

	for (unsigned i = 0; i < insn->x86.op_count; i++)
		if (insn->x86.operands[i].type == X86_OP_MEM &&
		    insn->x86.operands[i].mem.base == X86_REG_ESI &&
		    insn->x86.operands[i].mem.segment != X86_REG_INVALID)
			src_base = guest_segment_base(guest_segment_selector(
				v, insn->x86.operands[i].mem.segment));
	for (; count; count--) {
		if (movs) {
			uint32_t value = access_read(c, src_base + v->regs.esi, size);
			access_write(c, dst_base + v->regs.edi, size, value);
			v->regs.esi += (uint32_t)step;
			v->regs.edi += (uint32_t)step;
		} else if (stos) {
			access_write(c, dst_base + v->regs.edi, size,
				     guest_reg_read(v, size == 1 ? X86_REG_AL
						       : size == 2 ? X86_REG_AX : X86_REG_EAX));
			v->regs.edi += (uint32_t)step;
		} else {
			guest_reg_write(v, size == 1 ? X86_REG_AL : size == 2 ? X86_REG_AX : X86_REG_EAX,
					access_read(c, src_base + v->regs.esi, size));
			v->regs.esi += (uint32_t)step;
		}
		if (rep)
			v->regs.ecx--;
	}
}

static void emulate_access(const struct mmio_ctx *c)
{
	struct vcpu *v = c->v;
	const struct decoded_insn *insn = c->insn;
	const cs_x86_op *ops = insn->x86.operands;
	unsigned n = insn->x86.op_count;
	int mem0 = n >= 1 && ops[0].type == X86_OP_MEM;
	int mem1 = n >= 2 && ops[1].type == X86_OP_MEM;
	int writes_back;
	alu_fn alu;

	if (insn->x86.prefix[0] == X86_PREFIX_LOCK && insn->id != X86_INS_XCHG &&
	    !alu_of(insn->id, &writes_back))
		unemulated(c, "a locked instruction");
	switch (insn->id) {
	case X86_INS_MOV:
		if (mem0)
			access_write(c, c->fault_la, ops[0].size, operand_value(c, &ops[1]));
		else if (mem1 && ops[0].type == X86_OP_REG)
			guest_reg_write(v, ops[0].reg, access_read(c, c->fault_la, ops[1].size));
		else
			unemulated(c, "no memory operand");
		return;
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
		if (!mem1)
			unemulated(c, "no memory operand");
		{
			uint32_t value = access_read(c, c->fault_la, ops[1].size);
			if (insn->id == X86_INS_MOVSX)
				value = sign_extend(value, ops[1].size);
			guest_reg_write(v, ops[0].reg, value);
		}
		return;
	case X86_INS_XCHG:
		if (mem0 || mem1) {
			const cs_x86_op *reg = mem0 ? &ops[1] : &ops[0];
			const cs_x86_op *mem = mem0 ? &ops[0] : &ops[1];
			uint32_t old = access_read(c, c->fault_la, mem->size);
			access_write(c, c->fault_la, mem->size, guest_reg_read(v, reg->reg));
			guest_reg_write(v, reg->reg, old);
			return;
		}
		unemulated(c, "no memory operand");
	case X86_INS_MOVSB: case X86_INS_MOVSW: case X86_INS_MOVSD:
	case X86_INS_STOSB: case X86_INS_STOSW: case X86_INS_STOSD:
	case X86_INS_LODSB: case X86_INS_LODSW: case X86_INS_LODSD:
		string_op(c);
		return;
	default:
		break;
	}
	alu = alu_of(insn->id, &writes_back);
	if (!alu)
		unemulated(c, "not an instruction emulated on MMIO");
	if (mem0) {
		unsigned size = ops[0].size;
		uint32_t a = access_read(c, c->fault_la, size);
		uint32_t b = n >= 2 ? operand_value(c, &ops[1]) : 0;
		uint32_t r = alu(a, b, size, &v->regs.eflags);
		if (writes_back)
			access_write(c, c->fault_la, size, r);
	} else if (mem1 && ops[0].type == X86_OP_REG) {
		unsigned size = ops[0].size;
		uint32_t r = alu(guest_reg_read(v, ops[0].reg), access_read(c, c->fault_la, ops[1].size),
				 size, &v->regs.eflags);
		if (writes_back)
			guest_reg_write(v, ops[0].reg, r);
	} else {
		unemulated(c, "no memory operand");
	}
}

int mmio_access(struct vcpu *v, uint32_t la, uint32_t gpa)
{
	if (!vdev_mmio_at(gpa))
		return 0;

	uint8_t bytes[DECODE_MAX_LEN];
	uint32_t code_la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint32_t avail = DECODE_MAX_LEN;
	while (avail && guest_read(v, code_la, bytes, avail))
		avail--;
	if (!avail)
		hv_exit_stopped("MMIO access to 0x%08x from 0x%08x, which lies outside guest memory",
				gpa, code_la);
	const struct decoded_insn *insn = decode_at_mode(code_la, bytes, avail, guest_code16(v));
	if (!insn)
		hv_exit_stopped("MMIO access to 0x%08x at 0x%08x on bytes that do not decode",
				gpa, v->regs.eip);
	struct mmio_ctx c = { .v = v, .insn = insn, .fault_la = la, .fault_gpa = gpa };
	stats_trap(&v->regs, insn, "mmio");
	emulate_access(&c);
	v->regs.eip += insn->len;
	return 1;
}
