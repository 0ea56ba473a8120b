/*
 * guests/paging/paging.h: what the paging guest's files share: its linear
 * layout, its page structures, the page-fault log and the probes.
 * Runs in: guest.
 *
 * The kernel image is linked at 1 MiB and identity-mapped; every page
 * structure and every frame the checks map lies inside it (in .bss), so its
 * physical address is its own address and the kernel edits page tables
 * through the identity map.
 */
#ifndef TV_GUESTS_PAGING_PAGING_H
#define TV_GUESTS_PAGING_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/mmu.h"

/* The linear layout, one page-directory slot per purpose. */
#define PAGING_TEST_BASE	0x40000000u	/* PDX 256: 4 KiB test pages (PDE U=1) */
#define PAGING_DEMAND_BASE	0x40200000u	/* same table: pages mapped on first touch */
#define PAGING_DEMAND_PAGES	8u
#define PAGING_SPACE_LA		0x50000000u	/* PDX 320: another frame per address space */
#define PAGING_ALIAS_BASE	0x80000000u	/* PDX 512: one 4 MiB page onto physical 0 */

/* What a read probe returns when its read faulted. */
#define PAGING_FAULT_MARK	0xFA17FA17u

/* Page directories: paging first on, then the main and the second space. */
extern uint32_t paging_pd_4k[1024];
extern uint32_t paging_pd_main[1024];
extern uint32_t paging_pd_other[1024];

/* Page tables: identity 0..4 MiB, the test window, the per-space page. */
extern uint32_t paging_pt_low[1024];
extern uint32_t paging_pt_test[1024];
extern uint32_t paging_pt_space_a[1024];
extern uint32_t paging_pt_space_b[1024];

/* A kernel-only page (U=0) the user task tries to touch, and its own (U=1). */
extern volatile uint32_t paging_kernel_page[1024];
extern uint32_t paging_user_page[1024];

/* Build every directory and table; paging stays off. */
void paging_mmu_build(void);

/* The PTE for la in directory pd (whose PDE must name a page table). */
uint32_t *paging_pte(uint32_t *pd, uint32_t la);

/* A fresh zeroed frame from the pool; the guest panics when it runs dry. */
uint32_t paging_frame_alloc(void);

/* Set la's PTE in pd to pa | flags (PTE_P added), then INVLPG la. */
void paging_map(uint32_t *pd, uint32_t la, uint32_t pa, uint32_t flags);

/* Clear la's PTE in pd, then INVLPG la: the TLB must forget it. */
void paging_unmap(uint32_t *pd, uint32_t la);

static inline void paging_invlpg(uint32_t la)
{
	__asm__ volatile("invlpg (%0)" : : "r"(la) : "memory");
}

/* Every page fault the guest takes, demand faults included. */
struct paging_fault_log {
	unsigned count;
	uint32_t cr2, error, eip, cs;	/* of the last one */
};
extern volatile struct paging_fault_log paging_faults;

/* Install the #PF handler: demand paging in the demand window, else probes. */
void paging_fault_init(void);

/* Demand faults map a frame filled with this pattern, so reads can tell it. */
uint32_t paging_demand_pattern(uint32_t la);

/*
 * PASS if exactly one fault was taken since `before` (a paging_faults.count)
 * with this CR2, error code and faulting EIP, else FAIL with what was seen.
 */
bool paging_check_fault(const char *name, unsigned before, uint32_t cr2,
			uint32_t error, uint32_t eip);

/* PASS if no fault was taken since `before`, and ok holds. */
bool paging_check_no_fault(bool ok, const char *name, unsigned before,
			   const char *why_fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Probes (paging_probes.S): one access each at a known instruction. A
 * fault there that is not a demand fault resumes after it (_next); the
 * read then returns PAGING_FAULT_MARK.
 */
uint32_t paging_probe_read(uint32_t la);
void paging_probe_write(uint32_t la, uint32_t value);
extern const char paging_probe_read_insn[], paging_probe_read_next[];
extern const char paging_probe_write_insn[], paging_probe_write_next[];

/* The user task (paging_probes.S), in pages of its own that are U=1. */
extern const char paging_user_code_start[], paging_user_code_end[];
extern const char paging_user_task[];
extern const char paging_user_read_kernel_insn[], paging_user_read_kernel_next[];
extern const char paging_user_write_kernel_insn[], paging_user_write_kernel_next[];
extern const char paging_user_read_unmapped_insn[], paging_user_read_unmapped_next[];

/*
 * Enter the user task at eip in ring 3 with esp, EBX, ESI and EDI as given;
 * returns when the task's final INT 0x80 calls paging_user_return().
 */
void paging_user_run(uint32_t eip, uint32_t esp, uint32_t ebx, uint32_t esi,
		     uint32_t edi);
__attribute__((noreturn)) void paging_user_return(void);

/* The groups of checks, in the order they run. */
void paging_checks_on(void);
void paging_checks_map(void);
void paging_checks_dirty(void);
void paging_checks_spaces(void);
void paging_user_init(void);	/* before paging: segments, TSS, IDT */
void paging_checks_user(void);

#endif
