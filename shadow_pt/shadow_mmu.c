/*
 * shadow_pt/shadow_mmu.c: shadow page tables in the hypervisor.
 * Runs in: hypervisor, ring 0, on the guest's page faults, its writes to
 * CR0, CR3 and CR4, and its writes to its own page tables.
 *
 * 1. A shadow context per guest address space (per guest CR3), each with a
 *    kernel-mode and a user-mode shadow page directory (hv/guest_mode.c
 *    picks one). Up to SHADOW_CONTEXTS are kept, so switching back to an
 *    address space finds its shadows already filled.
 * 2. Shadows fill on demand: a real #PF is walked through the guest's tables
 *    (gpt_walk). If they map the page, the shadow entry is made and the fault
 *    stays hidden; if not, the guest gets its own #PF with its CR2 and the
 *    error code the bare machine gives; if they name memory the guest does
 *    not have, the guest is stopped.
 * 3. Kept shadows must stay true to the guest's tables, so every guest page
 *    that a shadow was built from (the page directory, the page tables) is
 *    *tracked*: mapped read-only in every shadow. A guest write to one
 *    faults; the hypervisor lets that one instruction run with the page
 *    writable (single-stepping it with TF), then drops every shadow table
 *    built from that page. So a guest that edits an entry sees what the
 *    bare machine shows, with or without INVLPG.
 * 4. When a page becomes tracked while some shadow still maps it writable,
 *    or the pool of shadow tables runs dry, or the guest changes CR0.PG/WP
 *    or CR4.PSE/PGE, every shadow is emptied and refilled on demand (a TLB
 *    may forget anything at any time).
 * The bookkeeping of 1, 3 and 4 (contexts, the pool, tracking, dropping) is
 * the pure logic of shadow_cache.c; this file is what ties it to the trap:
 * the #PF handler, the single step, and the statistics.
 * The design and its alternatives are in shadow_pt/README.md.
 */
#include "shadow_pt/shadow_mmu.h"
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/layout.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "shadow_pt/shadow_cache.h"
#include "shadow_pt/spte.h"

_Static_assert((GUEST_MEM_MAX_MIB << 20) / PAGE_SIZE <= SHADOW_GUEST_PAGES_MAX,
	       "shadow_cache.h must track every page of the largest guest");

/* Identity-mapped: the hypervisor's address of the cache is its physical one. */
static struct shadow_cache cache;

/* A guest write to a tracked page, running one instruction under TF. */
#define PT_WRITE_MAX_PAGES 4

static struct {
	unsigned npages;	/* 0: no write is being stepped */
	struct {
		uint32_t *spte;	/* the entry made writable for it */
		uint32_t gpa;	/* the page it writes */
	} page[PT_WRITE_MAX_PAGES];
	uint32_t eip, cs;	/* the instruction being stepped */
	int guest_tf;		/* the guest had TF set itself */
} pt_write;

static uint32_t host_base;
static struct guest_phys guest_phys;

static struct {
	uint32_t hidden_faults, delivered_faults, pt_write_traps;
} counters;

static int phys_read32(void *ctx, uint32_t gpa, uint32_t *value)
{
	struct vcpu *v = ctx;
	if (gpa > v->mem_bytes - 4 || (gpa & 3))
		return -1;
	memcpy(value, v->mem + gpa, 4);
	return 0;
}

static int phys_write32(void *ctx, uint32_t gpa, uint32_t value)
{
	struct vcpu *v = ctx;
	if (gpa > v->mem_bytes - 4 || (gpa & 3))
		return -1;
	memcpy(v->mem + gpa, &value, 4);
	return 0;
}


int shadow_paging_on(const struct vcpu *v)
{
	return (v->virt_cr0 & CR0_PG) != 0;
}

uint32_t shadow_cr3(const struct vcpu *v)
{
	return shadow_cache_cr3(&cache, v->user_mode ? SHADOW_USER : SHADOW_KERNEL);
}

void shadow_flush_all(struct vcpu *v)
{
	shadow_cache_flush(&cache);
}

void shadow_init(struct vcpu *v, uint32_t base)
{
	host_base = base;
	guest_phys.ctx = v;
	guest_phys.read32 = phys_read32;
	guest_phys.write32 = phys_write32;
	guest_phys.mem_bytes = v->mem_bytes;
	shadow_cache_init(&cache, (uint32_t)&cache, v->mem_bytes, PDX(SWITCHER_BASE),
			  switcher_pde_for_guest());
}

void shadow_switch_cr3(struct vcpu *v)
{
	shadow_cache_switch(&cache, v->virt_cr3 & PAGE_MASK);
}


void shadow_guest_wrote(uint32_t gpa, uint32_t len)
{
	shadow_cache_guest_wrote(&cache, gpa, len);
}

int shadow_translate(struct vcpu *v, uint32_t la, int write, int system, uint32_t *gpa)
{
	struct gpt_walk w;
	unsigned access = (write ? PF_ERR_W : 0) | (v->user_mode && !system ? PF_ERR_U : 0);
	if (gpt_walk(&guest_phys, v->virt_cr3, v->virt_cr0, v->virt_cr4, la, access, 1, &w) !=
	    GPT_OK)
		return -1;
	*gpa = w.gpa;
	return 0;
}

/*
 * The single-stepped write is done (or faulted): protect its pages again and
 * drop what they changed. An unaligned store can straddle two page-table
 * pages, so one instruction may hold a few pages writable at once.
 */
