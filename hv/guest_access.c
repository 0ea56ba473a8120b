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
#include <stddef.h>

#include "hv/guest_access.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/decode.h"
#include "hv/reflect.h"
#include "lib/mmu.h"
#include "hv/shadow.h"
#include "hv/patch_inline.h"
#include "lib/string.h"

static uint32_t *reg32(struct vcpu *v, unsigned which)
{
	/* which: 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi */
	static const uint8_t offset[8] = {
		offsetof(struct trap_frame, eax), offsetof(struct trap_frame, ecx),
		offsetof(struct trap_frame, edx), offsetof(struct trap_frame, ebx),
		offsetof(struct trap_frame, esp), offsetof(struct trap_frame, ebp),
		offsetof(struct trap_frame, esi), offsetof(struct trap_frame, edi),
	};
	return (uint32_t *)((char *)&v->regs + offset[which]);
}

/*
 * Each general register Capstone names: its number (0 eax .. 7 edi), whether
 * it is the second byte (AH..BH) and its width in bytes; width 0 for the
 * others. One load per access: a scan of the names cost a translated block
 * per comparison under TCG, on every IN and OUT.
 */
struct reg_info {
	uint8_t which, high, width;
};

#define R(reg, w, hi, bytes) [X86_REG_##reg] = { w, hi, bytes }
static const struct reg_info reg_table[X86_REG_ENDING] = {
	R(EAX, 0, 0, 4), R(ECX, 1, 0, 4), R(EDX, 2, 0, 4), R(EBX, 3, 0, 4),
	R(ESP, 4, 0, 4), R(EBP, 5, 0, 4), R(ESI, 6, 0, 4), R(EDI, 7, 0, 4),
	R(AX, 0, 0, 2), R(CX, 1, 0, 2), R(DX, 2, 0, 2), R(BX, 3, 0, 2),
	R(SP, 4, 0, 2), R(BP, 5, 0, 2), R(SI, 6, 0, 2), R(DI, 7, 0, 2),
	R(AL, 0, 0, 1), R(CL, 1, 0, 1), R(DL, 2, 0, 1), R(BL, 3, 0, 1),
	R(AH, 0, 1, 1), R(CH, 1, 1, 1), R(DH, 2, 1, 1), R(BH, 3, 1, 1),
};
#undef R

