/*
 * guests/paging/paging_mmu.c: the guest's page directories and page tables,
 * a small pool of frames, and mapping and unmapping single pages.
 * Runs in: guest.
 *
 * Layout (32-bit paging without PAE, Intel SDM vol. 3, 4.3):
 *   PDX 0    paging_pt_low: linear 0..4 MiB onto physical 0..4 MiB, 4 KiB
 *            pages, supervisor only but for the user task's code and page;
 *   PDX 256  paging_pt_test: the test window, pages mapped by the checks
 *            and by the page-fault handler (PAGING_DEMAND_BASE);
 *   PDX 320  one page whose frame differs between the two address spaces;
 *   PDX 512  one 4 MiB page (PDE.PS) onto physical 0..4 MiB again.
 * paging_pd_4k maps only PDX 0 and is what paging is first turned on with,
 * before CR4.PSE is set.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/paging/paging.h"
#include "lib/string.h"

#define PAGING_POOL_FRAMES 24
#define PAGING_ALIGNED __attribute__((aligned(PAGE_SIZE)))

uint32_t paging_pd_4k[1024] PAGING_ALIGNED;
uint32_t paging_pd_main[1024] PAGING_ALIGNED;
uint32_t paging_pd_other[1024] PAGING_ALIGNED;
uint32_t paging_pt_low[1024] PAGING_ALIGNED;
uint32_t paging_pt_test[1024] PAGING_ALIGNED;
uint32_t paging_pt_space_a[1024] PAGING_ALIGNED;
uint32_t paging_pt_space_b[1024] PAGING_ALIGNED;
volatile uint32_t paging_kernel_page[1024] PAGING_ALIGNED;
uint32_t paging_user_page[1024] PAGING_ALIGNED;

static uint8_t paging_pool[PAGING_POOL_FRAMES][PAGE_SIZE] PAGING_ALIGNED;
static unsigned paging_pool_used;

uint32_t paging_frame_alloc(void)
{
	if (paging_pool_used == PAGING_POOL_FRAMES) {
		guest_printf("FAIL: paging: the frame pool is exhausted\n");
		guest_exit(GUEST_EXIT_PANIC);
	}
	uint8_t *f = paging_pool[paging_pool_used++];
	memset(f, 0, PAGE_SIZE);
	return (uint32_t)f;
}

/* Mark the pages of [start, end) user-accessible in the identity table. */
static void paging_mark_user(uint32_t start, uint32_t end)
{
	for (uint32_t la = start & PAGE_MASK; la < end; la += PAGE_SIZE)
		paging_pt_low[PTX(la)] |= PTE_U;
}

void paging_mmu_build(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		paging_pt_low[i] = (i << 12) | PTE_P | PTE_W;
	paging_mark_user((uint32_t)paging_user_code_start, (uint32_t)paging_user_code_end);
	paging_mark_user((uint32_t)paging_user_page,
			 (uint32_t)paging_user_page + sizeof(paging_user_page));

	/* U=1 in a PDE lets user pages below it be reached; each PTE decides. */
	paging_pd_4k[0] = (uint32_t)paging_pt_low | PTE_P | PTE_W | PTE_U;

	paging_pd_main[PDX(0)] = (uint32_t)paging_pt_low | PTE_P | PTE_W | PTE_U;
	paging_pd_main[PDX(PAGING_TEST_BASE)] = (uint32_t)paging_pt_test | PTE_P | PTE_W | PTE_U;
	paging_pd_main[PDX(PAGING_SPACE_LA)] = (uint32_t)paging_pt_space_a | PTE_P | PTE_W;
	paging_pd_main[PDX(PAGING_ALIAS_BASE)] = 0x00000000u | PTE_PS | PTE_P | PTE_W;

	/* The second space is the first but for the page at PAGING_SPACE_LA. */
	memcpy(paging_pd_other, paging_pd_main, sizeof(paging_pd_other));
	paging_pd_other[PDX(PAGING_SPACE_LA)] = (uint32_t)paging_pt_space_b | PTE_P | PTE_W;
	paging_pt_space_a[PTX(PAGING_SPACE_LA)] = paging_frame_alloc() | PTE_P | PTE_W;
	paging_pt_space_b[PTX(PAGING_SPACE_LA)] = paging_frame_alloc() | PTE_P | PTE_W;
}

uint32_t *paging_pte(uint32_t *pd, uint32_t la)
{
	uint32_t pde = pd[PDX(la)];

	if (!(pde & PTE_P) || (pde & PTE_PS)) {
		guest_printf("FAIL: paging: no page table for 0x%08x (PDE 0x%08x)\n", la, pde);
		guest_exit(GUEST_EXIT_PANIC);
	}
	return (uint32_t *)(pde & PAGE_MASK) + PTX(la);
}

void paging_map(uint32_t *pd, uint32_t la, uint32_t pa, uint32_t flags)
{
	*paging_pte(pd, la) = (pa & PAGE_MASK) | flags | PTE_P;
	paging_invlpg(la);
}

void paging_unmap(uint32_t *pd, uint32_t la)
{
	*paging_pte(pd, la) = 0;
	paging_invlpg(la);
}
