/*
 * tests/unit/test_shadow_cache.c: kept shadow contexts, the pool of shadow
 * page tables and the tracking of guest page-table pages
 * (shadow_pt/shadow_cache.c).
 * Runs on: host (Check).
 *
 * Each test is one rule of shadow_pt/README.md, section 3 ("Coherence: kept
 * shadows, tracked page tables"):
 *   - a CR3 write switches to the context kept for that CR3, building one
 *     only if it is new; up to SHADOW_CONTEXTS are kept, the least recently used goes;
 *   - every guest page a shadow was built from is tracked: each context's
 *     page directory, each page table a shadow table mirrors;
 *   - a change to a tracked page drops every shadow table built from it, and
 *     empties the whole context if it was a page directory; a page table is
 *     then no longer tracked (a directory of a kept context stays tracked);
 *   - a page that becomes tracked while some shadow may map it writable has
 *     those entries made read-only, found through the reverse map (or, past
 *     its ways, by searching the pool), and nothing else changes;
 *   - CR0/CR4 empty every shadow (contexts stay, empty);
 *   - an empty pool empties every shadow (a TLB may forget anything).
 * The directories always keep the switcher's PDE (docs/containment.md).
 *
 * The cache sits at host-physical PHYS_BASE, as the hypervisor's sits at its
 * own address; a CR3 or PDE is turned back into a pointer from that base.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shadow_pt/shadow_cache.h"

#define PHYS_BASE	0x00200000u	/* where the real CPU would find the cache */
#define MEM_BYTES	(16u << 20)	/* guest-physical memory 0..16 MiB */
#define HOST_BASE	0x04000000u	/* where the real CPU finds guest-physical 0 */
#define SWITCHER_PDX	1023u
#define SWITCHER_PDE	(0x00345000u | PTE_P | PTE_W)

/* Guest pages: directories of address spaces, page tables, data. */
#define GCR3(n)		(0x00100000u + (n) * PAGE_SIZE)
#define GPT(n)		(0x00200000u + (n) * PAGE_SIZE)
#define GDATA		0x00F00000u

#define KERNEL		SHADOW_KERNEL
#define USER		SHADOW_USER

static struct shadow_cache *sc;

static void setup(void)
{
	sc = aligned_alloc(4096, sizeof *sc);
	ck_assert_ptr_nonnull(sc);
	/* Garbage everywhere: init must leave nothing to chance. */
	memset(sc, 0xA5, sizeof *sc);
	shadow_cache_init(sc, PHYS_BASE, HOST_BASE, MEM_BYTES, SWITCHER_PDX, SWITCHER_PDE);
}

static void teardown(void)
{
	free(sc);
}

/* The cache's memory at a host-physical address the real CPU would use. */
static uint32_t *at_phys(uint32_t hpa)
{
	ck_assert_uint_ge(hpa, PHYS_BASE);
	ck_assert_uint_lt(hpa, PHYS_BASE + sizeof *sc);
	ck_assert_uint_eq(hpa % PAGE_SIZE, 0);
	return (uint32_t *)((char *)sc + (hpa - PHYS_BASE));
}

/* The directory the real CPU runs on now, in kernel or user mode. */
static uint32_t *dir(unsigned mode)
{
	return at_phys(shadow_cache_cr3(sc, mode));
}

/* Nothing but the switcher: what a directory holds before any fill. */
static void assert_empty(const uint32_t *pd, const char *what)
{
	for (unsigned i = 0; i < 1024; i++) {
		uint32_t expected = i == SWITCHER_PDX ? SWITCHER_PDE : 0;
		ck_assert_msg(pd[i] == expected, "%s: slot %u is %08x, expected %08x",
			      what, i, pd[i], expected);
	}
}

/*
 * What the hypervisor's #PF handler does for la when the guest's tables map
 * it through page table `source`: take the shadow table (which tracks the
 * source), install an entry. Returns the table.
 */
static uint32_t *fill(unsigned mode, uint32_t la, uint32_t source, uint32_t spte)
{
	uint32_t *pt = shadow_cache_table(sc, mode, la, source, source | PTE_P | PTE_W);
	pt[PTX(la)] = spte;
	return pt;
}

/* The table the current directory names for la, through its PDE as the CPU reads it. */
static uint32_t *table_of(unsigned mode, uint32_t la)
{
	uint32_t pde = dir(mode)[PDX(la)];
	if (!(pde & PTE_P))
		return NULL;
	return at_phys(pde & PAGE_MASK);
}

/* la in directory slot n */
#define LA(n)		((uint32_t)(n) << 22)

/* ---- the directories and CR3 ---- */

/* Every directory starts empty but for the switcher, before any CR3. */
START_TEST(init_leaves_switcher_only)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		shadow_cache_switch(sc, GCR3(c));
		assert_empty(dir(KERNEL), "kernel");
		assert_empty(dir(USER), "user");
	}
	ck_assert_uint_eq(sc->counters.flushes, 0);
	ck_assert_uint_eq(sc->counters.tables_built, 0);
}
END_TEST

