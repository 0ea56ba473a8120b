/*
 * hv/emulate_segments.c: descriptor tables, SS loads, IRET and far RET.
 * Runs in: hypervisor, ring 0.
 *
 * 1. LGDT and LIDT make the guest's tables virtual. The GDT is shadowed at
 *    once into the real one (deprivilege/descriptor.c compresses DPL 0 to
 *    the guest's ring and truncates limits); the IDT stays in guest memory
 *    and is read when something is delivered (hv/reflect.c).
 * 2. A guest kernel that loads SS with an RPL 0 selector traps (SS must
 *    match the CPL exactly); the load is checked as ring 0 would check it
 *    and carried out with the guest's real ring.
 * 3. IRET and far RET back to the guest kernel trap (the frame says RPL 0,
 *    below the real CPL); they are completed here, and IRET's EFLAGS give
 *    the guest its virtual IF back, which the real IRET would have ignored.
 *    A popped code selector the bare machine would refuse gets its fault
 *    (deprivilege/return_rules.c).
 * 4. IRET with NT set is a task return; the real CPU tries it through the
 *    hypervisor's TSS, whose null back link raises #TS. It is redone here
 *    against the guest's own TSS: its fault if the link is bad, a stop if
 *    it names a task (task switches are not emulated).
 * Selectors put into the frame are checked first: the switcher's IRET runs
 * at ring 0 and a bad selector there would be the hypervisor's fault.
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/layout.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "deprivilege/descriptor.h"
#include "deprivilege/eflags_rules.h"
#include "deprivilege/return_rules.h"
#include "deprivilege/sysreg_rules.h"
#include "lib/string.h"

/* The 6-byte operand of LGDT and LIDT: 0, or -1 with the guest's #PF delivered. */
static int read_pseudo_desc(struct vcpu *v, const struct decoded_insn *insn,
			    struct x86_pseudo_desc *out)
{
	uint32_t la = guest_operand_address(v, &insn->x86.operands[0]);
	if (guest_read_or_fault(v, la, out, sizeof *out, insn))
		return -1;
	if (insn->x86.prefix[2] == X86_PREFIX_OPSIZE)
		out->base &= 0x00FFFFFFu;	/* 16-bit operand size: 24-bit base */
	return 0;
}

enum em_result emulate_lgdt(struct vcpu *v, const struct decoded_insn *insn)
{
	struct x86_pseudo_desc gdtr;
	if (read_pseudo_desc(v, insn, &gdtr))
		return EM_DONE;

	/*
	 * A GDT may have 8,192 entries; the last six indices of the real one are
	 * the hypervisor's, so a guest's entries there are never shadowed (a
	 * load of one faults as beyond the limit would).
	 */
	unsigned entries = ((unsigned)gdtr.limit + 1) / 8;
	if (entries > GDT_GUEST_ENTRIES)
		entries = GDT_GUEST_ENTRIES;

	/*
	 * The bare CPU reads the table only at each segment load, so a #PF
	 * here would come too early: a table the guest's paging does not map
	 * (yet) is beyond what the hypervisor can shadow, and a stop.
	 */
	static struct x86_desc guest_gdt[GDT_GUEST_ENTRIES];
	if (guest_read_system(v, gdtr.base, guest_gdt, entries * 8))
		hv_exit_stopped("lgdt at 0x%08x: the guest's GDT at 0x%08x (%u entries) is not all in its memory and mapped",
				v->regs.eip, gdtr.base, entries);
	unsigned refused = 0;
	const char *why = guest_mode_load_gdt(v, guest_gdt, entries, &refused);
	if (why)
		hv_exit_stopped("lgdt at 0x%08x: GDT entry %u refused: %s", v->regs.eip, refused, why);
	v->virt_gdtr = gdtr;
	return EM_ADVANCE;
}

enum em_result emulate_lidt(struct vcpu *v, const struct decoded_insn *insn)
{
	struct x86_pseudo_desc idtr;
	if (read_pseudo_desc(v, insn, &idtr))
		return EM_DONE;
	v->virt_idtr = idtr;
	v->idt_loaded = 1;
	return EM_ADVANCE;
}

