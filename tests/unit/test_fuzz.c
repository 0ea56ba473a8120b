/*
 * tests/unit/test_fuzz.c: the fuzz generator is deterministic and keeps
 * its promises (every sequence ends in the jump to the end label, within
 * FUZZ_CODE_MAX; generated memory operands stay in the scratch page), and
 * divergences are matched against the documented list by mode,
 * instruction and differing field. Runs on: host.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/fuzz_expect.h"

static const struct fuzz_layout lay = {
	.code = 0x10f000, .end = 0x106da1, .scratch = 0x110000, .stack_top = 0x112c00,
	.tables = 0x114000, .cr3 = 0x116000,
};

START_TEST(test_deterministic)
{
	static struct fuzz_seq a, b, c;

	fuzz_generate(5, 1234, &lay, &a);
	fuzz_generate(5, 1234, &lay, &b);
	fuzz_generate(5, 1235, &lay, &c);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.code, b.code, a.len), 0);
	ck_assert_uint_eq(a.fill, b.fill);
	ck_assert(a.len != c.len || memcmp(a.code, c.code, a.len) != 0);
}
END_TEST

START_TEST(test_ends_in_jump)
{
	static struct fuzz_seq s;

	for (uint32_t k = 0; k < 3000; k++) {
		fuzz_generate(99, k, &lay, &s);
		ck_assert_uint_le(s.len, FUZZ_CODE_MAX);
		ck_assert_uint_ge(s.ninsn, 1);
		const struct fuzz_insn *end = &s.insn[s.ninsn - 1];
		ck_assert_uint_eq(end->kind, FUZZ_K_END);
		ck_assert_uint_eq(end->off + 5u, s.len);
		ck_assert_uint_eq(s.code[end->off], 0xE9);
		int32_t rel;
		memcpy(&rel, &s.code[end->off + 1], 4);
		ck_assert_uint_eq(lay.code + end->off + 5 + (uint32_t)rel, lay.end);
		ck_assert_uint_eq(s.eflags & 0x00023000u, 0);	/* IOPL 0, VM 0 at the start */
		ck_assert_uint_eq(s.eflags & 2u, 2u);
	}
}
END_TEST

/* Every SGDT the generator writes (0F 01 /0, disp32) stores into the scratch page. */
START_TEST(test_sgdt_in_scratch)
{
	static struct fuzz_seq s;
	unsigned seen = 0;

	for (uint32_t k = 0; k < 3000; k++) {
		fuzz_generate(3, k, &lay, &s);
		for (unsigned i = 0; i < s.ninsn; i++) {
			const uint8_t *p = &s.code[s.insn[i].off];
			if (s.insn[i].kind != FUZZ_K_SGDT)
				continue;
			if (p[0] == 0x66)
				p++;
			ck_assert_uint_eq(p[0], 0x0F);
			ck_assert_uint_eq(p[1], 0x01);
			ck_assert_uint_eq(p[2], 0x05);
			uint32_t addr;
			memcpy(&addr, p + 3, 4);
			ck_assert_uint_ge(addr, lay.scratch);
			ck_assert_uint_le(addr + 6, lay.scratch + FUZZ_SCRATCH_SIZE);
			seen++;
		}
	}
	ck_assert_uint_gt(seen, 10);
}
END_TEST

START_TEST(test_parse)
{
	struct tv_fuzz_line l;
	struct fuzz_layout g;
	const char *s = "F 12 101 0 00200246 00000000 deadbeef 0badf00d";
	const char *t = "FUZZ-LAYOUT code=0x10f000 end=0x106da1 scratch=0x110000 stack=0x112c00 "
			"tables=0x114000 cr3=0x116000";

	ck_assert_int_eq(tv_fuzz_parse_line(s, strlen(s), &l), 0);
	ck_assert_uint_eq(l.k, 12);
	ck_assert_uint_eq(l.vector, TV_FUZZ_VEC_DONE);
	ck_assert_uint_eq(l.eflags, 0x200246);
	ck_assert_uint_eq(l.state, 0xdeadbeef);
	ck_assert_uint_eq(l.mem, 0x0badf00d);
	ck_assert_int_eq(tv_fuzz_parse_line("F 12 101", 8, &l), -1);
	ck_assert_int_eq(tv_fuzz_parse_line("FUZZ-END count=3", 16, &l), -1);
	ck_assert_int_eq(tv_fuzz_parse_layout(t, strlen(t), &g), 0);
	ck_assert_uint_eq(g.end, 0x106da1);
	ck_assert_uint_eq(g.cr3, 0x116000);
}
END_TEST

