/*
 * hv/emulate.c: the #GP handler, where trap-and-emulate happens.
 * Runs in: hypervisor, ring 0, on every #GP the guest raises.
 *
 * A deprivileged guest raises #GP for two reasons: it ran an instruction
 * only ring 0 may run (CLI, OUT, LGDT, ...), or it broke a protection rule
 * it would break on the bare machine too. The decoder (through its cache)
 * names the instruction; one small function per instruction emulates it;
 * anything else privileged stops the guest rather than be skipped, and
 * anything else at all goes back to the guest as the #GP it was.
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/guest_access.h"
#include "hv/machine.h"
#include "hv/patch.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "hv/trap_cost.h"
#include "hv/virq.h"
#include "lib/hypercall.h"
#include "lib/string.h"

static void emulate_cli(struct vcpu *v, const struct decoded_insn *insn)
{
	v->virt_if = 0;
	v->regs.eip += insn->len;
}

static void emulate_sti(struct vcpu *v, const struct decoded_insn *insn)
{
	/* STI delays interrupts by one instruction only when IF was 0. */
	if (!v->virt_if)
		v->sti_shadow = 1;
	v->virt_if = 1;
	v->regs.eip += insn->len;
}

static void emulate_hlt(struct vcpu *v, const struct decoded_insn *insn)
{
	if (!virq_wait_for_interrupt(machine_of(v)))
		hv_exit_stopped("halted: the guest ran hlt at 0x%08x with interrupts %s and no interrupt can come",
				v->regs.eip, v->virt_if ? "on" : "off");
	v->regs.eip += insn->len;
}

/*
 * INT n, INT3 and INTO reach the hypervisor as #GP (every real gate is
 * DPL 0); the guest gets the software interrupt it asked for.
 */
/*
 * The paravirtual calls (lib/hypercall.h): what CLI, STI, PUSHF, POPF and a
 * read of CS mean to a ring-0 kernel, asked for explicitly.
 */
static void emulate_hypercall(struct vcpu *v, const struct decoded_insn *insn)
{
	uint32_t result = 0;
	switch (v->regs.eax & ~TV_HYPERCALL_MAGIC_MASK) {
	case TV_HC_IRQ_DISABLE:
		v->virt_if = 0;
		break;
	case TV_HC_IRQ_ENABLE:
		if (!v->virt_if)
			v->sti_shadow = 1;	/* as STI: one instruction before interrupts */
		v->virt_if = 1;
		break;
	case TV_HC_SAVE_FLAGS:
		result = guest_visible_eflags(v);
		break;
	case TV_HC_RESTORE_FLAGS:
		v->virt_if = (v->regs.ebx & EFLAGS_IF) != 0;
		break;
	case TV_HC_READ_CS:
		result = v->regs.cs & ~3u;
		break;
	default:
		result = TV_HYPERCALL_ERROR;
		break;
	}
	v->regs.eax = result;
	v->regs.eip += insn->len;
}

static int is_hypercall(const struct vcpu *v, const struct decoded_insn *insn)
{
	return insn->id == X86_INS_INT && !v->user_mode &&
	       (insn->x86.operands[0].imm & 0xFF) == TV_HYPERCALL_VECTOR &&
	       (v->regs.eax & TV_HYPERCALL_MAGIC_MASK) == TV_HYPERCALL_MAGIC;
}

static void emulate_soft_int(struct vcpu *v, const struct decoded_insn *insn)
{
	unsigned vector;
	if (insn->id == X86_INS_INT3)
		vector = VEC_BP;
	else if (insn->id == X86_INS_INTO)
		vector = VEC_OF;
	else
		vector = (unsigned)insn->x86.operands[0].imm & 0xFF;
	reflect_software_interrupt(v, vector, v->regs.eip + insn->len, insn->text);
}

void emulate_raise_gp(struct vcpu *v, uint32_t error, const struct decoded_insn *insn)
{
	reflect_to_guest(v, VEC_GP, error, v->regs.eip, insn ? insn->text : 0);
}


/* MOV to or from a control (cr = 1) or debug (cr = 0) register? */
static int moves_special_register(const struct decoded_insn *insn, int cr)
{
	if (insn->id != X86_INS_MOV)
		return 0;
	for (unsigned i = 0; i < insn->x86.op_count; i++) {
		const cs_x86_op *op = &insn->x86.operands[i];
		if (op->type != X86_OP_REG)
			continue;
		if (cr && op->reg >= X86_REG_CR0 && op->reg <= X86_REG_CR15)
			return 1;
		if (!cr && op->reg >= X86_REG_DR0 && op->reg <= X86_REG_DR15)
			return 1;
	}
	return 0;
}

