/*
 * shadow_pt/physmode.h: the page tables a guest runs on while its own
 * paging is off ("physical mode").
 * Runs in: hypervisor, ring 0 (pure logic: it fills tables the caller owns).
 */
#ifndef TV_SHADOW_PT_PHYSMODE_H
#define TV_SHADOW_PT_PHYSMODE_H

#include <stdint.h>

/* Guest memory of up to this many MiB fits in one set of tables. */
#define PHYSMODE_MAX_MIB	1024
#define PHYSMODE_MAX_TABLES	(PHYSMODE_MAX_MIB / 4)

/* One address space: a page directory and the page tables it may need. */
struct physmode_tables {
	uint32_t pd[1024] __attribute__((aligned(4096)));
	uint32_t pts[PHYSMODE_MAX_TABLES][1024] __attribute__((aligned(4096)));
};

/*
 * Fill t to map guest-linear 0..mem_bytes onto host-physical
 * host_base..host_base+mem_bytes, plus the switcher (switcher_pde in slot
 * switcher_pdx). Returns the value for CR3 (t's address: the hypervisor is
 * identity-mapped), or 0 if mem_bytes is too large.
 */
uint32_t physmode_build(struct physmode_tables *t, uint32_t host_base, uint32_t mem_bytes,
			unsigned switcher_pdx, uint32_t switcher_pde);

/* A span of guest-linear (= guest-physical) memory. */
struct physmode_range {
	uint32_t start;
	uint32_t length;
};

/*
 * The guest's user-mode tables: only the pages that overlap one of the
 * ranges (its user segments) are mapped; the rest of guest memory is not,
 * so user code reaching outside its segments faults.
 */
uint32_t physmode_build_user(struct physmode_tables *t, uint32_t host_base, uint32_t mem_bytes,
			     const struct physmode_range *ranges, unsigned nranges,
			     unsigned switcher_pdx, uint32_t switcher_pde);

#endif
