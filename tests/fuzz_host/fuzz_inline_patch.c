/*
 * tests/fuzz_host/fuzz_inline_patch.c: fuzzes the inline patch mode's
 * placement and patch code (deprivilege/inline_patch.c) with any code
 * bytes, addresses and roots, planned as hv/patch.c plans them: every site
 * the scan finds, in address order, each outside the regions before it.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: as the patcher target's (tests/fuzz_host/fuzz_patcher.c): the
 * region's address (u32), a byte whose low bit chooses ring 1 or 3 and
 * whose next bits size the patch code area, a byte unused, a root count
 * (u8) and that many roots (u16 offsets), then the code.
 *
 * Properties, from deprivilege/inline_patch.h:
 *   1. Only the code area and the tables are written, within their sizes
 *      (each allocated to its exact size, so ASan sees a byte past one).
 *   2. A region: at least 5 bytes, at most INLINE_REGION_MAX, inside the
 *      code, holding its site (at its start, or after the instructions
 *      before it that moved with it), its original bytes the code's; no way in
 *      (a root, branch or call target, return address) after its first
 *      byte; regions sorted and apart; the first planned at each site not
 *      inside an earlier one, or refused with a known status.
 *   3. Its patch code lies in the area, after the one before; every point
 *      is inside it, in increasing order, and at an instruction boundary of
 *      the code as Capstone decodes it from the region's start; every byte
 *      of the patch code decodes.
 *   4. Lookups: inside, by code and resume agree with the regions and points.
 *   5. Applying every region writes a JMP rel32 to its code and INT3 after;
 *      restoring gives the code back.
 */
#include <string.h>

#include "deprivilege/inline_patch.h"
#include "tests/fuzz_host/fuzz_input.h"

#define MAX_ROOTS	16
#define SITES_MAX	256
#define CODE_LA		0xFFD02000u
#define STATE_LA	0xFFD00000u

static csh cs;
/*
 * Property 3 needs only instruction boundaries, which do not depend on
 * Capstone's detail: a second handle without it decodes the patch code
 * without clearing and filling a detail record per instruction (the scan
 * and the planner keep the detailed handle).
 */
static csh cs_plain;
static cs_insn *insn;

static int bit(const uint8_t *bitmap, uint32_t off)
{
	return (bitmap[off / 8] >> (off % 8)) & 1;
}

/* Property 3: the points of region r are instruction boundaries of its code. */
static void check_code(const struct inline_plan *plan, const struct inline_region *r)
{
	const uint8_t *p = plan->code + (r->code_la - plan->code_la);
	size_t avail = r->code_len;
	uint64_t address = r->code_la;
	unsigned k = 0;

	for (;;) {
		uint32_t at = (uint32_t)address;
		while (k < r->npoints && plan->points[r->first_point + k].patch_la < at)
			FUZZ_CHECK(0, "point 0x%x is inside an instruction of the patch code",
				   plan->points[r->first_point + k].patch_la);
		while (k < r->npoints && plan->points[r->first_point + k].patch_la == at)
			k++;
		if (!avail)
			break;
		FUZZ_CHECK(cs_disasm_iter(cs_plain, &p, &avail, &address, insn),
			   "patch code of 0x%x does not decode at 0x%x", r->la, at);
	}
	FUZZ_CHECK(k == r->npoints, "region 0x%x: point past its code", r->la);
}

