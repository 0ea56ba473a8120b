/*
 * tests/unit/test_descriptor.c: ring compression of descriptor tables
 * (deprivilege/descriptor.c) against the rules of Intel SDM vol. 3,
 * chapters 3 and 5.
 * Runs on: host (Check).
 *
 * Descriptors are written as the two raw words the CPU reads, decoded in a
 * comment beside each, so the expected bits can be checked against the
 * SDM's layout (figure 3-8):
 *   lo: base 15..0 << 16 | limit 15..0
 *   hi: base 31..24 << 24 | G << 23 | D/B << 22 | limit 19..16 << 16 |
 *       P << 15 | DPL << 13 | S << 12 | type << 8 | base 23..16
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/descriptor.h"

/* The hypervisor's switcher lives from here up. */
#define TOP 0xFFC00000u

#define D(lo_, hi_) ((struct x86_desc){ .lo = (lo_), .hi = (hi_) })

/* Shadow one descriptor; return the verdict, the real one and the reason. */
static enum desc_verdict shadow(struct x86_desc guest, unsigned ring,
				struct x86_desc *real, const char **why)
{
	real->lo = 0xDEADBEEFu;		/* must be overwritten */
	real->hi = 0xDEADBEEFu;
	*why = "unset";
	return desc_shadow(guest, ring, TOP, real, why);
}

static void expect_desc(struct x86_desc got, uint32_t lo, uint32_t hi)
{
	ck_assert_msg(got.lo == lo && got.hi == hi,
		      "got %08x:%08x, expected %08x:%08x",
		      got.hi, got.lo, hi, lo);
}

START_TEST(flat_code_ring0_to_ring1)
{
	struct x86_desc real;
	const char *why;

	/* base 0, limit 0xFFFFF pages, G, D, P, DPL 0, code exec/read (0xA). */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF9A00), 1, &real, &why),
			 DESC_INSTALL);
	/* DPL 1, accessed (type 0xB); the limit 0xFFBFF pages covers bytes
	 * 0..0xFFBFFFFF, the last whole page below TOP. */
	expect_desc(real, 0x0000FBFF, 0x00CFBB00);
	ck_assert_uint_eq(desc_limit(real), 0xFFBFFFFFu);
	ck_assert_ptr_nonnull(why);	/* the truncation is reported */
}
END_TEST

START_TEST(flat_data_ring0_to_ring1)
{
	struct x86_desc real;
	const char *why;

	/* Flat data read/write (type 2), DPL 0. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF9200), 1, &real, &why),
			 DESC_INSTALL);
	/* DPL 1, accessed (type 3), limit 0xFFBFF pages. */
	expect_desc(real, 0x0000FBFF, 0x00CFB300);
}
END_TEST

START_TEST(dpl3_data_stays_dpl3)
{
	struct x86_desc real;
	const char *why;

	/* The guest's user data segment, DPL 3: its own user/kernel split. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CFF200), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x0000FBFF, 0x00CFF300);
}
END_TEST

START_TEST(ring3_compresses_every_dpl_to_3)
{
	unsigned dpl;

	for (dpl = 0; dpl <= 3; dpl++) {
		struct x86_desc real;
		const char *why;

		/* base 0x00200000, limit 0xFFFF bytes, D, data r/w. */
		uint32_t hi = 0x00409220u | (dpl << 13);

		ck_assert_int_eq(shadow(D(0x0000FFFF, hi), 3, &real, &why),
				 DESC_INSTALL);
		ck_assert_uint_eq(DESC_DPL(real), 3);
		expect_desc(real, 0x0000FFFF, 0x0040F320);
	}
}
END_TEST

START_TEST(ring2_raises_only_lower_dpls)
{
	static const unsigned expected[4] = { 2, 2, 2, 3 };
	unsigned dpl;

	for (dpl = 0; dpl <= 3; dpl++) {
		struct x86_desc real;
		const char *why;

		shadow(D(0x0000FFFF, 0x00409220u | (dpl << 13)), 2, &real, &why);
		ck_assert_uint_eq(DESC_DPL(real), expected[dpl]);
	}
}
END_TEST