/* A selector in the guest's part of the real GDT whose descriptor passes `ok`. */
static const struct x86_desc *guest_descriptor(uint16_t sel)
{
	if (sel & SEL_TI)
		return cpu_tables_gdt_entry(sel);	/* the guest's LDT, shadowed */
	if (SEL_INDEX(sel) == 0)
		return 0;
	if (SEL_INDEX(sel) >= GDT_GUEST_ENTRIES && SEL_INDEX(sel) != GDT_GUEST_BOOT_CODE &&
	    SEL_INDEX(sel) != GDT_GUEST_BOOT_DATA)
		return 0;
	return cpu_tables_gdt_entry(sel);
}

/*
 * sel's descriptor as the guest wrote it: its own copy for its GDT; for the
 * LDT and the boot segments the shadow, with the kernel's real ring read
 * back as DPL 0. Returns -1 when sel lies beyond its table.
 */
static int seen_descriptor(const struct vcpu *v, uint16_t sel, struct x86_desc *out)
{
	if (!(sel & SEL_TI) && SEL_INDEX(sel) < GDT_GUEST_ENTRIES)
		return guest_mode_guest_gdt_entry(v, sel, out);
	const struct x86_desc *real = guest_descriptor(sel);
	if (!real)
		return -1;
	*out = *real;
	if (DESC_DPL(*out) == v->ring)
		out->hi &= ~DESC_HI_DPL_MASK;
	return 0;
}

enum em_result emulate_load_ss(struct vcpu *v, const struct decoded_insn *insn)
{
	const cs_x86_op *src = &insn->x86.operands[1];
	uint32_t value = 0;
	uint32_t esp_after = v->regs.esp;

	if (insn->id == X86_INS_POP) {
		/* Read, not popped yet: ESP changes only if the load succeeds. */
		if (guest_stack_read_or_fault(v, 0, &value, 4, insn))
			return EM_DONE;
		esp_after += 4;
	} else if (src->type == X86_OP_REG) {
		value = guest_reg_read(v, src->reg);
	} else {
		if (guest_read_or_fault(v, guest_operand_address(v, src), &value, 2, insn))
			return EM_DONE;
	}
	uint16_t sel = (uint16_t)value;

	/*
	 * The checks of MOV SS at the guest's CPL 0 (SDM vol. 2B, MOV: RPL and
	 * DPL must both be the CPL, else #GP(selector)), on the descriptor the
	 * guest wrote: the shadow's DPL is max(guest DPL, ring), which would
	 * let a data segment of DPL 1 to that ring pass as DPL 0 (in ring 3
	 * the guest's DPL-3 data segment: seed 2027, sequence 31110). What
	 * passes is checked again on the shadow, which the switcher's IRET
	 * will load: one the hypervisor made not present stays #SS.
	 */
	struct x86_desc seen;
	int have = seen_descriptor(v, sel, &seen) == 0;
	struct sysreg_result r = sysreg_check_load_ss(sel, have ? &seen : 0, 0);
	const struct x86_desc *real = guest_descriptor(sel);
	if (r.outcome == SYSREG_OK && real) {
		seen = *real;
		if (DESC_DPL(seen) == v->ring)
			seen.hi &= ~DESC_HI_DPL_MASK;
		r = sysreg_check_load_ss(sel, &seen, 0);
	} else if (r.outcome == SYSREG_OK) {
		r = sysreg_check_load_ss(sel, 0, 0);
	}
	if (r.outcome == SYSREG_FAULT && r.vector == VEC_GP) {
		emulate_raise_gp(v, r.error, insn);
		return EM_DONE;
	}
	if (r.outcome != SYSREG_OK) {
		reflect_to_guest(v, r.vector, r.error, v->regs.eip, insn->text);	/* #SS(sel) */
		return EM_DONE;
	}
	v->regs.ss = desc_selector_compress(sel, v->ring);
	v->regs.esp = esp_after;
	interrupt_shadow_begin(&v->sti_shadow);	/* MOV SS also holds interrupts off for one instruction */
	return EM_ADVANCE;
}

