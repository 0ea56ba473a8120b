/*
 * guests/lib/guest_test.h: results a program can read, in the style of the
 * Xen Test Framework.
 * Runs in: guest.
 *
 * Each check prints one line, `PASS: name` or `FAIL: name: why`; the run
 * ends with `SUMMARY: N passed, M failed` and the guest exits with status M
 * (capped at GUEST_EXIT_MAX_FAILURES), so 0 means everything passed. The
 * lines are the same natively and under the hypervisor (there each arrives
 * as `tv:out ...`), which is what lets a test compare the two.
 */
#ifndef TV_GUESTS_LIB_GUEST_TEST_H
#define TV_GUESTS_LIB_GUEST_TEST_H

#include <stdbool.h>

void guest_test_pass(const char *name);
void guest_test_fail(const char *name, const char *why_fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* PASS if ok, else FAIL with the reason; returns ok. */
bool guest_test_check(bool ok, const char *name, const char *why_fmt, ...)
	__attribute__((format(printf, 3, 4)));

unsigned guest_test_failures(void);

/* Print the SUMMARY line and exit with the failure count. */
__attribute__((noreturn)) void guest_test_finish(void);

#endif
