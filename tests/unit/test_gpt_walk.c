/*
 * tests/unit/test_gpt_walk.c: the guest page-table walker
 * (shadow_pt/gpt_walk.c) against Intel SDM vol. 3, 4.3 (32-bit paging),
 * 4.6 (access rights), 4.7 (page-fault error code) and 4.8 (accessed and
 * dirty flags).
 * Runs on: host (Check).
 *
 * Guest memory is an array; every write the walker makes through write32
 * is logged, so the tests can say exactly which A/D writes happen. The
 * synthetic tables:
 *   CR3 = 0x1000              the page directory
 *   la 0x00403ABC             PDE 1 at 0x1004 -> page table at 0x2000,
 *                             PTE 3 at 0x200C -> page 0x5000: gpa 0x5ABC
 *   la 0x00812345             PDE 2 at 0x1008, a 4 MiB page at 0x400000:
 *                             gpa 0x412345
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/x86.h"
#include "shadow_pt/gpt_walk.h"

#define MEM_MAX		(8u << 20)
#define MAX_WRITES	16

#define CR3		0x1000u
#define PT		0x2000u
#define PAGE		0x5000u
#define LA_SMALL	0x00403ABCu
#define PDE_SMALL_GPA	(CR3 + 4 * 1)
#define PTE_SMALL_GPA	(PT + 4 * 3)
#define GPA_SMALL	(PAGE + 0xABCu)
#define LARGE		0x00400000u
#define LA_LARGE	0x00812345u
#define PDE_LARGE_GPA	(CR3 + 4 * 2)
#define GPA_LARGE	(LARGE + 0x12345u)

#define PG_ON		(CR0_PG | CR0_PE)
#define PG_WP		(CR0_PG | CR0_PE | CR0_WP)

/* The kinds of access. */
#define SR	0u			/* supervisor read */
#define SW	PF_ERR_W		/* supervisor write */
#define UR	PF_ERR_U		/* user read */
#define UW	(PF_ERR_U | PF_ERR_W)	/* user write */

/* Guest memory: words, with a log of the walker's writes. */
static uint32_t words[MEM_MAX / 4];
static unsigned nwrites;
static struct { uint32_t gpa, v; } writes[MAX_WRITES];

static int fake_read32(void *ctx, uint32_t gpa, uint32_t *v);
static int fake_write32(void *ctx, uint32_t gpa, uint32_t v);

static struct guest_phys mem = {
	.ctx = words,
	.read32 = fake_read32,
	.write32 = fake_write32,
	.mem_bytes = MEM_MAX,
};

static int fake_read32(void *ctx, uint32_t gpa, uint32_t *v)
{
	uint32_t *w = ctx;

	ck_assert_msg((gpa & 3) == 0, "unaligned read at %08x", gpa);
	if (gpa >= mem.mem_bytes)
		return -1;
	*v = w[gpa / 4];
	return 0;
}

static int fake_write32(void *ctx, uint32_t gpa, uint32_t v)
{
	uint32_t *w = ctx;

	ck_assert_msg((gpa & 3) == 0, "unaligned write at %08x", gpa);
	if (gpa >= mem.mem_bytes)
		return -1;
	ck_assert_uint_lt(nwrites, MAX_WRITES);
	writes[nwrites].gpa = gpa;
	writes[nwrites].v = v;
	nwrites++;
	w[gpa / 4] = v;
	return 0;
}

static void reset(void)
{
	memset(words, 0, sizeof words);
	nwrites = 0;
	mem.mem_bytes = MEM_MAX;
}

static uint32_t peek(uint32_t gpa)
{
	return words[gpa / 4];
}

static void poke(uint32_t gpa, uint32_t v)
{
	words[gpa / 4] = v;
}

/* The 4 KiB mapping of LA_SMALL, with the given bits in PDE and PTE. */
static void map_small(uint32_t pde_bits, uint32_t pte_bits)
{
	poke(PDE_SMALL_GPA, PT | pde_bits);
	poke(PTE_SMALL_GPA, PAGE | pte_bits);
}

