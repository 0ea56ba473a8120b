/*
 * hv/vpic.h: the guest's virtual 8259A interrupt controllers (master and slave).
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VPIC_H
#define TV_HV_VPIC_H

#include <stdint.h>

/* Port access by the guest: 0x20/0x21 (master), 0xA0/0xA1 (slave). */
int vpic_owns_port(uint16_t port);
uint8_t vpic_in(uint16_t port);
void vpic_out(uint16_t port, uint8_t value);

/* A device raises line irq (0..15): its request bit is set. */
void vpic_raise(unsigned irq);

/*
 * The vector of the highest-priority request the guest should take now
 * (unmasked, not blocked by one in service), or -1. vpic_acknowledge() is
 * the CPU's INTA cycle: the request moves to in-service.
 */
int vpic_pending_vector(void);
void vpic_acknowledge(void);

/* Could an interrupt ever reach the guest (initialised, some line unmasked)? */
int vpic_line_unmasked(unsigned irq);

#endif
