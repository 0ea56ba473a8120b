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
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/bench.h"
#include "tools/boot_image.h"
#include "tools/classify.h"
#include "tools/scan.h"
#include "tools/slides.h"
#include "tools/cli_args.h"
#include "tools/demo.h"
#include "tools/fuzz.h"
#include "tools/guests.h"
#include "tools/i18n.h"
#include "tools/initrd.h"
#include "tools/print.h"
#include "tools/process.h"
#include "tools/run.h"

/* run --gdb: QEMU's stub's port (TRAPVISOR_GDB_PORT), and the time a session gets without --timeout. */
#define TV_GDB_PORT_DEFAULT	1234
#define TV_GDB_TIMEOUT_S	3600.0

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
	OPT_PC = 1 << 9,	/* --cpu, --screen, --until: run and native */
	OPT_DIRECT = 1 << 10,
	OPT_MODULE = 1 << 11,	/* --module */
	OPT_ON = 1 << 12,	/* --on qemu|bochs */
	OPT_ISO = 1 << 13,	/* -o FILE and --native: iso */
	OPT_GDB = 1 << 14,	/* --gdb: run */
	OPT_LANG = 1 << 15,	/* --lang en|nb: demo */
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
	int umip;		/* CR4.UMIP on (QEMU's CPU must have it) */
	int direct;		/* the hypervisor's fast paths (direct=1) */
	const char *cpu;	/* QEMU's -cpu model; NULL: QEMU's default */
	struct tv_module modules[TV_MODULES_MAX];
	size_t nmodules;
	int screen;
	const char *until;
	enum tv_machine on;
	const char *output;	/* iso: -o FILE */
	int native;		/* iso: the guest alone, without the hypervisor */
	int gdb;		/* run: paused, for gdb */
	const char *lang;	/* --lang: NULL, "en" or "nb" (checked by tv_i18n_setup()) */
	int timeout_given;
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

/* Each option's lines of help, in the order help shows them. */
static const struct {
	unsigned opt;
	const char *help;
} option_help[] = {
	{ OPT_RING, "  --ring R      the ring the guest kernel runs in under the hypervisor\n"
		    "                (1 or 3; default 1)\n" },
	{ OPT_TRACE, "  --trace       show every trap with its disassembly\n" },
	{ OPT_UMIP, "  --umip        turn CR4.UMIP on, so SGDT, SIDT, SLDT, SMSW and STR trap\n"
		    "                and are emulated; the CPU model must have UMIP: without\n"
		    "                --cpu QEMU runs with -cpu max (and says so)\n" },
	{ OPT_DIRECT, "  --direct      the hypervisor's fast paths: the guest reads its local APIC\n"
		      "                without trapping; in ring 1, its user-mode system\n"
		      "                calls through DPL-3 trap gates reach its handler directly;\n"
		      "                in ring 3, an IN or OUT to a port no device owns, a CLI\n"
		      "                or a STI is answered without leaving its page tables\n"
		      "                (docs/platform.md, docs/containment.md)\n" },
	{ OPT_PATCH, "  --patch P     rewrite sensitive instructions before the guest runs:\n"
		     "                none, popf (POPF and PUSHF trap), all (also PUSH CS and\n"
		     "                MOV from CS) or inline (those and CLI and STI run as\n"
		     "                patch code without a trap) (default none)\n" },
	{ OPT_LANG, "  --lang L      the language of what is written for people: en (English)\n"
		    "                or nb (Norwegian bokmål); default: the locale's\n"
		    "                (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English;\n"
		    "                JSON stays English\n" },
	{ OPT_MEM, "  --mem N       the guest's memory in MiB, 1 to 1024 (default 32)\n" },
	{ OPT_TIMEOUT, "  --timeout S   give up after S seconds and kill QEMU (default 30)\n" },
	{ OPT_ON, "  --on M        the x86 to run on: qemu (default) or bochs (a GRUB image\n"
		  "                booted by Bochs; slower, checks segment limits as\n"
		  "                hardware does; no input to the guest)\n" },
	{ OPT_GDB, "  --gdb         start QEMU paused with its gdb stub on TCP port 1234 and\n"
		   "                print the gdb command that attaches with the hypervisor's\n"
		   "                symbols (docs/other-machines.md)\n" },
	{ OPT_PC, "  --cpu MODEL   QEMU's CPU model (-cpu), natively and under the hypervisor\n"
		  "                alike (default: QEMU's, qemu32); on Bochs, Bochs's model\n" },
	{ OPT_MODULE, "  --module FILE[,STRING]  a multiboot module after the guest, with STRING\n"
		      "                after its path in the module's string (repeatable, in\n"
		      "                order; no ',' in FILE or STRING, no space in FILE)\n" },
	{ OPT_ISO, "  -o FILE       where to write the image (required)\n"
		   "  --native      an image of the guest alone, on the bare machine\n" },
	{ OPT_PC, "  --screen      print the guest's 80x25 text screen when the run ends\n"
		  "  --until RE    end the run with success (status 0) as soon as a line of\n"
		  "                the guest's output, or a row of its screen, matches the\n"
		  "                extended regular expression RE\n" },
	{ OPT_GUEST, "  -- ARGS       everything after -- is the guest's command line\n" },
	{ OPT_PC, "\n"
		  "input: the program's standard input goes to the guest's COM1 as it\n"
		  "arrives. From a terminal, keys go as typed (raw mode) and Ctrl-A x ends\n"
		  "the run (Ctrl-A Ctrl-A sends Ctrl-A; Ctrl-C also ends it); from a pipe\n"
		  "or a FIFO, bytes go as written, and its end does not end the run.\n" },
};

