/*
 * tests/unit/test_lapic.c: the local xAPIC (platform/lapic.c) against the
 * rules of Intel SDM vol. 3, chapter 10, driven through its registers as a
 * kernel drives them.
 * Runs on: host (Check).
 *
 * Priority rules are table rows, each citing its section: the TPR, the
 * vectors in service and requested, and what PPR and the delivered vector
 * must be. Vector v's priority class is v >> 4.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/lapic.h"

#define T0	1000000000ull	/* an arbitrary "now": time does not start at 0 */

static struct lapic l;

static void setup(void)
{
	lapic_reset(&l, 0);
	lapic_write(&l, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF, T0);
}

static int irr_has(unsigned v)
{
	return (lapic_read(&l, LAPIC_IRR + (v / 32) * 0x10, T0) >> (v % 32)) & 1;
}

static int isr_has(unsigned v)
{
	return (lapic_read(&l, LAPIC_ISR + (v / 32) * 0x10, T0) >> (v % 32)) & 1;
}

static int tmr_has(unsigned v)
{
	return (lapic_read(&l, LAPIC_TMR + (v / 32) * 0x10, T0) >> (v % 32)) & 1;
}

/* ---- priority: one row per rule ---- */

struct priority_row {
	const char *rule;
	uint32_t tpr;
	uint8_t in_service[3];	/* vectors put in ISR (accepted and acked), 0 ends */
	uint8_t requested[3];	/* vectors left in IRR, 0 ends */
	uint32_t ppr;
	int delivered;		/* lapic_pending_vector(), -1 for none */
};

static const struct priority_row priority_rows[] = {
	{ "10.8.3.1: no interrupt in service, PPR = TPR",
	  0x47, {0}, {0}, 0x47, -1 },
	{ "10.8.3.1: TPR class >= in-service class, PPR = TPR (all 8 bits)",
	  0x35, {0x31}, {0}, 0x35, -1 },
	{ "10.8.3.1: in-service class above TPR's, PPR = that class, low bits 0",
	  0x20, {0x5A}, {0}, 0x50, -1 },
	{ "10.8.3.2: a request whose class is above PPR's is delivered",
	  0x00, {0}, {0x41}, 0x00, 0x41 },
	{ "10.8.3.2: a request in PPR's class waits (TPR)",
	  0x40, {0}, {0x4F}, 0x40, -1 },
	{ "10.8.3.2: TPR's low 4 bits do not matter, only its class",
	  0x3F, {0}, {0x40}, 0x3F, 0x40 },
	{ "10.8.3.2: a request in the in-service class waits (no nesting within a class)",
	  0x00, {0x41}, {0x45}, 0x40, -1 },
	{ "10.8.3.2: a request in a higher class nests over the one in service",
	  0x00, {0x41}, {0x51}, 0x40, 0x51 },
	{ "10.8.3.2: a request below the in-service class waits",
	  0x00, {0x61}, {0x51}, 0x60, -1 },
	{ "10.8.4: of several requests the highest vector is delivered",
	  0x00, {0}, {0x33, 0x81, 0x52}, 0x00, 0x81 },
	{ "10.8.3.1: the highest in-service vector sets PPR, not the first",
	  0x10, {0x30, 0x71}, {0x65}, 0x70, -1 },
	{ "10.8.3.2: TPR class 15 holds back everything",
	  0xF0, {0}, {0xFE}, 0xF0, -1 },
	{ "10.8.3.1: TPR above the in-service class decides",
	  0x60, {0x50}, {0x65}, 0x60, -1 },
	{ "10.8.3.1: ... and a request above TPR's class still comes",
	  0x60, {0x50}, {0x71}, 0x60, 0x71 },
};

