/*
 * guests/lib/guest_exit.h: ending a guest's run with a status.
 * Runs in: guest.
 *
 * The status goes to QEMU's isa-debug-exit port: natively QEMU then exits
 * with (status << 1) | 1; under the hypervisor the run ends with
 * `tv:exit kind=guest status=<status>`. Where nothing listens at that
 * port (bare Bochs, a real PC), the guest prints GUEST_EXIT_LINE and the
 * status on a line of its own, which the host program reads on Bochs.
 */
#ifndef TV_GUESTS_LIB_GUEST_EXIT_H
#define TV_GUESTS_LIB_GUEST_EXIT_H

#include <stdint.h>

#define GUEST_DEBUG_EXIT_PORT	0xF4
/* The line that ends a run without a debug-exit device (tools/run_lines.c reads it). */
#define GUEST_EXIT_LINE		"guest-exit: no debug-exit device; status="

/* Statuses every guest shares; a test guest's status is otherwise its failure count. */
#define GUEST_EXIT_OK		0
#define GUEST_EXIT_USAGE	2	/* bad command line */
#define GUEST_EXIT_MAX_FAILURES	126	/* failure counts are capped here */
#define GUEST_EXIT_PANIC	127	/* the guest itself broke (e.g. an unexpected trap) */

__attribute__((noreturn)) void guest_exit(uint32_t status);

#endif
