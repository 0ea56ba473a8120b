/*
 * hv/address_space.c: the hypervisor's own address space, and the switcher
 * as both address spaces see it.
 * Runs in: hypervisor, ring 0, from boot.
 *
 * 1. Physical memory up to HV_SPACE_BYTES is identity-mapped with 4 MiB
 *    pages: the hypervisor's image, its heap and all of guest memory are
 *    reached at their physical addresses.
 * 2. The switcher's pages are mapped at SWITCHER_BASE twice over: writable
 *    for the hypervisor, and for the guest the code and tables read-only and
 *    the trap stack writable (the CPU pushes the trap frame there while the
 *    guest's page tables are still loaded).
 * 3. The real APICs' 4 MiB (0xFEC00000: the I/O APIC, the local APIC at
 *    0xFEE00000) are identity-mapped uncached for the hypervisor alone.
 * 4. CR0.WP is set so read-only means read-only even at ring 0..2.
 * 5. The fast trap path's three pages (hv/fast_trap.c) are mapped for the
 *    hypervisor here, and for the guest only in ring 3 with --direct.
 * 6. Under the inline patch mode, its pages join the switcher's slot in the
 *    guest's space (hv/patch_inline.c); in ring 3 the slot's directory
 *    entry is then a user one for the guest kernel, and the pages below it
 *    decide (the switcher's stay supervisor).
 */
#include "hv/address_space.h"
#include "hv/fast_trap.h"
#include "hv/layout.h"
#include "hv/switcher.h"
#include "lib/mmu.h"
#include "lib/x86.h"

#define HV_SPACE_BYTES	0x50000000u	/* 1.25 GiB: more than QEMU is ever given */
#define HOST_APIC_PAGES	0xFEC00000u

static uint32_t hv_pd[1024] __attribute__((aligned(4096)));
static uint32_t switcher_pt_hv[1024] __attribute__((aligned(4096)));
static uint32_t switcher_pt_guest[1024] __attribute__((aligned(4096)));

uint32_t hv_space_cr3;
static uint32_t switcher_pde_user_bit;	/* PTE_U once the guest kernel needs user pages in the slot */

static uint32_t switcher_phys(const uint8_t *switcher_va)
{
	return (uint32_t)hv_switcher_load + (uint32_t)(switcher_va - switcher_start);
}

uint32_t fast_trap_phys(const uint8_t *fast_trap_va)
{
	return (uint32_t)hv_fast_trap_load + (uint32_t)(fast_trap_va - fast_trap_start);
}

uint32_t switcher_pde_for_guest(void)
{
	return (uint32_t)switcher_pt_guest | PTE_P | PTE_W | switcher_pde_user_bit;
}

uint32_t switcher_pde_for_guest_user(void)
{
	return (uint32_t)switcher_pt_guest | PTE_P | PTE_W;
}

void hv_space_map_for_guest(uint32_t la, uint32_t pa, uint32_t flags)
{
	switcher_pt_guest[PTX(la)] = pa | PTE_P | flags;
}

void hv_space_switcher_user_pde(void)
{
	switcher_pde_user_bit = PTE_U;
}

void hv_space_init(void)
{
	for (uint32_t i = 0; i < HV_SPACE_BYTES / LARGE_PAGE_SIZE; i++)
		hv_pd[i] = i * LARGE_PAGE_SIZE | PTE_P | PTE_W | PTE_PS;

	for (const uint8_t *va = switcher_start; va < switcher_end; va += PAGE_SIZE) {
		uint32_t pa = switcher_phys(va);
		uint32_t guest_w = va >= switcher_stack_page ? PTE_W : 0;
		switcher_pt_hv[PTX(va)] = pa | PTE_P | PTE_W;
		switcher_pt_guest[PTX(va)] = pa | PTE_P | guest_w;
	}
	/* The fast trap path's pages: the guest's space gets them only when chosen (hv/fast_trap.c). */
	for (const uint8_t *va = fast_trap_start; va < fast_trap_end; va += PAGE_SIZE)
		switcher_pt_hv[PTX(va)] = fast_trap_phys(va) | PTE_P | PTE_W;
	hv_pd[PDX(HOST_APIC_PAGES)] = HOST_APIC_PAGES | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	hv_pd[PDX(SWITCHER_BASE)] = (uint32_t)switcher_pt_hv | PTE_P | PTE_W;

	hv_space_cr3 = (uint32_t)hv_pd;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3(hv_space_cr3);
	write_cr0(read_cr0() | CR0_PG);
	/* The switcher's variables exist only at their linked address, now mapped. */
	switcher_hv_cr3 = hv_space_cr3;
}
