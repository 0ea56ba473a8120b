/*
 * hv/shadow.h: the hypervisor's side of shadow paging: the trap acts on the
 * verdicts of shadow_pt/shadow_mmu.c (fill hidden, fault delivered to the
 * guest, guest stopped, write stepped).
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_SHADOW_H
#define TV_HV_SHADOW_H

#include <stdint.h>
#include "hv/machine.h"
#include "hv/vcpu.h"
#include "shadow_pt/shadow_mmu.h"

void shadow_init(struct vcpu *v, uint32_t host_base);

/* Is the guest's paging on (its CR0.PG)? */
static inline int shadow_paging_on(const struct vcpu *v)
{
	return (v->virt_cr0 & CR0_PG) != 0;
}

/* The CR3 for the guest's current mode (kernel or user) while its paging is on. */
uint32_t shadow_cr3(const struct vcpu *v);

/* A #PF while the guest's paging is on: filled (hidden), delivered to the guest, or the guest is stopped. */
void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error);

/* The guest loaded CR3 (or turned paging on): use, or build, that address space's shadows. */
void shadow_switch_cr3(struct vcpu *v);

/* The guest changed CR0.PG/WP or CR4.PSE/PGE: every shadow is emptied. */
void shadow_flush_all(struct vcpu *v);

/*
 * The hypervisor wrote guest memory for the guest (emulating it): drop shadows built from it.
 * This and shadow_translate run for every guest-memory access the hypervisor makes: inline.
 */
static inline void shadow_guest_wrote(struct vcpu *v, uint32_t gpa, uint32_t len)
{
	shadow_mmu_guest_wrote(machine_of(v)->shadow, gpa, len);
}

/*
 * At every trap: a single-stepped write to a guest page table is finished.
 * Returns 1 if the trap was only that step (vector 1) and needs nothing more.
 * Inline, since nearly every trap has no step to finish.
 */
int shadow_step_end(struct vcpu *v, unsigned vector);

static inline int shadow_single_step(struct vcpu *v, unsigned vector)
{
	return machine_of(v)->shadow->step.npages && shadow_step_end(v, vector);
}

/* A guest-linear address through the guest's tables, for an access on its behalf (shadow_mmu.h). */
static inline enum shadow_translation shadow_translate(struct vcpu *v, uint32_t la, int write,
						       int system, uint32_t *gpa,
						       uint32_t *pf_error)
{
	return shadow_mmu_translate(machine_of(v)->shadow, v->virt_cr0, v->virt_cr3, v->virt_cr4,
				    v->user_mode, la, write, system, gpa, pf_error);
}

/* "tv:stat" lines for the summary. */
void shadow_report(const struct machine *m);

#endif
