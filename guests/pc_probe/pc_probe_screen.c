/*
 * guests/pc_probe/pc_probe_screen.c: the colour text screen, written as a
 * kernel's console writes it: characters and attributes at 0xB8000, the
 * cursor through the CRTC's index and data ports (0x3D4, 0x3D5; registers
 * 14 and 15 hold the cursor's cell).
 * Runs in: guest.
 *
 * What is written is meant to be read back by the host (`--screen`): the
 * test checks those rows on the screen the host prints.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/x86.h"

#define SCREEN		((volatile uint16_t *)0xB8000)
#define COLS		80
#define ROWS		25
#define ATTR		0x0700	/* light grey on black */
#define CRTC_INDEX	0x3D4
#define CRTC_DATA	0x3D5

static void put_row(unsigned row, const char *s)
{
	unsigned c = 0;

	for (; s[c] && c < COLS; c++)
		SCREEN[row * COLS + c] = (uint16_t)(ATTR | (uint8_t)s[c]);
}

static bool row_is(unsigned row, const char *s)
{
	for (unsigned c = 0; s[c] && c < COLS; c++)
		if (SCREEN[row * COLS + c] != (uint16_t)(ATTR | (uint8_t)s[c]))
			return false;
	return true;
}

static unsigned cursor_read(void)
{
	outb(CRTC_INDEX, 14);
	unsigned pos = (unsigned)inb(CRTC_DATA) << 8;
	outb(CRTC_INDEX, 15);
	return pos | inb(CRTC_DATA);
}

static void cursor_write(unsigned pos)
{
	outb(CRTC_INDEX, 14);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, 15);
	outb(CRTC_DATA, (uint8_t)pos);
}

void pc_probe_screen(void)
{
	static const char top[] = "pc_probe: text screen, row 1";
	static const char bottom[] = "pc_probe: text screen, row 25";

	unsigned pos = cursor_read();
	guest_printf("pc_probe: CRTC cursor at cell %u\n", pos);
	guest_test_check(pos < COLS * ROWS, "crtc-cursor-in-screen",
			 "cursor at cell %u (0xFFFF: the CRTC is missing)", pos);

	for (unsigned i = 0; i < COLS * ROWS; i++)
		SCREEN[i] = ATTR | ' ';
	put_row(0, top);
	put_row(ROWS - 1, bottom);
	guest_test_check(row_is(0, top) && row_is(ROWS - 1, bottom), "screen-text-readback",
			 "text memory at 0xB8000 did not keep what was written");

	cursor_write(COLS * 12 + 34);
	pos = cursor_read();
	guest_test_check(pos == COLS * 12 + 34, "crtc-cursor-readback",
			 "cursor reads %u after writing %u", pos, COLS * 12 + 34);
}
