/*
 * hv/emulate_system.c: the privileged instructions of system software:
 * control and debug registers, caches and TLB, model-specific registers,
 * LLDT and LTR, and the time-stamp and performance counters.
 * Runs in: hypervisor, ring 0, when the guest kernel runs one of them.
 *
 * Each acts on the virtual CPU only, and where the bare machine at ring 0
 * would fault (reserved bits, an unknown MSR, a bad selector) the guest
 * gets that fault: deprivilege/sysreg_rules.c decides which. Paging is
 * handed to the shadow page tables (shadow_pt/shadow_mmu.c). What the
 * hypervisor cannot give a guest (PAE, leaving protected mode, a 16-bit
 * TSS) stops it with the reason.
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/lapic_page.h"
#include "hv/cpu_tables.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/shadow.h"
#include "hv/layout.h"
#include "hv/real_cpu.h"
#include "hv/machine.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "hv/patch_inline.h"
#include "deprivilege/descriptor.h"
#include "deprivilege/sysreg_rules.h"
#include "lib/string.h"

/* Carry out a decision of deprivilege/sysreg_rules.c that is not SYSREG_OK: the guest's fault. */
static enum em_result refuse(struct vcpu *v, const struct decoded_insn *insn,
			     struct sysreg_result r)
{
	if (r.outcome == SYSREG_UNSUPPORTED)
		hv_exit_stopped("unemulated: %s at 0x%08x %s", insn->text, v->regs.eip, r.why);
	if (r.vector == VEC_GP)
		emulate_raise_gp(v, r.error, insn);
	else
		reflect_to_guest(v, r.vector,
				 r.error == SYSREG_NO_ERROR_CODE ? REFLECT_NO_ERROR_CODE : r.error,
				 v->regs.eip, insn->text);
	return EM_DONE;
}

static enum em_result set_virtual_cr0(struct vcpu *v, uint32_t value,
				      const struct decoded_insn *insn)
{
	struct sysreg_cr_write w = sysreg_write_cr0(v->virt_cr0, value);
	if (w.result.outcome != SYSREG_OK)
		return refuse(v, insn, w.result);
	v->virt_cr0 = w.value;
	real_cpu_set_fpu_bits(v->virt_cr0);
	/* PG or WP changed: the shadows were built for the old ones. */
	if (w.flush) {
		shadow_flush_all(v);
		if (w.value & CR0_PG)
			shadow_switch_cr3(v);
		guest_mode_refresh_cr3(v);
	}
	return EM_ADVANCE;
}

static enum em_result set_virtual_cr4(struct vcpu *v, uint32_t value,
				      const struct decoded_insn *insn)
{
	struct sysreg_cr_write w = sysreg_write_cr4(v->virt_cr4, value, cpu_has_umip());
	if (w.result.outcome != SYSREG_OK)
		return refuse(v, insn, w.result);
	v->virt_cr4 = w.value;
	if (w.flush)
		shadow_flush_all(v);
	/*
	 * TSD and PCE restrict RDTSC and RDPMC to ring 0 in the guest's eyes:
	 * the real bits make them trap, so the guest's user mode gets its #GP.
	 */
	real_cpu_set_tsd((value & CR4_TSD) != 0);
	return EM_ADVANCE;
}

enum em_result emulate_mov_cr(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0], *src = &insn->x86.operands[1];
	int to_cr = dst->reg >= X86_REG_CR0 && dst->reg <= X86_REG_CR15;
	unsigned n = (unsigned)((to_cr ? dst->reg : src->reg) - X86_REG_CR0);
	struct sysreg_result r = sysreg_check_cr(n);

	if (r.outcome != SYSREG_OK)
		return refuse(v, insn, r);
	if (to_cr) {
		uint32_t value = guest_reg_read(v, src->reg);
		switch (n) {
		case 0: return set_virtual_cr0(v, value, insn);
		case 2: v->virt_cr2 = value; break;
		case 3:
			/* Another address space: its shadows, kept or new. */
			v->virt_cr3 = value;
			if (shadow_paging_on(v)) {
				shadow_switch_cr3(v);
				guest_mode_refresh_cr3(v);
			}
			break;
		default: /* 4, the only other sysreg_check_cr() lets through */
			return set_virtual_cr4(v, value, insn);
		}
	} else {
		uint32_t value;
		switch (n) {
		case 0: value = v->virt_cr0; break;
		case 2: value = v->virt_cr2; break;
		case 3: value = v->virt_cr3; break;
		default: value = v->virt_cr4; break;	/* 4 */
		}
		guest_reg_write(v, dst->reg, value);
	}
	return EM_ADVANCE;
}

