/*
 * guests/pt_attack/pt_attack.c: a guest whose page tables try to reach
 * physical memory it was not given. Popek and Goldberg's resource control
 * says a hypervisor must stop every such access; with shadow page tables
 * the guest's entries hold guest-physical addresses that the hypervisor
 * must check before it lets the real MMU use them.
 * Runs in: guest.
 *
 * The attack is chosen by the second word of the command line
 * ("pt_attack pte-beyond-ram"); each is one row of the table below. The
 * guest identity-maps its first 4 MiB with 4 KiB pages, sets CR4.PSE,
 * turns paging on and then makes linear PT_ATTACK_LA (page-directory slot
 * 256) lead somewhere it should not:
 *   pte-beyond-ram       a PTE onto physical 0x7FF00000, far beyond RAM;
 *   pte-past-ram         a PTE onto the first page past the end of RAM;
 *   pte-high             a PTE onto physical 0xFFC00000, where a
 *                        hypervisor might keep what its traps need;
 *   pde-table-beyond-ram a PDE naming a page table at 0x7FF00000;
 *   pde-4m-high          a 4 MiB page at physical 0xFFC00000;
 *   pde-4m-past-ram      a 4 MiB page at the first 4 MiB boundary past RAM;
 *   pde-4m-above-4g      a 4 MiB page at physical 4 GiB, through the PDE's
 *                        bits 20:13 (PSE-36, which QEMU's walker honours);
 *   self-map-pde-4m      the page directory mapped writable at
 *                        PT_ATTACK_LA, a new 4 MiB PDE onto 0xFFC00000
 *                        written through it, INVLPG, then touched;
 *   self-map-pde-table   the same with a new PDE naming a page table at
 *                        0x7FF00000;
 *   self-map-pte         the identity page table mapped writable, one of
 *                        its PTEs rewritten onto 0xFFC00000 through it;
 *   alias-then-table     a page mapped writable at PT_ATTACK_LA and written
 *                        there as data, then made the page table of
 *                        PT_ATTACK_SELF_LA and used; through the mapping
 *                        made before, its first PTE rewritten onto
 *                        0xFFC00000 (a hypervisor that kept that mapping
 *                        writable in its shadow would miss the write);
 *   alias3-then-table    the same with the page mapped writable and written
 *                        at three linear pages, the rewrite through the
 *                        third (more than a reverse map keeps per page);
 *   alias-4m-then-table  the same through a writable 4 MiB page over the
 *                        first 4 MiB, which holds the page;
 *   alias-table-reused   the same with a page that was a page table,
 *                        stopped being one, was written as data through
 *                        the mapping and then became a page table again;
 *   alias-other-space    mapped writable and written at two linear pages
 *                        in this address space and a third in a second
 *                        one, made a page table here; the rewrite through
 *                        the second address space's mapping;
 *   alias-then-directory a new page directory written as data through a
 *                        writable mapping, loaded into CR3, and through
 *                        that mapping a 4 MiB PDE onto 0xFFC00000 written.
 * Every target is touched at a page-table index of 0 and an offset of 0,
 * so the guest-physical address a hypervisor names when it stops the guest
 * is the one printed here.
 *
 * Natively there is nothing to stop: reads beyond RAM return what the bus
 * returns (QEMU gives zeros where nothing is, the BIOS ROM at the top of
 * 4 GiB), writes vanish, and the guest prints `ATTACK-SURVIVED: <name>`.
 * For the attacks through a page table outside RAM the access that gets
 * through is the CPU's own read of the table entry; if what the bus gives
 * is a not-present entry, the touch then raises #PF at exactly the touched
 * address with error code 0, and that fault is taken as the proof that the
 * walk read beyond RAM (the guest prints what it saw, then SURVIVED).
 * Under the hypervisor that line must never appear: the run must end with
 * the guest stopped at its first access.
 *
 * Exit status: 0 after `ATTACK-SURVIVED`; 2 for a missing or unknown attack
 * name or no memory size from the loader; 3 if the access raised an
 * exception in the guest itself (`ATTACK-TRAPPED: ...`), which also means
 * it did not get through.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_trap.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"

#define PT_ATTACK_EXIT_TRAPPED	3

#define PT_ATTACK_LA		0x40000000u	/* PDX 256, PTX 0: the attack's window */
#define PT_ATTACK_SELF_LA	0x4B000000u	/* PDX 300: the PDE a self-map attack writes */
#define PT_ATTACK_BEYOND	0x7FF00000u	/* far beyond any RAM the guest is given */
#define PT_ATTACK_HIGH		0xFFC00000u	/* the top 4 MiB of the 4 GiB space */
#define PT_ATTACK_PSE36_4G	(1u << 13)	/* 4 MiB PDE bit 13: physical address bit 32 */
#define PT_ATTACK_VALUE		0xA77AC4EDu	/* what the attacks write */

