/*
 * hv/mmio.h: emulating the guest's accesses to memory-mapped device
 * registers (hv/mmio.c).
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_MMIO_H
#define TV_HV_MMIO_H

#include <stdint.h>
#include "hv/vcpu.h"

/*
 * A page fault at guest-linear la that reaches guest-physical gpa, outside
 * guest RAM. Returns 0 if no device claims gpa (the caller stops the guest
 * as before); 1 if the instruction was carried out against the device and
 * EIP advanced. An instruction that cannot be emulated there stops the guest.
 */
int mmio_access(struct vcpu *v, uint32_t la, uint32_t gpa);

#endif
