/*
 * tests/unit/test_run_inputs.c: what the host program hands a run and reads
 * back from it: `--module` specifications and QEMU's -initrd text, the
 * terminal's quit key, and the text screen built from guest memory.
 * Runs on: host.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/initrd.h"
#include "tools/input_keys.h"
#include "tools/screen.h"

START_TEST(test_module_spec)
{
	char spec1[] = "fs.img", spec2[] = "a.txt,root=1 quiet", spec3[] = ",x",
	     spec4[] = "a,b,c";
	struct tv_module m;
	char err[256];

	ck_assert_int_eq(tv_module_parse(spec1, &m, err, sizeof(err)), 0);
	ck_assert_str_eq(m.path, "fs.img");
	ck_assert_str_eq(m.string, "");
	ck_assert_int_eq(tv_module_parse(spec2, &m, err, sizeof(err)), 0);
	ck_assert_str_eq(m.path, "a.txt");
	ck_assert_str_eq(m.string, "root=1 quiet");
	/* No FILE before the comma. */
	ck_assert_int_eq(tv_module_parse(spec3, &m, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "FILE"));
	/* A second comma would start another module in QEMU's -initrd. */
	ck_assert_int_eq(tv_module_parse(spec4, &m, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "','"));
}
END_TEST

START_TEST(test_initrd_text)
{
	struct tv_module mods[2] = { { "one.txt", "" }, { "two.txt", "alpha beta" } };
	char err[256];
	char *t;

	/* Under the hypervisor: the guest first, with its command line. */
	t = tv_initrd_text("g.elf", "x=1", mods, 2, err, sizeof(err));
	ck_assert_str_eq(t, "g.elf x=1,one.txt,two.txt alpha beta");
	free(t);
	t = tv_initrd_text("g.elf", "", NULL, 0, err, sizeof(err));
	ck_assert_str_eq(t, "g.elf");
	free(t);
	/* Natively: the modules only; none at all is empty. */
	t = tv_initrd_text(NULL, NULL, mods, 1, err, sizeof(err));
	ck_assert_str_eq(t, "one.txt");
	free(t);
	t = tv_initrd_text(NULL, NULL, NULL, 0, err, sizeof(err));
	ck_assert_str_eq(t, "");
	free(t);

	struct tv_module comma = { "a,b.txt", "" }, space = { "my file", "" },
			 scomma = { "f", "a,b" };
	ck_assert_ptr_null(tv_initrd_text(NULL, NULL, &comma, 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "a,b.txt"));
	ck_assert_ptr_null(tv_initrd_text(NULL, NULL, &space, 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "spaces"));
	ck_assert_ptr_null(tv_initrd_text(NULL, NULL, &scomma, 1, err, sizeof(err)));
	ck_assert_ptr_null(tv_initrd_text("g,h.elf", "", NULL, 0, err, sizeof(err)));
}
END_TEST

static int filter(struct tv_keys *k, const char *in, char *out, size_t *n)
{
	return tv_keys_filter(k, in, strlen(in), out, n);
}

START_TEST(test_quit_key)
{
	struct tv_keys k = { 0 };
	char out[64];
	size_t n;

	ck_assert_int_eq(filter(&k, "ls\r", out, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(out, "ls\r", 3), 0);
	/* Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A and another key send both. */
	ck_assert_int_eq(filter(&k, "\001\001a\001b", out, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(out, "\001a\001b", 4), 0);
	/* Ctrl-A x quits; what came before it is still sent, nothing after. */
	ck_assert_int_eq(filter(&k, "ab\001xcd", out, &n), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(memcmp(out, "ab", 2), 0);
	/* The escape may end one read and the x start the next. */
	struct tv_keys k2 = { 0 };
	ck_assert_int_eq(filter(&k2, "q\001", out, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(filter(&k2, "x", out, &n), 1);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_screen_cells)
{
	uint8_t cells[TV_SCREEN_BYTES];
	struct tv_screen s;

	memset(cells, 0, sizeof(cells));
	tv_screen_from_cells(&s, cells, sizeof(cells));
	ck_assert_int_eq(s.valid, 1);
	ck_assert_int_eq(tv_screen_blank(&s), 1);

	/* "Hi" at row 0 with attributes; a box character and a blank-padded row 24. */
	const char *hi = "Hi  ";
	for (int c = 0; c < 4; c++) {
		cells[c * 2] = (uint8_t)hi[c];
		cells[c * 2 + 1] = 0x07;
	}
	size_t last = (24 * 80) * 2;
	cells[last] = 0xC4;	/* CP437 horizontal line: not ASCII */
	cells[last + 2] = 'z';
	for (int c = 2; c < 80; c++)
		cells[last + c * 2] = ' ';
	tv_screen_from_cells(&s, cells, sizeof(cells));
	ck_assert_int_eq(tv_screen_blank(&s), 0);
	ck_assert_str_eq(s.rows[0], "Hi");	/* trailing blanks dropped */
	ck_assert_str_eq(s.rows[1], "");
	ck_assert_str_eq(s.rows[24], ".z");

	/* Fewer bytes than a screen: the rest is blank. */
	tv_screen_from_cells(&s, cells, 4);
	ck_assert_str_eq(s.rows[0], "Hi");
	ck_assert_str_eq(s.rows[24], "");
}
END_TEST

START_TEST(test_screen_print)
{
	uint8_t cells[TV_SCREEN_BYTES] = { 0 };
	struct tv_screen s;
	char *buf = NULL;
	size_t len = 0;

	cells[80 * 2 * 2] = 'P';	/* row 3 */
	tv_screen_from_cells(&s, cells, sizeof(cells));
	FILE *f = open_memstream(&buf, &len);
	tv_screen_print(f, &s, "at the end of the run");
	fclose(f);
	ck_assert_str_eq(buf, "--- screen, 80x25 text at 0xb8000 (at the end of the run) ---\n"
			      "screen|\nscreen|\nscreen| P\n(rows 4 to 25 blank)\n"
			      "--- end of screen ---\n");
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run_inputs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_module_spec);
	tcase_add_test(tc, test_initrd_text);
	tcase_add_test(tc, test_quit_key);
	tcase_add_test(tc, test_screen_cells);
	tcase_add_test(tc, test_screen_print);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
