/*
 * guests/selftest/selftest_main.c: the core integration guest.
 * Runs in: guest.
 *
 * It exercises what a trap-and-emulate hypervisor must get right for an
 * ordinary kernel to run unmodified: the multiboot hand-over, CLI/STI, port
 * I/O (single and string), LGDT/LIDT and segment loads, and exceptions
 * delivered to the guest's own handlers with the right frame. Natively every
 * check passes; run deprivileged, each passes only if the hypervisor
 * emulates or reflects it faithfully.
 *
 * It checks only what is the same on the bare machine and under a correct
 * hypervisor. What deprivileging cannot hide (PUSHF's IF, the RPL in CS,
 * SGDT's answer) belongs to other guests, which show it on purpose.
 *
 * Output: one PASS/FAIL line per check and a SUMMARY line (guest_test.h);
 * the exit status is the number of failures.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	guest_printf("selftest: starting\n");
	/* First, so that any unexpected trap from here on is reported. */
	selftest_descriptors();
	selftest_multiboot(magic, info);
	selftest_interrupt_flag();
	selftest_port_io();
	selftest_segments();
	selftest_exceptions();
	guest_test_finish();
}
