/*
 * shadow_pt/shadow_mmu.c: shadow page tables, the verdict on each fault.
 * Runs in: hypervisor, ring 0, on the guest's page faults, its writes to
 * CR0, CR3 and CR4, and its writes to its own page tables (called by
 * hv/shadow.c, which acts on the verdicts); on the host in unit tests.
 *
 * 1. A shadow context per guest address space (per guest CR3), each with a
 *    kernel-mode and a user-mode shadow page directory (hv/guest_mode.c
 *    picks one). Up to SHADOW_CONTEXTS are kept, so switching back to an
 *    address space finds its shadows already filled.
 * 2. Shadows fill on demand: a real #PF is walked through the guest's tables
 *    (gpt_walk). If they map the page, the shadow entry is made and the fault
 *    stays hidden; if not, the verdict is the guest's own #PF with its CR2
 *    and the error code the bare machine gives; if they name memory the
 *    guest does not have, the verdict says where (hv/ stops the guest).
 * 3. Kept shadows must stay true to the guest's tables, so every guest page
 *    that a shadow was built from (the page directory, the page tables) is
 *    *tracked*: mapped read-only in every shadow. A guest write to one
 *    faults; the hypervisor lets that one instruction run with the page
 *    writable (single-stepping it with TF), then drops every shadow table
 *    built from that page. So a guest that edits an entry sees what the
 *    bare machine shows, with or without INVLPG.
 * 4. When a page becomes tracked while some shadow still maps it writable,
 *    those entries are made read-only (the reverse map of shadow_cache.c
 *    finds them). When the pool of shadow tables runs dry, or the guest
 *    changes CR0.PG/WP or CR4.PSE/PGE, every shadow is emptied and refilled
 *    on demand (a TLB may forget anything at any time).
 * The bookkeeping of 1, 3 and 4 (contexts, the pool, tracking, dropping) is
 * the pure logic of shadow_cache.c; this file is the #PF handler's
 * decision, the single step's bookkeeping and the counters, with no
 * hardware and nothing of hv/: hv/shadow.c delivers the faults, sets TF,
 * stops the guest and prints the counters.
 * The design and its alternatives are in shadow_pt/README.md.
 */
#include "shadow_pt/shadow_mmu.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"
#include "shadow_pt/spte.h"

static int phys_read32(void *ctx, uint32_t gpa, uint32_t *value)
{
	struct shadow_mmu *m = ctx;
	if (gpa > m->mem_bytes - 4 || (gpa & 3))
		return -1;
	memcpy(value, m->mem + gpa, 4);
	return 0;
}

static int phys_write32(void *ctx, uint32_t gpa, uint32_t value)
{
	struct shadow_mmu *m = ctx;
	if (gpa > m->mem_bytes - 4 || (gpa & 3))
		return -1;
	memcpy(m->mem + gpa, &value, 4);
	return 0;
}

void shadow_mmu_init(struct shadow_mmu *m, uint8_t *mem, uint32_t mem_bytes,
		     uint32_t host_base, uint32_t phys_base, unsigned switcher_pdx,
		     uint32_t switcher_pde)
{
	m->mem = mem;
	m->mem_bytes = mem_bytes;
	m->host_base = host_base;
	m->switcher_pdx = switcher_pdx;
	m->phys.ctx = m;
	m->phys.read32 = phys_read32;
	m->phys.write32 = phys_write32;
	m->phys.mem_bytes = mem_bytes;
	m->device_gpa = m->device_hpa = 0;
	m->watching = 0;
	m->watch_gpa = m->watch_writes = 0;
	memset(&m->step, 0, sizeof m->step);
	memset(&m->counters, 0, sizeof m->counters);
	/* The cache is the first member: its physical address is the struct's. */
	shadow_cache_init(&m->cache, phys_base, host_base, mem_bytes, switcher_pdx, switcher_pde);
}

void shadow_mmu_map_device_page(struct shadow_mmu *m, uint32_t gpa, uint32_t hpa)
{
	m->device_gpa = gpa & PAGE_MASK;
	m->device_hpa = hpa & PAGE_MASK;
	/* Entries made before for another page, or none, must go. */
	shadow_cache_flush(&m->cache);
}

