/*
 * tests/unit/test_ioapic.c: the I/O APIC (platform/ioapic.c) against the
 * Intel 82093AA datasheet, driven through IOREGSEL/IOWIN as a kernel
 * drives it, with devices raising and lowering its pins.
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform/ioapic.h"
#include "platform/lapic.h"

static struct ioapic io;

static void setup(void)
{
	ioapic_reset(&io, 0);
}

static uint32_t reg_read(uint32_t reg)
{
	ioapic_write(&io, IOAPIC_IOREGSEL, reg);
	return ioapic_read(&io, IOAPIC_IOWIN);
}

static void reg_write(uint32_t reg, uint32_t v)
{
	ioapic_write(&io, IOAPIC_IOREGSEL, reg);
	ioapic_write(&io, IOAPIC_IOWIN, v);
}

static void program(unsigned pin, uint32_t low, uint32_t high)
{
	reg_write(IOAPIC_REG_REDIR + 2 * pin, low);
	reg_write(IOAPIC_REG_REDIR + 2 * pin + 1, high);
}

/* The number of messages waiting; the last one in *m. */
static int drain(struct ioapic_message *m)
{
	struct ioapic_message tmp;
	int n = 0;
	while (ioapic_take(&io, &tmp)) {
		*m = tmp;
		n++;
		ck_assert_int_lt(n, 100);
	}
	return n;
}

START_TEST(identification)
{
	uint32_t ver = reg_read(IOAPIC_REG_VERSION);
	ck_assert_uint_eq(ver & 0xFF, 0x11);
	ck_assert_uint_eq((ver >> 16) & 0xFF, 23);	/* max redirection entry: 24 pins */
	reg_write(IOAPIC_REG_VERSION, 0);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_VERSION), ver);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_ID), 0);
	reg_write(IOAPIC_REG_ID, 0xFFFFFFFFu);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_ID), 0x0F000000u);	/* bits 27:24 */
	ck_assert_uint_eq(reg_read(IOAPIC_REG_ARB), 0x0F000000u);
	ioapic_reset(&io, 2);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_ID) >> 24, 2);
	/* IOREGSEL reads back; a register that does not exist reads 0. */
	ioapic_write(&io, IOAPIC_IOREGSEL, 0x3F);
	ck_assert_uint_eq(ioapic_read(&io, IOAPIC_IOREGSEL), 0x3F);
	ck_assert_uint_eq(ioapic_read(&io, IOAPIC_IOWIN), 0);
	ck_assert_uint_eq(reg_read(0x03), 0);
}
END_TEST

START_TEST(reset_masks_every_pin)
{
	struct ioapic_message m;
	unsigned pin;
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 2 * pin), IOAPIC_MASKED);
		ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 2 * pin + 1), 0);
		ioapic_set_pin(&io, pin, 1);
	}
	ck_assert_int_eq(drain(&m), 0);
}
END_TEST

/* Only the defined bits are kept; delivery status and remote IRR are read-only. */
START_TEST(redirection_bits)
{
	program(5, 0xFFFFFFFFu, 0xFFFFFFFFu);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 10), 0x0001AFFFu);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 11), 0xFF000000u);
	/* Registers past pin 23 do not exist. */
	reg_write(IOAPIC_REG_REDIR + 48, 0x30);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 48), 0);
}
END_TEST

/* What xv6's ioapicinit and ioapicenable write, then COM1 and the keyboard. */
START_TEST(xv6_sequence)
{
	struct ioapic_message m;
	unsigned i, maxintr = (reg_read(IOAPIC_REG_VERSION) >> 16) & 0xFF;

	ck_assert_uint_eq(reg_read(IOAPIC_REG_ID) >> 24, 0);	/* the MP table's apicno */
	for (i = 0; i <= maxintr; i++)
		program(i, IOAPIC_MASKED | (32 + i), 0);
	program(1, 32 + 1, 0);		/* keyboard: edge, active high, CPU 0 */
	program(4, 32 + 4, 0);		/* COM1 */
	ioapic_set_pin(&io, 4, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 36);
	ck_assert_uint_eq(m.delivery, IOAPIC_DELIVERY_FIXED);
	ck_assert_uint_eq(m.dest, 0);
	ck_assert(!m.logical);
	ck_assert(!m.level_triggered);
	ck_assert_uint_eq(m.pin, 4);
	ioapic_set_pin(&io, 3, 1);	/* COM2: still masked */
	ck_assert_int_eq(drain(&m), 0);
	ioapic_set_pin(&io, 1, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 33);
}
END_TEST

