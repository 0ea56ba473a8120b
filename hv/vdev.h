/*
 * hv/vdev.h: the virtual devices behind the guest's I/O ports.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VDEV_H
#define TV_HV_VDEV_H

#include <stdint.h>

/* size is 1, 2 or 4 bytes. Unknown ports read as all ones and ignore writes. */
uint32_t vdev_in(uint16_t port, unsigned size);
void vdev_out(uint16_t port, unsigned size, uint32_t value);

#endif