/*
 * Privileged instructions this hypervisor does not emulate, besides those
 * Capstone itself groups as privileged (it misses a few: hv/decode.h).
 */
static int is_privileged(const struct decoded_insn *insn)
{
	switch (insn->id) {
	case X86_INS_RSM:
		return 1;
	default:
		return insn->privileged;
	}
}

/*
 * What the guest's user code (CPL 3) may have emulated: SYSENTER, and the
 * IOPL-sensitive instructions when the guest kernel gave it IOPL 3. Every
 * other instruction that traps from user mode would fault at CPL 3 on the
 * bare machine as well.
 */
static int user_may_run(const struct vcpu *v, const struct decoded_insn *insn)
{
	switch (insn->id) {
	case X86_INS_SYSENTER:
		return 1;
	case X86_INS_CLI:
	case X86_INS_STI:
	case X86_INS_IN:
	case X86_INS_OUT:
	case X86_INS_INSB:
	case X86_INS_INSW:
	case X86_INS_INSD:
	case X86_INS_OUTSB:
	case X86_INS_OUTSW:
	case X86_INS_OUTSD:
		return v->virt_iopl == 3;
	default:
		return 0;
	}
}

static int writes_ss(const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0];
	return (insn->id == X86_INS_MOV || insn->id == X86_INS_POP) &&
	       insn->x86.op_count >= 1 && dst->type == X86_OP_REG && dst->reg == X86_REG_SS;
}

static void raise_ud(struct vcpu *v, const struct decoded_insn *insn)
{
	reflect_to_guest(v, VEC_UD, REFLECT_NO_ERROR_CODE, v->regs.eip, insn ? insn->text : 0);
}

/*
 * The single-step trap the bare CPU raises after an instruction that began
 * with TF set (SDM vol. 3, 17.3.1.4), for one the hypervisor carried out
 * instead: without it the #DB would come one guest instruction late. None
 * follows an instruction that faulted (its handler was delivered instead),
 * nor MOV SS and POP SS, which hold debug traps off for one instruction.
 */
#define DR6_BS 0x00004000u	/* single step */

static void single_step_after(struct vcpu *v, uint32_t eflags_before, uint32_t deliveries_before,
			      const struct decoded_insn *insn)
{
	if (!(eflags_before & EFLAGS_TF) || v->deliveries != deliveries_before ||
	    (insn && writes_ss(insn)))
		return;
	v->virt_dr[6] |= DR6_BS;
	reflect_to_guest(v, VEC_DB, REFLECT_NO_ERROR_CODE, v->regs.eip, insn ? insn->text : 0);
}

/*
 * LOCK with any instruction the hypervisor emulates or reflects as a
 * software interrupt is #UD at every CPL (SDM vol. 2A, LOCK: "an
 * undefined opcode exception will be generated" for an instruction not in
 * its list, which holds only read-modify-write memory instructions).
 */
static int locked(const struct decoded_insn *insn)
{
	return insn->x86.prefix[0] == X86_PREFIX_LOCK;
}

