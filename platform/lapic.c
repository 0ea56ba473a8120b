/*
 * platform/lapic.c: a local xAPIC for one CPU (Intel SDM vol. 3, chapter 10).
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. Registers by offset: ID, version, TPR/APR/PPR, EOI, LDR/DFR, SVR, the
 *    256-bit ISR/TMR/IRR, ESR, ICR, the six LVT entries and the timer.
 * 2. Priority (10.8.3.1): PPR is TPR, unless the highest in-service vector's
 *    class is above TPR's, then that class. An IRR vector is delivered only
 *    if its class is above PPR's; EOI ends the highest in-service vector.
 * 3. The timer counts at 1 GHz divided by the divide configuration, as
 *    QEMU's APIC does (a real CPU counts its bus clock): kernels that use a
 *    fixed initial count, as xv6 does with 10,000,000 at divide-by-1, get
 *    the same rate under the hypervisor as on bare QEMU, 100 Hz.
 * 4. There is only this CPU: INIT and STARTUP sent to others complete at
 *    once (delivery status idle) and start nothing; an IPI that names this
 *    APIC, through a shorthand or its ID, is accepted here.
 * Not modelled: lowest-priority arbitration among CPUs (there is one), SMI,
 * INIT to self (it would reset the CPU), remote read, the thermal and
 * performance sources (their LVTs only hold what is written), LINT0/LINT1
 * pins (the caller raises what they would deliver), TSC-deadline mode and
 * x2APIC.
 */
#include "platform/lapic.h"

#include "lib/string.h"

#define LAPIC_VERSION_VALUE	(0x14u | ((LVT_COUNT - 1u) << 16))	/* max LVT 5 */
#define NS_PER_TIMER_TICK	1	/* the timer's clock: 1 GHz before the divider */
#define SVR_WRITABLE		0x3FFu	/* vector, enable, focus check */
#define ICR_LOW_WRITABLE	0x000CCFFFu
#define ID_BITS			0xFF000000u
#define DFR_RESERVED_ONES	0x0FFFFFFFu
#define ILLEGAL_VECTORS		16	/* 0-15 are never accepted (10.5.3) */

/* Bits each LVT entry keeps (SDM vol. 3, figure 10-8). */
static const uint32_t lvt_writable[LVT_COUNT] = {
	[LVT_TIMER] = 0x000300FFu,	/* vector, mask, periodic */
	[LVT_THERMAL] = 0x000107FFu,	/* vector, delivery mode, mask */
	[LVT_PERF] = 0x000107FFu,
	[LVT_LINT0] = 0x0001A7FFu,	/* + polarity, trigger mode */
	[LVT_LINT1] = 0x0001A7FFu,
	[LVT_ERROR] = 0x000100FFu,	/* vector, mask */
};

static int test_bit(const uint32_t *bits, unsigned v)
{
	return (bits[v >> 5] >> (v & 31)) & 1;
}

static void set_bit(uint32_t *bits, unsigned v)
{
	bits[v >> 5] |= 1u << (v & 31);
}

static void clear_bit(uint32_t *bits, unsigned v)
{
	bits[v >> 5] &= ~(1u << (v & 31));
}

/* The highest set bit of a 256-bit register, or -1. */
static int highest(const uint32_t *bits)
{
	int w, b;
	for (w = 7; w >= 0; w--)
		if (bits[w])
			for (b = 31; b >= 0; b--)
				if (bits[w] & (1u << b))
					return w * 32 + b;
	return -1;
}

