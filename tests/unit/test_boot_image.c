/*
 * tests/unit/test_boot_image.c: the GRUB configuration of a run's image,
 * Bochs's configuration, and the exit line of a bare guest on a machine
 * without a debug-exit device (tools/boot_image.c, tools/bochs.c).
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guests/lib/guest_exit.h"
#include "tools/bochs.h"
#include "tools/boot_image.h"

/* Whether text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

START_TEST(hv_image)
{
	char *argv[] = { "read-switcher" };
	struct tv_module mods[] = { { "data/a.bin", "x=1" }, { "b.bin", "" } };
	struct tv_boot_spec spec = {
		.hv_path = "build/hv/hv.elf", .hv_options = "ring=3 trace=0 mem=32",
		.guest_path = "build/guests/attack.elf", .guest_argv = argv, .guest_argc = 1,
		.modules = mods, .nmodules = 2,
	};
	char err[256];
	char *cfg = tv_grub_cfg(&spec, err, sizeof(err));

	ck_assert_ptr_nonnull(cfg);
	/* The hypervisor's options as GRUB gives them: no path in front. */
	ck_assert_msg(has_line(cfg, "if multiboot /boot/hv.elf ring=3 trace=0 mem=32; then"), "%s", cfg);
	/* The guest's arguments in GRUB's form; the modules' strings as QEMU's -initrd has them. */
	ck_assert_msg(has_line(cfg, "  module /boot/guest.elf 'read-switcher'"), "%s", cfg);
	ck_assert_msg(has_line(cfg, "  module /boot/mod0 'data/a.bin' 'x=1'"), "%s", cfg);
	ck_assert_msg(has_line(cfg, "  module /boot/mod1 'b.bin'"), "%s", cfg);
	ck_assert_msg(has_line(cfg, "  boot"), "%s", cfg);
	/* COM1 at 115200 8N1 for the hypervisor; the screen says where the output went. */
	ck_assert_msg(strstr(cfg, "serial --unit=0 --speed=115200") != NULL, "%s", cfg);
	ck_assert_msg(strstr(cfg, "echo 'trapvisor: the hypervisor writes its output to COM1") != NULL,
		      "%s", cfg);
	/* A failure to load is said on COM1, where the host reads. */
	ck_assert_msg(has_line(cfg, "echo '" TV_GRUB_FAILED_LINE "'"), "%s", cfg);
	ck_assert(strstr(cfg, "terminal_output serial") > strstr(cfg, "  boot"));
	free(cfg);
}
END_TEST

START_TEST(native_image)
{
	char *argv[] = { "step", "seed=3" };
	struct tv_boot_spec spec = {
		.guest_path = "./k.elf", .guest_argv = argv, .guest_argc = 2,
	};
	char err[256];
	char *cfg = tv_grub_cfg(&spec, err, sizeof(err));

	ck_assert_ptr_nonnull(cfg);
	/* The bare guest gets GRUB's form: its arguments only. */
	ck_assert_msg(has_line(cfg, "if multiboot /boot/guest.elf 'step' 'seed=3'; then"), "%s", cfg);
	ck_assert_msg(strstr(cfg, "hv.elf") == NULL, "%s", cfg);
	free(cfg);
}
END_TEST

START_TEST(unquotable_words_refused)
{
	static char *bad[] = { "it's", "a\nb", "tab\there" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tv_boot_spec spec = { .guest_path = "./k.elf", .guest_argv = &bad[i],
					     .guest_argc = 1 };
		char err[256] = "";
		char *cfg = tv_grub_cfg(&spec, err, sizeof(err));
		ck_assert_msg(cfg == NULL, "accepted word %zu", i);
		ck_assert_msg(strstr(err, "GRUB") != NULL && strchr(err, '\n') == NULL,
			      "error: %s", err);
	}
	struct tv_module mod = { "x'y.bin", "" };
	struct tv_boot_spec spec = { .guest_path = "./k.elf", .modules = &mod, .nmodules = 1 };
	char err[256];
	ck_assert_ptr_null(tv_grub_cfg(&spec, err, sizeof(err)));
}
END_TEST

START_TEST(bochsrc)
{
	struct tv_bochs_config bc = { .megs = 105, .iso_path = "/w/boot.iso", .log_path = "/w/b.log",
				      .bios_dir = "/usr/share/bochs" };
	char *rc = tv_bochsrc(&bc);

	ck_assert_ptr_nonnull(rc);
	ck_assert_msg(has_line(rc, "megs: 105"), "%s", rc);
	ck_assert_msg(has_line(rc, "ata0-master: type=cdrom, path=/w/boot.iso, status=inserted"), "%s", rc);
	ck_assert_msg(has_line(rc, "boot: cdrom"), "%s", rc);
	ck_assert_msg(has_line(rc, "com1: enabled=1, mode=file, dev=/dev/fd/3"), "%s", rc);
	ck_assert_msg(has_line(rc, "romimage: file=/usr/share/bochs/BIOS-bochs-latest"), "%s", rc);
	ck_assert_msg(has_line(rc, "log: /w/b.log"), "%s", rc);
	ck_assert_msg(has_line(rc, "cpu: ips=50000000"), "%s", rc);
	free(rc);
	bc.cpu_model = "core2_penryn_t9600";
	rc = tv_bochsrc(&bc);
	ck_assert_msg(has_line(rc, "cpu: ips=50000000, model=core2_penryn_t9600"), "%s", rc);
	free(rc);
}
END_TEST

START_TEST(guest_exit_line)
{
	long status = -1;
	size_t before = 99;
	const char *l = GUEST_EXIT_LINE "0";

	ck_assert(tv_bochs_guest_exit(l, strlen(l), &status, &before));
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(before, 0);
	l = "partial" GUEST_EXIT_LINE "127";
	ck_assert(tv_bochs_guest_exit(l, strlen(l), &status, &before));
	ck_assert_int_eq(status, 127);
	ck_assert_uint_eq(before, 7);
	/* Not the line: no digits, other text after the digits, an ordinary line. */
	static const char *const no[] = { GUEST_EXIT_LINE, GUEST_EXIT_LINE "1x",
					  GUEST_EXIT_LINE "-1", "PASS: all", "status=0" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!tv_bochs_guest_exit(no[i], strlen(no[i]), &status, &before), "%s", no[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("boot_image");
	TCase *tc = tcase_create("boot_image");
	tcase_add_test(tc, hv_image);
	tcase_add_test(tc, native_image);
	tcase_add_test(tc, unquotable_words_refused);
	tcase_add_test(tc, bochsrc);
	tcase_add_test(tc, guest_exit_line);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
