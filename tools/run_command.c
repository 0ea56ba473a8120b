/*
 * tools/run_command.c: the emulator's command line for a run. Everything
 * that can be checked before QEMU or Bochs starts is checked here (memory,
 * files, characters QEMU would split at, the patch mode), so that a bad
 * configuration is a one-line set-up error rather than a confusing run.
 * Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/run_state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/bochs.h"
#include "tools/boot_image.h"

static void arg(struct argv_list *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void arg(struct argv_list *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	va_end(ap);
	/* Always leave room for the terminating NULL. */
	char **v = realloc(a->v, (a->n + 2) * sizeof(*a->v));
	if (!v) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	a->v = v;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void tv_run_argv_free(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* The guest's arguments joined by spaces, for -append or after the module path. */
static char *join_args(const struct tv_run_config *cfg)
{
	size_t len = 1;
	for (int i = 0; i < cfg->guest_argc; i++)
		len += strlen(cfg->guest_argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s) {
		fputs("trapvisor: out of memory\n", stderr);
		exit(TV_STATUS_NO_RESULT);
	}
	for (int i = 0; i < cfg->guest_argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, cfg->guest_argv[i]);
	}
	return s;
}

int tv_run_setup_error(struct tv_run_record *rec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec->message, sizeof(rec->message), fmt, ap);
	va_end(ap);
	rec->end = TV_END_NONE;
	rec->host_status = TV_STATUS_USAGE;
	return rec->host_status;
}

/* Every module file must exist; their bytes count towards the hypervisor's QEMU memory. */
static int check_modules(const struct tv_run_config *cfg, struct tv_run_record *rec,
			 uint64_t *bytes)
{
	struct stat sb;

	for (size_t i = 0; i < cfg->nmodules; i++) {
		if (stat(cfg->modules[i].path, &sb) < 0 || !S_ISREG(sb.st_mode))
			return tv_run_setup_error(rec, "no such module file: %s",
						  cfg->modules[i].path);
		/* Each module starts on a page of its own. */
		*bytes += (uint64_t)sb.st_size + 4096;
	}
	return 0;
}

void tv_hv_options(const struct tv_run_config *cfg, char *buf, size_t size)
{
	snprintf(buf, size, "ring=%d trace=%d mem=%u%s%s%s%s", cfg->ring, cfg->trace ? 1 : 0,
		 cfg->mem_mib, cfg->patch ? " patch=" : "", cfg->patch ? cfg->patch : "",
		 cfg->umip ? " umip=1" : "", cfg->direct ? " direct=1" : "");
}

/* On Bochs: a work directory with the run's image and configuration (tools/bochs.h), and Bochs's argv. */
static int build_bochs_command(const struct tv_run_config *cfg, struct tv_run_record *rec,
			       struct run_state *st, struct argv_list *a, uint64_t module_bytes)
{
	struct stat sb;
	char err[512], opts[160], rc[PATH_MAX + 32], cmds[PATH_MAX + 32];
	const char *tmp = getenv("TMPDIR");

	if (cfg->mode == TV_MODE_HV) {
		if (!cfg->hv_path || stat(cfg->hv_path, &sb) < 0)
			return tv_run_setup_error(rec, "the hypervisor is not built: %s",
						  cfg->hv_path ? cfg->hv_path : "(no path)");
		if (cfg->patch && (!*cfg->patch || strpbrk(cfg->patch, " ,")))
			return tv_run_setup_error(rec, "bad patch mode '%s'", cfg->patch);
		stat(cfg->guest_path, &sb);
		rec->machine_mib = tv_hv_machine_mib(cfg->mem_mib, (uint64_t)sb.st_size + module_bytes);
	} else {
		if (cfg->screen)
			return tv_run_setup_error(rec, "--screen: a bare guest's screen cannot be "
						  "read on Bochs (under the hypervisor it can)");
		rec->machine_mib = cfg->mem_mib;
	}
	snprintf(st->work_dir, sizeof(st->work_dir), "%s/trapvisor-bochs.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(st->work_dir)) {
		st->work_dir[0] = '\0';
		return tv_run_setup_error(rec, "cannot make a work directory for Bochs: %s",
					  strerror(errno));
	}
	tv_hv_options(cfg, opts, sizeof(opts));
	struct tv_boot_spec spec = {
		.hv_path = cfg->mode == TV_MODE_HV ? cfg->hv_path : NULL,
		.hv_options = opts,
		.guest_path = cfg->guest_path,
		.guest_argv = cfg->guest_argv,
		.guest_argc = cfg->guest_argc,
		.modules = cfg->modules,
		.nmodules = cfg->nmodules,
	};
	if (tv_bochs_prepare(&spec, (unsigned)rec->machine_mib, cfg->cpu, st->work_dir, rc, cmds,
			     sizeof(rc), err, sizeof(err)) != 0)
		return tv_run_setup_error(rec, "%s", err);

	const char *bochs = cfg->qemu ? cfg->qemu : getenv("TRAPVISOR_BOCHS");
	arg(a, "%s", bochs && *bochs ? bochs : "bochs");
	arg(a, "-q");
	arg(a, "-f");
	arg(a, "%s", rc);
	arg(a, "-rc");
	arg(a, "%s", cmds);
	return 0;
}

int tv_run_build_command(const struct tv_run_config *cfg, struct tv_run_record *rec,
			 struct run_state *st, struct argv_list *a)
{
	struct stat sb;
	uint64_t module_bytes = 0;
	char err[512];

