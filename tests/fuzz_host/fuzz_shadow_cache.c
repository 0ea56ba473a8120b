/*
 * tests/fuzz_host/fuzz_shadow_cache.c: fuzzes the kept shadow contexts, the
 * pool of shadow page tables and the tracking of guest page tables
 * (shadow_pt/shadow_cache.c) with any sequence of CR3 switches, fills,
 * guest writes and flushes.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: guest memory size in pages (u16), the switcher's directory slot
 * (u16), then operations of 6 bytes each, after a first switch to CR3 0x1000. A fill plays shadow_page_fault()'s
 * part: take the shadow table for la built from a guest page table, and
 * write an entry for a guest page, writable unless that page is tracked
 * (and then note it writable at la, for the reverse map), as
 * shadow_pt/shadow_mmu.c does. Shadow entries name guest pages directly
 * here (host base 0).
 *
 * Properties, from shadow_cache.h and shadow_pt/README.md section 3:
 *   1. Every directory always holds the switcher's PDE in its slot, and no
 *      shadow table ever takes that slot.
 *   2. Directories and the pool agree: each present PDE names one pool table
 *      whose record says that context, mode and slot; each table in use is
 *      named by exactly that PDE; a table handed out is the one the
 *      directory names.
 *   3. Containment of the guest's page tables: every page a shadow table was
 *      built from, and every kept context's directory, is tracked; no shadow
 *      entry reachable from any directory maps a tracked page writable.
 *   4. After the guest writes a range, no shadow built from a page in it
 *      remains (and a context whose directory is in it is empty).
 *   5. The kept CR3s are those of a reference model: up to SHADOW_CONTEXTS, a known CR3
 *      reused, a new one taking a free context or the least recently used;
 *      a context whose directory is written while another is current is
 *      forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "shadow_pt/shadow_cache.h"
#include "tests/fuzz_host/fuzz_input.h"

#define PHYS_BASE	0x00800000u	/* where the hypervisor's instance would sit */
#define GUEST_PAGES_MAX	4096u		/* 16 MiB of guest memory at most here */
#define SWITCHER_PDE	(0x00345000u | PTE_P | PTE_W)
#define FULL_CHECK_EVERY 16

static struct shadow_cache *sc;

/* The reference model of the kept contexts (property 5). */
static struct { int valid; uint32_t gcr3, last; } model[SHADOW_CONTEXTS];
static uint32_t model_clock, model_current;

/* The pages first..last (page addresses) changed: other contexts with a directory there go. */
static void model_written(uint32_t first, uint32_t last)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		if (model[c].valid && model[c].gcr3 != model_current &&
		    model[c].gcr3 >= first && model[c].gcr3 <= last)
			model[c].valid = 0;
}

static void model_switch(uint32_t gcr3, int *reused)
{
	unsigned victim = 0;

	model_current = gcr3;

	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		if (model[c].valid && model[c].gcr3 == gcr3) {
			model[c].last = ++model_clock;
			*reused = 1;
			return;
		}
	*reused = 0;
	/* A free context first, else the least recently used. */
	for (unsigned c = 1; c < SHADOW_CONTEXTS; c++) {
		if (model[victim].valid &&
		    (!model[c].valid || model[c].last < model[victim].last))
			victim = c;
	}
	model[victim].valid = 1;
	model[victim].gcr3 = gcr3;
	model[victim].last = ++model_clock;
}

static uint32_t *table_at(uint32_t pde)
{
	uint32_t off = (pde & PAGE_MASK) - PHYS_BASE;

	FUZZ_CHECK(off >= offsetof(struct shadow_cache, pool) &&
		   off < offsetof(struct shadow_cache, pool) + sizeof(sc->pool) && off % PAGE_SIZE == 0,
		   "PDE 0x%08x names no pool table", pde);
	return (uint32_t *)((char *)sc + off);
}

/*
 * Where fills wrote entries: a table comes zeroed from the pool, so only these
 * can hold anything (checked when each table is handed out). Past
 * WRITTEN_MAX entries, every entry of every table is checked instead.
 */
#define WRITTEN_MAX	4096
static uint32_t *written[WRITTEN_MAX];
static unsigned nwritten;

static void check_spte(uint32_t spte)
{
	if ((spte & (PTE_P | PTE_W)) == (PTE_P | PTE_W))
		FUZZ_CHECK(!shadow_cache_is_tracked(sc, spte & PAGE_MASK),
			   "tracked page 0x%x mapped writable", spte & PAGE_MASK);
}

/* After each operation: the switcher's slot everywhere. */
static void check_switcher_slots(void)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		for (unsigned mode = 0; mode < 2; mode++)
			FUZZ_CHECK(sc->dir[c][mode][sc->switcher_pdx] == SWITCHER_PDE,
				   "context %u mode %u: switcher slot holds 0x%08x", c, mode,
				   sc->dir[c][mode][sc->switcher_pdx]);
}

/*
 * Whether the directory pd holds nothing but the switcher's PDE: most of the
 * SHADOW_CONTEXTS * 2 directories are empty, and libc's memcmp answers for a
 * whole one at once where the loop in check_all() reads 1024 entries. A
 * directory with any other nonzero word, present or not, is read entry by
 * entry.
 */
