/*
 * tools/screen.c: the guest's text screen as lines (screen.h).
 * Runs on: host.
 */
#include "tools/screen.h"

#include <string.h>

void tv_screen_from_cells(struct tv_screen *s, const uint8_t *cells, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->valid = 1;
	for (int r = 0; r < TV_SCREEN_ROWS; r++) {
		char *row = s->rows[r];
		int last = -1;
		for (int c = 0; c < TV_SCREEN_COLS; c++) {
			size_t at = ((size_t)r * TV_SCREEN_COLS + (size_t)c) * 2;
			uint8_t ch = at < len ? cells[at] : 0;
			if (ch == 0)
				ch = ' ';
			else if (ch < 0x20 || ch > 0x7E)
				ch = '.';
			row[c] = (char)ch;
			if (ch != ' ')
				last = c;
		}
		row[last + 1] = '\0';
	}
}

int tv_screen_blank(const struct tv_screen *s)
{
	for (int r = 0; r < TV_SCREEN_ROWS; r++)
		if (s->rows[r][0])
			return 0;
	return 1;
}

void tv_screen_print(FILE *f, const struct tv_screen *s, const char *when)
{
	int last = -1;

	for (int r = 0; r < TV_SCREEN_ROWS; r++)
		if (s->rows[r][0])
			last = r;
	fprintf(f, "--- screen, 80x25 text at 0xb8000 (%s)%s ---\n", when,
		last < 0 ? ": blank" : "");
	for (int r = 0; r <= last; r++)
		fprintf(f, "screen|%s%s\n", s->rows[r][0] ? " " : "", s->rows[r]);
	if (last >= 0 && last < TV_SCREEN_ROWS - 1)
		fprintf(f, "(rows %d to %d blank)\n", last + 2, TV_SCREEN_ROWS);
	fprintf(f, "--- end of screen ---\n");
	fflush(f);
}
