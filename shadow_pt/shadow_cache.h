/*
 * shadow_pt/shadow_cache.h: the bookkeeping behind kept shadow page tables
 * (shadow_pt/README.md, section 3): a shadow context per guest address space,
 * the pool of shadow page tables, and the guest pages the shadows were built
 * from, which no shadow may map writable.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * 1. Contexts: up to SHADOW_CONTEXTS guest CR3s keep their kernel and user
 *    shadow directories; switching to a known CR3 reuses its context, a new
 *    one takes a free context or the least recently used.
 * 2. The pool: shadow page tables are taken from a fixed pool; each knows the
 *    context, mode and directory slot it fills and the guest page it mirrors.
 *    When the pool runs dry, every shadow is emptied.
 * 3. Tracking: every guest page a shadow was built from (each context's page
 *    directory, each mirrored page table) is tracked, and no shadow entry
 *    may map a tracked page writable. A reverse map remembers, per guest
 *    page, the guest-linear pages at which shadow entries were made that
 *    map it writable (SHADOW_RMAP_WAYS of them); a page that becomes tracked
 *    has those entries made read-only, in every context and mode. A page
 *    mapped writable at more linear pages than that has the whole pool
 *    searched instead.
 * 4. Invalidation: when a tracked page changes, every shadow table built from
 *    it is dropped; the current context, if it is its directory, is emptied
 *    (and stays tracked), any other context whose directory it is is
 *    forgotten (and the page untracked). Told what the running directory
 *    holds now, only the tables built under entries that changed go.
 *
 * The real CPU reads these tables, so a directory entry holds a table's
 * host-physical address. This file computes it as phys_base plus the
 * table's offset in struct shadow_cache: the hypervisor passes the address
 * of its instance (it runs identity-mapped), the unit tests any base.
 */
#ifndef TV_SHADOW_PT_SHADOW_CACHE_H
#define TV_SHADOW_PT_SHADOW_CACHE_H

#include <stdint.h>

#include "lib/mmu.h"

/*
 * A kernel such as xv6 gives every process an address space of its own and
 * runs several at once: 32 kept contexts let the usual few dozen switch
 * without rebuilding.
 */
#define SHADOW_CONTEXTS		32
#ifndef SHADOW_POOL_PAGES	/* the host fuzz target makes it small, to run it dry often */
#define SHADOW_POOL_PAGES	1024	/* 4 MiB of shadow page tables */
#endif
#define SHADOW_GUEST_PAGES_MAX	((1024u << 20) / PAGE_SIZE)	/* guest memory up to 1 GiB */
#define SHADOW_NO_CONTEXT	0xFF
/*
 * Linear pages remembered per guest page for its writable shadow entries.
 * Two cover what a kernel does with a page: its own map of all memory
 * (xv6's KERNBASE + pa, the same linear page in every address space) and
 * one user mapping. 8 bytes per guest page: 2 MiB for 1 GiB.
 */
#define SHADOW_RMAP_WAYS	2

/* Which shadow of a context: the guest kernel's, or its user code's (README, 4.). */
#define SHADOW_KERNEL		0
#define SHADOW_USER		1

struct shadow_context {
	int valid;
	uint32_t gcr3;		/* the guest page directory it mirrors (gpa) */
	uint32_t last_used;	/* use_clock at the last switch to it */
};

/* What each page of the pool holds: which shadow, which slot, built from which guest page. */
struct shadow_table_meta {
	uint8_t context;	/* SHADOW_NO_CONTEXT: free */
	uint8_t mode;		/* SHADOW_KERNEL or SHADOW_USER */
	uint16_t pdx;
	uint32_t source_gpa;	/* the guest page table (or directory, for a 4 MiB page) */
	uint32_t gpde;		/* the guest's directory entry it was built under */
};

struct shadow_cache_counters {
	uint32_t tables_built, tables_dropped, flushes, contexts_built, contexts_reused;
	uint32_t pages_tracked;		/* a guest page began to be tracked */
	uint32_t sptes_write_protected;	/* writable entries the reverse map made read-only */
	uint32_t rmap_pool_scans;	/* a page with more writable linear pages than the map holds */
	uint32_t pool_dry_flushes;	/* among flushes: the pool had no free table */
};

struct shadow_cache {
	/* What the real CPU walks; page-aligned within the struct. */
	uint32_t dir[SHADOW_CONTEXTS][2][1024] __attribute__((aligned(4096)));
	uint32_t pool[SHADOW_POOL_PAGES][1024] __attribute__((aligned(4096)));

	struct shadow_context contexts[SHADOW_CONTEXTS];
	struct shadow_table_meta meta[SHADOW_POOL_PAGES];
	unsigned current;	/* index into contexts */
	uint32_t use_clock;

