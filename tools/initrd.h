/*
 * tools/initrd.h: the multiboot modules of a run, from `--module FILE[,STRING]`
 * to the text of QEMU's -initrd. Runs on: host.
 *
 * QEMU's multiboot loader reads -initrd as modules separated by commas, each
 * a path that ends at the first space, the rest of it being the module's
 * string. So neither a path nor a string may hold a comma, and a path may not
 * hold a space; these are refused here with a one-line reason rather than
 * handed to QEMU to split wrongly. Pure logic, unit-tested.
 */
#ifndef TV_TOOLS_INITRD_H
#define TV_TOOLS_INITRD_H

#include <stddef.h>

#define TV_MODULES_MAX	16

struct tv_module {
	const char *path;	/* the file, as given */
	const char *string;	/* the words after the path in its module string; "" if none */
};

/*
 * Split spec ("FILE" or "FILE,STRING") into *mod. spec is modified (the comma
 * becomes a NUL) and mod points into it. Returns 0, or -1 with a one-line
 * reason in err.
 */
int tv_module_parse(char *spec, struct tv_module *mod, char *err, size_t errlen);

/*
 * The -initrd text: first (when not NULL) is the module that goes before the
 * others (under the hypervisor: the guest itself, with first_string its
 * command line), then every module as "PATH STRING". Returns a malloc'd
 * string ("" when there is nothing), or NULL with a reason in err (a path
 * with a comma or a space, a string with a comma; out of memory).
 */
char *tv_initrd_text(const char *first, const char *first_string,
		     const struct tv_module *mods, size_t nmods, char *err, size_t errlen);

#endif
