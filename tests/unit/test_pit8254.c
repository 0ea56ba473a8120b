/*
 * tests/unit/test_pit8254.c: the 8254 timer and port 0x61
 * (platform/pit8254.c) against the 82C54 datasheet's modes and commands,
 * driven through ports 0x40-0x43 and 0x61 as kernels drive them.
 * Runs on: host (Check).
 *
 * Times are given in ticks of the 1,193,182 Hz input clock and turned into
 * nanoseconds here by at(), independently of the code under test.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/pit8254.h"

#define T0	7000000000ull

static struct pit8254 p;

/* The first nanosecond at which `ticks` whole ticks have passed since T0. */
static uint64_t at(uint64_t ticks)
{
	return T0 + (ticks * 1000000000ull + 1193181) / 1193182;
}

/* `ticks` ticks after base (ns): for counting that began at base. */
static uint64_t after(uint64_t base, uint64_t ticks)
{
	return base + (ticks * 1000000000ull + 1193181) / 1193182;
}

static void setup(void)
{
	pit_reset(&p, 0);
}

static void out(uint16_t port, uint8_t v, uint64_t t)
{
	pit_write(&p, port, v, t);
}

static uint8_t in(uint16_t port, uint64_t t)
{
	return pit_read(&p, port, t);
}

/* Program a channel: control word (low then high access), then the count. */
static void program(unsigned channel, unsigned mode, uint16_t count, uint64_t t)
{
	out(PIT_PORT_CONTROL, (uint8_t)(channel << 6 | 0x30 | mode << 1), t);
	out((uint16_t)(PIT_PORT_CHANNEL0 + channel), (uint8_t)count, t);
	out((uint16_t)(PIT_PORT_CHANNEL0 + channel), (uint8_t)(count >> 8), t);
}

/* Latch channel 0's count and read both bytes. */
static uint16_t latched_count0(uint64_t t)
{
	uint16_t lo, hi;
	out(PIT_PORT_CONTROL, 0x00, t);
	lo = in(PIT_PORT_CHANNEL0, t);
	hi = in(PIT_PORT_CHANNEL0, t);
	return (uint16_t)(lo | hi << 8);
}

/* Mode 2 at 100 Hz (count 11,932): one IRQ 0 edge per period. */
START_TEST(mode2_rate_generator)
{
	program(0, 2, 11932, T0);
	ck_assert_uint_eq(pit_next_event_ns(&p), at(11932));
	ck_assert_uint_eq(pit_irq0_edges(&p, at(11932) - 1), 0);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(11932)), 1);
	ck_assert_uint_eq(pit_next_event_ns(&p), at(2 * 11932));
	/* The rest of the first second: 99 periods fit in 1,193,182 ticks. */
	ck_assert_uint_eq(pit_irq0_edges(&p, T0 + 1000000000ull), 98);
	ck_assert_uint_eq(pit_irq0_edges(&p, T0 + 1000000000ull), 0);
	/* The output is low for the one tick when the count is 1. */
	ck_assert_int_eq(pit_output(&p, 0, at(11930)), 1);
	ck_assert_int_eq(pit_output(&p, 0, at(11931)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(11932)), 1);
}
END_TEST

/* The count as read: N - (d mod N) in mode 2; a latch freezes it. */
START_TEST(latch_and_read)
{
	program(0, 2, 1000, T0);
	ck_assert_uint_eq(latched_count0(at(300)), 700);
	ck_assert_uint_eq(latched_count0(at(1250)), 750);
	/* Latched at 300, read at 500: still 700; a second latch is ignored. */
	out(PIT_PORT_CONTROL, 0x00, at(300));
	out(PIT_PORT_CONTROL, 0x00, at(400));
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(500)), 700 & 0xFF);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(500)), 700 >> 8);
	/* Unlatched reads alternate low and high bytes of the live count. */
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(600)), 400 & 0xFF);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(600)), 400 >> 8);
	ck_assert_uint_eq(in(PIT_PORT_CONTROL, at(600)), 0xFF);	/* write-only */
}
END_TEST