/* "options:" and the lines of the options in opts: only those a command takes. */
static void print_options(FILE *f, unsigned opts)
{
	fputs("options:\n", f);
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++)
		if (opts & option_help[i].opt)
			fputs(option_help[i].help, f);
}

static const char status_help[] =
	"exit status:\n"
	"  0  the guest exited with status 0, or its output matched --until\n"
	"  1  the guest exited with a nonzero status\n"
	"  2  usage or set-up error; nothing ran (bad option, missing file,\n"
	"     QEMU not installed)\n"
	"  3  the guest image was refused before it ran\n"
	"  4  the guest was stopped before it exited (by the hypervisor; natively:\n"
	"     the machine reset)\n"
	"  5  timeout: QEMU was killed when the time ran out, or when Ctrl-A x\n"
	"     ended the run\n"
	"  6  no result: the hypervisor panicked, or QEMU ended without saying how\n";

static const char env_help[] =
	"environment:\n"
	"  NO_COLOR             no colours, even on a terminal\n"
	"  TRAPVISOR_QEMU       the QEMU to run (default qemu-system-i386)\n"
	"  TRAPVISOR_BUILD_DIR  the build directory (default: found from this program)\n"
	"  TRAPVISOR_HV         the hypervisor ELF (default: BUILD/hv/hv.elf)\n"
	"  TRAPVISOR_BOCHS      the Bochs to run with --on bochs (default bochs)\n"
	"  TRAPVISOR_GDB_PORT   the TCP port of run --gdb (default 1234)\n"
	"  LANGUAGE, LC_ALL, LC_MESSAGES, LANG\n"
	"                       the language of demo and slides without --lang\n"
	"                       (nb, no or nn: Norwegian bokmål; else English)\n";

/* A usage error of these options points at the general help. */
#define usage_error(...)	tv_cli_usage_error(NULL, __VA_ARGS__)

