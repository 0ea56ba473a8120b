/*
 * hv/emulate.h: emulating what the guest may not do itself.
 * Runs in: hypervisor, ring 0.
 *
 * Each handler carries out one instruction against the virtual CPU as a
 * bare CPU would at ring 0, and advances EIP (or transfers control) itself.
 */
#ifndef TV_HV_EMULATE_H
#define TV_HV_EMULATE_H

#include "hv/decode.h"
#include "hv/vcpu.h"

/* The #GP handler: decode at the guest's EIP and emulate, reflect or stop. */
void emulate_general_protection(struct vcpu *v);

/* emulate_io.c: IN, OUT, INS, OUTS. */
void emulate_in_out(struct vcpu *v, const struct decoded_insn *insn);
void emulate_string_io(struct vcpu *v, const struct decoded_insn *insn);

/* emulate_segments.c: descriptor tables, segment loads, far returns. */
void emulate_lgdt(struct vcpu *v, const struct decoded_insn *insn);
void emulate_lidt(struct vcpu *v, const struct decoded_insn *insn);
void emulate_load_ss(struct vcpu *v, const struct decoded_insn *insn);
void emulate_iret(struct vcpu *v, const struct decoded_insn *insn);
void emulate_far_return(struct vcpu *v, const struct decoded_insn *insn);
/* #TS: an IRET with NT set, redone against the guest's TSS; 0 if the #TS is not that. */
int emulate_task_return(struct vcpu *v);

/* emulate_system.c: control, debug and model-specific registers, caches, LLDT/LTR, counters. */
void emulate_mov_cr(struct vcpu *v, const struct decoded_insn *insn);
void emulate_mov_dr(struct vcpu *v, const struct decoded_insn *insn);
void emulate_clts(struct vcpu *v, const struct decoded_insn *insn);
void emulate_lmsw(struct vcpu *v, const struct decoded_insn *insn);
void emulate_cache_tlb(struct vcpu *v, const struct decoded_insn *insn);
void emulate_msr(struct vcpu *v, const struct decoded_insn *insn);
void emulate_rdtsc(struct vcpu *v, const struct decoded_insn *insn);
void emulate_rdpmc(struct vcpu *v, const struct decoded_insn *insn);
void emulate_lldt(struct vcpu *v, const struct decoded_insn *insn);
void emulate_ltr(struct vcpu *v, const struct decoded_insn *insn);
void emulate_umip(struct vcpu *v, const struct decoded_insn *insn);
int cpu_has_umip(void);

/* emulate_user.c: entering and leaving the guest's user mode. */
void emulate_segment_not_present(struct vcpu *v);
void emulate_sysenter(struct vcpu *v, const struct decoded_insn *insn);
void emulate_sysexit(struct vcpu *v, const struct decoded_insn *insn);

/* emulate_flags.c: a patched instruction's INT3 trapped; emulate the original. */
struct patch_site;
void emulate_patched(struct vcpu *v, const struct patch_site *site);

/* A real #GP at the faulting instruction, for the guest's handler. */
void emulate_raise_gp(struct vcpu *v, uint32_t error, const struct decoded_insn *insn);

#endif