START_TEST(priority_rule)
{
	const struct priority_row *r = &priority_rows[_i];
	int k;

	/* Put vectors in service the way hardware does: accept, then INTA. */
	for (k = 0; k < 3 && r->in_service[k]; k++) {
		lapic_accept(&l, r->in_service[k], 0, T0);
		ck_assert_msg(lapic_ack(&l) == r->in_service[k], "%s: setup", r->rule);
	}
	lapic_write(&l, LAPIC_TPR, r->tpr, T0);
	for (k = 0; k < 3 && r->requested[k]; k++)
		lapic_accept(&l, r->requested[k], 0, T0);
	ck_assert_msg(lapic_read(&l, LAPIC_PPR, T0) == r->ppr, "%s: PPR 0x%x, expected 0x%x",
		      r->rule, lapic_read(&l, LAPIC_PPR, T0), r->ppr);
	ck_assert_msg(lapic_pending_vector(&l) == r->delivered, "%s: delivered %d, expected %d",
		      r->rule, lapic_pending_vector(&l), r->delivered);
}
END_TEST

/* 10.8.4 and 10.8.5: INTA moves IRR to ISR; EOI clears the highest ISR bit. */
START_TEST(ack_and_eoi)
{
	lapic_accept(&l, 0x41, 0, T0);
	ck_assert_int_eq(lapic_ack(&l), 0x41);
	ck_assert(!irr_has(0x41));
	ck_assert(isr_has(0x41));
	lapic_accept(&l, 0x61, 0, T0);
	ck_assert_int_eq(lapic_ack(&l), 0x61);		/* nests: higher class */
	ck_assert_int_eq(lapic_write(&l, LAPIC_EOI, 0, T0), LAPIC_NO_IOAPIC_EOI);
	ck_assert(!isr_has(0x61));			/* the highest went first */
	ck_assert(isr_has(0x41));
	ck_assert_uint_eq(lapic_read(&l, LAPIC_PPR, T0), 0x40);
	lapic_write(&l, LAPIC_EOI, 0, T0);
	ck_assert(!isr_has(0x41));
	ck_assert_uint_eq(lapic_read(&l, LAPIC_PPR, T0), 0);
	/* An EOI with nothing in service changes nothing. */
	ck_assert_int_eq(lapic_write(&l, LAPIC_EOI, 0, T0), LAPIC_NO_IOAPIC_EOI);
}
END_TEST

/* 10.8.4: TMR records the trigger mode; 10.8.5: a level EOI goes to the I/O APIC. */
START_TEST(level_eoi_reaches_ioapic)
{
	lapic_accept(&l, 0x30, 1, T0);
	ck_assert(tmr_has(0x30));
	ck_assert_int_eq(lapic_ack(&l), 0x30);
	ck_assert_int_eq(lapic_write(&l, LAPIC_EOI, 0, T0), 0x30);
	lapic_accept(&l, 0x30, 0, T0);			/* the same vector, edge now */
	ck_assert(!tmr_has(0x30));
	ck_assert_int_eq(lapic_ack(&l), 0x30);
	ck_assert_int_eq(lapic_write(&l, LAPIC_EOI, 0, T0), LAPIC_NO_IOAPIC_EOI);
}
END_TEST

/* 10.9: raised TPR between "pending" and INTA: the spurious vector, no ISR bit. */
START_TEST(spurious_on_ack)
{
	lapic_write(&l, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xEF, T0);
	lapic_accept(&l, 0x45, 0, T0);
	ck_assert_int_eq(lapic_pending_vector(&l), 0x45);
	lapic_write(&l, LAPIC_TPR, 0x50, T0);
	ck_assert_int_eq(lapic_ack(&l), 0xEF);
	ck_assert(!isr_has(0xEF));
	ck_assert(irr_has(0x45));			/* still requested */
	lapic_write(&l, LAPIC_TPR, 0, T0);
	ck_assert_int_eq(lapic_ack(&l), 0x45);
}
END_TEST

/* 10.4.7.2: software disabled, requests are held and nothing is delivered. */
START_TEST(software_disabled)
{
	int i;
	lapic_accept(&l, 0x80, 0, T0);
	lapic_write(&l, LAPIC_SVR, 0xFF, T0);		/* enable bit clear */
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	ck_assert_int_eq(lapic_ack(&l), 0xFF);
	ck_assert(irr_has(0x80));
	/* Every LVT is masked and stays masked. */
	for (i = 0; i < LVT_COUNT; i++)
		ck_assert_uint_ne(lapic_read(&l, LAPIC_LVT_TIMER + i * 0x10, T0) & LAPIC_LVT_MASKED, 0);
	lapic_write(&l, LAPIC_LVT_TIMER, 0x20, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_LVT_TIMER, T0), 0x10020);
	lapic_write(&l, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF, T0);
	ck_assert_int_eq(lapic_pending_vector(&l), 0x80);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_LVT_TIMER, T0), 0x10020);	/* still masked */
	lapic_write(&l, LAPIC_LVT_TIMER, 0x20, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_LVT_TIMER, T0), 0x20);
}
END_TEST

