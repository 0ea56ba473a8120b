/*
 * tests/fuzz_host/fuzz_protocol.c: fuzzes the host program's reader of the
 * console protocol (tools/protocol.c) with any line, and checks it against
 * a writer of the same protocol written here from docs/console-protocol.md.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: one line, as the host program hands it to tv_parse_line.
 *
 * Properties, from tools/protocol.h and docs/console-protocol.md:
 *   1. Only lines starting "tv:" are protocol; a parsed event has a
 *      lower-case word of at most 31 bytes, its kind named by that word (or
 *      unknown), at most 16 fields with distinct non-empty word keys and
 *      values without NUL.
 *   2. Parse, print, parse round-trips: the line printed from an event (each
 *      value bare when it can be, else quoted with \" and \\; the guest's
 *      text with \\ and \xNN) parses to the same event, and printing that
 *      gives the same line.
 *   3. Print, parse round-trips from the other side: any bytes as the guest's
 *      text, and any bytes without NUL, CR or LF as a quoted value, come back
 *      as they went in.
 *   4. tv_event_get_u64 accepts exactly a decimal number or 0x and hex
 *      digits, below 2^64, and gives its value.
 */
#include <string.h>

#include "tools/protocol.h"
#include "tests/fuzz_host/fuzz_input.h"

#define LINE_MAX_BYTES	8192

/* A growing line. */
struct line {
	char buf[4 * LINE_MAX_BYTES + 64];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	FUZZ_CHECK(l->len + n < sizeof(l->buf), "line too long");
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put_text(struct line *l, const char *text, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\\') {
			put(l, "\\\\", 2);
		} else if (c >= 0x20 && c < 0x7F) {
			put(l, (const char *)&c, 1);
		} else {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			put(l, e, 4);
		}
	}
}

/* A value goes bare unless it is empty or holds a space, a quote or a control byte. */
static void put_value(struct line *l, const char *v)
{
	int bare = *v != '\0';

	for (const char *p = v; *p; p++)
		if (*p == ' ' || *p == '"' || (unsigned char)*p < 0x20)
			bare = 0;
	if (bare) {
		put(l, v, strlen(v));
		return;
	}
	put(l, "\"", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(l, "\\", 1);
		put(l, p, 1);
	}
	put(l, "\"", 1);
}

static void print_event(const struct tv_event *ev, struct line *l)
{
	l->len = 0;
	put(l, TV_PROTOCOL_PREFIX, strlen(TV_PROTOCOL_PREFIX));
	put(l, ev->name, strlen(ev->name));
	if (ev->kind == TV_EV_OUT) {
		put(l, " ", 1);
		put_text(l, ev->text, ev->text_len);
		return;
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		put(l, " ", 1);
		put(l, ev->field[i].key, strlen(ev->field[i].key));
		put(l, "=", 1);
		put_value(l, ev->field[i].value);
	}
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static void check_event(const struct tv_event *ev)
{
	size_t n = strlen(ev->name);

	FUZZ_CHECK(n > 0 && n < TV_EVENT_NAME_MAX && ev->name[0] >= 'a' && ev->name[0] <= 'z',
		   "event word \"%s\"", ev->name);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(is_word(ev->name[i]), "event word \"%s\"", ev->name);
	if (ev->kind != TV_EV_UNKNOWN)
		FUZZ_CHECK(strcmp(tv_event_kind_name(ev->kind), ev->name) == 0, "kind %d for \"%s\"",
			   (int)ev->kind, ev->name);
	for (int k = TV_EV_HELLO; ev->kind == TV_EV_UNKNOWN && k <= TV_EV_NOTE; k++)
		FUZZ_CHECK(strcmp(tv_event_kind_name((enum tv_event_kind)k), ev->name) != 0,
			   "\"%s\" taken for an unknown event", ev->name);
	FUZZ_CHECK(ev->nfields <= TV_EVENT_FIELDS_MAX, "%u fields", ev->nfields);
	if (ev->kind == TV_EV_OUT)
		FUZZ_CHECK(ev->nfields == 0 && ev->text != NULL, "out with fields");
	for (unsigned i = 0; i < ev->nfields; i++) {
		const char *k = ev->field[i].key;

		FUZZ_CHECK(*k != '\0', "empty key");
		for (const char *p = k; *p; p++)
			FUZZ_CHECK(is_word(*p), "key \"%s\"", k);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(k, ev->field[j].key) != 0, "key \"%s\" twice", k);
		FUZZ_CHECK(tv_event_get(ev, k) == ev->field[i].value, "get(\"%s\")", k);
	}
}

static void check_same(const struct tv_event *a, const struct tv_event *b, const char *what)
{
	FUZZ_CHECK(a->kind == b->kind && strcmp(a->name, b->name) == 0 && a->nfields == b->nfields,
		   "%s: \"%s\"/%u fields, \"%s\"/%u fields", what, a->name, a->nfields, b->name,
		   b->nfields);
	for (unsigned i = 0; i < a->nfields; i++)
		FUZZ_CHECK(strcmp(a->field[i].key, b->field[i].key) == 0 &&
			   strcmp(a->field[i].value, b->field[i].value) == 0,
			   "%s: field %u \"%s\"=\"%s\", \"%s\"=\"%s\"", what, i, a->field[i].key,
			   a->field[i].value, b->field[i].key, b->field[i].value);
	if (a->kind == TV_EV_OUT)
		FUZZ_CHECK(a->text_len == b->text_len && memcmp(a->text, b->text, a->text_len) == 0,
			   "%s: text differs", what);
}

