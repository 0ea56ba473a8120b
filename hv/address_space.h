/*
 * hv/address_space.h: the hypervisor's page tables and the guest's.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_ADDRESS_SPACE_H
#define TV_HV_ADDRESS_SPACE_H

#include <stdint.h>

/* Identity-map physical memory, map the switcher, turn paging on. */
void hv_space_init(void);

/* The hypervisor's and the guest's page directories (physical addresses). */
extern uint32_t hv_space_cr3;

/* Page-table entries that map the switcher into any address space. */
uint32_t switcher_pde_for_guest(void);

#endif
