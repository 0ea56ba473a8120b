/*
 * platform/cmos_rtc.h: the CMOS RAM and real-time clock (a Motorola
 * MC146818 as in every PC) at ports 0x70 (index) and 0x71 (data).
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * Time is passed in as nanoseconds of the host's clock since the Unix
 * epoch (UTC); the clock shows that time plus whatever offset the guest
 * set by writing the time registers.
 */
#ifndef TV_PLATFORM_CMOS_RTC_H
#define TV_PLATFORM_CMOS_RTC_H

#include <stdint.h>

#define CMOS_PORT_INDEX	0x70u
#define CMOS_PORT_DATA	0x71u
#define CMOS_RTC_IRQ	8u

/* Registers (index values). */
#define CMOS_SECONDS		0x00
#define CMOS_SECONDS_ALARM	0x01
#define CMOS_MINUTES		0x02
#define CMOS_MINUTES_ALARM	0x03
#define CMOS_HOURS		0x04
#define CMOS_HOURS_ALARM	0x05
#define CMOS_WEEKDAY		0x06	/* 1 = Sunday */
#define CMOS_DAY		0x07
#define CMOS_MONTH		0x08
#define CMOS_YEAR		0x09	/* two digits */
#define CMOS_STATUS_A		0x0A
#define CMOS_STATUS_B		0x0B
#define CMOS_STATUS_C		0x0C
#define CMOS_STATUS_D		0x0D
#define CMOS_CENTURY		0x32	/* the IBM PC/AT's place for it */
#define CMOS_SIZE		128

#define CMOS_A_UIP	0x80	/* update in progress */
#define CMOS_B_SET	0x80	/* updates stopped while the time is set */
#define CMOS_B_PIE	0x40	/* periodic interrupt enable */
#define CMOS_B_AIE	0x20	/* alarm interrupt enable */
#define CMOS_B_UIE	0x10	/* update-ended interrupt enable */
#define CMOS_B_BINARY	0x04	/* 0: BCD */
#define CMOS_B_24H	0x02
#define CMOS_C_IRQF	0x80
#define CMOS_C_PF	0x40
#define CMOS_C_AF	0x20
#define CMOS_C_UF	0x10
#define CMOS_D_VRT	0x80	/* valid RAM and time: the battery is good */
#define CMOS_NMI_DISABLE 0x80	/* in the index written to port 0x70 */

struct cmos_rtc {
	uint8_t index;			/* 0-127 */
	int nmi_disabled;		/* bit 7 of the last index write */
	uint8_t ram[CMOS_SIZE];		/* status registers and the plain RAM */
	int64_t offset_s;		/* guest time minus host time, seconds */
	uint64_t flags_checked_ns;	/* interrupt flags are computed up to here */
	uint8_t flags;			/* PF, AF, UF raised since status C was read */
};

/*
 * Power-on: 24-hour BCD, the 32,768 Hz time base with a 1,024 Hz periodic
 * rate (status A 0x26), no interrupts, battery good, and the memory sizes
 * a BIOS records (base memory 640 KiB; extended memory from mem_bytes).
 */
void cmos_rtc_reset(struct cmos_rtc *c, uint32_t mem_bytes, uint64_t now_ns);

/* An access to port 0x70 or 0x71. Port 0x70 reads all ones (write-only). */
uint8_t cmos_rtc_read(struct cmos_rtc *c, uint16_t port, uint64_t now_ns);
void cmos_rtc_write(struct cmos_rtc *c, uint16_t port, uint8_t value, uint64_t now_ns);

/* IRQ 8: asserted while status C has IRQF set (until status C is read). */
int cmos_rtc_irq_asserted(struct cmos_rtc *c, uint64_t now_ns);

/* When the next enabled interrupt flag will be raised (ns), or UINT64_MAX. */
uint64_t cmos_rtc_next_event_ns(const struct cmos_rtc *c, uint64_t now_ns);

/* Calendar helpers, exported for the tests: days since 1970-01-01 and back. */
int64_t cmos_days_from_civil(int year, unsigned month, unsigned day);
void cmos_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day);

#endif
