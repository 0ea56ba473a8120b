/*
 * guests/lib/guest_exit.h: ending a guest's run with a status.
 * Runs in: guest.
 *
 * The status goes to QEMU's isa-debug-exit port: natively QEMU then exits
 * with (status << 1) | 1; under the hypervisor the run ends with
 * `tv:exit kind=guest status=<status>`.
 */
#ifndef TV_GUESTS_LIB_GUEST_EXIT_H
#define TV_GUESTS_LIB_GUEST_EXIT_H

#include <stdint.h>

#define GUEST_DEBUG_EXIT_PORT	0xF4

/* Statuses every guest shares; a test guest's status is otherwise its failure count. */
#define GUEST_EXIT_OK		0
#define GUEST_EXIT_USAGE	2	/* bad command line */
#define GUEST_EXIT_MAX_FAILURES	126	/* failure counts are capped here */
#define GUEST_EXIT_PANIC	127	/* the guest itself broke (e.g. an unexpected trap) */

__attribute__((noreturn)) void guest_exit(uint32_t status);

#endif
