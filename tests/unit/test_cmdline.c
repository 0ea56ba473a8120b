/*
 * tests/unit/test_cmdline.c: the command line as QEMU gives it (the file's
 * path first) and as GRUB gives it (the arguments only), for the
 * hypervisor's options, its guest module's string and a guest's arguments
 * (lib/cmdline.c).
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"

static const struct {
	const char *line;	/* as the loader gives it */
	const char *args;	/* what cmdline_args must leave */
	const char *path;	/* the path cmdline_path must find, or NULL */
	const char *loader;
} rows[] = {
	/* The hypervisor's own line. */
	{ "build/hv/hv.elf ring=3 trace=1", "ring=3 trace=1", "build/hv/hv.elf", "QEMU -kernel" },
	{ "ring=3 trace=1", "ring=3 trace=1", NULL, "GRUB multiboot" },
	{ "hv.elf ring=3", "ring=3", "hv.elf", "QEMU -kernel, relative path" },
	{ "/boot/hv.elf", "", "/boot/hv.elf", "QEMU, no options" },
	{ "", "", NULL, "GRUB, no options" },
	{ "  ring=1   mem=4", "  ring=1   mem=4", NULL, "GRUB, spaces kept" },
	/* The guest module's string and a guest's command line. */
	{ "build/guests/attack.elf read-switcher", "read-switcher", "build/guests/attack.elf",
	  "QEMU -initrd" },
	{ "read-switcher", "read-switcher", NULL, "GRUB module" },
	{ "selftest.elf", "", "selftest.elf", "a name alone" },
	{ "./mykernel step", "step", "./mykernel", "a file without .elf, with a '/'" },
	{ "step seed=1", "step seed=1", NULL, "arguments only" },
	/* Words that merely look alike are arguments. */
	{ "elf x", "elf x", NULL, "'elf' alone" },
	{ ".elfx y", ".elfx y", NULL, "'.elf' not at the end" },
	{ "a.elf", "", "a.elf", "the shortest .elf name" },
};

START_TEST(row)
{
	const char *line = rows[_i].line, *start;
	unsigned n = cmdline_path(line, &start);

	ck_assert_msg(strcmp(cmdline_args(line), rows[_i].args) == 0,
		      "%s: args of \"%s\" are \"%s\", expected \"%s\"", rows[_i].loader, line,
		      cmdline_args(line), rows[_i].args);
	if (rows[_i].path) {
		ck_assert_msg(n == strlen(rows[_i].path) && strncmp(start, rows[_i].path, n) == 0,
			      "%s: path of \"%s\" is %u bytes at \"%s\"", rows[_i].loader, line, n,
			      start);
	} else {
		ck_assert_msg(n == 0, "%s: \"%s\" taken for a path", rows[_i].loader, line);
	}
}
END_TEST

/* No option the hypervisor takes, and no built-in guest's argument, is a path. */
START_TEST(options_are_never_paths)
{
	static const char *const words[] = {
		"ring=1", "ring=3", "trace=1", "mem=1024", "patch=all", "umip=1",
		"read-switcher", "step", "paravirt", "seed=7", "native", "hv", "mods=2",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		ck_assert_msg(!cmdline_word_is_path(words[i], (unsigned)strlen(words[i])),
			      "\"%s\" taken for a path", words[i]);
}
END_TEST

START_TEST(first_word_length)
{
	ck_assert_uint_eq(cmdline_first_word_len("hv.elf ring=1"), 6);
	ck_assert_uint_eq(cmdline_first_word_len("word"), 4);
	ck_assert_uint_eq(cmdline_first_word_len(""), 0);
	ck_assert_uint_eq(cmdline_first_word_len(" x"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("cmdline");
	tcase_add_loop_test(tc, row, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, options_are_never_paths);
	tcase_add_test(tc, first_word_length);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