/* A context has two directories, apart, each a page the CPU can load. */
START_TEST(kernel_and_user_directories_differ)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t k = shadow_cache_cr3(sc, KERNEL), u = shadow_cache_cr3(sc, USER);
	ck_assert_uint_ne(k, u);
	ck_assert_uint_eq(k & ~PAGE_MASK, 0);
	ck_assert_uint_eq(u & ~PAGE_MASK, 0);

	/* A fill in one mode leaves the other alone. */
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));
	ck_assert_ptr_null(table_of(USER, LA(1)));
}
END_TEST

/* ---- contexts per guest CR3 ---- */

/* A new CR3 builds a context and tracks its directory; its old CR3 keeps its fills. */
START_TEST(switch_back_reuses_the_filled_context)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t cr3_a = shadow_cache_cr3(sc, KERNEL);
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));
	uint32_t *pt_a = fill(KERNEL, LA(2), GPT(0), GDATA | PTE_P);

	shadow_cache_switch(sc, GCR3(1));
	uint32_t cr3_b = shadow_cache_cr3(sc, KERNEL);
	ck_assert_uint_ne(cr3_a, cr3_b);
	ck_assert(shadow_cache_is_tracked(sc, GCR3(1)));
	assert_empty(dir(KERNEL), "the new context");

	shadow_cache_switch(sc, GCR3(0));
	ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3_a);
	ck_assert_ptr_eq(table_of(KERNEL, LA(2)), pt_a);
	ck_assert_uint_eq(pt_a[PTX(LA(2))], GDATA | PTE_P);

	ck_assert_uint_eq(sc->counters.contexts_built, 2);
	ck_assert_uint_eq(sc->counters.contexts_reused, 1);
}
END_TEST

/* The same CR3 again (a process switching to itself) is a reuse, nothing is emptied. */
START_TEST(same_cr3_is_reused)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(3), GPT(0), GDATA | PTE_P);
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(3)));
	ck_assert_uint_eq(sc->counters.contexts_built, 1);
	ck_assert_uint_eq(sc->counters.contexts_reused, 1);
}
END_TEST

/* Tracking covers the directory's whole page and only that page. */
START_TEST(directory_page_is_tracked_whole)
{
	shadow_cache_switch(sc, GCR3(0));
	ck_assert(!shadow_cache_is_tracked(sc, GCR3(0) + PAGE_SIZE));
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0) + 0xFFC));
}
END_TEST

/* SHADOW_CONTEXTS address spaces are kept at once. */
START_TEST(all_contexts_are_kept)
{
	uint32_t cr3[SHADOW_CONTEXTS];
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		shadow_cache_switch(sc, GCR3(c));
		cr3[c] = shadow_cache_cr3(sc, KERNEL);
		fill(KERNEL, LA(c), GPT(c), GDATA | PTE_P);
	}
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		shadow_cache_switch(sc, GCR3(c));
		ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3[c]);
		ck_assert_ptr_nonnull(table_of(KERNEL, LA(c)));
		for (unsigned other = 0; other < SHADOW_CONTEXTS; other++)
			if (other != c)
				ck_assert_ptr_null(table_of(KERNEL, LA(other)));
	}
	ck_assert_uint_eq(sc->counters.contexts_built, SHADOW_CONTEXTS);
	ck_assert_uint_eq(sc->counters.contexts_reused, SHADOW_CONTEXTS);
}
END_TEST

/* A ninth takes the least recently used context, emptied; the others stay. */
START_TEST(ninth_evicts_least_recently_used)
{
	uint32_t cr3[SHADOW_CONTEXTS];
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		shadow_cache_switch(sc, GCR3(c));
		cr3[c] = shadow_cache_cr3(sc, KERNEL);
		fill(KERNEL, LA(c), GPT(c), GDATA | PTE_P);
	}
	/* Use 0 again: 1 is now the least recently used. */
	shadow_cache_switch(sc, GCR3(0));

	shadow_cache_switch(sc, GCR3(SHADOW_CONTEXTS));
	ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3[1]);
	assert_empty(dir(KERNEL), "the evicted context, kernel");
	assert_empty(dir(USER), "the evicted context, user");
	ck_assert_uint_eq(sc->counters.contexts_built, SHADOW_CONTEXTS + 1);

	/* 0 and 2 onwards are still there, filled. */
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		if (c == 1)
			continue;
		shadow_cache_switch(sc, GCR3(c));
		ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3[c]);
		ck_assert_ptr_nonnull(table_of(KERNEL, LA(c)));
	}
	ck_assert_uint_eq(sc->counters.contexts_built, SHADOW_CONTEXTS + 1);

	/* 1 comes back as a new context, empty; it takes the newest's, now least recent. */
	shadow_cache_switch(sc, GCR3(1));
	ck_assert_uint_eq(sc->counters.contexts_built, SHADOW_CONTEXTS + 2);
	ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3[1]);
	assert_empty(dir(KERNEL), "address space 1 rebuilt");
}
END_TEST

