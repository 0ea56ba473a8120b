/*
 * shadow_pt/gpt_walk.c: the guest page-table walker (see gpt_walk.h).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The walk, in the CPU's order (Intel SDM vol. 3, 4.3, 4.6, 4.7, 4.8):
 *  1. read the PDE at (CR3 & ~0xFFF) + 4 * la[31:22]; not present -> #PF;
 *  2. a PDE with PS while CR4.PSE = 1 maps a 4 MiB page: check its reserved
 *     bit and go to 5;
 *  3. otherwise it points to a page table: set its A, read the PTE at
 *     (PDE & ~0xFFF) + 4 * la[21:12]; not present -> #PF;
 *  4. combine the permissions of both levels (each must allow);
 *  5. check the access against them; on success set A, and D for a write,
 *     in the leaf entry.
 */
#include "shadow_pt/gpt_walk.h"
#include "lib/x86.h"

/* A 4 MiB PDE: bits 20:13 are physical address bits 39:32 (PSE-36). */
#define PDE_LARGE_HIGH_ADDR	0x001FE000u
/* ... and bit 21 is reserved. */
#define PDE_LARGE_RSVD		0x00200000u
#define LARGE_PAGE_MASK		0xFFC00000u

static enum gpt_result outside(struct gpt_walk *out, uint32_t gpa)
{
	out->gpa = gpa;
	out->outside = 1;
	return GPT_OUTSIDE;
}

static enum gpt_result fault(struct gpt_walk *out, uint32_t p_bits,
			     unsigned access)
{
	/* No I/D bit: 32-bit paging without PAE has no NX. */
	out->error_code = p_bits | (access & (PF_ERR_W | PF_ERR_U));
	return GPT_FAULT;
}

/* Set bits in the entry at gpa, with one write, only if any is missing. */
static int set_bits(const struct guest_phys *mem, uint32_t gpa,
		    uint32_t *entry, uint32_t bits)
{
	if ((*entry & bits) == bits)
		return 0;
	if (mem->write32(mem->ctx, gpa, *entry | bits) < 0)
		return -1;
	*entry |= bits;
	return 0;
}

/* SDM 4.6: may an access of this kind use a page with these permissions? */
static int access_allowed(unsigned access, int writable, int user,
			  uint32_t gcr0)
{
	if (access & PF_ERR_U) {
		if (!user)
			return 0;
		return !(access & PF_ERR_W) || writable;
	}
	/* Supervisor: reads always; writes unless read-only under CR0.WP. */
	return !(access & PF_ERR_W) || writable || !(gcr0 & CR0_WP);
}

enum gpt_result gpt_walk(const struct guest_phys *mem, uint32_t gcr3,
			 uint32_t gcr0, uint32_t gcr4, uint32_t la,
			 unsigned access, int set_accessed_dirty,
			 struct gpt_walk *out)
{
	uint32_t *leaf, leaf_gpa, gpa;

	*out = (struct gpt_walk){ 0 };

	if (!(gcr0 & CR0_PG)) {
		/* Paging off: linear is physical, and every access is allowed. */
		if (la >= mem->mem_bytes)
			return outside(out, la);
		out->gpa = la;
		out->writable = out->supervisor_writable = out->user = 1;
		out->dirty = 1;
		return GPT_OK;
	}

	out->gpde_gpa = (gcr3 & PAGE_MASK) + 4 * PDX(la);
	if (mem->read32(mem->ctx, out->gpde_gpa, &out->gpde) < 0)
		return outside(out, out->gpde_gpa);
	if (!(out->gpde & PTE_P))
		return fault(out, 0, access);

	if ((out->gpde & PTE_PS) && (gcr4 & CR4_PSE)) {
		out->large = 1;
		if (out->gpde & PDE_LARGE_RSVD)
			/* P stays clear, as QEMU reports it (README.md, 7.). */
			return fault(out, PF_ERR_RSVD, access);
		out->writable = !!(out->gpde & PTE_W);
		out->user = !!(out->gpde & PTE_U);
		leaf = &out->gpde;
		leaf_gpa = out->gpde_gpa;
		/* Bits 39:32 of the page's address: it is above 4 GiB. */
		if (out->gpde & PDE_LARGE_HIGH_ADDR)
			gpa = 0xFFFFFFFFu;
		else
			gpa = (out->gpde & LARGE_PAGE_MASK) |
			      (la & ~LARGE_PAGE_MASK);
	} else {
		/* The CPU has used the PDE once it reads the table it names. */
		out->gpte_gpa = (out->gpde & PAGE_MASK) + 4 * PTX(la);
		if (mem->read32(mem->ctx, out->gpte_gpa, &out->gpte) < 0)
			return outside(out, out->gpte_gpa);
		if (set_accessed_dirty &&
		    set_bits(mem, out->gpde_gpa, &out->gpde, PTE_A) < 0)
			return outside(out, out->gpde_gpa);
		if (!(out->gpte & PTE_P))
			return fault(out, 0, access);
		out->writable = !!(out->gpde & out->gpte & PTE_W);
		out->user = !!(out->gpde & out->gpte & PTE_U);
		leaf = &out->gpte;
		leaf_gpa = out->gpte_gpa;
		gpa = (out->gpte & PAGE_MASK) | (la & ~PAGE_MASK);
	}
	out->supervisor_writable = out->writable || !(gcr0 & CR0_WP);
	out->global = (*leaf & PTE_G) && (gcr4 & CR4_PGE);

	if (!access_allowed(access, out->writable, out->user, gcr0))
		return fault(out, PF_ERR_P, access);

	/*
	 * The bare machine would complete the access (reading whatever is
	 * there); the hypervisor has nothing there to give, so it is told
	 * before any A/D bit claims the access happened.
	 */
	if (gpa >= mem->mem_bytes) {
		out->page_outside = 1;
		return outside(out, gpa);
	}
	out->gpa = gpa;

	if (set_accessed_dirty &&
	    set_bits(mem, leaf_gpa, leaf,
		     PTE_A | ((access & PF_ERR_W) ? PTE_D : 0)) < 0)
		return outside(out, leaf_gpa);
	out->dirty = !!(*leaf & PTE_D);
	return GPT_OK;
}