/* ---- registers ---- */

/* 10.4.7.1: the power-up state. */
START_TEST(reset_state)
{
	int i;
	lapic_reset(&l, 0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ID, T0), 0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_SVR, T0), 0xFF);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_DFR, T0), 0xFFFFFFFFu);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TPR, T0), 0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_LDR, T0), 0);
	for (i = 0; i < LVT_COUNT; i++)
		ck_assert_uint_eq(lapic_read(&l, LAPIC_LVT_TIMER + i * 0x10, T0), LAPIC_LVT_MASKED);
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(lapic_read(&l, LAPIC_IRR + i * 0x10, T0), 0);
		ck_assert_uint_eq(lapic_read(&l, LAPIC_ISR + i * 0x10, T0), 0);
	}
	lapic_reset(&l, 7);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ID, T0), 7u << 24);
}
END_TEST

/* 10.4.8: version 0x14, max LVT entry 5 (six entries; xv6 masks PCINT at >= 4). */
START_TEST(version_register)
{
	uint32_t v = lapic_read(&l, LAPIC_VERSION, T0);
	ck_assert_uint_eq(v & 0xFF, 0x14);
	ck_assert_uint_eq((v >> 16) & 0xFF, 5);
	lapic_write(&l, LAPIC_VERSION, 0, T0);			/* read-only */
	ck_assert_uint_eq(lapic_read(&l, LAPIC_VERSION, T0), v);
}
END_TEST

/* Each register keeps only its defined bits. */
struct mask_row {
	const char *reg;
	uint32_t offset, written, read;
};

static const struct mask_row mask_rows[] = {
	{ "ID: bits 31:24", LAPIC_ID, 0xFFFFFFFFu, 0xFF000000u },
	{ "TPR: bits 7:0", LAPIC_TPR, 0xFFFFFFFFu, 0xFFu },
	{ "LDR: bits 31:24", LAPIC_LDR, 0xFFFFFFFFu, 0xFF000000u },
	{ "DFR: model in 31:28, the rest ones", LAPIC_DFR, 0x00000000u, 0x0FFFFFFFu },
	{ "SVR: vector, enable, focus", LAPIC_SVR, 0xFFFFFFFFu, 0x3FFu },
	{ "ICR high: destination 31:24", LAPIC_ICR_HIGH, 0xFFFFFFFFu, 0xFF000000u },
	{ "LVT timer: vector, mask, periodic", LAPIC_LVT_TIMER, 0xFFFFFFFFu, 0x000300FFu },
	{ "LVT LINT0: + delivery mode, polarity, trigger", LAPIC_LVT_LINT0, 0xFFFFFFFFu, 0x0001A7FFu },
	{ "LVT LINT1", LAPIC_LVT_LINT1, 0xFFFFFFFFu, 0x0001A7FFu },
	{ "LVT error: vector, mask", LAPIC_LVT_ERROR, 0xFFFFFFFFu, 0x000100FFu },
	{ "LVT thermal", LAPIC_LVT_THERMAL, 0xFFFFFFFFu, 0x000107FFu },
	{ "LVT perf", LAPIC_LVT_PERF, 0xFFFFFFFFu, 0x000107FFu },
	{ "TDCR: bits 3,1,0", LAPIC_TIMER_DIVIDE, 0xFFFFFFFFu, 0xBu },
};

START_TEST(register_masks)
{
	const struct mask_row *r = &mask_rows[_i];
	lapic_write(&l, r->offset, r->written, T0);
	ck_assert_msg(lapic_read(&l, r->offset, T0) == r->read, "%s: read 0x%x, expected 0x%x",
		      r->reg, lapic_read(&l, r->offset, T0), r->read);
}
END_TEST

