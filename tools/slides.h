/*
 * tools/slides.h: the `trapvisor slides` subcommand: the lecture's
 * experiments run live and written as a slide deck with pictures and
 * tables, every number from this run. Runs on: host.
 *
 * main.c's command table calls tv_slides_command() with the words after
 * `slides`; the synopsis, summary and help text live here and in slides.c
 * so the command is described in one place.
 */
#ifndef TV_TOOLS_SLIDES_H
#define TV_TOOLS_SLIDES_H

#define TV_SLIDES_SYNOPSIS \
	"slides [-o DIR] [--lang en|nb] [--ring 1|3] [--timeout S] [--kernel KERNEL]\n" \
	"            [--kernel-mem N] [--kernel-until RE]"

#define TV_SLIDES_SUMMARY \
	"Run the lecture's experiments (the POPF demo, classify, a short bench, one\n" \
	"traced trap, and a kernel of your own) and write a slide deck from them:\n" \
	"DIR/index.html, each picture as SVG, each table as markdown and CSV."

/* What `trapvisor help slides` adds to the synopsis: options and exit statuses. */
extern const char tv_slides_help[];

/*
 * Run the subcommand; returns the program's exit status (lib/exit_status.h),
 * or TV_CLI_WANTS_HELP (tools/cli_args.h) for -h or --help.
 */
int tv_slides_command(int argc, char **argv);

#endif
