/*
 * tools/cli_args.c: reading a subcommand's words (cli_args.h).
 * Runs on: host.
 */
#include "tools/cli_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/escape.h"
#include "tools/outcome.h"

/* The longest --timeout: a run that needs more than a day has hung. */
#define TIMEOUT_MAX_S	(24 * 3600)

int tv_cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int tv_cli_is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

const char *tv_cli_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

long tv_cli_parse_long(const char *s, long min, long max)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}

/* "trapvisor: " and the message, escaped, without the line's end. */
static void put_message(const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs(TV_PROG ": ", stderr);
	tv_put_text(stderr, msg, strlen(msg));
}

void tv_cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int tv_cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '" TV_PROG " help%s%s')\n", command ? " " : "",
		command ? command : "");
	return TV_STATUS_USAGE;
}

int tv_cli_ring_option(const char *command, int argc, char **argv, int *i, int *ring)
{
	const char *v = tv_cli_option_value(argc, argv, i, "--ring");

	if (!v)
		return tv_cli_usage_error(command, "--ring needs a value");
	long n = tv_cli_parse_long(v, 1, 3);
	if (n != 1 && n != 3)
		return tv_cli_usage_error(command, "--ring %s: give 1 or 3", v);
	*ring = (int)n;
	return 0;
}

int tv_cli_timeout_option(const char *command, int argc, char **argv, int *i,
			  double *timeout_s)
{
	const char *v = tv_cli_option_value(argc, argv, i, "--timeout");

	if (!v)
		return tv_cli_usage_error(command, "--timeout needs a value");
	long n = tv_cli_parse_long(v, 1, TIMEOUT_MAX_S);
	if (n < 0)
		return tv_cli_usage_error(command, "--timeout %s: give whole seconds, at least 1",
					  v);
	*timeout_s = (double)n;
	return 0;
}

int tv_cli_format_option(const char *command, int argc, char **argv, int *i,
			 int (*from_name)(const char *), const char *choices, int *format)
{
	const char *v = tv_cli_option_value(argc, argv, i, "--format");

	if (!v)
		return tv_cli_usage_error(command, "--format needs a value");
	int f = from_name(v);
	if (f < 0)
		return tv_cli_usage_error(command, "--format %s: give %s", v, choices);
	*format = f;
	return 0;
}

int tv_cli_word_refused(const char *command, const char *arg)
{
	if (arg[0] == '-' && arg[1] != '\0')
		return tv_cli_usage_error(command, "unknown option '%s' for '%s'", arg, command);
	return tv_cli_usage_error(command, "unexpected argument '%s' for '%s'", arg, command);
}
