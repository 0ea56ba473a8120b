/*
 * guests/lib/guest_test.c: PASS/FAIL lines, the SUMMARY line and the exit status.
 * Runs in: guest.
 */
#include <stdarg.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_test.h"
#include "lib/format.h"

static unsigned guest_test_passed;
static unsigned guest_test_failed;

void guest_test_pass(const char *name)
{
	guest_test_passed++;
	guest_printf("PASS: %s\n", name);
}

static void guest_test_vfail(const char *name, const char *why_fmt, va_list ap)
{
	char why[160];

	guest_test_failed++;
	tv_vsnprintf(why, sizeof(why), why_fmt, ap);
	guest_printf("FAIL: %s: %s\n", name, why);
}

void guest_test_fail(const char *name, const char *why_fmt, ...)
{
	va_list ap;

	va_start(ap, why_fmt);
	guest_test_vfail(name, why_fmt, ap);
	va_end(ap);
}

bool guest_test_check(bool ok, const char *name, const char *why_fmt, ...)
{
	va_list ap;

	if (ok) {
		guest_test_pass(name);
		return true;
	}
	va_start(ap, why_fmt);
	guest_test_vfail(name, why_fmt, ap);
	va_end(ap);
	return false;
}

unsigned guest_test_failures(void)
{
	return guest_test_failed;
}

void guest_test_finish(void)
{
	guest_printf("SUMMARY: %u passed, %u failed\n", guest_test_passed,
		     guest_test_failed);
	guest_exit(guest_test_failed > GUEST_EXIT_MAX_FAILURES
			   ? GUEST_EXIT_MAX_FAILURES : guest_test_failed);
}
