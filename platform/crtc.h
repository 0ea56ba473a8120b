/*
 * platform/crtc.h: the CGA/VGA CRT controller's index and data ports
 * (0x3D4/0x3D5) and the input status register (0x3DA) of a colour text
 * screen. The text itself is guest RAM at 0xB8000.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 */
#ifndef TV_PLATFORM_CRTC_H
#define TV_PLATFORM_CRTC_H

#include <stdint.h>

#define CRTC_PORT_INDEX		0x3D4u
#define CRTC_PORT_DATA		0x3D5u
#define CRTC_PORT_STATUS	0x3DAu	/* input status 1, read-only */
#define CRTC_TEXT_BASE		0xB8000u
#define CRTC_COLUMNS		80u
#define CRTC_ROWS		25u

#define CRTC_START_HIGH		0x0C
#define CRTC_START_LOW		0x0D
#define CRTC_CURSOR_HIGH	0x0E
#define CRTC_CURSOR_LOW		0x0F
#define CRTC_VSYNC_END		0x11	/* bit 7 write-protects registers 0-7 */

#define CRTC_STATUS_NOT_DISPLAYING 0x01	/* in horizontal or vertical blanking */
#define CRTC_STATUS_VRETRACE	0x08

struct crtc {
	uint8_t index;
	uint8_t reg[256];	/* 0x00-0x18 defined; the rest kept as storage, as QEMU does */
};

/* The registers of 80x25 colour text (VGA mode 3); cursor at 0. */
void crtc_reset(struct crtc *c);

/*
 * Byte accesses; a 16-bit OUT to 0x3D4 is the two byte writes to 0x3D4 and
 * 0x3D5, which the caller splits as the ISA bus does.
 */
uint8_t crtc_read(struct crtc *c, uint16_t port, uint64_t now_ns);
void crtc_write(struct crtc *c, uint16_t port, uint8_t value);

/*
 * The cursor's and the display start's character offsets (registers 14/15
 * and 12/13), for whoever draws the screen.
 */
uint16_t crtc_cursor(const struct crtc *c);
uint16_t crtc_start(const struct crtc *c);

#endif
