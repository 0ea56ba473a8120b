/*
 * deprivilege/descriptor.h: ring compression of descriptor tables. The guest
 * kernel believes it runs in ring 0; it really runs in guest_ring (1, or 3).
 * The hypervisor builds the real GDT from the guest's virtual one, entry by
 * entry, with desc_shadow(); the guest's IDT stays virtual and each gate is
 * checked with gate_check() when an interrupt is delivered through it.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#ifndef TV_DEPRIVILEGE_DESCRIPTOR_H
#define TV_DEPRIVILEGE_DESCRIPTOR_H

#include <stdint.h>

#include "lib/x86_desc.h"

enum desc_verdict {
	DESC_INSTALL,		/* *real is the guest's descriptor, compressed */
	DESC_NOT_PRESENT,	/* *real is marked not present; *why says why */
	DESC_REFUSE,		/* the guest may not have this; *real is null */
};

/*
 * Shadow one guest GDT entry into *real, for a guest running in guest_ring
 * (1..3) that must not reach linear addresses at or above linear_top (the
 * hypervisor's area). Code and data segments get DPL max(DPL, guest_ring),
 * the accessed bit set in advance, and a limit that keeps them below
 * linear_top. *why (if why is not NULL) is set to NULL when nothing but that
 * happened, to a note when the limit was truncated (still DESC_INSTALL), and
 * to the reason for DESC_NOT_PRESENT and DESC_REFUSE.
 */
enum desc_verdict desc_shadow(struct x86_desc guest, unsigned guest_ring,
			      uint32_t linear_top, struct x86_desc *real,
			      const char **why);

/*
 * Shadow a whole table of n entries, guest_gdt[0] being GDT entry 0, which
 * the CPU never reads and which is always installed null. Stops at the first entry refused.
 * Returns how many entries were written to real_gdt: n if none was refused,
 * else the index of the refused one, which is also stored in *refused_index
 * (n when none was) with the reason in *why (NULL when none was). The
 * refused entry itself is written as a null descriptor; entries after it are
 * left untouched. refused_index and why may be NULL.
 */
unsigned desc_shadow_table(const struct x86_desc *guest_gdt, unsigned n,
			   unsigned guest_ring, uint32_t linear_top,
			   struct x86_desc *real_gdt, unsigned *refused_index,
			   const char **why);

/*
 * The selector the CPU must see for a selector the guest wrote: its RPL
 * raised to guest_ring. A guest's "mov $0x10, %ax; mov %ax, %ss" has RPL 0,
 * which the CPU refuses at CPL 1 (SS needs RPL == CPL); the emulator loads
 * the compressed selector instead.
 */
uint16_t desc_selector_compress(uint16_t guest_sel, unsigned guest_ring);

/*
 * Is this gate of the guest's (virtual) IDT usable for delivering an
 * interrupt: present, a 32-bit interrupt or trap gate, with a non-null code
 * selector? Returns 1 if so; else 0 with the reason in *why (why may be
 * NULL). Task gates are refused: task switches are not emulated. The gate's
 * DPL (which INT n checks against the guest's virtual CPL) is the caller's
 * business, as is the segment the selector names.
 */
int gate_check(struct x86_gate g, const char **why);

#endif
