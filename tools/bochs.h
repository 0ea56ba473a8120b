/*
 * tools/bochs.h: a run on Bochs, the second x86: its configuration, and
 * what its output means. Runs on: host.
 *
 * Bochs boots the run's GRUB image (tools/boot_image.h) from a CD drive,
 * with COM1 written to its descriptor 3 (tools/process.h), which the host
 * program reads as it reads QEMU's serial output; Bochs's own messages
 * and its debugger's go to its stdout and stderr. Debian's Bochs starts in its debugger: a command
 * file says `c` (continue). The run ends when the hypervisor, or a guest
 * on the bare machine, writes Bochs's shutdown port after its last line
 * (docs/other-machines.md), or when the host's deadline kills Bochs.
 * tv_bochsrc() is pure and unit-tested.
 */
#ifndef TV_TOOLS_BOCHS_H
#define TV_TOOLS_BOCHS_H

#include <stddef.h>

#include "tools/boot_image.h"

struct tv_bochs_config {
	unsigned megs;			/* the machine's memory */
	const char *iso_path;		/* the boot image */
	const char *log_path;		/* Bochs's own messages */
	const char *cpu_model;		/* Bochs's cpu model name; NULL: its default */
	const char *bios_dir;		/* where bochsbios and vgabios put their images */
};

/* Where Debian's bochsbios and vgabios install the BIOS images. */
#define TV_BOCHS_BIOS_DIR	"/usr/share/bochs"

/*
 * The bochsrc text for cfg: a headless machine (the VNC display, which
 * waits for nobody), COM1 to standard output, no sound, the clock run by
 * instruction count so runs repeat. Returns a malloc'd string or NULL.
 */
char *tv_bochsrc(const struct tv_bochs_config *cfg);

/*
 * Everything a Bochs run needs in work_dir: the GRUB image of spec, the
 * bochsrc (megs MiB, cpu_model or NULL) and the debugger's one command
 * (continue), whose paths go to rc and cmds (size bytes each). Returns 0,
 * or a host status (2) with a one-line reason in err (a missing tool or
 * BIOS image names its Debian package).
 */
int tv_bochs_prepare(const struct tv_boot_spec *spec, unsigned megs, const char *cpu_model,
		     const char *work_dir, char *rc, char *cmds, size_t size, char *err,
		     size_t errlen);

/*
 * A bare guest's last line on a machine without a debug-exit device
 * (guests/lib/guest_exit.c): "guest-exit: ... status=N". Returns 1 and
 * the status when line (len bytes) holds it, with *prefix_len the bytes
 * before it (a partial line the guest had not ended); else 0.
 */
int tv_bochs_guest_exit(const char *line, size_t len, long *status, size_t *prefix_len);

#endif
