/*
 * hv/vpic.c: two virtual 8259A PICs, cascaded as on a PC.
 * Runs in: hypervisor, ring 0.
 *
 * What a small kernel does with a PIC, and so what is modelled: the
 * initialisation sequence ICW1..ICW4 (the vector base from ICW2, auto-EOI
 * from ICW4), the mask register (OCW1), end of interrupt, specific or not
 * (OCW2), and reading the request or in-service register (OCW3). Priority
 * is fixed: line 0 highest. Rotation, special mask and poll modes are not
 * modelled; their commands are accepted and ignored.
 */
#include "hv/vpic.h"

#define CASCADE_LINE 2	/* the slave is wired to the master's line 2 */

void vpic_reset(struct vpic *pic)
{
	pic->chip[0] = (struct pic8259){ .imr = 0xFF, .vector_base = 0x08 };
	pic->chip[1] = (struct pic8259){ .imr = 0xFF, .vector_base = 0x70 };
}

static struct pic8259 *pic_for(struct vpic *pic, uint16_t port)
{
	return &pic->chip[port >= 0xA0];
}

uint8_t vpic_in(struct vpic *pic, uint16_t port)
{
	struct pic8259 *p = pic_for(pic, port);
	if (port & 1)
		return p->imr;
	return p->read_isr ? p->isr : p->irr;
}

static void end_of_interrupt(struct pic8259 *p, int line)
{
	if (line < 0) {		/* non-specific: the highest-priority one in service */
		for (line = 0; line < 8 && !(p->isr & (1u << line)); line++)
			;
		if (line == 8)
			return;
	}
	p->isr &= (uint8_t)~(1u << line);
}

void vpic_out(struct vpic *pic, uint16_t port, uint8_t value)
{
	struct pic8259 *p = pic_for(pic, port);

	if (!(port & 1)) {
		if (value & 0x10) {		/* ICW1 */
			p->init_step = 2;
			p->needs_icw4 = value & 0x01;
			p->single = (value & 0x02) != 0;
			p->imr = 0;
			p->isr = 0;
			p->irr = 0;
			p->auto_eoi = 0;
			p->read_isr = 0;
		} else if (value & 0x08) {	/* OCW3 */
			if (value & 0x02)
				p->read_isr = value & 0x01;
		} else {			/* OCW2 */
			unsigned command = value >> 5;
			if (command == 1)		/* non-specific EOI */
				end_of_interrupt(p, -1);
			else if (command == 3)		/* specific EOI */
				end_of_interrupt(p, value & 7);
		}
		return;
	}
	switch (p->init_step) {
	case 2:					/* ICW2: the vector base */
		p->vector_base = value & 0xF8;
		p->init_step = p->single ? (p->needs_icw4 ? 4 : 0) : 3;
		break;
	case 3:					/* ICW3: cascade wiring, fixed on a PC */
		p->init_step = p->needs_icw4 ? 4 : 0;
		break;
	case 4:					/* ICW4 */
		p->auto_eoi = (value & 0x02) != 0;
		p->init_step = 0;
		break;
	default:				/* OCW1: the mask */
		p->imr = value;
		return;
	}
	if (p->init_step == 0)
		p->initialised = 1;
}

void vpic_raise(struct vpic *pic, unsigned irq)
{
	if (irq < 8) {
		pic->chip[0].irr |= (uint8_t)(1u << irq);
	} else if (irq < 16) {
		pic->chip[1].irr |= (uint8_t)(1u << (irq - 8));
		pic->chip[0].irr |= 1u << CASCADE_LINE;
	}
}

/* The line a PIC would signal now, or -1: unmasked, and above anything in service. */
static int pic_line(const struct pic8259 *p)
{
	uint8_t ready = p->irr & (uint8_t)~p->imr;
	for (int line = 0; line < 8; line++) {
		if (p->isr & (1u << line))
			return -1;
		if (ready & (1u << line))
			return line;
	}
	return -1;
}

int vpic_pending_vector(const struct vpic *pic)
{
	int line = pic_line(&pic->chip[0]);
	if (line < 0 || !pic->chip[0].initialised)
		return -1;
	if (line == CASCADE_LINE) {
		int slave = pic_line(&pic->chip[1]);
		if (slave < 0)
			return -1;
		return pic->chip[1].vector_base + slave;
	}
	return pic->chip[0].vector_base + line;
}

static void acknowledge(struct pic8259 *p, int line)
{
	p->irr &= (uint8_t)~(1u << line);
	if (!p->auto_eoi)
		p->isr |= (uint8_t)(1u << line);
}

void vpic_acknowledge(struct vpic *pic)
{
	int line = pic_line(&pic->chip[0]);
	if (line < 0)
		return;
	acknowledge(&pic->chip[0], line);
	if (line == CASCADE_LINE) {
		int slave = pic_line(&pic->chip[1]);
		if (slave >= 0)
			acknowledge(&pic->chip[1], slave);
		/* The cascade line stays raised while the slave has more to say. */
		if (pic->chip[1].irr & (uint8_t)~pic->chip[1].imr)
			pic->chip[0].irr |= 1u << CASCADE_LINE;
	}
}

int vpic_line_unmasked(const struct vpic *pic, unsigned irq)
{
	/* A line in service, or one above it, blocks its next request until an EOI. */
	uint8_t at_or_above = (uint8_t)((2u << irq) - 1);
	return pic->chip[0].initialised && irq < 8 && !(pic->chip[0].imr & (1u << irq)) &&
	       !(pic->chip[0].isr & at_or_above);
}
