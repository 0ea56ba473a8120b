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
#include "shadow_pt/spte.h"

#define SHADOW_CONTEXTS		8
#define SHADOW_POOL_PAGES	1024	/* 4 MiB of shadow page tables */
#define GUEST_PAGES_MAX		((GUEST_MEM_MAX_MIB << 20) / PAGE_SIZE)
#define NO_CONTEXT		0xFF

struct shadow_context {
	int valid;
	uint32_t gcr3;		/* the guest page directory it mirrors (gpa) */
	uint32_t last_used;
};

/* What each page of the pool holds: which shadow, which slot, built from which guest page. */
struct shadow_table_meta {
	uint8_t context;	/* NO_CONTEXT: free */
	uint8_t mode;		/* 0 kernel, 1 user */
	uint16_t pdx;
	uint32_t source_gpa;	/* the guest page table (or directory, for a 4 MiB page) */
};

static uint32_t context_pd[SHADOW_CONTEXTS][2][1024] __attribute__((aligned(4096)));
static struct shadow_context contexts[SHADOW_CONTEXTS];
static unsigned current;	/* index into contexts */
static uint32_t use_clock;

static uint32_t pool[SHADOW_POOL_PAGES][1024] __attribute__((aligned(4096)));
static struct shadow_table_meta meta[SHADOW_POOL_PAGES];

static uint8_t tracked[GUEST_PAGES_MAX / 8];		/* pages the shadows were built from */
static uint8_t mapped_writable[GUEST_PAGES_MAX / 8];	/* pages some shadow maps writable */

/* A guest write to a tracked page, running one instruction under TF. */
static struct {
	int active;
	uint32_t *spte;		/* the entry made writable for it */
	uint32_t gpa;		/* the page it writes */
	int guest_tf;		/* the guest had TF set itself */
} pt_write;

static uint32_t host_base;
static struct guest_phys guest_phys;

static struct {
	uint32_t hidden_faults, delivered_faults, tables_built, flushes, contexts_built,
		contexts_reused, pt_write_traps, tables_dropped;
} counters;

static int bit_get(const uint8_t *map, uint32_t gpn) { return (map[gpn / 8] >> (gpn % 8)) & 1; }
static void bit_set(uint8_t *map, uint32_t gpn) { map[gpn / 8] |= (uint8_t)(1u << (gpn % 8)); }

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

const struct guest_phys *shadow_guest_phys(void)
{
	return &guest_phys;
}

int shadow_paging_on(const struct vcpu *v)
{
	return (v->virt_cr0 & CR0_PG) != 0;
}

uint32_t shadow_cr3(const struct vcpu *v)
{
	return (uint32_t)context_pd[current][v->user_mode ? 1 : 0];
}

static void clear_directory(uint32_t *pd)
{
	memset(pd, 0, PAGE_SIZE);
	pd[PDX(SWITCHER_BASE)] = switcher_pde_for_guest();
}

static void free_table(unsigned i)
{
	const struct shadow_table_meta *m = &meta[i];
	context_pd[m->context][m->mode][m->pdx] = 0;
	meta[i].context = NO_CONTEXT;
	counters.tables_dropped++;
}

static void empty_context(unsigned c)
{
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		if (meta[i].context == c)
			meta[i].context = NO_CONTEXT;
	clear_directory(context_pd[c][0]);
	clear_directory(context_pd[c][1]);
}

/* Everything goes; cached contexts stay, empty, with their directories tracked. */
static void flush_everything(void)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		empty_context(c);
	memset(tracked, 0, sizeof tracked);
	memset(mapped_writable, 0, sizeof mapped_writable);
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		if (contexts[c].valid && contexts[c].gcr3 < guest_phys.mem_bytes)
			bit_set(tracked, contexts[c].gcr3 / PAGE_SIZE);
	counters.flushes++;
}

void shadow_flush_all(struct vcpu *v)
{
	flush_everything();
}

/* From now on no shadow may map this guest page writable. */
static void track(uint32_t gpa)
{
	uint32_t gpn = gpa / PAGE_SIZE;
	if (gpa >= guest_phys.mem_bytes || bit_get(tracked, gpn))
		return;
	if (bit_get(mapped_writable, gpn))
		flush_everything();	/* cheaper than finding every writable entry */
	bit_set(tracked, gpn);
}

void shadow_init(struct vcpu *v, uint32_t base)
{
	host_base = base;
	guest_phys.ctx = v;
	guest_phys.read32 = phys_read32;
	guest_phys.write32 = phys_write32;
	guest_phys.mem_bytes = v->mem_bytes;
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		meta[i].context = NO_CONTEXT;
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		empty_context(c);
}

void shadow_switch_cr3(struct vcpu *v)
{
	uint32_t gcr3 = v->virt_cr3 & PAGE_MASK;
	unsigned victim = 0;

	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		if (contexts[c].valid && contexts[c].gcr3 == gcr3) {
			current = c;
			contexts[c].last_used = ++use_clock;
			counters.contexts_reused++;
			return;
		}
		if (!contexts[c].valid || contexts[c].last_used < contexts[victim].last_used ||
		    (contexts[victim].valid && !contexts[c].valid))
			victim = c;
	}
	empty_context(victim);
	contexts[victim].valid = 1;
	contexts[victim].gcr3 = gcr3;
	contexts[victim].last_used = ++use_clock;
	current = victim;
	counters.contexts_built++;
	track(gcr3);
}

