/*
 * lib/x86_desc.h: segment descriptors and gate descriptors as the hardware
 * lays them out (Intel SDM vol. 3, 3.4.5 and 6.11), and selectors.
 * Runs in: hypervisor, guests, and host unit tests (pure definitions).
 */
#ifndef TV_LIB_X86_DESC_H
#define TV_LIB_X86_DESC_H

#include <stdint.h>

/* A selector: index into a descriptor table, table indicator, requested privilege. */
#define SEL_RPL(sel)	((sel) & 3u)
#define SEL_TI		4u		/* 1 = LDT */
#define SEL_INDEX(sel)	((sel) >> 3)
#define SEL_MAKE(index, rpl) ((uint16_t)(((index) << 3) | (rpl)))

/*
 * A segment or system descriptor is two 32-bit words:
 *   lo: limit 15..0 | base 15..0 << 16
 *   hi: base 23..16 | type << 8 | S << 12 | DPL << 13 | P << 15 |
 *       limit 19..16 << 16 | AVL << 20 | L << 21 | D/B << 22 | G << 23 | base 31..24 << 24
 */
struct x86_desc {
	uint32_t lo;
	uint32_t hi;
};

#define DESC_TYPE(d)	(((d).hi >> 8) & 0xFu)
#define DESC_S(d)	(((d).hi >> 12) & 1u)	/* 1 = code/data, 0 = system */
#define DESC_DPL(d)	(((d).hi >> 13) & 3u)
#define DESC_P(d)	(((d).hi >> 15) & 1u)
#define DESC_DB(d)	(((d).hi >> 22) & 1u)
#define DESC_G(d)	(((d).hi >> 23) & 1u)

#define DESC_HI_P	(1u << 15)
#define DESC_HI_S	(1u << 12)
#define DESC_HI_DB	(1u << 22)
#define DESC_HI_G	(1u << 23)
#define DESC_HI_DPL_MASK (3u << 13)
#define DESC_HI_DPL(dpl) ((uint32_t)(dpl) << 13)

/* Code/data type bits (S = 1). */
#define DESC_TYPE_ACCESSED	0x1u
#define DESC_TYPE_WRITABLE	0x2u	/* data */
#define DESC_TYPE_READABLE	0x2u	/* code */
#define DESC_TYPE_EXPANDDOWN	0x4u	/* data */
#define DESC_TYPE_CONFORMING	0x4u	/* code */
#define DESC_TYPE_CODE		0x8u

/* System types (S = 0), 32-bit. */
#define DESC_SYS_LDT		0x2u
#define DESC_SYS_TSS_AVAIL	0x9u
#define DESC_SYS_TSS_BUSY	0xBu
#define DESC_SYS_CALL_GATE	0xCu
#define DESC_SYS_TASK_GATE	0x5u
#define DESC_SYS_INT_GATE	0xEu
#define DESC_SYS_TRAP_GATE	0xFu

static inline uint32_t desc_base(struct x86_desc d)
{
	return (d.lo >> 16) | ((d.hi & 0xFFu) << 16) | (d.hi & 0xFF000000u);
}

/* The limit in bytes minus one, with granularity applied. */
static inline uint32_t desc_limit(struct x86_desc d)
{
	uint32_t raw = (d.lo & 0xFFFFu) | (d.hi & 0x000F0000u);
	return DESC_G(d) ? (raw << 12) | 0xFFFu : raw;
}

/* Build a descriptor; flags_hi carries type, S, DPL, P, D/B (G is chosen here). */
static inline struct x86_desc desc_make(uint32_t base, uint32_t limit,
					uint32_t flags_hi)
{
	struct x86_desc d;
	uint32_t g = 0;
	if (limit > 0xFFFFFu) {
		g = DESC_HI_G;
		limit >>= 12;
	}
	d.lo = (limit & 0xFFFFu) | (base << 16);
	d.hi = ((base >> 16) & 0xFFu) | (base & 0xFF000000u) |
	       (limit & 0x000F0000u) | (flags_hi & ~(DESC_HI_G | 0x000F00FFu |
						      0xFF000000u)) | g;
	return d;
}

/* An interrupt or trap gate in the IDT (32-bit). */
struct x86_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;	/* P << 7 | DPL << 5 | type */
	uint16_t offset_hi;
};

#define GATE_P(g)	(((g).type_attr >> 7) & 1u)
#define GATE_DPL(g)	(((g).type_attr >> 5) & 3u)
#define GATE_TYPE(g)	((g).type_attr & 0xFu)
#define GATE_OFFSET(g)	((uint32_t)(g).offset_lo | ((uint32_t)(g).offset_hi << 16))

static inline struct x86_gate gate_make(uint16_t sel, uint32_t offset,
					unsigned type, unsigned dpl)
{
	struct x86_gate g;
	g.offset_lo = (uint16_t)offset;
	g.offset_hi = (uint16_t)(offset >> 16);
	g.selector = sel;
	g.zero = 0;
	g.type_attr = (uint8_t)(0x80u | (dpl << 5) | type);
	return g;
}

/* The 32-bit task-state segment; the hypervisor uses only ss0:esp0 and the I/O map base. */
struct x86_tss {
	uint32_t link;
	uint32_t esp0, ss0;
	uint32_t esp1, ss1;
	uint32_t esp2, ss2;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs;
	uint32_t ldt;
	uint16_t trap;
	uint16_t iomap_base;
};

#endif
