/*
 * tools/escape.c: the escaping of each output format (escape.h).
 * Runs on: host.
 */
#include "tools/escape.h"

#include <jansson.h>
#include <stdlib.h>
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

/* s with each byte above 0x7F turned into the UTF-8 of U+0080..U+00FF; NULL without memory. */
static char *bytes_as_latin1(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *w = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80) {
			*w++ = (char)c;
		} else {
			*w++ = (char)(0xC0 | c >> 6);
			*w++ = (char)(0x80 | (c & 0x3F));
		}
	}
	*w = '\0';
	return out;
}

void tv_put_json_string(FILE *f, const char *s)
{
	json_t *j = json_string(s);	/* NULL when s is not UTF-8 */
	char *latin1 = NULL;

	if (!j && (latin1 = bytes_as_latin1(s)) != NULL)
		j = json_string(latin1);
	if (!j || json_dumpf(j, f, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) != 0)
		fputs("\"\"", f);	/* out of memory: an empty string keeps the JSON whole */
	json_decref(j);
	free(latin1);
}

void tv_put_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void tv_put_md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '`')
			fputc('\'', f);
		else
			fputc(*s, f);
	}
}