void lapic_reset(struct lapic *l, uint8_t apic_id)
{
	int i;
	memset(l, 0, sizeof(*l));
	l->id = (uint32_t)apic_id << 24;
	l->base_msr = LAPIC_DEFAULT_BASE | LAPIC_BASE_BSP | LAPIC_BASE_ENABLE;
	l->dfr = 0xFFFFFFFFu;
	l->svr = 0xFF;
	for (i = 0; i < LVT_COUNT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
}

int lapic_enabled(const struct lapic *l)
{
	return (l->base_msr & LAPIC_BASE_ENABLE) && (l->svr & LAPIC_SVR_ENABLE);
}

/* log2 of the divider: TDCR bits 3,1,0 (10.5.4): 000 -> 2 ... 110 -> 128, 111 -> 1. */
static unsigned timer_shift(const struct lapic *l)
{
	unsigned code = (l->timer_divide & 3u) | ((l->timer_divide >> 1) & 4u);
	return (code + 1u) & 7u;
}

static uint64_t timer_period_ns(const struct lapic *l)
{
	return ((uint64_t)l->timer_initial << timer_shift(l)) * NS_PER_TIMER_TICK;
}

static void signal_error(struct lapic *l, uint32_t esr_bits, uint64_t now_ns)
{
	uint32_t lvt = l->lvt[LVT_ERROR];
	l->esr_pending |= esr_bits;
	if (!(lvt & LAPIC_LVT_MASKED) && (lvt & 0xFFu) >= ILLEGAL_VECTORS) {
		set_bit(l->irr, lvt & 0xFFu);
		clear_bit(l->tmr, lvt & 0xFFu);
	}
}

void lapic_accept(struct lapic *l, uint8_t vector, int level_triggered, uint64_t now_ns)
{
	if (!(l->base_msr & LAPIC_BASE_ENABLE))
		return;
	if (vector < ILLEGAL_VECTORS) {
		signal_error(l, LAPIC_ESR_RECV_ILLEGAL_VECTOR, now_ns);
		return;
	}
	set_bit(l->irr, vector);
	if (level_triggered)
		set_bit(l->tmr, vector);
	else
		clear_bit(l->tmr, vector);
}

void lapic_advance(struct lapic *l, uint64_t now_ns)
{
	uint64_t period, periods;
	uint32_t lvt = l->lvt[LVT_TIMER];

	if (!l->timer_armed || now_ns < l->timer_deadline_ns)
		return;
	/* Masking stops the interrupt, not the count (10.5.4). */
	if (!(lvt & LAPIC_LVT_MASKED))
		lapic_accept(l, (uint8_t)lvt, 0, now_ns);
	if (!(lvt & LAPIC_LVT_PERIODIC)) {
		l->timer_armed = 0;
		return;
	}
	/* Periods missed while nobody looked collapse into the one IRR bit. */
	period = timer_period_ns(l);
	periods = (now_ns - l->timer_deadline_ns) / period;
	l->timer_start_ns = l->timer_deadline_ns + periods * period;
	l->timer_deadline_ns = l->timer_start_ns + period;
}

uint64_t lapic_next_event_ns(const struct lapic *l)
{
	return l->timer_armed ? l->timer_deadline_ns : UINT64_MAX;
}

static uint32_t timer_current(const struct lapic *l, uint64_t now_ns)
{
	uint64_t elapsed;
	if (!l->timer_armed || l->timer_initial == 0)
		return 0;
	if (now_ns >= l->timer_deadline_ns && !(l->lvt[LVT_TIMER] & LAPIC_LVT_PERIODIC))
		return 0;
	elapsed = ((now_ns - l->timer_start_ns) / NS_PER_TIMER_TICK) >> timer_shift(l);
	return l->timer_initial - (uint32_t)(elapsed % l->timer_initial);
}

static void timer_start(struct lapic *l, uint32_t initial, uint64_t now_ns)
{
	l->timer_initial = initial;
	l->timer_armed = initial != 0;	/* writing 0 stops the timer */
	l->timer_start_ns = now_ns;
	l->timer_deadline_ns = now_ns + timer_period_ns(l);
}

/* A new divider takes effect from now; the count goes on from where it is. */
static void timer_set_divide(struct lapic *l, uint32_t value, uint64_t now_ns)
{
	uint32_t current = timer_current(l, now_ns);
	l->timer_divide = value & 0xBu;
	if (!l->timer_armed)
		return;
	l->timer_start_ns = now_ns -
		((uint64_t)(l->timer_initial - current) << timer_shift(l)) * NS_PER_TIMER_TICK;
	l->timer_deadline_ns = l->timer_start_ns + timer_period_ns(l);
}

uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : ((uint32_t)isrv & 0xF0u);
	if ((l->tpr & 0xF0u) >= isr_class)
		return l->tpr & 0xFFu;
	return isr_class;
}