/* Property 4: the number, read here digit by digit. */
static void check_number(const struct tv_event *ev, const char *key)
{
	const char *v = tv_event_get(ev, key);
	uint64_t want = 0, got = 0;
	int ok = v != NULL && *v != '\0', base = 10;
	const char *p = v;

	if (ok && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (ok && *p == '\0')
		ok = 0;
	for (; ok && *p; p++) {
		int d = tv_hex_digit(*p);

		if (d < 0 || d >= base || want > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			ok = 0;
		else
			want = want * (uint64_t)base + (uint64_t)d;
	}
	int r = tv_event_get_u64(ev, key, &got);
	FUZZ_CHECK((r == 0) == ok, "get_u64(\"%s\") = %d", v ? v : "(none)", r);
	if (ok)
		FUZZ_CHECK(got == want, "get_u64(\"%s\") = %llu", v, (unsigned long long)got);
}

static void check_parse_print(const char *line, size_t len)
{
	static struct line printed, again;
	struct tv_event ev, ev2, ev3;
	enum tv_parse_result r = tv_parse_line(line, len, &ev);
	size_t body = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
	int prefixed = body >= 3 && memcmp(line, "tv:", 3) == 0;

	FUZZ_CHECK((r == TV_PARSE_NOT_PROTOCOL) == !prefixed, "result %d for a line %s\"tv:\"",
		   (int)r, prefixed ? "starting " : "not starting ");
	if (r != TV_PARSE_OK) {
		FUZZ_CHECK(ev.buf == NULL && ev.nfields == 0, "a failed parse holds memory");
		return;
	}
	check_event(&ev);
	for (unsigned i = 0; i < ev.nfields; i++)
		check_number(&ev, ev.field[i].key);
	check_number(&ev, "seq");

	print_event(&ev, &printed);
	FUZZ_CHECK(tv_parse_line(printed.buf, printed.len, &ev2) == TV_PARSE_OK,
		   "printed line does not parse: %.*s", (int)printed.len, printed.buf);
	check_same(&ev, &ev2, "parse-print-parse");
	print_event(&ev2, &again);
	FUZZ_CHECK(again.len == printed.len && memcmp(again.buf, printed.buf, printed.len) == 0,
		   "printing is not stable");
	/* The CR a serial line may carry is no part of the event. */
	put(&printed, "\r", 1);
	FUZZ_CHECK(tv_parse_line(printed.buf, printed.len, &ev3) == TV_PARSE_OK, "with CR");
	check_same(&ev, &ev3, "with CR");
	tv_event_free(&ev3);
	tv_event_free(&ev2);
	tv_event_free(&ev);
	FUZZ_CHECK(ev.buf == NULL, "freed event keeps its buffer");
}

static void check_print_parse(const uint8_t *data, size_t size)
{
	static struct line l;
	struct tv_event ev;
	char value[LINE_MAX_BYTES + 1];
	size_t n = 0;

	/* The guest's bytes, whatever they are. */
	l.len = 0;
	put(&l, "tv:out ", 7);
	put_text(&l, (const char *)data, size);
	FUZZ_CHECK(tv_parse_line(l.buf, l.len, &ev) == TV_PARSE_OK, "out line refused");
	FUZZ_CHECK(ev.kind == TV_EV_OUT && ev.text_len == size && memcmp(ev.text, data, size) == 0,
		   "guest text changed");
	tv_event_free(&ev);

	/* A quoted value: every byte but the three a line cannot hold. */
	for (size_t i = 0; i < size && n < LINE_MAX_BYTES; i++)
		if (data[i] != '\0' && data[i] != '\n' && data[i] != '\r')
			value[n++] = (char)data[i];
	value[n] = '\0';
	l.len = 0;
	put(&l, "tv:note text=", 13);
	put(&l, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (value[i] == '"' || value[i] == '\\')
			put(&l, "\\", 1);
		put(&l, &value[i], 1);
	}
	put(&l, "\" x=1", 5);
	FUZZ_CHECK(tv_parse_line(l.buf, l.len, &ev) == TV_PARSE_OK, "quoted value refused");
	FUZZ_CHECK(ev.kind == TV_EV_NOTE && ev.nfields == 2 &&
		   strcmp(tv_event_get(&ev, "text"), value) == 0 &&
		   strcmp(tv_event_get(&ev, "x"), "1") == 0, "quoted value changed");
	tv_event_free(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > LINE_MAX_BYTES)
		return 0;
	/* A copy of exact size: ASan sees a read past the line's end. */
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	check_parse_print(line, size);
	check_print_parse(data, size);
	free(line);
	return 0;
}