void shadow_mmu_watch_page(struct shadow_mmu *m, int on, uint32_t gpa)
{
	m->watching = on;
	m->watch_gpa = gpa & PAGE_MASK;
	/* From now on its fills are read-only; the entries made before go read-only too. */
	if (on)
		shadow_cache_write_protect(&m->cache, m->watch_gpa);
}

uint32_t shadow_mmu_cr3(const struct shadow_mmu *m, int user_mode)
{
	return shadow_cache_cr3(&m->cache, user_mode ? SHADOW_USER : SHADOW_KERNEL);
}

void shadow_mmu_flush_all(struct shadow_mmu *m)
{
	shadow_cache_flush(&m->cache);
}

void shadow_mmu_switch_cr3(struct shadow_mmu *m, uint32_t gcr3)
{
	shadow_cache_switch(&m->cache, gcr3 & PAGE_MASK);
}

void shadow_mmu_guest_wrote(struct shadow_mmu *m, uint32_t gpa, uint32_t len)
{
	shadow_cache_guest_wrote(&m->cache, gpa, len);
}

enum shadow_translation shadow_mmu_translate(struct shadow_mmu *m, uint32_t gcr0, uint32_t gcr3,
					     uint32_t gcr4, int user_mode, uint32_t la, int write,
					     int system, uint32_t *gpa, uint32_t *pf_error)
{
	struct gpt_walk w;
	unsigned access = (write ? PF_ERR_W : 0) | (user_mode && !system ? PF_ERR_U : 0);
	switch (gpt_walk(&m->phys, gcr3, gcr0, gcr4, la, access, 1, &w)) {
	case GPT_OK:
		*gpa = w.gpa;
		return SHADOW_TRANSLATED;
	case GPT_FAULT:
		*pf_error = w.error_code;
		return SHADOW_TRANSLATION_FAULT;
	default:
		return SHADOW_TRANSLATION_OUTSIDE;
	}
}

/*
 * The single-stepped write is done (or faulted): protect its pages again and
 * drop what they changed. An unaligned store can straddle two page-table
 * pages, so one instruction may hold a few pages writable at once.
 */
static void finish_step(struct shadow_mmu *m, uint32_t *eflags)
{
	for (unsigned i = 0; i < m->step.npages; i++) {
		uint32_t page = m->step.page[i].gpa & PAGE_MASK;
		*m->step.page[i].spte &= ~PTE_W;
		/* The running directory: only what the write changed is dropped. */
		if (page == shadow_cache_current_gcr3(&m->cache) && page < m->mem_bytes)
			shadow_cache_directory_changed(&m->cache, (const uint32_t *)(m->mem + page));
		else
			shadow_cache_source_changed(&m->cache, page);
	}
	if (!m->step.guest_tf)
		*eflags &= ~EFLAGS_TF;
	m->step.npages = 0;
}

int shadow_mmu_step_end(struct shadow_mmu *m, unsigned vector, uint32_t eip, uint32_t cs,
			uint32_t *eflags)
{
	if (!m->step.npages)
		return 0;
	/* The same instruction faulting on its next page: the step goes on. */
	if (vector == VEC_PF && eip == m->step.eip && cs == m->step.cs)
		return 0;
	finish_step(m, eflags);
	/* Our own single step ends here; the guest's, if it had one, goes on to its handler. */
	return vector == VEC_DB && !m->step.guest_tf;
}

/*
 * A read of the device page: map the hypervisor's read-only copy there,
 * setting the leaf's A as the CPU does for any access it completes.
 */
