/*
 * guests/opcode_scan/scan_state.c: the kernel state every case of the scan
 * starts from, made to differ from the hypervisor's wherever an
 * unprivileged instruction could read the difference.
 * Runs in: guest.
 *
 *   - its own GDT, with entry 0x602 a DPL-0 data segment, so that
 *     SCAN_SEL_RPL1_DATA (0x3011) names something a CPU at CPL 0 refuses
 *     through RPL 1 (the hypervisor's compressed DPL accepts it);
 *   - an LDT and a TR of its own (SLDT and STR read the hypervisor's);
 *   - CR0.NE set (the hypervisor leaves the real NE clear; MP, EM and TS it
 *     copies into the real CR0, so setting them would show nothing);
 *   - interrupts off by CLI (the real IF stays on; PUSHF shows it).
 * The IDT is guests/lib's: every vector goes to the scan's trap handler.
 */
#include "guests/lib/guest_desc.h"
#include "guests/opcode_scan/scan.h"
#include "lib/x86.h"
#include "lib/x86_desc.h"

#define SCAN_GDT_ENTRIES	((SCAN_SEL_RPL1_DATA >> 3) + 1)

#define CODE_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			 ((DESC_TYPE_CODE | DESC_TYPE_READABLE | DESC_TYPE_ACCESSED) << 8))
#define DATA_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			 ((DESC_TYPE_WRITABLE | DESC_TYPE_ACCESSED) << 8))
#define TSS_FLAGS	(DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8))
#define LDT_FLAGS	(DESC_HI_P | (DESC_SYS_LDT << 8))

#define DR7_RESET	0x400u

static struct x86_desc scan_gdt[SCAN_GDT_ENTRIES] __attribute__((aligned(8)));
static struct x86_desc scan_ldt[2] __attribute__((aligned(8)));
static struct x86_tss scan_tss __attribute__((aligned(128)));
static uint32_t scan_cr0, scan_cr3, scan_cr4;

void scan_state_install(void)
{
	guest_desc_init();	/* guests/lib's GDT and IDT: every vector has a stub */

	scan_gdt[SCAN_SEL_CODE >> 3] = desc_make(0, 0xFFFFFFFFu, CODE_FLAGS);
	scan_gdt[SCAN_SEL_DATA >> 3] = desc_make(0, 0xFFFFFFFFu, DATA_FLAGS);
	scan_tss.ss0 = SCAN_SEL_DATA;
	scan_tss.iomap_base = sizeof(scan_tss);
	scan_gdt[SCAN_SEL_TSS >> 3] = desc_make((uint32_t)&scan_tss, sizeof(scan_tss) - 1,
						TSS_FLAGS);
	scan_ldt[1] = desc_make(0, 0xFFFFFFFFu, DATA_FLAGS);
	scan_gdt[SCAN_SEL_LDT >> 3] = desc_make((uint32_t)scan_ldt, sizeof(scan_ldt) - 1,
						LDT_FLAGS);
	scan_gdt[SCAN_SEL_RPL1_DATA >> 3] = desc_make(0, 0xFFFFFFFFu, DATA_FLAGS);
	struct x86_pseudo_desc gdtr = { .limit = sizeof(scan_gdt) - 1, .base = (uint32_t)scan_gdt };
	lgdt(&gdtr);
	lldt(SCAN_SEL_LDT);
	ltr(SCAN_SEL_TSS);

	cli();
	write_cr0(read_cr0() | CR0_NE);
	scan_cr0 = read_cr0();
	scan_cr3 = read_cr3();
	scan_cr4 = read_cr4();
	__asm__ volatile("movw %%ss, %0" : "=m"(scan_harness_ss));
}

void scan_state_restore_sysregs(void)
{
	uint32_t zero = 0, dr7 = DR7_RESET;

	write_cr0(scan_cr0);
	write_cr3(scan_cr3);
	write_cr4(scan_cr4);
	__asm__ volatile("movl %0, %%dr7\n\t"
			 "movl %1, %%dr0\n\t"
			 "movl %1, %%dr1\n\t"
			 "movl %1, %%dr2\n\t"
			 "movl %1, %%dr3"
			 : : "r"(dr7), "r"(zero));
}