/* Register number, byte offset in it (8 for AH..BH) and width in bytes. */
static int reg_slot(x86_reg reg, unsigned *which, unsigned *shift, unsigned *width)
{
	if ((unsigned)reg >= X86_REG_ENDING || !reg_table[reg].width)
		return -1;
	*which = reg_table[reg].which;
	*shift = reg_table[reg].high ? 8 : 0;
	*width = reg_table[reg].width;
	return 0;
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

/* How an access to guest-linear memory went. */
enum reach {
	REACHED,	/* every byte was read or written */
	PAGE_FAULT,	/* the guest's own tables refuse a page: its #PF (struct refusal) */
	OUTSIDE,	/* a byte, or a table the walk needs, lies outside guest memory */
};

/* Where the guest's tables refused an access, and the #PF error code they give. */
struct refusal {
	uint32_t la, error;
};

/*
 * A guest-linear address to the hypervisor's pointer, within one page. A
 * system access (the CPU reading the IDT, GDT or TSS) is a supervisor
 * access even when the guest runs user code.
 */
static enum reach translate(struct vcpu *v, uint32_t la, uint32_t len, int write, int system,
			    uint8_t **p, struct refusal *refused)
{
	uint32_t gpa = la;
	if (shadow_paging_on(v)) {
		enum shadow_translation t = shadow_translate(v, la, write, system, &gpa,
							     &refused->error);
		if (t == SHADOW_TRANSLATION_FAULT) {
			refused->la = la;
			return PAGE_FAULT;
		}
		if (t != SHADOW_TRANSLATED)
			return OUTSIDE;
	}
	if (gpa >= v->mem_bytes || len > v->mem_bytes - gpa)
		return OUTSIDE;
	/* A write into one of the guest's page tables changes what the shadows say. */
	if (write && shadow_paging_on(v))
		shadow_guest_wrote(v, gpa, len);
	*p = v->mem + gpa;
	return REACHED;
}

static uint32_t chunk_at(uint32_t la, uint32_t len)
{
	uint32_t chunk = PAGE_SIZE - (la & (PAGE_SIZE - 1));
	return chunk > len ? len : chunk;
}

/*
 * Copy to (write) or from guest-linear memory, splitting at page
 * boundaries. A write that crosses into a page the guest may not write
 * writes nothing, as on the CPU, which checks both pages of an unaligned
 * store before it stores: every page is translated first.
 */
static enum reach copy_linear(const struct vcpu *cv, uint32_t la, void *buf, uint32_t len,
			      int write, int system, struct refusal *refused)
{
	struct vcpu *v = (struct vcpu *)cv;
	uint8_t *b = buf, *p;
	enum reach r;

	if (write && chunk_at(la, len) < len) {
		for (uint32_t at = la, left = len, c; left; at += c, left -= c) {
			c = chunk_at(at, left);
			if ((r = translate(v, at, c, write, system, &p, refused)) != REACHED)
				return r;
		}
	}
	while (len) {
		uint32_t chunk = chunk_at(la, len);
		if ((r = translate(v, la, chunk, write, system, &p, refused)) != REACHED)
			return r;
		if (write)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		la += chunk, b += chunk, len -= chunk;
	}
	return REACHED;
}

int guest_read(const struct vcpu *v, uint32_t la, void *dst, uint32_t len)
{
	/* An instruction moved into inline patch code is read where it runs. */
	if (!patch_inline_read(la, dst, len))
		return 0;
	struct refusal refused;
	return copy_linear(v, la, dst, len, 0, 0, &refused) == REACHED ? 0 : -1;
}

int guest_write(const struct vcpu *v, uint32_t la, const void *src, uint32_t len)
{
	struct refusal refused;
	return copy_linear(v, la, (void *)src, len, 1, 0, &refused) == REACHED ? 0 : -1;
}

int guest_write_frame(const struct vcpu *v, uint32_t la, const void *src, uint32_t len,
		      uint32_t *fault_la, uint32_t *fault_error)
{
	struct refusal refused;
	switch (copy_linear(v, la, (void *)src, len, 1, 0, &refused)) {
	case REACHED:
		return 0;
	case PAGE_FAULT:
		*fault_la = refused.la;
		*fault_error = refused.error;
		return 1;
	default:
		return -1;
	}
}

int guest_read_system(const struct vcpu *v, uint32_t la, void *dst, uint32_t len)
{
	struct refusal refused;
	return copy_linear(v, la, dst, len, 0, 1, &refused) == REACHED ? 0 : -1;
}

int guest_write_system(const struct vcpu *v, uint32_t la, const void *src, uint32_t len)
{
	struct refusal refused;
	return copy_linear(v, la, (void *)src, len, 1, 1, &refused) == REACHED ? 0 : -1;
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

/*
 * An access for the instruction insn: made (0), or the guest's #PF
 * delivered at the instruction (-1), or the guest stopped.
 */
static int access_or_fault(struct vcpu *v, uint32_t la, void *buf, uint32_t len, int write,
			   int system, const struct decoded_insn *insn)
{
	struct refusal refused;
	switch (copy_linear(v, la, buf, len, write, system, &refused)) {
	case REACHED:
		return 0;
	case PAGE_FAULT:
		/* SDM vol. 3, 4.7: CR2 holds the linear address that faulted. */
		v->virt_cr2 = refused.la;
		reflect_to_guest(v, VEC_PF, refused.error, v->regs.eip, insn ? insn->text : 0);
		return -1;
	default:
		hv_exit_stopped("%s at 0x%08x: 0x%08x lies outside guest memory",
				insn ? insn->text : "?", v->regs.eip, la);
	}
}

int guest_read_or_fault(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			const struct decoded_insn *insn)
{
	return access_or_fault(v, la, dst, len, 0, 0, insn);
}

int guest_write_or_fault(struct vcpu *v, uint32_t la, const void *src, uint32_t len,
			 const struct decoded_insn *insn)
{
	return access_or_fault(v, la, (void *)src, len, 1, 0, insn);
}

int guest_read_system_or_fault(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			       const struct decoded_insn *insn)
{
	return access_or_fault(v, la, dst, len, 0, 1, insn);
}

int guest_push_or_fault(struct vcpu *v, uint32_t value, unsigned bytes,
			const struct decoded_insn *insn)
{
	uint32_t esp = v->regs.esp - bytes;
	if (guest_write_or_fault(v, guest_segment_base((uint16_t)v->regs.ss) + esp, &value, bytes,
				 insn))
		return -1;
	v->regs.esp = esp;
	return 0;
}

int guest_pop_or_fault(struct vcpu *v, unsigned bytes, uint32_t *value,
		       const struct decoded_insn *insn)
{
	*value = 0;
	if (guest_stack_read_or_fault(v, 0, value, bytes, insn))
		return -1;
	v->regs.esp += bytes;
	return 0;
}

int guest_stack_read_or_fault(struct vcpu *v, uint32_t offset, void *dst, uint32_t len,
			      const struct decoded_insn *insn)
{
	return guest_read_or_fault(v, guest_segment_base((uint16_t)v->regs.ss) + v->regs.esp + offset,
				   dst, len, insn);
}
