/*
 * guests/hostile/hostile_paging.c: a kernel write the guest's own page
 * tables allow only because CR0.WP is clear.
 * Runs in: guest.
 *
 *   wp0-user-ro   paging on, one read-only user page: with CR0.WP = 0 the
 *                 kernel's write goes through (SDM vol. 3, 4.6.1: "If
 *                 CR0.WP = 0, data may be written to any user-mode
 *                 address"); with CR0.WP = 1 it is #PF with error code 3
 *                 (present, write, supervisor).
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "lib/mmu.h"
#include "lib/x86.h"

#define HOSTILE_PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

static uint32_t hostile_pd[1024] HOSTILE_PAGE_ALIGNED;
static uint32_t hostile_pt[1024] HOSTILE_PAGE_ALIGNED;	/* identity 0..4 MiB */
static volatile uint32_t hostile_ro_page[1024] HOSTILE_PAGE_ALIGNED;

static void hostile_write_ro(void)
{
	hostile_ro_page[0] = 0x600DF00Du;
}

void hostile_wp0_user_ro(void)
{
	const char *row = "wp0-user-ro";
	uint32_t cr0 = read_cr0();

	for (uint32_t i = 0; i < 1024; i++)
		hostile_pt[i] = (i << 12) | PTE_P | PTE_W | PTE_U;
	hostile_pt[PTX((uint32_t)hostile_ro_page)] = (uint32_t)hostile_ro_page | PTE_P | PTE_U;
	hostile_pd[0] = (uint32_t)hostile_pt | PTE_P | PTE_W | PTE_U;
	hostile_ro_page[0] = 0;

	write_cr3((uint32_t)hostile_pd);
	write_cr0((cr0 & ~CR0_WP) | CR0_PG);
	struct hostile_outcome o = hostile_try(hostile_write_ro);
	hostile_report(row, "write with WP=0", &o);
	guest_printf("HOSTILE-RESULT: %s: the page holds 0x%08x\n", row, hostile_ro_page[0]);

	write_cr0(read_cr0() | CR0_WP);
	o = hostile_try(hostile_write_ro);
	hostile_report(row, "write with WP=1", &o);
	write_cr0(cr0);
}
