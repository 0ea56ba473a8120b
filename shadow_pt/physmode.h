/*
 * shadow_pt/physmode.h: the page tables a guest runs on while its own
 * paging is off ("physical mode").
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_SHADOW_PT_PHYSMODE_H
#define TV_SHADOW_PT_PHYSMODE_H

#include <stdint.h>

/*
 * Build tables mapping guest-linear 0..mem_bytes onto host-physical
 * host_base..host_base+mem_bytes, plus the switcher (switcher_pde).
 * Returns the value for CR3, or 0 if mem_bytes is too large.
 */
uint32_t physmode_build(uint32_t host_base, uint32_t mem_bytes,
			uint32_t switcher_pde);

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
uint32_t physmode_build_user(uint32_t host_base, uint32_t mem_bytes,
			     const struct physmode_range *ranges, unsigned nranges,
			     uint32_t switcher_pde);

#endif
