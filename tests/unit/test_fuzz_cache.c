/*
 * tests/unit/test_fuzz_cache.c: the bare machine's kept results
 * (tools/fuzz_cache.c): a key changes with every byte and string it covers,
 * records come back as they were put, only for the sequences asked for, a
 * record cut short or altered is not read, and another key's file is
 * another file.
 * Runs on: host.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/fuzz_cache.h"

static char dir[] = "/tmp/tv-fuzz-cache-XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_key)
{
	char a[PATH_MAX], k1[17], k2[17], k3[17], k4[17];
	const char *files[] = { a };
	const char *s1[] = { "QEMU emulator version 7.2", "max" };
	const char *s2[] = { "QEMU emulator version 8.0", "max" };

	snprintf(a, sizeof(a), "%s/guest", dir);
	write_file(a, "guest bytes, one");
	ck_assert_int_eq(tv_fuzz_cache_key(files, 1, s1, 2, k1), 0);
	ck_assert_int_eq(tv_fuzz_cache_key(files, 1, s1, 2, k2), 0);
	ck_assert_str_eq(k1, k2);
	ck_assert_uint_eq(strlen(k1), 16);
	ck_assert_int_eq(tv_fuzz_cache_key(files, 1, s2, 2, k3), 0);
	ck_assert_str_ne(k1, k3);
	write_file(a, "guest bytes, One");
	ck_assert_int_eq(tv_fuzz_cache_key(files, 1, s1, 2, k4), 0);
	ck_assert_str_ne(k1, k4);
	/* A file that cannot be read gives no key: nothing is kept. */
	const char *missing[] = { "/nonexistent/guest.elf" };
	ck_assert_int_eq(tv_fuzz_cache_key(missing, 1, s1, 2, k4), -1);
}
END_TEST

START_TEST(test_round_trip)
{
	struct tv_fuzz_cache c;
	struct tv_fuzz_line l1 = { 10, 0xd, 0x50, 0x240a46, 0x111000, 0x0ca5a563, 0xe9966008 };
	struct tv_fuzz_line l2 = { 11, 0x101, 0, 0x246, 0, 0x12345678, 0x9abcdef0 };
	struct tv_fuzz_line cut = { 10, 0xe, 0x5, 0x10002, 0x111004, 1, 2 };
	const char *layout = "FUZZ-LAYOUT code=0x111000 end=0x107197 scratch=0x112000 "
			     "stack=0x114c00 tables=0x116000 cr3=0x118000";

	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000aa", 7, 10, 5), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_uint_eq(c.records, 0);
	tv_fuzz_cache_put_layout(&c, layout, strlen(layout));
	tv_fuzz_cache_put_line(&c, &l1);
	tv_fuzz_cache_put_line(&c, &l2);
	tv_fuzz_cache_put_ended(&c, 12, 5, "the machine reset without an exit status");
	tv_fuzz_cache_put_cut(&c, 10, 3, &cut);
	tv_fuzz_cache_put_cut(&c, 10, 4, NULL);
	tv_fuzz_cache_put_line(&c, &(struct tv_fuzz_line){ .k = 99, .vector = 1 });
	tv_fuzz_cache_unlock(&c);
	tv_fuzz_cache_close(&c);

	/* Sequences 11 to 13 only. */
	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000aa", 7, 11, 3), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_uint_eq(c.records, 7);
	ck_assert(c.have_layout);
	ck_assert_uint_eq(c.layout.code, 0x111000);
	ck_assert_uint_eq(c.layout.cr3, 0x118000);
	ck_assert_uint_eq(c.seq[0].state, TV_FUZZ_CACHED_LINE);
	ck_assert_mem_eq(&c.seq[0].line, &l2, sizeof(l2));
	ck_assert_uint_eq(c.seq[1].state, TV_FUZZ_CACHED_ENDED);
	ck_assert_int_eq(c.seq[1].end, 5);
	ck_assert_str_eq(c.seq[1].reason, "the machine reset without an exit status");
	ck_assert_uint_eq(c.seq[2].state, TV_FUZZ_CACHED_NONE);
	/* Sequence 10's cuts are not in this range. */
	ck_assert_ptr_null(tv_fuzz_cache_cut(&c, 10, 3));
	tv_fuzz_cache_close(&c);

	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000aa", 7, 10, 1), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_mem_eq(&c.seq[0].line, &l1, sizeof(l1));
	const struct tv_fuzz_cached_cut *k3 = tv_fuzz_cache_cut(&c, 10, 3);
	ck_assert_ptr_nonnull(k3);
	ck_assert(k3->have);
	ck_assert_mem_eq(&k3->line, &cut, sizeof(cut));
	const struct tv_fuzz_cached_cut *k4 = tv_fuzz_cache_cut(&c, 10, 4);
	ck_assert_ptr_nonnull(k4);
	ck_assert(!k4->have);
	ck_assert_ptr_null(tv_fuzz_cache_cut(&c, 10, 5));
	tv_fuzz_cache_close(&c);

	/* Another seed, or another key, is another file. */
	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000aa", 8, 10, 5), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_uint_eq(c.records, 0);
	tv_fuzz_cache_close(&c);
	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000bb", 7, 10, 5), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_uint_eq(c.records, 0);
	ck_assert_uint_eq(c.seq[0].state, TV_FUZZ_CACHED_NONE);
	tv_fuzz_cache_close(&c);
}
END_TEST

START_TEST(test_damaged_records)
{
	struct tv_fuzz_cache c;
	struct tv_fuzz_line l = { 3, 0xd, 0, 0x2, 0x111000, 5, 6 };
	char path[PATH_MAX], text[4096];

	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000cc", 1, 0, 10), 0);
	tv_fuzz_cache_put_line(&c, &l);
	tv_fuzz_cache_close(&c);
	snprintf(path, sizeof(path), "%s/native-00000000000000cc-1.txt", dir);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* The same record for sequence 4 with a digit changed, and sequence 5's cut short. */
	char altered[sizeof(text)];
	snprintf(altered, sizeof(altered), "%s", text);
	altered[2] = '4';
	f = fopen(path, "ab");
	fputs(altered, f);
	fputs("F 5 d 0 00000002 00111000 00000005 0000", f);
	fclose(f);

	ck_assert_int_eq(tv_fuzz_cache_open(&c, dir, "00000000000000cc", 1, 0, 10), 0);
	ck_assert_int_eq(tv_fuzz_cache_lock(&c), 0);
	ck_assert_uint_eq(c.records, 1);
	ck_assert_uint_eq(c.seq[3].state, TV_FUZZ_CACHED_LINE);
	ck_assert_uint_eq(c.seq[4].state, TV_FUZZ_CACHED_NONE);
	ck_assert_uint_eq(c.seq[5].state, TV_FUZZ_CACHED_NONE);
	tv_fuzz_cache_close(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_cache");
	TCase *tc = tcase_create("fuzz_cache");

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_damaged_records);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		failed++;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
