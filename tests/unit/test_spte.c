/*
 * tests/unit/test_spte.c: shadow entries from guest walks, the error code
 * the guest sees, and the guest-entry check (shadow_pt/spte.c).
 * Runs on: host (Check).
 *
 * The expectations follow the design in shadow_pt/README.md: the real CPU
 * runs the guest kernel in ring 1 or 3 and guest user code in ring 3, with
 * CR0.WP = 1 always; the shadow must let through exactly what the guest's
 * own tables let through at the guest's virtual CPL, except that a page the
 * guest has not dirtied yet stays read-only so its first write comes to the
 * hypervisor (SDM vol. 3, 4.8: the CPU sets D on the first write).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/x86.h"
#include "shadow_pt/gpt_walk.h"
#include "shadow_pt/spte.h"

#define HOST_BASE	0x01000000u	/* guest memory in host memory */
#define MEM_BYTES	(8u << 20)

#define SR	0u
#define SW	PF_ERR_W
#define UR	PF_ERR_U
#define UW	(PF_ERR_U | PF_ERR_W)

/*
 * A walk's result as the walker reports it: u and w the guest's combined
 * U/S and R/W, wp the guest's CR0.WP, dirty its D bit.
 */
static struct gpt_walk walk(int u, int w, int wp, int dirty)
{
	return (struct gpt_walk){
		.gpa = 0x5ABC,
		.user = u,
		.writable = w,
		.supervisor_writable = w || !wp,
		.dirty = dirty,
	};
}

#define FRAME	(HOST_BASE + 0x5000u)

static void expect_spte(uint32_t got, uint32_t expected, const char *what)
{
	ck_assert_msg(got == expected, "%s: got %08x, expected %08x", what,
		      got, expected);
}

/* The frame: host_base + the guest page, and the offset dropped. */
START_TEST(frame_address)
{
	struct gpt_walk w = walk(1, 1, 1, 1);

	expect_spte(spte_from_gpte(&w, HOST_BASE, 1, 0, SR) & PAGE_MASK, FRAME,
		    "frame");
}
END_TEST

/* Read-only until dirty, in every kind of shadow. */
START_TEST(read_only_until_dirty)
{
	struct gpt_walk clean = walk(1, 1, 1, 0), dirty = walk(1, 1, 1, 1);

	expect_spte(spte_from_gpte(&clean, HOST_BASE, 1, 0, SR),
		    FRAME | PTE_P | PTE_U, "ring 1, clean");
	expect_spte(spte_from_gpte(&dirty, HOST_BASE, 1, 0, SR),
		    FRAME | PTE_P | PTE_U | PTE_W, "ring 1, dirty");
	expect_spte(spte_from_gpte(&clean, HOST_BASE, 3, 0, SR),
		    FRAME | PTE_P | PTE_U, "ring 3 kernel, clean");
	expect_spte(spte_from_gpte(&dirty, HOST_BASE, 3, 0, SR),
		    FRAME | PTE_P | PTE_U | PTE_W, "ring 3 kernel, dirty");
	expect_spte(spte_from_gpte(&clean, HOST_BASE, 3, 1, UR),
		    FRAME | PTE_P | PTE_U, "user, clean");
	expect_spte(spte_from_gpte(&dirty, HOST_BASE, 3, 1, UR),
		    FRAME | PTE_P | PTE_U | PTE_W, "user, dirty");
	/* Filling a write whose walk did not set D cannot be done. */
	expect_spte(spte_from_gpte(&clean, HOST_BASE, 1, 0, SW), 0,
		    "write, clean");
}
END_TEST

/* 16 KiB of guest memory for a real walk. */
static uint32_t small_mem[4096];

static int small_read32(void *ctx, uint32_t gpa, uint32_t *v)
{
	if (gpa >= sizeof small_mem)
		return -1;
	*v = small_mem[gpa / 4];
	return 0;
}

static int small_write32(void *ctx, uint32_t gpa, uint32_t v)
{
	if (gpa >= sizeof small_mem)
		return -1;
	small_mem[gpa / 4] = v;
	return 0;
}

/* A write walked with set_accessed_dirty gives a writable entry at once. */
START_TEST(write_fill_after_walk)
{
	struct guest_phys mem = {
		.read32 = small_read32,
		.write32 = small_write32,
		.mem_bytes = sizeof small_mem,
	};
	struct gpt_walk w;
	uint32_t la = 0x00003000u;	/* PDE 0 -> table 0x1000, PTE 3 */

	memset(small_mem, 0, sizeof small_mem);
	small_mem[0x0000 / 4] = 0x1000 | PTE_P | PTE_W | PTE_U;
	small_mem[0x100C / 4] = 0x2000 | PTE_P | PTE_W | PTE_U;
	ck_assert_int_eq(gpt_walk(&mem, 0, CR0_PG | CR0_WP, 0, la, UW, 1, &w),
			 GPT_OK);
	ck_assert_int_eq(w.dirty, 1);
	expect_spte(spte_from_gpte(&w, HOST_BASE, 3, 1, UW),
		    (HOST_BASE + 0x2000u) | PTE_P | PTE_U | PTE_W,
		    "user write");
}
END_TEST