/* APR (10.6.2.4): TPR, unless a pending or in-service class is higher. */
static uint32_t lapic_apr(const struct lapic *l)
{
	int irrv = highest(l->irr), isrv = highest(l->isr);
	uint32_t tpr_class = l->tpr & 0xF0u;
	uint32_t irr_class = irrv < 0 ? 0 : ((uint32_t)irrv & 0xF0u);
	uint32_t isr_class = isrv < 0 ? 0 : ((uint32_t)isrv & 0xF0u);
	uint32_t max = tpr_class;

	if (tpr_class >= irr_class && tpr_class > isr_class)
		return l->tpr & 0xFFu;
	if (irr_class > max)
		max = irr_class;
	if (isr_class > max)
		max = isr_class;
	return max;
}

int lapic_pending_vector(struct lapic *l)
{
	int irrv;
	if (!lapic_enabled(l))
		return -1;
	irrv = highest(l->irr);
	if (irrv < 0 || ((uint32_t)irrv & 0xF0u) <= (lapic_ppr(l) & 0xF0u))
		return -1;
	return irrv;
}

int lapic_ack(struct lapic *l)
{
	int v = lapic_pending_vector(l);
	if (v < 0)
		return (int)(l->svr & 0xFFu);	/* spurious: no ISR bit, no EOI due */
	clear_bit(l->irr, (unsigned)v);
	set_bit(l->isr, (unsigned)v);
	return v;
}

int lapic_matches_destination(const struct lapic *l, uint8_t dest, int logical)
{
	uint8_t ldr = (uint8_t)(l->ldr >> 24);
	if (dest == 0xFF)
		return 1;
	if (!logical)
		return dest == (uint8_t)(l->id >> 24);
	if ((l->dfr >> 28) == 0xF)		/* flat model: one bit per APIC */
		return (dest & ldr) != 0;
	/* cluster model: cluster in bits 7:4, member bits 3:0 */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0x0F) != 0;
}

static int eoi(struct lapic *l)
{
	int v = highest(l->isr);
	if (v < 0)
		return LAPIC_NO_IOAPIC_EOI;
	clear_bit(l->isr, (unsigned)v);
	/* A level-triggered interrupt's EOI goes on to the I/O APIC (10.8.5). */
	return test_bit(l->tmr, (unsigned)v) ? v : LAPIC_NO_IOAPIC_EOI;
}

static void send_ipi(struct lapic *l, uint64_t now_ns)
{
	uint32_t mode = l->icr_low & 0x700u, shorthand = l->icr_low & 0xC0000u;
	uint8_t vector = (uint8_t)l->icr_low;
	uint8_t dest = (uint8_t)(l->icr_high >> 24);
	int logical = (l->icr_low & LAPIC_ICR_LOGICAL) != 0;
	int to_self, to_others;

	switch (shorthand) {
	case LAPIC_ICR_SELF:
		to_self = 1, to_others = 0;
		break;
	case LAPIC_ICR_ALL_INCL:
		to_self = 1, to_others = 1;
		break;
	case LAPIC_ICR_ALL_EXCL:
		to_self = 0, to_others = 1;
		break;
	default:
		to_self = lapic_matches_destination(l, dest, logical);
		to_others = dest == 0xFF || !to_self;
		break;
	}
	if (to_others)
		l->ipis_to_nobody++;
	if (!to_self)
		return;
	switch (mode) {
	case LAPIC_ICR_FIXED:
	case LAPIC_ICR_LOWEST:
		if (vector < ILLEGAL_VECTORS)
			signal_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR, now_ns);
		lapic_accept(l, vector, (l->icr_low & LAPIC_ICR_LEVEL) != 0, now_ns);
		break;
	case LAPIC_ICR_NMI:
		l->nmi_pending = 1;
		break;
	default:
		break;	/* INIT, STARTUP and SMI to self: not modelled */
	}
}

