/*
 * tools/input_keys.h: what the user types at a terminal on its way to the
 * guest's COM1, with one escape as in QEMU: Ctrl-A x ends the run, Ctrl-A
 * Ctrl-A sends one Ctrl-A, Ctrl-A followed by anything else sends both.
 * Runs on: host.
 *
 * Only a terminal is filtered: bytes from a pipe or file go to the guest
 * as they are. Pure logic, unit-tested.
 */
#ifndef TV_TOOLS_INPUT_KEYS_H
#define TV_TOOLS_INPUT_KEYS_H

#include <stddef.h>

#define TV_KEY_ESCAPE	0x01	/* Ctrl-A */
#define TV_KEY_QUIT	'x'	/* after the escape: end the run */

struct tv_keys {
	int escaped;		/* the last byte was an unanswered Ctrl-A */
};

/*
 * Pass n bytes of in through the filter into out (room for 2 * n bytes);
 * *outn is how many to send. Returns 1 when the quit sequence was typed
 * (nothing after it is sent), else 0.
 */
int tv_keys_filter(struct tv_keys *k, const char *in, size_t n, char *out, size_t *outn);

#endif
