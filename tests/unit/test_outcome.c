/*
 * tests/unit/test_outcome.c: how a run's end maps to the host program's exit
 * status (docs/console-protocol.md), and how a native run's QEMU exit code
 * is read. Runs on: host.
 */
#include <check.h>
#include <stdlib.h>

#include "tools/outcome.h"

START_TEST(test_exit_kinds)
{
	ck_assert_int_eq(tv_end_from_exit_kind("guest"), TV_END_GUEST);
	ck_assert_int_eq(tv_end_from_exit_kind("refused"), TV_END_REFUSED);
	ck_assert_int_eq(tv_end_from_exit_kind("stopped"), TV_END_STOPPED);
	ck_assert_int_eq(tv_end_from_exit_kind("panic"), TV_END_PANIC);
	ck_assert_int_eq(tv_end_from_exit_kind("later"), TV_END_NO_EXIT);
	ck_assert_int_eq(tv_end_from_exit_kind(NULL), TV_END_NO_EXIT);
}
END_TEST

START_TEST(test_status_table)
{
	/* The table in docs/console-protocol.md, row by row. */
	ck_assert_int_eq(tv_host_status(TV_END_GUEST, 0), 0);
	ck_assert_int_eq(tv_host_status(TV_END_GUEST, 1), 1);
	ck_assert_int_eq(tv_host_status(TV_END_GUEST, 42), 1);
	ck_assert_int_eq(tv_host_status(TV_END_NONE, -1), 2);
	ck_assert_int_eq(tv_host_status(TV_END_REFUSED, -1), 3);
	ck_assert_int_eq(tv_host_status(TV_END_STOPPED, -1), 4);
	ck_assert_int_eq(tv_host_status(TV_END_TIMEOUT, -1), 5);
	ck_assert_int_eq(tv_host_status(TV_END_PANIC, -1), 6);
	ck_assert_int_eq(tv_host_status(TV_END_NO_EXIT, -1), 6);
	ck_assert_int_eq(tv_host_status(TV_END_INTERRUPTED, -1), 6);
	/* --until matched: a success, whatever the guest did or did not exit with. */
	ck_assert_int_eq(tv_host_status(TV_END_UNTIL, -1), 0);
	/* Ctrl-A x: like a timeout, QEMU ended before a result. */
	ck_assert_int_eq(tv_host_status(TV_END_QUIT, -1), 5);
}
END_TEST

START_TEST(test_native_status)
{
	int64_t status = -1;

	/* outl(0xf4, v) makes QEMU exit with (v << 1) | 1. */
	ck_assert_int_eq(tv_native_end(1, (3 << 1) | 1, 1, 0, &status), TV_END_GUEST);
	ck_assert_int_eq(status, 3);
	ck_assert_int_eq(tv_native_end(1, 1, 1, 0, &status), TV_END_GUEST);
	ck_assert_int_eq(status, 0);
	/* Status 1, silence on the serial line and a complaint: QEMU refused. */
	ck_assert_int_eq(tv_native_end(1, 1, 0, 1, &status), TV_END_REFUSED);
	/* Status 1 and a complaint, but the guest spoke: the guest's 0. */
	status = -1;
	ck_assert_int_eq(tv_native_end(1, 1, 1, 1, &status), TV_END_GUEST);
	ck_assert_int_eq(status, 0);
	/* -no-reboot turns a reset into exit code 0. */
	ck_assert_int_eq(tv_native_end(1, 0, 1, 0, &status), TV_END_RESET);
	ck_assert_int_eq(tv_host_status(TV_END_RESET, -1), 4);
	/* Even codes other than 0 cannot come from the debug-exit port. */
	ck_assert_int_eq(tv_native_end(1, 2, 1, 1, &status), TV_END_NO_EXIT);
	/* Killed by a signal. */
	ck_assert_int_eq(tv_native_end(0, 0, 1, 0, &status), TV_END_NO_EXIT);
}
END_TEST

START_TEST(test_machine_size)
{
	/* guest memory + 64 + image rounded up to MiB + 8 */
	ck_assert_uint_eq(tv_hv_machine_mib(32, 0), 32 + 64 + 0 + 8);
	ck_assert_uint_eq(tv_hv_machine_mib(32, 1), 32 + 64 + 1 + 8);
	ck_assert_uint_eq(tv_hv_machine_mib(32, 1024 * 1024), 32 + 64 + 1 + 8);
	ck_assert_uint_eq(tv_hv_machine_mib(32, 1024 * 1024 + 1), 32 + 64 + 2 + 8);
	ck_assert_uint_eq(tv_hv_machine_mib(512, 3 * 1024 * 1024), 512 + 64 + 3 + 8);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outcome");
	TCase *tc = tcase_create("outcome");

	tcase_add_test(tc, test_exit_kinds);
	tcase_add_test(tc, test_status_table);
	tcase_add_test(tc, test_native_status);
	tcase_add_test(tc, test_machine_size);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