static void finish_pt_write(struct vcpu *v)
{
	for (unsigned i = 0; i < pt_write.npages; i++) {
		*pt_write.page[i].spte &= ~PTE_W;
		shadow_cache_source_changed(&cache, pt_write.page[i].gpa);
	}
	if (!pt_write.guest_tf)
		v->regs.eflags &= ~EFLAGS_TF;
	pt_write.npages = 0;
}

int shadow_single_step(struct vcpu *v, unsigned vector)
{
	if (!pt_write.npages)
		return 0;
	/* The same instruction faulting on its next page: the step goes on. */
	if (vector == VEC_PF && v->regs.eip == pt_write.eip && v->regs.cs == pt_write.cs)
		return 0;
	finish_pt_write(v);
	/* Our own single step ends here; the guest's, if it had one, goes on to its handler. */
	return vector == VEC_DB && !pt_write.guest_tf;
}

void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error)
{
	unsigned mode = v->user_mode ? SHADOW_USER : SHADOW_KERNEL;
	uint32_t guest_error = pf_error_for_guest(real_error, mode == SHADOW_USER ? 3 : 0);
	unsigned access = guest_error & (PF_ERR_W | PF_ERR_U);
	struct gpt_walk w;

	/* The switcher's 4 MiB are the hypervisor's, whatever the guest's tables say. */
	if (la >= SWITCHER_BASE) {
		stats_trap(&v->regs, 0, "stop");
		hv_exit_stopped("forbidden: the guest %s 0x%08x, the hypervisor's switcher, at eip 0x%08x",
				real_error & PF_ERR_W ? "wrote" : "read", la, v->regs.eip);
	}
	switch (gpt_walk(&guest_phys, v->virt_cr3, v->virt_cr0, v->virt_cr4, la, access, 1, &w)) {
	case GPT_OK:
		break;
	case GPT_FAULT:
		if (pt_write.npages)
			finish_pt_write(v);	/* the stepped instruction faults: its step is over */
		counters.delivered_faults++;
		v->virt_cr2 = la;
		stats_trap(&v->regs, 0, "reflect");
		reflect_to_guest(v, VEC_PF, w.error_code, v->regs.eip, 0);
		return;
	case GPT_OUTSIDE:
	default:
		stats_trap(&v->regs, 0, "stop");
		hv_exit_stopped("forbidden: the guest's page tables map 0x%08x to guest-physical 0x%08x, outside its %u MiB (eip 0x%08x)",
				la, w.gpa, v->mem_bytes >> 20, v->regs.eip);
	}

	uint32_t spte = spte_from_gpte(&w, host_base, v->ring, mode, access);
	if (!spte)
		hv_exit_stopped("unemulated: a guest-kernel write to read-only user page 0x%08x with CR0.WP=0",
				la);
	/*
	 * The guest page the shadow table mirrors, and so tracks: its page table
	 * (a 4 MiB page comes straight from its directory).
	 */
	uint32_t source = w.large ? (v->virt_cr3 & PAGE_MASK) : (w.gpde & PAGE_MASK);
	uint32_t *pt = shadow_cache_table(&cache, mode, la, source);
	if (!pt)
		hv_panic("no shadow table for 0x%08x", la);

	if (shadow_cache_is_tracked(&cache, w.gpa)) {
		if (access & PF_ERR_W) {
			/* The guest writes one of its page tables: let this one instruction through. */
			if (pt_write.npages == PT_WRITE_MAX_PAGES)
				hv_exit_stopped("unemulated: one instruction at 0x%08x writes more than %u page-table pages",
						v->regs.eip, PT_WRITE_MAX_PAGES);
			if (!pt_write.npages) {
				pt_write.eip = v->regs.eip;
				pt_write.cs = v->regs.cs;
				pt_write.guest_tf = (v->regs.eflags & EFLAGS_TF) != 0;
			}
			pt[PTX(la)] = spte | PTE_W;
			pt_write.page[pt_write.npages].spte = &pt[PTX(la)];
			pt_write.page[pt_write.npages].gpa = w.gpa;
			pt_write.npages++;
			v->regs.eflags |= EFLAGS_TF;
			v->sti_shadow = 1;	/* no virtual interrupt before the write is done */
			counters.pt_write_traps++;
			stats_trap(&v->regs, 0, "emulate");
			return;
		}
		spte &= ~PTE_W;
	}
	if (spte & PTE_W)
		shadow_cache_note_writable(&cache, w.gpa);
	pt[PTX(la)] = spte;
	counters.hidden_faults++;
	stats_trap(&v->regs, 0, "hidden");
}

void shadow_report(void)
{
	const struct shadow_cache_counters *c = &cache.counters;

	if (!c->contexts_built)
		return;	/* the guest never turned paging on */
	console_event("stat what=\"shadow: hidden faults\" count=%u", counters.hidden_faults);
	console_event("stat what=\"shadow: faults delivered to the guest\" count=%u",
		      counters.delivered_faults);
	console_event("stat what=\"shadow: page-table write traps\" count=%u",
		      counters.pt_write_traps);
	console_event("stat what=\"shadow: tables built\" count=%u", c->tables_built);
	console_event("stat what=\"shadow: tables dropped\" count=%u", c->tables_dropped);
	console_event("stat what=\"shadow: address spaces built\" count=%u", c->contexts_built);
	console_event("stat what=\"shadow: address spaces reused\" count=%u",
		      c->contexts_reused);
	console_event("stat what=\"shadow: full flushes\" count=%u", c->flushes);
}