/* Is offset one of the registers (SDM vol. 3, table 10-1)? */
static int is_register(uint32_t offset)
{
	if (offset & 0xF)
		return 0;
	if (offset >= LAPIC_ISR && offset < LAPIC_ESR)
		return 1;
	switch (offset) {
	case LAPIC_ID: case LAPIC_VERSION: case LAPIC_TPR: case LAPIC_APR: case LAPIC_PPR:
	case LAPIC_EOI: case LAPIC_RRD: case LAPIC_LDR: case LAPIC_DFR: case LAPIC_SVR:
	case LAPIC_ESR: case LAPIC_ICR_LOW: case LAPIC_ICR_HIGH:
	case LAPIC_LVT_TIMER: case LAPIC_LVT_THERMAL: case LAPIC_LVT_PERF:
	case LAPIC_LVT_LINT0: case LAPIC_LVT_LINT1: case LAPIC_LVT_ERROR:
	case LAPIC_TIMER_INITIAL: case LAPIC_TIMER_CURRENT: case LAPIC_TIMER_DIVIDE:
		return 1;
	default:
		return 0;
	}
}

uint32_t lapic_peek(const struct lapic *l, uint32_t offset, uint64_t now_ns)
{
	if (!is_register(offset))
		return 0;
	if (offset >= LAPIC_ISR && offset < LAPIC_ESR) {
		unsigned word = ((offset - LAPIC_ISR) >> 4) & 7;
		if (offset < LAPIC_TMR)
			return l->isr[word];
		if (offset < LAPIC_IRR)
			return l->tmr[word];
		return l->irr[word];
	}
	switch (offset) {
	case LAPIC_ID: return l->id;
	case LAPIC_VERSION: return LAPIC_VERSION_VALUE;
	case LAPIC_TPR: return l->tpr;
	case LAPIC_APR: return lapic_apr(l);
	case LAPIC_PPR: return lapic_ppr(l);
	case LAPIC_LDR: return l->ldr;
	case LAPIC_DFR: return l->dfr;
	case LAPIC_SVR: return l->svr;
	case LAPIC_ESR: return l->esr;
	case LAPIC_ICR_LOW: return l->icr_low;	/* delivery status: always idle */
	case LAPIC_ICR_HIGH: return l->icr_high;
	case LAPIC_LVT_TIMER: case LAPIC_LVT_THERMAL: case LAPIC_LVT_PERF:
	case LAPIC_LVT_LINT0: case LAPIC_LVT_LINT1: case LAPIC_LVT_ERROR:
		return l->lvt[(offset - LAPIC_LVT_TIMER) >> 4];
	case LAPIC_TIMER_INITIAL: return l->timer_initial;
	case LAPIC_TIMER_CURRENT: return timer_current(l, now_ns);
	case LAPIC_TIMER_DIVIDE: return l->timer_divide;
	default: return 0;	/* EOI and remote read */
	}
}

uint32_t lapic_read(struct lapic *l, uint32_t offset, uint64_t now_ns)
{
	lapic_advance(l, now_ns);
	if (!is_register(offset)) {
		signal_error(l, LAPIC_ESR_ILLEGAL_REGISTER, now_ns);
		return 0;
	}
	return lapic_peek(l, offset, now_ns);
}

