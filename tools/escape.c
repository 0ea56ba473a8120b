/*
 * tools/escape.c: the escaping of each output format (escape.h).
 * Runs on: host.
 */
#include "tools/escape.h"

#include <string.h>

static int shown_as_is(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

void tv_put_text(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (shown_as_is(c))
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

char *tv_escape_text(char *dst, size_t size, const char *s)
{
	size_t n = 0;

	if (size == 0)
		return dst;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t k = shown_as_is(c) ? 1 : 4;
		if (n + k >= size)
			break;
		if (k == 1)
			dst[n] = (char)c;
		else
			snprintf(dst + n, 5, "\\x%02x", c);
		n += k;
	}
	dst[n] = '\0';
	return dst;
}
