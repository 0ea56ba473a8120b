/*
 * hv/vuart.h: the guest's COM1, a virtual 16550 that is always ready to send.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VUART_H
#define TV_HV_VUART_H

#include <stdint.h>

/* The registers that hold what the guest wrote, so a driver reading them back is content. */
struct vuart {
	uint8_t ier, lcr, mcr, scratch, dll, dlm;
};

/* 8 data bits, divisor 1: as QEMU's UART starts. */
void vuart_reset(struct vuart *u);

/* Register reg (0..7, the offset from the base port), one byte. */
uint8_t vuart_in(struct vuart *u, unsigned reg);
void vuart_out(struct vuart *u, unsigned reg, uint8_t value);

#endif