/* A one-instruction sequence of a kind, for the matcher. */
static void one_kind(struct fuzz_seq *s, unsigned kind)
{
	memset(s, 0, sizeof(*s));
	s->insn[0].kind = (uint8_t)kind;
	s->insn[1].kind = FUZZ_K_END;
	s->ninsn = 2;
}

START_TEST(test_expected)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode none = { 1, TV_FUZZ_PATCH_NONE, 0 };
	struct tv_fuzz_mode all_umip = { 1, TV_FUZZ_PATCH_ALL, 1 };
	struct tv_fuzz_line bare = { 1, TV_FUZZ_VEC_DONE, 0, 0x00000046, 0, 1, 2 };
	struct tv_fuzz_line virt = bare;
	const struct tv_fuzz_rule *r;

	/* Only IF differs at the end label: expected unpatched, not patched. */
	virt.eflags |= 0x200;
	one_kind(&s, FUZZ_K_ALU);
	r = tv_fuzz_expected(&none, &s, &bare, &virt);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "end-pushf");
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, &bare, &virt));

	/* A register differs after an ALU alone: nothing explains it. */
	virt = bare;
	virt.state = 7;
	ck_assert_ptr_null(tv_fuzz_expected(&none, &s, &bare, &virt));

	/* ...after SGDT it is the documented leak, but not with UMIP. */
	one_kind(&s, FUZZ_K_SGDT);
	r = tv_fuzz_expected(&none, &s, &bare, &virt);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "store-sys");
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, &bare, &virt));

	/* Generated code is never patched: PUSHF stays silent under patch=all. */
	one_kind(&s, FUZZ_K_PUSHF);
	r = tv_fuzz_expected(&all_umip, &s, &bare, &virt);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "pushf");

	/* LGDT after a LOCK prefix: bare QEMU's own deviation; without LOCK nothing explains it. */
	memset(&s, 0, sizeof(s));
	s.code[0] = 0xF0;
	s.insn[0] = (struct fuzz_insn){ 0, 1, FUZZ_K_PREFIX };
	s.insn[1] = (struct fuzz_insn){ 1, 7, FUZZ_K_LGDT };
	s.insn[2] = (struct fuzz_insn){ 8, 5, FUZZ_K_END };
	s.ninsn = 3;
	virt.vector = 6;
	r = tv_fuzz_expected(&all_umip, &s, &bare, &virt);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock");
	s.code[0] = 0x66;
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, &bare, &virt));
	virt = bare;
	virt.state = 7;

	/* Equal lines are not a divergence to explain. */
	ck_assert_ptr_null(tv_fuzz_expected(&none, &s, &bare, &bare));
}
END_TEST

START_TEST(test_expected_stop)
{
	ck_assert_ptr_nonnull(tv_fuzz_expected_stop(
		"unemulated: iret at 0x0010f004 to a nested task", 0x10f000));
	/* The same stop at the guest's own handler is the hypervisor's fault. */
	ck_assert_ptr_null(tv_fuzz_expected_stop(
		"unemulated: iret at 0x00106c90 to a nested task", 0x10f000));
	ck_assert_ptr_nonnull(tv_fuzz_expected_stop(
		"unemulated: the guest runs in virtual-8086 mode (eip 0x00001234, cs 0x10)", 0x10f000));
	ck_assert_ptr_null(tv_fuzz_expected_stop("guest touched the switcher", 0x10f000));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("fuzz");

	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_ends_in_jump);
	tcase_add_test(tc, test_sgdt_in_scratch);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_expected);
	tcase_add_test(tc, test_expected_stop);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