/* An evicted context's tables go back to the pool: nothing is left to drop. */
START_TEST(eviction_frees_its_tables)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(USER, LA(1), GPT(0), GDATA | PTE_P | PTE_U);
	for (unsigned c = 1; c <= SHADOW_CONTEXTS; c++)
		shadow_cache_switch(sc, GCR3(c));
	ck_assert_uint_eq(sc->counters.contexts_built, SHADOW_CONTEXTS + 1);

	/* Address space 0 is gone: a change to its page table finds no table. */
	shadow_cache_source_changed(sc, GPT(0));
	ck_assert_uint_eq(sc->counters.tables_dropped, 0);
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		ck_assert_uint_eq(sc->meta[i].context, SHADOW_NO_CONTEXT);
}
END_TEST

/* A directory outside guest memory is not tracked (the walk will stop the guest). */
START_TEST(directory_outside_memory_is_not_tracked)
{
	shadow_cache_switch(sc, MEM_BYTES);
	ck_assert_uint_eq(sc->counters.contexts_built, 1);
	ck_assert(!shadow_cache_is_tracked(sc, MEM_BYTES));
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/* ---- shadow tables from the pool ---- */

/* A table is zeroed, named by a PDE that allows everything, and found again. */
START_TEST(table_is_made_once)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t *pt = shadow_cache_table(sc, KERNEL, LA(5), GPT(0), GPT(0) | PTE_P);
	for (unsigned i = 0; i < 1024; i++)
		ck_assert_uint_eq(pt[i], 0);
	uint32_t pde = dir(KERNEL)[5];
	ck_assert_uint_eq(pde & ~PAGE_MASK, PTE_P | PTE_W | PTE_U);
	ck_assert_ptr_eq(at_phys(pde & PAGE_MASK), pt);
	ck_assert_ptr_eq(shadow_cache_find_table(sc, KERNEL, LA(5) + 0x3FF000), pt);
	ck_assert_ptr_null(shadow_cache_find_table(sc, KERNEL, LA(6)));

	/* Any address in the same 4 MiB finds the same table. */
	pt[7] = GDATA | PTE_P;
	ck_assert_ptr_eq(shadow_cache_table(sc, KERNEL, LA(5) + 0x123456, GPT(0), GPT(0) | PTE_P), pt);
	ck_assert_uint_eq(pt[7], GDATA | PTE_P);
	ck_assert_uint_eq(sc->counters.tables_built, 1);
}
END_TEST

/* The switcher's slot holds a present PDE, yet no shadow table: none is found there. */
START_TEST(switcher_slot_has_no_table)
{
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_uint_eq(dir(KERNEL)[SWITCHER_PDX], SWITCHER_PDE);
	ck_assert_ptr_null(shadow_cache_find_table(sc, KERNEL, LA(SWITCHER_PDX)));
	ck_assert_ptr_null(shadow_cache_find_table(sc, USER, LA(SWITCHER_PDX) + 0x3FF000));
	ck_assert_ptr_null(shadow_cache_table(sc, KERNEL, LA(SWITCHER_PDX), GPT(0), GPT(0) | PTE_P));
}
END_TEST

/* A table handed out again is zeroed again: nothing of its last use survives. */
START_TEST(reused_table_is_zeroed)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t *pt = fill(KERNEL, LA(1) + 3 * PAGE_SIZE, GPT(0), GDATA | PTE_P | PTE_W);
	shadow_cache_source_changed(sc, GPT(0));
	uint32_t *again = shadow_cache_table(sc, KERNEL, LA(1), GPT(1), GPT(1) | PTE_P);
	ck_assert_ptr_eq(again, pt);	/* the first free table is taken */
	for (unsigned i = 0; i < 1024; i++)
		ck_assert_uint_eq(again[i], 0);
}
END_TEST

/* ---- tracking ---- */

/* A page table a shadow table mirrors is tracked; a page only mapped is not. */
START_TEST(mirrored_page_table_is_tracked)
{
	shadow_cache_switch(sc, GCR3(0));
	ck_assert(!shadow_cache_is_tracked(sc, GPT(0)));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	ck_assert(shadow_cache_is_tracked(sc, GPT(0)));
	ck_assert(!shadow_cache_is_tracked(sc, GDATA));
	ck_assert(!shadow_cache_is_tracked(sc, GPT(1)));
}
END_TEST