/* The 4 MiB mapping of LA_LARGE. */
static void map_large(uint32_t pde_bits)
{
	poke(PDE_LARGE_GPA, LARGE | PTE_PS | pde_bits);
}

static void expect_write(unsigned i, uint32_t gpa, uint32_t v)
{
	ck_assert_uint_gt(nwrites, i);
	ck_assert_msg(writes[i].gpa == gpa && writes[i].v == v,
		      "write %u: got %08x <- %08x, expected %08x <- %08x", i,
		      writes[i].gpa, writes[i].v, gpa, v);
}

/*
 * SDM 4.6, for 32-bit paging without SMAP/SMEP/NX. U and W are the
 * permissions of the whole translation: the AND of the U/S (R/W) bits of
 * every entry used. Supervisor reads are always allowed; supervisor writes
 * need W only when CR0.WP = 1; user accesses need U, and user writes W
 * whatever CR0.WP says.
 */
static const struct access_row {
	int u, w, wp;
	unsigned access;
	int allowed;
} access_rows[] = {
	/* U  W  WP access allowed */
	{ 0, 0, 0, SR, 1 }, { 0, 0, 0, SW, 1 }, { 0, 0, 0, UR, 0 }, { 0, 0, 0, UW, 0 },
	{ 0, 1, 0, SR, 1 }, { 0, 1, 0, SW, 1 }, { 0, 1, 0, UR, 0 }, { 0, 1, 0, UW, 0 },
	{ 1, 0, 0, SR, 1 }, { 1, 0, 0, SW, 1 }, { 1, 0, 0, UR, 1 }, { 1, 0, 0, UW, 0 },
	{ 1, 1, 0, SR, 1 }, { 1, 1, 0, SW, 1 }, { 1, 1, 0, UR, 1 }, { 1, 1, 0, UW, 1 },
	{ 0, 0, 1, SR, 1 }, { 0, 0, 1, SW, 0 }, { 0, 0, 1, UR, 0 }, { 0, 0, 1, UW, 0 },
	{ 0, 1, 1, SR, 1 }, { 0, 1, 1, SW, 1 }, { 0, 1, 1, UR, 0 }, { 0, 1, 1, UW, 0 },
	{ 1, 0, 1, SR, 1 }, { 1, 0, 1, SW, 0 }, { 1, 0, 1, UR, 1 }, { 1, 0, 1, UW, 0 },
	{ 1, 1, 1, SR, 1 }, { 1, 1, 1, SW, 1 }, { 1, 1, 1, UR, 1 }, { 1, 1, 1, UW, 1 },
};

static uint32_t bits(int u, int w)
{
	return PTE_P | (u ? PTE_U : 0) | (w ? PTE_W : 0);
}

/* Check one walk against a truth-table row. */
static void check_row(const struct access_row *r, enum gpt_result res,
		      const struct gpt_walk *w, uint32_t gpa, const char *what)
{
	if (r->allowed) {
		ck_assert_msg(res == GPT_OK, "%s: U=%d W=%d WP=%d access %x: "
			      "faulted (%x)", what, r->u, r->w, r->wp,
			      r->access, w->error_code);
		ck_assert_uint_eq(w->gpa, gpa);
	} else {
		ck_assert_msg(res == GPT_FAULT, "%s: U=%d W=%d WP=%d access %x: "
			      "allowed", what, r->u, r->w, r->wp, r->access);
		/* Present, so a protection fault: P=1, plus W and U. */
		ck_assert_uint_eq(w->error_code, PF_ERR_P | r->access);
	}
	ck_assert_int_eq(w->user, r->u);
	ck_assert_int_eq(w->writable, r->w);
	ck_assert_int_eq(w->supervisor_writable, r->w || !r->wp);
}