static int parse_options(const struct command *cmd, int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->ring = 1;
	o->mem_mib = TV_MEM_MIB_DEFAULT;
	o->timeout_s = TV_TIMEOUT_DEFAULT_S;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		int r;

		if (tv_cli_is_help(a)) {
			o->help = 1;
		} else if (strcmp(a, "--") == 0 && (cmd->opts & OPT_GUEST)) {
			o->guest_argv = argv + i + 1;
			o->guest_argc = argc - i - 1;
			break;
		} else if ((cmd->opts & OPT_TRACE) && strcmp(a, "--trace") == 0) {
			o->trace = 1;
		} else if ((cmd->opts & OPT_STEP) && strcmp(a, "--step") == 0) {
			o->step = 1;
		} else if ((cmd->opts & OPT_FORMAT) && tv_cli_is_option(a, "--format")) {
			if ((r = tv_cli_format_option(NULL, argc, argv, &i, tv_demo_format_from_name,
						      "text, md or json", &o->format)))
				return r;
		} else if ((cmd->opts & OPT_RING) && tv_cli_is_option(a, "--ring")) {
			if ((r = tv_cli_ring_option(NULL, argc, argv, &i, &o->ring)))
				return r;
		} else if ((cmd->opts & OPT_PATCH) && tv_cli_is_option(a, "--patch")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--patch")))
				return usage_error("--patch needs a value");
			if (strcmp(v, "none") && strcmp(v, "popf") && strcmp(v, "all") &&
			    strcmp(v, "inline"))
				return usage_error("--patch %s: give none, popf, all or inline", v);
			o->patch = v;
		} else if ((cmd->opts & OPT_PC) && tv_cli_is_option(a, "--cpu")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--cpu")) || !*v)
				return usage_error("--cpu needs a QEMU CPU model (e.g. qemu32, max)");
			if (v[0] == '-' || strpbrk(v, " "))
				return usage_error("--cpu %s: not a CPU model", v);
			o->cpu = v;
		} else if ((cmd->opts & OPT_ON) && tv_cli_is_option(a, "--on")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--on")))
				return usage_error("--on needs qemu or bochs");
			if (strcmp(v, "qemu") == 0)
				o->on = TV_ON_QEMU;
			else if (strcmp(v, "bochs") == 0)
				o->on = TV_ON_BOCHS;
			else
				return usage_error("--on %s: give qemu or bochs", v);
		} else if ((cmd->opts & OPT_LANG) && tv_cli_is_option(a, "--lang")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--lang")))
				return usage_error("--lang needs en or nb");
			o->lang = v;
		} else if ((cmd->opts & OPT_GDB) && strcmp(a, "--gdb") == 0) {
			o->gdb = 1;
		} else if ((cmd->opts & OPT_ISO) && strcmp(a, "--native") == 0) {
			o->native = 1;
		} else if ((cmd->opts & OPT_ISO) && tv_cli_is_option(a, "-o")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "-o")) || !*v)
				return usage_error("-o needs a FILE");
			o->output = v;
		} else if ((cmd->opts & OPT_MODULE) && tv_cli_is_option(a, "--module")) {
			char why[256];
			if (!(v = tv_cli_option_value(argc, argv, &i, "--module")) || !*v)
				return usage_error("--module needs FILE[,STRING]");
			if (o->nmodules == TV_MODULES_MAX)
				return usage_error("at most %d --module options", TV_MODULES_MAX);
			/* argv's strings are ours to cut at the comma. */
			if (tv_module_parse((char *)v, &o->modules[o->nmodules], why,
					    sizeof(why)) < 0)
				return usage_error("%s", why);
			o->nmodules++;
		} else if ((cmd->opts & OPT_PC) && strcmp(a, "--screen") == 0) {
			o->screen = 1;
		} else if ((cmd->opts & OPT_PC) && tv_cli_is_option(a, "--until")) {
			regex_t re;
			if (!(v = tv_cli_option_value(argc, argv, &i, "--until")) || !*v)
				return usage_error("--until needs a regular expression");
			if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
				return usage_error("--until %s: not a valid extended regular "
						   "expression", v);
			regfree(&re);
			o->until = v;
		} else if ((cmd->opts & OPT_DIRECT) && strcmp(a, "--direct") == 0) {
			o->direct = 1;
		} else if ((cmd->opts & OPT_UMIP) && tv_cli_is_option(a, "--umip")) {
			o->umip = 1;
		} else if ((cmd->opts & OPT_MEM) && tv_cli_is_option(a, "--mem")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--mem")))
				return usage_error("--mem needs a value");
			long n = tv_cli_parse_long(v, TV_MEM_MIB_MIN, TV_MEM_MIB_MAX);
			if (n < 0)
				return usage_error("--mem %s: give whole MiB from %d to %d", v,
						   TV_MEM_MIB_MIN, TV_MEM_MIB_MAX);
			o->mem_mib = (unsigned)n;
		} else if ((cmd->opts & OPT_TIMEOUT) && tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option(NULL, argc, argv, &i, &o->timeout_s)))
				return r;
			o->timeout_given = 1;
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
	printf("usage: " TV_PROG " %s\n\n%s\n", cmd->synopsis, cmd->summary);
	if (cmd->details) {
		printf("\n%s", cmd->details);
		return;
	}
	if (cmd->opts & ~OPT_GUEST) {
		putchar('\n');
		print_options(stdout, cmd->opts);
	}
	printf("\n%s", status_help);
}