START_TEST(small_segment_below_top_only_gains_accessed)
{
	struct x86_desc real;
	const char *why;

	/* base 0x00200000, limit 0xFFFF bytes (G = 0), D, DPL 0, data r/w. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00409220), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x0000FFFF, 0x0040B320);
	ck_assert_ptr_null(why);
	ck_assert_uint_eq(desc_base(real), 0x00200000);
	ck_assert_uint_eq(desc_limit(real), 0xFFFF);
}
END_TEST

START_TEST(base_at_or_above_top_is_not_present)
{
	struct x86_desc real;
	const char *why;

	/* base 0xFFC00000, limit 0xFFF bytes, data r/w, DPL 0. */
	ck_assert_int_eq(shadow(D(0x00000FFF, 0xFF4092C0), 1, &real, &why),
			 DESC_NOT_PRESENT);
	ck_assert_uint_eq(DESC_P(real), 0);
	expect_desc(real, 0x00000FFF, 0xFF4033C0);
	ck_assert_ptr_nonnull(why);

	/* base 0xFFFFF000, above TOP too. */
	ck_assert_int_eq(shadow(D(0xF0000FFF, 0xFF4092FF), 1, &real, &why),
			 DESC_NOT_PRESENT);
	ck_assert_uint_eq(DESC_P(real), 0);
}
END_TEST

START_TEST(byte_segment_straddling_top_is_truncated)
{
	struct x86_desc real;
	const char *why;

	/* base 0xFFB80000, limit 0xFFFFF bytes: would end at 0xFFC7FFFF. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0xFF4F92B8), 1, &real, &why),
			 DESC_INSTALL);
	/* limit 0x7FFFF: ends at 0xFFBFFFFF, the last byte below TOP. */
	expect_desc(real, 0x0000FFFF, 0xFF47B3B8);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(page_segment_straddling_top_is_truncated_to_pages)
{
	struct x86_desc real;
	const char *why;

	/* base 0xFF000000, limit 0xFFFFF pages (G). 0xC00000 bytes lie
	 * below TOP: 0xC00 pages, raw limit 0xBFF. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0xFFCF9200), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x00000BFF, 0xFFC0B300);

	/* base 0xFFBFE800: 0x1800 bytes below TOP, one whole page (raw 0),
	 * covering 0xFFBFE800..0xFFBFF7FF. */
	ck_assert_int_eq(shadow(D(0xE800FFFF, 0xFFCF92BF), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0xE8000000, 0xFFC0B3BF);
	ck_assert_uint_eq(desc_limit(real), 0xFFF);

	/* base 0xFFBFF800: only 0x800 bytes below TOP, less than a page:
	 * G is cleared and the limit becomes 0x7FF bytes. */
	ck_assert_int_eq(shadow(D(0xF800FFFF, 0xFFCF92BF), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0xF80007FF, 0xFF40B3BF);
	ck_assert_uint_eq(DESC_G(real), 0);
}
END_TEST

START_TEST(wrapping_segment_is_truncated)
{
	struct x86_desc real;
	const char *why;

	/* base 0x00001000, limit 4 GiB: offsets past 0xFFFFEFFF wrap to
	 * linear 0, and on the way cover TOP and above. */
	ck_assert_int_eq(shadow(D(0x1000FFFF, 0x00CF9200), 1, &real, &why),
			 DESC_INSTALL);
	ck_assert_uint_le(desc_limit(real), TOP - 1 - 0x1000);
	/* 0xFFBFF000 bytes fit: 0xFFBFF pages, raw limit 0xFFBFE. */
	expect_desc(real, 0x1000FBFE, 0x00CFB300);
}
END_TEST

START_TEST(expand_down_segments)
{
	struct x86_desc real;
	const char *why;

	/* 16-bit expand-down (type 6, B = 0) at base 0x00100000, limit 0xFFF:
	 * offsets 0x1000..0xFFFF, far below TOP: installed as it is. */
	ck_assert_int_eq(shadow(D(0x00000FFF, 0x00009610), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x00000FFF, 0x0000B710);

	/* 32-bit expand-down (B = 1) at base 0: offsets up to 0xFFFFFFFF, a
	 * top no limit can lower. Refused. */
	ck_assert_int_eq(shadow(D(0x00000FFF, 0x00409600), 1, &real, &why),
			 DESC_REFUSE);
	expect_desc(real, 0, 0);
	ck_assert_ptr_nonnull(why);

	/* 16-bit expand-down whose top 0xFFBF8000 + 0xFFFF crosses TOP. */
	ck_assert_int_eq(shadow(D(0x80000FFF, 0xFF0096BF), 1, &real, &why),
			 DESC_REFUSE);
}
END_TEST

START_TEST(conforming_code_is_compressed)
{
	struct x86_desc real;
	const char *why;

	/* Flat conforming readable code (type 0xE), DPL 0. */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF9E00), 1, &real, &why),
			 DESC_INSTALL);
	/* Still conforming; DPL 1; accessed (type 0xF). */
	expect_desc(real, 0x0000FBFF, 0x00CFBF00);
}
END_TEST

START_TEST(gates_and_16bit_tss_are_refused)
{
	struct x86_desc real;
	const char *why;

	/* 32-bit call gate: selector 0x08, offset 0x00101000, P, DPL 3. */
	ck_assert_int_eq(shadow(D(0x00081000, 0x0010EC00), 1, &real, &why),
			 DESC_REFUSE);
	ck_assert_str_eq(why, "call gate in the guest's GDT: would let the guest reach ring 0");
	expect_desc(real, 0, 0);

	/* 16-bit call gate (type 4). */
	ck_assert_int_eq(shadow(D(0x00081000, 0x0000E400), 1, &real, &why),
			 DESC_REFUSE);
	ck_assert_str_eq(why, "call gate in the guest's GDT: would let the guest reach ring 0");

	/* Task gate (type 5), interrupt gate (type 0xE), 16-bit TSS (type 1),
	 * reserved type 8. */
	ck_assert_int_eq(shadow(D(0x00280000, 0x00008500), 1, &real, &why),
			 DESC_REFUSE);
	ck_assert_int_eq(shadow(D(0x00081000, 0x00108E00), 1, &real, &why),
			 DESC_REFUSE);
	ck_assert_int_eq(shadow(D(0x5000002B, 0x00008110), 1, &real, &why),
			 DESC_REFUSE);
	ck_assert_int_eq(shadow(D(0x00000000, 0x00008800), 1, &real, &why),
			 DESC_REFUSE);
	expect_desc(real, 0, 0);
}
END_TEST

START_TEST(tss_and_ldt_installed_not_present)
{
	static const uint32_t types[] = { 0x9, 0xB, 0x2 };	/* TSS, busy TSS, LDT */
	unsigned i;

	for (i = 0; i < 3; i++) {
		struct x86_desc real;
		const char *why;
		/* base 0x00105000, limit 0x67 bytes, P, DPL 0. */
		uint32_t hi = 0x00008010u | (types[i] << 8);

		ck_assert_int_eq(shadow(D(0x50000067, hi), 1, &real, &why),
				 DESC_NOT_PRESENT);
		/* Same descriptor, P cleared: the guest's copy stays intact
		 * for LTR/LLDT emulation. */
		expect_desc(real, 0x50000067, hi & ~0x8000u);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(null_and_not_present_stay)
{
	struct x86_desc real;
	const char *why;

	ck_assert_int_eq(shadow(D(0, 0), 1, &real, &why), DESC_INSTALL);
	expect_desc(real, 0, 0);
	ck_assert_ptr_null(why);

	/*
	 * Flat code, DPL 0, P = 0: stays not present but its DPL becomes 1.
	 * The CPU checks privilege before presence, so only a compressed DPL
	 * gives the guest the bare machine's #NP rather than a #GP.
	 */
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF1A00), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x0000FFFF, 0x00CF3A00);

	/* A not-present call gate is harmless and stays too. */
	ck_assert_int_eq(shadow(D(0x00081000, 0x00106C00), 1, &real, &why),
			 DESC_INSTALL);
	expect_desc(real, 0x00081000, 0x00106C00);
}
END_TEST

START_TEST(bad_ring_refused)
{
	struct x86_desc real;
	const char *why;

	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF9200), 0, &real, &why),
			 DESC_REFUSE);
	ck_assert_int_eq(shadow(D(0x0000FFFF, 0x00CF9200), 4, &real, &why),
			 DESC_REFUSE);
}
END_TEST

