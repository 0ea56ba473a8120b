/*
 * lib/hypercall.h: the paravirtual interface, the third cure: a guest that
 * knows it runs on trapvisor asks the hypervisor for what a sensitive
 * instruction would silently get wrong, instead of running that instruction.
 * Runs in: hypervisor and guests.
 *
 * A hypercall is INT 0x82 with TV_HYPERCALL_MAGIC in EAX's upper half and
 * the call number in its lower half; EBX carries the argument and EAX the
 * result. INT n from the guest kernel traps anyway (every real gate is DPL
 * 0), so a hypercall costs one trap, like CLI. An INT 0x82 without the magic
 * is the guest's own software interrupt and goes to its IDT as before.
 * A guest learns it runs on trapvisor from the multiboot boot-loader name
 * ("trapvisor"); on the bare machine it uses the plain instructions.
 */
#ifndef TV_LIB_HYPERCALL_H
#define TV_LIB_HYPERCALL_H

#define TV_HYPERCALL_VECTOR	0x82
#define TV_HYPERCALL_MAGIC	0x74760000u	/* "tv" */
#define TV_HYPERCALL_MAGIC_MASK	0xFFFF0000u
#define TV_HYPERCALL_ERROR	0xFFFFFFFFu	/* EAX for an unknown call */

enum tv_hypercall {
	TV_HC_IRQ_DISABLE = 1,	/* the virtual IF := 0 (what CLI does) */
	TV_HC_IRQ_ENABLE = 2,	/* the virtual IF := 1 (what STI does) */
	TV_HC_SAVE_FLAGS = 3,	/* EAX := EFLAGS as ring 0 would see them (what PUSHF should show) */
	TV_HC_RESTORE_FLAGS = 4,	/* the virtual IF := EBX's IF bit (what POPF should do) */
	TV_HC_READ_CS = 5,	/* EAX := CS as ring 0 would see it, RPL 0 */
};

#endif