/*
 * How every command that takes struct options starts: parse its words into
 * *o and show its help if asked. Returns 1 when the command ends here, with
 * its exit status in *status (a usage error, or 0 after the help), else 0.
 */
static int parse_or_help(const struct command *cmd, int argc, char **argv, struct options *o,
			 int *status)
{
	*status = parse_options(cmd, argc, argv, o);
	if (*status == 0 && o->help)
		command_help(cmd);
	return *status != 0 || o->help;
}

/*
 * bench and classify read their own words; they answer -h or --help with
 * TV_CLI_WANTS_HELP, and the help, kept with the others, is printed here.
 */
static int own_options_or_help(const struct command *cmd, int status)
{
	if (status != TV_CLI_WANTS_HELP)
		return status;
	command_help(cmd);
	return 0;
}

/*
 * With --screen, the guest's text screen, before the summary: a panic a
 * kernel writes only there is then the last thing above how the run ended.
 */
static void print_screen(const struct options *o, const struct tv_run_record *rec)
{
	if (!o->screen)
		return;
	if (rec->screen.valid) {
		tv_screen_print(stdout, &rec->screen, rec->screen_when);
		return;
	}
	if (rec->mode == TV_MODE_HV)
		printf("--- screen: the hypervisor sent none ---\n");
	else
		printf("--- screen: QEMU's monitor could not be read before QEMU ended ---\n");
}

/*
 * run --gdb: QEMU waits for gdb before the first instruction; say how to
 * attach with the hypervisor's symbols. The guests are linked at 1 MiB as
 * the hypervisor is, so a breakpoint by a guest symbol's address would
 * stop in the hypervisor as well: the guide in docs/other-machines.md
 * steps into the guest from the hypervisor's way out instead.
 */
static int gdb_setup(const struct options *o, const struct tv_paths *paths, const char *guest,
		     struct tv_run_config *cfg)
{
	const char *env = getenv("TRAPVISOR_GDB_PORT");
	long port = env && *env ? tv_cli_parse_long(env, 1, 65535) : TV_GDB_PORT_DEFAULT;

	if (o->on != TV_ON_QEMU)
		return usage_error("--gdb needs QEMU's gdb stub: not with --on bochs");
	if (port < 0)
		return usage_error("TRAPVISOR_GDB_PORT=%s: give a TCP port, 1 to 65535", env);
	cfg->gdb_port = (int)port;
	if (!o->timeout_given)
		cfg->timeout_s = TV_GDB_TIMEOUT_S;
	fprintf(stderr,
		TV_PROG ": QEMU waits for gdb on port %ld; in another terminal:\n"
		"  gdb -q %s -ex 'target remote 127.0.0.1:%ld' -ex 'break hv_trap' -ex continue\n"
		TV_PROG ": the guest %s runs at the hypervisor's addresses too: break on the\n"
		TV_PROG ": hypervisor's side and step into the guest (docs/other-machines.md);\n"
		TV_PROG ": the run ends after %g s (--timeout)\n",
		port, paths->hv, port, guest, cfg->timeout_s);
	return 0;
}

/*
 * `run` and `native`: run one guest natively or under the hypervisor,
 * showing it as it goes.
 */
