/*
 * deprivilege/descriptor.c: ring compression of descriptor tables (Intel SDM
 * vol. 3, chapter 3 "Protected-Mode Memory Management" and chapter 5
 * "Protection").
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 *   1. Code and data segments: DPL raised to the ring the guest really runs
 *      in, accessed bit set, limit truncated below the hypervisor's area.
 *   2. A segment that starts inside the hypervisor's area: not present.
 *   3. LDT and 32-bit TSS descriptors: not present (LLDT and LTR trap and are
 *      emulated from the guest's own copy).
 *   4. Gates and anything else: refused.
 *   5. IDT gates, which stay virtual: checked at delivery.
 */
#include "deprivilege/descriptor.h"

#include <stddef.h>

#define DESC_HI_TYPE_SHIFT	8
#define DESC_LO_LIMIT_MASK	0x0000FFFFu	/* limit 15..0 */
#define DESC_HI_LIMIT_MASK	0x000F0000u	/* limit 19..16 */
#define PAGE_OFFSET_MASK	0xFFFu

/* 16-bit and reserved system types, which lib/x86_desc.h leaves out. */
#define DESC_SYS_TSS16_AVAIL	0x1u
#define DESC_SYS_TSS16_BUSY	0x3u
#define DESC_SYS_CALL_GATE16	0x4u
#define DESC_SYS_INT_GATE16	0x6u
#define DESC_SYS_TRAP_GATE16	0x7u

/* In a gate's type_attr byte: S, which must be 0 for a gate. */
#define GATE_S			0x10u

static void tell(const char **why, const char *text)
{
	if (why)
		*why = text;
}

/* Put a new raw 20-bit limit into a descriptor. */
static struct x86_desc with_raw_limit(struct x86_desc d, uint32_t raw)
{
	d.lo = (d.lo & ~DESC_LO_LIMIT_MASK) | (raw & DESC_LO_LIMIT_MASK);
	d.hi = (d.hi & ~DESC_HI_LIMIT_MASK) | (raw & DESC_HI_LIMIT_MASK);
	return d;
}

/*
 * Lower an expand-up segment's limit to at most max_limit (in bytes, as
 * desc_limit() counts). With G = 1 the limit counts 4 KiB pages and always
 * ends at a page's last byte, so it rounds down to whole pages; when not even
 * one page fits, G is cleared and the limit given in bytes, which leaves the
 * segment exactly what fits (G changes nothing else for a code or data
 * segment; D/B is a separate bit).
 */
static struct x86_desc truncate_limit(struct x86_desc d, uint32_t max_limit)
{
	if (!DESC_G(d))
		return with_raw_limit(d, max_limit);	/* < old limit <= 0xFFFFF */
	if (max_limit >= PAGE_OFFSET_MASK)
		return with_raw_limit(d, (max_limit - PAGE_OFFSET_MASK) >> 12);
	d.hi &= ~DESC_HI_G;
	return with_raw_limit(d, max_limit);
}

/* Code and data segments (S = 1), present. */
static enum desc_verdict shadow_segment(struct x86_desc d, unsigned guest_ring,
					uint32_t linear_top,
					struct x86_desc *real, const char **why)
{
	uint32_t type = DESC_TYPE(d);
	uint32_t base = desc_base(d);
	uint32_t max_limit;

	/*
	 * A guest in ring 1 cannot use a DPL 0 segment at all (CS needs
	 * DPL == CPL for non-conforming code, SS needs DPL == CPL, data needs
	 * DPL >= CPL), so DPL 0 becomes guest_ring; DPLs above it keep the
	 * guest's own user/kernel separation. Conforming code segments run at
	 * the caller's CPL and never raise privilege; they are compressed the
	 * same way, which keeps them callable from the guest's ring.
	 */
	if (DESC_DPL(d) < guest_ring)
		d.hi = (d.hi & ~DESC_HI_DPL_MASK) | DESC_HI_DPL(guest_ring);
	/*
	 * The CPU sets the accessed bit in the GDT the first time a segment is
	 * loaded. The real GDT is mapped read-only in the guest's address
	 * space, so that write would fault inside a segment load; set it now.
	 */
	d.hi |= DESC_TYPE_ACCESSED << DESC_HI_TYPE_SHIFT;

