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
#include "deprivilege/patcher.h"
#include "hv/guest_image.h"
#include "hv/vcpu.h"

/* A patched instruction arrives as INT3 through a DPL-0 gate: #GP((3 << 3) | 2). */
#define PATCH_TRAP_ERROR_CODE ((VEC_BP << 3) | 2)

#define PATCH_MAX_SITES		4096

/* The patched instructions, sorted by address: a member of struct machine. */
struct patch_table {
	struct patch_site sites[PATCH_MAX_SITES];
	unsigned nsites;
};

/* "none", "popf" (POPF and PUSHF) or "all" (every kind of deprivilege/patcher.h: PATCH_ALL). */
int patch_set_from_name(const char *name, unsigned *set);

/* Scan the loaded guest's executable segments and patch them; stops the guest if it cannot. */
void patch_guest(struct vcpu *v, const void *file, size_t file_size,
		 const struct guest_image *img, unsigned set);

/* The patched instruction at guest linear address la, or NULL. */
const struct patch_site *patch_site_at(const struct vcpu *v, uint32_t la);

#endif
