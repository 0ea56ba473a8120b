/*
 * hv/emulate.c: the #GP handler, where trap-and-emulate happens.
 * Runs in: hypervisor, ring 0, on every #GP the guest raises.
 *
 * A deprivileged guest raises #GP for two reasons: it ran an instruction
 * only ring 0 may run (CLI, OUT, LGDT, ...), or it broke a protection rule
 * it would break on the bare machine too. The decoder (through its cache)
 * names the instruction and one table, below, says what trapvisor knows of
 * it: its handler, who may run it on a bare CPU (CPL 0 only, CPL <= IOPL,
 * anyone) and whether it is sensitive but unprivileged. The handlers live
 * apart from the table, in emulate_*.c, as KVM keeps its em_* functions
 * apart from its opcode table. An instruction privileged but without a
 * handler stops the guest rather than be skipped, and anything else at all
 * goes back to the guest as the #GP it was.
 */
#include "hv/emulate.h"
#include "hv/console.h"
#include "hv/guest_access.h"
#include "hv/machine.h"
#include "hv/patch.h"
#include "hv/patch_inline.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "hv/trap_cost.h"
#include "hv/virq.h"
#include "lib/hypercall.h"
#include "lib/string.h"

static enum em_result emulate_cli(struct vcpu *v, const struct decoded_insn *insn)
{
	v->virt_if = 0;
	return EM_ADVANCE;
}

static enum em_result emulate_sti(struct vcpu *v, const struct decoded_insn *insn)
{
	/* STI delays interrupts by one instruction only when IF was 0. */
	if (!v->virt_if)
		interrupt_shadow_begin(&v->sti_shadow);
	v->virt_if = 1;
	return EM_ADVANCE;
}

static enum em_result emulate_hlt(struct vcpu *v, const struct decoded_insn *insn)
{
	/*
	 * Single-stepped (the guest's TF; the hypervisor's own step for a
	 * waiting interrupt is over by now): the #DB that follows the HLT
	 * (completed(), below) is "a debug exception", which resumes a halted
	 * CPU (SDM vol. 2A, HLT), and comes before any maskable interrupt
	 * (vol. 3, Table 6-2). No wait: the guest's #DB handler runs at once,
	 * EIP after the HLT, also when no interrupt could ever come.
	 */
	if (v->regs.eflags & EFLAGS_TF)
		return EM_ADVANCE;
	if (!virq_wait_for_interrupt(machine_of(v)))
		hv_exit_stopped("halted: the guest ran hlt at 0x%08x with interrupts %s and no interrupt can come",
				v->regs.eip, v->virt_if ? "on" : "off");
	return EM_ADVANCE;
}

/*
 * The paravirtual calls (lib/hypercall.h): what CLI, STI, PUSHF, POPF and a
 * read of CS mean to a ring-0 kernel, asked for explicitly. An INT of
 * TV_HYPERCALL_VECTOR with the magic in EAX, from the guest kernel.
 */
static int is_hypercall(const struct vcpu *v, const struct decoded_insn *insn)
{
	return insn->id == X86_INS_INT && !v->user_mode &&
	       (insn->x86.operands[0].imm & 0xFF) == TV_HYPERCALL_VECTOR &&
	       (v->regs.eax & TV_HYPERCALL_MAGIC_MASK) == TV_HYPERCALL_MAGIC;
}