	if (base >= linear_top) {
		d.hi &= ~DESC_HI_P;
		*real = d;
		tell(why, "segment base lies in the hypervisor's area: installed not present");
		return DESC_NOT_PRESENT;
	}
	/* The highest offset that stays below linear_top; cannot wrap since
	 * base < linear_top. */
	max_limit = linear_top - 1 - base;

	if (!(type & DESC_TYPE_CODE) && (type & DESC_TYPE_EXPANDDOWN)) {
		/*
		 * Expand-down data (stacks): valid offsets run from limit + 1
		 * up to 0xFFFF (B = 0) or 0xFFFFFFFF (B = 1). The limit moves
		 * only the bottom; the top is fixed by the B flag, and clearing
		 * B to lower it would also switch a stack from ESP to SP,
		 * silently changing the guest's behaviour. So there is nothing
		 * correct to truncate: such a segment is installed when its top
		 * stays below linear_top, and refused when it would reach the
		 * hypervisor's area (which includes a top that wraps past 4 GiB).
		 */
		uint32_t top = DESC_DB(d) ? 0xFFFFFFFFu : 0xFFFFu;

		if (top > max_limit) {
			*real = (struct x86_desc){ 0, 0 };
			tell(why, "expand-down data segment reaching the hypervisor's area: cannot be truncated");
			return DESC_REFUSE;
		}
		*real = d;
		tell(why, NULL);
		return DESC_INSTALL;
	}

	/* Expand-up: base + limit may also wrap past 4 GiB; comparing the
	 * limit with max_limit covers that case too. */
	if (desc_limit(d) > max_limit) {
		*real = truncate_limit(d, max_limit);
		tell(why, "segment limit truncated below the hypervisor's area");
		return DESC_INSTALL;
	}
	*real = d;
	tell(why, NULL);
	return DESC_INSTALL;
}

/* System descriptors (S = 0), present. */
static enum desc_verdict shadow_system(struct x86_desc d, struct x86_desc *real,
				       const char **why)
{
	const char *reason;

	switch (DESC_TYPE(d)) {
	case DESC_SYS_LDT:
		d.hi &= ~DESC_HI_P;
		*real = d;
		tell(why, "LDT descriptor installed not present: LLDT is emulated from the guest's copy");
		return DESC_NOT_PRESENT;
	case DESC_SYS_TSS_AVAIL:
	case DESC_SYS_TSS_BUSY:
		d.hi &= ~DESC_HI_P;
		*real = d;
		tell(why, "TSS descriptor installed not present: LTR is emulated from the guest's copy");
		return DESC_NOT_PRESENT;
	/*
	 * A gate in the real GDT names a target code segment; one whose target
	 * is DPL 0 (the hypervisor's own code selector, or a guest descriptor
	 * before compression) would let the guest into the hypervisor's ring.
	 */
	case DESC_SYS_CALL_GATE:
	case DESC_SYS_CALL_GATE16:
		reason = "call gate in the guest's GDT: would let the guest reach ring 0";
		break;
	case DESC_SYS_TASK_GATE:
		reason = "task gate in the guest's GDT: task switches are not emulated";
		break;
	case DESC_SYS_TSS16_AVAIL:
	case DESC_SYS_TSS16_BUSY:
		reason = "16-bit TSS in the guest's GDT: only 32-bit guests";
		break;
	case DESC_SYS_INT_GATE:
	case DESC_SYS_TRAP_GATE:
	case DESC_SYS_INT_GATE16:
	case DESC_SYS_TRAP_GATE16:
		reason = "interrupt or trap gate in the guest's GDT: gates belong in the IDT";
		break;
	default:
		reason = "reserved system descriptor type in the guest's GDT";
		break;
	}
	*real = (struct x86_desc){ 0, 0 };
	tell(why, reason);
	return DESC_REFUSE;
}

