/*
 * platform/pit8254.c: the 8254 interval timer (Intel 82C54 datasheet) and
 * port 0x61, computed from time rather than ticked.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. A control word at 0x43 selects a channel's access (low byte, high
 *    byte, or low then high), mode and BCD, and stops it until its count
 *    is written; access 0 latches the count instead; channel field 3 is
 *    the read-back command, which latches counts and status bytes of
 *    several channels at once.
 * 2. A channel counts down from N at 1,193,182 Hz from the moment N is
 *    loaded (or its gate triggers it). With d ticks elapsed, the datasheet's
 *    waveforms give the count and the output:
 *      mode 0 (interrupt on terminal count): output low until d = N;
 *      mode 1 (one-shot, gate-triggered): low from the trigger until d = N;
 *      mode 2 (rate generator): low for one tick every N, rising at each kN;
 *      mode 3 (square wave): high for ceil(N/2) ticks, low for floor(N/2);
 *      modes 4 and 5 (strobes): low for the one tick at d = N.
 * 3. Gates: channels 0 and 1 are always on; channel 2's is port 0x61 bit 0.
 *    A low gate holds the count in modes 0 and 4, stops modes 2 and 3 with
 *    the output high (a rising gate reloads them), and a rising gate starts
 *    modes 1 and 5. Port 0x61 reads back channel 2's output in bit 5, which
 *    is how kernels time their calibration loops, and a refresh bit that
 *    toggles every 15.085 us.
 * Not modelled: a count written in modes 2 and 3 takes effect at once (the
 * chip waits for the end of the current period; QEMU does the same as
 * here), the speaker's sound, the clock and gate inputs of channel 1.
 */
#include "platform/pit8254.h"

#include "lib/string.h"

#define NS_PER_S		1000000000ull
#define REFRESH_TOGGLE_NS	15085u
#define ACCESS_LATCH		0
#define ACCESS_LOW		1
#define ACCESS_HIGH		2
#define ACCESS_LOW_HIGH		3
#define CONTROL_BCD		0x01
#define STATUS_OUTPUT		0x80
#define STATUS_NULL_COUNT	0x40
#define READBACK_NO_COUNT	0x20	/* in a read-back command: 0 latches counts */
#define READBACK_NO_STATUS	0x10	/* ... and 0 latches status bytes */

/* Ticks of the 1,193,182 Hz clock in ns nanoseconds, without overflow. */
static uint64_t ticks_in(uint64_t ns)
{
	return ns / NS_PER_S * PIT_HZ + ns % NS_PER_S * PIT_HZ / NS_PER_S;
}

/* The first time (ns after the load) at which `ticks` ticks have passed. */
static uint64_t ns_for_ticks(uint64_t ticks)
{
	return ticks / PIT_HZ * NS_PER_S +
	       (ticks % PIT_HZ * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

static int access_of(const struct pit_channel *c)
{
	return (c->control >> 4) & 3;
}

static int bcd(const struct pit_channel *c)
{
	return c->control & CONTROL_BCD;
}

/* The count register as a number of ticks: 0 is 65,536 (10,000 in BCD). */
static uint32_t period(const struct pit_channel *c)
{
	uint32_t n = c->count;
	if (bcd(c))
		n = (n >> 12 & 0xF) * 1000 + (n >> 8 & 0xF) * 100 + (n >> 4 & 0xF) * 10 + (n & 0xF);
	if (n == 0)
		n = bcd(c) ? 10000 : 65536;
	return n;
}

static uint16_t to_counter_format(const struct pit_channel *c, uint32_t v)
{
	if (!bcd(c))
		return (uint16_t)v;
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

/* Ticks since counting began, or 0 if it has not. */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now_ns)
{
	if (!c->loaded || !c->triggered)
		return 0;
	if (c->paused)
		return c->paused_ticks;
	return now_ns > c->load_ns ? ticks_in(now_ns - c->load_ns) : 0;
}

static int counting(const struct pit_channel *c)
{
	return c->loaded && c->triggered;
}

uint16_t pit_count(const struct pit8254 *p, unsigned channel, uint64_t now_ns)
{
	const struct pit_channel *c = &p->ch[channel];
	uint32_t n = period(c), wrap = bcd(c) ? 10000 : 65536;
	uint64_t d = elapsed(c, now_ns);

	if (!counting(c))
		return c->count;
	switch (c->mode) {
	case 2:
		return to_counter_format(c, n - (uint32_t)(d % n));
	case 3:
		/* Counts down by two, twice per period. */
		return to_counter_format(c, (n - (uint32_t)(2 * d % n)) & ~1u);
	default:
		/* Past 0 the count wraps and goes on down. */
		return to_counter_format(c, (uint32_t)((n + wrap - d % wrap) % wrap));
	}
}

int pit_output(const struct pit8254 *p, unsigned channel, uint64_t now_ns)
{
	const struct pit_channel *c = &p->ch[channel];
	uint64_t n = period(c), d = elapsed(c, now_ns);

	if (!c->loaded)
		return c->mode != 0;	/* after the control word: mode 0 low, others high */
	if (!c->triggered)
		return 1;		/* modes 1 and 5 waiting for the gate */
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		if (!c->gate)
			return 1;
		return d % n != n - 1;
	case 3:
		if (!c->gate)
			return 1;
		return d % n < (n + 1) / 2;
	default:			/* 4 and 5 */
		return d != n;
	}
}

/* Rising edges of the output with elapsed ticks in (from, to]. */
static uint64_t rising_edges(const struct pit_channel *c, uint64_t from, uint64_t to)
{
	uint64_t n = period(c);
	if (!counting(c) || to <= from)
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
		return from < n && n <= to;
	case 2:
	case 3:
		return to / n - from / n;	/* each reload at kN */
	default:
		return from < n + 1 && n + 1 <= to;
	}
}

