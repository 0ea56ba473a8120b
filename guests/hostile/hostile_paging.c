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
