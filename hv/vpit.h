/*
 * hv/vpit.h: the guest's virtual 8254 timer.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VPIT_H
#define TV_HV_VPIT_H

#include <stdint.h>

/* Channel 0, the only one modelled. */
struct vpit {
	uint8_t control;	/* the last control word for channel 0 */
	uint8_t access;		/* 1 low byte, 2 high byte, 3 low then high */
	uint8_t mode;		/* 0..5 */
	uint8_t low_written;	/* lohi access: the low byte came, the high is next */
	uint16_t count;
	uint8_t programmed;
	uint8_t one_shot_fired;
};

/* As after power-on: no control word, nothing programmed. */
void vpit_reset(struct vpit *pit);

/* Ports 0x40 (channel 0) and 0x43 (control word). */
uint8_t vpit_in(struct vpit *pit, uint16_t port);
void vpit_out(struct vpit *pit, uint16_t port, uint8_t value);

/* The real timer fired: one tick of the guest's channel 0. */
void vpit_tick(struct vpit *pit);

/* Will channel 0 interrupt again (programmed, and periodic or not yet fired)? */
int vpit_will_fire(const struct vpit *pit);

#endif
