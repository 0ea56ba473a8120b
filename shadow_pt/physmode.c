/*
 * shadow_pt/physmode.c: the guest's address space while its paging is off.
 * Runs in: hypervisor, ring 0.
 *
 * With paging off the guest's linear addresses are its physical addresses.
 * The real CPU runs with paging on, so the hypervisor gives it tables that
 * say exactly that: guest-linear = guest-physical, each page mapped onto the
 * guest's region of host memory. Nothing else is mapped but the switcher, so
 * a guest access outside its memory is a page fault the hypervisor sees,
 * whatever segment it went through (QEMU TCG does not check data-segment
 * limits; page tables are checked on every access).
 *
 * The pages are user pages so the same tables serve a guest kernel in ring 3.
 * A second set serves the guest's user mode (hv/guest_mode.c): it maps only
 * the pages inside the guest's user segments, doing the limit check that a
 * real CPU does and QEMU TCG does not.
 */
#include "shadow_pt/physmode.h"
#include "lib/mmu.h"
#include "lib/string.h"

/* The tables' physical address: the hypervisor runs identity-mapped. */
static uint32_t phys(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* Map guest page gpn in the tables t (page tables are cleared on first use). */
static void map_page(struct physmode_tables *t, uint32_t gpn, uint32_t host_base)
{
	uint32_t *pt = t->pts[gpn / 1024];
	if (!(t->pd[gpn / 1024] & PTE_P)) {
		memset(pt, 0, PAGE_SIZE);
		t->pd[gpn / 1024] = phys(pt) | PTE_P | PTE_W | PTE_U;
	}
	pt[gpn % 1024] = (host_base + gpn * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
}

uint32_t physmode_build(struct physmode_tables *t, uint32_t host_base, uint32_t mem_bytes,
			unsigned switcher_pdx, uint32_t switcher_pde)
{
	if (mem_bytes > (uint32_t)PHYSMODE_MAX_MIB << 20)
		return 0;
	memset(t->pd, 0, sizeof t->pd);
	for (uint32_t gpn = 0; gpn < mem_bytes / PAGE_SIZE; gpn++)
		map_page(t, gpn, host_base);
	t->pd[switcher_pdx] = switcher_pde;
	return phys(t->pd);
}

uint32_t physmode_build_user(struct physmode_tables *t, uint32_t host_base, uint32_t mem_bytes,
			     const struct physmode_range *ranges, unsigned nranges,
			     unsigned switcher_pdx, uint32_t switcher_pde)
{
	if (mem_bytes > (uint32_t)PHYSMODE_MAX_MIB << 20)
		return 0;
	memset(t->pd, 0, sizeof t->pd);
	for (unsigned r = 0; r < nranges; r++) {
		uint32_t first = ranges[r].start / PAGE_SIZE;
		uint32_t last = (ranges[r].start + ranges[r].length - 1) / PAGE_SIZE;
		for (uint32_t gpn = first; gpn <= last && gpn < mem_bytes / PAGE_SIZE; gpn++)
			map_page(t, gpn, host_base);
	}
	t->pd[switcher_pdx] = switcher_pde;
	return phys(t->pd);
}