static int run_and_show(const struct command *cmd, int argc, char **argv, enum tv_run_mode mode)
{
	struct options o;
	struct tv_paths paths;
	struct tv_run_config cfg;
	struct tv_run_record rec;
	struct tv_printer printer;
	char path[PATH_MAX], err[PATH_MAX + 128];
	int status;

	if (parse_or_help(cmd, argc, argv, &o, &status))
		return status;
	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, o.guest, path, sizeof(path), err, sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return status;
	}

	tv_printer_init(&printer, stdout, stderr);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = mode;
	cfg.guest_path = path;
	cfg.guest_argv = o.guest_argv;
	cfg.guest_argc = o.guest_argc;
	cfg.mem_mib = o.mem_mib;
	cfg.timeout_s = o.timeout_s;
	cfg.hv_path = paths.hv;
	cfg.ring = o.ring;
	cfg.trace = o.trace;
	cfg.patch = o.patch;
	cfg.umip = o.umip;
	cfg.direct = o.direct;
	cfg.cpu = o.cpu;
	if (o.gdb && (status = gdb_setup(&o, &paths, path, &cfg)) != 0)
		return status;
	if (o.umip && !o.cpu && o.on == TV_ON_QEMU) {
		/* Not silently: the reference run must be told the same model. */
		cfg.cpu = "max";
		fprintf(stderr, TV_PROG ": --umip: QEMU runs with --cpu max (its default "
			"model, qemu32, has no UMIP)\n");
	}
	cfg.on = o.on;
	cfg.modules = o.modules;
	cfg.nmodules = o.nmodules;
	cfg.screen = o.screen;
	cfg.until = o.until;
	cfg.forward_stdin = 1;
	cfg.stdin_console = 1;
	cfg.on_line = tv_print_line;
	cfg.ctx = &printer;

	tv_process_watch_signals();
	status = tv_run(&cfg, &rec);
	if (rec.end == TV_END_NONE) {
		tv_cli_error("%s", rec.message);
	} else {
		print_screen(&o, &rec);
		tv_print_summary(&printer, &rec);
		if (rec.end == TV_END_UNTIL)
			printf(TV_PROG ": --until matched: %s\n", rec.until_line);
		if (rec.end == TV_END_TIMEOUT)
			fprintf(stderr, TV_PROG ": timed out after %g s: the guest never exited%s; "
				"QEMU was killed\n", o.timeout_s,
				o.until ? " and --until never matched" : "");
		if (rec.end == TV_END_REFUSED && o.umip && rec.reason && strstr(rec.reason, "UMIP"))
			fprintf(stderr, TV_PROG ": --umip needs a CPU model with UMIP "
				"(--cpu %s has none; --cpu max has it)\n", cfg.cpu);
	}
	int sig = rec.interrupted_by;
	tv_run_record_free(&rec);
	if (sig)
		tv_process_reraise(sig);
	return status;
}

static int cmd_run(const struct command *cmd, int argc, char **argv)
{
	return run_and_show(cmd, argc, argv, TV_MODE_HV);
}

static int cmd_native(const struct command *cmd, int argc, char **argv)
{
	return run_and_show(cmd, argc, argv, TV_MODE_NATIVE);
}

/* popf_demo four ways, one table: tools/demo.c. */
static int cmd_demo(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	int status;

	if (parse_or_help(cmd, argc, argv, &o, &status))
		return status;
	if ((status = tv_i18n_setup(o.lang)) != 0)
		return status;
	struct tv_demo_options d = {
		.ring = o.ring, .step = o.step, .format = (enum tv_demo_format)o.format,
		.mem_mib = o.mem_mib, .timeout_s = o.timeout_s,
	};
	return tv_demo(&d);
}

/* Options, runs and table are tools/bench.c's. */
static int cmd_bench(const struct command *cmd, int argc, char **argv)
{
	return own_options_or_help(cmd, tv_bench_command(argc, argv));
}

/* Options, runs and table are tools/classify.c's. */
static int cmd_classify(const struct command *cmd, int argc, char **argv)
{
	return own_options_or_help(cmd, tv_classify_command(argc, argv));
}

/* Options, runs and report are tools/scan.c's. */
static int cmd_scan(const struct command *cmd, int argc, char **argv)
{
	return own_options_or_help(cmd, tv_scan_command(argc, argv));
}