	if (cfg->mem_mib < TV_MEM_MIB_MIN || cfg->mem_mib > TV_MEM_MIB_MAX)
		return tv_run_setup_error(rec, "guest memory must be %d to %d MiB, not %u",
					  TV_MEM_MIB_MIN, TV_MEM_MIB_MAX, cfg->mem_mib);
	if (stat(cfg->guest_path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return tv_run_setup_error(rec, "no such guest file: %s", cfg->guest_path);
	/* QEMU splits -initrd at commas, and the module path ends at a space. */
	if (strchr(cfg->guest_path, ','))
		return tv_run_setup_error(rec, "the guest's path must not contain ',': %s",
					  cfg->guest_path);
	for (int i = 0; i < cfg->guest_argc; i++)
		if (cfg->mode == TV_MODE_HV && strchr(cfg->guest_argv[i], ','))
			return tv_run_setup_error(rec, "guest arguments must not contain ',': %s",
						  cfg->guest_argv[i]);
	if (check_modules(cfg, rec, &module_bytes))
		return rec->host_status;
	if (cfg->on == TV_ON_BOCHS)
		return build_bochs_command(cfg, rec, st, a, module_bytes);

	const char *qemu = cfg->qemu ? cfg->qemu : getenv("TRAPVISOR_QEMU");
	if (!qemu || !*qemu)
		qemu = "qemu-system-i386";
	char *args = join_args(cfg);
	char *initrd;

	arg(a, "%s", qemu);
	arg(a, "-accel");
	arg(a, "tcg");
	if (cfg->mode == TV_MODE_HV) {
		if (strchr(cfg->guest_path, ' ')) {
			free(args);
			return tv_run_setup_error(rec, "the guest's path must not contain "
						  "spaces: %s", cfg->guest_path);
		}
		if (!cfg->hv_path || stat(cfg->hv_path, &sb) < 0) {
			free(args);
			return tv_run_setup_error(rec, "the hypervisor is not built: %s",
						  cfg->hv_path ? cfg->hv_path : "(no path)");
		}
		if (cfg->patch && (!*cfg->patch || strpbrk(cfg->patch, " ,"))) {
			free(args);
			return tv_run_setup_error(rec, "bad patch mode '%s'", cfg->patch);
		}
		struct stat gsb;
		stat(cfg->guest_path, &gsb);
		rec->machine_mib = tv_hv_machine_mib(cfg->mem_mib,
						     (uint64_t)gsb.st_size + module_bytes);
		/* The guest is the hypervisor's first module, its own modules follow. */
		initrd = tv_initrd_text(cfg->guest_path, args, cfg->modules, cfg->nmodules,
					err, sizeof(err));
		free(args);
		if (!initrd)
			return tv_run_setup_error(rec, "%s", err);
		arg(a, "-m");
		arg(a, "%llu", (unsigned long long)rec->machine_mib);
		arg(a, "-kernel");
		arg(a, "%s", cfg->hv_path);
		arg(a, "-initrd");
		arg(a, "%s", initrd);
		free(initrd);
		char opts[160];
		tv_hv_options(cfg, opts, sizeof(opts));
		arg(a, "-append");
		arg(a, "%s", opts);
	} else {
		initrd = tv_initrd_text(NULL, NULL, cfg->modules, cfg->nmodules, err, sizeof(err));
		if (!initrd) {
			free(args);
			return tv_run_setup_error(rec, "%s", err);
		}
		rec->machine_mib = cfg->mem_mib;
		arg(a, "-m");
		arg(a, "%u", cfg->mem_mib);
		arg(a, "-kernel");
		arg(a, "%s", cfg->guest_path);
		if (*args) {
			arg(a, "-append");
			arg(a, "%s", args);
		}
		free(args);
		if (*initrd) {
			arg(a, "-initrd");
			arg(a, "%s", initrd);
		}
		free(initrd);
		/*
		 * The screen a guest under the hypervisor has: text memory at
		 * 0xB8000 and the CRTC's ports. Without a VGA device those ports
		 * read 0xFF and text memory is not there.
		 */
		arg(a, "-vga");
		arg(a, "std");
		/*
		 * QEMU's I/O APIC says version 0x20 while its BIOS's MP table says
		 * 0x11; the virtual PC is the 0x11 chip the table describes
		 * (docs/platform.md).
		 */
		arg(a, "-global");
		arg(a, "ioapic.version=0x11");
	}
	/* The screen of a live machine, for --until and for the end of a run we cut short. */
	if (cfg->screen || cfg->until) {
		char qmp[PATH_MAX + 64];

		if (tv_monitor_init(&st->mon) < 0)
			return tv_run_setup_error(rec, "cannot make a directory for QEMU's monitor: %s",
						  strerror(errno));
		st->has_mon = 1;
		tv_monitor_qemu_arg(&st->mon, qmp, sizeof(qmp));
		arg(a, "-qmp");
		arg(a, "%s", qmp);
	}
	if (cfg->cpu) {
		arg(a, "-cpu");
		arg(a, "%s", cfg->cpu);
	}
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-serial");
	arg(a, "stdio");
	arg(a, "-no-reboot");
	arg(a, "-nodefaults");
	/*
	 * One port, 0xF4, as the guest contract says: a wider device would end
	 * a native run on a write to 0xF5..0xF7 too, which the hypervisor
	 * ignores. A 32-bit write to 0xF4 still ends the run, with
	 * the low byte (QEMU keeps 7 bits of the status anyway).
	 */
	arg(a, "-device");
	arg(a, "isa-debug-exit,iobase=0xf4,iosize=0x01");
	if (cfg->gdb_port) {
		/* Paused before the first instruction, until gdb says continue. */
		arg(a, "-gdb");
		arg(a, "tcp:127.0.0.1:%d", cfg->gdb_port);
		arg(a, "-S");
	}
	return 0;
}
