/*
 * tools/main.c: the `trapvisor` host program: subcommands, options, help.
 * Runs on: host.
 *
 * Each subcommand is one entry in the commands[] table and one function;
 * everything that runs QEMU goes through tv_run() (tools/run.h), so commands
 * that compare several runs can be added without touching the others.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench.h"
#include "tools/classify.h"
#include "tools/demo.h"
#include "tools/guests.h"
#include "tools/print.h"
#include "tools/process.h"
#include "tools/run.h"

#define PROG	"trapvisor"

/* Which options a subcommand takes. */
enum {
	OPT_RING = 1 << 0,
	OPT_TRACE = 1 << 1,
	OPT_MEM = 1 << 2,
	OPT_TIMEOUT = 1 << 3,
	OPT_GUEST = 1 << 4,	/* a GUEST operand and `-- ARGS` */
	OPT_STEP = 1 << 5,
	OPT_FORMAT = 1 << 6,
	OPT_PATCH = 1 << 7,
	OPT_UMIP = 1 << 8,
};

struct options {
	const char *guest;
	char **guest_argv;
	int guest_argc;
	int ring;
	int trace;
	unsigned mem_mib;
	double timeout_s;
	int step;
	int format;		/* enum tv_demo_format */
	const char *patch;	/* the hypervisor's patch= mode; NULL: its default */
	int umip;		/* CR4.UMIP on (QEMU's CPU then has it: -cpu max) */
	int help;
};

struct command {
	const char *name;
	int (*fn)(const struct command *cmd, int argc, char **argv);
	unsigned opts;
	const char *synopsis;
	const char *summary;
	/* When set, replaces the general options and exit statuses in its help. */
	const char *details;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see '" PROG " help')\n", stderr);
	return TV_STATUS_USAGE;
}

static const char options_help[] =
	"options:\n"
	"  --ring R      the ring the guest kernel runs in under the hypervisor\n"
	"                (1 or 3; default 1)\n"
	"  --trace       show every trap with its disassembly\n"
	"  --umip        turn CR4.UMIP on (QEMU runs with -cpu max), so SGDT, SIDT,\n"
	"                SLDT, SMSW and STR trap and are emulated\n"
	"  --patch P     rewrite sensitive instructions to trap before the guest\n"
	"                runs: none, popf (POPF and PUSHF) or all (default none)\n"
	"  --mem N       the guest's memory in MiB, 1 to 512 (default 32)\n"
	"  --timeout S   give up after S seconds and kill QEMU (default 30)\n"
	"  -- ARGS       everything after -- is the guest's command line\n";

static const char status_help[] =
	"exit status:\n"
	"  0  the guest exited with status 0\n"
	"  1  the guest exited with a nonzero status\n"
	"  2  usage or set-up error; nothing ran (bad option, missing file,\n"
	"     QEMU not installed)\n"
	"  3  the guest image was refused before it ran\n"
	"  4  the guest was stopped before it exited (by the hypervisor; natively:\n"
	"     the machine reset)\n"
	"  5  timeout: QEMU was killed\n"
	"  6  no result: the hypervisor panicked, or QEMU ended without saying how\n";

static const char env_help[] =
	"environment:\n"
	"  NO_COLOR             no colours, even on a terminal\n"
	"  TRAPVISOR_QEMU       the QEMU to run (default qemu-system-i386)\n"
	"  TRAPVISOR_BUILD_DIR  the build directory (default: found from this program)\n"
	"  TRAPVISOR_HV         the hypervisor ELF (default: BUILD/hv/hv.elf)\n";

/* Parse a whole number in [min, max]; -1 if s is anything else. */
static long parse_long(const char *s, long min, long max)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}

