/*
 * shadow_pt/shadow_cache.c: kept shadow contexts, the pool of shadow page
 * tables, and the tracking of guest page-table pages (see shadow_cache.h and
 * shadow_pt/README.md, section 3).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include "shadow_pt/shadow_cache.h"

#include <stddef.h>

#include "lib/string.h"

static int bit_get(const uint8_t *map, uint32_t gpn) { return (map[gpn / 8] >> (gpn % 8)) & 1; }
static void bit_set(uint8_t *map, uint32_t gpn) { map[gpn / 8] |= (uint8_t)(1u << (gpn % 8)); }
static void bit_clear(uint8_t *map, uint32_t gpn) { map[gpn / 8] &= (uint8_t)~(1u << (gpn % 8)); }

/* Where the real CPU finds a table of this struct: its offset from phys_base. */
static uint32_t table_phys(const struct shadow_cache *sc, const uint32_t *table)
{
	return sc->phys_base + (uint32_t)((const char *)table - (const char *)sc);
}

/* The pool table a present directory entry names. */
static uint32_t *pool_table(struct shadow_cache *sc, uint32_t pde)
{
	uint32_t offset = (pde & PAGE_MASK) - sc->phys_base - (uint32_t)offsetof(struct shadow_cache, pool);
	return sc->pool[offset / PAGE_SIZE];
}

static void clear_directory(struct shadow_cache *sc, uint32_t *pd)
{
	memset(pd, 0, PAGE_SIZE);
	pd[sc->switcher_pdx] = sc->switcher_pde;
}

static void free_table(struct shadow_cache *sc, unsigned i)
{
	const struct shadow_table_meta *m = &sc->meta[i];
	sc->dir[m->context][m->mode][m->pdx] = 0;
	sc->meta[i].context = SHADOW_NO_CONTEXT;
	sc->counters.tables_dropped++;
}

static void empty_context(struct shadow_cache *sc, unsigned c)
{
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		if (sc->meta[i].context == c)
			sc->meta[i].context = SHADOW_NO_CONTEXT;
	clear_directory(sc, sc->dir[c][SHADOW_KERNEL]);
	clear_directory(sc, sc->dir[c][SHADOW_USER]);
}

void shadow_cache_init(struct shadow_cache *sc, uint32_t phys_base, uint32_t host_base,
		       uint32_t mem_bytes, unsigned switcher_pdx, uint32_t switcher_pde)
{
	/* The pool itself is zeroed table by table as it is handed out. */
	memset(sc->contexts, 0, sizeof sc->contexts);
	memset(sc->tracked, 0, sizeof sc->tracked);
	/* Only the guest's pages: zeroing 2 MiB for 32 MiB of guest would be slow under TCG. */
	memset(sc->writable_la, 0, (mem_bytes / PAGE_SIZE) * sizeof sc->writable_la[0]);
	memset(sc->rmap_overflow, 0, sizeof sc->rmap_overflow);
	memset(&sc->counters, 0, sizeof sc->counters);
	sc->current = 0;
	sc->use_clock = 0;
	sc->phys_base = phys_base;
	sc->host_base = host_base;
	sc->mem_bytes = mem_bytes;
	sc->switcher_pdx = switcher_pdx;
	sc->switcher_pde = switcher_pde;
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		sc->meta[i].context = SHADOW_NO_CONTEXT;
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		empty_context(sc, c);
}

uint32_t shadow_cache_cr3(const struct shadow_cache *sc, unsigned mode)
{
	return table_phys(sc, sc->dir[sc->current][mode]);
}

void shadow_cache_flush(struct shadow_cache *sc)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		empty_context(sc, c);
	memset(sc->tracked, 0, sizeof sc->tracked);
	/* No shadow entry is left: the ways still named only fail their check. */
	memset(sc->rmap_overflow, 0, sizeof sc->rmap_overflow);
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		if (sc->contexts[c].valid && sc->contexts[c].gcr3 < sc->mem_bytes)
			bit_set(sc->tracked, sc->contexts[c].gcr3 / PAGE_SIZE);
	sc->counters.flushes++;
}

/*
 * The shadow entry for linear page la in context c and mode, if it maps
 * guest page gpn writable; NULL otherwise.
 */
static uint32_t *writable_spte_at(struct shadow_cache *sc, unsigned c, unsigned mode, uint32_t la,
				  uint32_t gpn)
{
	uint32_t pde = sc->dir[c][mode][PDX(la)];
	if (PDX(la) == sc->switcher_pdx || !(pde & PTE_P))
		return 0;
	uint32_t *spte = &pool_table(sc, pde)[PTX(la)];
	uint32_t want = (sc->host_base + gpn * PAGE_SIZE) | PTE_P | PTE_W;
	return (*spte & (PAGE_MASK | PTE_P | PTE_W)) == want ? spte : 0;
}

