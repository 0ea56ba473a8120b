/*
 * lib/exit_status.h: how a run ends, as a number: the host program's exit
 * statuses (docs/console-protocol.md, README's table), defined once.
 * Runs in: hypervisor, ring 0 (it ends QEMU with them); on host (the
 * program exits with them).
 *
 * The hypervisor writes its status to the debug-exit port, so QEMU's own
 * exit status mirrors the `tv:exit` line; the host program still decides
 * from that line (QEMU also exits 1 when it refuses a kernel).
 */
#ifndef TV_LIB_EXIT_STATUS_H
#define TV_LIB_EXIT_STATUS_H

enum tv_exit_status {
	TV_STATUS_GUEST_OK = 0,		/* the guest exited with status 0 */
	TV_STATUS_GUEST_FAILED = 1,	/* the guest exited with a nonzero status */
	TV_STATUS_USAGE = 2,		/* usage or set-up error (nothing ran); host only */
	TV_STATUS_REFUSED = 3,		/* the guest image was refused before it ran */
	TV_STATUS_STOPPED = 4,		/* the guest was stopped before it exited */
	TV_STATUS_TIMEOUT = 5,		/* the time limit ran out; host only */
	TV_STATUS_NO_RESULT = 6,	/* hypervisor panic, or no result at all */
	/*
	 * `demo` only: every run completed, but the bare machine did not do
	 * what the architecture promises a ring-0 kernel (the emulated CPU
	 * itself disagrees).
	 */
	TV_STATUS_BARE_DISAGREES = 7,
};

#endif
