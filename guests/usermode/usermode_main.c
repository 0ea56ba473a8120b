/*
 * guests/usermode/usermode_main.c: a guest kernel with a user mode.
 * Runs in: guest.
 *
 * A kernel that believes it runs in ring 0 sets up what an operating system
 * needs for user programs (user segments of DPL 3, a TSS, a system-call
 * gate of DPL 3, SYSENTER), enters user mode with IRET and SYSEXIT, and
 * takes user code back by INT 0x80, SYSENTER and exceptions. Under a
 * hypervisor the kernel is itself deprivileged, so every crossing between
 * the guest's kernel and user mode goes through the hypervisor, which must
 * build exactly the frames the bare CPU builds.
 *
 * Order: system calls, then faults, with flat user segments; then user
 * segments cut down to the image, where user code must stay; last, a
 * system call that ends the run.
 *
 * Output: PASS/FAIL lines, `KNOWN-DIFFERENCE:` lines for what this CPU
 * (QEMU TCG) does not check, and `SUMMARY: N passed, M failed`
 * (guest_test.h); the exit status is the number of failures.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_test.h"
#include "guests/usermode/usermode.h"

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	guest_printf("usermode: starting\n");
	/* User mode runs with IF on: no interrupt may arrive while nothing handles it. */
	guest_pic_mask_all();
	usermode_kernel_init();

	usermode_checks_syscalls();
	usermode_checks_faults();
	usermode_checks_confine(info);

	/* The exit system call prints the summary and ends the run from the kernel. */
	usermode_run(usermode_user_exit, 0);
	guest_test_fail("exit-syscall-reaches-kernel", "the exit system call returned");
	guest_test_finish();
}