/* Pages outside guest memory are never tracked. */
START_TEST(track_outside_memory_is_ignored)
{
	shadow_cache_track(sc, MEM_BYTES);
	shadow_cache_track(sc, 0xFFFFF000u);
	ck_assert(!shadow_cache_is_tracked(sc, MEM_BYTES));
	ck_assert(!shadow_cache_is_tracked(sc, 0xFFFFF000u));
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/* ---- a tracked page changes ---- */

/*
 * A write to a page table drops every shadow table built from it, in every
 * context and mode (a kernel's page table is shared by every process), and
 * nothing else.
 */
START_TEST(page_table_change_drops_its_tables)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(768), GPT(0), GDATA | PTE_P);
	fill(USER, LA(768), GPT(0), GDATA | PTE_P | PTE_U);
	fill(KERNEL, LA(1), GPT(1), GDATA | PTE_P);
	shadow_cache_switch(sc, GCR3(1));
	fill(KERNEL, LA(768), GPT(0), GDATA | PTE_P);
	fill(KERNEL, LA(2), GPT(2), GDATA | PTE_P);

	/* Any address within the page, as a single-stepped write names it. */
	shadow_cache_source_changed(sc, GPT(0) + 0xC04);
	ck_assert_uint_eq(sc->counters.tables_dropped, 3);

	ck_assert_ptr_null(table_of(KERNEL, LA(768)));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(2)));
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_ptr_null(table_of(KERNEL, LA(768)));
	ck_assert_ptr_null(table_of(USER, LA(768)));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));
	/* The switcher stays. */
	ck_assert_uint_eq(dir(KERNEL)[SWITCHER_PDX], SWITCHER_PDE);
	ck_assert_uint_eq(dir(USER)[SWITCHER_PDX], SWITCHER_PDE);
	/* The contexts stay: no rebuild, no flush. */
	ck_assert_uint_eq(sc->counters.contexts_built, 2);
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/* A changed page table is no longer tracked: nothing is built from it until a table is again. */
START_TEST(changed_page_table_is_no_longer_tracked)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(KERNEL, LA(2), GPT(1), GDATA | PTE_P);
	ck_assert(shadow_cache_is_tracked(sc, GPT(0)));
	shadow_cache_source_changed(sc, GPT(0) + 8);
	ck_assert(!shadow_cache_is_tracked(sc, GPT(0)));
	ck_assert(shadow_cache_is_tracked(sc, GPT(1)));
	/* A directory of a kept context stays tracked through its change. */
	shadow_cache_source_changed(sc, GCR3(0));
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));
	/* Mirrored again, tracked again. */
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	ck_assert(shadow_cache_is_tracked(sc, GPT(0)));
}
END_TEST

/* A write to the current page directory empties its whole context, both modes; the context stays. */
START_TEST(directory_change_empties_its_context)
{
	shadow_cache_switch(sc, GCR3(1));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(USER, LA(2), GPT(1), GDATA | PTE_P | PTE_U);

	shadow_cache_source_changed(sc, GCR3(0) + 4);
	assert_empty(dir(KERNEL), "kernel");
	assert_empty(dir(USER), "user");
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));

	shadow_cache_switch(sc, GCR3(1));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));	/* address space 1 is untouched */
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_uint_eq(sc->counters.contexts_built, 2);	/* kept, not rebuilt */
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/*
 * A write to the directory of an address space the guest is not in (a
 * kernel that freed it and reuses the page) forgets that context: the page
 * is no longer tracked, so the next writes to it do not trap; loading it
 * again builds a new context.
 */
START_TEST(other_directory_change_forgets_its_context)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	shadow_cache_switch(sc, GCR3(1));
	fill(KERNEL, LA(1), GPT(1), GDATA | PTE_P);

	shadow_cache_source_changed(sc, GCR3(0) + 4);
	ck_assert(!shadow_cache_is_tracked(sc, GCR3(0)));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));	/* the current one is untouched */
	ck_assert(shadow_cache_is_tracked(sc, GCR3(1)));

	shadow_cache_switch(sc, GCR3(0));
	ck_assert_uint_eq(sc->counters.contexts_built, 3);	/* built anew */
	assert_empty(dir(KERNEL), "kernel");
	assert_empty(dir(USER), "user");
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/*
 * Told what the running directory holds now, only the tables built under
 * an entry that changed go (both modes); the others and the directory's
 * tracking stay. Another context's table built from that page goes too.
 */
START_TEST(directory_changed_drops_only_changed_entries)
{
	static uint32_t gpd[1024];
	shadow_cache_switch(sc, GCR3(1));
	fill(KERNEL, LA(3), GCR3(0), GDATA | PTE_P);	/* GCR3(0) as one of its page tables */
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(USER, LA(1), GPT(0), GDATA | PTE_P | PTE_U);
	fill(KERNEL, LA(2), GPT(1), GDATA | PTE_P);
	memset(gpd, 0, sizeof gpd);
	gpd[1] = GPT(0) | PTE_P | PTE_W;		/* as fill() recorded it */
	gpd[2] = GPT(2) | PTE_P | PTE_W;		/* changed: another table */

	shadow_cache_directory_changed(sc, gpd);
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));
	ck_assert_ptr_nonnull(table_of(USER, LA(1)));
	ck_assert_ptr_null(table_of(KERNEL, LA(2)));
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));
	shadow_cache_switch(sc, GCR3(1));
	ck_assert_ptr_null(table_of(KERNEL, LA(3)));
	ck_assert_uint_eq(sc->counters.tables_dropped, 2);
}
END_TEST

