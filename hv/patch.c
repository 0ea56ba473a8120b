/*
 * hv/patch.c: patching the guest before it runs.
 * Runs in: hypervisor, ring 0, once at load; patch_site_at() on the trap path.
 *
 * 1. The starting points are the ELF entry and every function symbol
 *    (hv/guest_symbols.c); the patcher (deprivilege/patcher.c) follows the
 *    code from there with Capstone, so only bytes that really are the start
 *    of an instruction are ever rewritten.
 * 2. Each site's first byte becomes INT3; the table of originals stays here.
 * 3. Under the inline mode (hv/patch_inline.c), each site the placement
 *    rules allow becomes a jump to patch code (deprivilege/inline_patch.c);
 *    POPF, PUSHF, PUSH CS and MOV from CS that they refuse trap as above,
 *    and CLI and STI they refuse keep trapping by themselves.
 * 4. With tracing on, the table is written as "tv:patch" lines.
 * Code the guest writes or loads later is not rescanned: see
 * deprivilege/README.md for what that would take.
 */
#include "hv/patch.h"
#include "hv/console.h"
#include "hv/patch_inline.h"
#include "hv/decode.h"
#include "hv/guest_symbols.h"
#include "hv/machine.h"
#include "hv/stats.h"
#include "lib/elf32.h"
#include "lib/string.h"

#define PATCH_MAX_ROOTS		4096
#define PATCH_MAX_CODE_BYTES	(8u << 20)	/* per executable segment */

/* Scratch of the one scan at load; what it finds is kept in the machine's patch table. */
static uint32_t roots[PATCH_MAX_ROOTS];
static uint8_t visited[PATCHER_BITMAP_BYTES(PATCH_MAX_CODE_BYTES)];
static uint8_t targets[PATCHER_BITMAP_BYTES(PATCH_MAX_CODE_BYTES)];

int patch_set_from_name(const char *name, unsigned *set)
{
	if (!strcmp(name, "none"))
		*set = 0;
	else if (!strcmp(name, "popf"))
		*set = PATCH_POPF | PATCH_PUSHF;
	else if (!strcmp(name, "all"))
		*set = PATCH_ALL;
	else if (!strcmp(name, "inline"))
		*set = PATCH_MODE_INLINE | PATCH_INLINE_SET;
	else
		return -1;
	return 0;
}

const char *patch_set_name(unsigned set)
{
	if (set & PATCH_MODE_INLINE)
		return "inline";
	return set == 0 ? "none" : set == PATCH_ALL ? "all" : "popf";
}

/* Keeps only the sites that trap when patched (CLI and STI trap by themselves). */
static unsigned keep_trap_kinds(struct patch_site *sites, unsigned n)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < n; i++)
		if (sites[i].kind & PATCH_ALL)
			sites[kept++] = sites[i];
	return kept;
}

/*
 * The inline mode for one executable segment: plan a region at each site
 * outside the regions before it, then write the jumps, and INT3 over the
 * trapping kinds no region took. found sites at sites[0..found), sorted.
 */
static unsigned patch_segment_inline(struct vcpu *v, const struct guest_image_segment *seg,
				     const struct patch_region *region, struct patch_site *sites,
				     unsigned found, unsigned *nregions_out)
{
	struct patch_table *t = machine_of(v)->patches;
	struct inline_plan *plan = &t->inline_plan;
	unsigned first_region = plan->nregions;
	uint32_t region_end = 0;
	uint8_t *code = v->mem + seg->gpa;

	for (unsigned k = 0; k < found; k++) {
		if (sites[k].la < region_end)
			continue;	/* emulated inside the region before */
		int rc = inline_plan_site(decode_handle(), region, visited, targets, sites[k].la, plan);
		if (rc == INLINE_OK) {
			const struct inline_region *r = &plan->regions[plan->nregions - 1];
			t->region_gpa[plan->nregions - 1] = seg->gpa + (r->la - seg->la);
			region_end = r->la + r->len;
			continue;
		}
		if (rc == INLINE_NO_ROOM)
			hv_exit_stopped("cannot patch the guest: %s", inline_status_text(rc));
		t->inline_refused++;
		if (sites[k].kind & PATCH_ALL)
			patcher_apply(code, seg->la, &sites[k]);
	}
	for (unsigned i = first_region; i < plan->nregions; i++)
		inline_apply(code, seg->la, &plan->regions[i]);
	*nregions_out += plan->nregions - first_region;
	return keep_trap_kinds(sites, found);
}

