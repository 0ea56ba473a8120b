/*
 * tools/protocol.c: parse one console-protocol line into a struct tv_event.
 * Runs on: host.
 *
 * The grammar (docs/console-protocol.md):
 *   line  = "tv:" event [ " " rest ]
 *   event = a lower-case word
 *   for "out", rest is the guest's text with "\\" and "\xNN" escapes;
 *   otherwise rest is fields "key=value" separated by spaces, where a value is
 *   either a run of non-space bytes or a double-quoted string in which \",
 *   \\ and \xNN (any byte but NUL) are the escapes.
 * Anything that strays from it is rejected rather than guessed at: a reader
 * that guesses can show a guest's words as the hypervisor's.
 */
#include "tools/protocol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[TV_EV_UNKNOWN] = "unknown",
	[TV_EV_HELLO] = "hello",
	[TV_EV_LOAD] = "load",
	[TV_EV_OUT] = "out",
	[TV_EV_TRAP] = "trap",
	[TV_EV_IO] = "io",
	[TV_EV_STAT] = "stat",
	[TV_EV_EXIT] = "exit",
	[TV_EV_PATCH] = "patch",
	[TV_EV_NOTE] = "note",
};

const char *tv_event_kind_name(enum tv_event_kind kind)
{
	if ((unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[kind];
	return "unknown";
}

static enum tv_event_kind kind_from_name(const char *name)
{
	for (unsigned k = TV_EV_HELLO; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (strcmp(name, kind_names[k]) == 0)
			return (enum tv_event_kind)k;
	return TV_EV_UNKNOWN;
}

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_word(char c) { return is_lower(c) || (c >= '0' && c <= '9') || c == '_'; }

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
 * Decode the guest's text in place: src[0..n) into dst (dst <= src).
 * Returns the decoded length, or -1 on a bad escape.
 */
static long decode_out_text(char *dst, const char *src, size_t n)
{
	size_t r = 0, w = 0;

	while (r < n) {
		if (src[r] != '\\') {
			dst[w++] = src[r++];
			continue;
		}
		if (r + 1 < n && src[r + 1] == '\\') {
			dst[w++] = '\\';
			r += 2;
		} else if (r + 3 < n && src[r + 1] == 'x' &&
			   tv_hex_digit(src[r + 2]) >= 0 && tv_hex_digit(src[r + 3]) >= 0) {
			dst[w++] = (char)(tv_hex_digit(src[r + 2]) * 16 +
					  tv_hex_digit(src[r + 3]));
			r += 4;
		} else {
			return -1;
		}
	}
	dst[w] = '\0';
	return (long)w;
}

/*
 * Parse "key=value key=value ..." in place in s (NUL-terminated), filling the
 * event's fields. Returns 0, or -1 if the text is not a field list.
 */
static int parse_fields(char *s, struct tv_event *ev)
{
	char *r = s;

	for (;;) {
		while (*r == ' ')
			r++;
		if (*r == '\0')
			return 0;

		char *key = r;
		while (is_word(*r))
			r++;
		if (r == key || *r != '=')
			return -1;
		*r++ = '\0';

		char *value = r;
		if (*r == '"') {
			char *w = r;	/* unescape over the opening quote */
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;	/* unterminated */
				if (*r == '"')
					break;
				if (*r == '\\' && r[1] == 'x') {
					int hi = tv_hex_digit(r[2]);
					int lo = hi < 0 ? -1 : tv_hex_digit(r[3]);
					/* A NUL would end the value early: never written. */
					if (lo < 0 || (hi | lo) == 0)
						return -1;
					*w++ = (char)(hi * 16 + lo);
					r += 4;
					continue;
				}
				if (*r == '\\') {
					if (r[1] != '"' && r[1] != '\\')
						return -1;
					r++;
				}
				*w++ = *r++;
			}
			r++;	/* past the closing quote */
			if (*r != ' ' && *r != '\0')
				return -1;
			if (*r == ' ')
				r++;
			*w = '\0';
		} else {
			while (*r != ' ' && *r != '\0') {
				if (*r == '"')
					return -1;	/* a quote inside a bare value */
				r++;
			}
			if (*r == ' ')
				*r++ = '\0';
		}

		/* The first occurrence of a key wins; extra fields are ignored. */
		if (ev->nfields < TV_EVENT_FIELDS_MAX && !tv_event_get(ev, key)) {
			ev->field[ev->nfields].key = key;
			ev->field[ev->nfields].value = value;
			ev->nfields++;
		}
	}
}

enum tv_parse_result tv_parse_line(const char *line, size_t len, struct tv_event *ev)
{
	const size_t plen = strlen(TV_PROTOCOL_PREFIX);

	memset(ev, 0, sizeof(*ev));
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < plen || memcmp(line, TV_PROTOCOL_PREFIX, plen) != 0)
		return TV_PARSE_NOT_PROTOCOL;

	/* The event word. */
	size_t i = plen;
	if (i >= len || !is_lower(line[i]))
		return TV_PARSE_MALFORMED;
	while (i < len && is_word(line[i]))
		i++;
	if (i < len && line[i] != ' ')
		return TV_PARSE_MALFORMED;
	size_t name_len = i - plen;
	if (name_len >= TV_EVENT_NAME_MAX)
		return TV_PARSE_MALFORMED;
	memcpy(ev->name, line + plen, name_len);
	ev->name[name_len] = '\0';
	ev->kind = kind_from_name(ev->name);

	/* The rest, after exactly one separating space. */
	const char *rest = line + i + (i < len ? 1 : 0);
	size_t rest_len = len - (size_t)(rest - line);

	ev->buf = malloc(rest_len + 1);
	if (!ev->buf)
		return TV_PARSE_MALFORMED;
	memcpy(ev->buf, rest, rest_len);
	ev->buf[rest_len] = '\0';
	/* A NUL inside a line is no part of the format. */
	if (memchr(ev->buf, '\0', rest_len))
		goto malformed;

	if (ev->kind == TV_EV_OUT) {
		long n = decode_out_text(ev->buf, ev->buf, rest_len);
		if (n < 0)
			goto malformed;
		ev->text = ev->buf;
		ev->text_len = (size_t)n;
		return TV_PARSE_OK;
	}
	if (parse_fields(ev->buf, ev) < 0)
		goto malformed;
	return TV_PARSE_OK;

malformed:
	free(ev->buf);
	memset(ev, 0, sizeof(*ev));
	return TV_PARSE_MALFORMED;
}

void tv_event_free(struct tv_event *ev)
{
	free(ev->buf);
	memset(ev, 0, sizeof(*ev));
}

const char *tv_event_get(const struct tv_event *ev, const char *key)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (strcmp(ev->field[i].key, key) == 0)
			return ev->field[i].value;
	return NULL;
}

int tv_event_get_u64(const struct tv_event *ev, const char *key, uint64_t *out)
{
	const char *v = tv_event_get(ev, key);
	char *end;
	int base = 10;

	if (!v || *v == '\0')
		return -1;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	/*
	 * Digits of the base and nothing else: strtoull would also take a sign,
	 * leading spaces and, in base 16, a second "0x" ("0x0x1f").
	 */
	if (*v == '\0')
		return -1;
	for (const char *p = v; *p; p++)
		if (tv_hex_digit(*p) < 0 || (base == 10 && (*p < '0' || *p > '9')))
			return -1;
	errno = 0;
	unsigned long long n = strtoull(v, &end, base);
	if (errno || *end != '\0')
		return -1;
	*out = n;
	return 0;
}