/* The elapsed tick of the first rising edge after `after`, or 0 if none. */
static uint64_t next_rising_edge(const struct pit_channel *c, uint64_t after)
{
	uint64_t n = period(c);
	if (!counting(c) || c->paused)
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
		return after < n ? n : 0;
	case 2:
	case 3:
		return (after / n + 1) * n;
	default:
		return after < n + 1 ? n + 1 : 0;
	}
}

uint64_t pit_irq0_edges(struct pit8254 *p, uint64_t now_ns)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t d = elapsed(c, now_ns);
	uint64_t edges = rising_edges(c, c->edges_seen_ticks, d);
	if (d > c->edges_seen_ticks)
		c->edges_seen_ticks = d;
	return edges;
}

uint64_t pit_next_event_ns(const struct pit8254 *p)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t k = next_rising_edge(c, c->edges_seen_ticks);
	return k ? c->load_ns + ns_for_ticks(k) : UINT64_MAX;
}

/* Counting begins now (a count was loaded, or a gate edge triggered it). */
static void start(struct pit_channel *c, uint64_t now_ns)
{
	c->triggered = 1;
	c->load_ns = now_ns;
	c->edges_seen_ticks = 0;
	c->paused = 0;
	/* Every mode but the gate-triggered ones holds while the gate is low. */
	if (!c->gate && c->mode != 1 && c->mode != 5) {
		c->paused = 1;
		c->paused_ticks = 0;
	}
}

static void load(struct pit_channel *c, uint64_t now_ns)
{
	c->loaded = 1;
	c->triggered = 0;
	if (c->mode != 1 && c->mode != 5)
		start(c, now_ns);
}

static void set_gate(struct pit_channel *c, int gate, uint64_t now_ns)
{
	int rising = gate && !c->gate;
	int falling = !gate && c->gate;

	int gate_triggered = c->mode == 1 || c->mode == 5;

	if (falling && counting(c) && !gate_triggered) {
		c->paused_ticks = elapsed(c, now_ns);
		c->paused = 1;
	}
	c->gate = gate;
	if (!rising || !c->loaded)
		return;
	if (c->mode == 0 || c->mode == 4) {
		/* The count goes on from where it held. */
		c->paused = 0;
		c->load_ns = now_ns - ns_for_ticks(c->paused_ticks);
	} else {
		start(c, now_ns);	/* modes 1, 5: trigger; 2, 3: reload */
	}
}