/* Sites of several segments, each list sorted: sort the whole by address. */
static void sort_sites(struct patch_site *sites, unsigned nsites)
{
	for (unsigned i = 1; i < nsites; i++) {
		struct patch_site s = sites[i];
		unsigned j = i;
		for (; j > 0 && sites[j - 1].la > s.la; j--)
			sites[j] = sites[j - 1];
		sites[j] = s;
	}
}

void patch_guest(struct vcpu *v, const void *file, size_t file_size,
		 const struct guest_image *img, unsigned set)
{
	struct patch_table *t = machine_of(v)->patches;
	struct patch_site *sites = t->sites;
	unsigned nsites = 0;

	t->nsites = 0;
	if (!set)
		return;
	int inline_mode = (set & PATCH_MODE_INLINE) != 0;
	unsigned nregions = 0;
	if (inline_mode) {
		uint32_t lowest_code = UINT32_MAX;
		for (unsigned i = 0; i < img->nsegments; i++)
			if ((img->seg[i].flags & PF_X) && img->seg[i].la < lowest_code)
				lowest_code = img->seg[i].la;
		patch_inline_start(t, lowest_code);
	}
	unsigned nroots = 0;
	roots[nroots++] = img->entry;
	nroots += guest_function_symbols(file, file_size, roots + nroots,
					 PATCH_MAX_ROOTS - nroots);

	for (unsigned i = 0; i < img->nsegments; i++) {
		const struct guest_image_segment *seg = &img->seg[i];
		if (!(seg->flags & PF_X))
			continue;
		if (seg->memsz > PATCH_MAX_CODE_BYTES)
			hv_exit_stopped("cannot patch: an executable segment of %u KiB (at most %u KiB)",
					seg->memsz >> 10, PATCH_MAX_CODE_BYTES >> 10);
		struct patch_region region = { seg->la, v->mem + seg->gpa, seg->memsz };
		unsigned found = 0;
		int status = patcher_scan_targets(decode_handle(), &region, roots, nroots,
						  set & ~PATCH_MODE_INLINE, visited, targets,
						  sites + nsites, PATCH_MAX_SITES - nsites, &found);
		if (status != PATCHER_OK)
			hv_exit_stopped("cannot patch the guest: %s", patcher_strerror(status));
		if (inline_mode) {
			nsites += patch_segment_inline(v, seg, &region, sites + nsites, found, &nregions);
			continue;
		}
		for (unsigned k = 0; k < found; k++)
			patcher_apply(v->mem + seg->gpa, seg->la, &sites[nsites + k]);
		nsites += found;
	}
	sort_sites(sites, nsites);
	t->nsites = nsites;

	for (unsigned i = 0; stats_tracing() && i < nsites; i++) {
		const struct decoded_insn *insn = decode_at(sites[i].la, sites[i].original,
							    sites[i].len);
		char q[80];
		console_quote(q, sizeof q, insn ? insn->text : "?");
		console_event("patch la=0x%08x len=%u insn=%s", sites[i].la, sites[i].len, q);
	}
	console_event("stat what=\"patched sites\" count=%u", nsites);
	if (inline_mode) {
		console_event("stat what=\"inline regions\" count=%u", nregions);
		console_event("stat what=\"inline refused\" count=%u", t->inline_refused);
		patch_inline_map(t);
	}
}

const struct patch_site *patch_site_at(const struct vcpu *v, uint32_t la)
{
	const struct patch_table *t = machine_of_const(v)->patches;
	return patcher_lookup(t->sites, t->nsites, la);
}
