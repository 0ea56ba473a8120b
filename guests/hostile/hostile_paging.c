/*
 * guests/hostile/hostile_paging.c: the guest's own page tables against
 * what the hypervisor does for it: a kernel write they allow only because
 * CR0.WP is clear, and operands of emulated instructions they do not map.
 * Runs in: guest.
 *
 *   wp0-user-ro   paging on, one read-only user page: with CR0.WP = 0 the
 *                 kernel's write goes through (SDM vol. 3, 4.6.1: "If
 *                 CR0.WP = 0, data may be written to any user-mode
 *                 address"); with CR0.WP = 1 it is #PF with error code 3
 *                 (present, write, supervisor).
 *   unmapped-operand
 *                 paging on, one page not present: LGDT, LIDT and LMSW
 *                 (which trap to the hypervisor at ring 1 or 3, before
 *                 their operand is read) naming it raise #PF with error
 *                 code 0 (not present, read, supervisor) at the
 *                 instruction, CR2 the first byte of the page that is not
 *                 there (SDM vol. 3, 4.7; vol. 2A, LGDT/LIDT: "#PF(fault-
 *                 code) If a page fault occurs"), also when the operand
 *                 begins two bytes before it; the GDTR is not loaded.
 *   iret-frame-edge
 *                 paging on, CR0.WP = 1: the kernel's IRET from a frame at
 *                 the first byte of a page whose page below is read-only,
 *                 and from a frame on a read-only page. IRET only reads
 *                 its frame (SDM vol. 2A, IRET): no trap either way. A
 *                 hypervisor that runs the IRET through code of its own
 *                 must not write below the frame or into it where the
 *                 guest's pages do not let it.
 *   iret-user-frame-split
 *                 paging on, IF 0: the kernel's IRET to user mode with IF
 *                 1 in the frame, its EIP, CS and EFLAGS at the end of one
 *                 page and its ESP and SS at the start of the next, in
 *                 the next page table, neither touched before at that
 *                 linear address; user mode then
 *                 runs UD2. The #UD's frame shows IF 1, the IRET's (SDM
 *                 vol. 2A, IRET: at CPL 0 IF comes from the frame). A
 *                 hypervisor that fills its shadow page tables as pages
 *                 are touched takes a hidden page fault in the middle of
 *                 that IRET.
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_console.h"
#include "lib/mmu.h"
#include "lib/x86.h"

#define HOSTILE_PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

static uint32_t hostile_pd[1024] HOSTILE_PAGE_ALIGNED;
static uint32_t hostile_pt[1024] HOSTILE_PAGE_ALIGNED;	/* identity 0..4 MiB */
static volatile uint32_t hostile_ro_page[1024] HOSTILE_PAGE_ALIGNED;
static uint8_t hostile_absent_page[PAGE_SIZE] HOSTILE_PAGE_ALIGNED;

/* The operand the probes below name, and each probe's faulting instruction. */
uint32_t hostile_operand;
extern char hostile_lgdt_insn[], hostile_lidt_insn[], hostile_lmsw_insn[];
void hostile_lgdt_at(void), hostile_lidt_at(void), hostile_lmsw_at(void);
__asm__(".text\n"
	"hostile_lgdt_at: movl hostile_operand, %eax\n"
	"hostile_lgdt_insn: lgdt (%eax)\n"
	"	ret\n"
	"hostile_lidt_at: movl hostile_operand, %eax\n"
	"hostile_lidt_insn: lidt (%eax)\n"
	"	ret\n"
	"hostile_lmsw_at: movl hostile_operand, %eax\n"
	"hostile_lmsw_insn: lmsw (%eax)\n"
	"	ret\n");

static void hostile_write_ro(void)
{
	hostile_ro_page[0] = 0x600DF00Du;
}

/* Identity paging over the first 4 MiB, every page user and writable. */
static void hostile_identity_tables(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		hostile_pt[i] = (i << 12) | PTE_P | PTE_W | PTE_U;
	hostile_pd[0] = (uint32_t)hostile_pt | PTE_P | PTE_W | PTE_U;
}