/* 10.5.3: errors are seen only after a write to ESR, which also clears them. */
START_TEST(esr_write_then_read)
{
	lapic_write(&l, LAPIC_LVT_ERROR, 0x33, T0);
	lapic_accept(&l, 5, 0, T0);				/* illegal vector */
	ck_assert(!irr_has(5));
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, T0), 0);	/* not latched yet */
	lapic_write(&l, LAPIC_ESR, 0, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, T0), LAPIC_ESR_RECV_ILLEGAL_VECTOR);
	ck_assert(irr_has(0x33));				/* the error LVT fired */
	lapic_write(&l, LAPIC_ESR, 0, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, T0), 0);
	/* An unimplemented register: "illegal register address". */
	lapic_read(&l, 0x2F0, T0);
	lapic_write(&l, LAPIC_ESR, 0, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, T0), LAPIC_ESR_ILLEGAL_REGISTER);
}
END_TEST

/* ---- interprocessor interrupts (10.6) ---- */

struct ipi_row {
	const char *rule;
	uint32_t ldr, dfr;	/* this APIC's logical setup (0: leave) */
	uint32_t icr_high, icr_low;
	int self_vector;	/* expected in IRR, or -1 */
	int to_nobody;		/* counted as sent to another CPU */
	int nmi;
};

static const struct ipi_row ipi_rows[] = {
	{ "10.6.1 shorthand self: fixed vector delivered here",
	  0, 0, 0, LAPIC_ICR_SELF | 0x50, 0x50, 0, 0 },
	{ "10.6.1 shorthand all including self",
	  0, 0, 0, LAPIC_ICR_ALL_INCL | 0x51, 0x51, 1, 0 },
	{ "10.6.1 shorthand all excluding self: nothing here",
	  0, 0, 0, LAPIC_ICR_ALL_EXCL | 0x52, -1, 1, 0 },
	{ "10.6.2.1 physical destination = own ID",
	  0, 0, 0x00000000u, 0x53, 0x53, 0, 0 },
	{ "10.6.2.1 physical destination = another ID",
	  0, 0, 0x01000000u, 0x54, -1, 1, 0 },
	{ "10.6.2.1 physical broadcast 0xFF",
	  0, 0, 0xFF000000u, 0x55, 0x55, 1, 0 },
	{ "10.6.2.2 flat logical: a bit of LDR matches",
	  0x02000000u, 0xFFFFFFFFu, 0x06000000u, LAPIC_ICR_LOGICAL | 0x56, 0x56, 0, 0 },
	{ "10.6.2.2 flat logical: no common bit",
	  0x02000000u, 0xFFFFFFFFu, 0x04000000u, LAPIC_ICR_LOGICAL | 0x57, -1, 1, 0 },
	{ "10.6.2.2 cluster logical: same cluster, common member bit",
	  0x12000000u, 0x0FFFFFFFu, 0x13000000u, LAPIC_ICR_LOGICAL | 0x58, 0x58, 0, 0 },
	{ "10.6.2.2 cluster logical: other cluster",
	  0x12000000u, 0x0FFFFFFFu, 0x22000000u, LAPIC_ICR_LOGICAL | 0x59, -1, 1, 0 },
	{ "10.6.1 INIT to another CPU completes at once",
	  0, 0, 0x01000000u, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT | LAPIC_ICR_LEVEL, -1, 1, 0 },
	{ "10.6.1 STARTUP to another CPU completes at once",
	  0, 0, 0x01000000u, LAPIC_ICR_STARTUP | 0x08, -1, 1, 0 },
	{ "xv6's INIT level de-assert to all (0x88500): no effect here",
	  0, 0, 0, 0x88500, -1, 1, 0 },
	{ "10.6.1 NMI to self",
	  0, 0, 0, LAPIC_ICR_SELF | LAPIC_ICR_NMI, -1, 0, 1 },
};