static int only_switcher(const uint32_t *pd)
{
	static const uint32_t zero[1024];
	unsigned s = sc->switcher_pdx;

	return memcmp(pd, zero, s * sizeof(*pd)) == 0 &&
	       memcmp(pd + s + 1, zero, (1023 - s) * sizeof(*pd)) == 0;
}

/* Every few operations and at the end: all of properties 1, 2, 3 and 5. */
static void check_all(void)
{
	static uint8_t named[SHADOW_POOL_PAGES];

	memset(named, 0, sizeof(named));
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		for (unsigned mode = 0; mode < 2; mode++) {
			const uint32_t *pd = sc->dir[c][mode];

			FUZZ_CHECK(pd[sc->switcher_pdx] == SWITCHER_PDE,
				   "context %u mode %u: switcher slot holds 0x%08x", c, mode,
				   pd[sc->switcher_pdx]);
			if (only_switcher(pd))
				continue;
			for (unsigned pdx = 0; pdx < 1024; pdx++) {
				if (pdx == sc->switcher_pdx || !(pd[pdx] & PTE_P))
					continue;
				FUZZ_CHECK(sc->contexts[c].valid, "invalid context %u has tables", c);
				uint32_t *t = table_at(pd[pdx]);
				unsigned i = (unsigned)(t - sc->pool[0]) / 1024;
				const struct shadow_table_meta *m = &sc->meta[i];

				FUZZ_CHECK(m->context == c && m->mode == mode && m->pdx == pdx,
					   "table %u: record (%u, %u, %u), named by (%u, %u, %u)", i,
					   m->context, m->mode, m->pdx, c, mode, pdx);
				FUZZ_CHECK(!named[i], "table %u named twice", i);
				named[i] = 1;
				FUZZ_CHECK(m->source_gpa >= sc->mem_bytes ||
					   shadow_cache_is_tracked(sc, m->source_gpa),
					   "table %u built from untracked page 0x%x", i, m->source_gpa);
				if (nwritten > WRITTEN_MAX)
					for (unsigned k = 0; k < 1024; k++)
						check_spte(t[k]);
			}
		}
		if (sc->contexts[c].valid && sc->contexts[c].gcr3 < sc->mem_bytes)
			FUZZ_CHECK(shadow_cache_is_tracked(sc, sc->contexts[c].gcr3),
				   "directory 0x%x of context %u untracked", sc->contexts[c].gcr3, c);
	}
	for (unsigned k = 0; nwritten <= WRITTEN_MAX && k < nwritten; k++) {
		unsigned i = (unsigned)(written[k] - sc->pool[0]) / 1024;

		if (named[i])
			check_spte(*written[k]);
	}
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		FUZZ_CHECK(named[i] == (sc->meta[i].context != SHADOW_NO_CONTEXT),
			   "table %u in use %d, named %d", i, sc->meta[i].context != SHADOW_NO_CONTEXT,
			   named[i]);
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		int found = 0;

		for (unsigned k = 0; k < SHADOW_CONTEXTS; k++)
			if (sc->contexts[k].valid == model[c].valid &&
			    (!model[c].valid || sc->contexts[k].gcr3 == model[c].gcr3))
				found = 1;
		FUZZ_CHECK(found, "model keeps CR3 0x%x (valid %d), the cache does not",
			   model[c].gcr3, model[c].valid);
	}
}

/* One fill, as shadow_page_fault() does it: page gpa mapped at la through source's table. */
static void fill(unsigned mode, uint32_t la, uint32_t source, uint32_t gpa, int writable)
{
	uint32_t built = sc->counters.tables_built;
	uint32_t *pt = shadow_cache_table(sc, mode, la, source, source | PTE_P | PTE_W);

	if (PDX(la) == sc->switcher_pdx) {
		FUZZ_CHECK(pt == NULL, "a table for the switcher's slot");
		return;
	}
	FUZZ_CHECK(pt != NULL, "no table for 0x%x", la);
	FUZZ_CHECK(pt == shadow_cache_find_table(sc, mode, la), "find_table disagrees");
	FUZZ_CHECK(source >= sc->mem_bytes || shadow_cache_is_tracked(sc, source),
		   "source 0x%x not tracked", source);
	static const uint32_t zero_table[1024];
	if (sc->counters.tables_built != built)
		FUZZ_CHECK(memcmp(pt, zero_table, sizeof(zero_table)) == 0, "new table not zeroed");
	uint32_t spte = (gpa & PAGE_MASK) | PTE_P | PTE_U;
	if (writable && !shadow_cache_is_tracked(sc, gpa)) {
		spte |= PTE_W;
		shadow_cache_note_writable(sc, gpa, la);
	}
	pt[PTX(la)] = spte;
	if (nwritten < WRITTEN_MAX)
		written[nwritten] = &pt[PTX(la)];
	if (nwritten <= WRITTEN_MAX)
		nwritten++;
}