void emulate_general_protection(struct vcpu *v)
{
	uint32_t la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint8_t bytes[DECODE_MAX_LEN];
	uint32_t eflags_before = v->regs.eflags;
	uint32_t deliveries_before = v->deliveries;

	if (v->regs.error == PATCH_TRAP_ERROR_CODE) {
		const struct patch_site *site = patch_site_at(v, la);
		if (site) {
			emulate_patched(v, site);
			single_step_after(v, eflags_before, deliveries_before, 0);
			return;
		}
	}
	uint32_t avail = DECODE_MAX_LEN;

	/* An instruction near the end of guest memory has fewer bytes to read. */
	while (avail && guest_read(v, la, bytes, avail))
		avail--;
	if (!avail)
		hv_exit_stopped("#GP at 0x%08x, which lies outside guest memory", la);
	uint32_t misses = decode_stats()->misses, started = trap_cost_now();
	const struct decoded_insn *insn = decode_at_mode(la, bytes, avail, guest_code16(v));
	trap_cost_record(decode_stats()->misses != misses ? COST_DECODE_MISS : COST_DECODE_HIT,
			 trap_cost_now() - started);
	if (!insn && avail < DECODE_MAX_LEN)
		hv_exit_stopped("#GP at 0x%08x on bytes that do not decode, at the end of guest memory",
				la);
	/*
	 * Bytes that are no instruction (LOCK CLI, say) raise #GP at ring 1,
	 * the privilege check coming first, but #UD at ring 0.
	 */
	if (!insn) {
		stats_trap(&v->regs, 0, "reflect");
		raise_ud(v, 0);
		return;
	}

	if (locked(insn)) {
		stats_trap(&v->regs, insn, "reflect");
		raise_ud(v, insn);
		return;
	}
	/* Traced before it runs, so the trace shows the instruction's own address. */
	switch (insn->id) {
	case X86_INS_INT:
	case X86_INS_INT3:
	case X86_INS_INTO:
		if (is_hypercall(v, insn)) {
			stats_trap(&v->regs, insn, "hypercall");
			emulate_hypercall(v, insn);
			single_step_after(v, eflags_before, deliveries_before, insn);
			return;
		}
		stats_trap(&v->regs, insn, "reflect");
		emulate_soft_int(v, insn);
		return;
	default:
		break;
	}
	if (v->user_mode && !user_may_run(v, insn)) {
		/* At the guest's CPL 3 the bare machine faults too: it is the guest kernel's #GP. */
		stats_trap(&v->regs, insn, "reflect");
		emulate_raise_gp(v, v->regs.error, insn);
		return;
	}
	void (*emulate)(struct vcpu *, const struct decoded_insn *) = 0;
	switch (insn->id) {
	case X86_INS_CLI: emulate = emulate_cli; break;
	case X86_INS_STI: emulate = emulate_sti; break;
	case X86_INS_HLT: emulate = emulate_hlt; break;
	case X86_INS_IN:
	case X86_INS_OUT: emulate = emulate_in_out; break;
	case X86_INS_INSB:
	case X86_INS_INSW:
	case X86_INS_INSD:
	case X86_INS_OUTSB:
	case X86_INS_OUTSW:
	case X86_INS_OUTSD: emulate = emulate_string_io; break;
	case X86_INS_LGDT: emulate = emulate_lgdt; break;
	case X86_INS_LIDT: emulate = emulate_lidt; break;
	case X86_INS_IRETD:
	case X86_INS_IRET: emulate = emulate_iret; break;
	case X86_INS_RETF: emulate = emulate_far_return; break;
	case X86_INS_CLTS: emulate = emulate_clts; break;
	case X86_INS_LMSW: emulate = emulate_lmsw; break;
	case X86_INS_INVLPG:
	case X86_INS_INVD:
	case X86_INS_WBINVD: emulate = emulate_cache_tlb; break;
	case X86_INS_RDMSR:
	case X86_INS_WRMSR: emulate = emulate_msr; break;
	case X86_INS_RDTSC: emulate = emulate_rdtsc; break;
	case X86_INS_RDPMC: emulate = emulate_rdpmc; break;
	case X86_INS_LLDT: emulate = emulate_lldt; break;
	case X86_INS_SYSENTER: emulate = emulate_sysenter; break;
	case X86_INS_SYSEXIT: emulate = emulate_sysexit; break;
	case X86_INS_LTR: emulate = emulate_ltr; break;
	case X86_INS_SGDT:
	case X86_INS_SIDT:
	case X86_INS_SLDT:
	case X86_INS_SMSW:
	case X86_INS_STR: emulate = emulate_umip; break;
	default:
		if (writes_ss(insn))
			emulate = emulate_load_ss;
		else if (moves_special_register(insn, 1))
			emulate = emulate_mov_cr;
		else if (moves_special_register(insn, 0))
			emulate = emulate_mov_dr;
		break;
	}
	if (emulate) {
		stats_trap(&v->regs, insn, "emulate");
		started = trap_cost_now();
		emulate(v, insn);
		trap_cost_record(COST_EMULATE, trap_cost_now() - started);
		single_step_after(v, eflags_before, deliveries_before, insn);
		return;
	}
	if (v->regs.error == 0 && is_privileged(insn)) {
		stats_trap(&v->regs, insn, "stop");
		hv_exit_stopped("unemulated: %s at 0x%08x", insn->text, v->regs.eip);
	}
	/* A protection fault the bare machine would raise too. */
	stats_trap(&v->regs, insn, "reflect");
	emulate_raise_gp(v, v->regs.error, insn);
}