static struct shadow_verdict fill_device_page(struct shadow_mmu *m, const struct shadow_cpu *cpu,
					      unsigned mode, uint32_t la, struct gpt_walk *w,
					      unsigned access, struct shadow_verdict verdict)
{
	uint32_t spte = spte_device_page(w, m->device_hpa, cpu->ring, mode == SHADOW_USER, access);
	uint32_t source = w->large ? (cpu->cr3 & PAGE_MASK) : (w->gpde & PAGE_MASK);
	uint32_t *leaf = w->large ? &w->gpde : &w->gpte;
	uint32_t leaf_gpa = w->large ? w->gpde_gpa : w->gpte_gpa;
	uint32_t *pt;

	if (!spte) {
		verdict.outcome = SHADOW_NO_ENTRY;
		return verdict;
	}
	if (!(*leaf & PTE_A) && m->phys.write32(m->phys.ctx, leaf_gpa, *leaf | PTE_A) < 0) {
		verdict.outcome = SHADOW_OUTSIDE;
		verdict.gpa = leaf_gpa;
		return verdict;
	}
	pt = shadow_cache_table(&m->cache, mode, la, source, w->gpde);
	if (!pt) {
		verdict.outcome = SHADOW_NO_TABLE;
		return verdict;
	}
	pt[PTX(la)] = spte;
	m->counters.hidden_faults++;
	m->counters.device_fills++;
	return verdict;
}

/*
 * A shadow table was just built for la: fill, besides la's entry, every
 * entry the guest's table already allows and has used, as a TLB may hold
 * any translation whose accessed bit is set. A 4 MiB page fills all its
 * pieces in guest memory (its one A bit the walk has just set); a page
 * table, each present entry with A set; all of them read-only.
 * Nothing is written to the guest's tables, so its A and D bits stay what
 * a bare machine would show; an entry with A clear still faults once, and
 * that fault sets it. One fault instead of one per page when an address
 * space comes back after its shadow was dropped or evicted.
 */
static void prefill(struct shadow_mmu *m, const struct shadow_cpu *cpu, uint32_t *pt,
		    const struct gpt_walk *w, uint32_t la, unsigned mode)
{
	uint32_t large_base = w->gpa - (la & (LARGE_PAGE_SIZE - 1));
	uint32_t table_gpa = w->gpde & PAGE_MASK;
	const uint8_t *gpt = 0;
	struct gpt_walk e = *w;

	if (!w->large) {
		/* The walk read la's entry from this table: it lies in guest memory. */
		if (table_gpa >= m->mem_bytes || m->mem_bytes - table_gpa < PAGE_SIZE)
			return;
		gpt = m->mem + table_gpa;
	}
	for (unsigned j = 0; j < 1024; j++) {
		if (pt[j])
			continue;
		if (w->large) {
			e.gpa = large_base + j * PAGE_SIZE;
		} else {
			uint32_t gpte;
			__builtin_memcpy(&gpte, gpt + 4 * j, 4);
			if ((gpte & (PTE_P | PTE_A)) != (PTE_P | PTE_A))
				continue;
			e.gpte = gpte;
			e.gpa = gpte & PAGE_MASK;
			e.writable = !!(w->gpde & gpte & PTE_W);
			e.user = !!(w->gpde & gpte & PTE_U);
			e.supervisor_writable = e.writable || !(cpu->cr0 & CR0_WP);
			e.dirty = !!(gpte & PTE_D);
		}
		if (e.gpa >= m->mem_bytes || m->mem_bytes - e.gpa < PAGE_SIZE)
			continue;	/* outside guest memory: a device's, faulted and emulated */
		uint32_t spte = spte_from_gpte(&e, m->host_base, cpu->ring, mode, 0);
		/*
		 * Read-only: a first write faults and makes the one entry
		 * writable. Prefilled writable entries would mark their pages
		 * mapped writable, and a guest table built later from one of
		 * them would empty every shadow, whose rebuilding prefilled
		 * them again: two such tables took turns for ever.
		 */
		if (spte)
			pt[j] = spte & ~PTE_W;
	}
}

