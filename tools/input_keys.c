/*
 * tools/input_keys.c: the terminal's escape key (input_keys.h).
 * Runs on: host.
 */
#include "tools/input_keys.h"

int tv_keys_filter(struct tv_keys *k, const char *in, size_t n, char *out, size_t *outn)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (!k->escaped) {
			if (c == TV_KEY_ESCAPE)
				k->escaped = 1;
			else
				out[o++] = c;
			continue;
		}
		k->escaped = 0;
		if (c == TV_KEY_QUIT || c == 'X') {
			*outn = o;
			return 1;
		}
		if (c == TV_KEY_ESCAPE) {
			out[o++] = c;
		} else {
			out[o++] = TV_KEY_ESCAPE;
			out[o++] = c;
		}
	}
	*outn = o;
	return 0;
}