/* Debug registers are kept, not armed: guest breakpoints do not fire (a documented limit). */
enum em_result emulate_mov_dr(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0], *src = &insn->x86.operands[1];
	int to_dr = dst->reg >= X86_REG_DR0 && dst->reg <= X86_REG_DR15;
	unsigned n = (unsigned)((to_dr ? dst->reg : src->reg) - X86_REG_DR0);
	struct sysreg_result r = sysreg_check_dr(n, v->virt_cr4, &n);	/* DR4, DR5: DR6, DR7 */

	if (r.outcome != SYSREG_OK)
		return refuse(v, insn, r);
	if (to_dr)
		v->virt_dr[n] = sysreg_dr_after_write(n, guest_reg_read(v, src->reg));
	else
		guest_reg_write(v, dst->reg, v->virt_dr[n]);
	return EM_ADVANCE;
}

enum em_result emulate_clts(struct vcpu *v, const struct decoded_insn *insn)
{
	v->virt_cr0 &= ~CR0_TS;
	real_cpu_set_fpu_bits(v->virt_cr0);
	return EM_ADVANCE;
}

/* A 16-bit operand from a register or memory (LMSW, LLDT, LTR): 0, or -1 with the guest's #PF. */
static int word_operand(struct vcpu *v, const struct decoded_insn *insn, uint16_t *value)
{
	const cs_x86_op *src = &insn->x86.operands[0];
	*value = 0;
	if (src->type == X86_OP_REG) {
		*value = (uint16_t)guest_reg_read(v, src->reg);
		return 0;
	}
	return guest_read_or_fault(v, guest_operand_address(v, src), value, 2, insn);
}

enum em_result emulate_lmsw(struct vcpu *v, const struct decoded_insn *insn)
{
	uint16_t msw;
	if (word_operand(v, insn, &msw))
		return EM_DONE;
	v->virt_cr0 = sysreg_cr0_after_lmsw(v->virt_cr0, msw);
	real_cpu_set_fpu_bits(v->virt_cr0);
	return EM_ADVANCE;
}

/*
 * INVLPG: nothing to drop, the shadows track every write to the guest's page
 * tables (shadow_pt/README.md, section 3). INVD and WBINVD: the caches are the host's.
 */
enum em_result emulate_cache_tlb(struct vcpu *v, const struct decoded_insn *insn)
{
	return EM_ADVANCE;
}

enum em_result emulate_msr(struct vcpu *v, const struct decoded_insn *insn)
{
	uint32_t index = v->regs.ecx;
	int write = insn->id == X86_INS_WRMSR;
	uint64_t value = ((uint64_t)v->regs.edx << 32) | v->regs.eax;
	struct sysreg_result r = sysreg_check_msr(index);

	if (r.outcome != SYSREG_OK)
		return refuse(v, insn, r);	/* an MSR the CPU does not have */
	switch (index) {
	case MSR_SYSENTER_CS:
		if (write)
			v->msr_sysenter_cs = (uint32_t)value & 0xFFFF;
		else
			value = v->msr_sysenter_cs;
		break;
	case MSR_SYSENTER_ESP:
		if (write)
			v->msr_sysenter_esp = (uint32_t)value;
		else
			value = v->msr_sysenter_esp;
		break;
	case MSR_SYSENTER_EIP:
		if (write)
			v->msr_sysenter_eip = (uint32_t)value;
		else
			value = v->msr_sysenter_eip;
		break;
	case MSR_TSC:
		if (write)
			v->tsc_offset = value - rdtsc();
		else
			value = rdtsc() + v->tsc_offset;
		break;
	default:	/* MSR_APIC_BASE: the virtual local APIC's (hv/vdev.c) */
		if (!write) {
			value = lapic_read_base_msr(&machine_of(v)->lapic);
		} else {
			lapic_page_changed(machine_of(v));
			/* Moving the APIC's page is not modelled: stop rather than ignore it. */
			if (lapic_write_base_msr(&machine_of(v)->lapic, value) != 0)
				hv_exit_stopped("unemulated: wrmsr moves the local APIC to 0x%08x at 0x%08x",
						(uint32_t)value & 0xFFFFF000u, v->regs.eip);
		}
		break;
	}
	if (!write) {
		v->regs.eax = (uint32_t)value;
		v->regs.edx = (uint32_t)(value >> 32);
	}
	return EM_ADVANCE;
}