/* Every split of each row's U and W over the PDE and the PTE. */
START_TEST(permissions_4k)
{
	for (unsigned i = 0; i < sizeof access_rows / sizeof access_rows[0]; i++) {
		const struct access_row *r = &access_rows[i];
		for (unsigned split = 0; split < 16; split++) {
			int pde_u = split & 1, pde_w = (split >> 1) & 1;
			int pte_u = (split >> 2) & 1, pte_w = (split >> 3) & 1;
			struct gpt_walk w;
			enum gpt_result res;

			if ((pde_u & pte_u) != r->u || (pde_w & pte_w) != r->w)
				continue;
			reset();
			map_small(bits(pde_u, pde_w), bits(pte_u, pte_w));
			res = gpt_walk(&mem, CR3, r->wp ? PG_WP : PG_ON, 0,
				       LA_SMALL, r->access, 1, &w);
			check_row(r, res, &w, GPA_SMALL, "4 KiB");
			ck_assert_int_eq(w.large, 0);
		}
	}
}
END_TEST

START_TEST(permissions_4m)
{
	for (unsigned i = 0; i < sizeof access_rows / sizeof access_rows[0]; i++) {
		const struct access_row *r = &access_rows[i];
		struct gpt_walk w;
		enum gpt_result res;

		reset();
		map_large(bits(r->u, r->w));
		res = gpt_walk(&mem, CR3, r->wp ? PG_WP : PG_ON, CR4_PSE,
			       LA_LARGE, r->access, 1, &w);
		check_row(r, res, &w, GPA_LARGE, "4 MiB");
		ck_assert_int_eq(w.large, 1);
	}
}
END_TEST

/* A not-present PDE: P=0 in the error code, W and U from the access. */
START_TEST(not_present_pde)
{
	static const unsigned accesses[] = { SR, SW, UR, UW };

	for (unsigned i = 0; i < 4; i++) {
		struct gpt_walk w;

		reset();
		/* Everything but P set: still not present. */
		poke(PDE_SMALL_GPA, PT | PTE_W | PTE_U);
		ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_SMALL,
					  accesses[i], 1, &w), GPT_FAULT);
		ck_assert_uint_eq(w.error_code, accesses[i]);
		ck_assert_uint_eq(w.gpde_gpa, PDE_SMALL_GPA);
		ck_assert_uint_eq(nwrites, 0);
	}
}
END_TEST

/*
 * A not-present PTE: P=0. The PDE was used to find the page table, so the
 * CPU sets its A (SDM 4.8: "whenever the processor uses a paging-structure
 * entry"); the PTE is not written.
 */
START_TEST(not_present_pte)
{
	static const unsigned accesses[] = { SR, SW, UR, UW };

	for (unsigned i = 0; i < 4; i++) {
		struct gpt_walk w;

		reset();
		map_small(PTE_P | PTE_W | PTE_U, PTE_W | PTE_U);
		ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL,
					  accesses[i], 1, &w), GPT_FAULT);
		ck_assert_uint_eq(w.error_code, accesses[i]);
		ck_assert_uint_eq(w.gpte_gpa, PTE_SMALL_GPA);
		ck_assert_uint_eq(nwrites, 1);
		expect_write(0, PDE_SMALL_GPA, PT | PTE_P | PTE_W | PTE_U | PTE_A);
		ck_assert_uint_eq(peek(PTE_SMALL_GPA), PAGE | PTE_W | PTE_U);
	}
}
END_TEST

/* A read sets A in the PDE, then in the PTE; D stays clear. */
START_TEST(accessed_on_read)
{
	struct gpt_walk w;
	uint32_t pde = PT | PTE_P | PTE_W | PTE_U;
	uint32_t pte = PAGE | PTE_P | PTE_W | PTE_U;

	reset();
	map_small(PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, UR, 1, &w),
			 GPT_OK);
	ck_assert_uint_eq(nwrites, 2);
	expect_write(0, PDE_SMALL_GPA, pde | PTE_A);
	expect_write(1, PTE_SMALL_GPA, pte | PTE_A);
	ck_assert_uint_eq(w.gpde, pde | PTE_A);
	ck_assert_uint_eq(w.gpte, pte | PTE_A);
	ck_assert_int_eq(w.dirty, 0);

	/* Already set: the CPU writes only on change. */
	nwrites = 0;
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SR, 1, &w),
			 GPT_OK);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