/*
 * A return to RPL 1 or 2, rings the virtual CPU does not offer, that trapped:
 * the bare CPU would go on to check the stack segment popped at ss_offset
 * against that ring (SDM vol. 2A, IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL),
 * and its #GP or #SS is what the guest gets. Only a return the bare CPU
 * would carry out to the end stops the guest.
 */
static void return_to_ring_not_offered(struct vcpu *v, const struct decoded_insn *insn,
				       uint16_t cs, uint32_t ss_offset)
{
	uint32_t ss = 0;
	struct x86_desc d;

	if (guest_stack_read_or_fault(v, ss_offset, &ss, 2, insn))
		return;
	int have = seen_descriptor(v, (uint16_t)ss, &d) == 0;
	struct sysreg_result r = sysreg_check_load_ss((uint16_t)ss, have ? &d : 0, SEL_RPL(cs));
	if (r.outcome == SYSREG_FAULT) {
		reflect_to_guest(v, r.vector, r.error, v->regs.eip, insn->text);
		return;
	}
	hv_exit_stopped("unemulated: %s at 0x%08x returning to ring %u", insn->text, v->regs.eip,
			SEL_RPL(cs));
}

/*
 * Pop a far return address; an RPL 0 selector means the guest kernel, whose
 * real ring is v->ring. ss_offset: where the outer stack's SS lies in the
 * frame. Returns 0, or delivers the bare machine's fault.
 */
static int far_return_target(struct vcpu *v, const struct decoded_insn *insn,
			     uint32_t cs, uint32_t ss_offset, uint16_t *real_cs)
{
	uint16_t sel = (uint16_t)cs;
	/* From user mode, a return to a more privileged ring is a #GP(selector) on the bare machine. */
	if (v->user_mode && SEL_RPL(sel) < 3) {
		emulate_raise_gp(v, sel & ~3u, insn);
		return -1;
	}
	struct x86_desc d;
	int have = seen_descriptor(v, sel, &d) == 0;
	struct sysreg_result r = return_check_cs(sel, have ? &d : 0);
	if (r.outcome == SYSREG_FAULT) {
		reflect_to_guest(v, r.vector, r.error, v->regs.eip, insn->text);
		return -1;
	}
	/*
	 * A good code segment at RPL 3: the guest's user code, which the real
	 * CPU enters itself (or reaches through #NP, hv/emulate_user.c); if it
	 * faulted instead, it found the stack wrong, as the bare machine would.
	 */
	if (SEL_RPL(sel) == 3) {
		emulate_raise_gp(v, v->regs.error, insn);
		return -1;
	}
	if (SEL_RPL(sel) != 0) {
		return_to_ring_not_offered(v, insn, sel, ss_offset);
		return -1;
	}
	*real_cs = desc_selector_compress(sel, v->ring);
	return 0;
}

enum em_result emulate_iret(struct vcpu *v, const struct decoded_insn *insn)
{
	uint32_t frame[3];	/* EIP, CS, EFLAGS */
	uint16_t real_cs;

	if (insn->id != X86_INS_IRETD)
		hv_exit_stopped("unemulated: 16-bit %s at 0x%08x", insn->text, v->regs.eip);
	if (guest_stack_read_or_fault(v, 0, frame, sizeof frame, insn))
		return EM_DONE;
	/* VM counts only at CPL 0 (SDM: "IF tempEFLAGS(VM) = 1 and CPL = 0"). */
	if ((frame[2] & EFLAGS_VM) && !v->user_mode)
		hv_exit_stopped("unemulated: iret at 0x%08x to virtual-8086 mode", v->regs.eip);
	if (far_return_target(v, insn, frame[1], 16, &real_cs))	/* EIP CS EFLAGS ESP SS */
		return EM_DONE;

	/*
	 * At CPL 0 IRET may change IF and IOPL: here they change only
	 * virtually. A popped NT is an ordinary flag (only the NT held before
	 * the IRET makes a task return, and then the CPU raised #TS instead).
	 */
	uint32_t now = eflags_after_iret(guest_visible_eflags(v), frame[2], guest_virtual_cpl(v));
	v->virt_if = (now & EFLAGS_IF) != 0;
	v->virt_iopl = (now & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	v->regs.eflags = (now & ~EFLAGS_IOPL) | EFLAGS_IF;
	v->regs.eip = frame[0];
	v->regs.cs = real_cs;
	v->regs.esp += sizeof frame;
	return EM_DONE;
}

enum em_result emulate_far_return(struct vcpu *v, const struct decoded_insn *insn)
{
	uint32_t frame[2];	/* EIP, CS */
	uint16_t real_cs;