/* Options, runs and the deck are tools/slides.c's. */
static int cmd_slides(const struct command *cmd, int argc, char **argv)
{
	return own_options_or_help(cmd, tv_slides_command(argc, argv));
}

/* Options, runs and report are tools/fuzz.c's. */
static int cmd_fuzz(const struct command *cmd, int argc, char **argv)
{
	return own_options_or_help(cmd, tv_fuzz_command(argc, argv));
}

static int cmd_list(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	struct tv_paths paths;
	int status;

	if (parse_or_help(cmd, argc, argv, &o, &status))
		return status;
	tv_paths_init(&paths);
	/* An empty list would look like success to a script: say why, as a set-up error. */
	if (tv_list_guests(&paths, stdout) == 0) {
		fprintf(stderr, TV_PROG ": no built-in guests in %s (is the project built? "
			"TRAPVISOR_BUILD_DIR names the build directory)\n", paths.guests);
		return TV_STATUS_USAGE;
	}
	return 0;
}

/*
 * iso: a GRUB image of one run (tools/boot_image.h), for Bochs, a real PC
 * or any PC emulator; what it needs there is in docs/other-machines.md.
 */
static int cmd_iso(const struct command *cmd, int argc, char **argv)
{
	struct options o;
	struct tv_paths paths;
	struct stat sb;
	char path[PATH_MAX], err[PATH_MAX + 128], work[PATH_MAX], opts[160];
	int status;

	if (parse_or_help(cmd, argc, argv, &o, &status))
		return status;
	if (!o.output)
		return usage_error("'iso' needs -o FILE.iso");
	if (o.native && (o.ring != 1 || o.trace || o.patch || o.umip || o.direct))
		return usage_error("--native: the guest alone has no hypervisor options "
				   "(--ring, --trace, --patch, --umip, --direct)");
	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, o.guest, path, sizeof(path), err, sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return status;
	}
	if (!o.native && stat(paths.hv, &sb) < 0) {
		tv_cli_error("the hypervisor is not built: %s", paths.hv);
		return TV_STATUS_USAGE;
	}
	struct tv_run_config cfg = {
		.mode = TV_MODE_HV, .ring = o.ring, .trace = o.trace, .patch = o.patch,
		.umip = o.umip, .direct = o.direct, .mem_mib = o.mem_mib,
	};
	tv_hv_options(&cfg, opts, sizeof(opts));
	struct tv_boot_spec spec = {
		.hv_path = o.native ? NULL : paths.hv, .hv_options = opts, .guest_path = path,
		.guest_argv = o.guest_argv, .guest_argc = o.guest_argc,
		.modules = o.modules, .nmodules = o.nmodules,
	};
	const char *tmp = getenv("TMPDIR");
	snprintf(work, sizeof(work), "%s/trapvisor-iso.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(work)) {
		tv_cli_error("cannot make a work directory: %s", strerror(errno));
		return TV_STATUS_USAGE;
	}
	status = tv_boot_image_make(&spec, work, o.output, err, sizeof(err));
	tv_remove_tree(work);
	if (status != 0) {
		tv_cli_error("%s", err);
		return status;
	}
	printf("%s: a GRUB image of %s%s (%s); its output goes to COM1 at 115200 baud, 8N1\n",
	       o.output, o.native ? "" : "the hypervisor with ", o.guest,
	       o.native ? "on the bare machine" : opts);
	printf("boot it with:  qemu-system-i386 -cdrom %s -serial stdio -display none "
	       "-device isa-debug-exit,iobase=0xf4,iosize=0x01\n", o.output);
	printf("on a real PC:  write it to a USB stick or CD and read COM1 with a null-modem "
	       "cable (docs/other-machines.md)\n");
	return 0;
}

static int cmd_help(const struct command *cmd, int argc, char **argv);

