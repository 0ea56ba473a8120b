/*
 * hv/vpit.h: the guest's virtual 8254 timer.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VPIT_H
#define TV_HV_VPIT_H

#include <stdint.h>

int vpit_owns_port(uint16_t port);
uint8_t vpit_in(uint16_t port);
void vpit_out(uint16_t port, uint8_t value);

/* The real timer fired: one tick of the guest's channel 0. */
void vpit_tick(void);

/* Will channel 0 interrupt again (programmed, and periodic or not yet fired)? */
int vpit_will_fire(void);

#endif