/* A write sets D in the PTE, never in a PDE that points to a table. */
START_TEST(dirty_on_write)
{
	struct gpt_walk w;
	uint32_t pde = PT | PTE_P | PTE_W;
	uint32_t pte = PAGE | PTE_P | PTE_W;

	reset();
	map_small(PTE_P | PTE_W, PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SW, 1, &w),
			 GPT_OK);
	/* A and D together in one write of the PTE. */
	ck_assert_uint_eq(nwrites, 2);
	expect_write(0, PDE_SMALL_GPA, pde | PTE_A);
	expect_write(1, PTE_SMALL_GPA, pte | PTE_A | PTE_D);
	ck_assert_int_eq(w.dirty, 1);

	nwrites = 0;
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SW, 1, &w),
			 GPT_OK);
	ck_assert_uint_eq(nwrites, 0);

	/* A already set by a read, D added by the first write alone. */
	reset();
	map_small(PTE_P | PTE_W | PTE_A, PTE_P | PTE_W | PTE_A);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SW, 1, &w),
			 GPT_OK);
	ck_assert_uint_eq(nwrites, 1);
	expect_write(0, PTE_SMALL_GPA, pte | PTE_A | PTE_D);
}
END_TEST

/* A protection fault sets nothing in the leaf (the PDE was used: A). */
START_TEST(no_accessed_dirty_on_fault)
{
	struct gpt_walk w;

	reset();
	map_small(PTE_P | PTE_W | PTE_U | PTE_A, PTE_P | PTE_U);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, UW, 1, &w),
			 GPT_FAULT);
	ck_assert_uint_eq(w.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_U);
	ck_assert_uint_eq(nwrites, 0);

	reset();
	map_large(PTE_P);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE, UR, 1,
				  &w), GPT_FAULT);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

/* Without set_accessed_dirty nothing is written, and D is as it was. */
START_TEST(no_writes_when_not_asked)
{
	struct gpt_walk w;

	reset();
	map_small(PTE_P | PTE_W, PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SW, 0, &w),
			 GPT_OK);
	ck_assert_uint_eq(nwrites, 0);
	ck_assert_int_eq(w.dirty, 0);
	ck_assert_uint_eq(w.gpte, PAGE | PTE_P | PTE_W);
}
END_TEST

/* 4 MiB pages: A, and D on a write, go into the PDE, the leaf. */
START_TEST(large_accessed_dirty)
{
	struct gpt_walk w;
	uint32_t pde = LARGE | PTE_PS | PTE_P | PTE_W;

	reset();
	map_large(PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE, SR, 1,
				  &w), GPT_OK);
	ck_assert_uint_eq(w.gpa, GPA_LARGE);
	ck_assert_uint_eq(nwrites, 1);
	expect_write(0, PDE_LARGE_GPA, pde | PTE_A);
	ck_assert_int_eq(w.dirty, 0);

	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE, SW, 1,
				  &w), GPT_OK);
	ck_assert_uint_eq(nwrites, 2);
	expect_write(1, PDE_LARGE_GPA, pde | PTE_A | PTE_D);
	ck_assert_int_eq(w.dirty, 1);
	ck_assert_uint_eq(w.gpte_gpa, 0);

	/* A fresh one, written first: A and D in one write. */
	reset();
	map_large(PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE, SW, 1,
				  &w), GPT_OK);
	ck_assert_uint_eq(nwrites, 1);
	expect_write(0, PDE_LARGE_GPA, pde | PTE_A | PTE_D);
}
END_TEST

/* With CR4.PSE = 0 the PS bit is ignored: the PDE names a page table. */
START_TEST(ps_ignored_without_pse)
{
	struct gpt_walk w;

	reset();
	map_small(PTE_P | PTE_W | PTE_PS, PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SR, 0, &w),
			 GPT_OK);
	ck_assert_int_eq(w.large, 0);
	ck_assert_uint_eq(w.gpa, GPA_SMALL);
	ck_assert_uint_eq(w.gpte_gpa, PTE_SMALL_GPA);
}
END_TEST

