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
#include "hv/layout.h"
#include "lib/mmu.h"
#include "lib/string.h"

#define PHYSMODE_MAX_TABLES (GUEST_MEM_MAX_MIB / 4)

static uint32_t physmode_pd[1024] __attribute__((aligned(4096)));
static uint32_t physmode_pts[PHYSMODE_MAX_TABLES][1024]
	__attribute__((aligned(4096)));

static uint32_t physmode_user_pd[1024] __attribute__((aligned(4096)));
static uint32_t physmode_user_pts[PHYSMODE_MAX_TABLES][1024]
	__attribute__((aligned(4096)));

/* Map guest page gpn in the tables pd/pts (page tables are cleared on first use). */
static void map_page(uint32_t *pd, uint32_t (*pts)[1024], uint32_t gpn, uint32_t host_base)
{
	uint32_t *pt = pts[gpn / 1024];
	if (!(pd[gpn / 1024] & PTE_P)) {
		memset(pt, 0, PAGE_SIZE);
		pd[gpn / 1024] = (uint32_t)pt | PTE_P | PTE_W | PTE_U;
	}
	pt[gpn % 1024] = (host_base + gpn * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
}

uint32_t physmode_build(uint32_t host_base, uint32_t mem_bytes,
			uint32_t switcher_pde)
{
	if (mem_bytes > (uint32_t)GUEST_MEM_MAX_MIB << 20)
		return 0;
	memset(physmode_pd, 0, sizeof physmode_pd);
	for (uint32_t gpn = 0; gpn < mem_bytes / PAGE_SIZE; gpn++)
		map_page(physmode_pd, physmode_pts, gpn, host_base);
	physmode_pd[PDX(SWITCHER_BASE)] = switcher_pde;
	return (uint32_t)physmode_pd;
}

uint32_t physmode_build_user(uint32_t host_base, uint32_t mem_bytes,
			     const struct physmode_range *ranges, unsigned nranges,
			     uint32_t switcher_pde)
{
	if (mem_bytes > (uint32_t)GUEST_MEM_MAX_MIB << 20)
		return 0;
	memset(physmode_user_pd, 0, sizeof physmode_user_pd);
	for (unsigned r = 0; r < nranges; r++) {
		uint32_t first = ranges[r].start / PAGE_SIZE;
		uint32_t last = (ranges[r].start + ranges[r].length - 1) / PAGE_SIZE;
		for (uint32_t gpn = first; gpn <= last && gpn < mem_bytes / PAGE_SIZE; gpn++)
			map_page(physmode_user_pd, physmode_user_pts, gpn, host_base);
	}
	physmode_user_pd[PDX(SWITCHER_BASE)] = switcher_pde;
	return (uint32_t)physmode_user_pd;
}