/* Read-back: status first (output, null count, control bits), then the count. */
START_TEST(read_back)
{
	out(PIT_PORT_CONTROL, 0x34, T0);		/* ch 0, low/high, mode 2 */
	out(PIT_PORT_CONTROL, 0xE2, T0);		/* read-back: status of ch 0 */
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, T0), 0x80 | 0x40 | 0x34);	/* null count */
	out(PIT_PORT_CHANNEL0, 1000 & 0xFF, T0);
	out(PIT_PORT_CHANNEL0, 1000 >> 8, T0);
	out(PIT_PORT_CONTROL, 0xC2, at(10));		/* count and status of ch 0 */
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(20)), 0x80 | 0x34);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(20)), 990 & 0xFF);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(20)), 990 >> 8);
	/* Channel 2 by read-back (bit 3): mode 0 before its count, output low. */
	out(PIT_PORT_CONTROL, 0xB0, T0);
	out(PIT_PORT_CONTROL, 0xE8, T0);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL2, T0), 0x40 | 0x30);
}
END_TEST

/* Mode 0: low until terminal count, one edge, then the count wraps. */
START_TEST(mode0_terminal_count)
{
	out(PIT_PORT_CONTROL, 0x30, T0);
	ck_assert_int_eq(pit_output(&p, 0, T0), 0);
	out(PIT_PORT_CHANNEL0, 100, T0);
	ck_assert_int_eq(pit_output(&p, 0, T0), 0);	/* the high byte is still due */
	out(PIT_PORT_CHANNEL0, 0, T0);
	ck_assert_int_eq(pit_output(&p, 0, at(99)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(100)), 1);
	ck_assert_uint_eq(pit_next_event_ns(&p), at(100));
	ck_assert_uint_eq(pit_irq0_edges(&p, at(5000)), 1);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(90000)), 0);
	ck_assert_uint_eq(pit_next_event_ns(&p), UINT64_MAX);
	ck_assert_uint_eq(latched_count0(at(105)), 65531);
}
END_TEST

/*
 * A count of 0 is the largest, 65,536 (10,000 in BCD), as the 82C54
 * datasheet says: the terminal count comes after 65,536 ticks, never at once.
 */
START_TEST(count_zero_is_65536)
{
	program(0, 0, 0, T0);
	ck_assert_uint_eq(pit_next_event_ns(&p), at(65536));
	ck_assert_uint_eq(pit_irq0_edges(&p, T0), 0);
	ck_assert_uint_eq(latched_count0(at(1)), 65535);
	ck_assert_int_eq(pit_output(&p, 0, at(65535)), 0);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(65535)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(65536)), 1);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(65536)), 1);
	/* Mode 2: one edge per 65,536 ticks. */
	program(0, 2, 0, T0);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(65535)), 0);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(2 * 65536)), 2);
	/* BCD: 0 is 10,000. */
	out(PIT_PORT_CONTROL, 0x31, T0);
	out(PIT_PORT_CHANNEL0, 0, T0);
	out(PIT_PORT_CHANNEL0, 0, T0);
	ck_assert_int_eq(pit_output(&p, 0, at(9999)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(10000)), 1);
}
END_TEST

/* Mode 3: high for the first half of each period, low for the second. */
START_TEST(mode3_square_wave)
{
	program(0, 3, 10, T0);
	ck_assert_int_eq(pit_output(&p, 0, at(4)), 1);
	ck_assert_int_eq(pit_output(&p, 0, at(5)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(9)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(10)), 1);
	ck_assert_uint_eq(pit_irq0_edges(&p, at(35)), 3);
	/* Odd N: high one tick longer. */
	program(0, 3, 7, T0);
	ck_assert_int_eq(pit_output(&p, 0, at(3)), 1);
	ck_assert_int_eq(pit_output(&p, 0, at(4)), 0);
	/* Mode 7 is mode 3. */
	out(PIT_PORT_CONTROL, 0x3E, T0);
	ck_assert_uint_eq(p.ch[0].mode, 3);
}
END_TEST

