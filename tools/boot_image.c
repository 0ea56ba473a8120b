/*
 * tools/boot_image.c: grub.cfg for one run, and the GRUB CD image made
 * from it with grub-mkrescue (boot_image.h). Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/boot_image.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/exit_status.h"

/* A growing string; NULL after a failed allocation. */
struct text {
	char *s;
	size_t len;
	int failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char *piece;

	if (t->failed)
		return;
	va_start(ap, fmt);
	int n = vasprintf(&piece, fmt, ap);
	va_end(ap);
	char *s = n < 0 ? NULL : realloc(t->s, t->len + (size_t)n + 1);
	if (!s) {
		if (n >= 0)
			free(piece);
		t->failed = 1;
		return;
	}
	memcpy(s + t->len, piece, (size_t)n + 1);
	free(piece);
	t->s = s;
	t->len += (size_t)n;
}

/* A word in GRUB's single quotes, which take everything literally but a quote. */
static int quotable(const char *w)
{
	for (; *w; w++)
		if (*w == '\'' || (unsigned char)*w < 0x20 || *w == 0x7F)
			return 0;
	return 1;
}

static void put_word(struct text *t, const char *w)
{
	put(t, " '%s'", w);
}

char *tv_grub_cfg(const struct tv_boot_spec *spec, char *err, size_t errlen)
{
	struct text t = { 0 };
	const char *bad = NULL;

	if (spec->hv_path && !quotable(spec->hv_options))
		bad = spec->hv_options;
	if (!quotable(spec->guest_path))
		bad = spec->guest_path;
	for (int i = 0; i < spec->guest_argc; i++)
		if (!quotable(spec->guest_argv[i]))
			bad = spec->guest_argv[i];
	for (size_t i = 0; i < spec->nmodules; i++)
		if (!quotable(spec->modules[i].path) || !quotable(spec->modules[i].string))
			bad = spec->modules[i].path;
	if (bad) {
		snprintf(err, errlen, "a guest argument, file name or module string holds a single "
			 "quote or a control character, which GRUB's command line cannot carry");
		return NULL;
	}

	put(&t, "# A trapvisor boot image: %s.\n",
	    spec->hv_path ? "the hypervisor with its guest" : "the guest alone, on the bare machine");
	put(&t, "set timeout=0\nset timeout_style=hidden\n");
	/* COM1 as the hypervisor sets it, for GRUB's own complaint below. */
	put(&t, "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n");
	put(&t, "terminal_input console\nterminal_output console\n");
	if (spec->hv_path)
		put(&t, "echo 'trapvisor: the hypervisor writes its output to COM1 "
			"(115200 baud, 8N1), not to this screen'\n");
	else
		put(&t, "echo 'trapvisor: the guest writes its output to COM1 (115200 baud, 8N1)'\n");
	/* A multiboot kernel's own line: its options, without its path (GRUB's form). */
	if (spec->hv_path) {
		put(&t, "if multiboot /boot/hv.elf %s; then\n", spec->hv_options);
		put(&t, "  module /boot/guest.elf");
		for (int i = 0; i < spec->guest_argc; i++)
			put_word(&t, spec->guest_argv[i]);
		put(&t, "\n");
	} else {
		put(&t, "if multiboot /boot/guest.elf");
		for (int i = 0; i < spec->guest_argc; i++)
			put_word(&t, spec->guest_argv[i]);
		put(&t, "; then\n");
	}
	for (size_t i = 0; i < spec->nmodules; i++) {
		put(&t, "  module /boot/mod%zu", i);
		put_word(&t, spec->modules[i].path);
		if (*spec->modules[i].string)
			put_word(&t, spec->modules[i].string);
		put(&t, "\n");
	}
	put(&t, "  boot\nfi\n");
	/* Loading failed: say so where the host reads, then end the machine. */
	put(&t, "terminal_output serial console\necho '" TV_GRUB_FAILED_LINE "'\nhalt\n");
	if (t.failed) {
		free(t.s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return t.s;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	close(in);
	if (close(out) < 0)
		rc = -1;
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void tv_remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run argv with its output in log_path; returns its exit status, or -errno if it did not start. */
static int run_tool(char *const argv[], const char *log_path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDONLY);
		if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last line of a log, for a one-line message. */
static void last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	snprintf(out, len, "(no output)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			snprintf(out, len, "%s", line);
	}
	fclose(f);
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return TV_STATUS_USAGE;
}

int tv_boot_image_make(const struct tv_boot_spec *spec, const char *work_dir,
		       const char *iso_path, char *err, size_t errlen)
{
	char root[4096], path[4200], log[4200], why[512];
	int rc = 0;

	char *cfg = tv_grub_cfg(spec, err, errlen);
	if (!cfg)
		return TV_STATUS_USAGE;
	snprintf(root, sizeof(root), "%s/iso", work_dir);
	snprintf(path, sizeof(path), "%s/boot", root);
	if ((mkdir(root, 0755) < 0 && errno != EEXIST) || (mkdir(path, 0755) < 0 && errno != EEXIST)) {
		free(cfg);
		return fail(err, errlen, "cannot make %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/boot/grub", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/boot/grub/grub.cfg", root);
	FILE *f = fopen(path, "w");
	if (!f || fputs(cfg, f) < 0 || fclose(f) != 0) {
		free(cfg);
		return fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
	}
	free(cfg);

	snprintf(path, sizeof(path), "%s/boot/hv.elf", root);
	if (spec->hv_path && copy_file(spec->hv_path, path) < 0)
		return fail(err, errlen, "cannot copy the hypervisor %s: %s", spec->hv_path,
			    strerror(errno));
	snprintf(path, sizeof(path), "%s/boot/guest.elf", root);
	if (copy_file(spec->guest_path, path) < 0)
		return fail(err, errlen, "cannot copy the guest %s: %s", spec->guest_path,
			    strerror(errno));
	for (size_t i = 0; i < spec->nmodules; i++) {
		snprintf(path, sizeof(path), "%s/boot/mod%zu", root, i);
		if (copy_file(spec->modules[i].path, path) < 0)
			return fail(err, errlen, "cannot copy the module %s: %s",
				    spec->modules[i].path, strerror(errno));
	}

	/*
	 * Only what the image needs: the BIOS (i386-pc) GRUB, no fonts,
	 * themes or translations, so Bochs reads little from the CD.
	 */
	snprintf(log, sizeof(log), "%s/grub-mkrescue.log", work_dir);
	char out_arg[4200];
	snprintf(out_arg, sizeof(out_arg), "%s", iso_path);
	char *argv[] = {
		"grub-mkrescue", "-o", out_arg,
		"--install-modules=multiboot normal serial terminal echo test halt iso9660 biosdisk",
		"--fonts=", "--locales=", "--themes=", root, NULL,
	};
	rc = run_tool(argv, log);
	if (rc == 127 || rc == -ENOENT)
		return fail(err, errlen, "grub-mkrescue not found (install the Debian packages "
			    "grub-common, grub-pc-bin, xorriso and mtools; ./trapvisor does when root)");
	if (rc != 0) {
		last_line(log, why, sizeof(why));
		return fail(err, errlen, "grub-mkrescue failed: %s", why);
	}
	return 0;
}
