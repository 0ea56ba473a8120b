/*
 * hv/patch.h: the cure by patching, on the hypervisor's side: rewrite the
 * guest's sensitive-but-unprivileged instructions before it runs, and
 * emulate each when it traps.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_PATCH_H
#define TV_HV_PATCH_H

#include <stddef.h>
#include <stdint.h>
#include "deprivilege/inline_patch.h"
#include "deprivilege/patcher.h"
#include "hv/guest_image.h"
#include "hv/vcpu.h"

/* A patched instruction arrives as INT3 through a DPL-0 gate: #GP((3 << 3) | 2). */
#define PATCH_TRAP_ERROR_CODE ((VEC_BP << 3) | 2)

#define PATCH_MAX_SITES		4096
#define PATCH_INLINE_MAX_POINTS	(8 * PATCH_MAX_SITES)

/* Not an instruction kind: the set asks for the inline mode (hv/patch_inline.c). */
#define PATCH_MODE_INLINE	0x10000

/*
 * The patched instructions: a member of struct machine. sites holds those
 * that trap (INT3), sorted by address; under the inline mode also those
 * inside inline regions (they trap once their region is undone). inline
 * holds the regions run without a trap and their points.
 */
struct patch_table {
	struct patch_site sites[PATCH_MAX_SITES];
	unsigned nsites;
	struct inline_plan inline_plan;
	struct inline_region regions[PATCH_MAX_SITES];
	uint32_t region_gpa[PATCH_MAX_SITES];	/* where each region's bytes lie in guest memory */
	struct inline_point points[PATCH_INLINE_MAX_POINTS];
	unsigned inline_refused;	/* sites the placement rules left trapping */
};

/*
 * "none", "popf" (POPF and PUSHF), "all" (every kind of deprivilege/patcher.h:
 * PATCH_ALL), each rewritten to trap, or "inline" (those, and CLI and STI, run
 * without a trap where the placement rules allow: PATCH_MODE_INLINE |
 * PATCH_INLINE_SET).
 */
int patch_set_from_name(const char *name, unsigned *set);

/* The name patch_set_from_name() takes for set. */
const char *patch_set_name(unsigned set);

/* Scan the loaded guest's executable segments and patch them; stops the guest if it cannot. */
void patch_guest(struct vcpu *v, const void *file, size_t file_size,
		 const struct guest_image *img, unsigned set);

/* The patched instruction at guest linear address la, or NULL. */
const struct patch_site *patch_site_at(const struct vcpu *v, uint32_t la);

#endif