struct shadow_verdict shadow_mmu_fault(struct shadow_mmu *m, struct shadow_cpu *cpu,
				       uint32_t la, uint32_t real_error)
{
	unsigned mode = cpu->user_mode && !cpu->shared ? SHADOW_USER : SHADOW_KERNEL;
	uint32_t guest_error = cpu->shared ? real_error
					   : pf_error_for_guest(real_error, mode == SHADOW_USER ? 3 : 0);
	unsigned access = guest_error & (PF_ERR_W | PF_ERR_U);
	struct shadow_verdict verdict = { .outcome = SHADOW_FILLED, .la = la };
	struct gpt_walk w;

	/*
	 * The switcher's slot is the hypervisor's, whatever the guest's tables
	 * say; where they map nothing, the guest gets the #PF a bare CPU gives
	 * (a walk that touches no accessed or dirty bit decides).
	 */
	if (PDX(la) == m->switcher_pdx) {
		if (gpt_walk(&m->phys, cpu->cr3, cpu->cr0, cpu->cr4, la, access, 0, &w) == GPT_FAULT) {
			m->counters.delivered_faults++;
			verdict.outcome = SHADOW_GUEST_FAULT;
			verdict.error = w.error_code;
			return verdict;
		}
		verdict.outcome = SHADOW_SWITCHER;
		return verdict;
	}
	switch (gpt_walk(&m->phys, cpu->cr3, cpu->cr0, cpu->cr4, la, access, 1, &w)) {
	case GPT_OK:
		break;
	case GPT_FAULT:
		if (m->step.npages)
			finish_step(m, &cpu->eflags);	/* the stepped instruction faults: its step is over */
		m->counters.delivered_faults++;
		verdict.outcome = SHADOW_GUEST_FAULT;
		verdict.error = w.error_code;
		return verdict;
	case GPT_OUTSIDE:
	default:
		if (m->device_gpa && w.page_outside && (w.gpa & PAGE_MASK) == m->device_gpa &&
		    !(access & PF_ERR_W))
			return fill_device_page(m, cpu, mode, la, &w, access, verdict);
		verdict.outcome = SHADOW_OUTSIDE;
		verdict.gpa = w.gpa;
		return verdict;
	}

	uint32_t spte = spte_from_gpte(&w, m->host_base, cpu->ring, mode, access);
	if (!spte) {
		verdict.outcome = SHADOW_NO_ENTRY;
		return verdict;
	}
	/*
	 * The guest page the shadow table mirrors, and so tracks: its page table
	 * (a 4 MiB page comes straight from its directory).
	 */
	uint32_t source = w.large ? (cpu->cr3 & PAGE_MASK) : (w.gpde & PAGE_MASK);
	uint32_t built = m->cache.counters.tables_built;
	uint32_t *pt = shadow_cache_table(&m->cache, mode, la, source, w.gpde);
	if (!pt) {
		/* Only the switcher's slot has no table, and it was refused above. */
		verdict.outcome = SHADOW_NO_TABLE;
		return verdict;
	}

	int watched = m->watching && (w.gpa & PAGE_MASK) == m->watch_gpa;
	if (watched || shadow_cache_is_tracked(&m->cache, w.gpa)) {
		if (access & PF_ERR_W) {
			/* The guest writes one of its page tables: let this one instruction through. */
			if (m->step.npages == SHADOW_STEP_MAX_PAGES) {
				verdict.outcome = SHADOW_STEP_TOO_WIDE;
				return verdict;
			}
			if (!m->step.npages) {
				m->step.eip = cpu->eip;
				m->step.cs = cpu->cs;
				m->step.guest_tf = (cpu->eflags & EFLAGS_TF) != 0;
			}
			pt[PTX(la)] = spte | PTE_W;
			m->step.page[m->step.npages].spte = &pt[PTX(la)];
			m->step.page[m->step.npages].gpa = w.gpa;
			m->step.npages++;
			cpu->eflags |= EFLAGS_TF;
			if (watched)
				m->watch_writes++;
			else
				m->counters.pt_write_traps++;
			verdict.outcome = SHADOW_STEP;
			return verdict;
		}
		spte &= ~PTE_W;
	}
	if (spte & PTE_W)
		shadow_cache_note_writable(&m->cache, w.gpa, la);
	pt[PTX(la)] = spte;
	m->counters.hidden_faults++;
	if (m->cache.counters.tables_built != built)
		prefill(m, cpu, pt, &w, la, mode);
	return verdict;
}
