/*
 * platform/ioapic.h: an I/O APIC (Intel 82093AA) with 24 pins.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * The caller passes the guest's MMIO accesses to the window at 0xFEC00000
 * (IOREGSEL at +0x00, IOWIN at +0x10), the level of each input pin as
 * devices change it, and the local APIC's EOIs of level-triggered vectors.
 * What the I/O APIC sends is taken one message at a time with ioapic_take()
 * and handed to the local APIC (lapic_accept for fixed delivery).
 */
#ifndef TV_PLATFORM_IOAPIC_H
#define TV_PLATFORM_IOAPIC_H

#include <stdint.h>

#define IOAPIC_DEFAULT_BASE	0xFEC00000u
#define IOAPIC_MMIO_SIZE	0x20u	/* IOREGSEL and IOWIN; the rest reads 0 */
#define IOAPIC_IOREGSEL		0x00u
#define IOAPIC_IOWIN		0x10u
#define IOAPIC_PINS		24

/* Indirect registers, selected through IOREGSEL. */
#define IOAPIC_REG_ID		0x00u
#define IOAPIC_REG_VERSION	0x01u
#define IOAPIC_REG_ARB		0x02u
#define IOAPIC_REG_REDIR	0x10u	/* pin n: 0x10 + 2n low, 0x11 + 2n high */

/* Redirection entry bits (low dword), 82093AA datasheet 3.2.4. */
#define IOAPIC_DELIVERY_MASK	0x700u
#define IOAPIC_DELIVERY_FIXED	0x000u
#define IOAPIC_DELIVERY_LOWEST	0x100u
#define IOAPIC_DELIVERY_SMI	0x200u
#define IOAPIC_DELIVERY_NMI	0x400u
#define IOAPIC_DELIVERY_INIT	0x500u
#define IOAPIC_DELIVERY_EXTINT	0x700u
#define IOAPIC_LOGICAL		0x800u
#define IOAPIC_DELIVERY_STATUS	0x1000u
#define IOAPIC_ACTIVE_LOW	0x2000u
#define IOAPIC_REMOTE_IRR	0x4000u
#define IOAPIC_LEVEL		0x8000u
#define IOAPIC_MASKED		0x10000u

struct ioapic {
	uint32_t ioregsel;
	uint32_t id;			/* the ID register: bits 27:24 */
	uint64_t redir[IOAPIC_PINS];
	uint32_t pin_level;		/* each pin's electrical level, bit n = pin n */
	uint32_t irr;			/* pins with a request not yet sent */
};

/* A message to the local APICs: what a redirection entry says. */
struct ioapic_message {
	uint8_t vector;
	uint8_t dest;			/* bits 63:56 of the entry */
	uint32_t delivery;		/* IOAPIC_DELIVERY_* */
	int logical;
	int level_triggered;
	unsigned pin;
};

/* Power-on: every pin masked, edge, active high, vector 0; the given ID. */
void ioapic_reset(struct ioapic *io, uint8_t id);

/* An MMIO access at offset from the base, 32 bits wide. */
uint32_t ioapic_read(struct ioapic *io, uint32_t offset);
void ioapic_write(struct ioapic *io, uint32_t offset, uint32_t value);

/*
 * A device drives a pin's line to level (0 or 1). The entry's polarity says
 * which level is "asserted": an edge-triggered pin requests an interrupt on
 * the change to asserted (ignored while masked, as the datasheet says); a
 * level-triggered pin requests one for as long as it is asserted.
 */
void ioapic_set_pin(struct ioapic *io, unsigned pin, int level);

/*
 * The local APIC ended a level-triggered interrupt with this vector: every
 * level entry with it loses its remote IRR, so a pin still asserted asks
 * again.
 */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/*
 * The next message to send, if any (returns 1 and fills *m): a requesting,
 * unmasked pin whose level entry is not waiting for an EOI (remote IRR).
 * Call it until it returns 0 after every change above.
 */
int ioapic_take(struct ioapic *io, struct ioapic_message *m);

#endif