/* Does some context still map gpn writable at la? */
static int writable_anywhere_at(struct shadow_cache *sc, uint32_t la, uint32_t gpn)
{
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
		for (unsigned mode = 0; mode < 2; mode++)
			if (writable_spte_at(sc, c, mode, la, gpn))
				return 1;
	return 0;
}

void shadow_cache_note_writable(struct shadow_cache *sc, uint32_t gpa, uint32_t la)
{
	if (gpa >= sc->mem_bytes)
		return;
	uint32_t gpn = gpa / PAGE_SIZE, *way = sc->writable_la[gpn], entry = (la & PAGE_MASK) | 1;
	for (unsigned k = 0; k < SHADOW_RMAP_WAYS; k++)
		if (way[k] == entry)
			return;
	/* A free way, or one whose linear page maps the page writable nowhere any more. */
	for (unsigned k = 0; k < SHADOW_RMAP_WAYS; k++) {
		if (!way[k] || !writable_anywhere_at(sc, way[k] & PAGE_MASK, gpn)) {
			way[k] = entry;
			return;
		}
	}
	bit_set(sc->rmap_overflow, gpn);
}

unsigned shadow_cache_write_protect(struct shadow_cache *sc, uint32_t gpa)
{
	if (gpa >= sc->mem_bytes)
		return 0;
	uint32_t gpn = gpa / PAGE_SIZE, *way = sc->writable_la[gpn];
	unsigned n = 0;

	for (unsigned k = 0; k < SHADOW_RMAP_WAYS; k++) {
		if (!way[k])
			continue;
		for (unsigned c = 0; c < SHADOW_CONTEXTS; c++)
			for (unsigned mode = 0; mode < 2; mode++) {
				uint32_t *spte = writable_spte_at(sc, c, mode, way[k] & PAGE_MASK, gpn);
				if (spte) {
					*spte &= ~PTE_W;
					n++;
				}
			}
		way[k] = 0;
	}
	if (bit_get(sc->rmap_overflow, gpn)) {
		/* More linear pages than the map holds: every table in use is searched. */
		uint32_t want = (sc->host_base + gpn * PAGE_SIZE) | PTE_P | PTE_W;
		for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++) {
			if (sc->meta[i].context == SHADOW_NO_CONTEXT)
				continue;
			for (unsigned j = 0; j < 1024; j++)
				if ((sc->pool[i][j] & (PAGE_MASK | PTE_P | PTE_W)) == want) {
					sc->pool[i][j] &= ~PTE_W;
					n++;
				}
		}
		bit_clear(sc->rmap_overflow, gpn);
		sc->counters.rmap_pool_scans++;
	}
	sc->counters.sptes_write_protected += n;
	return n;
}

void shadow_cache_track(struct shadow_cache *sc, uint32_t gpa)
{
	uint32_t gpn = gpa / PAGE_SIZE;
	if (gpa >= sc->mem_bytes || bit_get(sc->tracked, gpn))
		return;
	/*
	 * A kernel writes its new page tables first, then uses them: the
	 * entries it wrote them through go read-only, and nothing else of any
	 * shadow changes (this used to empty every shadow).
	 */
	shadow_cache_write_protect(sc, gpa);
	bit_set(sc->tracked, gpn);
	sc->counters.pages_tracked++;
}

int shadow_cache_is_tracked(const struct shadow_cache *sc, uint32_t gpa)
{
	return gpa < sc->mem_bytes && bit_get(sc->tracked, gpa / PAGE_SIZE);
}

void shadow_cache_switch(struct shadow_cache *sc, uint32_t gcr3)
{
	struct shadow_context *ctx = sc->contexts;
	unsigned victim = 0;

	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		if (ctx[c].valid && ctx[c].gcr3 == gcr3) {
			sc->current = c;
			ctx[c].last_used = ++sc->use_clock;
			sc->counters.contexts_reused++;
			return;
		}
		/* A free context first (its last_used means nothing), else the least recently used. */
		if (ctx[victim].valid && (!ctx[c].valid || ctx[c].last_used < ctx[victim].last_used))
			victim = c;
	}
	empty_context(sc, victim);
	ctx[victim].valid = 1;
	ctx[victim].gcr3 = gcr3;
	ctx[victim].last_used = ++sc->use_clock;
	sc->current = victim;
	sc->counters.contexts_built++;
	shadow_cache_track(sc, gcr3);
}

