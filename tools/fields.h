/*
 * tools/fields.h: the one key=value grammar the host program reads, in
 * the hypervisor's protocol lines (docs/console-protocol.md) and in the
 * guests' report lines (DEMO-RESULT, BENCH, PROBE) alike. Runs on: host.
 *
 *   fields = field, separated (and optionally led and ended) by spaces
 *   field  = key "=" value
 *   key    = one or more of a-z, 0-9 and _
 *   value  = a run of bytes other than space and '"', possibly empty;
 *            or '"' ... '"', in which \", \\ and \xNN (any byte but NUL)
 *            are the escapes, followed by a space or the end
 * Anything else is refused rather than guessed at: a reader that guesses
 * could take text inside a value for a field of its own. Pure, so the unit
 * tests and the fuzz targets drive exactly the code the program runs.
 */
#ifndef TV_TOOLS_FIELDS_H
#define TV_TOOLS_FIELDS_H

#include <stdint.h>

#define TV_FIELDS_MAX	16	/* fields a line keeps; more are checked, not kept */

struct tv_field {
	const char *key;	/* points into the parsed text */
	const char *value;	/* unquoted and unescaped, NUL-terminated */
};

/*
 * Parse s (NUL-terminated) in place: keys and values are cut out of it.
 * The first occurrence of a key wins; at most max fields are kept, in
 * field[], and their count goes to *n. Returns NULL, or a few words
 * saying why s is not a field list (for a message).
 */
const char *tv_fields_parse(char *s, struct tv_field *field, unsigned max, unsigned *n);

/* The value of key among field[0..n), or NULL. */
const char *tv_fields_find(const struct tv_field *field, unsigned n, const char *key);

/*
 * s as a whole number in base 10 or 16: digits only (no sign, space or
 * prefix), and no overflow. Returns 0, or -1 if s is anything else.
 */
int tv_parse_u64(const char *s, int base, uint64_t *out);

/* The value of one hexadecimal digit, in either case; -1 for any other character. */
int tv_hex_digit(char c);

#endif