/* Ring 1: supervisor pages need no U; user pages keep the guest's U. */
START_TEST(ring1_shadow)
{
	struct gpt_walk sup = walk(0, 1, 1, 1), usr = walk(1, 0, 1, 1);

	expect_spte(spte_from_gpte(&sup, HOST_BASE, 1, 0, SW),
		    FRAME | PTE_P | PTE_W, "supervisor page");
	/* Guest user code on the same shadow must fault on it. */
	expect_spte(spte_from_gpte(&sup, HOST_BASE, 1, 0, UR), 0,
		    "supervisor page, user access");
	expect_spte(spte_from_gpte(&usr, HOST_BASE, 1, 0, UR),
		    FRAME | PTE_P | PTE_U, "read-only user page");
	expect_spte(spte_from_gpte(&usr, HOST_BASE, 1, 0, SW), 0,
		    "kernel write to a read-only user page, WP=1");
}
END_TEST

/*
 * Ring 1 with the guest's CR0.WP = 0: the guest kernel may write read-only
 * pages, supervisor and user alike (SDM vol. 3, 4.6.1: "If CR0.WP = 0,
 * data may be written to any user-mode address"). The kernel shadow is
 * used only while the guest runs kernel code, so both can be writable.
 */
START_TEST(ring1_wp_off)
{
	struct gpt_walk sup = walk(0, 0, 0, 1), usr = walk(1, 0, 0, 1);

	expect_spte(spte_from_gpte(&sup, HOST_BASE, 1, 0, SW),
		    FRAME | PTE_P | PTE_W, "read-only supervisor page");
	expect_spte(spte_from_gpte(&usr, HOST_BASE, 1, 0, SR),
		    FRAME | PTE_P | PTE_U | PTE_W, "read-only user page, read (dirty: writable at once)");
	expect_spte(spte_from_gpte(&usr, HOST_BASE, 1, 0, SW),
		    FRAME | PTE_P | PTE_U | PTE_W, "read-only user page, kernel write");
}
END_TEST

/* Ring 3 kernel shadow: every page U=1, since the real ring is 3. */
START_TEST(ring3_kernel_shadow)
{
	struct gpt_walk sup = walk(0, 0, 1, 1), sup_w = walk(0, 1, 1, 1);
	struct gpt_walk usr_ro_wp0 = walk(1, 0, 0, 1);

	expect_spte(spte_from_gpte(&sup, HOST_BASE, 3, 0, SR),
		    FRAME | PTE_P | PTE_U, "read-only supervisor page");
	expect_spte(spte_from_gpte(&sup_w, HOST_BASE, 3, 0, SW),
		    FRAME | PTE_P | PTE_U | PTE_W, "writable supervisor page");
	expect_spte(spte_from_gpte(&sup, HOST_BASE, 3, 0, SW), 0,
		    "kernel write to a read-only page, WP=1");
	/* Only the kernel runs on it: WP=0 makes every page writable. */
	expect_spte(spte_from_gpte(&usr_ro_wp0, HOST_BASE, 3, 0, SW),
		    FRAME | PTE_P | PTE_U | PTE_W, "WP=0, read-only user page");
}
END_TEST

/* User shadow: supervisor pages absent; user pages as the guest says. */
START_TEST(user_shadow)
{
	struct gpt_walk sup = walk(0, 1, 1, 1), usr_ro = walk(1, 0, 0, 1);
	struct gpt_walk usr_rw = walk(1, 1, 1, 1);

	expect_spte(spte_from_gpte(&sup, HOST_BASE, 3, 1, UR), 0,
		    "supervisor page");
	expect_spte(spte_from_gpte(&sup, HOST_BASE, 3, 1, SR), 0,
		    "supervisor page, whatever the access");
	/* CR0.WP does not matter to user code. */
	expect_spte(spte_from_gpte(&usr_ro, HOST_BASE, 3, 1, UR),
		    FRAME | PTE_P | PTE_U, "read-only user page");
	expect_spte(spte_from_gpte(&usr_ro, HOST_BASE, 3, 1, UW), 0,
		    "write to a read-only user page");
	expect_spte(spte_from_gpte(&usr_rw, HOST_BASE, 3, 1, UW),
		    FRAME | PTE_P | PTE_U | PTE_W, "writable user page");
	/* The same shadow serves a guest kernel in ring 1 just as well. */
	expect_spte(spte_from_gpte(&sup, HOST_BASE, 1, 1, UR), 0,
		    "supervisor page, ring 1");
}
END_TEST

/* G is never copied, nor PS, PWT, PCD; an outside walk is never mapped. */
START_TEST(no_global_no_large)
{
	struct gpt_walk w = walk(1, 1, 1, 1);

	w.global = 1;
	w.large = 1;
	w.gpde = 0x00400000u | PTE_P | PTE_W | PTE_U | PTE_PS | PTE_G |
		 PTE_PWT | PTE_PCD | PTE_A | PTE_D;
	w.gpa = 0x00412345u;
	expect_spte(spte_from_gpte(&w, HOST_BASE, 1, 0, SR),
		    (HOST_BASE + 0x00412000u) | PTE_P | PTE_U | PTE_W,
		    "4 MiB global page");

	w.outside = 1;
	expect_spte(spte_from_gpte(&w, HOST_BASE, 1, 0, SR), 0, "outside");
}
END_TEST

