/*
 * hv/guest_access.c: the guest's registers and memory, seen from the
 * hypervisor.
 * Runs in: hypervisor, ring 0, on the trap path.
 *
 * Guest memory is one contiguous block of host memory that the hypervisor's
 * address space maps at vcpu->mem. A guest-linear address goes through the
 * guest's own page tables when its paging is on, and is used only after the
 * bounds check in translate().
 */
#include "hv/guest_access.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/decode.h"
#include "lib/mmu.h"
#include "hv/shadow.h"
#include "lib/string.h"

static uint32_t *reg32(struct vcpu *v, unsigned which)
{
	/* which: 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi */
	uint32_t *r[8] = { &v->regs.eax, &v->regs.ecx, &v->regs.edx, &v->regs.ebx,
			   &v->regs.esp, &v->regs.ebp, &v->regs.esi, &v->regs.edi };
	return r[which];
}

/* Register number, byte offset in it (1 for AH..BH) and width in bytes. */
static int reg_slot(x86_reg reg, unsigned *which, unsigned *shift, unsigned *width)
{
	static const x86_reg r32[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
					X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
	static const x86_reg r16[8] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
					X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI };
	static const x86_reg r8lo[4] = { X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL };
	static const x86_reg r8hi[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };

	for (unsigned i = 0; i < 8; i++) {
		if (reg == r32[i]) {
			*which = i, *shift = 0, *width = 4;
			return 0;
		}
		if (reg == r16[i]) {
			*which = i, *shift = 0, *width = 2;
			return 0;
		}
		if (i < 4 && reg == r8lo[i]) {
			*which = i, *shift = 0, *width = 1;
			return 0;
		}
		if (i < 4 && reg == r8hi[i]) {
			*which = i, *shift = 8, *width = 1;
			return 0;
		}
	}
	return -1;
}

uint16_t guest_segment_selector(const struct vcpu *v, x86_reg seg)
{
	switch (seg) {
	case X86_REG_CS: return (uint16_t)v->regs.cs;
	case X86_REG_SS: return (uint16_t)v->regs.ss;
	case X86_REG_ES: return (uint16_t)v->regs.es;
	case X86_REG_FS: return (uint16_t)v->regs.fs;
	case X86_REG_GS: return (uint16_t)v->regs.gs;
	default:	 return (uint16_t)v->regs.ds;
	}
}

uint32_t guest_reg_read(const struct vcpu *v, x86_reg reg)
{
	unsigned which, shift, width;
	if (reg_slot(reg, &which, &shift, &width))
		return guest_segment_selector(v, reg);
	uint32_t value = *reg32((struct vcpu *)v, which) >> shift;
	return width == 4 ? value : value & ((1u << (width * 8)) - 1);
}

void guest_reg_write(struct vcpu *v, x86_reg reg, uint32_t value)
{
	unsigned which, shift, width;
	if (reg_slot(reg, &which, &shift, &width))
		return;
	uint32_t *r = reg32(v, which);
	uint32_t mask = width == 4 ? 0xFFFFFFFFu : ((1u << (width * 8)) - 1) << shift;
	*r = (*r & ~mask) | ((value << shift) & mask);
}

int guest_code16(const struct vcpu *v)
{
	const struct x86_desc *d = cpu_tables_gdt_entry((uint16_t)v->regs.cs);
	return d && !DESC_DB(*d);
}

uint32_t guest_segment_base(uint16_t sel)
{
	const struct x86_desc *d = cpu_tables_gdt_entry(sel);
	return d && DESC_P(*d) ? desc_base(*d) : 0;
}

/*
 * A guest-linear address to the hypervisor's pointer, page by page. A
 * system access (the CPU reading the IDT, GDT or TSS) is a supervisor
 * access even when the guest runs user code.
 */
static uint8_t *translate(struct vcpu *v, uint32_t la, uint32_t len, int write, int system)
{
	uint32_t gpa = la;
	if (shadow_paging_on(v) && shadow_translate(v, la, write, system, &gpa))
		return 0;
	if (gpa >= v->mem_bytes || len > v->mem_bytes - gpa)
		return 0;
	/* A write into one of the guest's page tables changes what the shadows say. */
	if (write && shadow_paging_on(v))
		shadow_guest_wrote(v, gpa, len);
	return v->mem + gpa;
}