/* A new control word stops the channel until its count is written. */
START_TEST(control_word_stops)
{
	program(0, 2, 100, T0);
	out(PIT_PORT_CONTROL, 0x34, at(50));
	ck_assert_uint_eq(pit_irq0_edges(&p, at(1000)), 0);
	ck_assert_uint_eq(pit_next_event_ns(&p), UINT64_MAX);
	out(PIT_PORT_CHANNEL0, 100, at(1000));
	out(PIT_PORT_CHANNEL0, 0, at(1000));
	ck_assert_uint_eq(pit_irq0_edges(&p, after(at(1000), 99)), 0);
	ck_assert_uint_eq(pit_irq0_edges(&p, after(at(1000), 100)), 1);
}
END_TEST

/* Low byte only, and BCD. */
START_TEST(access_modes_and_bcd)
{
	out(PIT_PORT_CONTROL, 0x10, T0);		/* ch 0, low byte only, mode 0 */
	out(PIT_PORT_CHANNEL0, 50, T0);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(8)), 42);
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(8)), 42);	/* no flip-flop */
	ck_assert_int_eq(pit_output(&p, 0, at(50)), 1);
	out(PIT_PORT_CONTROL, 0x20, T0);		/* high byte only */
	out(PIT_PORT_CHANNEL0, 0x01, T0);		/* 256 */
	ck_assert_uint_eq(in(PIT_PORT_CHANNEL0, at(1)), 0x00);	/* 255: high byte 0 */
	out(PIT_PORT_CONTROL, 0x31, T0);		/* low/high, mode 0, BCD */
	out(PIT_PORT_CHANNEL0, 0x00, T0);
	out(PIT_PORT_CHANNEL0, 0x01, T0);		/* 0100: one hundred */
	ck_assert_uint_eq(latched_count0(at(1)), 0x0099);
	ck_assert_int_eq(pit_output(&p, 0, at(99)), 0);
	ck_assert_int_eq(pit_output(&p, 0, at(100)), 1);
}
END_TEST

/*
 * Calibration as kernels do it: gate channel 2 on with the speaker off,
 * mode 0 with 50 ms worth of ticks, poll port 0x61 bit 5.
 */
START_TEST(channel2_calibration)
{
	uint16_t ticks_50ms = 1193182 / 20;		/* 59,659 */
	uint8_t b = in(PIT_PORT_SPEAKER, T0);

	out(PIT_PORT_SPEAKER, (uint8_t)((b & ~PIT61_SPEAKER) | PIT61_GATE2), T0);
	out(PIT_PORT_CONTROL, 0xB0, T0);
	out(PIT_PORT_CHANNEL2, (uint8_t)ticks_50ms, T0);
	out(PIT_PORT_CHANNEL2, (uint8_t)(ticks_50ms >> 8), T0);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, at(ticks_50ms) - 1) & PIT61_OUT2, 0);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, at(ticks_50ms)) & PIT61_OUT2, PIT61_OUT2);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, at(ticks_50ms)) & 0x0F, PIT61_GATE2);
	/* Channel 2 is not IRQ 0. */
	ck_assert_uint_eq(pit_irq0_edges(&p, at(ticks_50ms)), 0);
}
END_TEST

/* Mode 0 with the gate low holds the count; raised, it goes on. */
START_TEST(channel2_gate_holds_mode0)
{
	out(PIT_PORT_CONTROL, 0xB0, T0);
	out(PIT_PORT_CHANNEL2, 1000 & 0xFF, T0);
	out(PIT_PORT_CHANNEL2, 1000 >> 8, T0);		/* gate still low */
	uint64_t raised = at(500), lowered, raised_again = at(5000);

	ck_assert_uint_eq(pit_count(&p, 2, raised), 1000);
	out(PIT_PORT_SPEAKER, PIT61_GATE2, raised);
	lowered = after(raised, 300);
	ck_assert_uint_eq(pit_count(&p, 2, lowered), 700);
	out(PIT_PORT_SPEAKER, 0, lowered);
	ck_assert_uint_eq(pit_count(&p, 2, raised_again), 700);
	ck_assert_int_eq(pit_output(&p, 2, raised_again), 0);
	out(PIT_PORT_SPEAKER, PIT61_GATE2, raised_again);
	/* 700 more ticks to the terminal count. */
	ck_assert_int_eq(pit_output(&p, 2, after(raised_again, 699)), 0);
	ck_assert_int_eq(pit_output(&p, 2, after(raised_again, 700)), 1);
}
END_TEST

