/*
 * tools/protocol.h: reading the console protocol (docs/console-protocol.md).
 * Runs on: host.
 *
 * One line from the hypervisor's COM1 becomes one struct tv_event: the event
 * word, its key=value fields with quotes and escapes removed, and for `out`
 * the guest's bytes with \\ and \xNN decoded. Parsing is pure (no I/O) so the
 * unit tests drive exactly the code the host program uses.
 */
#ifndef TV_TOOLS_PROTOCOL_H
#define TV_TOOLS_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "tools/fields.h"	/* struct tv_field, tv_hex_digit */

#define TV_PROTOCOL_PREFIX	"tv:"
#define TV_EVENT_NAME_MAX	32	/* longest event word kept, with its NUL */
#define TV_EVENT_FIELDS_MAX	TV_FIELDS_MAX	/* fields beyond this are ignored */

enum tv_event_kind {
	TV_EV_UNKNOWN,		/* well formed, but an event this reader does not know */
	TV_EV_HELLO,
	TV_EV_LOAD,
	TV_EV_OUT,
	TV_EV_TRAP,
	TV_EV_IO,
	TV_EV_STAT,
	TV_EV_EXIT,
	TV_EV_PATCH,
	TV_EV_NOTE,
};

enum tv_parse_result {
	TV_PARSE_OK,		/* a protocol line, parsed into the event */
	TV_PARSE_NOT_PROTOCOL,	/* does not start with "tv:": not the hypervisor's */
	TV_PARSE_MALFORMED,	/* starts with "tv:" but breaks the line format */
};

struct tv_event {
	enum tv_event_kind kind;
	char name[TV_EVENT_NAME_MAX];	/* the event word as written */
	unsigned nfields;
	struct tv_field field[TV_EVENT_FIELDS_MAX];
	/* For `out`: the guest's bytes, decoded; may hold NUL bytes. */
	const char *text;
	size_t text_len;
	char *buf;		/* owned storage behind the pointers above */
};

/*
 * Parse one line (without its line ending; a trailing '\r' is tolerated) of
 * len bytes. On TV_PARSE_OK the event owns heap memory: release it with
 * tv_event_free(). On any other result the event holds nothing to free.
 */
enum tv_parse_result tv_parse_line(const char *line, size_t len, struct tv_event *ev);
void tv_event_free(struct tv_event *ev);

/* The value of field key, or NULL when the line did not carry it. */
const char *tv_event_get(const struct tv_event *ev, const char *key);

/*
 * Field key as a number: decimal, or hexadecimal with a 0x prefix, as the
 * protocol writes them. Returns 0 on success, -1 if absent or not a number.
 */
int tv_event_get_u64(const struct tv_event *ev, const char *key, uint64_t *out);

/* The event word for a kind ("trap"), for messages. */
const char *tv_event_kind_name(enum tv_event_kind kind);

#endif
