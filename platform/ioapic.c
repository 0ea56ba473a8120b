/*
 * platform/ioapic.c: an I/O APIC (Intel 82093AA datasheet) with 24 pins.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. The guest reaches 64 indirect registers through IOREGSEL and IOWIN: ID,
 *    version (0x11 with 24 pins: max redirection entry 23), arbitration ID,
 *    and a 64-bit redirection entry per pin.
 * 2. Each pin has a line level set by its device. An edge-triggered entry
 *    turns the change to "asserted" into a request; a masked entry ignores
 *    the edge (datasheet 3.2.4; QEMU does the same). A level-triggered entry
 *    requests while its line is asserted, and after sending sets remote IRR
 *    until the local APIC's EOI of its vector: so a line still asserted at
 *    EOI interrupts again, and one that stays asserted is not sent twice.
 * 3. Requests leave as messages (vector, destination, delivery mode,
 *    trigger) for the caller to hand to the local APIC.
 * Not modelled: the APIC bus and its arbitration (one CPU), the delivery
 * status bit (a message is never held up: it reads 0), the EOI register of
 * later versions (0x20 and up).
 */
#include "platform/ioapic.h"

#include "lib/string.h"

#define IOAPIC_VERSION_VALUE	(0x11u | ((IOAPIC_PINS - 1u) << 16))
#define ID_BITS			0x0F000000u
#define REDIR_LOW_WRITABLE	0x0001AFFFu	/* not delivery status, remote IRR */
#define REDIR_HIGH_WRITABLE	0xFF000000u
#define REDIR_LAST		(IOAPIC_REG_REDIR + 2u * IOAPIC_PINS - 1u)

void ioapic_reset(struct ioapic *io, uint8_t id)
{
	unsigned pin;
	memset(io, 0, sizeof(*io));
	io->id = ((uint32_t)id << 24) & ID_BITS;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->redir[pin] = IOAPIC_MASKED;
}

static int asserted(const struct ioapic *io, unsigned pin)
{
	int level = (io->pin_level >> pin) & 1;
	return (io->redir[pin] & IOAPIC_ACTIVE_LOW) ? !level : level;
}

/* A level-triggered pin requests exactly while its line is asserted. */
static void follow_level(struct ioapic *io, unsigned pin)
{
	if (!(io->redir[pin] & IOAPIC_LEVEL))
		return;
	if (asserted(io, pin))
		io->irr |= 1u << pin;
	else
		io->irr &= ~(1u << pin);
}

void ioapic_set_pin(struct ioapic *io, unsigned pin, int level)
{
	int was;
	if (pin >= IOAPIC_PINS)
		return;
	was = asserted(io, pin);
	if (level)
		io->pin_level |= 1u << pin;
	else
		io->pin_level &= ~(1u << pin);
	if (io->redir[pin] & IOAPIC_LEVEL)
		follow_level(io, pin);
	else if (!was && asserted(io, pin) && !(io->redir[pin] & IOAPIC_MASKED))
		io->irr |= 1u << pin;
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned pin;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		if ((io->redir[pin] & IOAPIC_LEVEL) && (uint8_t)io->redir[pin] == vector)
			io->redir[pin] &= ~(uint64_t)IOAPIC_REMOTE_IRR;
}

int ioapic_take(struct ioapic *io, struct ioapic_message *m)
{
	unsigned pin;
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];
		if (!(io->irr & (1u << pin)) || (e & IOAPIC_MASKED))
			continue;
		if (e & IOAPIC_LEVEL) {
			if (e & IOAPIC_REMOTE_IRR)
				continue;	/* sent; waiting for its EOI */
			io->redir[pin] |= IOAPIC_REMOTE_IRR;
		} else {
			io->irr &= ~(1u << pin);
		}
		m->vector = (uint8_t)e;
		m->dest = (uint8_t)(e >> 56);
		m->delivery = (uint32_t)e & IOAPIC_DELIVERY_MASK;
		m->logical = (e & IOAPIC_LOGICAL) != 0;
		m->level_triggered = (e & IOAPIC_LEVEL) != 0;
		m->pin = pin;
		return 1;
	}
	return 0;
}

static uint32_t read_register(const struct ioapic *io, uint32_t reg)
{
	if (reg >= IOAPIC_REG_REDIR && reg <= REDIR_LAST) {
		uint64_t e = io->redir[(reg - IOAPIC_REG_REDIR) / 2];
		return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	switch (reg) {
	case IOAPIC_REG_ID: return io->id;
	case IOAPIC_REG_VERSION: return IOAPIC_VERSION_VALUE;
	case IOAPIC_REG_ARB: return io->id;	/* loaded from the ID */
	default: return 0;
	}
}

static void write_register(struct ioapic *io, uint32_t reg, uint32_t value)
{
	unsigned pin;
	uint64_t e;

	if (reg == IOAPIC_REG_ID) {
		io->id = value & ID_BITS;
		return;
	}
	if (reg < IOAPIC_REG_REDIR || reg > REDIR_LAST)
		return;		/* version, arbitration: read-only; others absent */
	pin = (reg - IOAPIC_REG_REDIR) / 2;
	e = io->redir[pin];
	if (reg & 1) {
		e = (e & 0xFFFFFFFFu) | ((uint64_t)(value & REDIR_HIGH_WRITABLE) << 32);
	} else {
		e = (e & ~(uint64_t)REDIR_LOW_WRITABLE) | (value & REDIR_LOW_WRITABLE);
		/*
		 * An entry made edge has no EOI to wait for, and the level it
		 * followed is no edge: the request goes.
		 */
		if (!(e & IOAPIC_LEVEL)) {
			e &= ~(uint64_t)IOAPIC_REMOTE_IRR;
			if (io->redir[pin] & IOAPIC_LEVEL)
				io->irr &= ~(1u << pin);
		}
	}
	io->redir[pin] = e;
	follow_level(io, pin);
}

uint32_t ioapic_read(struct ioapic *io, uint32_t offset)
{
	switch (offset) {
	case IOAPIC_IOREGSEL: return io->ioregsel;
	case IOAPIC_IOWIN: return read_register(io, io->ioregsel);
	default: return 0;
	}
}

void ioapic_write(struct ioapic *io, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case IOAPIC_IOREGSEL:
		io->ioregsel = value & 0xFFu;
		break;
	case IOAPIC_IOWIN:
		write_register(io, io->ioregsel, value);
		break;
	default:
		break;
	}
}
