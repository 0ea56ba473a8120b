/*
 * tools/scan.h: the `trapvisor scan` subcommand: every one- and two-byte
 * opcode run by the opcode_scan guest on the bare machine and under the
 * hypervisor, and every instruction that ends otherwise without a trap
 * listed and matched against Robin & Irvine's. Runs on: host.
 *
 * main.c's command table calls tv_scan_command() with the words after
 * `scan`; the synopsis, summary and help text live here and in scan.c.
 */
#ifndef TV_TOOLS_SCAN_H
#define TV_TOOLS_SCAN_H

#define TV_SCAN_SYNOPSIS \
	"scan [--ring 1|3] [--umip] [--format text|md|csv|json] [--timeout S]"

#define TV_SCAN_SUMMARY \
	"Find the sensitive unprivileged instructions by running every one- and two-byte\n" \
	"opcode on the bare machine and under the hypervisor: those that end otherwise\n" \
	"without a trap, compared with Robin & Irvine's list."

extern const char tv_scan_help[];

/* Run the subcommand; the program's exit status, or TV_CLI_WANTS_HELP. */
int tv_scan_command(int argc, char **argv);

#endif