/* The value of an option given as "--opt V" or "--opt=V". */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static int parse_options(const struct command *cmd, int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->ring = 1;
	o->mem_mib = TV_MEM_MIB_DEFAULT;
	o->timeout_s = TV_TIMEOUT_DEFAULT_S;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
		} else if (strcmp(a, "--") == 0 && (cmd->opts & OPT_GUEST)) {
			o->guest_argv = argv + i + 1;
			o->guest_argc = argc - i - 1;
			break;
		} else if ((cmd->opts & OPT_TRACE) && strcmp(a, "--trace") == 0) {
			o->trace = 1;
		} else if ((cmd->opts & OPT_STEP) && strcmp(a, "--step") == 0) {
			o->step = 1;
		} else if ((cmd->opts & OPT_FORMAT) && is_option(a, "--format")) {
			if (!(v = option_value(argc, argv, &i, "--format")))
				return usage_error("--format needs a value");
			if ((o->format = tv_demo_format_from_name(v)) < 0)
				return usage_error("--format %s: give text, md or json", v);
		} else if ((cmd->opts & OPT_RING) && is_option(a, "--ring")) {
			if (!(v = option_value(argc, argv, &i, "--ring")))
				return usage_error("--ring needs a value");
			long ring = parse_long(v, 1, 3);
			if (ring != 1 && ring != 3)
				return usage_error("--ring %s: give 1 or 3", v);
			o->ring = (int)ring;
		} else if ((cmd->opts & OPT_PATCH) && is_option(a, "--patch")) {
			if (!(v = option_value(argc, argv, &i, "--patch")))
				return usage_error("--patch needs a value");
			if (strcmp(v, "none") && strcmp(v, "popf") && strcmp(v, "all"))
				return usage_error("--patch %s: give none, popf or all", v);
			o->patch = v;
		} else if ((cmd->opts & OPT_UMIP) && is_option(a, "--umip")) {
			o->umip = 1;
		} else if ((cmd->opts & OPT_MEM) && is_option(a, "--mem")) {
			if (!(v = option_value(argc, argv, &i, "--mem")))
				return usage_error("--mem needs a value");
			long n = parse_long(v, TV_MEM_MIB_MIN, TV_MEM_MIB_MAX);
			if (n < 0)
				return usage_error("--mem %s: give whole MiB from %d to %d", v,
						   TV_MEM_MIB_MIN, TV_MEM_MIB_MAX);
			o->mem_mib = (unsigned)n;
		} else if ((cmd->opts & OPT_TIMEOUT) && is_option(a, "--timeout")) {
			if (!(v = option_value(argc, argv, &i, "--timeout")))
				return usage_error("--timeout needs a value");
			long n = parse_long(v, 1, 24 * 3600);
			if (n < 0)
				return usage_error("--timeout %s: give whole seconds, at least 1", v);
			o->timeout_s = (double)n;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s' for '%s'", a, cmd->name);
		} else if ((cmd->opts & OPT_GUEST) && !o->guest) {
			o->guest = a;
		} else {
			return usage_error("unexpected argument '%s' for '%s'", a, cmd->name);
		}
	}
	if ((cmd->opts & OPT_GUEST) && !o->guest && !o->help)
		return usage_error("'%s' needs a GUEST", cmd->name);
	return 0;
}

static void command_help(const struct command *cmd)
{
	printf("usage: " PROG " %s\n\n%s\n", cmd->synopsis, cmd->summary);
	if (cmd->details) {
		printf("\n%s", cmd->details);
		return;
	}
	if (cmd->opts & ~OPT_GUEST)
		printf("\n%s", options_help);
	printf("\n%s", status_help);
}