START_TEST(table_stops_at_first_refusal)
{
	const struct x86_desc guest[5] = {
		/* Entry 0 holding a pseudo-descriptor (limit 0x27, base
		 * 0x00101000), a trick some kernels use: never read by the CPU. */
		D(0x10000027, 0x00000010),
		D(0x0000FFFF, 0x00CF9A00),	/* flat code, DPL 0 */
		D(0x0000FFFF, 0x00CF9200),	/* flat data, DPL 0 */
		D(0x00081000, 0x0010EC00),	/* call gate */
		D(0x0000FFFF, 0x00CF9200),	/* flat data, DPL 0 */
	};
	struct x86_desc real[5];
	unsigned refused = 99, i;
	const char *why = NULL;

	for (i = 0; i < 5; i++)
		real[i] = D(0xDEADBEEF, 0xDEADBEEF);
	ck_assert_uint_eq(desc_shadow_table(guest, 5, 1, TOP, real, &refused,
					    &why), 3);
	ck_assert_uint_eq(refused, 3);
	ck_assert_str_eq(why, "call gate in the guest's GDT: would let the guest reach ring 0");
	expect_desc(real[0], 0, 0);
	expect_desc(real[1], 0x0000FBFF, 0x00CFBB00);
	expect_desc(real[2], 0x0000FBFF, 0x00CFB300);
	expect_desc(real[3], 0, 0);
	expect_desc(real[4], 0xDEADBEEF, 0xDEADBEEF);	/* not reached */
}
END_TEST

