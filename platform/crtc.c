/*
 * platform/crtc.c: the CRT controller registers of a colour text screen.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. 0x3D4 holds an index (it reads back); 0x3D5 reads and writes the
 *    register it selects. The registers start as VGA mode 3 programs them
 *    (80x25 text), with the cursor at offset 0, so a kernel that reads the
 *    cursor position before writing it (xv6 does, before every character)
 *    finds a position on the screen rather than 0xFFFF, which sends xv6
 *    into a recursive panic. They are storage: nothing here draws.
 * 2. Register 0x11 bit 7 write-protects registers 0-7, except the line
 *    compare bit (register 7 bit 4), as on a VGA.
 * 3. Input status 1 (0x3DA) follows a 70 Hz frame of 449 lines of 31.78 us,
 *    as mode 3 scans them: bit 3 during the 2 lines of vertical retrace,
 *    bit 0 whenever the beam is outside the display (a line's last 20%, and
 *    the lines below row 400), so a kernel that waits for retrace waits
 *    about as long as on a real screen.
 * Not modelled: the monochrome ports (0x3B4/0x3B5), the sequencer, the
 * graphics and attribute controllers and the DAC (all ones, like any
 * unknown port), graphics modes.
 */
#include "platform/crtc.h"

#include "lib/string.h"

#define LINE_NS			31778u	/* 1 / 31.469 kHz */
#define FRAME_LINES		449u
#define DISPLAY_LINES		400u
#define VRETRACE_FIRST		412u
#define VRETRACE_LINES		2u
#define LINE_DISPLAY_NS		(LINE_NS * 4u / 5u)
#define PROTECT_0_7		0x80
#define LINE_COMPARE_BIT8	0x10	/* register 7: writable while protected */

/* VGA mode 3 (80x25 colour text), registers 0x00-0x18. */
static const uint8_t mode3[0x19] = {
	0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F,
	0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
	0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3,
	0xFF,
};

void crtc_reset(struct crtc *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->reg, mode3, sizeof(mode3));
}

static uint8_t input_status(uint64_t now_ns)
{
	uint64_t in_frame = now_ns % ((uint64_t)LINE_NS * FRAME_LINES);
	unsigned line = (unsigned)(in_frame / LINE_NS);
	unsigned in_line = (unsigned)(in_frame % LINE_NS);
	uint8_t s = 0;

	if (line >= DISPLAY_LINES || in_line >= LINE_DISPLAY_NS)
		s |= CRTC_STATUS_NOT_DISPLAYING;
	if (line >= VRETRACE_FIRST && line < VRETRACE_FIRST + VRETRACE_LINES)
		s |= CRTC_STATUS_VRETRACE;
	return s;
}

uint8_t crtc_read(struct crtc *c, uint16_t port, uint64_t now_ns)
{
	switch (port) {
	case CRTC_PORT_INDEX: return c->index;
	case CRTC_PORT_DATA: return c->reg[c->index];
	case CRTC_PORT_STATUS: return input_status(now_ns);
	default: return 0xFF;
	}
}

void crtc_write(struct crtc *c, uint16_t port, uint8_t value)
{
	if (port == CRTC_PORT_INDEX) {
		c->index = value;
		return;
	}
	if (port != CRTC_PORT_DATA)
		return;
	if (c->index <= 7 && (c->reg[CRTC_VSYNC_END] & PROTECT_0_7)) {
		if (c->index == 7)
			c->reg[7] = (uint8_t)((c->reg[7] & ~LINE_COMPARE_BIT8) |
					      (value & LINE_COMPARE_BIT8));
		return;
	}
	c->reg[c->index] = value;
}

uint16_t crtc_cursor(const struct crtc *c)
{
	return (uint16_t)(c->reg[CRTC_CURSOR_HIGH] << 8 | c->reg[CRTC_CURSOR_LOW]);
}

uint16_t crtc_start(const struct crtc *c)
{
	return (uint16_t)(c->reg[CRTC_START_HIGH] << 8 | c->reg[CRTC_START_LOW]);
}