/* Mode 1: the gate's rising edge starts an N-tick low pulse. */
START_TEST(channel2_mode1_one_shot)
{
	out(PIT_PORT_CONTROL, 0xB2, T0);		/* ch 2, low/high, mode 1 */
	out(PIT_PORT_CHANNEL2, 200, T0);
	out(PIT_PORT_CHANNEL2, 0, T0);
	ck_assert_int_eq(pit_output(&p, 2, at(1000)), 1);	/* waiting for the gate */
	out(PIT_PORT_SPEAKER, PIT61_GATE2, at(1000));
	ck_assert_int_eq(pit_output(&p, 2, at(1000) + 1), 0);
	ck_assert_int_eq(pit_output(&p, 2, after(at(1000), 199)), 0);
	ck_assert_int_eq(pit_output(&p, 2, after(at(1000), 200)), 1);
	/* Retriggered by a new rising edge. */
	out(PIT_PORT_SPEAKER, 0, at(1300));
	out(PIT_PORT_SPEAKER, PIT61_GATE2, at(1400));
	ck_assert_int_eq(pit_output(&p, 2, after(at(1400), 100)), 0);
	ck_assert_int_eq(pit_output(&p, 2, after(at(1400), 200)), 1);
}
END_TEST

/* Mode 2 on channel 2: a low gate stops it with the output high; rising reloads. */
START_TEST(channel2_gate_mode2)
{
	out(PIT_PORT_SPEAKER, PIT61_GATE2, T0);
	program(2, 2, 100, T0);
	ck_assert_uint_eq(pit_count(&p, 2, at(30)), 70);
	out(PIT_PORT_SPEAKER, 0, at(30));
	ck_assert_int_eq(pit_output(&p, 2, at(99)), 1);
	ck_assert_uint_eq(pit_count(&p, 2, at(500)), 70);
	out(PIT_PORT_SPEAKER, PIT61_GATE2, at(500));
	ck_assert_uint_eq(pit_count(&p, 2, after(at(500), 10)), 90);	/* reloaded */
}
END_TEST

/* Port 0x61: bits 3:0 read back; the refresh bit toggles every 15.085 us. */
START_TEST(port61)
{
	out(PIT_PORT_SPEAKER, 0xFF, 0);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, 0) & 0xCF, 0x0F);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, 0) & PIT61_REFRESH, 0);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, 15085) & PIT61_REFRESH, PIT61_REFRESH);
	ck_assert_uint_eq(in(PIT_PORT_SPEAKER, 2 * 15085) & PIT61_REFRESH, 0);
}
END_TEST

/* Over hours of time the arithmetic neither overflows nor drifts. */
START_TEST(long_run)
{
	uint64_t hours10 = 10ull * 3600 * 1000000000ull;
	program(0, 2, 0, T0);				/* 65,536: about 18.2 Hz */
	ck_assert_uint_eq(pit_irq0_edges(&p, T0 + hours10), 10ull * 3600 * 1193182 / 65536);
	ck_assert_uint_gt(pit_next_event_ns(&p), T0 + hours10);
	ck_assert_uint_le(pit_next_event_ns(&p), T0 + hours10 + 54925494ull);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pit8254");
	TCase *tc = tcase_create("8254");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, mode2_rate_generator);
	tcase_add_test(tc, latch_and_read);
	tcase_add_test(tc, read_back);
	tcase_add_test(tc, mode0_terminal_count);
	tcase_add_test(tc, count_zero_is_65536);
	tcase_add_test(tc, mode3_square_wave);
	tcase_add_test(tc, control_word_stops);
	tcase_add_test(tc, access_modes_and_bcd);
	tcase_add_test(tc, channel2_calibration);
	tcase_add_test(tc, channel2_gate_holds_mode0);
	tcase_add_test(tc, channel2_mode1_one_shot);
	tcase_add_test(tc, channel2_gate_mode2);
	tcase_add_test(tc, port61);
	tcase_add_test(tc, long_run);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
