/*
 * tests/unit/test_cmos_rtc.c: the CMOS RAM and clock (platform/cmos_rtc.c)
 * through ports 0x70/0x71, against the MC146818A datasheet's formats,
 * with the host's time passed in.
 * Runs on: host (Check).
 *
 * The expected dates were worked out independently of the code under test
 * (days since 1970 and weekdays from a calendar library).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/cmos_rtc.h"

#define NS	1000000000ull
/* 2026-12-06 20:18:45 UTC, a Sunday; plus half a second. */
#define SUNDAY_EVENING	(1796588325ull * NS + NS / 2)
/* 2024-02-29 00:05:09 UTC, a Thursday. */
#define LEAP_DAY	(1709165109ull * NS)

static struct cmos_rtc c;

static void setup(void)
{
	cmos_rtc_reset(&c, 256u << 20, SUNDAY_EVENING);
}

static uint8_t rd(uint8_t index, uint64_t now)
{
	cmos_rtc_write(&c, CMOS_PORT_INDEX, index, now);
	return cmos_rtc_read(&c, CMOS_PORT_DATA, now);
}

static void wr(uint8_t index, uint8_t v, uint64_t now)
{
	cmos_rtc_write(&c, CMOS_PORT_INDEX, index, now);
	cmos_rtc_write(&c, CMOS_PORT_DATA, v, now);
}

struct day_row {
	int year;
	unsigned month, day;
	int64_t days;
};

static const struct day_row day_rows[] = {
	{ 1970, 1, 1, 0 }, { 1969, 12, 31, -1 }, { 1999, 12, 31, 10956 },
	{ 2000, 2, 29, 11016 }, { 2038, 1, 19, 24855 }, { 1900, 3, 1, -25508 },
	{ 2100, 2, 28, 47540 },
};

START_TEST(calendar)
{
	const struct day_row *r = &day_rows[_i];
	int y;
	unsigned m, d;
	ck_assert_int_eq(cmos_days_from_civil(r->year, r->month, r->day), r->days);
	cmos_civil_from_days(r->days, &y, &m, &d);
	ck_assert_int_eq(y, r->year);
	ck_assert_uint_eq(m, r->month);
	ck_assert_uint_eq(d, r->day);
}
END_TEST

/* Power-on: 24-hour BCD; the time in BCD. */
START_TEST(time_bcd)
{
	uint64_t t = SUNDAY_EVENING;
	ck_assert_uint_eq(rd(CMOS_STATUS_B, t), CMOS_B_24H);
	ck_assert_uint_eq(rd(CMOS_SECONDS, t), 0x45);
	ck_assert_uint_eq(rd(CMOS_MINUTES, t), 0x18);
	ck_assert_uint_eq(rd(CMOS_HOURS, t), 0x20);
	ck_assert_uint_eq(rd(CMOS_WEEKDAY, t), 1);	/* Sunday */
	ck_assert_uint_eq(rd(CMOS_DAY, t), 0x06);
	ck_assert_uint_eq(rd(CMOS_MONTH, t), 0x12);
	ck_assert_uint_eq(rd(CMOS_YEAR, t), 0x26);
	ck_assert_uint_eq(rd(CMOS_CENTURY, t), 0x20);
	/* It runs: 75 seconds later. */
	ck_assert_uint_eq(rd(CMOS_SECONDS, t + 75 * NS), 0x00);
	ck_assert_uint_eq(rd(CMOS_MINUTES, t + 75 * NS), 0x20);
}
END_TEST

START_TEST(time_binary_and_12_hour)
{
	uint64_t t = LEAP_DAY;
	wr(CMOS_STATUS_B, CMOS_B_BINARY | CMOS_B_24H, t);
	ck_assert_uint_eq(rd(CMOS_SECONDS, t), 9);
	ck_assert_uint_eq(rd(CMOS_MINUTES, t), 5);
	ck_assert_uint_eq(rd(CMOS_HOURS, t), 0);
	ck_assert_uint_eq(rd(CMOS_WEEKDAY, t), 5);	/* Thursday */
	ck_assert_uint_eq(rd(CMOS_DAY, t), 29);
	ck_assert_uint_eq(rd(CMOS_MONTH, t), 2);
	ck_assert_uint_eq(rd(CMOS_YEAR, t), 24);
	ck_assert_uint_eq(rd(CMOS_CENTURY, t), 20);
	/* 12-hour BCD: midnight is 12 AM; 20:18 is 8 PM (bit 7). */
	wr(CMOS_STATUS_B, 0, t);
	ck_assert_uint_eq(rd(CMOS_HOURS, t), 0x12);
	ck_assert_uint_eq(rd(CMOS_HOURS, SUNDAY_EVENING), 0x88);
	ck_assert_uint_eq(rd(CMOS_HOURS, LEAP_DAY + 12 * 3600 * NS), 0x92);	/* noon: 12 PM */
}
END_TEST

