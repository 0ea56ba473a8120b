/*
 * shadow_pt/shadow_mmu.h: the hypervisor's side of shadow paging: the
 * shadow tables the real CPU runs on while the guest's paging is on, filled
 * on demand from the guest's own tables.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_SHADOW_PT_SHADOW_MMU_H
#define TV_SHADOW_PT_SHADOW_MMU_H

#include <stdint.h>
#include "hv/vcpu.h"
#include "shadow_pt/gpt_walk.h"

void shadow_init(struct vcpu *v, uint32_t host_base);

/* Is the guest's paging on (its CR0.PG)? */
int shadow_paging_on(const struct vcpu *v);

/* The CR3 for the guest's current mode (kernel or user) while its paging is on. */
uint32_t shadow_cr3(const struct vcpu *v);

/* A #PF while the guest's paging is on: filled (hidden), delivered to the guest, or the guest is stopped. */
void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error);

/* The guest loaded CR3 (or turned paging on): use, or build, that address space's shadows. */
void shadow_switch_cr3(struct vcpu *v);

/* The guest changed CR0.PG/WP or CR4.PSE/PGE: every shadow is emptied. */
void shadow_flush_all(struct vcpu *v);

/* The hypervisor wrote guest memory for the guest (emulating it): drop shadows built from it. */
void shadow_guest_wrote(uint32_t gpa, uint32_t len);

/*
 * At every trap: a single-stepped write to a guest page table is finished.
 * Returns 1 if the trap was only that step (vector 1) and needs nothing more.
 */
int shadow_single_step(struct vcpu *v, unsigned vector);

/*
 * Translate a guest-linear address for an access the hypervisor makes on
 * the guest's behalf (delivering a frame, reading an instruction; system:
 * the CPU's own supervisor access to the IDT, GDT or TSS): returns
 * the gpa, or -1 if the guest's tables do not map it or
 * it lies outside guest memory.
 */
int shadow_translate(struct vcpu *v, uint32_t la, int write, int system, uint32_t *gpa);

/* "tv:stat" lines for the summary. */
void shadow_report(void);


#endif