/* Copy to (write) or from guest-linear memory, splitting at page boundaries. */
static int copy_linear(const struct vcpu *cv, uint32_t la, void *buf, uint32_t len, int write,
		       int system)
{
	struct vcpu *v = (struct vcpu *)cv;
	uint8_t *b = buf;
	while (len) {
		uint32_t chunk = PAGE_SIZE - (la & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		uint8_t *p = translate(v, la, chunk, write, system);
		if (!p)
			return -1;
		if (write)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		la += chunk, b += chunk, len -= chunk;
	}
	return 0;
}

int guest_read(const struct vcpu *v, uint32_t la, void *dst, uint32_t len)
{
	return copy_linear(v, la, dst, len, 0, 0);
}

int guest_write(const struct vcpu *v, uint32_t la, const void *src, uint32_t len)
{
	return copy_linear(v, la, (void *)src, len, 1, 0);
}

int guest_read_system(const struct vcpu *v, uint32_t la, void *dst, uint32_t len)
{
	return copy_linear(v, la, dst, len, 0, 1);
}

int guest_write_system(const struct vcpu *v, uint32_t la, const void *src, uint32_t len)
{
	return copy_linear(v, la, (void *)src, len, 1, 1);
}

uint32_t guest_operand_address(const struct vcpu *v, const cs_x86_op *op)
{
	const x86_op_mem *m = &op->mem;
	uint32_t ea = (uint32_t)m->disp;
	x86_reg seg = m->segment;

	if (m->base != X86_REG_INVALID)
		ea += guest_reg_read(v, m->base);
	if (m->index != X86_REG_INVALID)
		ea += guest_reg_read(v, m->index) * (uint32_t)m->scale;
	if (seg == X86_REG_INVALID)
		seg = (m->base == X86_REG_ESP || m->base == X86_REG_EBP) ? X86_REG_SS
									  : X86_REG_DS;
	return guest_segment_base((uint16_t)guest_segment_selector(v, seg)) + ea;
}

int guest_push32(struct vcpu *v, uint32_t value)
{
	uint32_t esp = v->regs.esp - 4;
	if (guest_write(v, guest_segment_base((uint16_t)v->regs.ss) + esp, &value, 4))
		return -1;
	v->regs.esp = esp;
	return 0;
}

static void __attribute__((noreturn)) outside(const struct vcpu *v, uint32_t la,
					       const struct decoded_insn *insn)
{
	hv_exit_stopped("%s at 0x%08x: 0x%08x lies outside guest memory",
			insn ? insn->text : "?", v->regs.eip, la);
}

void guest_read_or_stop(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			const struct decoded_insn *insn)
{
	if (guest_read(v, la, dst, len))
		outside(v, la, insn);
}

void guest_write_or_stop(struct vcpu *v, uint32_t la, const void *src, uint32_t len,
			 const struct decoded_insn *insn)
{
	if (guest_write(v, la, src, len))
		outside(v, la, insn);
}

void guest_read_system_or_stop(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			       const struct decoded_insn *insn)
{
	if (guest_read_system(v, la, dst, len))
		outside(v, la, insn);
}

void guest_push_or_stop(struct vcpu *v, uint32_t value, unsigned bytes,
			const struct decoded_insn *insn)
{
	uint32_t esp = v->regs.esp - bytes;
	guest_write_or_stop(v, guest_segment_base((uint16_t)v->regs.ss) + esp, &value, bytes, insn);
	v->regs.esp = esp;
}

uint32_t guest_pop_or_stop(struct vcpu *v, unsigned bytes, const struct decoded_insn *insn)
{
	uint32_t value = 0;
	guest_stack_read_or_stop(v, 0, &value, bytes, insn);
	v->regs.esp += bytes;
	return value;
}

void guest_stack_read_or_stop(struct vcpu *v, uint32_t offset, void *dst, uint32_t len,
			      const struct decoded_insn *insn)
{
	guest_read_or_stop(v, guest_segment_base((uint16_t)v->regs.ss) + v->regs.esp + offset, dst,
			   len, insn);
}