/* The guest sets its clock with SET; the host's is untouched, it runs on. */
START_TEST(set_time)
{
	uint64_t t = SUNDAY_EVENING;
	wr(CMOS_STATUS_B, CMOS_B_SET | CMOS_B_24H, t);
	ck_assert_uint_eq(rd(CMOS_SECONDS, t + 5 * NS), 0x45);	/* frozen while SET */
	wr(CMOS_HOURS, 0x07, t);
	wr(CMOS_MINUTES, 0x30, t);
	wr(CMOS_SECONDS, 0x00, t);
	wr(CMOS_DAY, 0x01, t);
	wr(CMOS_MONTH, 0x01, t);
	wr(CMOS_YEAR, 0x99, t);
	wr(CMOS_CENTURY, 0x19, t);
	wr(CMOS_STATUS_B, CMOS_B_24H, t);
	ck_assert_uint_eq(rd(CMOS_HOURS, t + 61 * NS), 0x07);
	ck_assert_uint_eq(rd(CMOS_MINUTES, t + 61 * NS), 0x31);
	ck_assert_uint_eq(rd(CMOS_SECONDS, t + 61 * NS), 0x01);
	ck_assert_uint_eq(rd(CMOS_YEAR, t + 61 * NS), 0x99);
	ck_assert_uint_eq(rd(CMOS_WEEKDAY, t + 61 * NS), 6);	/* 1999-01-01: a Friday */
	/* A field written while the clock runs changes just that field. */
	wr(CMOS_MINUTES, 0x00, t + 61 * NS);
	ck_assert_uint_eq(rd(CMOS_MINUTES, t + 61 * NS), 0x00);
	ck_assert_uint_eq(rd(CMOS_HOURS, t + 61 * NS), 0x07);
	/* Nonsense written under SET leaves the clock as it was. */
	wr(CMOS_STATUS_B, CMOS_B_SET | CMOS_B_24H, t + 61 * NS);
	wr(CMOS_MONTH, 0x13, t + 61 * NS);
	wr(CMOS_STATUS_B, CMOS_B_24H, t + 61 * NS);
	ck_assert_uint_eq(rd(CMOS_HOURS, t + 61 * NS), 0x07);
}
END_TEST

/* Index port: bit 7 masks NMI; the port itself reads all ones. */
START_TEST(index_and_nmi)
{
	cmos_rtc_write(&c, CMOS_PORT_INDEX, CMOS_NMI_DISABLE | CMOS_STATUS_D, 0);
	ck_assert(c.nmi_disabled);
	ck_assert_uint_eq(cmos_rtc_read(&c, CMOS_PORT_DATA, 0), CMOS_D_VRT);
	cmos_rtc_write(&c, CMOS_PORT_INDEX, CMOS_STATUS_D, 0);
	ck_assert(!c.nmi_disabled);
	ck_assert_uint_eq(cmos_rtc_read(&c, CMOS_PORT_INDEX, 0), 0xFF);
	/* Plain RAM keeps what is written; status D does not. */
	wr(0x40, 0x5A, 0);
	ck_assert_uint_eq(rd(0x40, 0), 0x5A);
	wr(CMOS_STATUS_D, 0, 0);
	ck_assert_uint_eq(rd(CMOS_STATUS_D, 0), CMOS_D_VRT);
}
END_TEST

/* UIP: set in the last 244 us of each second. */
START_TEST(update_in_progress)
{
	uint64_t second = 1796588325ull * NS;
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS / 2), 0x26);
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS - 244000 - 1), 0x26);
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS - 244000), 0x26 | CMOS_A_UIP);
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS - 1), 0x26 | CMOS_A_UIP);
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS), 0x26);
	wr(CMOS_STATUS_A, 0xA6, second);			/* UIP is read-only */
	ck_assert_uint_eq(rd(CMOS_STATUS_A, second + NS / 2), 0x26);
}
END_TEST

/* Periodic interrupt: 1,024 Hz at rate 6; flag in C, IRQ with PIE, C read clears. */
START_TEST(periodic_interrupt)
{
	uint64_t t = SUNDAY_EVENING;	/* mid-second: no update ends nearby */
	uint8_t v;

	ck_assert_uint_eq(cmos_rtc_next_event_ns(&c, t), UINT64_MAX);
	rd(CMOS_STATUS_C, t);
	wr(CMOS_STATUS_B, CMOS_B_24H | CMOS_B_PIE, t);
	ck_assert_uint_eq(cmos_rtc_next_event_ns(&c, t), (t / 976562 + 1) * 976562);
	ck_assert(!cmos_rtc_irq_asserted(&c, t + 1000));
	ck_assert(cmos_rtc_irq_asserted(&c, t + 1000000));
	v = rd(CMOS_STATUS_C, t + 1000000);
	ck_assert_uint_eq(v, CMOS_C_IRQF | CMOS_C_PF);
	ck_assert(!cmos_rtc_irq_asserted(&c, t + 1000000));
	ck_assert_uint_eq(rd(CMOS_STATUS_C, t + 1000000), 0);
	/* The flag is set without PIE too, but the line stays low. */
	wr(CMOS_STATUS_B, CMOS_B_24H, t + 1000000);
	ck_assert(!cmos_rtc_irq_asserted(&c, t + 3000000));
	ck_assert_uint_eq(rd(CMOS_STATUS_C, t + 3000000), CMOS_C_PF);
}
END_TEST

