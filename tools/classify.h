/*
 * tools/classify.h: the `trapvisor classify` subcommand: the
 * sensitive_probe guest run on the bare machine and under the hypervisor,
 * and every instruction of its catalog classified as trapped or silent,
 * equivalent or not. Runs on: host.
 *
 * main.c's command table calls tv_classify_command() with the words after
 * `classify`; the synopsis, summary and help text live here and in
 * classify.c so the command is described in one place.
 */
#ifndef TV_TOOLS_CLASSIFY_H
#define TV_TOOLS_CLASSIFY_H

#include <stddef.h>

#include "tools/classify_table.h"

#define TV_CLASSIFY_SYNOPSIS \
	"classify [--ring 1|3] [--umip] [--patch none|popf|all|inline] [--format text|md|csv|json]\n" \
	"           [--matrix] [--timeout S]"

#define TV_CLASSIFY_SUMMARY \
	"Trapped or silent: run every privileged and sensitive instruction of the\n" \
	"sensitive_probe guest on the bare machine and under the hypervisor, and show\n" \
	"per instruction whether it trapped and whether the guest saw the same."

/* What `trapvisor help classify` adds to the synopsis: options and exit statuses. */
extern const char tv_classify_help[];

/*
 * Run the subcommand; returns the program's exit status (lib/exit_status.h),
 * or TV_CLI_WANTS_HELP (tools/cli_args.h) for -h or --help.
 */
int tv_classify_command(int argc, char **argv);

/*
 * One configuration's table, for a command that shows it otherwise
 * (slides): the bare machine's run and the hypervisor's (progress on
 * stderr), every row decided and named by Capstone. Returns 0 or the exit
 * status `classify` would give, with a one-line reason in note (which may
 * be set on success too: the rows a stop left out).
 */
int tv_classify_collect(const struct tv_classify_config *config, double timeout_s,
			struct tv_classify_table *t, char *note, size_t notelen);

#endif