/* An entry naming the directory itself makes it a page table: its table always goes. */
START_TEST(directory_changed_drops_a_self_map)
{
	static uint32_t gpd[1024];
	shadow_cache_switch(sc, GCR3(0));
	uint32_t *pt = shadow_cache_table(sc, KERNEL, LA(9), GCR3(0), GCR3(0) | PTE_P | PTE_W);
	pt[0] = GDATA | PTE_P;
	memset(gpd, 0, sizeof gpd);
	gpd[9] = GCR3(0) | PTE_P | PTE_W;		/* unchanged, yet its content is the directory */

	shadow_cache_directory_changed(sc, gpd);
	ck_assert_ptr_null(table_of(KERNEL, LA(9)));
}
END_TEST

/* A 4 MiB page's table mirrors the directory: a write to the directory drops it too. */
START_TEST(large_page_table_comes_from_the_directory)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(3), GCR3(0), GDATA | PTE_P);
	fill(KERNEL, LA(4), GPT(0), GDATA | PTE_P);
	shadow_cache_switch(sc, GCR3(1));
	shadow_cache_source_changed(sc, GCR3(0));
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_ptr_null(table_of(KERNEL, LA(3)));
	ck_assert_ptr_null(table_of(KERNEL, LA(4)));
	/* Both tables are back in the pool. */
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		ck_assert_uint_eq(sc->meta[i].context, SHADOW_NO_CONTEXT);
}
END_TEST

/* The hypervisor's own writes for the guest drop what they change, page by page. */
/* A write whose end lies past 4 GiB still covers every page up to the end of guest memory. */
START_TEST(write_reaching_past_4_gib_drops_to_the_end)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(KERNEL, LA(2), GPT(3), GDATA | PTE_P);

	/* From inside GPT(0) on, 0xFFFFFF00 bytes: gpa + len wraps to just below GPT(0). */
	shadow_cache_guest_wrote(sc, GPT(0) + 0x100, 0xFFFFFF00u);
	ck_assert_ptr_null(table_of(KERNEL, LA(1)));
	ck_assert_ptr_null(table_of(KERNEL, LA(2)));
	ck_assert_uint_eq(sc->counters.tables_dropped, 2);

	/* A write of nothing changes nothing. */
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	shadow_cache_guest_wrote(sc, GPT(0) + 0x100, 0);
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));
}
END_TEST

START_TEST(hypervisor_write_drops_tracked_pages)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GDATA | PTE_P);
	fill(KERNEL, LA(2), GPT(1), GDATA | PTE_P);
	fill(KERNEL, LA(3), GPT(3), GDATA | PTE_P);

	/* Untracked pages: nothing happens. */
	shadow_cache_guest_wrote(sc, GDATA, 3 * PAGE_SIZE);
	ck_assert_uint_eq(sc->counters.tables_dropped, 0);

	/* 8 bytes across the end of GPT(0) into GPT(1); GPT(3) is not touched. */
	shadow_cache_guest_wrote(sc, GPT(1) - 4, 8);
	ck_assert_uint_eq(sc->counters.tables_dropped, 2);
	ck_assert_ptr_null(table_of(KERNEL, LA(1)));
	ck_assert_ptr_null(table_of(KERNEL, LA(2)));
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(3)));

	/* Beyond guest memory: ignored. */
	shadow_cache_guest_wrote(sc, MEM_BYTES - 4, 64);
	ck_assert_uint_eq(sc->counters.tables_dropped, 2);

	/* Into the directory: the whole context. */
	shadow_cache_guest_wrote(sc, GCR3(0) + 0x10, 4);
	assert_empty(dir(KERNEL), "after a write to the directory");
}
END_TEST

/* ---- the reverse map: tracking a page the shadows map writable ---- */

/* The shadow entry for guest page gpa, as shadow_mmu.c makes it. */
#define SPTE(gpa, flags)	((HOST_BASE + (gpa)) | (flags))
/* Linear page n of directory slot s. */
#define LA_AT(s, n)		(LA(s) | (uint32_t)(n) << 12)

/* What the #PF handler does for a write it lets through: a writable entry, remembered. */
static uint32_t *fill_writable(unsigned mode, uint32_t la, uint32_t source, uint32_t gpa)
{
	uint32_t *pt = fill(mode, la, source, SPTE(gpa, PTE_P | PTE_W | PTE_U));
	shadow_cache_note_writable(sc, gpa, la);
	return &pt[PTX(la)];
}

/* Every entry of every table in use that maps gpa writable: none may be left for a tracked page. */
static unsigned writable_entries_for(uint32_t gpa)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++) {
		if (sc->meta[i].context == SHADOW_NO_CONTEXT)
			continue;
		for (unsigned j = 0; j < 1024; j++)
			if ((sc->pool[i][j] & (PAGE_MASK | PTE_P | PTE_W)) == SPTE(gpa, PTE_P | PTE_W))
				n++;
	}
	return n;
}

