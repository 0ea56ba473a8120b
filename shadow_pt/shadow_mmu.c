/*
 * shadow_pt/shadow_mmu.c: shadow page tables in the hypervisor.
 * Runs in: hypervisor, ring 0, on the guest's page faults and its writes to
 * CR0, CR3, CR4 and INVLPG.
 *
 * The design is in shadow_pt/README.md; in short:
 * 1. Two shadow page directories, one for the guest's kernel mode and one
 *    for its user mode (hv/guest_mode.c picks), both empty but for the
 *    switcher until the guest touches a page.
 * 2. A real #PF is walked through the guest's tables (gpt_walk): if they map
 *    the page, the shadow entry is made and the fault stays hidden from the
 *    guest; if they do not, the guest gets its #PF with its CR2 and the error
 *    code the bare machine gives; if they name memory the guest does not
 *    have, the guest is stopped.
 * 3. Coherence follows the TLB's rules: CR3 writes and changes to CR0.PG/WP
 *    or CR4.PSE/PGE empty the shadows; INVLPG drops one shadow page table.
 * Shadow page tables come from a fixed pool; when it runs dry, everything is
 * flushed and refilled on demand, as a TLB may forget anything at any time.
 */
#include "shadow_pt/shadow_mmu.h"
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "shadow_pt/spte.h"

#define SHADOW_POOL_PAGES 1024	/* 4 MiB of shadow page tables */

extern uint32_t switcher_guest_cr3;

static uint32_t shadow_pd[2][1024] __attribute__((aligned(4096)));	/* [user_mode] */
static uint32_t shadow_pool[SHADOW_POOL_PAGES][1024] __attribute__((aligned(4096)));
static unsigned shadow_pool_used;
static uint32_t host_base;
static struct vcpu *the_guest;

static struct {
	uint32_t hidden_faults, delivered_faults, tables_built, flushes, invlpgs;
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

static struct guest_phys guest_phys;

const struct guest_phys *shadow_guest_phys(void)
{
	return &guest_phys;
}

void shadow_init(struct vcpu *v, uint32_t base)
{
	the_guest = v;
	host_base = base;
	guest_phys.ctx = v;
	guest_phys.read32 = phys_read32;
	guest_phys.write32 = phys_write32;
	guest_phys.mem_bytes = v->mem_bytes;
}

int shadow_paging_on(const struct vcpu *v)
{
	return (v->virt_cr0 & CR0_PG) != 0;
}

uint32_t shadow_cr3(const struct vcpu *v)
{
	return (uint32_t)shadow_pd[v->user_mode ? 1 : 0];
}

void shadow_flush_all(struct vcpu *v)
{
	for (int m = 0; m < 2; m++) {
		memset(shadow_pd[m], 0, sizeof shadow_pd[m]);
		shadow_pd[m][PDX(0xFFC00000u)] = switcher_pde_for_guest();
	}
	shadow_pool_used = 0;
	counters.flushes++;
}

void shadow_invlpg(struct vcpu *v, uint32_t la)
{
	/* The table may still be in use by the other mode's directory: both lose it. */
	shadow_pd[0][PDX(la)] = 0;
	shadow_pd[1][PDX(la)] = 0;
	counters.invlpgs++;
}

/* The shadow page table for la in directory pd, made if it does not exist. */
static uint32_t *shadow_table(struct vcpu *v, uint32_t *pd, uint32_t la)
{
	if (pd[PDX(la)] & PTE_P)
		return (uint32_t *)(pd[PDX(la)] & PAGE_MASK);
	if (shadow_pool_used == SHADOW_POOL_PAGES)
		shadow_flush_all(v);
	uint32_t *pt = shadow_pool[shadow_pool_used++];
	memset(pt, 0, PAGE_SIZE);
	/* The directory allows everything; the entries say what is allowed. */
	pd[PDX(la)] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
	counters.tables_built++;
	return pt;
}

int shadow_translate(struct vcpu *v, uint32_t la, int write, uint32_t *gpa)
{
	struct gpt_walk w;
	unsigned access = (write ? PF_ERR_W : 0) | (v->user_mode ? PF_ERR_U : 0);
	if (gpt_walk(&guest_phys, v->virt_cr3, v->virt_cr0, v->virt_cr4, la, access, 1, &w) !=
	    GPT_OK)
		return -1;
	*gpa = w.gpa;
	return 0;
}

void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error)
{
	unsigned vcpl = v->user_mode ? 3 : 0;
	uint32_t guest_error = pf_error_for_guest(real_error, vcpl);
	unsigned access = guest_error & (PF_ERR_W | PF_ERR_U);
	struct gpt_walk w;

	switch (gpt_walk(&guest_phys, v->virt_cr3, v->virt_cr0, v->virt_cr4, la, access, 1, &w)) {
	case GPT_OK: {
		uint32_t spte = spte_from_gpte(&w, host_base, v->ring, v->user_mode, access);
		if (!spte)
			hv_exit_stopped("unemulated: a guest-kernel write to read-only user page 0x%08x with CR0.WP=0",
					la);
		uint32_t *pt = shadow_table(v, shadow_pd[v->user_mode ? 1 : 0], la);
		pt[PTX(la)] = spte;
		counters.hidden_faults++;
		stats_trap(&v->regs, 0, "hidden");
		return;
	}
	case GPT_FAULT:
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
}

void shadow_report(void)
{
	if (!counters.flushes)
		return;	/* the guest never turned paging on */
	console_event("stat what=\"shadow: hidden faults\" count=%u", counters.hidden_faults);
	console_event("stat what=\"shadow: faults delivered to the guest\" count=%u",
		      counters.delivered_faults);
	console_event("stat what=\"shadow: page tables built\" count=%u", counters.tables_built);
	console_event("stat what=\"shadow: flushes\" count=%u", counters.flushes);
	console_event("stat what=\"shadow: invlpg\" count=%u", counters.invlpgs);
}