/* Update-ended and alarm flags at the second boundary. */
START_TEST(update_and_alarm)
{
	uint64_t t = SUNDAY_EVENING;	/* 20:18:45.5 */
	rd(CMOS_STATUS_C, t);
	wr(CMOS_STATUS_A, 0x20, t);		/* no periodic rate */
	wr(CMOS_SECONDS_ALARM, 0x47, t);
	wr(CMOS_MINUTES_ALARM, 0xC0, t);	/* any minute */
	wr(CMOS_HOURS_ALARM, 0x20, t);
	wr(CMOS_STATUS_B, CMOS_B_24H | CMOS_B_AIE, t);
	ck_assert_uint_eq(cmos_rtc_next_event_ns(&c, t), 1796588326ull * NS);
	ck_assert(!cmos_rtc_irq_asserted(&c, t + NS));		/* 20:18:46.5: update only */
	ck_assert_uint_eq(rd(CMOS_STATUS_C, t + NS), CMOS_C_UF);
	ck_assert(cmos_rtc_irq_asserted(&c, t + 2 * NS));		/* 20:18:47: the alarm */
	ck_assert_uint_eq(rd(CMOS_STATUS_C, t + 2 * NS), CMOS_C_IRQF | CMOS_C_AF | CMOS_C_UF);
	/* Once a minute after that ("any minute"), missed seconds included. */
	ck_assert(cmos_rtc_irq_asserted(&c, t + 70 * NS));
	rd(CMOS_STATUS_C, t + 70 * NS);
	ck_assert(!cmos_rtc_irq_asserted(&c, t + 71 * NS));
	/* UIE: every update; SET stops updates and clears UIE. */
	wr(CMOS_STATUS_B, CMOS_B_24H | CMOS_B_UIE, t + 71 * NS);
	ck_assert(cmos_rtc_irq_asserted(&c, t + 72 * NS));
	rd(CMOS_STATUS_C, t + 72 * NS);
	wr(CMOS_STATUS_B, CMOS_B_24H | CMOS_B_UIE | CMOS_B_SET, t + 72 * NS);
	ck_assert_uint_eq(rd(CMOS_STATUS_B, t + 72 * NS), CMOS_B_24H | CMOS_B_SET);
	ck_assert_uint_eq(rd(CMOS_STATUS_C, t + 80 * NS), 0);
}
END_TEST

/* What a BIOS records of memory, and the checksum over 0x10-0x2D. */
START_TEST(memory_sizes)
{
	unsigned i, sum = 0;
	ck_assert_uint_eq(rd(0x15, 0) | (rd(0x16, 0) << 8), 640);
	ck_assert_uint_eq(rd(0x17, 0) | (rd(0x18, 0) << 8), 0xFFFF);	/* capped */
	ck_assert_uint_eq(rd(0x30, 0) | (rd(0x31, 0) << 8), 0xFFFF);
	ck_assert_uint_eq(rd(0x34, 0) | (rd(0x35, 0) << 8), (256 - 16) * 16);
	for (i = 0x10; i <= 0x2D; i++)
		sum += rd((uint8_t)i, 0);
	ck_assert_uint_eq((rd(0x2E, 0) << 8) | rd(0x2F, 0), sum);
	cmos_rtc_reset(&c, 32u << 20, 0);
	ck_assert_uint_eq(rd(0x17, 0) | (rd(0x18, 0) << 8), 31 * 1024);
	ck_assert_uint_eq(rd(0x34, 0) | (rd(0x35, 0) << 8), 16 * 16);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmos_rtc");
	TCase *tc = tcase_create("mc146818");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, calendar, 0, sizeof(day_rows) / sizeof(day_rows[0]));
	tcase_add_test(tc, time_bcd);
	tcase_add_test(tc, time_binary_and_12_hour);
	tcase_add_test(tc, set_time);
	tcase_add_test(tc, index_and_nmi);
	tcase_add_test(tc, update_in_progress);
	tcase_add_test(tc, periodic_interrupt);
	tcase_add_test(tc, update_and_alarm);
	tcase_add_test(tc, memory_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