#define PT_ATTACK_ALIGNED __attribute__((aligned(PAGE_SIZE)))

static uint32_t pt_attack_pd[1024] PT_ATTACK_ALIGNED;
static uint32_t pt_attack_pt_low[1024] PT_ATTACK_ALIGNED;	/* identity 0..4 MiB */
static uint32_t pt_attack_pt[1024] PT_ATTACK_ALIGNED;		/* behind PT_ATTACK_LA */

struct pt_attack_ctx {
	uint32_t ram_end;	/* first guest-physical address past RAM */
};

struct pt_attack {
	const char *name;
	void (*run)(const struct pt_attack_ctx *ctx);
};

static const char *pt_attack_current = "none";

/*
 * For the attacks through a page table outside RAM: the linear address
 * they touch and the table's physical address; 0 when no such attack runs.
 */
static uint32_t pt_attack_walk_la;
static uint32_t pt_attack_walk_table;

/* Read, then write, one word: whichever the hypervisor stops first. */
static void pt_attack_touch(uint32_t la)
{
	volatile uint32_t *p = (volatile uint32_t *)la;

	(void)*p;
	*p = PT_ATTACK_VALUE;
}

static void pt_attack_invlpg(uint32_t la)
{
	__asm__ volatile("invlpg (%0)" : : "r"(la) : "memory");
}

/* PT_ATTACK_LA goes through pt_attack_pt; its entry 0 is set to pte. */
static void pt_attack_set_pte(uint32_t pte)
{
	pt_attack_pd[PDX(PT_ATTACK_LA)] = (uint32_t)pt_attack_pt | PTE_P | PTE_W;
	pt_attack_pt[PTX(PT_ATTACK_LA)] = pte;
	pt_attack_invlpg(PT_ATTACK_LA);
}

/* A PTE onto gpa behind PT_ATTACK_LA, then a touch. */
static void pt_attack_pte(uint32_t gpa, const char *what)
{
	guest_printf("attack: a PTE maps linear 0x%08x onto physical 0x%08x (%s); reading and writing it\n",
		     PT_ATTACK_LA, gpa, what);
	pt_attack_set_pte(gpa | PTE_P | PTE_W);
	pt_attack_touch(PT_ATTACK_LA);
}

/* A PDE (a page table, or with PTE_PS a 4 MiB page) for PT_ATTACK_LA, then a touch. */
static void pt_attack_pde(uint32_t pde)
{
	pt_attack_pd[PDX(PT_ATTACK_LA)] = pde;
	pt_attack_invlpg(PT_ATTACK_LA);
	pt_attack_touch(PT_ATTACK_LA);
}

static void pt_attack_pte_beyond_ram(const struct pt_attack_ctx *ctx)
{
	pt_attack_pte(PT_ATTACK_BEYOND, "far beyond RAM");
}

static void pt_attack_pte_past_ram(const struct pt_attack_ctx *ctx)
{
	pt_attack_pte(ctx->ram_end, "the first page past RAM");
}

