/*
 * tools/fuzz.h: the `trapvisor fuzz` subcommand: the differential fuzzer.
 * Runs on: host.
 *
 * main.c's command table calls tv_fuzz_command() with the words after
 * `fuzz`; the synopsis, summary and help text live here and in fuzz.c.
 */
#ifndef TV_TOOLS_FUZZ_H
#define TV_TOOLS_FUZZ_H

#define TV_FUZZ_SYNOPSIS \
	"fuzz [--seed S] [--count N] [--start K] [--ring 1|3] [--patch P] [--umip] [--direct]\n" \
	"            [--replay K] [--list N] [--timeout S] [--no-cache]"

#define TV_FUZZ_SUMMARY \
	"Run random instruction sequences (the fuzz guest) on the bare machine and\n" \
	"under the hypervisor with the same seed, compare their end states one by\n" \
	"one, and match each difference against the documented list (docs/fuzz.md)."

extern const char tv_fuzz_help[];

/* Run the subcommand; the program's exit status, or TV_CLI_WANTS_HELP. */
int tv_fuzz_command(int argc, char **argv);

#endif
