/*
 * tools/run.h: run one guest in QEMU, natively or under the hypervisor, and
 * return a parsed record of the run. Runs on: host.
 *
 * This is the core every subcommand builds on: `run` and `native` print the
 * record as it grows (through on_line) and summarise it; commands that
 * compare runs (demo, classify, bench) call tv_run() several times and read
 * the records.
 */
#ifndef TV_TOOLS_RUN_H
#define TV_TOOLS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "tools/outcome.h"
#include "tools/protocol.h"
#include "tools/initrd.h"
#include "tools/screen.h"

#define TV_MEM_MIB_DEFAULT	32
#define TV_MEM_MIB_MIN		1
/* The hypervisor's QEMU gets the guest's memory plus its own (tv_hv_machine_mib). */
#define TV_MEM_MIB_MAX		1024
#define TV_TIMEOUT_DEFAULT_S	30.0

enum tv_run_mode {
	TV_MODE_NATIVE,		/* the guest ELF booted directly by QEMU: the reference */
	TV_MODE_HV,		/* the guest as a module of the hypervisor */
};

/* The x86 the run boots on. */
enum tv_machine {
	TV_ON_QEMU,		/* QEMU's TCG, booting the ELF files directly */
	TV_ON_BOCHS,		/* Bochs, booting a GRUB image of the run (tools/bochs.h) */
};

/* Where a line of a run came from. */
enum tv_line_source {
	TV_LINE_GUEST,		/* the guest's output: a `tv:out` line, or native serial */
	TV_LINE_EVENT,		/* any other hypervisor event */
	TV_LINE_FOREIGN,	/* hv mode: serial text that is not the protocol */
	TV_LINE_MALFORMED,	/* hv mode: starts with "tv:" but does not parse */
	TV_LINE_QEMU,		/* something QEMU wrote on stderr */
};

struct tv_run_line {
	enum tv_line_source source;
	const char *raw;		/* the line as it arrived, without '\n' */
	size_t raw_len;
	const struct tv_event *ev;	/* TV_LINE_EVENT, and TV_LINE_GUEST in hv mode */
	const char *text;		/* TV_LINE_GUEST: the guest's bytes, decoded */
	size_t text_len;
};

/* What a run with terminal input says first, on stderr. */
#define TV_INPUT_HINT	"trapvisor: keys go to the guest's COM1; Ctrl-A x ends the run"

struct tv_run_config {
	enum tv_run_mode mode;
	enum tv_machine on;
	const char *guest_path;		/* the guest's multiboot ELF */
	char *const *guest_argv;	/* its command line, word by word */
	int guest_argc;
	unsigned mem_mib;		/* the guest's memory (native: the whole machine) */
	double timeout_s;
	/*
	 * 0, or end the run as a timeout when, after its first line, no line
	 * comes for this long (a guest that prints steadily and then hangs).
	 */
	double idle_timeout_s;
	/* hv mode only: */
	const char *hv_path;		/* the hypervisor ELF */
	int ring;
	int trace;
	const char *patch;		/* the hypervisor's patch= option; NULL: not given */
	int umip;			/* the hypervisor's umip=1: SGDT, SIDT, ... trap */
	int direct;			/* the hypervisor's direct=1: its fast paths */
	/* Both modes: QEMU's -cpu model; NULL: QEMU's default (qemu32, no UMIP). */
	const char *cpu;
	/* Feed the host program's stdin to QEMU's (the guest's COM1 input). */
	int forward_stdin;
	/*
	 * With forward_stdin: when stdin is a terminal, put it in raw mode for
	 * the run (keys reach the guest as typed) with Ctrl-A x to end the
	 * run (input_keys.h). Ctrl-C still ends the run.
	 */
	int stdin_console;
	/* Multiboot modules after the guest (-initrd natively, after the guest under the hv). */
	const struct tv_module *modules;
	size_t nmodules;
	/* Read the guest's 80x25 text screen and keep it in the record. */
	int screen;
	/* End the run with success when a guest line or screen row matches this ERE. */
	const char *until;
	/* The QEMU to run; NULL means $TRAPVISOR_QEMU, else qemu-system-i386 (Bochs: $TRAPVISOR_BOCHS, else bochs). */
	const char *qemu;
	/* QEMU only: start paused with the gdb stub on this TCP port (0: no stub). */
	int gdb_port;
	/* Called for each line as it arrives (for live output); may be NULL. */
	void (*on_line)(void *ctx, const struct tv_run_line *line);
	void *ctx;
};

struct tv_text {
	char *s;		/* NUL-terminated; may also hold NULs within len */
	size_t len;
};

struct tv_run_record {
	enum tv_run_mode mode;
	enum tv_machine on;
	/* hv mode: every protocol event in arrival order, `out` included. */
	struct tv_event *events;
	size_t nevents;
	/* The guest's output lines, decoded, in both modes. */
	struct tv_text *guest_lines;
	size_t nguest_lines;
	/* Serial lines that were not the protocol (hv mode), and malformed ones. */
	struct tv_text *foreign_lines;
	size_t nforeign_lines;
	size_t nmalformed;
	/* What QEMU said on stderr. */
	struct tv_text *qemu_lines;
	size_t nqemu_lines;

	const struct tv_event *hello;	/* into events[], or NULL */
	const struct tv_event *exit;	/* into events[], or NULL */

	enum tv_run_end end;
	int64_t guest_status;		/* valid when end == TV_END_GUEST, else -1 */
	const char *reason;		/* the exit line's reason, or the host's own; may be NULL */
	char message[512];		/* the host's explanation, for set-up errors and oddities */
	int interrupted_by;		/* signal that cut the run short, or 0 */
	int qemu_exited;		/* QEMU exited (rather than died of a signal) */
	int qemu_code;			/* its exit code, when it exited */
	uint64_t machine_mib;		/* the -m given to QEMU */
	double wall_s;			/* from start of QEMU to its end */
	/* With cfg->screen: the last screen read, and when it was read. */
	struct tv_screen screen;
	char screen_when[128];
	char until_line[256];		/* TV_END_UNTIL: what matched (a guest line or screen row) */
	int host_status;		/* enum tv_exit_status (lib/exit_status.h) */
};

/*
 * Run one guest and fill rec (which the caller frees with
 * tv_run_record_free). Returns rec->host_status. Set-up problems (missing
 * files, QEMU not installed, bad characters in paths) give
 * TV_STATUS_USAGE with rec->message saying what is wrong.
 */
int tv_run(const struct tv_run_config *cfg, struct tv_run_record *rec);

/* The hypervisor's command line for cfg ("ring=1 trace=0 mem=32 ..."), the same on every machine. */
void tv_hv_options(const struct tv_run_config *cfg, char *buf, size_t size);
void tv_run_record_free(struct tv_run_record *rec);

#endif
