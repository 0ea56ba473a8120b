/*
 * tools/guests.h: where the build keeps the hypervisor and the built-in
 * guests, and how a GUEST argument becomes an ELF file. Runs on: host.
 *
 * The build directory is found from the program's own location
 * (<build>/tools/trapvisor-host), or from $TRAPVISOR_BUILD_DIR.
 */
#ifndef TV_TOOLS_GUESTS_H
#define TV_TOOLS_GUESTS_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

struct tv_paths {
	char build[PATH_MAX];		/* the CMake build directory */
	char hv[PATH_MAX];		/* <build>/hv/hv.elf, or $TRAPVISOR_HV */
	char guests[PATH_MAX];		/* <build>/guests */
};

void tv_paths_init(struct tv_paths *paths);

/*
 * GUEST as given by the user: a built-in guest's name, or a path to an ELF.
 * Writes the file's path to out and returns 0, or writes a one-line error to
 * err and returns the exit status to leave with: TV_STATUS_USAGE when there
 * is no such file, TV_STATUS_REFUSED when the file is plainly no kernel
 * (empty, or not an ELF), as the hypervisor would refuse it.
 */
int tv_resolve_guest(const struct tv_paths *paths, const char *guest, char *out, size_t outlen,
		     char *err, size_t errlen);

/* Print the built-in guests, one per line; returns how many there are. */
int tv_list_guests(const struct tv_paths *paths, FILE *out);

#endif