/* The U bit comes from the virtual CPL; P, W and RSVD stay. */
/*
 * A device page (spte_device_page): never writable, U as the guest's (and
 * always for a ring-3 kernel shadow), nothing for a write, nothing unless
 * the walk ended on the page itself, nothing in a user shadow for a
 * supervisor page.
 */
START_TEST(device_page)
{
	struct gpt_walk w = walk(0, 1, 1, 1);
	const uint32_t hpa = 0x00456000u;

	w.page_outside = 1;
	expect_spte(spte_device_page(&w, hpa, 1, 0, SR), hpa | PTE_P, "ring 1, supervisor");
	expect_spte(spte_device_page(&w, hpa, 3, 0, SR), hpa | PTE_P | PTE_U, "ring 3 kernel");
	expect_spte(spte_device_page(&w, hpa, 1, 0, SW), 0, "a write");
	expect_spte(spte_device_page(&w, hpa, 1, 1, UR), 0, "user shadow, supervisor page");
	expect_spte(spte_device_page(&w, hpa, 1, 0, UR), 0, "user read, supervisor page");
	w.user = 1;
	expect_spte(spte_device_page(&w, hpa | 0x123, 1, 1, UR), hpa | PTE_P | PTE_U,
		    "user shadow, user page");
	w.page_outside = 0;
	expect_spte(spte_device_page(&w, hpa, 1, 0, SR), 0, "not a walk that ended on the page");
}
END_TEST

START_TEST(error_code_for_guest)
{
	/* Guest kernel in ring 3: the CPU said U; the guest must see S. */
	ck_assert_uint_eq(pf_error_for_guest(PF_ERR_P | PF_ERR_W | PF_ERR_U, 0),
			  PF_ERR_P | PF_ERR_W);
	ck_assert_uint_eq(pf_error_for_guest(PF_ERR_U, 0), 0);
	/* Guest user code in ring 3: U stays. */
	ck_assert_uint_eq(pf_error_for_guest(PF_ERR_W | PF_ERR_U, 3),
			  PF_ERR_W | PF_ERR_U);
	/* Guest kernel in ring 1: no U from the CPU, none for the guest. */
	ck_assert_uint_eq(pf_error_for_guest(PF_ERR_W, 0), PF_ERR_W);
	ck_assert_uint_eq(pf_error_for_guest(PF_ERR_P | PF_ERR_RSVD | PF_ERR_U, 0),
			  PF_ERR_P | PF_ERR_RSVD);
}
END_TEST

START_TEST(check_entries)
{
	const char *why = "unset";

	/* 4 KiB frames: the last page is inside, the next one is not. */
	ck_assert_int_eq(gpte_check(0x00001000u | PTE_P, 0, MEM_BYTES, &why), 1);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(gpte_check((MEM_BYTES - 0x1000u) | PTE_P | PTE_W, 0,
				    MEM_BYTES, &why), 1);
	ck_assert_int_eq(gpte_check(MEM_BYTES | PTE_P, 0, MEM_BYTES, &why), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(gpte_check(0xFFFFF000u | PTE_P, 0, MEM_BYTES, NULL), 0);
	/* Not present: names nothing, whatever its address bits. */
	ck_assert_int_eq(gpte_check(0xFFFFF000u, 0, MEM_BYTES, &why), 1);
	ck_assert_ptr_null(why);

	/* 4 MiB: accepted if it starts inside (a 1 MiB guest maps 0..4 MiB). */
	ck_assert_int_eq(gpte_check(PTE_P | PTE_PS, 1, 1u << 20, &why), 1);
	ck_assert_int_eq(gpte_check(0x00800000u | PTE_P | PTE_PS, 1, MEM_BYTES,
				    &why), 0);
	ck_assert_ptr_nonnull(why);
	/* Address bits 39:32 (PSE-36): above 4 GiB. */
	ck_assert_int_eq(gpte_check((1u << 13) | PTE_P | PTE_PS, 1, MEM_BYTES,
				    &why), 0);
	ck_assert_ptr_nonnull(why);
}
END_TEST

static Suite *spte_suite(void)
{
	Suite *s = suite_create("spte");
	TCase *t = tcase_create("spte");
	TCase *e = tcase_create("error_code");
	TCase *c = tcase_create("gpte_check");

	tcase_add_test(t, frame_address);
	tcase_add_test(t, read_only_until_dirty);
	tcase_add_test(t, write_fill_after_walk);
	tcase_add_test(t, ring1_shadow);
	tcase_add_test(t, ring1_wp_off);
	tcase_add_test(t, ring3_kernel_shadow);
	tcase_add_test(t, user_shadow);
	tcase_add_test(t, no_global_no_large);
	tcase_add_test(t, device_page);
	tcase_add_test(e, error_code_for_guest);
	tcase_add_test(c, check_entries);
	suite_add_tcase(s, t);
	suite_add_tcase(s, e);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spte_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
