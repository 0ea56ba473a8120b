/*
 * hv/patch_inline.h: the inline patch mode on the hypervisor's side: the
 * state page and the patch code in the switcher's slot, and what a trap
 * does with them.
 * Runs in: hypervisor, ring 0.
 *
 * One source of truth at a time: while the guest runs, the state page holds
 * its virtual IF and IOPL (the patch code changes them); while the
 * hypervisor handles a trap, the vCPU does. patch_inline_sync_in() reads the
 * page into the vCPU at the start of every trap from the guest kernel,
 * patch_inline_sync_out() writes the vCPU back (with the "an interrupt
 * waits" word) at the end of every trap.
 */
#ifndef TV_HV_PATCH_INLINE_H
#define TV_HV_PATCH_INLINE_H

#include <stdint.h>

struct vcpu;
struct machine;
struct patch_table;

/* Chosen once, before the real descriptor tables are built: the mode and the guest's ring. */
void patch_inline_choose(int on, unsigned ring);
int patch_inline_active(void);

/* Where the guest's segments end: SWITCHER_BASE, or PATCH_AREA_END under the inline mode. */
uint32_t guest_linear_top(void);

/*
 * At load: an empty plan over the patch code pages (region_map_base: the
 * guest's lowest code address); then, planned, the pages mapped for the guest.
 */
void patch_inline_start(struct patch_table *t, uint32_t region_map_base);
void patch_inline_map(struct patch_table *t);

/* The state page and the vCPU, at the start and the end of every trap. */
void patch_inline_sync_in(struct vcpu *v);
void patch_inline_sync_out(struct machine *m);

/*
 * An INT3 of the patch area or of a region's replaced bytes (#GP with the
 * patch error code at linear address la): a pending check (resume after it,
 * the interrupt is delivered on the way out) or a stray jump into a region
 * (sent to its point). Returns 0 if la is neither.
 */
int patch_inline_int3(struct vcpu *v, uint32_t la);

/* 0 while EIP is inside patch code between two points: an interrupt must wait. */
int patch_inline_may_deliver(const struct vcpu *v);

/* The EIP a frame pushed for the guest must hold: a patch address mapped back to the guest's code. */
uint32_t patch_inline_guest_eip(const struct vcpu *v, uint32_t eip);

/*
 * During a trap, after patch_inline_sync_in: 1 if it came at an IRET
 * template's write into the frame's CS word (point INLINE_AT_IRET_WRITE).
 * The guest is already back at its own IRET, which only reads the frame:
 * a page fault the guest's tables make of that write is not the guest's
 * to see (hv/shadow.c), and its IRET runs trapped instead.
 */
int patch_inline_iret_write_refused(void);

/* On the way out: an EIP inside a region's replaced bytes (an IRET to one) goes to its point. */
void patch_inline_leave(struct vcpu *v);

/*
 * A #PF of guest user code at a region's patch code (it ran a patched
 * site, which only the kernel may run inline): the region is undone and the
 * user resumes at the site, which now traps as under --patch all. Returns 0
 * if the fault is something else.
 */
int patch_inline_user_entry(struct vcpu *v, uint32_t cr2);

/*
 * A direct system call gate for vector goes to this guest-linear address:
 * a stub that makes the virtual IF 1 (the CPU kept IF 1 through the trap
 * gate; the state page may hold the kernel's from before its return to
 * user mode) and jumps to handler_la.
 */
uint32_t patch_inline_entry_stub(const struct vcpu *v, unsigned vector, uint32_t handler_la);

/*
 * A direct kernel gate (DPL 0) for vector goes to this guest-linear
 * address: a stub that makes the frame and the virtual IF those of the bare
 * CPU after the guest's interrupt gate (interrupt_gate) or trap gate, then
 * enters the handler at handler_offset in the gate's code segment.
 */
uint32_t patch_inline_kernel_entry_stub(unsigned vector, uint32_t handler_offset, int interrupt_gate);

/*
 * 1 if la lies in a live region's replaced bytes after its first (the jump's
 * displacement, or INT3s): no gate may lead there, since the CPU would run
 * those bytes; the hypervisor's own returns there go to the region's point.
 */
int patch_inline_in_replaced_bytes(const struct vcpu *v, uint32_t la);

/* The guest reading its patch code (an emulated instruction's bytes): 0 if la..la+len lies there. */
int patch_inline_read(uint32_t la, void *dst, uint32_t len);

#endif