void hostile_wp0_user_ro(void)
{
	const char *row = "wp0-user-ro";
	uint32_t cr0 = read_cr0();

	hostile_identity_tables();
	hostile_pt[PTX((uint32_t)hostile_ro_page)] = (uint32_t)hostile_ro_page | PTE_P | PTE_U;
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

static void hostile_unmapped_probe(const char *what, uint32_t at, void (*fn)(void),
				   const char *insn)
{
	const char *row = "unmapped-operand";
	uint32_t page = (uint32_t)hostile_absent_page;

	hostile_operand = at;
	struct hostile_outcome o = hostile_try(fn);
	hostile_report(row, what, &o);
	guest_printf("HOSTILE-RESULT: %s: %s: at the instruction %s, cr2 %s\n", row, what,
		     o.eip == (uint32_t)insn ? "yes" : "no",
		     read_cr2() == page ? "the absent page" : "elsewhere");
}

void hostile_unmapped_operand(void)
{
	uint32_t cr0 = read_cr0(), page = (uint32_t)hostile_absent_page;
	struct x86_pseudo_desc before, after;

	hostile_identity_tables();
	hostile_pt[PTX(page)] = 0;
	__asm__ volatile("sgdt %0" : "=m"(before));
	write_cr3((uint32_t)hostile_pd);
	write_cr0(cr0 | CR0_PG);
	hostile_unmapped_probe("lgdt", page, hostile_lgdt_at, hostile_lgdt_insn);
	hostile_unmapped_probe("lgdt across", page - 2, hostile_lgdt_at, hostile_lgdt_insn);
	hostile_unmapped_probe("lidt", page, hostile_lidt_at, hostile_lidt_insn);
	hostile_unmapped_probe("lmsw", page, hostile_lmsw_at, hostile_lmsw_insn);
	write_cr0(cr0);
	__asm__ volatile("sgdt %0" : "=m"(after));
	guest_printf("HOSTILE-RESULT: unmapped-operand: gdtr %s\n",
		     before.base == after.base && before.limit == after.limit ? "unchanged"
									     : "changed");
}

/* --- iret-frame-edge --- */

static uint8_t hostile_edge_pages[2 * PAGE_SIZE] HOSTILE_PAGE_ALIGNED;
uint32_t hostile_edge_frame, hostile_edge_esp;
void hostile_edge_iret(void);
extern char hostile_edge_back[];
__asm__(".text\n"
	".globl hostile_edge_iret\n"
	".type hostile_edge_iret, @function\n"	/* a function symbol: the patcher scans it */
	"hostile_edge_iret:\n"
	"	movl %esp, hostile_edge_esp\n"
	"	movl hostile_edge_frame, %esp\n"
	"	iretl\n"
	"	.p2align 6\n"	/* the return 32 bytes or more from any region (its map's blocks) */
	"hostile_edge_back:\n"
	"	movl hostile_edge_esp, %esp\n"
	"	ret\n"
	"	.p2align 6\n"	/* and the next function's regions as far */
	".size hostile_edge_iret, . - hostile_edge_iret\n");

/* The frame (EIP, CS, EFLAGS with IF 0) at `at`, written while its page is writable. */
static void hostile_edge_frame_at(uint32_t at)
{
	uint32_t *frame = (uint32_t *)at;

	frame[0] = (uint32_t)hostile_edge_back;
	frame[1] = GUEST_SEL_CODE;
	frame[2] = EFLAGS_FIXED;
	hostile_edge_frame = at;
}

/* A page's PTE, and the TLB told. */
static void hostile_edge_pte(uint32_t page, uint32_t flags)
{
	hostile_pt[PTX(page)] = page | flags;
	write_cr3((uint32_t)hostile_pd);
}

void hostile_iret_frame_edge(void)
{
	const char *row = "iret-frame-edge";
	uint32_t cr0 = read_cr0(), low = (uint32_t)hostile_edge_pages, high = low + PAGE_SIZE;

	hostile_identity_tables();
	write_cr3((uint32_t)hostile_pd);
	write_cr0(cr0 | CR0_PG | CR0_WP);
	for (int round = 0; round < 3; round++) {
		int last = round == 2;
		/* The frame at the high page's first byte, the low page read-only. */
		hostile_edge_frame_at(high);
		hostile_edge_pte(low, PTE_P | PTE_U);
		struct hostile_outcome o = hostile_try(hostile_edge_iret);
		if (last)
			hostile_report(row, "iret, the page below read-only", &o);
		hostile_edge_pte(low, PTE_P | PTE_W | PTE_U);

		/* The frame on a read-only page, the page below writable. */
		hostile_edge_frame_at(high + 64);
		hostile_edge_pte(high, PTE_P | PTE_U);
		o = hostile_try(hostile_edge_iret);
		if (last)
			hostile_report(row, "iret, the frame's page read-only", &o);
		hostile_edge_pte(high, PTE_P | PTE_W | PTE_U);
	}
	write_cr0(cr0);
}

/* --- iret-user-frame-split --- */

#define SPLIT_ROUNDS		3
/* Page tables for linear 4 MiB to 20 MiB: each round's frame ends one and begins the next. */
static uint32_t hostile_pt_split[SPLIT_ROUNDS + 1][1024] HOSTILE_PAGE_ALIGNED;
static uint8_t hostile_split_pages[2 * PAGE_SIZE] HOSTILE_PAGE_ALIGNED;
static uint8_t hostile_split_user_stack[PAGE_SIZE] __attribute__((aligned(16)));
uint32_t hostile_split_esp;
void hostile_split_iret(void);
extern char hostile_split_user[];
__asm__(".text\n"
	".globl hostile_split_iret\n"
	".type hostile_split_iret, @function\n"	/* a function symbol: the patcher scans it */
	"hostile_split_iret:\n"
	"	movl hostile_split_esp, %esp\n"
	"	iretl\n"
	"hostile_split_user:\n"
	"	ud2\n"
	".size hostile_split_iret, . - hostile_split_iret\n");

void hostile_iret_user_frame_split(void)
{
	const char *row = "iret-user-frame-split";
	uint32_t cr0 = read_cr0(), phys_low = (uint32_t)hostile_split_pages;
	uint32_t *frame_low = (uint32_t *)(phys_low + PAGE_SIZE - 12);	/* EIP, CS, EFLAGS */
	uint32_t *frame_high = (uint32_t *)(phys_low + PAGE_SIZE);	/* ESP, SS */
	struct hostile_outcome o = { 0 };
	unsigned if_set = 0;

	hostile_user_segments();
	hostile_identity_tables();
	for (uint32_t t = 0; t <= SPLIT_ROUNDS; t++)
		hostile_pd[1 + t] = (uint32_t)hostile_pt_split[t] | PTE_P | PTE_W | PTE_U;
	write_cr3((uint32_t)hostile_pd);
	write_cr0(cr0 | CR0_PG | CR0_WP);	/* WP: what a hypervisor asks to give the user direct paths */
	for (uint32_t round = 0; round < SPLIT_ROUNDS; round++) {
		/*
		 * The frame across a 4 MiB boundary, at linear pages never touched
		 * (nor their page table, for the high one), written through their
		 * identity addresses.
		 */
		hostile_pt_split[round][1023] = phys_low | PTE_P | PTE_W | PTE_U;
		hostile_pt_split[round + 1][0] = (phys_low + PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
		frame_low[0] = (uint32_t)hostile_split_user;
		frame_low[1] = HOSTILE_SEL_USER_CODE;
		frame_low[2] = EFLAGS_FIXED | EFLAGS_IF;
		frame_high[0] = (uint32_t)hostile_split_user_stack + sizeof hostile_split_user_stack;
		frame_high[1] = HOSTILE_SEL_USER_DATA;
		hostile_split_esp = (round + 2) * 0x400000u - 12;
		cli();
		o = hostile_try(hostile_split_iret);
		if_set += o.trapped && (o.eflags & EFLAGS_IF);
	}
	write_cr0(cr0);
	hostile_report(row, "ud2 in user mode", &o);
	guest_printf("HOSTILE-RESULT: %s: IF 1 in the #UD's frame %u of %u\n", row, if_set,
		     SPLIT_ROUNDS);
}
