/*
 * platform/pit8254.h: the PC's 8254 programmable interval timer (three
 * channels at ports 0x40-0x43) and port 0x61, where channel 2's gate and
 * output meet the speaker.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * Every channel counts at 1,193,182 Hz from the time its count was loaded;
 * nothing ticks: counts and outputs are computed from the time passed in.
 * Channel 0's output is IRQ 0: pit_irq0_edges() says how many rising edges
 * happened since it was last asked, pit_next_event_ns() when the next one
 * comes. Channel 1 (DRAM refresh on old PCs) counts but drives nothing.
 */
#ifndef TV_PLATFORM_PIT8254_H
#define TV_PLATFORM_PIT8254_H

#include <stdint.h>

#define PIT_PORT_CHANNEL0	0x40u
#define PIT_PORT_CHANNEL2	0x42u
#define PIT_PORT_CONTROL	0x43u
#define PIT_PORT_SPEAKER	0x61u	/* system control port B */
#define PIT_HZ			1193182u
#define PIT_IRQ			0u

/* Port 0x61 bits. */
#define PIT61_GATE2		0x01	/* channel 2's gate */
#define PIT61_SPEAKER		0x02	/* speaker data: channel 2's output reaches it */
#define PIT61_REFRESH		0x10	/* read: toggles every 15.085 us */
#define PIT61_OUT2		0x20	/* read: channel 2's output */

struct pit_channel {
	uint8_t control;	/* bits 5:0 of its last control word: access, mode, BCD */
	uint8_t mode;		/* 0-5 (6 and 7 read as 2 and 3) */
	uint16_t count;		/* the count register as written; 0 means the maximum */
	uint8_t write_low;	/* low-then-high access: the low byte written so far */
	int write_high_next;	/* ... and the high byte comes next */
	int read_high_next;	/* low-then-high reads: the high byte comes next */
	int loaded;		/* a complete count has been written since the control word */
	int triggered;		/* counting has begun (modes 1 and 5 wait for a gate edge) */
	int gate;
	int paused;		/* modes 0 and 4 with the gate low: the count holds */
	uint64_t paused_ticks;	/* ... at this many ticks since the load */
	uint64_t load_ns;	/* when counting began (as if never paused) */
	uint16_t latched;	/* a latched count, read out before the live one */
	int latched_bytes;	/* bytes of it still to read: 0, 1 or 2 */
	int latched_high_next;
	uint8_t status;		/* a latched read-back status byte */
	int status_latched;
	uint64_t edges_seen_ticks;	/* output edges counted up to here (channel 0) */
};

struct pit8254 {
	struct pit_channel ch[3];
	uint8_t port61;		/* bits 3:0 as written */
};

/* Power-on: no channel programmed; channels 0 and 1 gated on, 2 off. */
void pit_reset(struct pit8254 *p, uint64_t now_ns);

/* Ports 0x40-0x43 and 0x61. Port 0x43 reads all ones (write-only). */
uint8_t pit_read(struct pit8254 *p, uint16_t port, uint64_t now_ns);
void pit_write(struct pit8254 *p, uint16_t port, uint8_t value, uint64_t now_ns);

/* A channel's output level (0 or 1) and counting element now. */
int pit_output(const struct pit8254 *p, unsigned channel, uint64_t now_ns);
uint16_t pit_count(const struct pit8254 *p, unsigned channel, uint64_t now_ns);

/* Rising edges of channel 0's output (IRQ 0) since the last call. */
uint64_t pit_irq0_edges(struct pit8254 *p, uint64_t now_ns);

/* When channel 0's output next rises (ns), or UINT64_MAX. */
uint64_t pit_next_event_ns(const struct pit8254 *p);

#endif
