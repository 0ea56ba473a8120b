/*
 * tools/screen.h: the guest's 80x25 text screen as the host program shows
 * it: built from the 4,000 bytes at guest-physical 0xB8000 (a character and
 * an attribute per cell), printed row by row. Runs on: host.
 *
 * Pure logic, unit-tested; where the bytes come from (QEMU's monitor
 * natively, the hypervisor's report) is run_screen.c's business.
 */
#ifndef TV_TOOLS_SCREEN_H
#define TV_TOOLS_SCREEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TV_SCREEN_COLS		80
#define TV_SCREEN_ROWS		25
#define TV_SCREEN_BASE		0xB8000u	/* guest-physical, colour text mode */
#define TV_SCREEN_BYTES		(TV_SCREEN_COLS * TV_SCREEN_ROWS * 2)

struct tv_screen {
	int valid;		/* a screen was read */
	/* Each row's characters as printable ASCII, trailing blanks dropped. */
	char rows[TV_SCREEN_ROWS][TV_SCREEN_COLS + 1];
};

/*
 * Fill s from the cells of text memory (len bytes, at most TV_SCREEN_BYTES
 * used; missing cells are blank). Characters outside printable ASCII are
 * shown as '.', NUL as a blank (memory never written reads as zeros).
 */
void tv_screen_from_cells(struct tv_screen *s, const uint8_t *cells, size_t len);

/* Whether any row holds a character other than a blank. */
int tv_screen_blank(const struct tv_screen *s);

/*
 * Print the screen: a heading saying when it was read (`when`), then every
 * row up to the last non-blank one as "screen| TEXT", then a closing line.
 */
void tv_screen_print(FILE *f, const struct tv_screen *s, const char *when);

#endif