START_TEST(ipi_rule)
{
	const struct ipi_row *r = &ipi_rows[_i];
	int v;

	if (r->ldr || r->dfr) {
		lapic_write(&l, LAPIC_LDR, r->ldr, T0);
		lapic_write(&l, LAPIC_DFR, r->dfr, T0);
	}
	lapic_write(&l, LAPIC_ICR_HIGH, r->icr_high, T0);
	lapic_write(&l, LAPIC_ICR_LOW, r->icr_low, T0);
	/* Delivery status (bit 12) reads idle at once: xv6 polls it. */
	ck_assert_msg((lapic_read(&l, LAPIC_ICR_LOW, T0) & LAPIC_ICR_BUSY) == 0, "%s: busy", r->rule);
	v = lapic_pending_vector(&l);
	ck_assert_msg(v == r->self_vector, "%s: got %d, expected %d", r->rule, v, r->self_vector);
	ck_assert_msg((int)l.ipis_to_nobody == r->to_nobody, "%s: to nobody %u", r->rule,
		      l.ipis_to_nobody);
	ck_assert_msg(l.nmi_pending == r->nmi, "%s: nmi", r->rule);
}
END_TEST

/* 10.5.3: a self IPI with vector 0-15 is an error, not an interrupt. */
START_TEST(ipi_illegal_vector)
{
	lapic_write(&l, LAPIC_ICR_LOW, LAPIC_ICR_SELF | 0x0E, T0);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	lapic_write(&l, LAPIC_ESR, 0, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, T0),
			  LAPIC_ESR_SEND_ILLEGAL_VECTOR | LAPIC_ESR_RECV_ILLEGAL_VECTOR);
}
END_TEST

/* ---- the timer (10.5.4) ---- */

/* Figure 10-10: TDCR -> divider. */
struct divide_row {
	uint32_t tdcr;
	unsigned divider;
};

static const struct divide_row divide_rows[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
};

START_TEST(timer_divide)
{
	const struct divide_row *r = &divide_rows[_i];
	lapic_write(&l, LAPIC_TIMER_DIVIDE, r->tdcr, T0);
	lapic_write(&l, LAPIC_LVT_TIMER, 0x40, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 1000, T0);
	/* One count per `divider` ns of the 1 GHz clock. */
	ck_assert_uint_eq(lapic_next_event_ns(&l), T0 + 1000ull * r->divider);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 300ull * r->divider), 700);
	ck_assert(!irr_has(0x40));
	lapic_advance(&l, T0 + 1000ull * r->divider - 1);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	lapic_advance(&l, T0 + 1000ull * r->divider);
	ck_assert_int_eq(lapic_pending_vector(&l), 0x40);
}
END_TEST

START_TEST(timer_one_shot)
{
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0xB, T0);
	lapic_write(&l, LAPIC_LVT_TIMER, 0x40, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 5000, T0);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0), 5000);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 4999), 1);
	/* Read past the deadline: the count is 0 and the interrupt requested. */
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 9000), 0);
	ck_assert_int_eq(lapic_ack(&l), 0x40);
	lapic_write(&l, LAPIC_EOI, 0, T0 + 9000);
	/* One shot: it stays at 0 and fires no more. */
	lapic_advance(&l, T0 + 100000);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	ck_assert_uint_eq(lapic_next_event_ns(&l), UINT64_MAX);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_INITIAL, T0), 5000);
}
END_TEST

START_TEST(timer_periodic)
{
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0x0, T0);		/* divide by 2 */
	lapic_write(&l, LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x41, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 1000, T0);		/* 2,000 ns */
	lapic_advance(&l, T0 + 2500);
	ck_assert_int_eq(lapic_ack(&l), 0x41);
	lapic_write(&l, LAPIC_EOI, 0, T0 + 2500);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 2500), 750);
	ck_assert_uint_eq(lapic_next_event_ns(&l), T0 + 4000);
	/* Three periods unobserved: one request (IRR is one bit), deadline on the grid. */
	lapic_advance(&l, T0 + 10100);
	ck_assert_int_eq(lapic_ack(&l), 0x41);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	ck_assert_uint_eq(lapic_next_event_ns(&l), T0 + 12000);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 10100), 950);
}
END_TEST