START_TEST(table_without_refusal)
{
	const struct x86_desc guest[4] = {
		/* Entry 0 is never read by the CPU: even a call gate there is
		 * not refused, and a true null is installed. */
		D(0x00081000, 0x0010EC00),
		D(0x0000FFFF, 0x00CF9A00),	/* flat code, DPL 0 */
		D(0x0000FFFF, 0x00CFF200),	/* flat data, DPL 3 */
		D(0x50000067, 0x00008910),	/* TSS */
	};
	struct x86_desc real[4];
	unsigned refused = 99;
	const char *why = "unset";

	ck_assert_uint_eq(desc_shadow_table(guest, 4, 1, TOP, real, &refused,
					    &why), 4);
	ck_assert_uint_eq(refused, 4);
	ck_assert_ptr_null(why);
	expect_desc(real[0], 0, 0);
	expect_desc(real[2], 0x0000FBFF, 0x00CFF300);
	ck_assert_uint_eq(DESC_P(real[3]), 0);
}
END_TEST

START_TEST(selector_rpl_compression)
{
	ck_assert_uint_eq(desc_selector_compress(0x10, 1), 0x11);
	ck_assert_uint_eq(desc_selector_compress(0x1B, 1), 0x1B);	/* RPL 3 */
	ck_assert_uint_eq(desc_selector_compress(0x10, 3), 0x13);
	ck_assert_uint_eq(desc_selector_compress(0x15, 3), 0x17);	/* LDT, RPL 1 */
}
END_TEST

START_TEST(idt_gates)
{
	struct x86_gate g;
	const char *why;

	g = gate_make(0x08, 0x00101234, DESC_SYS_INT_GATE, 0);
	ck_assert_int_eq(gate_check(g, &why), 1);
	ck_assert_ptr_null(why);
	g = gate_make(0x08, 0x00101234, DESC_SYS_TRAP_GATE, 3);
	ck_assert_int_eq(gate_check(g, &why), 1);

	g = gate_make(0x08, 0x00101234, DESC_SYS_INT_GATE, 0);
	g.type_attr &= 0x7F;	/* P = 0 */
	ck_assert_int_eq(gate_check(g, &why), 0);
	ck_assert_str_eq(why, "gate not present");

	g = gate_make(0x28, 0, DESC_SYS_TASK_GATE, 0);
	ck_assert_int_eq(gate_check(g, &why), 0);
	ck_assert_ptr_nonnull(why);

	g = gate_make(0x08, 0x1234, 0x6, 0);	/* 16-bit interrupt gate */
	ck_assert_int_eq(gate_check(g, &why), 0);

	g = gate_make(0x00, 0x00101234, DESC_SYS_INT_GATE, 0);	/* null selector */
	ck_assert_int_eq(gate_check(g, &why), 0);

	g = gate_make(0x08, 0x00101234, DESC_SYS_INT_GATE, 0);
	g.type_attr |= 0x10;	/* S = 1: a code/data descriptor, not a gate */
	ck_assert_int_eq(gate_check(g, &why), 0);
}
END_TEST

static Suite *descriptor_suite(void)
{
	Suite *s = suite_create("descriptor");
	TCase *seg = tcase_create("segments");
	TCase *sys = tcase_create("system");
	TCase *table = tcase_create("table");
	TCase *idt = tcase_create("idt");

	tcase_add_test(seg, flat_code_ring0_to_ring1);
	tcase_add_test(seg, flat_data_ring0_to_ring1);
	tcase_add_test(seg, dpl3_data_stays_dpl3);
	tcase_add_test(seg, ring3_compresses_every_dpl_to_3);
	tcase_add_test(seg, ring2_raises_only_lower_dpls);
	tcase_add_test(seg, small_segment_below_top_only_gains_accessed);
	tcase_add_test(seg, base_at_or_above_top_is_not_present);
	tcase_add_test(seg, byte_segment_straddling_top_is_truncated);
	tcase_add_test(seg, page_segment_straddling_top_is_truncated_to_pages);
	tcase_add_test(seg, wrapping_segment_is_truncated);
	tcase_add_test(seg, expand_down_segments);
	tcase_add_test(seg, conforming_code_is_compressed);
	tcase_add_test(seg, bad_ring_refused);
	suite_add_tcase(s, seg);

	tcase_add_test(sys, gates_and_16bit_tss_are_refused);
	tcase_add_test(sys, tss_and_ldt_installed_not_present);
	tcase_add_test(sys, null_and_not_present_stay);
	suite_add_tcase(s, sys);

	tcase_add_test(table, table_stops_at_first_refusal);
	tcase_add_test(table, table_without_refusal);
	tcase_add_test(table, selector_rpl_compression);
	suite_add_tcase(s, table);

	tcase_add_test(idt, idt_gates);
	suite_add_tcase(s, idt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(descriptor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
