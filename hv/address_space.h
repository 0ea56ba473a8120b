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

/* The same for the spaces of guest user code alone: never a user entry. */
uint32_t switcher_pde_for_guest_user(void);

/* A page of the switcher's slot in the guest's space (la in the slot; flags beyond P). */
void hv_space_map_for_guest(uint32_t la, uint32_t pa, uint32_t flags);

/* Where a page of the fast trap path (linked at FAST_TRAP_BASE) really lies. */
uint32_t fast_trap_phys(const uint8_t *fast_trap_va);

/* The guest kernel in ring 3 needs user pages in the slot: its directory entry becomes a user one. */
void hv_space_switcher_user_pde(void);

#endif