static void pt_attack_pte_high(const struct pt_attack_ctx *ctx)
{
	pt_attack_pte(PT_ATTACK_HIGH, "the top 4 MiB");
}

/* Touch la through a page table at physical table, outside RAM. */
static void pt_attack_expect_walk(uint32_t la, uint32_t table)
{
	pt_attack_walk_la = la;
	pt_attack_walk_table = table;
}

static void pt_attack_pde_table_beyond_ram(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: the PDE for linear 0x%08x names a page table at physical 0x%08x, beyond RAM; reading and writing through it\n",
		     PT_ATTACK_LA, PT_ATTACK_BEYOND);
	pt_attack_expect_walk(PT_ATTACK_LA, PT_ATTACK_BEYOND);
	pt_attack_pde(PT_ATTACK_BEYOND | PTE_P | PTE_W);
}

static void pt_attack_pde_4m_high(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: a 4 MiB PDE maps linear 0x%08x onto physical 0x%08x; reading and writing it\n",
		     PT_ATTACK_LA, PT_ATTACK_HIGH);
	pt_attack_pde(PT_ATTACK_HIGH | PTE_PS | PTE_P | PTE_W);
}

static void pt_attack_pde_4m_past_ram(const struct pt_attack_ctx *ctx)
{
	uint32_t gpa = (ctx->ram_end + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);

	guest_printf("attack: a 4 MiB PDE maps linear 0x%08x onto physical 0x%08x, the first 4 MiB past RAM; reading and writing it\n",
		     PT_ATTACK_LA, gpa);
	pt_attack_pde(gpa | PTE_PS | PTE_P | PTE_W);
}

static void pt_attack_pde_4m_above_4g(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: a 4 MiB PDE with bit 13 set maps linear 0x%08x onto physical 0x100000000 (PSE-36); reading and writing it\n",
		     PT_ATTACK_LA);
	pt_attack_pde(PT_ATTACK_PSE36_4G | PTE_PS | PTE_P | PTE_W);
}

/*
 * Map the page directory itself, writable, at PT_ATTACK_LA: legal, it is
 * the guest's own memory. What it then writes through that view is not.
 */
static volatile uint32_t *pt_attack_map_directory(void)
{
	guest_printf("attack: the page directory at physical 0x%08x mapped writable at linear 0x%08x\n",
		     (uint32_t)pt_attack_pd, PT_ATTACK_LA);
	pt_attack_set_pte((uint32_t)pt_attack_pd | PTE_P | PTE_W);
	return (volatile uint32_t *)PT_ATTACK_LA;
}

static void pt_attack_self_map_pde_4m(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *pd_view = pt_attack_map_directory();

	guest_printf("attack: through it, a 4 MiB PDE maps linear 0x%08x onto physical 0x%08x; INVLPG, reading and writing it\n",
		     PT_ATTACK_SELF_LA, PT_ATTACK_HIGH);
	pd_view[PDX(PT_ATTACK_SELF_LA)] = PT_ATTACK_HIGH | PTE_PS | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

static void pt_attack_self_map_pde_table(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *pd_view = pt_attack_map_directory();

	guest_printf("attack: through it, the PDE for linear 0x%08x names a page table at physical 0x%08x; INVLPG, reading and writing through it\n",
		     PT_ATTACK_SELF_LA, PT_ATTACK_BEYOND);
	pt_attack_expect_walk(PT_ATTACK_SELF_LA, PT_ATTACK_BEYOND);
	pd_view[PDX(PT_ATTACK_SELF_LA)] = PT_ATTACK_BEYOND | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

/* The last identity page of the first 4 MiB: no part of the image. */
#define PT_ATTACK_LOW_VICTIM	0x003FF000u

static void pt_attack_self_map_pte(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: the page table at physical 0x%08x mapped writable at linear 0x%08x\n",
		     (uint32_t)pt_attack_pt_low, PT_ATTACK_LA);
	pt_attack_set_pte((uint32_t)pt_attack_pt_low | PTE_P | PTE_W);
	volatile uint32_t *pt_view = (volatile uint32_t *)PT_ATTACK_LA;

	guest_printf("attack: through it, the PTE for linear 0x%08x maps physical 0x%08x; INVLPG, reading and writing it\n",
		     PT_ATTACK_LOW_VICTIM, PT_ATTACK_HIGH);
	pt_view[PTX(PT_ATTACK_LOW_VICTIM)] = PT_ATTACK_HIGH | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_LOW_VICTIM);
	pt_attack_touch(PT_ATTACK_LOW_VICTIM);
}