/*
 * A 4 MiB PDE's bit 21 is reserved (SDM table 4-4 with PSE-36, which QEMU
 * implements): #PF with RSVD, and nothing written. The SDM (4.7) would set
 * P too; QEMU 7.2 reports RSVD without P, and the guest is compared with
 * itself on QEMU.
 */
START_TEST(large_reserved_bit)
{
	static const unsigned accesses[] = { SR, SW, UR, UW };

	for (unsigned i = 0; i < 4; i++) {
		struct gpt_walk w;

		reset();
		map_large(PTE_P | PTE_W | PTE_U | 0x00200000u);
		ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE,
					  accesses[i], 1, &w), GPT_FAULT);
		ck_assert_uint_eq(w.error_code,
				  PF_ERR_RSVD | accesses[i]);
		ck_assert_uint_eq(nwrites, 0);
	}
}
END_TEST

/* Bits 20:13 of a 4 MiB PDE are address bits 39:32: above 4 GiB. */
START_TEST(large_above_4g)
{
	struct gpt_walk w;

	reset();
	map_large(PTE_P | PTE_W | (1u << 13));
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, LA_LARGE, SR, 1,
				  &w), GPT_OUTSIDE);
	ck_assert_int_eq(w.outside, 1);
	ck_assert_uint_eq(w.gpa, 0xFFFFFFFFu);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

/* The page directory itself outside guest memory. */
START_TEST(outside_directory)
{
	struct gpt_walk w;

	reset();
	ck_assert_int_eq(gpt_walk(&mem, 0x00900000u, PG_WP, 0, LA_SMALL, SR, 1,
				  &w), GPT_OUTSIDE);
	ck_assert_int_eq(w.outside, 1);
	ck_assert_uint_eq(w.gpa, 0x00900000u + 4 * 1);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

/* A PDE naming a page table outside guest memory: nothing written. */
START_TEST(outside_table)
{
	struct gpt_walk w;

	reset();
	poke(PDE_SMALL_GPA, 0x00A00000u | PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SR, 1, &w),
			 GPT_OUTSIDE);
	ck_assert_uint_eq(w.gpa, 0x00A00000u + 4 * 3);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

/*
 * A PTE naming a page outside guest memory: the PDE was used (A), the
 * leaf gets no A/D, since the access cannot be done.
 */
START_TEST(outside_page)
{
	struct gpt_walk w;

	reset();
	poke(PDE_SMALL_GPA, PT | PTE_P | PTE_W);
	poke(PTE_SMALL_GPA, 0x00C00000u | PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SW, 1, &w),
			 GPT_OUTSIDE);
	ck_assert_uint_eq(w.gpa, 0x00C00ABCu);
	ck_assert_uint_eq(nwrites, 1);
	expect_write(0, PDE_SMALL_GPA, PT | PTE_P | PTE_W | PTE_A);

	/* The guest's own #PF comes first: that is what the guest sees. */
	reset();
	poke(PDE_SMALL_GPA, PT | PTE_P | PTE_W | PTE_A);
	poke(PTE_SMALL_GPA, 0x00C00000u | PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, UR, 1, &w),
			 GPT_FAULT);
	ck_assert_uint_eq(w.error_code, PF_ERR_P | PF_ERR_U);
}
END_TEST

/* A 4 MiB page partly beyond the end of a 6 MiB guest: each 4 KiB counts. */
START_TEST(large_partly_outside)
{
	struct gpt_walk w;

	reset();
	mem.mem_bytes = 6u << 20;
	map_large(PTE_P | PTE_W);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, 0x00900000u, SR, 1,
				  &w), GPT_OK);
	ck_assert_uint_eq(w.gpa, 0x00500000u);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, CR4_PSE, 0x00BFF000u, SR, 1,
				  &w), GPT_OUTSIDE);
	ck_assert_uint_eq(w.gpa, 0x007FF000u);
	/* Only the first walk's A. */
	ck_assert_uint_eq(nwrites, 1);
}
END_TEST