enum em_result emulate_rdtsc(struct vcpu *v, const struct decoded_insn *insn)
{
	/* Trapped only because the guest set CR4.TSD; its kernel (virtual CPL 0) may read it. */
	uint64_t tsc = rdtsc() + v->tsc_offset;
	v->regs.eax = (uint32_t)tsc;
	v->regs.edx = (uint32_t)(tsc >> 32);
	return EM_ADVANCE;
}

enum em_result emulate_rdpmc(struct vcpu *v, const struct decoded_insn *insn)
{
	/*
	 * QEMU TCG implements no performance counters: RDPMC at ring 0 on the
	 * emulated bare machine raises #UD, so the guest gets #UD here too.
	 */
	reflect_to_guest(v, VEC_UD, REFLECT_NO_ERROR_CODE, v->regs.eip, insn->text);
	return EM_DONE;
}

/*
 * XSETBV at CPL 0 is #UD while CR4.OSXSAVE is clear (SDM vol. 2C, XSETBV,
 * "#UD If CR4.OSXSAVE[bit 18] = 0"), and the virtual CPU never lets the
 * guest set it (deprivilege/sysreg_rules.c offers no XSAVE), so the guest
 * kernel's XSETBV is always its #UD. Deprivileged it raises #GP first.
 */
enum em_result emulate_xsetbv(struct vcpu *v, const struct decoded_insn *insn)
{
	reflect_to_guest(v, VEC_UD, REFLECT_NO_ERROR_CODE, v->regs.eip, insn->text);
	return EM_DONE;
}

/*
 * The guest's own GDT descriptor for a system-segment selector (from its GDT
 * in its memory, not the shadow), checked as LLDT or LTR checks it. Returns
 * 0 and fills *d, or carries out the refusal and returns -1.
 */
static int guest_system_descriptor(struct vcpu *v, const struct decoded_insn *insn, uint16_t sel,
				   struct sysreg_result (*check)(uint16_t, const struct x86_desc *),
				   struct x86_desc *d)
{
	const struct x86_desc *found = 0;
	if (sysreg_gdt_holds(sel, v->virt_gdtr.limit) &&
	    !guest_read_system(v, v->virt_gdtr.base + SEL_INDEX(sel) * 8, d, sizeof *d))
		found = d;
	struct sysreg_result r = check(sel, found);
	if (r.outcome != SYSREG_OK) {
		refuse(v, insn, r);
		return -1;
	}
	return 0;
}

/*
 * LLDT: the guest's LDT is shadowed like its GDT (compressed, truncated,
 * accessed bits set) into the switcher's real LDT, read once now: later
 * edits to it in guest memory are seen at the next LLDT, as for the GDT.
 */
enum em_result emulate_lldt(struct vcpu *v, const struct decoded_insn *insn)
{
	static struct x86_desc guest_ldt[LDT_ENTRIES], real_ldt[LDT_ENTRIES];
	uint16_t sel;
	struct x86_desc d;
	unsigned n = 0;

	if (word_operand(v, insn, &sel))
		return EM_DONE;

	if (!sysreg_selector_is_null(sel)) {
		if (guest_system_descriptor(v, insn, sel, sysreg_check_lldt, &d))
			return EM_DONE;
		n = (unsigned)(((uint64_t)desc_limit(d) + 1) / 8);	/* a 4 GiB limit must not wrap to 0 */
		if (n > LDT_ENTRIES)
			hv_exit_stopped("lldt at 0x%08x: the guest's LDT has %u entries, at most %u are supported",
					v->regs.eip, n, LDT_ENTRIES);
		/* LLDT itself reads only the descriptor: the table unmapped is the same stop as LGDT's. */
		if (guest_read_system(v, desc_base(d), guest_ldt, n * 8))
			hv_exit_stopped("lldt at 0x%08x: the guest's LDT at 0x%08x (%u entries) is not all in its memory and mapped",
					v->regs.eip, desc_base(d), n);
		for (unsigned i = 0; i < n; i++) {
			const char *why = 0;
			if (desc_shadow(guest_ldt[i], v->ring, guest_linear_top(), &real_ldt[i], &why) ==
			    DESC_REFUSE)
				hv_exit_stopped("lldt at 0x%08x: LDT entry %u refused: %s", v->regs.eip, i,
						why);
		}
	}
	cpu_tables_load_ldt(real_ldt, n);
	/*
	 * LDTR takes the selector as given, a null one with its RPL too, which
	 * SLDT then stores (SDM vol. 2A, LLDT: "LDTR(SegmentSelector) <- SRC";
	 * bare QEMU keeps 3 after LLDT of 3: seed 2027, sequence 52347).
	 */
	v->virt_ldtr = sel;
	return EM_ADVANCE;
}