/* Run one guest natively or under the hypervisor, showing it as it goes. */
static int run_and_show(enum tv_run_mode mode, const struct options *o)
{
	struct tv_paths paths;
	struct tv_run_config cfg;
	struct tv_run_record rec;
	struct tv_printer printer;
	char path[PATH_MAX], err[PATH_MAX + 128];

	tv_paths_init(&paths);
	if (tv_resolve_guest(&paths, o->guest, path, sizeof(path), err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return TV_STATUS_USAGE;
	}

	tv_printer_init(&printer, stdout, stderr);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = mode;
	cfg.guest_path = path;
	cfg.guest_argv = o->guest_argv;
	cfg.guest_argc = o->guest_argc;
	cfg.mem_mib = o->mem_mib;
	cfg.timeout_s = o->timeout_s;
	cfg.hv_path = paths.hv;
	cfg.ring = o->ring;
	cfg.trace = o->trace;
	cfg.patch = o->patch;
	cfg.umip = o->umip;
	cfg.cpu = o->umip ? "max" : NULL;
	cfg.on_line = tv_print_line;
	cfg.ctx = &printer;

	tv_process_watch_signals();
	int status = tv_run(&cfg, &rec);
	if (rec.end == TV_END_NONE) {
		fprintf(stderr, PROG ": %s\n", rec.message);
	} else {
		tv_print_summary(&printer, &rec);
		if (rec.end == TV_END_TIMEOUT)
			fprintf(stderr, PROG ": timed out after %g s; QEMU was killed\n",
				o->timeout_s);
	}
	int sig = rec.interrupted_by;
	tv_run_record_free(&rec);
	if (sig) {
		/* QEMU is gone; now leave the way the signal meant us to. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}

static int cmd_run(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	int r = parse_options(cmd, argc, argv, &o);

	if (r || o.help) {
		if (o.help && !r)
			command_help(cmd);
		return r;
	}
	return run_and_show(TV_MODE_HV, &o);
}

static int cmd_native(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	int r = parse_options(cmd, argc, argv, &o);

	if (r || o.help) {
		if (o.help && !r)
			command_help(cmd);
		return r;
	}
	return run_and_show(TV_MODE_NATIVE, &o);
}

/* popf_demo three ways, one table: tools/demo.c. */
static int cmd_demo(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	int r = parse_options(cmd, argc, argv, &o);

	if (r || o.help) {
		if (o.help && !r)
			command_help(cmd);
		return r;
	}
	struct tv_demo_options d = {
		.ring = o.ring, .step = o.step, .format = (enum tv_demo_format)o.format,
		.mem_mib = o.mem_mib, .timeout_s = o.timeout_s,
	};
	return tv_demo(&d);
}

/* Options, runs and table are tools/bench.c's; only the help is printed here. */
static int cmd_bench(const struct command *cmd, int argc, char **argv)
{
	int r = tv_bench_command(argc, argv);

	if (r == TV_BENCH_WANTS_HELP) {
		command_help(cmd);
		return 0;
	}
	return r;
}

/* Options, runs and table are tools/classify.c's; only the help is printed here. */
static int cmd_classify(const struct command *cmd, int argc, char **argv)
{
	int r = tv_classify_command(argc, argv);

	if (r == TV_CLASSIFY_WANTS_HELP) {
		command_help(cmd);
		return 0;
	}
	return r;
}

static int cmd_list(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	struct tv_paths paths;
	int r = parse_options(cmd, argc, argv, &o);

	if (r || o.help) {
		if (o.help && !r)
			command_help(cmd);
		return r;
	}
	tv_paths_init(&paths);
	if (tv_list_guests(&paths, stdout) == 0)
		fprintf(stderr, PROG ": no built-in guests in %s (is the project built?)\n",
			paths.guests);
	return 0;
}

static int cmd_help(const struct command *cmd, int argc, char **argv);

static const struct command commands[] = {
	{ "run", cmd_run,
	  OPT_GUEST | OPT_RING | OPT_TRACE | OPT_PATCH | OPT_UMIP | OPT_MEM | OPT_TIMEOUT,
	  "run GUEST [--ring 1|3] [--trace] [--patch P] [--umip] [--mem N] [--timeout S] [-- ARGS]",
	  "Run GUEST deprivileged under the hypervisor: its output, each trap with\n"
	  "--trace, then traps counted by instruction and how the run ended.", NULL },
	{ "native", cmd_native, OPT_GUEST | OPT_MEM | OPT_TIMEOUT,
	  "native GUEST [--mem N] [--timeout S] [-- ARGS]",
	  "Boot the same GUEST directly on bare QEMU, the reference for equivalence.\n"
	  "Its status is QEMU's exit code shifted right by one (7 bits survive).", NULL },
	{ "demo", cmd_demo, OPT_RING | OPT_STEP | OPT_FORMAT | OPT_MEM | OPT_TIMEOUT,
	  "demo [--ring 1|3] [--step] [--format text|md|json] [--mem N] [--timeout S]",
	  "Show where x86 breaks trap-and-emulate: the popf_demo guest on the bare\n"
	  "machine, under trap-and-emulate and patched, compared in one table.",
	  tv_demo_help },
	{ "bench", cmd_bench, 0, TV_BENCH_SYNOPSIS, TV_BENCH_SUMMARY, tv_bench_help },
	{ "classify", cmd_classify, 0, TV_CLASSIFY_SYNOPSIS, TV_CLASSIFY_SUMMARY,
	  tv_classify_help },
	{ "list", cmd_list, 0, "list", "List the built-in guests (usable as GUEST).", NULL },
	{ "help", cmd_help, 0, "help [COMMAND]", "Show this help, or one command's.", NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void general_help(FILE *f)
{
	fprintf(f, PROG ": run a guest kernel deprivileged under a trap-and-emulate\n"
		"hypervisor for 32-bit x86, in QEMU, and show where it traps.\n\n"
		"usage: " PROG " COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "  test   (the ./trapvisor launcher only) build and run every test\n\n"
		"GUEST is a built-in guest's name (see 'list') or the path of a\n"
		"multiboot ELF kernel.\n\n%s\n%s\n%s", options_help, status_help, env_help);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(const struct command *cmd __attribute__((unused)), int argc, char **argv)
{
	if (argc == 0) {
		general_help(stdout);
		return 0;
	}
	const struct command *which = find_command(argv[0]);
	if (argc > 1 || !which)
		return usage_error("help: unknown command '%s'", argv[0]);
	command_help(which);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		general_help(stderr);
		return TV_STATUS_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		general_help(stdout);
		return 0;
	}
	const struct command *cmd = find_command(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			return usage_error("unknown option '%s'", argv[1]);
		return usage_error("unknown command '%s'", argv[1]);
	}
	return cmd->fn(cmd, argc - 2, argv + 2);
}
