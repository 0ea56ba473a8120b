/*
 * tools/cli_args.h: what every subcommand uses to read its words: options
 * given as "--opt V" or "--opt=V", bounded whole numbers, the options that
 * several subcommands share (--ring, --timeout) and the one-line usage
 * error. Runs on: host.
 *
 * Which options a subcommand takes stays with the subcommand (tools/main.c,
 * bench.c, classify.c, scan.c); what lives here makes them all read a word, and
 * complain about it, the same way.
 */
#ifndef TV_TOOLS_CLI_ARGS_H
#define TV_TOOLS_CLI_ARGS_H

/* The program's name, as every message it prints starts. */
#define TV_PROG	"trapvisor"

/*
 * What a subcommand that reads its own words returns for -h or --help:
 * main.c, which holds the help texts, then prints its help.
 */
#define TV_CLI_WANTS_HELP	(-1)

/* Whether arg asks for help: -h or --help. */
int tv_cli_is_help(const char *arg);

/* Whether arg is the option name, alone or as "name=value". */
int tv_cli_is_option(const char *arg, const char *name);

/*
 * The value of the option name at argv[*i] (tv_cli_is_option() said yes):
 * after its '=', or else the next word, which *i then steps past. NULL when
 * no word follows.
 */
const char *tv_cli_option_value(int argc, char **argv, int *i, const char *name);

/* s as a whole decimal number in [min, max]; -1 if it is anything else. */
long tv_cli_parse_long(const char *s, long min, long max);

/*
 * The options several subcommands take, read the same way everywhere. Each
 * reads the option at argv[*i] (tv_cli_is_option() said yes) and its value,
 * and returns 0, or the status of the usage error it printed for command.
 *   --ring R     the ring the guest kernel runs in: 1 or 3
 *   --timeout S  whole seconds, 1 to a day
 *   --format F   a format from_name knows (it returns the format's number,
 *                or -1 for a name it does not know); choices lists them for
 *                the usage error ("text, md, csv or json")
 */
int tv_cli_ring_option(const char *command, int argc, char **argv, int *i, int *ring);
int tv_cli_timeout_option(const char *command, int argc, char **argv, int *i,
			  double *timeout_s);
int tv_cli_format_option(const char *command, int argc, char **argv, int *i,
			 int (*from_name)(const char *), const char *choices, int *format);

/*
 * The usage error for a word command does not take: an unknown option (it
 * starts with '-' and is more than "-") or else an unexpected argument.
 */
int tv_cli_word_refused(const char *command, const char *arg);

/*
 * Print "trapvisor: MESSAGE" on stderr as one line: a control character in
 * MESSAGE (from a file name, say) is escaped (tools/escape.h).
 */
void tv_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "trapvisor: MESSAGE (see 'trapvisor help COMMAND')" on stderr, or
 * "(see 'trapvisor help')" when command is NULL, as one line as
 * tv_cli_error() prints it, and return the usage status (TV_STATUS_USAGE).
 */
int tv_cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
