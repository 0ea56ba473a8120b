/*
 * hv/vpic.h: the guest's virtual 8259A interrupt controllers (master and slave).
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VPIC_H
#define TV_HV_VPIC_H

#include <stdint.h>

struct pic8259 {
	uint8_t irr;		/* requests waiting */
	uint8_t isr;		/* requests being serviced */
	uint8_t imr;		/* masked lines */
	uint8_t vector_base;	/* from ICW2 */
	uint8_t init_step;	/* 0: initialised; 2..4: expecting ICWn */
	uint8_t needs_icw4, single, auto_eoi;
	uint8_t read_isr;	/* OCW3 selected the in-service register */
	uint8_t initialised;
};

/* The cascaded pair of a PC: chip[0] the master, chip[1] the slave. */
struct vpic {
	struct pic8259 chip[2];
};

/* As the BIOS leaves them: every line masked, vectors 0x08 and 0x70. */
void vpic_reset(struct vpic *pic);

/* Port access by the guest: 0x20/0x21 (master), 0xA0/0xA1 (slave). */
uint8_t vpic_in(struct vpic *pic, uint16_t port);
void vpic_out(struct vpic *pic, uint16_t port, uint8_t value);

/* A device raises line irq (0..15): its request bit is set. */
void vpic_raise(struct vpic *pic, unsigned irq);

/*
 * The vector of the highest-priority request the guest should take now
 * (unmasked, not blocked by one in service), or -1. vpic_acknowledge() is
 * the CPU's INTA cycle: the request moves to in-service.
 */
int vpic_pending_vector(const struct vpic *pic);
void vpic_acknowledge(struct vpic *pic);

/*
 * Could line irq's next request reach the guest: initialised, unmasked, and
 * not blocked by a request in service at its priority or above (which only
 * the guest's EOI can end)?
 */
int vpic_line_unmasked(const struct vpic *pic, unsigned irq);

#endif
