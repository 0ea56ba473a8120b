/*
 * shadow_pt/shadow_mmu.h: shadow paging as pure logic: the shadow tables the
 * real CPU runs on while the guest's paging is on, filled on demand from the
 * guest's own tables, and a verdict for every page fault.
 * Runs in: hypervisor, ring 0 (no hardware touched: the hypervisor loads
 * CR3 and delivers faults, hv/shadow.c), and on the host in unit tests.
 *
 * As lguest's demand_page, the fault handler only says what the fault was
 * (filled; the guest's own fault; outside guest memory; a write to step);
 * its caller acts on that.
 */
#ifndef TV_SHADOW_PT_SHADOW_MMU_H
#define TV_SHADOW_PT_SHADOW_MMU_H

#include <stdint.h>
#include "shadow_pt/gpt_walk.h"
#include "shadow_pt/shadow_cache.h"

/* A guest write to a tracked page, running one instruction under TF. */
#define SHADOW_STEP_MAX_PAGES 4

struct shadow_mmu_counters {
	uint32_t hidden_faults, delivered_faults, pt_write_traps;
	uint32_t device_fills;	/* reads that mapped the device page (among hidden_faults) */
};

struct shadow_mmu {
	struct shadow_cache cache;	/* first: its tables are page-aligned */
	struct guest_phys phys;		/* guest memory, for the walks */
	uint8_t *mem;			/* guest-physical 0, as this code reaches it */
	uint32_t mem_bytes;
	uint32_t host_base;		/* guest-physical 0, as the real CPU reaches it */
	unsigned switcher_pdx;		/* the directory slot that is never the guest's */
	/*
	 * A device page read without trapping: the guest-physical page (0:
	 * none) whose reads are served read-only from host-physical device_hpa.
	 */
	uint32_t device_gpa, device_hpa;
	/*
	 * A guest page watched for writes: mapped read-only in every shadow,
	 * and a write to it is stepped as a page-table write is (and counted
	 * in watch_writes), so the hypervisor runs after it.
	 */
	int watching;
	uint32_t watch_gpa, watch_writes;
	struct {
		unsigned npages;	/* 0: no write is being stepped */
		struct {
			uint32_t *spte;	/* the entry made writable for it */
			uint32_t gpa;	/* the page it writes */
		} page[SHADOW_STEP_MAX_PAGES];
		uint32_t eip, cs;	/* the instruction being stepped */
		int guest_tf;		/* the guest had TF set itself */
	} step;
	struct shadow_mmu_counters counters;
};

/* What the shadow MMU needs of the virtual CPU at a fault. */
struct shadow_cpu {
	uint32_t cr0, cr3, cr4;	/* the guest's own (virtual) control registers */
	unsigned ring;		/* the real ring its kernel runs in */
	int user_mode;		/* it runs its user code (virtual CPL 3) */
	/*
	 * Its user code runs on the kernel shadow (ring 1, direct system
	 * calls): fill that one, and take U from the real error code, which
	 * tells ring 3 from ring 1 (and an access the CPU makes for ring 1
	 * while delivering from ring 3, pushing on the kernel stack, from one
	 * by user code).
	 */
	int shared;
	uint32_t eip, cs;	/* the faulting instruction */
	uint32_t eflags;	/* its real EFLAGS; the handler sets or clears TF here */
};

enum shadow_outcome {
	SHADOW_FILLED,		/* a shadow entry was made: the fault stays hidden */
	SHADOW_GUEST_FAULT,	/* the guest's own tables fault: #PF(error) with CR2 = la */
	SHADOW_OUTSIDE,		/* the guest's tables map la to gpa, outside guest memory */
	SHADOW_STEP,		/* a write to a guest page table: run it once with TF (set) */
	SHADOW_SWITCHER,	/* la lies in the switcher's slot, which is never the guest's */
	SHADOW_NO_ENTRY,	/* no shadow entry could let the access through (never expected) */
	SHADOW_STEP_TOO_WIDE,	/* one instruction writes more than SHADOW_STEP_MAX_PAGES */
	SHADOW_NO_TABLE,	/* no shadow table could be had: a bug, never the guest's */
};

