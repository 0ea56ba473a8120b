/*
 * hv/emulate.h: emulating what the guest may not do itself.
 * Runs in: hypervisor, ring 0.
 *
 * One row of the table in hv/emulate.c per emulated instruction; each
 * row's handler carries out its instruction against the virtual CPU as a
 * bare CPU would at ring 0 and says whether EIP moves past it (the
 * dispatcher then advances it, in one place) or was set already (a jump,
 * a fault delivered to the guest).
 */
#ifndef TV_HV_EMULATE_H
#define TV_HV_EMULATE_H

#include "hv/decode.h"
#include "hv/vcpu.h"

enum em_result {
	EM_DONE = 0,	/* EIP is set: the instruction jumped, or the guest got a fault */
	EM_ADVANCE = 1,	/* the instruction completed: EIP moves past it */
};

typedef enum em_result em_handler(struct vcpu *v, const struct decoded_insn *insn);

/*
 * Whom the hypervisor runs an instruction for, which is who may run it on a
 * bare CPU where trapvisor runs them deprivileged: the guest kernel
 * (virtual CPL 0) always; its user code (virtual and real CPL 3) only when
 * the trap is trapvisor's doing. At CPL 3 a privileged instruction, or an
 * IRET or far RET that faults, faults on the bare machine too.
 */
enum em_who {
	EM_FOR_KERNEL,	/* CPL 0 only: privileged, or trapping only at the guest kernel's ring */
	EM_FOR_IOPL,	/* IOPL-sensitive: CPL <= IOPL, so user code too when its IOPL is 3 */
	EM_FOR_ANYONE,	/* any CPL: a DPL-0 gate or the real IOPL makes it trap at every ring */
};

struct em_row {
	unsigned id;			/* Capstone's X86_INS_* */
	/* For ids that name several instructions (MOV): does this row take it? NULL: yes. */
	int (*match)(const struct decoded_insn *insn);
	em_handler *emulate;		/* NULL: privileged, not emulated: the guest is stopped */
	uint8_t who;			/* enum em_who */
	/*
	 * Sensitive but unprivileged (POPF, PUSHF, PUSH CS and SS, MOV from
	 * CS and SS, LAR, LSL, VERR, VERW, far CALL): it never traps by itself
	 * at CPL > 0, so its row runs only when the patcher made it trap (an
	 * INT3 at a patched site), never on a #GP.
	 */
	uint8_t sensitive_unprivileged;
	const char *action;		/* for the trace: "emulate" or "reflect" */
};

/* The row for a decoded instruction, or NULL (hv/emulate.c's table). */
const struct em_row *emulate_row(const struct decoded_insn *insn);

/* The #GP handler: decode at the guest's EIP and emulate, reflect or stop. */
void emulate_general_protection(struct vcpu *v);

/* emulate_io.c: IN, OUT, INS, OUTS. */
em_handler emulate_in_out, emulate_string_io;

/* emulate_segments.c: descriptor tables, segment loads, far returns. */
em_handler emulate_lgdt, emulate_lidt, emulate_load_ss, emulate_iret, emulate_far_return;
/*
 * A #GP or #NP whose error code names a GDT selector: if the guest has
 * written that entry since LGDT, shadow what it holds now and return 1 (the
 * faulting instruction runs again, as on a bare CPU, which reads the GDT at
 * every segment load); 0 if the entry is as it was.
 */
int emulate_gdt_entry_changed(struct vcpu *v, uint32_t error);
/* #TS: an IRET with NT set, redone against the guest's TSS; 0 if the #TS is not that. */
int emulate_task_return(struct vcpu *v);

/* emulate_system.c: control, debug and model-specific registers, caches, LLDT/LTR, counters. */
/* #UD: CLAC or STAC by the guest kernel on a CPU with SMAP, emulated; 0 if the #UD is the guest's. */
int emulate_invalid_opcode(struct vcpu *v);
em_handler emulate_mov_cr, emulate_mov_dr, emulate_clts, emulate_lmsw, emulate_cache_tlb,
	emulate_msr, emulate_rdtsc, emulate_rdpmc, emulate_lldt, emulate_ltr, emulate_umip,
	emulate_xsetbv;

/* emulate_user.c: entering and leaving the guest's user mode. */
void emulate_segment_not_present(struct vcpu *v);
em_handler emulate_sysenter, emulate_sysexit;

/* emulate_flags.c: the sensitive unprivileged instructions, when patched to trap. */
em_handler emulate_popf, emulate_pushf, emulate_push_sreg, emulate_mov_from_sreg;
/* emulate_query.c: LAR, LSL, VERR, VERW and the far CALL, when patched to trap. */
em_handler emulate_desc_query, emulate_far_call;
struct patch_site;
void emulate_patched(struct vcpu *v, const struct patch_site *site);

/* A real #GP at the faulting instruction, for the guest's handler. */
void emulate_raise_gp(struct vcpu *v, uint32_t error, const struct decoded_insn *insn);

#endif
