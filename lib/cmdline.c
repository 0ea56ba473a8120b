/*
 * lib/cmdline.c: telling the image's path from the arguments on a multiboot
 * command line (the rule is in lib/cmdline.h).
 * Runs in: hypervisor and guest (and on the host, for the unit tests).
 */
#include "lib/cmdline.h"

int cmdline_word_is_path(const char *w, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (w[i] == '/')
			return 1;
	return len >= 4 && w[len - 4] == '.' && w[len - 3] == 'e' && w[len - 2] == 'l' &&
	       w[len - 1] == 'f';
}

unsigned cmdline_first_word_len(const char *s)
{
	unsigned n = 0;
	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

unsigned cmdline_path(const char *s, const char **path_start)
{
	while (*s == ' ')
		s++;
	*path_start = s;
	unsigned n = cmdline_first_word_len(s);
	return cmdline_word_is_path(s, n) ? n : 0;
}

const char *cmdline_args(const char *s)
{
	const char *p;
	unsigned n = cmdline_path(s, &p);
	if (!n)
		return s;
	p += n;
	while (*p == ' ')
		p++;
	return p;
}