struct shadow_verdict {
	enum shadow_outcome outcome;
	uint32_t la;		/* the faulting address */
	uint32_t error;		/* SHADOW_GUEST_FAULT: the error code for the guest */
	uint32_t gpa;		/* SHADOW_OUTSIDE: where the guest's tables point */
};

/*
 * Start with no shadow. mem/mem_bytes: guest memory as this code reaches it;
 * host_base: where the real CPU finds guest-physical 0; phys_base: the
 * host-physical address of *m (the hypervisor is identity-mapped; tests
 * give any); the switcher's directory entry goes into every shadow.
 */
void shadow_mmu_init(struct shadow_mmu *m, uint8_t *mem, uint32_t mem_bytes,
		     uint32_t host_base, uint32_t phys_base, unsigned switcher_pdx,
		     uint32_t switcher_pde);

/*
 * Reads of guest-physical page gpa (outside guest memory, a device's
 * registers) go to host-physical page hpa, mapped read-only wherever the
 * guest's tables map gpa; writes still fault (SHADOW_OUTSIDE). gpa = 0:
 * none. The caller keeps the page's contents current.
 */
void shadow_mmu_map_device_page(struct shadow_mmu *m, uint32_t gpa, uint32_t hpa);

/*
 * Watch guest-physical page gpa for writes (on = 0: stop watching). Every
 * shadow entry that maps it writable is made read-only (the reverse map).
 */
void shadow_mmu_watch_page(struct shadow_mmu *m, int on, uint32_t gpa);

/* The real CR3 for the guest's mode while its paging is on. */
uint32_t shadow_mmu_cr3(const struct shadow_mmu *m, int user_mode);

/* The guest loaded CR3 (or turned paging on): use, or build, that address space's shadows. */
void shadow_mmu_switch_cr3(struct shadow_mmu *m, uint32_t gcr3);

/* The guest changed CR0.PG/WP or CR4.PSE/PGE: every shadow is emptied. */
void shadow_mmu_flush_all(struct shadow_mmu *m);

/* The hypervisor wrote guest memory for the guest (emulating it): drop shadows built from it. */
void shadow_mmu_guest_wrote(struct shadow_mmu *m, uint32_t gpa, uint32_t len);

/* A real #PF at la with the CPU's error code while the guest's paging is on. */
struct shadow_verdict shadow_mmu_fault(struct shadow_mmu *m, struct shadow_cpu *cpu,
				       uint32_t la, uint32_t real_error);

/*
 * At every trap while a write is being stepped: the step is finished (its
 * pages protected again, the shadows built from them dropped, our TF taken
 * out of *eflags). Returns 1 if the trap was only that step (vector 1) and
 * needs nothing more.
 */
int shadow_mmu_step_end(struct shadow_mmu *m, unsigned vector, uint32_t eip, uint32_t cs,
			uint32_t *eflags);

/*
 * Translate a guest-linear address for an access the hypervisor makes on
 * the guest's behalf (delivering a frame, reading an instruction or an
 * operand; system: the CPU's own supervisor access to the IDT, GDT or
 * TSS), setting the accessed and dirty bits as the CPU would.
 */
enum shadow_translation {
	SHADOW_TRANSLATED = 0,		/* *gpa is the guest-physical address */
	SHADOW_TRANSLATION_FAULT = 1,	/* the guest's tables refuse it: its #PF, error in *pf_error */
	SHADOW_TRANSLATION_OUTSIDE = -1,	/* a table or the page lies outside guest memory */
};
enum shadow_translation shadow_mmu_translate(struct shadow_mmu *m, uint32_t gcr0, uint32_t gcr3,
					     uint32_t gcr4, int user_mode, uint32_t la, int write,
					     int system, uint32_t *gpa, uint32_t *pf_error);

#endif