/* The shadow page table for la, made (from guest page source_gpa) if missing. */
static uint32_t *shadow_table(unsigned mode, uint32_t la, uint32_t source_gpa)
{
	uint32_t *pd = context_pd[current][mode];
	if (pd[PDX(la)] & PTE_P)
		return (uint32_t *)(pd[PDX(la)] & PAGE_MASK);
	unsigned i = 0;
	while (i < SHADOW_POOL_PAGES && meta[i].context != NO_CONTEXT)
		i++;
	if (i == SHADOW_POOL_PAGES) {
		flush_everything();
		i = 0;
	}
	meta[i] = (struct shadow_table_meta){ (uint8_t)current, (uint8_t)mode,
					      (uint16_t)PDX(la), source_gpa };
	memset(pool[i], 0, PAGE_SIZE);
	/* The directory entry allows everything; the table's entries say what is allowed. */
	pd[PDX(la)] = (uint32_t)pool[i] | PTE_P | PTE_W | PTE_U;
	counters.tables_built++;
	return pool[i];
}

void shadow_invlpg(struct vcpu *v, uint32_t la)
{
	/*
	 * Nothing to do: writes to the guest's page tables are tracked, so no
	 * shadow entry is ever stale. (The bare machine may keep a stale TLB
	 * entry until INVLPG; forgetting it earlier is always allowed.)
	 */
	(void)v;
	(void)la;
}

/* A guest page the shadows were built from has changed: drop what came from it. */
static void source_changed(uint32_t gpa)
{
	uint32_t page = gpa & PAGE_MASK;
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		if (contexts[c].valid && contexts[c].gcr3 == page)
			empty_context(c);
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		if (meta[i].context != NO_CONTEXT && meta[i].source_gpa == page)
			free_table(i);
}

void shadow_guest_wrote(uint32_t gpa, uint32_t len)
{
	for (uint32_t p = gpa & PAGE_MASK; p < gpa + len && p < guest_phys.mem_bytes; p += PAGE_SIZE)
		if (bit_get(tracked, p / PAGE_SIZE))
			source_changed(p);
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

/* The single-stepped write is done (or faulted): protect the page again, drop what it changed. */
static void finish_pt_write(struct vcpu *v)
{
	*pt_write.spte &= ~PTE_W;
	if (!pt_write.guest_tf)
		v->regs.eflags &= ~EFLAGS_TF;
	pt_write.active = 0;
	source_changed(pt_write.gpa);
}

int shadow_single_step(struct vcpu *v, unsigned vector)
{
	if (!pt_write.active)
		return 0;
	finish_pt_write(v);
	/* Our own single step ends here; the guest's, if it had one, goes on to its handler. */
	return vector == VEC_DB && !pt_write.guest_tf;
}

void shadow_page_fault(struct vcpu *v, uint32_t la, uint32_t real_error)
{
	unsigned mode = v->user_mode ? 1 : 0;
	uint32_t guest_error = pf_error_for_guest(real_error, mode ? 3 : 0);
	unsigned access = guest_error & (PF_ERR_W | PF_ERR_U);
	struct gpt_walk w;

	switch (gpt_walk(&guest_phys, v->virt_cr3, v->virt_cr0, v->virt_cr4, la, access, 1, &w)) {
	case GPT_OK:
		break;
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

	uint32_t spte = spte_from_gpte(&w, host_base, v->ring, mode, access);
	if (!spte)
		hv_exit_stopped("unemulated: a guest-kernel write to read-only user page 0x%08x with CR0.WP=0",
				la);
	/* The guest's page table (a 4 MiB page comes straight from its directory). */
	uint32_t source = w.large ? (v->virt_cr3 & PAGE_MASK) : (w.gpde & PAGE_MASK);
	track(source);
	uint32_t *pt = shadow_table(mode, la, source);
	uint32_t gpn = w.gpa / PAGE_SIZE;

	if (bit_get(tracked, gpn)) {
		if (access & PF_ERR_W) {
			/* The guest writes one of its page tables: let this one instruction through. */
			pt[PTX(la)] = spte | PTE_W;
			pt_write.active = 1;
			pt_write.spte = &pt[PTX(la)];
			pt_write.gpa = w.gpa;
			pt_write.guest_tf = (v->regs.eflags & EFLAGS_TF) != 0;
			v->regs.eflags |= EFLAGS_TF;
			v->sti_shadow = 1;	/* no virtual interrupt before the write is done */
			counters.pt_write_traps++;
			stats_trap(&v->regs, 0, "emulate");
			return;
		}
		spte &= ~PTE_W;
	}
	if (spte & PTE_W)
		bit_set(mapped_writable, gpn);
	pt[PTX(la)] = spte;
	counters.hidden_faults++;
	stats_trap(&v->regs, 0, "hidden");
}

void shadow_report(void)
{
	if (!counters.contexts_built)
		return;	/* the guest never turned paging on */
	console_event("stat what=\"shadow: hidden faults\" count=%u", counters.hidden_faults);
	console_event("stat what=\"shadow: faults delivered to the guest\" count=%u",
		      counters.delivered_faults);
	console_event("stat what=\"shadow: page-table write traps\" count=%u",
		      counters.pt_write_traps);
	console_event("stat what=\"shadow: tables built\" count=%u", counters.tables_built);
	console_event("stat what=\"shadow: tables dropped\" count=%u", counters.tables_dropped);
	console_event("stat what=\"shadow: address spaces built\" count=%u", counters.contexts_built);
	console_event("stat what=\"shadow: address spaces reused\" count=%u",
		      counters.contexts_reused);
	console_event("stat what=\"shadow: full flushes\" count=%u", counters.flushes);
}
