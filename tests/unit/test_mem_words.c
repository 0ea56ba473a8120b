/*
 * tests/unit/test_mem_words.c: the word-at-a-time bodies of the freestanding
 * memcpy, memmove, memset and memcmp (lib/mem_words.h) against plain byte
 * loops, for every length up to a few passes and every misalignment of
 * either side, overlapping both ways for memmove. Guard bytes around each
 * destination catch a pass that writes one byte too many.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/mem_words.h"

#define MAX_LEN	70	/* four sixteen-byte passes, a word and a tail, and then some */
#define AREA	(MAX_LEN + 32)
#define GUARD	0xA5

/* The first index where two buffers differ, or n: one assertion per case keeps the test fast. */
static size_t first_difference(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

START_TEST(copy_up_every_length_and_alignment)
{
	unsigned char src[AREA], dst[AREA], want[AREA];
	for (size_t len = 0; len <= MAX_LEN; len++)
		for (size_t so = 0; so < 4; so++)
			for (size_t d_o = 0; d_o < 4; d_o++) {
				pattern(src, AREA, (unsigned)(len + so));
				for (size_t i = 0; i < AREA; i++)
					dst[i] = want[i] = GUARD;
				for (size_t i = 0; i < len; i++)
					want[8 + d_o + i] = src[so + i];
				tv_copy_up(dst + 8 + d_o, src + so, len);
				size_t i = first_difference(dst, want, AREA);
				ck_assert_msg(i == AREA, "len %zu src+%zu dst+%zu: byte %zu is %02x, not %02x",
					      len, so, d_o, i, dst[i], want[i]);
			}
}
END_TEST

/* memmove's two directions, each over its own overlap (the other would be wrong there). */
START_TEST(move_overlapping)
{
	unsigned char buf[AREA + MAX_LEN], want[AREA + MAX_LEN];
	for (size_t len = 0; len <= MAX_LEN; len++)
		for (size_t dist = 1; dist <= 20; dist++)
			for (int down = 0; down < 2; down++) {
				pattern(buf, sizeof buf, (unsigned)(len * 3 + dist));
				for (size_t i = 0; i < sizeof buf; i++)
					want[i] = buf[i];
				size_t lo = 8, hi = 8 + dist;
				size_t from = down ? lo : hi, to = down ? hi : lo;
				unsigned char tmp[MAX_LEN];
				for (size_t i = 0; i < len; i++)
					tmp[i] = want[from + i];
				for (size_t i = 0; i < len; i++)
					want[to + i] = tmp[i];
				if (down)
					tv_copy_down(buf + to, buf + from, len);
				else
					tv_copy_up(buf + to, buf + from, len);
				size_t i = first_difference(buf, want, sizeof buf);
				ck_assert_msg(i == sizeof buf,
					      "len %zu distance %zu %s: byte %zu is %02x, not %02x",
					      len, dist, down ? "up (copied down)" : "down (copied up)",
					      i, buf[i], want[i]);
			}
}
END_TEST

START_TEST(fill_every_length_and_alignment)
{
	unsigned char dst[AREA], want[AREA];
	for (size_t len = 0; len <= MAX_LEN; len++)
		for (size_t d_o = 0; d_o < 4; d_o++) {
			for (size_t i = 0; i < AREA; i++) {
				dst[i] = GUARD;
				want[i] = i >= 8 + d_o && i < 8 + d_o + len ? 0x3C : GUARD;
			}
			tv_fill(dst + 8 + d_o, 0x3C, len);
			size_t i = first_difference(dst, want, AREA);
			ck_assert_msg(i == AREA, "len %zu dst+%zu: byte %zu is %02x", len, d_o, i, dst[i]);
		}
}
END_TEST

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* The first differing byte decides, wherever it sits in a word, and as unsigned. */
START_TEST(compare_first_difference_decides)
{
	unsigned char a[AREA], b[AREA];
	for (size_t len = 0; len <= MAX_LEN; len++) {
		pattern(a, AREA, 5);
		pattern(b, AREA, 5);
		ck_assert_int_eq(tv_compare(a + 1, b + 1, len), 0);
		for (size_t at = 0; at < len; at++)
			for (int up = 0; up < 2; up++) {
				pattern(b, AREA, 5);
				b[1 + at] = (unsigned char)(a[1 + at] + (up ? 0x81 : 0x7F));
				/* a later difference the other way must not win */
				if (at + 1 < len)
					b[1 + at + 1] = (unsigned char)(a[1 + at + 1] + (up ? 0x7F : 0x81));
				int want = sign((int)a[1 + at] - (int)b[1 + at]);
				ck_assert_msg(sign(tv_compare(a + 1, b + 1, len)) == want,
					      "len %zu difference at %zu", len, at);
			}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mem_words");
	TCase *tc = tcase_create("against byte loops");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, copy_up_every_length_and_alignment);
	tcase_add_test(tc, move_overlapping);
	tcase_add_test(tc, fill_every_length_and_alignment);
	tcase_add_test(tc, compare_first_difference_decides);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
