/*
 * tools/boot_image.h: a GRUB boot image (an ISO 9660 CD image made by
 * grub-mkrescue) of one run: the hypervisor with the guest as its module,
 * or the guest alone, for Bochs, a real PC or any PC emulator.
 * Runs on: host.
 *
 * The image holds /boot/hv.elf, /boot/guest.elf, the modules as
 * /boot/mod0 ... and /boot/grub/grub.cfg. GRUB gives a multiboot kernel
 * and its modules their strings without the file's path (lib/cmdline.h):
 * the hypervisor's options, the guest's arguments (the guest's module
 * string, or a bare guest's command line) go as GRUB's form, so a guest
 * sees the same command line under the hypervisor as on the bare machine
 * (and the hypervisor calls it "guest": GRUB does not say its name). The
 * modules after the guest have the path the host was given first, as
 * QEMU's -initrd has them. tv_grub_cfg() is pure and unit-tested;
 * tv_boot_image_make() runs grub-mkrescue.
 */
#ifndef TV_TOOLS_BOOT_IMAGE_H
#define TV_TOOLS_BOOT_IMAGE_H

#include <stddef.h>

#include "tools/initrd.h"

/* What the image boots. */
struct tv_boot_spec {
	const char *hv_path;		/* the hypervisor; NULL: boot the guest itself */
	const char *hv_options;		/* its command line ("ring=1 trace=0 mem=32") */
	const char *guest_path;		/* as the host was given it */
	char *const *guest_argv;
	int guest_argc;
	const struct tv_module *modules;
	size_t nmodules;
};

/* The line GRUB writes on COM1 when it cannot load the image (tools/run_lines.c looks for it). */
#define TV_GRUB_FAILED_LINE	"trapvisor: GRUB could not load the image"

/*
 * The text of grub.cfg for spec. Returns a malloc'd string, or NULL with a
 * one-line reason in err (a word GRUB's quoting cannot carry: a single
 * quote or a control character).
 */
char *tv_grub_cfg(const struct tv_boot_spec *spec, char *err, size_t errlen);

/*
 * Make the image at iso_path: stage the files in a new directory under
 * work_dir, write grub.cfg, run grub-mkrescue. Returns 0, or a host status
 * (2) with a one-line reason in err (a missing tool names the Debian
 * package; grub-mkrescue's own complaint otherwise).
 */
int tv_boot_image_make(const struct tv_boot_spec *spec, const char *work_dir,
		       const char *iso_path, char *err, size_t errlen);

/* Remove a directory tree this program made (the staging and work directories). */
void tv_remove_tree(const char *dir);

#endif
