/*
 * tests/unit/test_emulate_patched.c: the sites the patcher made trap, emulated with
 * the virtual flags and ring (hv/emulate_flags.c) or the guest's own
 * descriptors (hv/emulate_query.c).
 * Runs on: host (Check; the fixture: tests/unit/emulate_fixture.h).
 */
#include <check.h>
#include <string.h>

#include "tests/unit/emulate_fixture.h"
#include "hv/patch.h"

/* ---- patched sites ---- */

static void patched(uint8_t original)
{
	struct patch_site site = { .la = EIP0, .len = 1 };
	site.original[0] = original;
	put(EIP0, (uint8_t[]){ 0xCC }, 1);
	v->regs.eip = EIP0;
	ck_assert_int_eq(FAKE_RUN(emulate_patched(v, &site)), 0);
}

START_TEST(patched_popf_changes_the_virtual_if)
{
	uint32_t flags = EFLAGS_FIXED;	/* IF clear */
	put(0x8000, &flags, 4);
	v->virt_if = 1;
	patched(0x9D);
	ck_assert_int_eq(v->virt_if, 0);
	ck_assert_uint_eq(v->regs.esp, 0x8004);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_IF, EFLAGS_IF);	/* really still on */
}
END_TEST

START_TEST(patched_pushf_shows_the_virtual_if)
{
	v->virt_if = 0;
	patched(0x9C);
	ck_assert_uint_eq(v->regs.esp, 0x8000 - 4);
	ck_assert_uint_eq(word_at(0x8000 - 4) & EFLAGS_IF, 0);
	ck_assert_uint_eq(v->regs.eip, EIP0 + 1);
}
END_TEST

START_TEST(patched_push_cs_shows_rpl_0)
{
	patched(0x0E);
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_CODE & ~3u);
}
END_TEST

/*
 * The other patched instructions, answered from the guest's own GDT (DPL 0
 * where the real one has the ring) at its virtual CPL 0; the rules
 * themselves are tests/unit/test_query_rules.c's.
 */
static void patched_bytes(const uint8_t *original, size_t len)
{
	struct patch_site site = { .la = EIP0, .len = (uint8_t)len };
	memcpy(site.original, original, len);
	put(EIP0, (uint8_t[]){ 0xCC }, 1);
	v->regs.eip = EIP0;
	ck_assert_int_eq(FAKE_RUN(emulate_patched(v, &site)), 0);
}

#define PATCHED(...) patched_bytes((const uint8_t[]){ __VA_ARGS__ }, \
				   sizeof((const uint8_t[]){ __VA_ARGS__ }))

START_TEST(patched_lar_shows_the_guests_dpl_0)
{
	v->regs.ecx = 0x10;
	v->regs.eflags &= ~EFLAGS_ZF;
	PATCHED(0x0F, 0x02, 0xC1);	/* lar eax, ecx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, EFLAGS_ZF);
	ck_assert_uint_eq((v->regs.eax >> 13) & 3, 0);		/* the real descriptor says 1 */
	ck_assert_uint_eq(v->regs.eax & 0x1F00, 0x1300);	/* S, data, writable, accessed */
	ck_assert_uint_eq(v->regs.eip, EIP0 + 3);
}
END_TEST

START_TEST(patched_verr_refuses_rpl_1_of_dpl_0)
{
	v->regs.ecx = 0x11;
	v->regs.eflags |= EFLAGS_ZF;
	PATCHED(0x0F, 0x00, 0xE1);	/* verr cx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, 0);
	v->regs.ecx = 0x10;
	PATCHED(0x0F, 0x00, 0xE9);	/* verw cx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, EFLAGS_ZF);
}
END_TEST

START_TEST(patched_lsl_beyond_the_gdt_leaves_the_register)
{
	v->regs.ecx = 0x40;		/* entry 8: the guest's GDT has 8 */
	v->regs.eax = 0x12345678;
	v->regs.eflags |= EFLAGS_ZF;
	PATCHED(0x0F, 0x03, 0xC1);	/* lsl eax, ecx */
	ck_assert_uint_eq(v->regs.eflags & EFLAGS_ZF, 0);
	ck_assert_uint_eq(v->regs.eax, 0x12345678);
}
END_TEST

START_TEST(patched_push_ss_and_mov_from_ss_show_rpl_0)
{
	PATCHED(0x16);			/* push ss */
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_DATA & ~3u);
	v->regs.eax = 0xFFFFFFFF;
	PATCHED(0x8C, 0xD0);		/* mov eax, ss */
	ck_assert_uint_eq(v->regs.eax, FAKE_SEL_DATA & ~3u);
}
END_TEST

START_TEST(patched_far_call_pushes_the_virtual_cs)
{
	PATCHED(0x9A, 0x00, 0x20, 0x00, 0x00, 0x08, 0x00);	/* call 0x08:0x2000 */
	ck_assert_int_eq(rec.reflected, 0);
	ck_assert_uint_eq(v->regs.eip, 0x2000);
	ck_assert_uint_eq(v->regs.cs, FAKE_SEL_CODE);		/* the real ring in the RPL */
	ck_assert_uint_eq(v->regs.esp, 0x8000 - 8);
	ck_assert_uint_eq(word_at(0x8000 - 8), EIP0 + 7);
	ck_assert_uint_eq(word_at(0x8000 - 4), FAKE_SEL_CODE & ~3u);
}
END_TEST

START_TEST(patched_far_call_through_rpl_1_is_the_guests_gp)
{
	/* At CPL 0, RPL 1 > CPL for a non-conforming code segment: #GP(selector). */
	PATCHED(0x9A, 0x00, 0x20, 0x00, 0x00, 0x09, 0x00);	/* call 0x09:0x2000 */
	ck_assert_int_ne(rec.reflected, 0);
	ck_assert_uint_eq(rec.vector, VEC_GP);
	ck_assert_uint_eq(rec.error, 0x08);
	ck_assert_uint_eq(v->regs.esp, 0x8000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate_patched");
	TCase *t = emulate_tcase(s, "rows");

	tcase_add_test(t, patched_popf_changes_the_virtual_if);
	tcase_add_test(t, patched_pushf_shows_the_virtual_if);
	tcase_add_test(t, patched_push_cs_shows_rpl_0);
	tcase_add_test(t, patched_lar_shows_the_guests_dpl_0);
	tcase_add_test(t, patched_verr_refuses_rpl_1_of_dpl_0);
	tcase_add_test(t, patched_lsl_beyond_the_gdt_leaves_the_register);
	tcase_add_test(t, patched_push_ss_and_mov_from_ss_show_rpl_0);
	tcase_add_test(t, patched_far_call_pushes_the_virtual_cs);
	tcase_add_test(t, patched_far_call_through_rpl_1_is_the_guests_gp);
	return emulate_run_suite(s);
}