void lapic_page_image(const struct lapic *l, uint64_t now_ns, uint32_t page[LAPIC_MMIO_SIZE / 4])
{
	for (uint32_t offset = 0; offset < LAPIC_MMIO_SIZE; offset += 4)
		page[offset / 4] = lapic_peek(l, offset, now_ns);
}

static void write_lvt(struct lapic *l, enum lapic_lvt which, uint32_t value)
{
	value &= lvt_writable[which];
	/* A software-disabled APIC keeps every LVT masked (10.4.7.2). */
	if (!(l->svr & LAPIC_SVR_ENABLE))
		value |= LAPIC_LVT_MASKED;
	l->lvt[which] = value;
}

int lapic_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now_ns)
{
	int i;

	lapic_advance(l, now_ns);
	switch (offset) {
	case LAPIC_ID:
		l->id = value & ID_BITS;
		break;
	case LAPIC_TPR:
		l->tpr = value & 0xFFu;
		break;
	case LAPIC_EOI:
		return eoi(l);
	case LAPIC_LDR:
		l->ldr = value & ID_BITS;
		break;
	case LAPIC_DFR:
		l->dfr = (value & 0xF0000000u) | DFR_RESERVED_ONES;
		break;
	case LAPIC_SVR:
		l->svr = value & SVR_WRITABLE;
		if (!(l->svr & LAPIC_SVR_ENABLE))
			for (i = 0; i < LVT_COUNT; i++)
				l->lvt[i] |= LAPIC_LVT_MASKED;
		break;
	case LAPIC_ESR:
		/* The write latches the errors seen since the last one (10.5.3). */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case LAPIC_ICR_LOW:
		l->icr_low = value & ICR_LOW_WRITABLE;
		send_ipi(l, now_ns);
		break;
	case LAPIC_ICR_HIGH:
		l->icr_high = value & ID_BITS;
		break;
	case LAPIC_LVT_TIMER: case LAPIC_LVT_THERMAL: case LAPIC_LVT_PERF:
	case LAPIC_LVT_LINT0: case LAPIC_LVT_LINT1: case LAPIC_LVT_ERROR:
		write_lvt(l, (enum lapic_lvt)((offset - LAPIC_LVT_TIMER) >> 4), value);
		break;
	case LAPIC_TIMER_INITIAL:
		timer_start(l, value, now_ns);
		break;
	case LAPIC_TIMER_DIVIDE:
		timer_set_divide(l, value, now_ns);
		break;
	case LAPIC_VERSION: case LAPIC_APR: case LAPIC_PPR: case LAPIC_RRD:
	case LAPIC_TIMER_CURRENT:
		break;			/* read-only */
	default:
		if (offset >= LAPIC_ISR && offset < LAPIC_ESR && (offset & 0xF) == 0)
			break;		/* ISR, TMR, IRR: read-only */
		signal_error(l, LAPIC_ESR_ILLEGAL_REGISTER, now_ns);
		break;
	}
	return LAPIC_NO_IOAPIC_EOI;
}

uint64_t lapic_read_base_msr(const struct lapic *l)
{
	return l->base_msr;
}

int lapic_write_base_msr(struct lapic *l, uint64_t value)
{
	uint8_t id = (uint8_t)(l->id >> 24);
	if ((value & ~(uint64_t)(LAPIC_BASE_ENABLE | LAPIC_BASE_BSP)) != LAPIC_DEFAULT_BASE)
		return -1;		/* relocation and reserved bits: not supported */
	if (!(value & LAPIC_BASE_ENABLE) && (l->base_msr & LAPIC_BASE_ENABLE)) {
		/* Globally disabled: back to the power-on state (10.4.3). */
		lapic_reset(l, id);
		l->base_msr &= ~LAPIC_BASE_ENABLE;
		return 0;
	}
	l->base_msr = (l->base_msr & ~LAPIC_BASE_ENABLE) | (uint32_t)(value & LAPIC_BASE_ENABLE);
	return 0;
}