static void write_control(struct pit8254 *p, uint8_t value, uint64_t now_ns)
{
	unsigned channel = value >> 6, access = (value >> 4) & 3, i;
	struct pit_channel *c;

	if (channel == 3) {			/* read-back */
		for (i = 0; i < 3; i++) {
			c = &p->ch[i];
			if (!(value & (2u << i)))
				continue;
			if (!(value & READBACK_NO_COUNT) && !c->latched_bytes) {
				c->latched = pit_count(p, i, now_ns);
				c->latched_bytes = access_of(c) == ACCESS_LOW_HIGH ? 2 : 1;
				c->latched_high_next = access_of(c) == ACCESS_HIGH;
			}
			if (!(value & READBACK_NO_STATUS) && !c->status_latched) {
				c->status = (uint8_t)((pit_output(p, i, now_ns) ? STATUS_OUTPUT : 0) |
						      (c->loaded ? 0 : STATUS_NULL_COUNT) | c->control);
				c->status_latched = 1;
			}
		}
		return;
	}
	c = &p->ch[channel];
	if (access == ACCESS_LATCH) {
		if (!c->latched_bytes) {	/* a second latch before reading is ignored */
			c->latched = pit_count(p, channel, now_ns);
			c->latched_bytes = access_of(c) == ACCESS_LOW_HIGH ? 2 : 1;
			c->latched_high_next = access_of(c) == ACCESS_HIGH;
		}
		return;
	}
	c->control = value & 0x3F;
	c->mode = (value >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;			/* 6 and 7 are 2 and 3 */
	c->loaded = 0;
	c->triggered = 0;
	c->paused = 0;
	c->write_high_next = 0;
	c->read_high_next = 0;
	c->latched_bytes = 0;
	c->status_latched = 0;
}

static void write_count(struct pit_channel *c, uint8_t value, uint64_t now_ns)
{
	switch (access_of(c)) {
	case ACCESS_LOW:
		c->count = value;
		break;
	case ACCESS_HIGH:
		c->count = (uint16_t)(value << 8);
		break;
	case ACCESS_LOW_HIGH:
		if (!c->write_high_next) {
			c->write_low = value;
			c->write_high_next = 1;
			/* Mode 0 stops on the first byte, its output low. */
			if (c->mode == 0)
				c->loaded = 0;
			return;
		}
		c->count = (uint16_t)(c->write_low | (value << 8));
		c->write_high_next = 0;
		break;
	default:
		return;			/* no control word yet: the byte goes nowhere */
	}
	load(c, now_ns);
}

static uint8_t read_count(struct pit8254 *p, unsigned channel, uint64_t now_ns)
{
	struct pit_channel *c = &p->ch[channel];
	uint16_t v;
	int high;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->latched_bytes) {
		high = c->latched_high_next;
		c->latched_high_next = !high;
		c->latched_bytes--;
		return (uint8_t)(high ? c->latched >> 8 : c->latched);
	}
	v = pit_count(p, channel, now_ns);
	switch (access_of(c)) {
	case ACCESS_LOW:
		return (uint8_t)v;
	case ACCESS_HIGH:
		return (uint8_t)(v >> 8);
	default:
		high = c->read_high_next;
		c->read_high_next = !high;
		return (uint8_t)(high ? v >> 8 : v);
	}
}

void pit_reset(struct pit8254 *p, uint64_t now_ns)
{
	memset(p, 0, sizeof(*p));
	p->ch[0].gate = 1;
	p->ch[1].gate = 1;
	p->ch[0].load_ns = p->ch[1].load_ns = p->ch[2].load_ns = now_ns;
}

uint8_t pit_read(struct pit8254 *p, uint16_t port, uint64_t now_ns)
{
	if (port >= PIT_PORT_CHANNEL0 && port <= PIT_PORT_CHANNEL2)
		return read_count(p, port - PIT_PORT_CHANNEL0, now_ns);
	if (port == PIT_PORT_SPEAKER)
		return (uint8_t)((p->port61 & 0x0F) |
				 ((now_ns / REFRESH_TOGGLE_NS) & 1 ? PIT61_REFRESH : 0) |
				 (pit_output(p, 2, now_ns) ? PIT61_OUT2 : 0));
	return 0xFF;
}

void pit_write(struct pit8254 *p, uint16_t port, uint8_t value, uint64_t now_ns)
{
	if (port >= PIT_PORT_CHANNEL0 && port <= PIT_PORT_CHANNEL2)
		write_count(&p->ch[port - PIT_PORT_CHANNEL0], value, now_ns);
	else if (port == PIT_PORT_CONTROL)
		write_control(p, value, now_ns);
	else if (port == PIT_PORT_SPEAKER) {
		p->port61 = value & 0x0F;
		set_gate(&p->ch[2], value & PIT61_GATE2, now_ns);
	}
}