	if (insn->x86.prefix[2] == X86_PREFIX_OPSIZE)
		hv_exit_stopped("unemulated: 16-bit %s at 0x%08x", insn->text, v->regs.eip);
	if (guest_stack_read_or_fault(v, 0, frame, sizeof frame, insn))
		return EM_DONE;
	uint32_t imm = insn->x86.op_count == 1 && insn->x86.operands[0].type == X86_OP_IMM
		       ? (uint32_t)insn->x86.operands[0].imm : 0;
	if (far_return_target(v, insn, frame[1], 8 + imm + 4, &real_cs))	/* EIP CS, imm, ESP SS */
		return EM_DONE;
	v->regs.eip = frame[0];
	v->regs.cs = real_cs;
	v->regs.esp += sizeof frame;
	if (insn->x86.op_count == 1 && insn->x86.operands[0].type == X86_OP_IMM)
		v->regs.esp += (uint32_t)insn->x86.operands[0].imm;
	return EM_DONE;
}

/*
 * #TS from the guest: an IRET with NT set returns to the task named by the
 * back link of the current TSS, which for the real CPU is the hypervisor's
 * (link 0, so #TS(0)). Redo it with the guest's own TSS. Returns 0 when the
 * #TS is something else, for the caller to reflect.
 */
int emulate_task_return(struct vcpu *v)
{
	uint32_t la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint8_t bytes[DECODE_MAX_LEN];
	uint32_t avail = DECODE_MAX_LEN;

	if (!(v->regs.eflags & EFLAGS_NT))
		return 0;
	while (avail && guest_read(v, la, bytes, avail))
		avail--;
	const struct decoded_insn *insn = avail ? decode_at_mode(la, bytes, avail, guest_code16(v)) : 0;
	if (!insn || (insn->id != X86_INS_IRETD && insn->id != X86_INS_IRET))
		return 0;
	stats_trap(&v->regs, insn, "emulate");
	uint16_t link = 0;
	if (!v->virt_tr || guest_read_system(v, v->virt_tss_base, &link, sizeof link))
		hv_exit_stopped("unemulated: %s at 0x%08x with NT set, and the guest has no readable TSS",
				insn->text, v->regs.eip);
	struct x86_desc d;
	const struct x86_desc *found = 0;
	if (sysreg_gdt_holds(link, v->virt_gdtr.limit) &&
	    !guest_read_system(v, v->virt_gdtr.base + SEL_INDEX(link) * 8, &d, sizeof d))
		found = &d;
	struct sysreg_result r = return_check_task_link(link, found);
	if (r.outcome == SYSREG_UNSUPPORTED)
		hv_exit_stopped("unemulated: %s at 0x%08x %s to 0x%x", insn->text, v->regs.eip, r.why,
				link);
	reflect_to_guest(v, r.vector, r.error, v->regs.eip, insn->text);
	return 1;
}

int emulate_gdt_entry_changed(struct vcpu *v, uint32_t error)
{
	struct x86_desc now, before;

	/* A selector of the GDT, not an external event, an IDT vector or the LDT. */
	if (error & 7u || SEL_INDEX(error) == 0 ||
	    guest_mode_guest_gdt_entry(v, (uint16_t)error, &before))
		return 0;
	if (guest_read_system(v, v->virt_gdtr.base + SEL_INDEX(error) * 8, &now, sizeof now))
		return 0;
	if (now.lo == before.lo && now.hi == before.hi)
		return guest_mode_unhide_entry(v, SEL_INDEX(error));
	const char *why = guest_mode_update_gdt_entry(v, SEL_INDEX(error), now);
	if (why)
		hv_exit_stopped("GDT entry %u, written after lgdt, refused at 0x%08x: %s",
				SEL_INDEX(error), v->regs.eip, why);
	return 1;
}