/*
 * A kernel writes a fresh page through its map of all memory (the same
 * linear page in every address space) and in user mode, then uses it as a
 * page table: exactly those entries go read-only, in every context and
 * mode, and nothing else of any shadow changes.
 */
START_TEST(tracking_write_protects_what_the_reverse_map_knows)
{
	uint32_t kmap = LA_AT(700, 5), umap = LA_AT(2, 9);
	uint32_t *e[4], *other;

	shadow_cache_switch(sc, GCR3(0));
	e[0] = fill_writable(KERNEL, kmap, GPT(0), GPT(5));
	e[1] = fill_writable(USER, umap, GPT(1), GPT(5));
	other = fill_writable(KERNEL, kmap + PAGE_SIZE, GPT(0), GDATA);
	shadow_cache_switch(sc, GCR3(1));
	e[2] = fill_writable(KERNEL, kmap, GPT(2), GPT(5));
	e[3] = fill_writable(KERNEL, umap, GPT(3), GPT(5));
	ck_assert_uint_eq(writable_entries_for(GPT(5)), 4);
	ck_assert_uint_eq(sc->counters.tables_built, 4);

	/* The guest loads GPT(5) as a page table. */
	fill(KERNEL, LA(3), GPT(5), SPTE(GDATA, PTE_P));
	ck_assert(shadow_cache_is_tracked(sc, GPT(5)));
	ck_assert_uint_eq(writable_entries_for(GPT(5)), 0);
	for (unsigned k = 0; k < 4; k++)
		ck_assert_uint_eq(*e[k], SPTE(GPT(5), PTE_P | PTE_U));
	ck_assert_uint_eq(*other, SPTE(GDATA, PTE_P | PTE_W | PTE_U));
	ck_assert_uint_eq(sc->counters.sptes_write_protected, 4);
	ck_assert_uint_eq(sc->counters.flushes, 0);
	ck_assert_uint_eq(sc->counters.rmap_pool_scans, 0);
	ck_assert_uint_eq(sc->counters.tables_dropped, 0);
	ck_assert_ptr_nonnull(table_of(KERNEL, kmap));
	shadow_cache_switch(sc, GCR3(0));
	ck_assert_ptr_nonnull(table_of(KERNEL, kmap));
	ck_assert_ptr_nonnull(table_of(USER, umap));
}
END_TEST

/*
 * A remembered linear page that no longer maps the page writable anywhere
 * (its entry refilled, its table dropped) gives its way to a new one, so
 * the map does not fill up with the past.
 */
START_TEST(stale_ways_are_reused)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t *a = fill_writable(KERNEL, LA_AT(1, 1), GPT(0), GPT(5));
	fill_writable(KERNEL, LA_AT(1, 2), GPT(0), GPT(5));
	*a = SPTE(GDATA, PTE_P);		/* refilled: another page now */
	fill_writable(KERNEL, LA_AT(1, 3), GPT(0), GPT(5));
	shadow_cache_guest_wrote(sc, GPT(0), 4);	/* and the whole table dropped */
	fill_writable(KERNEL, LA_AT(2, 4), GPT(1), GPT(5));
	fill_writable(KERNEL, LA_AT(2, 5), GPT(1), GPT(5));
	ck_assert_uint_eq(writable_entries_for(GPT(5)), 2);

	shadow_cache_track(sc, GPT(5));
	ck_assert_uint_eq(writable_entries_for(GPT(5)), 0);
	ck_assert_uint_eq(sc->counters.sptes_write_protected, 2);
	ck_assert_uint_eq(sc->counters.rmap_pool_scans, 0);
	ck_assert_uint_eq(sc->counters.flushes, 0);
}
END_TEST

/* More live linear pages than the map holds: the pool is searched, nothing is emptied. */
START_TEST(too_many_linear_pages_search_the_pool)
{
	shadow_cache_switch(sc, GCR3(0));
	for (unsigned n = 0; n <= SHADOW_RMAP_WAYS; n++)
		fill_writable(n & 1 ? USER : KERNEL, LA_AT(1 + n, n), GPT(n), GPT(7));
	ck_assert_uint_eq(writable_entries_for(GPT(7)), SHADOW_RMAP_WAYS + 1);

	shadow_cache_track(sc, GPT(7));
	ck_assert_uint_eq(writable_entries_for(GPT(7)), 0);
	ck_assert_uint_eq(sc->counters.sptes_write_protected, SHADOW_RMAP_WAYS + 1);
	ck_assert_uint_eq(sc->counters.rmap_pool_scans, 1);
	ck_assert_uint_eq(sc->counters.flushes, 0);
	for (unsigned n = 0; n <= SHADOW_RMAP_WAYS; n++)
		ck_assert_ptr_nonnull(table_of(n & 1 ? USER : KERNEL, LA_AT(1 + n, n)));

	/* The search is once: the page is forgotten by the map until mapped writable again. */
	shadow_cache_guest_wrote(sc, GPT(7), 4);
	ck_assert(!shadow_cache_is_tracked(sc, GPT(7)));
	shadow_cache_track(sc, GPT(7));
	ck_assert_uint_eq(sc->counters.rmap_pool_scans, 1);
}
END_TEST