static enum em_result emulate_hypercall(struct vcpu *v, const struct decoded_insn *insn)
{
	uint32_t result = 0;
	switch (v->regs.eax & ~TV_HYPERCALL_MAGIC_MASK) {
	case TV_HC_IRQ_DISABLE:
		v->virt_if = 0;
		break;
	case TV_HC_IRQ_ENABLE:
		if (!v->virt_if)
			interrupt_shadow_begin(&v->sti_shadow);	/* as STI: one instruction first */
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
	return EM_ADVANCE;
}

/*
 * INT n, INT3 and INTO reach the hypervisor as #GP (every real gate is
 * DPL 0); the guest gets the software interrupt it asked for.
 */
static enum em_result emulate_soft_int(struct vcpu *v, const struct decoded_insn *insn)
{
	unsigned vector;
	if (insn->id == X86_INS_INT3)
		vector = VEC_BP;
	else if (insn->id == X86_INS_INTO)
		vector = VEC_OF;
	else
		vector = (unsigned)insn->x86.operands[0].imm & 0xFF;
	reflect_software_interrupt(v, vector, v->regs.eip + insn->len, insn->text);
	return EM_DONE;
}

void emulate_raise_gp(struct vcpu *v, uint32_t error, const struct decoded_insn *insn)
{
	reflect_to_guest(v, VEC_GP, error, v->regs.eip, insn ? insn->text : 0);
}

/* A register operand in first..last (CR0..CR15, DR0..DR15)? */
static int has_register_in(const struct decoded_insn *insn, x86_reg first, x86_reg last)
{
	for (unsigned i = 0; i < insn->x86.op_count; i++) {
		const cs_x86_op *op = &insn->x86.operands[i];
		if (op->type == X86_OP_REG && op->reg >= first && op->reg <= last)
			return 1;
	}
	return 0;
}

/* The MOV and POP forms each row takes (Capstone gives every MOV one id). */
static int moves_cr(const struct decoded_insn *insn)
{
	return has_register_in(insn, X86_REG_CR0, X86_REG_CR15);
}

static int moves_dr(const struct decoded_insn *insn)
{
	return has_register_in(insn, X86_REG_DR0, X86_REG_DR15);
}

static int writes_ss(const struct decoded_insn *insn)
{
	const cs_x86_op *dst = &insn->x86.operands[0];
	return (insn->id == X86_INS_MOV || insn->id == X86_INS_POP) &&
	       insn->x86.op_count >= 1 && dst->type == X86_OP_REG && dst->reg == X86_REG_SS;
}

/* PUSH CS or SS, MOV from CS or SS: the selectors whose RPL is the real ring. */
static int reads_ring_selector(const struct decoded_insn *insn)
{
	unsigned i = insn->id == X86_INS_PUSH ? 0 : 1;
	const cs_x86_op *src = &insn->x86.operands[i];
	return insn->x86.op_count > i && src->type == X86_OP_REG &&
	       (src->reg == X86_REG_CS || src->reg == X86_REG_SS);
}

#define ROW(ins, fn, who) { X86_INS_##ins, 0, fn, EM_FOR_##who, 0, "emulate" }
#define ROW_IF(ins, match, fn, who) { X86_INS_##ins, match, fn, EM_FOR_##who, 0, "emulate" }
#define SOFT_INT(ins) { X86_INS_##ins, 0, emulate_soft_int, EM_FOR_ANYONE, 0, "reflect" }
#define PATCHED(ins, match, fn) { X86_INS_##ins, match, fn, EM_FOR_ANYONE, 1, "emulate" }
#define NOT_EMULATED(ins) { X86_INS_##ins, 0, 0, EM_FOR_KERNEL, 0, "stop" }

/*
 * Every instruction the hypervisor knows, one row each. The lookup is a
 * scan from the top, so the ones a guest traps on most come first (port
 * I/O of its console, the interrupt flag, IRET).
 */
static const struct em_row em_table[] = {
	/* Port I/O (emulate_io.c): IOPL-sensitive. */
	ROW(IN, emulate_in_out, IOPL),
	ROW(OUT, emulate_in_out, IOPL),
	/* The interrupt flag and waiting for an interrupt. */
	ROW(CLI, emulate_cli, IOPL),
	ROW(STI, emulate_sti, IOPL),
	ROW(HLT, emulate_hlt, KERNEL),
	/* Returns to the guest kernel (emulate_segments.c): RPL 0 in the frame traps at its ring. */
	ROW(IRETD, emulate_iret, KERNEL),
	ROW(IRET, emulate_iret, KERNEL),
	ROW(RETF, emulate_far_return, KERNEL),
	/* Software interrupts: through a DPL-0 gate they raise #GP. */
	SOFT_INT(INT),
	SOFT_INT(INT3),
	SOFT_INT(INTO),
	ROW(INSB, emulate_string_io, IOPL),
	ROW(INSW, emulate_string_io, IOPL),
	ROW(INSD, emulate_string_io, IOPL),
	ROW(OUTSB, emulate_string_io, IOPL),
	ROW(OUTSW, emulate_string_io, IOPL),
	ROW(OUTSD, emulate_string_io, IOPL),
	/* Descriptor tables and segments (emulate_segments.c). */
	ROW(LGDT, emulate_lgdt, KERNEL),
	ROW(LIDT, emulate_lidt, KERNEL),
	ROW_IF(MOV, writes_ss, emulate_load_ss, KERNEL),	/* an RPL-0 selector traps at its ring */
	ROW_IF(POP, writes_ss, emulate_load_ss, KERNEL),
	/* System registers, caches, counters (emulate_system.c). */
	ROW_IF(MOV, moves_cr, emulate_mov_cr, KERNEL),
	ROW_IF(MOV, moves_dr, emulate_mov_dr, KERNEL),
	ROW(CLTS, emulate_clts, KERNEL),
	ROW(LMSW, emulate_lmsw, KERNEL),
	ROW(INVLPG, emulate_cache_tlb, KERNEL),
	ROW(INVD, emulate_cache_tlb, KERNEL),
	ROW(WBINVD, emulate_cache_tlb, KERNEL),
	ROW(RDMSR, emulate_msr, KERNEL),
	ROW(WRMSR, emulate_msr, KERNEL),
	ROW(RDTSC, emulate_rdtsc, KERNEL),	/* traps only with the guest's CR4.TSD */
	ROW(RDPMC, emulate_rdpmc, KERNEL),
	ROW(LLDT, emulate_lldt, KERNEL),
	ROW(LTR, emulate_ltr, KERNEL),
	ROW(XSETBV, emulate_xsetbv, KERNEL),	/* #UD: the virtual CR4 has no OSXSAVE */
	/* With CR4.UMIP these trap at CPL > 0 (emulate_system.c). */
	ROW(SGDT, emulate_umip, KERNEL),
	ROW(SIDT, emulate_umip, KERNEL),
	ROW(SLDT, emulate_umip, KERNEL),
	ROW(SMSW, emulate_umip, KERNEL),
	ROW(STR, emulate_umip, KERNEL),
	/* Fast system calls (emulate_user.c). */
	ROW(SYSENTER, emulate_sysenter, ANYONE),
	ROW(SYSEXIT, emulate_sysexit, KERNEL),
	/* Sensitive, unprivileged: only a patched site traps (emulate_flags.c). */
	PATCHED(POPFD, 0, emulate_popf),
	PATCHED(POPF, 0, emulate_popf),
	PATCHED(PUSHFD, 0, emulate_pushf),
	PATCHED(PUSHF, 0, emulate_pushf),
	PATCHED(PUSH, reads_ring_selector, emulate_push_sreg),
	PATCHED(MOV, reads_ring_selector, emulate_mov_from_sreg),
	/* ... and the descriptor queries and the far CALL (emulate_query.c). */
	PATCHED(LAR, 0, emulate_desc_query),
	PATCHED(LSL, 0, emulate_desc_query),
	PATCHED(VERR, 0, emulate_desc_query),
	PATCHED(VERW, 0, emulate_desc_query),
	PATCHED(LCALL, 0, emulate_far_call),
	/* Privileged, and not emulated: Capstone does not group it as privileged. */
	NOT_EMULATED(RSM),
};

/* An INT of the hypercall vector with the magic in EAX, from the guest kernel: not an INT. */
static const struct em_row hypercall_row = {
	X86_INS_INT, 0, emulate_hypercall, EM_FOR_KERNEL, 0, "hypercall"
};

const struct em_row *emulate_row(const struct decoded_insn *insn)
{
	for (unsigned i = 0; i < sizeof em_table / sizeof em_table[0]; i++) {
		const struct em_row *row = &em_table[i];
		if (row->id == insn->id && (!row->match || row->match(insn)))
			return row;
	}
	return 0;
}

/*
 * What the guest's user code (CPL 3) may have emulated: SYSENTER and
 * software interrupts, and the IOPL-sensitive instructions when the guest
 * kernel gave it IOPL 3. Any other instruction that traps from user mode
 * would fault at CPL 3 on the bare machine as well.
 */
static int user_may_run(const struct vcpu *v, const struct em_row *row)
{
	return row->who == EM_FOR_ANYONE || (row->who == EM_FOR_IOPL && v->virt_iopl == 3);
}

static void raise_ud(struct vcpu *v, const struct decoded_insn *insn)
{
	reflect_to_guest(v, VEC_UD, REFLECT_NO_ERROR_CODE, v->regs.eip, insn ? insn->text : 0);
}

/*
 * What the bare CPU does at the end of an instruction the hypervisor has
 * carried out for the guest, unless it faulted (its handler was delivered
 * instead):
 *   - RF is cleared "after each instruction completes" (SDM vol. 3,
 *     17.3.1.1), except by an IRET, which loads it; otherwise the RF of
 *     the trap's own frame would reach the guest's next fault;
 *   - the single-step trap follows an instruction that began with TF set
 *     (17.3.1.4): without it the #DB would come one guest instruction late.
 *     None follows MOV SS or POP SS, which hold debug traps off for one
 *     instruction.
 */
#define DR6_BS 0x00004000u	/* single step */

static void completed(struct vcpu *v, uint32_t eflags_before, uint32_t deliveries_before,
		      const struct decoded_insn *insn)
{
	if (v->deliveries != deliveries_before)
		return;
	if (insn->id != X86_INS_IRETD && insn->id != X86_INS_IRET)
		v->regs.eflags &= ~EFLAGS_RF;
	if (!(eflags_before & EFLAGS_TF) || writes_ss(insn))
		return;
	v->virt_dr[6] |= DR6_BS;
	reflect_to_guest(v, VEC_DB, REFLECT_NO_ERROR_CODE, v->regs.eip, insn->text);
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

/*
 * Run a row's handler, timed; move EIP past the instruction if it
 * completed, and finish it as the bare CPU would (RF, the single step).
 */
static void run_row(struct vcpu *v, const struct em_row *row, const struct decoded_insn *insn)
{
	uint32_t eflags_before = v->regs.eflags, deliveries_before = v->deliveries;
	uint32_t started = trap_cost_now();
	if (row->emulate(v, insn) == EM_ADVANCE)
		v->regs.eip += insn->len;
	trap_cost_record(COST_EMULATE, trap_cost_now() - started);
	completed(v, eflags_before, deliveries_before, insn);
}

void emulate_patched(struct vcpu *v, const struct patch_site *site)
{
	const struct decoded_insn *insn = decode_at(site->la, site->original, site->len);
	if (!insn)
		hv_panic("patched instruction at 0x%08x no longer decodes", site->la);
	/* SGDT, SIDT, SLDT, SMSW and STR have the rows UMIP's traps use. */
	const struct em_row *row = emulate_row(insn);
	if (!row || !row->emulate)
		hv_panic("patched instruction at 0x%08x (%s) has no row to emulate it", site->la,
			 insn->text);
	stats_trap(&v->regs, insn, row->action);
	run_row(v, row, insn);
}

void emulate_general_protection(struct vcpu *v)
{
	uint32_t la = guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip;
	uint8_t bytes[DECODE_MAX_LEN];

	if (v->regs.error == PATCH_TRAP_ERROR_CODE) {
		if (patch_inline_int3(v, la))
			return;
		const struct patch_site *site = patch_site_at(v, la);
		if (site) {
			emulate_patched(v, site);
			return;
		}
	}
	if (v->regs.error && emulate_gdt_entry_changed(v, v->regs.error)) {
		stats_trap(&v->regs, 0, "emulate");
		return;
	}
	uint32_t avail = DECODE_MAX_LEN, fetching = trap_cost_now();

	/* An instruction near the end of guest memory has fewer bytes to read. */
	while (avail && guest_read(v, la, bytes, avail))
		avail--;
	trap_cost_record(COST_FETCH, trap_cost_now() - fetching);
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

	/* A sensitive unprivileged instruction never traps itself: its #GP is a real one. */
	const struct em_row *row = is_hypercall(v, insn) ? &hypercall_row : emulate_row(insn);
	if (row && row->sensitive_unprivileged)
		row = 0;
	if (v->user_mode && !(row && user_may_run(v, row))) {
		/* At the guest's CPL 3 the bare machine faults too: it is the guest kernel's #GP. */
		stats_trap(&v->regs, insn, "reflect");
		emulate_raise_gp(v, v->regs.error, insn);
		return;
	}
	if (row && row->emulate) {
		/* Traced before it runs, so the trace shows the instruction's own address. */
		stats_trap(&v->regs, insn, row->action);
		run_row(v, row, insn);
		return;
	}
	int privileged = row ? row->who == EM_FOR_KERNEL : insn->privileged;
	if (v->regs.error == 0 && privileged) {
		stats_trap(&v->regs, insn, "stop");
		hv_exit_stopped("unemulated: %s at 0x%08x", insn->text, v->regs.eip);
	}
	/* A protection fault the bare machine would raise too. */
	stats_trap(&v->regs, insn, "reflect");
	emulate_raise_gp(v, v->regs.error, insn);
}
