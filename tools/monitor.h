/*
 * tools/monitor.h: reading guest memory of a running native QEMU through its
 * QMP monitor, for the text screen at 0xB8000. Runs on: host.
 *
 * The bare machine has no hypervisor to report its screen, so the host
 * program asks QEMU: `-qmp unix:SOCKET,server=on,wait=off`, then QMP's
 * pmemsave into a file beside the socket. A guest that ends through the
 * debug-exit port takes QEMU with it at once (QEMU 7.2 calls exit()), so
 * the screen of such a run is the last one read while it ran; run_screen.c
 * reads it periodically and says how old it is.
 */
#ifndef TV_TOOLS_MONITOR_H
#define TV_TOOLS_MONITOR_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct tv_monitor {
	/* A private directory for the socket and the dump; a socket's path is short. */
	char dir[96];
	char socket[104];
	char dump[104];
	int fd;			/* the connection, or -1 */
	int broken;		/* the monitor failed once: do not ask again */
};

/* Make the private directory. Returns 0, or -1 with errno set. */
int tv_monitor_init(struct tv_monitor *m);

/* The value of QEMU's -qmp option for this monitor. */
void tv_monitor_qemu_arg(const struct tv_monitor *m, char *buf, size_t len);

/*
 * Read len bytes of guest-physical memory at addr into buf, waiting at most
 * timeout_s for QEMU. Returns 0, or -1 when QEMU is gone or does not answer.
 */
int tv_monitor_read(struct tv_monitor *m, uint32_t addr, uint8_t *buf, size_t len,
		    double timeout_s);

/* Close the connection and remove the directory and its files. */
void tv_monitor_close(struct tv_monitor *m);

#endif