/* Masking holds back the interrupt, not the count. */
START_TEST(timer_masked_still_counts)
{
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0xB, T0);
	lapic_write(&l, LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_LVT_PERIODIC | 0x42, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 100, T0);
	lapic_advance(&l, T0 + 250);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 250), 50);
	lapic_write(&l, LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x42, T0 + 250);
	lapic_advance(&l, T0 + 300);
	ck_assert_int_eq(lapic_pending_vector(&l), 0x42);
}
END_TEST

/* An initial count of 0 stops the timer. */
START_TEST(timer_stop)
{
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0xB, T0);
	lapic_write(&l, LAPIC_LVT_TIMER, LAPIC_LVT_PERIODIC | 0x43, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 100, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 0, T0 + 50);
	lapic_advance(&l, T0 + 1000);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 1000), 0);
	ck_assert_uint_eq(lapic_next_event_ns(&l), UINT64_MAX);
}
END_TEST

/* A new divider mid-count: the count goes on from where it was. */
START_TEST(timer_divide_change)
{
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0xB, T0);		/* by 1 */
	lapic_write(&l, LAPIC_LVT_TIMER, 0x44, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 1000, T0);
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0x3, T0 + 400);	/* by 16 */
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 400), 600);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_TIMER_CURRENT, T0 + 400 + 160), 590);
	ck_assert_uint_eq(lapic_next_event_ns(&l), T0 + 400 + 600 * 16);
}
END_TEST

/* xv6's lapicinit, then 10 ms: the timer at vector 32 every 10 ms (100 Hz). */
START_TEST(xv6_sequence)
{
	uint64_t t = T0;
	int ticks = 0, i;

	lapic_reset(&l, 0);
	lapic_write(&l, LAPIC_SVR, 0x13F, t);
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0xB, t);
	lapic_write(&l, LAPIC_LVT_TIMER, 0x20020, t);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 10000000, t);
	lapic_write(&l, LAPIC_LVT_LINT0, LAPIC_LVT_MASKED, t);
	lapic_write(&l, LAPIC_LVT_LINT1, LAPIC_LVT_MASKED, t);
	if (((lapic_read(&l, LAPIC_VERSION, t) >> 16) & 0xFF) >= 4)
		lapic_write(&l, LAPIC_LVT_PERF, LAPIC_LVT_MASKED, t);
	lapic_write(&l, LAPIC_LVT_ERROR, 51, t);
	lapic_write(&l, LAPIC_ESR, 0, t);
	lapic_write(&l, LAPIC_ESR, 0, t);
	lapic_write(&l, LAPIC_EOI, 0, t);
	lapic_write(&l, LAPIC_ICR_HIGH, 0, t);
	lapic_write(&l, LAPIC_ICR_LOW, 0x88500, t);
	while (lapic_read(&l, LAPIC_ICR_LOW, t) & LAPIC_ICR_BUSY)
		;
	lapic_write(&l, LAPIC_TPR, 0, t);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ID, t) >> 24, 0);
	/* One second in 1 ms steps, taking and ending each tick. */
	for (i = 0; i < 1000; i++) {
		t += 1000000;
		lapic_advance(&l, t);
		if (lapic_pending_vector(&l) >= 0) {
			ck_assert_int_eq(lapic_ack(&l), 32);
			lapic_write(&l, LAPIC_EOI, 0, t);
			ticks++;
		}
	}
	ck_assert_int_eq(ticks, 100);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, t), 0);
}
END_TEST

/* IA32_APIC_BASE: BSP and enabled at 0xFEE00000; no relocation. */
START_TEST(base_msr)
{
	ck_assert_uint_eq(lapic_read_base_msr(&l), 0xFEE00900u);
	ck_assert_int_eq(lapic_write_base_msr(&l, 0xFED00900u), -1);
	ck_assert_int_eq(lapic_write_base_msr(&l, 0x1FEE00900ull), -1);
	lapic_accept(&l, 0x70, 0, T0);
	ck_assert_int_eq(lapic_write_base_msr(&l, 0xFEE00100u), 0);	/* disable */
	ck_assert(!lapic_enabled(&l));
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
	lapic_accept(&l, 0x71, 0, T0);
	ck_assert_int_eq(lapic_write_base_msr(&l, 0xFEE00900u), 0);
	/* Back in the power-on state: software disabled, nothing requested. */
	ck_assert_uint_eq(lapic_read(&l, LAPIC_SVR, T0), 0xFF);
	ck_assert(!irr_has(0x70));
	ck_assert(!irr_has(0x71));
}
END_TEST

