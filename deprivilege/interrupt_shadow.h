/*
 * deprivilege/interrupt_shadow.h: when the one instruction after STI (or
 * MOV SS) has run, so that a waiting interrupt may be taken (Intel SDM vol.
 * 2B, STI: "If IF = 0, maskable hardware interrupts remain inhibited on
 * the instruction boundary following an execution of STI"; vol. 3, 6.8.3,
 * MOV SS and POP SS).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The hypervisor carries out STI and MOV SS and then holds virtual
 * interrupts off on its way back to the guest. The shadow must last until
 * that next instruction has run, not just to the end of the trap that
 * carried out STI: another trap can come first at the same instruction, a
 * real timer interrupt that arrived while the hypervisor handled the STI
 * (the real CPU takes it as soon as it returns to the guest), or a page
 * fault the shadow tables fill. Delivering there would let an interrupt in
 * between STI and HLT, and the HLT after it would wait for nothing (the
 * fuzzer's "halted" stops: docs/fuzz.md).
 *
 * The rule by address: the shadow holds while the guest is still at the
 * instruction it began at (its CS:EIP on the way back from the trap that
 * began it), and ends when the guest is anywhere else, or when that
 * instruction's own single step (the hypervisor's TF, set to deliver right
 * after it) has come, which covers an instruction that jumps to itself.
 */
#ifndef TV_DEPRIVILEGE_INTERRUPT_SHADOW_H
#define TV_DEPRIVILEGE_INTERRUPT_SHADOW_H

#include <stdint.h>

struct interrupt_shadow {
	enum {
		INTERRUPT_SHADOW_NONE,
		INTERRUPT_SHADOW_BEGUN,		/* by the trap now on its way back */
		INTERRUPT_SHADOW_HOLDING,	/* until the guest leaves cs:eip */
	} state;
	uint32_t cs, eip;	/* the instruction it covers, once HOLDING */
};

/* STI with IF 0, MOV SS or POP SS (or a write the hypervisor steps): hold interrupts from here. */
void interrupt_shadow_begin(struct interrupt_shadow *s);

/*
 * An STI carried out elsewhere (the fast trap path) with the guest now to
 * run cs:eip, the instruction after it: hold interrupts while it is there,
 * as if a trap that began the shadow had just returned to it.
 */
void interrupt_shadow_hold_at(struct interrupt_shadow *s, uint32_t cs, uint32_t eip);

/*
 * On the way back to the guest, at cs:eip: 1 while interrupts are held
 * off (the first time after begin, cs:eip is the instruction covered), 0
 * once the shadow has ended.
 */
int interrupt_shadow_holds(struct interrupt_shadow *s, uint32_t cs, uint32_t eip);

/* The covered instruction has run (the #DB of its single step came). */
void interrupt_shadow_end(struct interrupt_shadow *s);

#endif
