/*
 * platform/cmos_rtc.c: the PC's CMOS RAM and real-time clock (Motorola
 * MC146818A datasheet), at ports 0x70 and 0x71.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. Port 0x70 selects one of 128 bytes (bits 6:0) and, in bit 7, masks
 *    NMI, which the caller reads from `nmi_disabled`; port 0x71 reads or
 *    writes the byte.
 * 2. The time registers show the host's time plus the guest's offset, in
 *    BCD or binary and in 24- or 12-hour form as status B says; a guest
 *    that writes them (best with status B's SET bit, as the datasheet
 *    says) moves its own clock, never the host's.
 * 3. Status A's UIP bit is set during the last 244 us of every second, as
 *    the real update cycle does, so a kernel that waits for an update to
 *    begin and end finds one. Status C collects the periodic, alarm and
 *    update-ended flags since its last read; IRQ 8 is asserted while one
 *    of them is enabled in status B. Status D says the battery is good.
 * 4. The plain RAM holds what a PC BIOS leaves there: base memory 640 KiB
 *    (0x15-0x16), extended memory in KiB (0x17-0x18, 0x30-0x31), memory
 *    above 16 MiB in 64 KiB blocks (0x34-0x35) as QEMU records them, and
 *    the checksum over 0x10-0x2D.
 * Not modelled: the divider chain (status A's bits 6:4 are kept but never
 * stop the clock), daylight-saving mode (status B bit 0), the square-wave
 * output.
 */
#include "platform/cmos_rtc.h"

#include "lib/string.h"

#define NS_PER_S		1000000000ull
#define UIP_NS			244000ull	/* the update cycle's warning time */
#define SECONDS_PER_DAY		86400
#define STATUS_A_DEFAULT	0x26	/* 32,768 Hz time base, 1,024 Hz rate */
#define PM_BIT			0x80	/* in the hours register, 12-hour mode */
#define ALARM_DONT_CARE		0xC0	/* an alarm byte of 11xxxxxx matches any value */

#define CMOS_BASE_MEM_LOW	0x15
#define CMOS_EXT_MEM_LOW	0x17
#define CMOS_EXT_MEM2_LOW	0x30
#define CMOS_HIGH_MEM_LOW	0x34
#define CMOS_EQUIPMENT		0x14
#define CMOS_CHECKSUM_HIGH	0x2E
#define CHECKSUM_FIRST		0x10
#define CHECKSUM_LAST		0x2D

/* The time registers, in the order time_to_registers() fills them. */
static const uint8_t time_registers[] = {
	CMOS_SECONDS, CMOS_MINUTES, CMOS_HOURS, CMOS_WEEKDAY, CMOS_DAY,
	CMOS_MONTH, CMOS_YEAR, CMOS_CENTURY,
};

int64_t cmos_days_from_civil(int year, unsigned month, unsigned day)
{
	/* Count years from March, so the leap day is the last day of a year. */
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t year_of_era = y - era * 400;
	int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;	/* 719,468: 0000-03-01 to 1970-01-01 */
}

void cmos_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t day_of_era = z - era * 146097;
	int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
			       - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153;
	unsigned m = (unsigned)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);

	*day = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*month = m;
	*year = (int)(year_of_era + era * 400 + (m <= 2));
}

static int binary_mode(const struct cmos_rtc *c)
{
	return c->ram[CMOS_STATUS_B] & CMOS_B_BINARY;
}

