/*
 * tools/guests.c: find the build's hypervisor and guests, and turn a GUEST
 * argument into a checked ELF path. Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/guests.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/exit_status.h"

void tv_paths_init(struct tv_paths *paths)
{
	const char *env = getenv("TRAPVISOR_BUILD_DIR");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(paths->build, sizeof(paths->build), "%s", env);
	} else if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		/* <build>/tools/trapvisor-host: two levels up. */
		snprintf(paths->build, sizeof(paths->build), "%s", dirname(dirname(self)));
	} else {
		snprintf(paths->build, sizeof(paths->build), ".");
	}
	env = getenv("TRAPVISOR_HV");
	/*
	 * A path with a '/' in it, always: the loader puts it first on the
	 * command line, and that is how the hypervisor tells it from its
	 * options (lib/cmdline.h).
	 */
	if (env && *env)
		snprintf(paths->hv, sizeof(paths->hv), "%s%s", strchr(env, '/') ? "" : "./", env);
	else
		snprintf(paths->hv, sizeof(paths->hv), "%.*s/hv/hv.elf", PATH_MAX - 16, paths->build);
	snprintf(paths->guests, sizeof(paths->guests), "%.*s/guests", PATH_MAX - 16, paths->build);
}

static int is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int tv_resolve_guest(const struct tv_paths *paths, const char *guest, char *out, size_t outlen,
		     char *err, size_t errlen)
{
	char builtin[PATH_MAX];
	unsigned char magic[4];

	snprintf(builtin, sizeof(builtin), "%.*s/%s.elf", PATH_MAX / 2, paths->guests, guest);
	if (!strchr(guest, '/') && is_file(builtin)) {
		snprintf(out, outlen, "%s", builtin);
	} else if (is_file(guest)) {
		/* With a '/', so the guest knows it for its path (lib/cmdline.h). */
		snprintf(out, outlen, "%s%s", strchr(guest, '/') ? "" : "./", guest);
	} else if (!strchr(guest, '/') && !strchr(guest, '.')) {
		snprintf(err, errlen, "unknown guest '%s': not a built-in guest "
			 "(see 'trapvisor list') and no such file", guest);
		return TV_STATUS_USAGE;
	} else {
		snprintf(err, errlen, "no such guest file: %s", guest);
		return TV_STATUS_USAGE;
	}

	/* Refuse what is plainly not a kernel here; QEMU's judgement is the rest. */
	int fd = open(out, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read guest file: %s", out);
		return TV_STATUS_USAGE;
	}
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "\177ELF", 4) != 0) {
		snprintf(err, errlen, "the guest image was refused: not an ELF file: %s", out);
		return TV_STATUS_REFUSED;
	}
	return 0;
}

static int elf_name(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 4 && strcmp(d->d_name + len - 4, ".elf") == 0;
}

int tv_list_guests(const struct tv_paths *paths, FILE *out)
{
	struct dirent **names;
	int n = scandir(paths->guests, &names, elf_name, alphasort);

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		fprintf(out, "%.*s\n", (int)(strlen(names[i]->d_name) - 4), names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return n;
}