enum em_result emulate_ltr(struct vcpu *v, const struct decoded_insn *insn)
{
	uint16_t sel;
	struct x86_desc d;
	if (word_operand(v, insn, &sel))
		return EM_DONE;
	if (guest_system_descriptor(v, insn, sel, sysreg_check_ltr, &d))
		return EM_DONE;
	/* LTR marks the guest's descriptor busy, in the guest's own GDT. */
	d.hi |= (DESC_SYS_TSS_BUSY ^ DESC_SYS_TSS_AVAIL) << 8;
	guest_write_system(v, v->virt_gdtr.base + SEL_INDEX(sel) * 8, &d, sizeof d);
	v->virt_tr = sel;
	v->virt_tss_base = desc_base(d);
	return EM_ADVANCE;
}

/*
 * SGDT, SIDT, SLDT, SMSW and STR trap only with CR4.UMIP (the hypervisor's
 * umip=1); they then give the guest its virtual tables and registers
 * instead of leaking the hypervisor's.
 */
enum em_result emulate_umip(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0];
	uint32_t value;

	if (insn->id == X86_INS_SGDT || insn->id == X86_INS_SIDT) {
		const struct x86_pseudo_desc *t = insn->id == X86_INS_SGDT ? &v->virt_gdtr
									   : &v->virt_idtr;
		if (guest_write_or_fault(v, guest_operand_address(v, dst), t, sizeof *t, insn))
			return EM_DONE;
		return EM_ADVANCE;
	}
	switch (insn->id) {
	case X86_INS_SLDT: value = v->virt_ldtr; break;
	case X86_INS_STR: value = v->virt_tr; break;
	default: value = v->virt_cr0; break;	/* SMSW */
	}
	if (dst->type == X86_OP_REG) {
		/* To a 16-bit register only the low half changes; a 32-bit one is written whole. */
		if (dst->size == 2)
			value = (guest_reg_read(v, dst->reg) & ~0xFFFFu) | (value & 0xFFFF);
		else if (insn->id != X86_INS_SMSW)
			value &= 0xFFFF;
		guest_reg_write(v, dst->reg, value);
	} else {
		uint16_t low = (uint16_t)value;
		if (guest_write_or_fault(v, guest_operand_address(v, dst), &low, 2, insn))
			return EM_DONE;
	}
	return EM_ADVANCE;
}

/*
 * CLAC and STAC raise #UD at CPL > 0 (SDM vol. 2A, CLAC: "#UD ... If the
 * CPL > 0"), so the guest kernel's arrive as #UD, not #GP. On a CPU with
 * SMAP they are carried out on the guest's AC (which, with neither CR0.AM
 * nor CR4.SMAP set for real, changes nothing but the flag). Returns 0 for
 * any other #UD, which is the guest's own.
 */
int emulate_invalid_opcode(struct vcpu *v)
{
	uint32_t la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint8_t bytes[DECODE_MAX_LEN];
	uint32_t avail = DECODE_MAX_LEN;

	if (v->user_mode)
		return 0;
	while (avail && guest_read(v, la, bytes, avail))
		avail--;
	const struct decoded_insn *insn = avail ? decode_at_mode(la, bytes, avail, guest_code16(v)) : 0;
	if (!insn || (insn->id != X86_INS_CLAC && insn->id != X86_INS_STAC) ||
	    insn->x86.prefix[0] == X86_PREFIX_LOCK || !cpu_has_smap())
		return 0;
	stats_trap(&v->regs, insn, "emulate");
	if (insn->id == X86_INS_STAC)
		v->regs.eflags |= EFLAGS_AC;
	else
		v->regs.eflags &= ~EFLAGS_AC;
	v->regs.eflags &= ~EFLAGS_RF;
	v->regs.eip += insn->len;
	return 1;
}