/* Edge: one message per change to asserted, none while it stays asserted. */
START_TEST(edge_triggered)
{
	struct ioapic_message m;
	program(2, 0x30, 0);
	ioapic_set_pin(&io, 2, 1);
	ioapic_set_pin(&io, 2, 1);
	ck_assert_int_eq(drain(&m), 1);
	ioapic_set_pin(&io, 2, 1);
	ck_assert_int_eq(drain(&m), 0);
	ioapic_set_pin(&io, 2, 0);
	ck_assert_int_eq(drain(&m), 0);
	ioapic_set_pin(&io, 2, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 0x30);
	/* Two edges before anyone takes them merge into one request. */
	ioapic_set_pin(&io, 2, 0);
	ioapic_set_pin(&io, 2, 1);
	ioapic_set_pin(&io, 2, 0);
	ioapic_set_pin(&io, 2, 1);
	ck_assert_int_eq(drain(&m), 1);
	/* An EOI means nothing to an edge entry. */
	ioapic_eoi(&io, 0x30);
	ck_assert_int_eq(drain(&m), 0);
}
END_TEST

/* Datasheet 3.2.4: an edge on a masked pin is ignored, not held. */
START_TEST(masked_edge_is_lost)
{
	struct ioapic_message m;
	program(4, IOAPIC_MASKED | 0x24, 0);
	ioapic_set_pin(&io, 4, 1);
	program(4, 0x24, 0);
	ck_assert_int_eq(drain(&m), 0);
	ioapic_set_pin(&io, 4, 0);
	ioapic_set_pin(&io, 4, 1);
	ck_assert_int_eq(drain(&m), 1);
}
END_TEST

/* Level: sent once, remote IRR until EOI, sent again if still asserted. */
START_TEST(level_triggered_remote_irr)
{
	struct ioapic_message m;
	program(9, IOAPIC_LEVEL | 0x49, 0);
	ioapic_set_pin(&io, 9, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert(m.level_triggered);
	ck_assert_uint_ne(reg_read(IOAPIC_REG_REDIR + 18) & IOAPIC_REMOTE_IRR, 0);
	ck_assert_int_eq(drain(&m), 0);			/* waits for the EOI */
	ioapic_eoi(&io, 0x48);				/* another vector's EOI */
	ck_assert_int_eq(drain(&m), 0);
	ck_assert_uint_ne(reg_read(IOAPIC_REG_REDIR + 18) & IOAPIC_REMOTE_IRR, 0);
	ioapic_eoi(&io, 0x49);				/* line still asserted */
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 18) & IOAPIC_REMOTE_IRR, 0);
	ck_assert_int_eq(drain(&m), 1);
	ioapic_set_pin(&io, 9, 0);			/* the device is served */
	ioapic_eoi(&io, 0x49);
	ck_assert_int_eq(drain(&m), 0);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 18) & IOAPIC_REMOTE_IRR, 0);
}
END_TEST

/* A level line asserted while masked is sent when unmasked: it is still there. */
START_TEST(level_masked_then_unmasked)
{
	struct ioapic_message m;
	program(10, IOAPIC_MASKED | IOAPIC_LEVEL | 0x4A, 0);
	ioapic_set_pin(&io, 10, 1);
	ck_assert_int_eq(drain(&m), 0);
	program(10, IOAPIC_LEVEL | 0x4A, 0);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 0x4A);
}
END_TEST

/* Active low: the low level is "asserted". */
START_TEST(polarity)
{
	struct ioapic_message m;
	ioapic_set_pin(&io, 11, 1);			/* idle high */
	program(11, IOAPIC_ACTIVE_LOW | 0x4B, 0);
	ck_assert_int_eq(drain(&m), 0);
	ioapic_set_pin(&io, 11, 0);
	ck_assert_int_eq(drain(&m), 1);
	ioapic_set_pin(&io, 11, 1);
	ck_assert_int_eq(drain(&m), 0);
	/* Level, active low, line low: requesting. */
	program(12, IOAPIC_ACTIVE_LOW | IOAPIC_LEVEL | 0x4C, 0);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 0x4C);
}
END_TEST