static void check_regions(const struct patch_region *code, const uint8_t *visited,
			  const uint8_t *targets, const struct inline_plan *plan)
{
	uint32_t code_end = plan->code_la;

	for (unsigned i = 0; i < plan->nregions; i++) {
		const struct inline_region *r = &plan->regions[i];
		uint32_t off = r->la - code->la;

		FUZZ_CHECK(r->len >= INLINE_JUMP_LEN && r->len <= INLINE_REGION_MAX,
			   "region 0x%x: length %u", r->la, r->len);
		FUZZ_CHECK(off < code->size && r->len <= code->size - off, "region 0x%x outside",
			   r->la);
		FUZZ_CHECK(i == 0 || plan->regions[i - 1].la + plan->regions[i - 1].len <= r->la,
			   "regions %u and %u overlap", i - 1, i);
		FUZZ_CHECK(bit(visited, off), "region 0x%x: not a reached instruction", r->la);
		FUZZ_CHECK(memcmp(r->original, code->bytes + off, r->len) == 0,
			   "region 0x%x: original bytes", r->la);
		for (uint32_t b = 1; b < r->len; b++)
			FUZZ_CHECK(!bit(targets, off + b), "region 0x%x: a way in at +%u", r->la, b);
		FUZZ_CHECK(r->code_la >= code_end && r->code_len > 0 &&
			   r->code_la + r->code_len <= plan->code_la + plan->code_used,
			   "region 0x%x: its code 0x%x+%u", r->la, r->code_la, r->code_len);
		code_end = r->code_la + r->code_len;
		FUZZ_CHECK(r->first_point + r->npoints <= plan->npoints && r->npoints > 0,
			   "region 0x%x: points", r->la);
		for (unsigned k = 0; k < r->npoints; k++) {
			const struct inline_point *pt = &plan->points[r->first_point + k];
			FUZZ_CHECK(pt->patch_la >= r->code_la && pt->patch_la < r->code_la + r->code_len,
				   "region 0x%x: point 0x%x outside its code", r->la, pt->patch_la);
			FUZZ_CHECK(k == 0 || plan->points[r->first_point + k - 1].patch_la < pt->patch_la,
				   "region 0x%x: points out of order", r->la);
			FUZZ_CHECK(pt->kind >= INLINE_AT_INSN && pt->kind <= INLINE_AT_IRET_WRITE,
				   "point kind %u", pt->kind);
			/* An IRET template's points stand for its IRET, inside the region. */
			if (pt->kind >= INLINE_AT_IRET)
				FUZZ_CHECK(pt->guest_la >= r->la && pt->guest_la < r->la + r->len,
					   "IRET point for 0x%x outside region 0x%x", pt->guest_la, r->la);
			FUZZ_CHECK(inline_point_at(plan, pt->patch_la) == pt, "point lookup 0x%x",
				   pt->patch_la);
			if (pt->kind == INLINE_AT_INSN || pt->kind == INLINE_IN_SHADOW) {
				FUZZ_CHECK(pt->guest_la >= r->la && pt->guest_la - r->la <= r->len,
					   "point for 0x%x outside region 0x%x", pt->guest_la, r->la);
				if (pt->guest_la > r->la && pt->guest_la < r->la + r->len)
					FUZZ_CHECK(inline_resume_at(plan, r, pt->guest_la) != 0,
						   "no resume at 0x%x", pt->guest_la);
			}
		}
		FUZZ_CHECK(plan->points[r->first_point].guest_la == r->la,
			   "region 0x%x: the first point is not the site", r->la);
		FUZZ_CHECK(inline_region_by_code(plan, r->code_la) == r, "by code 0x%x", r->code_la);
		FUZZ_CHECK(inline_region_inside(plan, r->la) != r, "inside at the site 0x%x", r->la);
		FUZZ_CHECK(inline_region_inside(plan, r->la + r->len - 1) == r, "inside 0x%x", r->la);
		check_code(plan, r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t la = fuzz_u32(&in);
	uint8_t mode = fuzz_u8(&in);
	(void)fuzz_u8(&in);
	unsigned nroots = fuzz_u8(&in) % (MAX_ROOTS + 1);
	uint32_t roots[MAX_ROOTS];

	if (!cs) {
		FUZZ_CHECK(cs_open(CS_ARCH_X86, CS_MODE_32, &cs) == CS_ERR_OK, "cs_open");
		FUZZ_CHECK(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK, "detail");
		FUZZ_CHECK(cs_open(CS_ARCH_X86, CS_MODE_32, &cs_plain) == CS_ERR_OK, "cs_open");
		insn = cs_malloc(cs_plain);
	}
	for (unsigned i = 0; i < nroots; i++)
		roots[i] = la + fuzz_u16(&in);

	struct patch_region code = { la, NULL, (uint32_t)in.size };
	if (code.size && la + (code.size - 1) < la)
		return 0;	/* the patcher refuses it (its own target checks that) */
	uint8_t *bytes = malloc(in.size ? in.size : 1);
	memcpy(bytes, in.data, in.size);
	code.bytes = bytes;
	size_t bitmap_bytes = PATCHER_BITMAP_BYTES(code.size);
	uint8_t *visited = malloc(bitmap_bytes ? bitmap_bytes : 1);
	uint8_t *targets = malloc(bitmap_bytes ? bitmap_bytes : 1);
	struct patch_site *sites = malloc(SITES_MAX * sizeof(*sites));
	unsigned n = 0;

	int rc = patcher_scan_targets(cs, &code, roots, nroots, PATCH_INLINE_SET, visited, targets,
				      sites, SITES_MAX, &n);
	if (rc != PATCHER_OK && rc != PATCHER_ERR_OVERLAP)
		goto out;

	/* A small area sometimes, so that it fills up. */
	uint32_t area = (mode & 0x0E) ? 4096 : 96;
	struct inline_plan plan;
	memset(&plan, 0, sizeof plan);
	plan.code = malloc(area);
	memset(plan.code, 0xCC, area);
	plan.code_la = CODE_LA;
	plan.code_size = area;
	plan.max_regions = n ? n : 1;
	plan.regions = malloc(plan.max_regions * sizeof(*plan.regions));
	plan.max_points = 8 * plan.max_regions;
	plan.points = malloc(plan.max_points * sizeof(*plan.points));
	plan.layout = (struct inline_layout){ STATE_LA, STATE_LA + 4, STATE_LA + 8,
					      STATE_LA + 0x1000, STATE_LA + 0x1400,
					      (mode & 1) ? 3u : 1u, STATE_LA + 12, STATE_LA + 16,
					      0xFFBFFFEC, STATE_LA + 0x1800, la, STATE_LA + 20 };

	uint32_t region_end = 0;
	for (unsigned k = 0; k < n; k++) {
		if (sites[k].la < region_end)
			continue;
		unsigned before = plan.nregions, points_before = plan.npoints;
		uint32_t used_before = plan.code_used;
		int st = inline_plan_site(cs, &code, visited, targets, sites[k].la, &plan);
		FUZZ_CHECK(strlen(inline_status_text(st)) > 0, "no text for %d", st);
		if (st == INLINE_OK) {
			const struct inline_region *r = &plan.regions[before];
			FUZZ_CHECK(plan.nregions == before + 1 && r->la <= sites[k].la &&
				   sites[k].la - r->la < r->len, "site 0x%x: no region", sites[k].la);
			region_end = r->la + r->len;
		} else {
			FUZZ_CHECK(st >= INLINE_NOT_EXACT && st <= INLINE_BAD_SITE, "status %d", st);
			FUZZ_CHECK(plan.nregions == before && plan.npoints == points_before &&
				   plan.code_used == used_before, "a refusal changed the plan");
		}
	}
	check_regions(&code, visited, targets, &plan);

	/* Property 5. */
	uint8_t *copy = malloc(code.size ? code.size : 1);
	memcpy(copy, code.bytes, code.size);
	for (unsigned i = 0; i < plan.nregions; i++) {
		const struct inline_region *r = &plan.regions[i];
		inline_apply(copy, code.la, r);
		uint8_t *at = copy + (r->la - code.la);
		uint32_t rel;
		memcpy(&rel, at + 1, 4);
		FUZZ_CHECK(at[0] == 0xE9 && r->la + INLINE_JUMP_LEN + rel == r->code_la,
			   "region 0x%x: the jump", r->la);
		for (unsigned b = INLINE_JUMP_LEN; b < r->len; b++)
			FUZZ_CHECK(at[b] == 0xCC, "region 0x%x: +%u not INT3", r->la, b);
	}
	for (unsigned i = 0; i < plan.nregions; i++)
		inline_restore(copy, code.la, &plan.regions[i]);
	FUZZ_CHECK(memcmp(copy, code.bytes, code.size) == 0, "restore did not give the code back");
	free(copy);
	free(plan.code);
	free(plan.regions);
	free(plan.points);
out:
	free(bytes);
	free(visited);
	free(targets);
	free(sites);
	return 0;
}