static void check_range_dropped(uint32_t gpa, uint32_t len)
{
	uint64_t start = gpa & PAGE_MASK, end = (uint64_t)gpa + len;

	if (len == 0)
		return;		/* nothing was written */

	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		if (sc->meta[i].context != SHADOW_NO_CONTEXT && sc->meta[i].source_gpa < sc->mem_bytes)
			FUZZ_CHECK(!(sc->meta[i].source_gpa >= start && sc->meta[i].source_gpa < end),
				   "table %u from 0x%x kept after a write of 0x%x+0x%x", i,
				   sc->meta[i].source_gpa, gpa, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t pages = 1 + fuzz_u16(&in) % GUEST_PAGES_MAX;
	unsigned switcher_pdx = fuzz_u16(&in) % 1024;
	unsigned n = 0;

	if (!sc) {
		sc = aligned_alloc(PAGE_SIZE, sizeof(*sc));
		FUZZ_CHECK(sc != NULL, "no memory");
	}
	memset(sc->dir, 0xA5, sizeof(sc->dir));
	shadow_cache_init(sc, PHYS_BASE, 0, pages * PAGE_SIZE, switcher_pdx, SWITCHER_PDE);
	memset(model, 0, sizeof(model));
	model_clock = 0;
	nwritten = 0;
	/* The hypervisor fills shadows only once the guest's paging has a CR3. */
	int reused;
	model_switch(0x1000, &reused);
	shadow_cache_switch(sc, 0x1000);

	while (in.size >= 6) {
		uint8_t op = fuzz_u8(&in), arg = fuzz_u8(&in);
		uint32_t v = fuzz_u32(&in);
		/* Page numbers mostly inside guest memory, sometimes past it. */
		uint32_t gpa = ((v % (pages + 4)) * PAGE_SIZE) | (arg & 0x0F) << 8;
		uint32_t la = (uint32_t)(v >> 8) << 12 | (uint32_t)(v & 0xF) << 22;

		switch (op % 8) {
		case 0: {	/* the guest loads CR3 */
			int reused;
			uint32_t before = sc->counters.contexts_reused;

			model_switch(gpa & PAGE_MASK, &reused);
			shadow_cache_switch(sc, gpa & PAGE_MASK);
			FUZZ_CHECK((sc->counters.contexts_reused != before) == reused,
				   "CR3 0x%x: reused %d, model %d", gpa, sc->counters.contexts_reused != before,
				   reused);
			FUZZ_CHECK(sc->contexts[sc->current].valid &&
				   sc->contexts[sc->current].gcr3 == (gpa & PAGE_MASK), "current context");
			break;
		}
		case 1:		/* a hidden fault fills one entry */
			fill(arg & 1, la, ((v >> 3) % (pages + 2)) * PAGE_SIZE,
			     ((v >> 13) % (pages + 2)) * PAGE_SIZE, arg & 2);
			break;
		case 2:		/* many fills in a row, enough to run the pool dry */
			for (unsigned k = 0; k <= arg % (2 * SHADOW_POOL_PAGES); k++)
				fill(k & 1, la + k * LARGE_PAGE_SIZE, ((v + k) % pages) * PAGE_SIZE,
				     ((v + 3 * k) % pages) * PAGE_SIZE, 1);
			break;
		case 3: {	/* the guest writes memory */
			uint32_t len = (arg & 0x80) ? v : (uint32_t)(arg & 0x7F) * 64 + 1;

			shadow_cache_guest_wrote(sc, gpa, len);
			check_range_dropped(gpa, len);
			/* Only tracked pages count, and those lie inside guest memory. */
			if (len && gpa < sc->mem_bytes) {
				uint64_t end = (uint64_t)gpa + len;
				if (end > sc->mem_bytes)
					end = sc->mem_bytes;
				model_written(gpa & PAGE_MASK, (uint32_t)((end - 1) & PAGE_MASK));
			}
			break;
		}
		case 4:
			shadow_cache_source_changed(sc, gpa);
			check_range_dropped(gpa & PAGE_MASK, PAGE_SIZE);
			model_written(gpa & PAGE_MASK, gpa & PAGE_MASK);
			break;
		case 5:
			shadow_cache_flush(sc);
			break;
		case 6:
			shadow_cache_track(sc, gpa);
			FUZZ_CHECK(gpa >= sc->mem_bytes || shadow_cache_is_tracked(sc, gpa), "track 0x%x", gpa);
			break;
		default: {
			uint32_t *t = shadow_cache_find_table(sc, arg & 1, la);
			uint32_t pde = sc->dir[sc->current][arg & 1][PDX(la)];

			FUZZ_CHECK(PDX(la) != sc->switcher_pdx || t == NULL, "switcher slot as a table");
			if (PDX(la) != sc->switcher_pdx)
				FUZZ_CHECK((t != NULL) == !!(pde & PTE_P) && (!t || t == table_at(pde)),
					   "find_table for 0x%x", la);
			break;
		}
		}
		check_switcher_slots();
		if (++n % FULL_CHECK_EVERY == 0)
			check_all();
	}
	check_all();
	return 0;
}
