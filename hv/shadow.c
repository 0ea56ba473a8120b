/*
 * hv/shadow.c: shadow paging on the trap path: what a verdict of
 * shadow_pt/shadow_mmu.c means for the guest.
 * Runs in: hypervisor, ring 0, on the guest's page faults while its paging
 * is on, its writes to CR0, CR3 and CR4, and every access the hypervisor
 * makes to guest-linear memory.
 *
 * shadow_pt/ decides and touches nothing but its tables; this file does
 * what needs the hypervisor: it delivers the guest's own #PF (hv/reflect.c),
 * sets TF and the interrupt shadow for a stepped write, stops a guest whose
 * tables reach outside its memory or into the switcher, and reports the
 * counters.
 */
#include "hv/shadow.h"
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/layout.h"
#include "hv/machine.h"
#include "hv/mmio.h"
#include "hv/patch_inline.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "hv/trap_cost.h"
#include "lib/mmu.h"
#include "shadow_pt/shadow_mmu.h"

_Static_assert((GUEST_MEM_MAX_MIB << 20) / PAGE_SIZE <= SHADOW_GUEST_PAGES_MAX,
	       "shadow_cache.h must track every page of the largest guest");

static struct shadow_cpu cpu_of(const struct vcpu *v)
{
	return (struct shadow_cpu){
		.cr0 = v->virt_cr0, .cr3 = v->virt_cr3, .cr4 = v->virt_cr4,
		.ring = v->ring, .user_mode = v->user_mode, .shared = v->direct_active,
		.eip = v->regs.eip, .cs = v->regs.cs, .eflags = v->regs.eflags,
	};
}

void shadow_init(struct vcpu *v, uint32_t host_base)
{
	struct shadow_mmu *shadow = machine_of(v)->shadow;
	/* Identity-mapped: the hypervisor's address of the tables is their physical one. */
	shadow_mmu_init(shadow, v->mem, v->mem_bytes, host_base, (uint32_t)shadow,
			PDX(SWITCHER_BASE), switcher_pde_for_guest());
}

uint32_t shadow_cr3(const struct vcpu *v)
{
	return shadow_mmu_cr3(machine_of_const(v)->shadow, v->user_mode && !v->direct_active);
}

void shadow_switch_cr3(struct vcpu *v)
{
	shadow_mmu_switch_cr3(machine_of(v)->shadow, v->virt_cr3);
}

void shadow_flush_all(struct vcpu *v)
{
	shadow_mmu_flush_all(machine_of(v)->shadow);
}

int shadow_step_end(struct vcpu *v, unsigned vector)
{
	return shadow_mmu_step_end(machine_of(v)->shadow, vector, v->regs.eip, v->regs.cs,
				   &v->regs.eflags);
}

void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error)
{
	struct shadow_cpu cpu = cpu_of(v);
	uint32_t started = trap_cost_now();
	struct shadow_verdict r = shadow_mmu_fault(machine_of(v)->shadow, &cpu, la, real_error);
	trap_cost_record(COST_SHADOW_FAULT, trap_cost_now() - started);

	v->regs.eflags = cpu.eflags;
	switch (r.outcome) {
	case SHADOW_FILLED:
		stats_trap(&v->regs, 0, "hidden");
		return;
	case SHADOW_STEP:
		interrupt_shadow_begin(&v->sti_shadow);	/* no virtual interrupt before the write is done */
		stats_trap(&v->regs, 0, "emulate");
		return;
	case SHADOW_GUEST_FAULT:
		if (patch_inline_iret_write_refused()) {
			/* A frame on a read-only page: the guest's own IRET writes none of it. */
			stats_trap(&v->regs, 0, "inline-iret-trapped");
			return;
		}
		v->virt_cr2 = la;
		stats_trap(&v->regs, 0, "reflect");
		reflect_to_guest(v, VEC_PF, r.error, v->regs.eip, 0);
		return;
	case SHADOW_SWITCHER:
		stats_trap(&v->regs, 0, "stop");
		hv_exit_stopped("forbidden: the guest %s 0x%08x, the hypervisor's switcher, at eip 0x%08x",
				real_error & PF_ERR_W ? "wrote" : "read", la, v->regs.eip);
	case SHADOW_OUTSIDE:
		/* A device's registers: the access is emulated, never mapped. */
		if (mmio_access(v, la, r.gpa))
			return;
		stats_trap(&v->regs, 0, "stop");
		hv_exit_stopped("forbidden: the guest's page tables map 0x%08x to guest-physical 0x%08x, outside its %u MiB (eip 0x%08x)",
				la, r.gpa, v->mem_bytes >> 20, v->regs.eip);
	case SHADOW_NO_ENTRY:
		hv_exit_stopped("unemulated: no shadow entry can let the access to 0x%08x through (eip 0x%08x)",
				la, v->regs.eip);
	case SHADOW_STEP_TOO_WIDE:
		hv_exit_stopped("unemulated: one instruction at 0x%08x writes more than %u page-table pages",
				v->regs.eip, SHADOW_STEP_MAX_PAGES);
	case SHADOW_NO_TABLE:
	default:
		hv_panic("no shadow table for 0x%08x", la);
	}
}

void shadow_report(const struct machine *m)
{
	const struct shadow_mmu *shadow = m->shadow;
	const struct shadow_cache_counters *c = &shadow->cache.counters;

	if (!c->contexts_built)
		return;	/* the guest never turned paging on */
	console_event("stat what=\"shadow: hidden faults\" count=%u", shadow->counters.hidden_faults);
	console_event("stat what=\"shadow: faults delivered to the guest\" count=%u",
		      shadow->counters.delivered_faults);
	console_event("stat what=\"shadow: page-table write traps\" count=%u",
		      shadow->counters.pt_write_traps);
	if (shadow->device_gpa)
		console_event("stat what=\"shadow: LAPIC page mapped for reads\" count=%u",
			      shadow->counters.device_fills);
	console_event("stat what=\"shadow: tables built\" count=%u", c->tables_built);
	console_event("stat what=\"shadow: tables dropped\" count=%u", c->tables_dropped);
	console_event("stat what=\"shadow: address spaces built\" count=%u", c->contexts_built);
	console_event("stat what=\"shadow: address spaces reused\" count=%u",
		      c->contexts_reused);
	console_event("stat what=\"shadow: full flushes\" count=%u", c->flushes);
	console_event("stat what=\"shadow: full flushes, pool dry\" count=%u", c->pool_dry_flushes);
	console_event("stat what=\"shadow: guest pages tracked\" count=%u", c->pages_tracked);
	console_event("stat what=\"shadow: writable entries made read-only (reverse map)\" count=%u",
		      c->sptes_write_protected);
	console_event("stat what=\"shadow: pool searched (reverse map full)\" count=%u",
		      c->rmap_pool_scans);
}