/* The message carries what the entry says. */
START_TEST(message_fields)
{
	struct ioapic_message m;
	program(7, IOAPIC_DELIVERY_LOWEST | IOAPIC_LOGICAL | 0x57, 0x03000000u);
	ioapic_set_pin(&io, 7, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.vector, 0x57);
	ck_assert_uint_eq(m.dest, 0x03);
	ck_assert(m.logical);
	ck_assert_uint_eq(m.delivery, IOAPIC_DELIVERY_LOWEST);
	program(0, IOAPIC_DELIVERY_EXTINT, 0);
	ioapic_set_pin(&io, 0, 1);
	ck_assert_int_eq(drain(&m), 1);
	ck_assert_uint_eq(m.delivery, IOAPIC_DELIVERY_EXTINT);
	ck_assert_uint_eq(m.pin, 0);
}
END_TEST

/* Made edge while waiting for an EOI: nothing is waited for any more. */
START_TEST(level_to_edge_clears_remote_irr)
{
	struct ioapic_message m;
	program(13, IOAPIC_LEVEL | 0x4D, 0);
	ioapic_set_pin(&io, 13, 1);
	ck_assert_int_eq(drain(&m), 1);
	program(13, 0x4D, 0);
	ck_assert_uint_eq(reg_read(IOAPIC_REG_REDIR + 26) & IOAPIC_REMOTE_IRR, 0);
	ioapic_set_pin(&io, 99, 1);			/* no such pin: ignored */
	ck_assert_int_eq(drain(&m), 0);
}
END_TEST

/*
 * The whole path for a level-triggered line: I/O APIC -> local APIC (TMR
 * set) -> INTA -> EOI, which the local APIC hands back to the I/O APIC
 * (SDM vol. 3, 10.8.5); the line, still asserted, interrupts once more.
 */
START_TEST(level_round_trip_through_lapic)
{
	struct ioapic_message m;
	struct lapic l;
	int v, eoi_vector;

	lapic_reset(&l, 0);
	lapic_write(&l, LAPIC_SVR, LAPIC_SVR_ENABLE | 0xFF, 0);
	program(16, IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW | 0x60, 0);
	ioapic_set_pin(&io, 16, 1);		/* idle */
	ioapic_set_pin(&io, 16, 0);		/* the device asserts */
	ck_assert_int_eq(ioapic_take(&io, &m), 1);
	ck_assert(lapic_matches_destination(&l, m.dest, m.logical));
	lapic_accept(&l, m.vector, m.level_triggered, 0);
	v = lapic_ack(&l);
	ck_assert_int_eq(v, 0x60);
	eoi_vector = lapic_write(&l, LAPIC_EOI, 0, 0);
	ck_assert_int_eq(eoi_vector, 0x60);
	ioapic_eoi(&io, (uint8_t)eoi_vector);
	ck_assert_int_eq(ioapic_take(&io, &m), 1);	/* still asserted */
	lapic_accept(&l, m.vector, m.level_triggered, 0);
	ck_assert_int_eq(lapic_ack(&l), 0x60);
	ioapic_set_pin(&io, 16, 1);			/* served */
	ioapic_eoi(&io, (uint8_t)lapic_write(&l, LAPIC_EOI, 0, 0));
	ck_assert_int_eq(ioapic_take(&io, &m), 0);
	ck_assert_int_eq(lapic_pending_vector(&l), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ioapic");
	TCase *tc = tcase_create("82093aa");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, identification);
	tcase_add_test(tc, reset_masks_every_pin);
	tcase_add_test(tc, redirection_bits);
	tcase_add_test(tc, xv6_sequence);
	tcase_add_test(tc, edge_triggered);
	tcase_add_test(tc, masked_edge_is_lost);
	tcase_add_test(tc, level_triggered_remote_irr);
	tcase_add_test(tc, level_masked_then_unmasked);
	tcase_add_test(tc, polarity);
	tcase_add_test(tc, message_fields);
	tcase_add_test(tc, level_to_edge_clears_remote_irr);
	tcase_add_test(tc, level_round_trip_through_lapic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
