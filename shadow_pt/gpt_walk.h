/*
 * shadow_pt/gpt_walk.h: the guest page-table walker. It translates a guest
 * linear address through the guest's own page tables exactly as the CPU
 * would (Intel SDM vol. 3, 4.3 and 4.6-4.8), for 32-bit paging without PAE,
 * with CR4.PSE (4 MiB pages) and CR4.PGE (global pages).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The walker never touches memory itself: the caller passes a struct
 * guest_phys that reads and writes 32-bit words of guest-physical memory.
 * In the hypervisor that is guest memory at host_base + gpa; in the unit
 * tests it is an array.
 */
#ifndef TV_SHADOW_PT_GPT_WALK_H
#define TV_SHADOW_PT_GPT_WALK_H

#include <stdint.h>

#include "lib/mmu.h"

#ifndef PF_ERR_RSVD
#define PF_ERR_RSVD	0x8u	/* a reserved bit was set in a paging entry */
#endif

/*
 * In `access`, beside PF_ERR_W and PF_ERR_U: the access is an instruction
 * fetch. It is the error code's I/D bit, which 32-bit paging without PAE
 * never reports (there is no NX), so fetches are checked as reads.
 */
#define GPT_ACCESS_FETCH 0x10u

/* Guest-physical memory, as the walker reaches it. */
struct guest_phys {
	void *ctx;		/* passed back to read32 and write32 */
	/* One aligned 32-bit word at gpa; -1 if it lies outside guest memory. */
	int (*read32)(void *ctx, uint32_t gpa, uint32_t *v);
	int (*write32)(void *ctx, uint32_t gpa, uint32_t v);
	uint32_t mem_bytes;	/* guest-physical memory is 0..mem_bytes */
};

/* What one walk found. */
struct gpt_walk {
	uint32_t gpa;		/* the translated address; for GPT_OUTSIDE, the
				   guest-physical address that lies outside
				   (0xFFFFFFFF for a 4 MiB page above 4 GiB) */
	uint32_t gpde_gpa;	/* where the page-directory entry is */
	uint32_t gpde;		/* its value, after any A/D update */
	uint32_t gpte_gpa;	/* where the page-table entry is (0 if large) */
	uint32_t gpte;		/* its value, after any A/D update (0 if large) */
	int large;		/* a 4 MiB page: the PDE is the leaf */
	int writable;		/* R/W is 1 at every level: user code may write */
	int supervisor_writable; /* the guest kernel may write: writable, or
				   any page while CR0.WP = 0 */
	int user;		/* U/S is 1 at every level: user code may reach it */
	int global;		/* G in the leaf, and CR4.PGE set */
	int dirty;		/* D in the leaf, after any A/D update */
	uint32_t error_code;	/* for GPT_FAULT: the #PF error code */
	int outside;		/* for GPT_OUTSIDE: 1 */
	int page_outside;	/* for GPT_OUTSIDE: the page itself lies outside
				   (the entries are in memory and allow the
				   access: a device's registers, say), not a
				   table */
};

enum gpt_result {
	GPT_OK,		/* translated; out->gpa is the guest-physical address */
	GPT_FAULT,	/* the guest's own tables say #PF (out->error_code) */
	GPT_OUTSIDE,	/* a table or the page lies outside guest memory */
};

/*
 * Walk the guest's tables for linear address la, as an access of kind
 * `access` (PF_ERR_W for a write, PF_ERR_U for an access at the guest's
 * virtual CPL 3, GPT_ACCESS_FETCH for a fetch) with the guest's virtual
 * CR3, CR0 and CR4.
 *
 * With CR0.PG clear the guest-linear address is the guest-physical one.
 *
 * If set_accessed_dirty is nonzero the walk updates the guest's entries as
 * the CPU does, each with one write32 and only when a bit changes: A in a
 * PDE that points to a page table as soon as that table is read (even if
 * the PTE then faults), and on success A in the leaf (the PTE, or a 4 MiB
 * PDE) and D in the leaf for a write. Nothing is written for an access that
 * faults at the leaf, or whose page is outside guest memory.
 *
 * Reserved bits: only in a 4 MiB PDE, where QEMU's CPU (and any CPU with
 * PSE-36) reads bits 20:13 as physical address bits 39:32 and bit 21 as
 * reserved. A set bit 21 faults with RSVD (and, as on QEMU, without P);
 * bits 20:13 name memory above 4 GiB, which is outside guest memory
 * (GPT_OUTSIDE).
 *
 * out is always filled in (the fields that do not apply are 0).
 */
enum gpt_result gpt_walk(const struct guest_phys *mem, uint32_t gcr3,
			 uint32_t gcr0, uint32_t gcr4, uint32_t la,
			 unsigned access, int set_accessed_dirty,
			 struct gpt_walk *out);

#endif