	uint8_t tracked[SHADOW_GUEST_PAGES_MAX / 8];		/* pages the shadows were built from */
	/*
	 * The reverse map, from a guest page to the shadow entries that may map
	 * it writable: per guest page number, up to SHADOW_RMAP_WAYS linear
	 * pages (la | 1; 0: none) at which such an entry was made, in whichever
	 * context and mode. A remembered linear page may no longer hold such an
	 * entry (dropped, refilled): each use checks the entry itself. A page
	 * whose ways were all live when another was needed is marked in
	 * rmap_overflow until the next flush.
	 */
	uint32_t writable_la[SHADOW_GUEST_PAGES_MAX][SHADOW_RMAP_WAYS];
	uint8_t rmap_overflow[SHADOW_GUEST_PAGES_MAX / 8];

	uint32_t phys_base;	/* host-physical address of this struct */
	uint32_t host_base;	/* host-physical address of guest-physical 0: what an spte holds */
	uint32_t mem_bytes;	/* guest-physical memory is 0..mem_bytes */
	unsigned switcher_pdx;	/* the one directory slot every shadow has filled */
	uint32_t switcher_pde;
	struct shadow_cache_counters counters;
};

/*
 * Start empty: no context, every pool table free. The switcher's PDE goes
 * into slot switcher_pdx of every directory. mem_bytes must not exceed
 * SHADOW_GUEST_PAGES_MAX pages; a shadow entry for guest page gpa names
 * host-physical host_base + gpa.
 */
void shadow_cache_init(struct shadow_cache *sc, uint32_t phys_base, uint32_t host_base,
		       uint32_t mem_bytes, unsigned switcher_pdx, uint32_t switcher_pde);

/* The host-physical address of the current context's directory for mode: a real CR3. */
uint32_t shadow_cache_cr3(const struct shadow_cache *sc, unsigned mode);

/* The guest loaded gcr3: switch to its context, building one if it is new. */
void shadow_cache_switch(struct shadow_cache *sc, uint32_t gcr3);

/* Empty every shadow; contexts stay, empty, with their directories tracked. */
void shadow_cache_flush(struct shadow_cache *sc);

/*
 * From now on no shadow may map guest page gpa writable (pages outside
 * guest memory are ignored): the entries the reverse map knows are made
 * read-only, everything else stays.
 */
void shadow_cache_track(struct shadow_cache *sc, uint32_t gpa);

/*
 * Every shadow entry that maps guest page gpa writable, in every context and
 * mode, made read-only (through the reverse map). Returns how many.
 */
unsigned shadow_cache_write_protect(struct shadow_cache *sc, uint32_t gpa);

/* Is the guest page holding gpa tracked? */
int shadow_cache_is_tracked(const struct shadow_cache *sc, uint32_t gpa);

/*
 * The current context's entry for linear address la now maps guest page gpa
 * writable: the reverse map remembers la, so that tracking gpa later finds it.
 */
void shadow_cache_note_writable(struct shadow_cache *sc, uint32_t gpa, uint32_t la);

/*
 * The current context's shadow page table for la in mode, taken from the
 * pool (zeroed, built from guest page source_gpa under the guest's directory
 * entry gpde) if the directory has none. source_gpa is tracked, also when an
 * empty pool first empties every shadow. NULL for the switcher's slot,
 * which no shadow table may ever take.
 */
uint32_t *shadow_cache_table(struct shadow_cache *sc, unsigned mode, uint32_t la,
			     uint32_t source_gpa, uint32_t gpde);

/* The current context's shadow page table for la in mode, or 0 if it has none (the switcher's slot never has one). */
uint32_t *shadow_cache_find_table(struct shadow_cache *sc, unsigned mode, uint32_t la);

/*
 * The tracked guest page holding gpa changed: drop every shadow built from
 * it; empty the current context if it is its directory, forget any other.
 */
void shadow_cache_source_changed(struct shadow_cache *sc, uint32_t gpa);

/*
 * The current context's directory changed and now holds gpd[0..1023]: only
 * the shadow tables built under an entry that is no longer the same are
 * dropped (with every table of another context built from that page), so a
 * kernel that adds a page table to its running address space keeps the rest
 * of its shadow. The directory stays tracked.
 */
void shadow_cache_directory_changed(struct shadow_cache *sc, const uint32_t *gpd);

/* The guest page directory of the current context (gpa), or 0xFFFFFFFF before any. */
uint32_t shadow_cache_current_gcr3(const struct shadow_cache *sc);

/* Guest memory gpa..gpa+len was written: source_changed for each tracked page in it. */
void shadow_cache_guest_wrote(struct shadow_cache *sc, uint32_t gpa, uint32_t len);

#endif