/*
 * The read-only copy of the page (hv/lapic_page.c) must show what a
 * trapped read would return: every register, in a state with something in
 * every part (priorities, requests, the running timer), word for word
 * against lapic_read on a copy of the model; and the copy itself has none
 * of a read's effects (no error latched for an offset that is no register).
 */
START_TEST(page_image_matches_reads)
{
	static uint32_t page[LAPIC_MMIO_SIZE / 4];
	uint64_t now = T0 + 12345;

	lapic_write(&l, LAPIC_TPR, 0x20, T0);
	lapic_write(&l, LAPIC_LDR, 0x01000000u, T0);
	lapic_write(&l, LAPIC_LVT_TIMER, 0x20030u | LAPIC_LVT_PERIODIC, T0);
	lapic_write(&l, LAPIC_TIMER_DIVIDE, 0x3, T0);
	lapic_write(&l, LAPIC_TIMER_INITIAL, 1000000, T0);
	lapic_accept(&l, 0x51, 1, T0);
	lapic_accept(&l, 0x92, 0, T0);
	ck_assert_int_eq(lapic_ack(&l), 0x92);
	lapic_page_image(&l, now, page);
	for (uint32_t offset = 0; offset < LAPIC_MMIO_SIZE; offset += 4) {
		struct lapic copy = l;
		ck_assert_msg(page[offset / 4] == lapic_read(&copy, offset, now),
			      "offset 0x%03x: page 0x%08x", offset, page[offset / 4]);
	}
	ck_assert_uint_eq(page[LAPIC_ISR / 4 + 4 * (0x92 / 32)], 1u << (0x92 % 32));
	ck_assert_uint_eq(page[LAPIC_PPR / 4], 0x90);
	ck_assert_uint_ne(page[LAPIC_TIMER_CURRENT / 4], 0);
	ck_assert_uint_lt(page[LAPIC_TIMER_CURRENT / 4], 1000000);
	/* An offset that is no register: a read latches an error, a peek does not. */
	ck_assert_uint_eq(lapic_peek(&l, 0x010, now), 0);
	lapic_write(&l, LAPIC_ESR, 0, now);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, now), 0);
	lapic_read(&l, 0x010, now);
	lapic_write(&l, LAPIC_ESR, 0, now);
	ck_assert_uint_eq(lapic_read(&l, LAPIC_ESR, now), LAPIC_ESR_ILLEGAL_REGISTER);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lapic");
	TCase *tc = tcase_create("xapic");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, priority_rule, 0, sizeof(priority_rows) / sizeof(priority_rows[0]));
	tcase_add_test(tc, ack_and_eoi);
	tcase_add_test(tc, level_eoi_reaches_ioapic);
	tcase_add_test(tc, spurious_on_ack);
	tcase_add_test(tc, software_disabled);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, version_register);
	tcase_add_loop_test(tc, register_masks, 0, sizeof(mask_rows) / sizeof(mask_rows[0]));
	tcase_add_test(tc, esr_write_then_read);
	tcase_add_loop_test(tc, ipi_rule, 0, sizeof(ipi_rows) / sizeof(ipi_rows[0]));
	tcase_add_test(tc, ipi_illegal_vector);
	tcase_add_loop_test(tc, timer_divide, 0, sizeof(divide_rows) / sizeof(divide_rows[0]));
	tcase_add_test(tc, timer_one_shot);
	tcase_add_test(tc, timer_periodic);
	tcase_add_test(tc, timer_masked_still_counts);
	tcase_add_test(tc, timer_stop);
	tcase_add_test(tc, timer_divide_change);
	tcase_add_test(tc, xv6_sequence);
	tcase_add_test(tc, base_msr);
	tcase_add_test(tc, page_image_matches_reads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