static uint8_t encode(const struct cmos_rtc *c, unsigned v)
{
	return binary_mode(c) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned decode(const struct cmos_rtc *c, uint8_t v)
{
	return binary_mode(c) ? v : (unsigned)((v >> 4) * 10 + (v & 0x0F));
}

static uint8_t encode_hours(const struct cmos_rtc *c, unsigned h)
{
	if (c->ram[CMOS_STATUS_B] & CMOS_B_24H)
		return encode(c, h);
	/* 12-hour: 12 AM is midnight, the PM flag is bit 7 in either format. */
	return (uint8_t)(encode(c, h % 12 ? h % 12 : 12) | (h >= 12 ? PM_BIT : 0));
}

static unsigned decode_hours(const struct cmos_rtc *c, uint8_t v)
{
	unsigned h;
	if (c->ram[CMOS_STATUS_B] & CMOS_B_24H)
		return decode(c, v);
	h = decode(c, v & (uint8_t)~PM_BIT) % 12;
	return (v & PM_BIT) ? h + 12 : h;
}

static int64_t guest_seconds(const struct cmos_rtc *c, uint64_t now_ns)
{
	return (int64_t)(now_ns / NS_PER_S) + c->offset_s;
}

/* Fill the time registers with the guest's time at t (seconds since 1970). */
static void time_to_registers(struct cmos_rtc *c, int64_t t)
{
	int64_t days = (t >= 0 ? t : t - (SECONDS_PER_DAY - 1)) / SECONDS_PER_DAY;
	int64_t second_of_day = t - days * SECONDS_PER_DAY;
	int year;
	unsigned month, day;

	cmos_civil_from_days(days, &year, &month, &day);
	c->ram[CMOS_SECONDS] = encode(c, (unsigned)(second_of_day % 60));
	c->ram[CMOS_MINUTES] = encode(c, (unsigned)(second_of_day / 60 % 60));
	c->ram[CMOS_HOURS] = encode_hours(c, (unsigned)(second_of_day / 3600));
	/* 1970-01-01 was a Thursday; the register counts Sunday as 1. */
	c->ram[CMOS_WEEKDAY] = encode(c, (unsigned)(((days % 7) + 7 + 4) % 7 + 1));
	c->ram[CMOS_DAY] = encode(c, day);
	c->ram[CMOS_MONTH] = encode(c, month);
	c->ram[CMOS_YEAR] = encode(c, (unsigned)(year % 100));
	c->ram[CMOS_CENTURY] = encode(c, (unsigned)(year / 100));
}

/* The guest's written time registers become its clock's offset. */
static void registers_to_offset(struct cmos_rtc *c, uint64_t now_ns)
{
	unsigned month = decode(c, c->ram[CMOS_MONTH]);
	unsigned day = decode(c, c->ram[CMOS_DAY]);
	unsigned hours = decode_hours(c, c->ram[CMOS_HOURS]);
	unsigned minutes = decode(c, c->ram[CMOS_MINUTES]);
	unsigned seconds = decode(c, c->ram[CMOS_SECONDS]);
	int year = (int)(decode(c, c->ram[CMOS_CENTURY]) * 100 + decode(c, c->ram[CMOS_YEAR]));
	int64_t t;

	if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 ||
	    minutes > 59 || seconds > 59)
		return;		/* not a time: the clock keeps its old offset */
	t = cmos_days_from_civil(year, month, day) * SECONDS_PER_DAY +
	    hours * 3600 + minutes * 60 + seconds;
	c->offset_s = t - (int64_t)(now_ns / NS_PER_S);
}

static int is_time_register(uint8_t index)
{
	unsigned i;
	for (i = 0; i < sizeof(time_registers); i++)
		if (time_registers[i] == index)
			return 1;
	return 0;
}

static void write_checksum(struct cmos_rtc *c)
{
	unsigned i, sum = 0;
	for (i = CHECKSUM_FIRST; i <= CHECKSUM_LAST; i++)
		sum += c->ram[i];
	c->ram[CMOS_CHECKSUM_HIGH] = (uint8_t)(sum >> 8);
	c->ram[CMOS_CHECKSUM_HIGH + 1] = (uint8_t)sum;
}

static void put16(struct cmos_rtc *c, unsigned at, uint32_t v)
{
	if (v > 0xFFFF)
		v = 0xFFFF;
	c->ram[at] = (uint8_t)v;
	c->ram[at + 1] = (uint8_t)(v >> 8);
}

void cmos_rtc_reset(struct cmos_rtc *c, uint32_t mem_bytes, uint64_t now_ns)
{
	memset(c, 0, sizeof(*c));
	c->ram[CMOS_STATUS_A] = STATUS_A_DEFAULT;
	c->ram[CMOS_STATUS_B] = CMOS_B_24H;
	c->ram[CMOS_STATUS_D] = CMOS_D_VRT;
	c->ram[CMOS_EQUIPMENT] = 0x02;		/* a maths coprocessor, VGA, no floppy */
	put16(c, CMOS_BASE_MEM_LOW, 640);
	if (mem_bytes > 0x100000u) {
		put16(c, CMOS_EXT_MEM_LOW, (mem_bytes - 0x100000u) / 1024u);
		put16(c, CMOS_EXT_MEM2_LOW, (mem_bytes - 0x100000u) / 1024u);
	}
	if (mem_bytes > 0x1000000u)
		put16(c, CMOS_HIGH_MEM_LOW, (mem_bytes - 0x1000000u) / 0x10000u);
	write_checksum(c);
	c->flags_checked_ns = now_ns;
}

/* The periodic interrupt's period (status A bits 3:0), or 0 when off. */
static uint64_t periodic_ns(const struct cmos_rtc *c)
{
	unsigned rate = c->ram[CMOS_STATUS_A] & 0x0Fu;
	if (rate == 0)
		return 0;
	if (rate <= 2)
		rate += 7;	/* rates 1 and 2 repeat 8 and 9: 256 and 128 Hz */
	/* 32,768 Hz >> (rate - 1): 3 -> 8,192 Hz ... 15 -> 2 Hz. */
	return (NS_PER_S << (rate - 1)) >> 15;
}