/* A flush empties every shadow, and with them the need to search. */
START_TEST(flush_forgets_the_overflow)
{
	shadow_cache_switch(sc, GCR3(0));
	for (unsigned n = 0; n <= SHADOW_RMAP_WAYS; n++)
		fill_writable(KERNEL, LA_AT(1, n), GPT(0), GPT(7));
	shadow_cache_flush(sc);
	shadow_cache_track(sc, GPT(7));
	ck_assert_uint_eq(sc->counters.rmap_pool_scans, 0);
	ck_assert_uint_eq(sc->counters.sptes_write_protected, 0);
}
END_TEST

/* Outside guest memory nothing is remembered, and protecting it does nothing. */
START_TEST(reverse_map_ignores_pages_outside_memory)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA_AT(1, 1), GPT(0), SPTE(MEM_BYTES, PTE_P | PTE_W));
	shadow_cache_note_writable(sc, MEM_BYTES, LA_AT(1, 1));
	shadow_cache_note_writable(sc, 0xFFFFF000u, LA_AT(1, 1));
	ck_assert_uint_eq(shadow_cache_write_protect(sc, MEM_BYTES), 0);
	ck_assert_uint_eq(table_of(KERNEL, LA_AT(1, 1))[1], SPTE(MEM_BYTES, PTE_P | PTE_W));
	ck_assert_uint_eq(sc->counters.sptes_write_protected, 0);
}
END_TEST

/* The entries of a page being watched (not a page table) go read-only the same way. */
START_TEST(write_protect_alone_keeps_tracking_as_it_was)
{
	shadow_cache_switch(sc, GCR3(0));
	uint32_t *e = fill_writable(KERNEL, LA_AT(1, 1), GPT(0), GDATA);
	ck_assert_uint_eq(shadow_cache_write_protect(sc, GDATA), 1);
	ck_assert_uint_eq(*e, SPTE(GDATA, PTE_P | PTE_U));
	ck_assert(!shadow_cache_is_tracked(sc, GDATA));
	ck_assert_uint_eq(shadow_cache_write_protect(sc, GDATA), 0);
}
END_TEST

/* ---- full flushes ---- */

/* Tracking a page no shadow maps writable, or one already tracked, flushes nothing. */
START_TEST(tracking_a_read_only_page_does_not_flush)
{
	shadow_cache_switch(sc, GCR3(0));
	fill(KERNEL, LA(1), GPT(0), GPT(5) | PTE_P);
	shadow_cache_track(sc, GPT(5));
	shadow_cache_track(sc, GPT(5));
	shadow_cache_track(sc, GCR3(0));
	ck_assert_uint_eq(sc->counters.flushes, 0);
	ck_assert_ptr_nonnull(table_of(KERNEL, LA(1)));
}
END_TEST

/* CR0.PG/WP, CR4.PSE/PGE: every shadow empties; contexts and their directories' tracking stay. */
START_TEST(flush_keeps_contexts_empty)
{
	uint32_t cr3[3];
	for (unsigned c = 0; c < 3; c++) {
		shadow_cache_switch(sc, GCR3(c));
		cr3[c] = shadow_cache_cr3(sc, KERNEL);
		fill(KERNEL, LA(1), GPT(c), GDATA | PTE_P);
		fill(USER, LA(1), GPT(c), GDATA | PTE_P | PTE_U);
	}
	shadow_cache_flush(sc);
	ck_assert_uint_eq(sc->counters.flushes, 1);
	for (unsigned c = 0; c < 3; c++) {
		ck_assert(shadow_cache_is_tracked(sc, GCR3(c)));
		ck_assert(!shadow_cache_is_tracked(sc, GPT(c)));
		shadow_cache_switch(sc, GCR3(c));
		ck_assert_uint_eq(shadow_cache_cr3(sc, KERNEL), cr3[c]);
		assert_empty(dir(KERNEL), "kernel");
		assert_empty(dir(USER), "user");
	}
	ck_assert_uint_eq(sc->counters.contexts_built, 3);
	ck_assert_uint_eq(sc->counters.contexts_reused, 3);
	/* The tables went back to the pool. */
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		ck_assert_uint_eq(sc->meta[i].context, SHADOW_NO_CONTEXT);
}
END_TEST

/* ---- the pool runs dry ---- */

/* Fill the pool from distinct page tables, over kernel and user directories. */
static void fill_the_pool(void)
{
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++) {
		unsigned mode = i < SHADOW_POOL_PAGES / 2 ? KERNEL : USER;
		fill(mode, LA(i % (SHADOW_POOL_PAGES / 2)), GPT(i), GDATA | PTE_P);
	}
	ck_assert_uint_eq(sc->counters.tables_built, SHADOW_POOL_PAGES);
}