uint32_t *shadow_cache_find_table(struct shadow_cache *sc, unsigned mode, uint32_t la)
{
	uint32_t pde = sc->dir[sc->current][mode][PDX(la)];
	/* The switcher's PDE is present but names the switcher's page table, not one of the pool. */
	if (PDX(la) == sc->switcher_pdx)
		return 0;
	return (pde & PTE_P) ? pool_table(sc, pde) : 0;
}

uint32_t *shadow_cache_table(struct shadow_cache *sc, unsigned mode, uint32_t la,
			     uint32_t source_gpa, uint32_t gpde)
{
	uint32_t *pd = sc->dir[sc->current][mode];

	/* The switcher's slot is never a shadow table: nothing may be put in it. */
	if (PDX(la) == sc->switcher_pdx)
		return 0;
	/* First, since it may empty every shadow, this directory too. */
	shadow_cache_track(sc, source_gpa);
	if (pd[PDX(la)] & PTE_P)
		return pool_table(sc, pd[PDX(la)]);
	unsigned i = 0;
	while (i < SHADOW_POOL_PAGES && sc->meta[i].context != SHADOW_NO_CONTEXT)
		i++;
	if (i == SHADOW_POOL_PAGES) {
		shadow_cache_flush(sc);
		sc->counters.pool_dry_flushes++;
		/* The flush forgot every page table, this one too; nothing maps it now. */
		shadow_cache_track(sc, source_gpa);
		i = 0;
	}
	sc->meta[i] = (struct shadow_table_meta){ (uint8_t)sc->current, (uint8_t)mode,
						  (uint16_t)PDX(la), source_gpa, gpde };
	memset(sc->pool[i], 0, PAGE_SIZE);
	/* The directory entry allows everything; the table's entries say what is allowed. */
	pd[PDX(la)] = table_phys(sc, sc->pool[i]) | PTE_P | PTE_W | PTE_U;
	sc->counters.tables_built++;
	return sc->pool[i];
}

void shadow_cache_source_changed(struct shadow_cache *sc, uint32_t gpa)
{
	uint32_t page = gpa & PAGE_MASK;
	int directory = 0;
	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		if (!sc->contexts[c].valid || sc->contexts[c].gcr3 != page)
			continue;
		empty_context(sc, c);
		/*
		 * The directory of an address space the guest is not in was
		 * written: most likely freed and reused (xv6 frees a process's
		 * directory after exec and exit, and its next kernel stack or
		 * data may be that page). Kept, it would stay tracked and every
		 * write to the page would be stepped; forgotten, it costs nothing
		 * more than the emptied context would, should the guest load it.
		 */
		if (c == sc->current)
			directory = 1;
		else
			sc->contexts[c].valid = 0;
	}
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++)
		if (sc->meta[i].context != SHADOW_NO_CONTEXT && sc->meta[i].source_gpa == page)
			free_table(sc, i);
	/*
	 * No shadow table is built from the page now, so it needs no
	 * protection until one is again: a kernel that frees a page table and
	 * uses the page for data (xv6 does at every exit) would otherwise trap
	 * on every write to it. A kept context's directory stays tracked.
	 */
	if (!directory && page < sc->mem_bytes)
		bit_clear(sc->tracked, page / PAGE_SIZE);
}

uint32_t shadow_cache_current_gcr3(const struct shadow_cache *sc)
{
	const struct shadow_context *ctx = &sc->contexts[sc->current];
	return ctx->valid ? ctx->gcr3 : 0xFFFFFFFFu;
}

void shadow_cache_directory_changed(struct shadow_cache *sc, const uint32_t *gpd)
{
	uint32_t page = shadow_cache_current_gcr3(sc);
	if (page == 0xFFFFFFFFu)
		return;
	for (unsigned i = 0; i < SHADOW_POOL_PAGES; i++) {
		const struct shadow_table_meta *m = &sc->meta[i];
		if (m->context == SHADOW_NO_CONTEXT)
			continue;
		/*
		 * An entry that names the directory itself (a kernel's self-map)
		 * makes it a page table too, whose every entry may have changed.
		 */
		if (m->context == sc->current
			    ? gpd[m->pdx] != m->gpde || (m->gpde & PAGE_MASK) == page
			    : m->source_gpa == page)
			free_table(sc, i);
	}
}

void shadow_cache_guest_wrote(struct shadow_cache *sc, uint32_t gpa, uint32_t len)
{
	/* Tracked pages lie in guest memory: ending the range there also keeps gpa + len from wrapping. */
	if (gpa >= sc->mem_bytes || len == 0)
		return;
	uint32_t end = len > sc->mem_bytes - gpa ? sc->mem_bytes : gpa + len;
	for (uint32_t p = gpa & PAGE_MASK; p < end; p += PAGE_SIZE)
		if (bit_get(sc->tracked, p / PAGE_SIZE))
			shadow_cache_source_changed(sc, p);
}
