/*
 * tools/fields.c: parse a line of key=value fields (fields.h).
 * Runs on: host.
 */
#include "tools/fields.h"

#include <string.h>

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int tv_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Unquote the value that starts at the quote *r points to, writing it over
 * the opening quote (it only ever shrinks). On success *r is past the
 * closing quote and the value is NUL-terminated where it was written.
 */
static const char *unquote(char **r)
{
	char *p = *r + 1, *w = *r;

	for (;;) {
		if (*p == '\0')
			return "unterminated quoted value";
		if (*p == '"')
			break;
		if (*p == '\\' && p[1] == 'x') {
			int hi = tv_hex_digit(p[2]);
			int lo = hi < 0 ? -1 : tv_hex_digit(p[3]);
			/* A NUL would end the value early: never written. */
			if (lo < 0 || (hi | lo) == 0)
				return "bad \\x escape in a quoted value";
			*w++ = (char)(hi * 16 + lo);
			p += 4;
			continue;
		}
		if (*p == '\\') {
			if (p[1] != '"' && p[1] != '\\')
				return "bad escape in a quoted value";
			p++;
		}
		*w++ = *p++;
	}
	p++;	/* past the closing quote */
	if (*p != ' ' && *p != '\0')
		return "text after a quoted value";
	*w = '\0';
	*r = p;
	return NULL;
}

const char *tv_fields_parse(char *s, struct tv_field *field, unsigned max, unsigned *n)
{
	char *r = s;

	*n = 0;
	for (;;) {
		while (*r == ' ')
			r++;
		if (*r == '\0')
			return NULL;

		char *key = r;
		while (is_key_char(*r))
			r++;
		if (r == key || *r != '=')
			return "expected key=value";
		*r++ = '\0';

		char *value = r;
		if (*r == '"') {
			const char *why = unquote(&r);
			if (why)
				return why;
		} else {
			while (*r != ' ' && *r != '\0') {
				if (*r == '"')
					return "a quote inside a bare value";
				r++;
			}
		}
		if (*r == ' ')
			*r++ = '\0';

		if (*n < max && !tv_fields_find(field, *n, key)) {
			field[*n].key = key;
			field[*n].value = value;
			(*n)++;
		}
	}
}

const char *tv_fields_find(const struct tv_field *field, unsigned n, const char *key)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(field[i].key, key) == 0)
			return field[i].value;
	return NULL;
}

int tv_parse_u64(const char *s, int base, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s || (base != 10 && base != 16))
		return -1;
	for (; *s; s++) {
		int d = tv_hex_digit(*s);
		if (d < 0 || d >= base)
			return -1;
		if (v > (UINT64_MAX - (unsigned)d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + (unsigned)d;
	}
	*out = v;
	return 0;
}