/* The whole pool is in use and each of its tables keeps its place. */
START_TEST(pool_holds_its_size)
{
	shadow_cache_switch(sc, GCR3(0));
	fill_the_pool();
	ck_assert_uint_eq(sc->counters.flushes, 0);
	for (unsigned i = 0; i < SHADOW_POOL_PAGES / 2; i++) {
		ck_assert_ptr_nonnull(table_of(KERNEL, LA(i)));
		ck_assert_ptr_nonnull(table_of(USER, LA(i)));
	}
}
END_TEST

/*
 * One table more empties every shadow; the new table is then the only one,
 * and it is still tracked, as every page a shadow was built from must be.
 */
START_TEST(pool_exhaustion_flushes_and_tracks_the_new_table)
{
	shadow_cache_switch(sc, GCR3(0));
	fill_the_pool();
	uint32_t *pt = fill(KERNEL, LA(600), GPT(2000), GDATA | PTE_P);
	ck_assert_uint_eq(sc->counters.flushes, 1);
	ck_assert_uint_eq(sc->counters.tables_built, SHADOW_POOL_PAGES + 1);
	ck_assert_ptr_eq(table_of(KERNEL, LA(600)), pt);
	ck_assert_ptr_null(table_of(KERNEL, LA(0)));
	ck_assert_ptr_null(table_of(USER, LA(0)));
	ck_assert(shadow_cache_is_tracked(sc, GCR3(0)));
	ck_assert(!shadow_cache_is_tracked(sc, GPT(0)));
	ck_assert(shadow_cache_is_tracked(sc, GPT(2000)));

	/* So a change to that page table still drops its table. */
	shadow_cache_guest_wrote(sc, GPT(2000), 4);
	ck_assert_ptr_null(table_of(KERNEL, LA(600)));
}
END_TEST

static Suite *shadow_cache_suite(void)
{
	Suite *s = suite_create("shadow_cache");
	TCase *d = tcase_create("directories");
	TCase *c = tcase_create("contexts");
	TCase *p = tcase_create("pool");
	TCase *t = tcase_create("tracking");
	TCase *i = tcase_create("invalidation");
	TCase *f = tcase_create("flushes");
	TCase *r = tcase_create("reverse map");
	TCase *all[] = { d, c, p, t, i, f, r };

	for (unsigned n = 0; n < sizeof all / sizeof all[0]; n++) {
		tcase_add_checked_fixture(all[n], setup, teardown);
		suite_add_tcase(s, all[n]);
	}
	tcase_add_test(d, init_leaves_switcher_only);
	tcase_add_test(d, kernel_and_user_directories_differ);

	tcase_add_test(c, switch_back_reuses_the_filled_context);
	tcase_add_test(c, same_cr3_is_reused);
	tcase_add_test(c, directory_page_is_tracked_whole);
	tcase_add_test(c, all_contexts_are_kept);
	tcase_add_test(c, ninth_evicts_least_recently_used);
	tcase_add_test(c, eviction_frees_its_tables);
	tcase_add_test(c, directory_outside_memory_is_not_tracked);

	tcase_add_test(p, table_is_made_once);
	tcase_add_test(p, switcher_slot_has_no_table);
	tcase_add_test(p, reused_table_is_zeroed);
	tcase_add_test(p, pool_holds_its_size);
	tcase_add_test(p, pool_exhaustion_flushes_and_tracks_the_new_table);

	tcase_add_test(t, mirrored_page_table_is_tracked);
	tcase_add_test(t, track_outside_memory_is_ignored);

	tcase_add_test(i, page_table_change_drops_its_tables);
	tcase_add_test(i, directory_change_empties_its_context);
	tcase_add_test(i, other_directory_change_forgets_its_context);
	tcase_add_test(i, directory_changed_drops_only_changed_entries);
	tcase_add_test(i, directory_changed_drops_a_self_map);
	tcase_add_test(i, large_page_table_comes_from_the_directory);
	tcase_add_test(i, hypervisor_write_drops_tracked_pages);
	tcase_add_test(i, write_reaching_past_4_gib_drops_to_the_end);

	tcase_add_test(r, tracking_write_protects_what_the_reverse_map_knows);
	tcase_add_test(r, stale_ways_are_reused);
	tcase_add_test(r, too_many_linear_pages_search_the_pool);
	tcase_add_test(r, flush_forgets_the_overflow);
	tcase_add_test(r, reverse_map_ignores_pages_outside_memory);
	tcase_add_test(r, write_protect_alone_keeps_tracking_as_it_was);
	tcase_add_test(f, tracking_a_read_only_page_does_not_flush);
	tcase_add_test(f, flush_keeps_contexts_empty);
	tcase_add_test(f, changed_page_table_is_no_longer_tracked);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shadow_cache_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