/* G counts in the leaf only, and only with CR4.PGE. */
START_TEST(global_pages)
{
	struct gpt_walk w;

	reset();
	map_small(PTE_P, PTE_P | PTE_G);
	gpt_walk(&mem, CR3, PG_WP, CR4_PGE, LA_SMALL, SR, 0, &w);
	ck_assert_int_eq(w.global, 1);
	gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL, SR, 0, &w);
	ck_assert_int_eq(w.global, 0);

	/* G in a PDE that names a page table is ignored. */
	map_small(PTE_P | PTE_G, PTE_P);
	gpt_walk(&mem, CR3, PG_WP, CR4_PGE, LA_SMALL, SR, 0, &w);
	ck_assert_int_eq(w.global, 0);

	map_large(PTE_P | PTE_G);
	gpt_walk(&mem, CR3, PG_WP, CR4_PGE | CR4_PSE, LA_LARGE, SR, 0, &w);
	ck_assert_int_eq(w.global, 1);
}
END_TEST

/* Fetches are checked as reads; no I/D bit without NX. */
START_TEST(fetch_is_read)
{
	struct gpt_walk w;

	reset();
	map_small(PTE_P, PTE_P);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL,
				  GPT_ACCESS_FETCH, 0, &w), GPT_OK);
	ck_assert_int_eq(gpt_walk(&mem, CR3, PG_WP, 0, LA_SMALL,
				  GPT_ACCESS_FETCH | PF_ERR_U, 0, &w), GPT_FAULT);
	ck_assert_uint_eq(w.error_code, PF_ERR_P | PF_ERR_U);
}
END_TEST

/* Paging off: linear is physical, inside guest memory only. */
START_TEST(paging_off)
{
	struct gpt_walk w;

	reset();
	ck_assert_int_eq(gpt_walk(&mem, CR3, CR0_PE, 0, 0x00123456u, UW, 1, &w),
			 GPT_OK);
	ck_assert_uint_eq(w.gpa, 0x00123456u);
	ck_assert_int_eq(w.writable && w.user && w.dirty, 1);
	ck_assert_int_eq(gpt_walk(&mem, CR3, CR0_PE, 0, MEM_MAX, SR, 1, &w),
			 GPT_OUTSIDE);
	ck_assert_uint_eq(w.gpa, MEM_MAX);
	ck_assert_uint_eq(nwrites, 0);
}
END_TEST

static Suite *gpt_walk_suite(void)
{
	Suite *s = suite_create("gpt_walk");
	TCase *perm = tcase_create("permissions");
	TCase *ad = tcase_create("accessed_dirty");
	TCase *pse = tcase_create("large_pages");
	TCase *out = tcase_create("outside");
	TCase *misc = tcase_create("misc");

	tcase_add_test(perm, permissions_4k);
	tcase_add_test(perm, permissions_4m);
	tcase_add_test(perm, not_present_pde);
	tcase_add_test(perm, not_present_pte);
	tcase_add_test(perm, fetch_is_read);
	tcase_add_test(ad, accessed_on_read);
	tcase_add_test(ad, dirty_on_write);
	tcase_add_test(ad, no_accessed_dirty_on_fault);
	tcase_add_test(ad, no_writes_when_not_asked);
	tcase_add_test(pse, large_accessed_dirty);
	tcase_add_test(pse, ps_ignored_without_pse);
	tcase_add_test(pse, large_reserved_bit);
	tcase_add_test(pse, large_above_4g);
	tcase_add_test(out, outside_directory);
	tcase_add_test(out, outside_table);
	tcase_add_test(out, outside_page);
	tcase_add_test(out, large_partly_outside);
	tcase_add_test(misc, global_pages);
	tcase_add_test(misc, paging_off);
	suite_add_tcase(s, perm);
	suite_add_tcase(s, ad);
	suite_add_tcase(s, pse);
	suite_add_tcase(s, out);
	suite_add_tcase(s, misc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gpt_walk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