static int alarm_matches(const struct cmos_rtc *c, int64_t t)
{
	int64_t s = ((t % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
	uint8_t now[3] = { encode(c, (unsigned)(s % 60)), encode(c, (unsigned)(s / 60 % 60)),
			   encode_hours(c, (unsigned)(s / 3600)) };
	const uint8_t alarm[3] = { c->ram[CMOS_SECONDS_ALARM], c->ram[CMOS_MINUTES_ALARM],
				   c->ram[CMOS_HOURS_ALARM] };
	int i;
	for (i = 0; i < 3; i++)
		if ((alarm[i] & ALARM_DONT_CARE) != ALARM_DONT_CARE && alarm[i] != now[i])
			return 0;
	return 1;
}

/* Raise the flags for every event between the last check and now. */
static void update_flags(struct cmos_rtc *c, uint64_t now_ns)
{
	uint64_t then = c->flags_checked_ns, period = periodic_ns(c);
	int64_t second, last_second;
	int checked = 0;

	if (now_ns <= then)
		return;
	c->flags_checked_ns = now_ns;
	if (period && now_ns / period != then / period)
		c->flags |= CMOS_C_PF;
	if (c->ram[CMOS_STATUS_B] & CMOS_B_SET)
		return;		/* no updates while the time is being set */
	second = (int64_t)(then / NS_PER_S) + 1;
	last_second = (int64_t)(now_ns / NS_PER_S);
	if (second > last_second)
		return;
	c->flags |= CMOS_C_UF;
	/* Each update ended compares the alarm; a day of them covers every alarm. */
	for (; second <= last_second && checked < SECONDS_PER_DAY; second++, checked++)
		if (alarm_matches(c, second + c->offset_s)) {
			c->flags |= CMOS_C_AF;
			break;
		}
}

static uint8_t irqf(const struct cmos_rtc *c)
{
	uint8_t enabled = c->ram[CMOS_STATUS_B] & (CMOS_B_PIE | CMOS_B_AIE | CMOS_B_UIE);
	return (c->flags & enabled) ? CMOS_C_IRQF : 0;	/* PIE/PF, AIE/AF, UIE/UF share bits */
}

int cmos_rtc_irq_asserted(struct cmos_rtc *c, uint64_t now_ns)
{
	update_flags(c, now_ns);
	return irqf(c) != 0;
}

uint64_t cmos_rtc_next_event_ns(const struct cmos_rtc *c, uint64_t now_ns)
{
	uint8_t b = c->ram[CMOS_STATUS_B];
	uint64_t period = periodic_ns(c), next = UINT64_MAX;

	if ((b & CMOS_B_PIE) && period)
		next = (now_ns / period + 1) * period;
	if ((b & (CMOS_B_UIE | CMOS_B_AIE)) && !(b & CMOS_B_SET)) {
		uint64_t second = (now_ns / NS_PER_S + 1) * NS_PER_S;
		if (second < next)
			next = second;
	}
	return next;
}

uint8_t cmos_rtc_read(struct cmos_rtc *c, uint16_t port, uint64_t now_ns)
{
	uint8_t v;
	int set = c->ram[CMOS_STATUS_B] & CMOS_B_SET;

	if (port != CMOS_PORT_DATA)
		return 0xFF;
	if (is_time_register(c->index) && !set)
		time_to_registers(c, guest_seconds(c, now_ns));
	switch (c->index) {
	case CMOS_STATUS_A:
		v = c->ram[CMOS_STATUS_A] & 0x7F;
		if (!set && now_ns % NS_PER_S >= NS_PER_S - UIP_NS)
			v |= CMOS_A_UIP;
		return v;
	case CMOS_STATUS_C:
		update_flags(c, now_ns);
		v = (uint8_t)(c->flags | irqf(c));
		c->flags = 0;		/* reading C acknowledges the interrupt */
		return v;
	default:
		return c->ram[c->index];
	}
}

void cmos_rtc_write(struct cmos_rtc *c, uint16_t port, uint8_t value, uint64_t now_ns)
{
	uint8_t old_b;

	if (port == CMOS_PORT_INDEX) {
		c->index = value & 0x7F;
		c->nmi_disabled = (value & CMOS_NMI_DISABLE) != 0;
		return;
	}
	if (port != CMOS_PORT_DATA)
		return;
	update_flags(c, now_ns);
	switch (c->index) {
	case CMOS_STATUS_A:
		c->ram[CMOS_STATUS_A] = value & 0x7F;	/* UIP is read-only */
		return;
	case CMOS_STATUS_B:
		old_b = c->ram[CMOS_STATUS_B];
		if (value & CMOS_B_SET)
			value &= (uint8_t)~CMOS_B_UIE;	/* SET clears UIE (datasheet) */
		c->ram[CMOS_STATUS_B] = value;
		/* Stopped: the registers hold the time now, for the guest to edit. */
		if (!(old_b & CMOS_B_SET) && (value & CMOS_B_SET))
			time_to_registers(c, guest_seconds(c, now_ns));
		/* Started again: the clock runs on from what was written. */
		if ((old_b & CMOS_B_SET) && !(value & CMOS_B_SET))
			registers_to_offset(c, now_ns);
		return;
	case CMOS_STATUS_C:
	case CMOS_STATUS_D:
		return;					/* read-only */
	default:
		break;
	}
	if (is_time_register(c->index) && !(c->ram[CMOS_STATUS_B] & CMOS_B_SET)) {
		/* A write while the clock runs: change that field of the running time. */
		time_to_registers(c, guest_seconds(c, now_ns));
		c->ram[c->index] = value;
		registers_to_offset(c, now_ns);
		return;
	}
	c->ram[c->index] = value;
}
