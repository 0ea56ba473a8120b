/*
 * deprivilege/direct_gate.h: which of the guest's IDT gates may go into the
 * real IDT, so that the CPU delivers a system call from the guest's user
 * mode straight to the guest kernel's handler in ring 1 (lguest's "direct
 * traps", Xen's fast system call), and whether the guest's kernel stack
 * may be the real TSS's ring-1 stack.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The rules, each for a reason the hypervisor cannot do without:
 *  - only a present 32-bit TRAP gate: a trap gate leaves IF alone, so the
 *    guest kernel's virtual IF is right without the hypervisor (it is 1 in
 *    user mode); an interrupt gate would clear the REAL IF, handing the
 *    hypervisor's own timer to the guest until its next trap;
 *  - DPL 3: the gate is for user mode; a kernel-mode INT (DPL 0) would push
 *    the real EFLAGS and CS RPL 1 where the guest expects its virtual IF
 *    and RPL 0, and its IRET would not restore the virtual IF;
 *  - a GDT selector (not the LDT) of one of the guest's entries, naming in
 *    the real GDT a present, 32-bit, non-conforming code segment whose DPL
 *    is the guest kernel's ring, with the offset inside its limit: the CPU
 *    then enters ring 1 at the guest's handler, never ring 0, never beyond
 *    the segment the hypervisor shadowed (which ends below the switcher);
 *  - the stack: a GDT selector of a present, writable data segment of DPL
 *    equal to the ring, in the real GDT, and a stack pointer whose frame
 *    lies below the switcher (whose trap stack page ring 1 may write).
 */
#ifndef TV_DEPRIVILEGE_DIRECT_GATE_H
#define TV_DEPRIVILEGE_DIRECT_GATE_H

#include <stdint.h>

#include "lib/x86_desc.h"

/*
 * May guest gate g be installed as a direct gate? code is the real
 * (shadowed) descriptor the gate's selector names, or NULL if it names
 * none (beyond the guest's entries, or an LDT selector: the caller looks
 * it up); guest_ring is the real ring of the guest kernel. Returns 1 if so,
 * else 0 with the reason in *why (why may be NULL).
 */
int direct_gate_check(struct x86_gate g, const struct x86_desc *code, unsigned guest_ring,
		      const char **why);

/* The real gate for a guest gate that passed direct_gate_check: the CPU ignores its RPL. */
struct x86_gate direct_gate_make(struct x86_gate g, unsigned guest_ring);

/*
 * Under the inline patch mode, a guest gate of DPL 0 (an interrupt or a
 * trap gate: INT n from the kernel, or #DE) may go direct too, through an
 * entry stub in the patch code that makes the frame the bare CPU's and
 * the virtual IF the gate's (deprivilege/inline_patch.h), which answers
 * both objections above:
 *  - the real gate is a TRAP gate all the same (the real IF stays 1), and
 *    the stub clears the virtual IF for an interrupt gate;
 *  - its DPL is the guest kernel's ring (1): the kernel's INT n reaches it,
 *    user mode's INT n faults (#GP(vector * 8 + 2)) as on the bare CPU at
 *    a DPL-0 gate, and the hypervisor reflects that fault;
 *  - the stub puts RPL 0 and the virtual IF and IOPL into the frame, and the
 *    kernel's IRET, run by its own template, takes them back out.
 * The code segment rules are the same as above. Returns 1 if g may go so.
 */
int direct_kernel_gate_check(struct x86_gate g, const struct x86_desc *code, unsigned guest_ring,
			     const char **why);

/* The real gate for one that passed direct_kernel_gate_check: a trap gate of DPL guest_ring to the stub. */
struct x86_gate direct_kernel_gate_make(struct x86_gate g, unsigned guest_ring,
					uint32_t stub_offset);

/*
 * May (ss0 | guest_ring):esp0 be the real TSS's stack for guest_ring? d is
 * the real descriptor ss0 names (NULL: none); the frame the CPU pushes
 * (up to DIRECT_FRAME_BYTES below esp0) must lie below linear_top, where
 * the hypervisor's switcher begins, without wrapping. Returns 1 if so,
 * else 0 with *why.
 */
#define DIRECT_FRAME_BYTES	24	/* error code, EIP, CS, EFLAGS, ESP, SS */
int direct_stack_check(uint16_t ss0, const struct x86_desc *d, unsigned guest_ring,
		       uint32_t esp0, uint32_t linear_top, const char **why);

#endif