enum desc_verdict desc_shadow(struct x86_desc guest, unsigned guest_ring,
			      uint32_t linear_top, struct x86_desc *real,
			      const char **why)
{
	if (guest_ring < 1 || guest_ring > 3) {
		*real = (struct x86_desc){ 0, 0 };
		tell(why, "guest ring must be 1, 2 or 3");
		return DESC_REFUSE;
	}
	/*
	 * The null descriptor and a not-present system descriptor are installed
	 * as the guest wrote them: loading one faults exactly as on the bare
	 * machine. A not-present code or data descriptor keeps P = 0 but has its
	 * DPL compressed like any other: the CPU checks privilege before
	 * presence (Intel SDM, MOV: #GP if DPL < CPL, then #NP if not present),
	 * so a DPL 0 left in place would give the guest #GP where the bare
	 * machine gives #NP.
	 */
	if (!DESC_P(guest)) {
		*real = guest;
		if (DESC_S(guest) && DESC_DPL(guest) < guest_ring)
			real->hi = (real->hi & ~DESC_HI_DPL_MASK) | DESC_HI_DPL(guest_ring);
		tell(why, NULL);
		return DESC_INSTALL;
	}
	if (DESC_S(guest))
		return shadow_segment(guest, guest_ring, linear_top, real, why);
	return shadow_system(guest, real, why);
}

unsigned desc_shadow_table(const struct x86_desc *guest_gdt, unsigned n,
			   unsigned guest_ring, uint32_t linear_top,
			   struct x86_desc *real_gdt, unsigned *refused_index,
			   const char **why)
{
	const char *reason = NULL;
	unsigned i;

	for (i = 0; i < n; i++) {
		/*
		 * The CPU never reads entry 0 (a selector with index 0 is the
		 * null selector), and some programs keep other bytes there,
		 * such as the GDT's own pseudo-descriptor: install a true null.
		 */
		if (i == 0) {
			real_gdt[0] = (struct x86_desc){ 0, 0 };
			continue;
		}
		if (desc_shadow(guest_gdt[i], guest_ring, linear_top,
				&real_gdt[i], &reason) == DESC_REFUSE)
			break;
		reason = NULL;
	}
	if (refused_index)
		*refused_index = i;
	tell(why, reason);
	return i;
}

uint16_t desc_selector_compress(uint16_t guest_sel, unsigned guest_ring)
{
	if (SEL_RPL(guest_sel) < guest_ring)
		return (uint16_t)((guest_sel & ~3u) | guest_ring);
	return guest_sel;
}

int gate_check(struct x86_gate g, const char **why)
{
	const char *reason;

	if (!GATE_P(g)) {
		reason = "gate not present";
	} else if (g.type_attr & GATE_S) {
		reason = "not a gate: a code or data descriptor in the IDT";
	} else {
		switch (GATE_TYPE(g)) {
		case DESC_SYS_INT_GATE:
		case DESC_SYS_TRAP_GATE:
			if (SEL_INDEX(g.selector) == 0 && !(g.selector & SEL_TI)) {
				reason = "gate with a null code selector";
				break;
			}
			tell(why, NULL);
			return 1;
		case DESC_SYS_TASK_GATE:
			reason = "task gate in the guest's IDT: task switches are not emulated";
			break;
		case DESC_SYS_INT_GATE16:
		case DESC_SYS_TRAP_GATE16:
			reason = "16-bit interrupt or trap gate: only 32-bit gates";
			break;
		default:
			reason = "not an interrupt, trap or task gate";
			break;
		}
	}
	tell(why, reason);
	return 0;
}