static const struct command commands[] = {
	{ "run", cmd_run,
	  OPT_GUEST | OPT_RING | OPT_TRACE | OPT_PATCH | OPT_UMIP | OPT_DIRECT | OPT_MEM | OPT_TIMEOUT |
		  OPT_PC | OPT_MODULE | OPT_ON | OPT_GDB,
	  "run GUEST [--ring 1|3] [--trace] [--patch P] [--umip] [--direct] [--mem N]\n"
	  "            [--timeout S] [--on qemu|bochs] [--gdb] [--cpu MODEL]\n"
	  "            [--module FILE[,STRING]]... [--screen] [--until RE] [-- ARGS]",
	  "Run GUEST deprivileged under the hypervisor: its output, each trap with\n"
	  "--trace, then traps counted by instruction and how the run ended.", NULL },
	{ "native", cmd_native, OPT_GUEST | OPT_MEM | OPT_TIMEOUT | OPT_PC | OPT_MODULE | OPT_ON,
	  "native GUEST [--mem N] [--timeout S] [--on qemu|bochs] [--cpu MODEL]\n"
	  "            [--module FILE[,STRING]]... [--screen] [--until RE] [-- ARGS]",
	  "Boot the same GUEST directly on the bare machine, the reference for equivalence.\n"
	  "On QEMU its status is QEMU's exit code shifted right by one (7 bits survive).", NULL },
	{ "iso", cmd_iso,
	  OPT_GUEST | OPT_RING | OPT_TRACE | OPT_PATCH | OPT_UMIP | OPT_DIRECT | OPT_MEM | OPT_MODULE |
		  OPT_ISO,
	  "iso GUEST -o FILE.iso [--native] [--ring 1|3] [--trace] [--patch P] [--umip]\n"
	  "            [--direct] [--mem N] [--module FILE[,STRING]]... [-- ARGS]",
	  "Write a bootable GRUB image (multiboot) of the hypervisor with GUEST and its\n"
	  "options, for a real PC, Bochs or any PC emulator; output on COM1.", NULL },
	{ "demo", cmd_demo, OPT_RING | OPT_STEP | OPT_FORMAT | OPT_LANG | OPT_MEM | OPT_TIMEOUT,
	  "demo [--ring 1|3] [--step] [--format text|md|json] [--lang en|nb] [--mem N]\n"
	  "            [--timeout S]",
	  "Show where x86 breaks trap-and-emulate: the popf_demo guest on the bare\n"
	  "machine, under trap-and-emulate, patched and paravirtualized, in one table.",
	  tv_demo_help },
	{ "bench", cmd_bench, 0, TV_BENCH_SYNOPSIS, TV_BENCH_SUMMARY, tv_bench_help },
	{ "classify", cmd_classify, 0, TV_CLASSIFY_SYNOPSIS, TV_CLASSIFY_SUMMARY,
	  tv_classify_help },
	{ "scan", cmd_scan, 0, TV_SCAN_SYNOPSIS, TV_SCAN_SUMMARY, tv_scan_help },
	{ "fuzz", cmd_fuzz, 0, TV_FUZZ_SYNOPSIS, TV_FUZZ_SUMMARY, tv_fuzz_help },
	{ "slides", cmd_slides, 0, TV_SLIDES_SYNOPSIS, TV_SLIDES_SUMMARY, tv_slides_help },
	{ "list", cmd_list, 0, "list", "List the built-in guests (usable as GUEST).", NULL },
	{ "help", cmd_help, 0, "help [COMMAND]", "Show this help, or one command's.", NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void general_help(FILE *f)
{
	fprintf(f, TV_PROG ": run a guest kernel deprivileged under a trap-and-emulate\n"
		"hypervisor for 32-bit x86, in QEMU, and show where it traps.\n\n"
		"usage: " TV_PROG " COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "  test   (the ./trapvisor launcher only) build and run every test\n"
		"  fuzz-host [--target NAME] [--runs N | --seconds S] [--smoke] [--list]\n"
		"         (the ./trapvisor launcher only) fuzz the pure logic on the host\n"
		"         with libFuzzer, ASan and UBSan (docs/fuzz-host.md)\n\n"
		"GUEST is a built-in guest's name (see 'list') or the path of a\n"
		"multiboot ELF kernel.\n\n");
	print_options(f, ~0u);
	fprintf(f, "\n%s\n%s", status_help, env_help);
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
	if (tv_cli_is_help(argv[1])) {
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