/*
 * A page written as data through a writable mapping, then used as a page
 * table: a kernel does this with every page table it allocates. The shadow
 * entry made for the data writes must not stay writable once the page is
 * a page table, or writes through it would never reach the hypervisor.
 */
static uint32_t pt_attack_alias_page[1024] PT_ATTACK_ALIGNED;
static uint8_t pt_attack_alias_data[PAGE_SIZE] PT_ATTACK_ALIGNED;

static void pt_attack_alias_then_table(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *alias = (volatile uint32_t *)PT_ATTACK_LA;

	guest_printf("attack: the page at physical 0x%08x mapped writable at linear 0x%08x and written there as data\n",
		     (uint32_t)pt_attack_alias_page, PT_ATTACK_LA);
	pt_attack_set_pte((uint32_t)pt_attack_alias_page | PTE_P | PTE_W);
	for (unsigned i = 0; i < 1024; i++)
		alias[i] = 0;
	alias[PTX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_data | PTE_P | PTE_W;

	guest_printf("attack: it becomes the page table for linear 0x%08x, which is written; then, through the mapping made before, its PTE maps physical 0x%08x; INVLPG, reading and writing it\n",
		     PT_ATTACK_SELF_LA, PT_ATTACK_HIGH);
	pt_attack_pd[PDX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	*(volatile uint32_t *)PT_ATTACK_SELF_LA = 0;	/* so its shadow entry may be writable too */
	alias[PTX(PT_ATTACK_SELF_LA)] = PT_ATTACK_HIGH | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

/*
 * pt_attack_alias_page becomes the page table of PT_ATTACK_SELF_LA and is
 * used; then, through the writable view made before (via), its PTE is
 * rewritten onto PT_ATTACK_HIGH, INVLPG, and touched.
 */
static void pt_attack_table_then_rewrite(volatile uint32_t *via, const char *how)
{
	volatile uint32_t *table = (volatile uint32_t *)pt_attack_alias_page;

	guest_printf("attack: it becomes the page table for linear 0x%08x, which is written; then, through %s, its PTE maps physical 0x%08x; INVLPG, reading and writing it\n",
		     PT_ATTACK_SELF_LA, how, PT_ATTACK_HIGH);
	for (unsigned i = 0; i < 1024; i++)
		table[i] = 0;
	table[PTX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_data | PTE_P | PTE_W;
	pt_attack_pd[PDX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	*(volatile uint32_t *)PT_ATTACK_SELF_LA = 0;
	via[PTX(PT_ATTACK_SELF_LA)] = PT_ATTACK_HIGH | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

/* The alias page writable at PT_ATTACK_LA + i pages for i < n, written through each. */
static void pt_attack_alias_at(unsigned n)
{
	pt_attack_pd[PDX(PT_ATTACK_LA)] = (uint32_t)pt_attack_pt | PTE_P | PTE_W;
	for (unsigned i = 0; i < n; i++) {
		pt_attack_pt[i] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
		pt_attack_invlpg(PT_ATTACK_LA + i * PAGE_SIZE);
		*(volatile uint32_t *)(PT_ATTACK_LA + i * PAGE_SIZE + 4 * i) = i;
	}
}

static void pt_attack_alias3_then_table(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: the page at physical 0x%08x mapped writable at linear 0x%08x, 0x%08x and 0x%08x and written at each\n",
		     (uint32_t)pt_attack_alias_page, PT_ATTACK_LA, PT_ATTACK_LA + PAGE_SIZE,
		     PT_ATTACK_LA + 2 * PAGE_SIZE);
	pt_attack_alias_at(3);
	pt_attack_table_then_rewrite((volatile uint32_t *)(PT_ATTACK_LA + 2 * PAGE_SIZE),
				     "the third mapping");
}

static void pt_attack_alias_4m_then_table(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *via = (volatile uint32_t *)(PT_ATTACK_LA + (uint32_t)pt_attack_alias_page);

	guest_printf("attack: a writable 4 MiB page maps linear 0x%08x onto physical 0; the page at physical 0x%08x written through it\n",
		     PT_ATTACK_LA, (uint32_t)pt_attack_alias_page);
	pt_attack_pd[PDX(PT_ATTACK_LA)] = PTE_PS | PTE_P | PTE_W;
	pt_attack_invlpg((uint32_t)via);
	via[7] = 7;
	pt_attack_table_then_rewrite(via, "the 4 MiB page");
}

static void pt_attack_alias_table_reused(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *table = (volatile uint32_t *)pt_attack_alias_page;

	guest_printf("attack: the page at physical 0x%08x is the page table for linear 0x%08x, used, then no longer; written as data at linear 0x%08x\n",
		     (uint32_t)pt_attack_alias_page, PT_ATTACK_SELF_LA, PT_ATTACK_LA);
	table[PTX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_data | PTE_P | PTE_W;
	pt_attack_pd[PDX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	*(volatile uint32_t *)PT_ATTACK_SELF_LA = 0;
	pt_attack_pd[PDX(PT_ATTACK_SELF_LA)] = 0;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_alias_at(1);
	for (unsigned i = 0; i < 1024; i++)
		((volatile uint32_t *)PT_ATTACK_LA)[i] = i;
	pt_attack_table_then_rewrite((volatile uint32_t *)PT_ATTACK_LA, "the mapping");
}

/* A second address space: the same directory but for its view of the alias page. */
static uint32_t pt_attack_pd2[1024] PT_ATTACK_ALIGNED;
static uint32_t pt_attack_pt2[1024] PT_ATTACK_ALIGNED;
#define PT_ATTACK_LA2		(PT_ATTACK_LA + 0x00400000u)	/* PDX 257 */

static void pt_attack_alias_other_space(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: the page at physical 0x%08x mapped writable at linear 0x%08x and 0x%08x here and 0x%08x in a second address space, written at each\n",
		     (uint32_t)pt_attack_alias_page, PT_ATTACK_LA, PT_ATTACK_LA + PAGE_SIZE,
		     PT_ATTACK_LA2);
	pt_attack_alias_at(2);
	for (unsigned i = 0; i < 1024; i++)
		pt_attack_pd2[i] = pt_attack_pd[i];
	pt_attack_pt2[0] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
	pt_attack_pd2[PDX(PT_ATTACK_LA2)] = (uint32_t)pt_attack_pt2 | PTE_P | PTE_W;
	write_cr3((uint32_t)pt_attack_pd2);
	*(volatile uint32_t *)(PT_ATTACK_LA2 + 12) = 3;
	write_cr3((uint32_t)pt_attack_pd);

	volatile uint32_t *table = (volatile uint32_t *)pt_attack_alias_page;
	guest_printf("attack: it becomes the page table for linear 0x%08x here, which is written; then, in the second address space, its PTE maps physical 0x%08x; back, INVLPG, reading and writing it\n",
		     PT_ATTACK_SELF_LA, PT_ATTACK_HIGH);
	for (unsigned i = 0; i < 1024; i++)
		table[i] = 0;
	table[PTX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_data | PTE_P | PTE_W;
	pt_attack_pd[PDX(PT_ATTACK_SELF_LA)] = (uint32_t)pt_attack_alias_page | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	*(volatile uint32_t *)PT_ATTACK_SELF_LA = 0;
	write_cr3((uint32_t)pt_attack_pd2);
	((volatile uint32_t *)PT_ATTACK_LA2)[PTX(PT_ATTACK_SELF_LA)] = PT_ATTACK_HIGH | PTE_P | PTE_W;
	write_cr3((uint32_t)pt_attack_pd);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

/* A page directory built through a writable mapping before it is loaded. */
static uint32_t pt_attack_pd3[1024] PT_ATTACK_ALIGNED;

static void pt_attack_alias_then_directory(const struct pt_attack_ctx *ctx)
{
	volatile uint32_t *view = (volatile uint32_t *)PT_ATTACK_LA;

	guest_printf("attack: a page directory at physical 0x%08x mapped writable at linear 0x%08x and written there, then loaded into CR3\n",
		     (uint32_t)pt_attack_pd3, PT_ATTACK_LA);
	pt_attack_set_pte((uint32_t)pt_attack_pd3 | PTE_P | PTE_W);
	for (unsigned i = 0; i < 1024; i++)
		view[i] = pt_attack_pd[i];
	write_cr3((uint32_t)pt_attack_pd3);
	guest_printf("attack: through the mapping made before, a 4 MiB PDE maps linear 0x%08x onto physical 0x%08x; INVLPG, reading and writing it\n",
		     PT_ATTACK_SELF_LA, PT_ATTACK_HIGH);
	view[PDX(PT_ATTACK_SELF_LA)] = PT_ATTACK_HIGH | PTE_PS | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_SELF_LA);
	pt_attack_touch(PT_ATTACK_SELF_LA);
}

/*
 * Map the guest's own page over the top 4 MiB of linear space, where the
 * hypervisor's switcher lives, and write there: on the bare machine that
 * is the guest's business; under the hypervisor its tables must never
 * reach the switcher's slot (an early version let this run guest code at
 * CPL 0 through the switcher's own page table).
 */
static uint32_t pt_attack_pt_top[1024] PT_ATTACK_ALIGNED;
static uint8_t pt_attack_top_page[PAGE_SIZE] PT_ATTACK_ALIGNED;

static void pt_attack_map_switcher(const struct pt_attack_ctx *ctx)
{
	guest_printf("attack: linear 0x%08x..0x%08x mapped onto the guest's own page at physical 0x%08x; writing 0x%08x\n",
		     PT_ATTACK_HIGH, PT_ATTACK_HIGH + 0x1FFFu, (uint32_t)pt_attack_top_page,
		     PT_ATTACK_HIGH + PAGE_SIZE);
	pt_attack_pt_top[0] = (uint32_t)pt_attack_top_page | PTE_P | PTE_W;
	pt_attack_pt_top[1] = (uint32_t)pt_attack_top_page | PTE_P | PTE_W;
	pt_attack_pd[PDX(PT_ATTACK_HIGH)] = (uint32_t)pt_attack_pt_top | PTE_P | PTE_W;
	pt_attack_invlpg(PT_ATTACK_HIGH);
	pt_attack_invlpg(PT_ATTACK_HIGH + PAGE_SIZE);
	*(volatile uint32_t *)(PT_ATTACK_HIGH + PAGE_SIZE) = PT_ATTACK_VALUE;
}

static const struct pt_attack pt_attacks[] = {
	{ "map-switcher", pt_attack_map_switcher },
	{ "pte-beyond-ram", pt_attack_pte_beyond_ram },
	{ "pte-past-ram", pt_attack_pte_past_ram },
	{ "pte-high", pt_attack_pte_high },
	{ "pde-table-beyond-ram", pt_attack_pde_table_beyond_ram },
	{ "pde-4m-high", pt_attack_pde_4m_high },
	{ "pde-4m-past-ram", pt_attack_pde_4m_past_ram },
	{ "pde-4m-above-4g", pt_attack_pde_4m_above_4g },
	{ "self-map-pde-4m", pt_attack_self_map_pde_4m },
	{ "self-map-pde-table", pt_attack_self_map_pde_table },
	{ "self-map-pte", pt_attack_self_map_pte },
	{ "alias-then-table", pt_attack_alias_then_table },
	{ "alias3-then-table", pt_attack_alias3_then_table },
	{ "alias-4m-then-table", pt_attack_alias_4m_then_table },
	{ "alias-table-reused", pt_attack_alias_table_reused },
	{ "alias-other-space", pt_attack_alias_other_space },
	{ "alias-then-directory", pt_attack_alias_then_directory },
};

#define PT_ATTACK_COUNT (sizeof(pt_attacks) / sizeof(pt_attacks[0]))

static void pt_attack_trapped(struct guest_trap_frame *frame)
{
	uint32_t cr2 = frame->vector == VEC_PF ? read_cr2() : 0;

	/* A not-present entry read from the table outside RAM: the walk got there. */
	if (pt_attack_walk_la && frame->vector == VEC_PF && frame->error == 0 &&
	    cr2 == pt_attack_walk_la) {
		guest_printf("attack: the CPU read the entry for 0x%08x from the page table at physical 0x%08x and found it not present (#PF, error 0x0)\n",
			     cr2, pt_attack_walk_table);
		guest_printf("ATTACK-SURVIVED: %s\n", pt_attack_current);
		guest_exit(GUEST_EXIT_OK);
	}
	guest_printf("ATTACK-TRAPPED: %s: vector %u error 0x%x eip 0x%08x\n",
		     pt_attack_current, frame->vector, frame->error, frame->eip);
	guest_exit(PT_ATTACK_EXIT_TRAPPED);
}

static int pt_attack_usage(const char *why)
{
	guest_printf("pt_attack: %s; usage: pt_attack <name>; names:", why);
	for (unsigned i = 0; i < PT_ATTACK_COUNT; i++)
		guest_printf(" %s", pt_attacks[i].name);
	guest_printf("\n");
	return GUEST_EXIT_USAGE;
}

/* Identity-map 0..4 MiB with 4 KiB pages, allow 4 MiB pages, turn paging on. */
static void pt_attack_paging_on(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		pt_attack_pt_low[i] = (i << 12) | PTE_P | PTE_W;
	pt_attack_pd[0] = (uint32_t)pt_attack_pt_low | PTE_P | PTE_W;
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)pt_attack_pd);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	char name[48];
	const struct pt_attack *a = 0;

	if (!guest_mb_arg(info, 0, name, sizeof(name)))
		return pt_attack_usage("no attack named on the command line");
	for (unsigned i = 0; i < PT_ATTACK_COUNT; i++)
		if (strcmp(pt_attacks[i].name, name) == 0)
			a = &pt_attacks[i];
	if (!a)
		return pt_attack_usage("unknown attack");

	/* The whole image, stack included, must lie in the identity-mapped 4 MiB. */
	struct pt_attack_ctx ctx = { .ram_end = guest_mb_ram_end(info) };
	if (ctx.ram_end < LARGE_PAGE_SIZE) {
		guest_printf("pt_attack: the loader gave no memory size, or less than 4 MiB\n");
		return GUEST_EXIT_USAGE;
	}

	guest_desc_init();
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, pt_attack_trapped);
	pt_attack_paging_on();

	pt_attack_current = a->name;
	guest_printf("ATTACK: %s (RAM ends at 0x%08x)\n", a->name, ctx.ram_end);
	a->run(&ctx);
	guest_printf("ATTACK-SURVIVED: %s\n", a->name);
	return GUEST_EXIT_OK;
}
