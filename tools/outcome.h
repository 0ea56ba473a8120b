/*
 * tools/outcome.h: how a run ended, and what that means for the host
 * program's exit status (docs/console-protocol.md, "exit kinds").
 * Runs on: host.
 *
 * Pure decisions, kept apart from the process handling so unit tests can
 * pin every row of the exit-status table.
 */
#ifndef TV_TOOLS_OUTCOME_H
#define TV_TOOLS_OUTCOME_H

#include <stdint.h>

#include "lib/exit_status.h"	/* the statuses themselves, shared with the hypervisor */

enum tv_run_end {
	TV_END_NONE,		/* nothing ran (set-up error) */
	TV_END_GUEST,		/* the guest wrote its status to port 0xF4 */
	TV_END_REFUSED,		/* hypervisor (or bare QEMU) refused the image */
	TV_END_STOPPED,		/* the hypervisor stopped the guest */
	TV_END_PANIC,		/* the hypervisor itself failed */
	TV_END_RESET,		/* native: the machine reset (e.g. triple fault) */
	TV_END_TIMEOUT,		/* the time limit ran out */
	TV_END_NO_EXIT,		/* QEMU ended without saying how */
	TV_END_INTERRUPTED,	/* a signal (Ctrl-C) cut the run short */
	TV_END_UNTIL,		/* the guest's output matched --until: a success */
	TV_END_QUIT,		/* the user typed the quit key (Ctrl-A x) */
};

/* The `kind` of a `tv:exit` line; unknown kinds give TV_END_NO_EXIT. */
enum tv_run_end tv_end_from_exit_kind(const char *kind);

/* The exit status of the host program for a run that ended so. */
int tv_host_status(enum tv_run_end end, int64_t guest_status);

/*
 * A native run has no hypervisor to say how it ended: only QEMU's exit and
 * what it printed. outl(0xf4, v) makes QEMU exit with (v << 1) | 1, so the
 * guest's status survives only in 7 bits. QEMU also exits 1 when it refuses
 * the kernel; then it complains on stderr and the serial line stayed silent.
 *   exited:      QEMU exited (rather than died of a signal)
 *   code:        its exit code when it exited
 *   serial_seen: the guest printed anything on COM1
 *   stderr_seen: QEMU printed anything on stderr
 * Sets *guest_status to the guest's status when the result is TV_END_GUEST.
 */
enum tv_run_end tv_native_end(int exited, int code, int serial_seen, int stderr_seen,
			      int64_t *guest_status);

/*
 * MiB to give QEMU when it boots the hypervisor: the guest's memory, the
 * hypervisor's own 64 MiB, the guest image (a module, rounded up to whole
 * MiB) and 8 MiB of slack for the loader and the multiboot information.
 */
uint64_t tv_hv_machine_mib(unsigned guest_mib, uint64_t guest_file_bytes);

/* A short phrase for messages: "the guest exited", "timed out", ... */
const char *tv_end_name(enum tv_run_end end);

#endif
