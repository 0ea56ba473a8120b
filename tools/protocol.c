/*
 * tools/protocol.c: parse one console-protocol line into a struct tv_event.
 * Runs on: host.
 *
 * The grammar (docs/console-protocol.md):
 *   line  = "tv:" event [ " " rest ]
 *   event = a lower-case word
 *   for "out", rest is the guest's text with "\\" and "\xNN" escapes;
 *   otherwise rest is key=value fields, in the grammar of tools/fields.h.
 * Anything that strays from it is rejected rather than guessed at: a reader
 * that guesses can show a guest's words as the hypervisor's.
 */
#include "tools/protocol.h"

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
	if (tv_fields_parse(ev->buf, ev->field, TV_EVENT_FIELDS_MAX, &ev->nfields))
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
	return tv_fields_find(ev->field, ev->nfields, key);
}

int tv_event_get_u64(const struct tv_event *ev, const char *key, uint64_t *out)
{
	const char *v = tv_event_get(ev, key);

	if (v && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return tv_parse_u64(v + 2, 16, out);
	return tv_parse_u64(v, 10, out);
}
