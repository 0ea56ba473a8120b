/*
 * guests/fastpath/fastpath_main.c: the fastpath guest: a kernel's two
 * hottest paths, checked. xv6's mycpu() reads the local APIC's ID in every
 * lock operation, and every system call of its user programs is an INT 64
 * through a DPL-3 trap gate. Trapped, each costs the hypervisor a whole
 * trap; with its fast paths (--direct) neither should trap at all, and
 * the results must stay those of the bare machine.
 * Runs in: guest.
 *
 * The kernel turns its own paging on (identity map of the first 4 MiB,
 * user-accessible, and the local APIC's page, supervisor-only, uncached)
 * with CR0.WP set, as xv6 does, then runs the checks of fastpath_apic.c
 * and fastpath_syscall.c, and ends with SUMMARY.
 *
 * Command line: `fastpath` runs the checks; `fastpath hostile=NAME` runs
 * one hostile kernel of fastpath_syscall.c instead, which points the
 * direct system call path somewhere it must not lead: the hypervisor must
 * stop it or keep it to itself (docs/containment.md).
 */
#include <stdint.h>

#include "guests/fastpath/fastpath.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_test.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"

#define FP_PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

static uint32_t fp_pd[1024] FP_PAGE_ALIGNED;
static uint32_t fp_pt_low[1024] FP_PAGE_ALIGNED;
static uint32_t fp_pt_apic[1024] FP_PAGE_ALIGNED;
static struct x86_gate fp_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));

extern const char guest_image_end[];	/* guests/lib/guest.ld */

void fp_idt_set(unsigned vector, uint32_t handler, unsigned type, unsigned dpl)
{
	fp_idt[vector] = gate_make(GUEST_SEL_CODE, handler, type, dpl);
}

struct x86_gate *fp_idt_entry(unsigned vector)
{
	return &fp_idt[vector];
}

void fp_idt_load(void)
{
	struct x86_pseudo_desc pd = { .limit = sizeof(fp_idt) - 1, .base = (uint32_t)fp_idt };
	lidt(&pd);
}

static void fp_paging_on(void)
{
	if ((uint32_t)guest_image_end > LARGE_PAGE_SIZE) {
		guest_printf("FAIL: fastpath: the image ends at 0x%08x, past the 4 MiB identity map\n",
			     (uint32_t)guest_image_end);
		guest_exit(GUEST_EXIT_PANIC);
	}
	/* User pages: the ring-3 loop runs from the image and its stack. */
	for (uint32_t i = 1; i < 1024; i++)
		fp_pt_low[i] = (i << 12) | PTE_P | PTE_W | PTE_U;
	fp_pt_apic[PTX(FP_LAPIC_BASE)] = FP_LAPIC_BASE | PTE_P | PTE_W | PTE_PCD | PTE_PWT;
	fp_pd[PDX(0)] = (uint32_t)fp_pt_low | PTE_P | PTE_W | PTE_U;
	fp_pd[PDX(FP_LAPIC_BASE)] = (uint32_t)fp_pt_apic | PTE_P | PTE_W;
	write_cr3((uint32_t)fp_pd);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	char arg[32];

	(void)magic;
	/* Every vector to the library's stubs at DPL 0; the checks add their own. */
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		fp_idt_set(v, guest_trap_stubs[v], DESC_SYS_INT_GATE, 0);
	fp_syscall_setup();
	guest_gdt_install();
	fp_idt_load();
	guest_pic_mask_all();
	fp_paging_on();

	if (guest_mb_arg(info, 0, arg, sizeof(arg))) {
		if (strncmp(arg, "hostile=", 8) != 0) {
			guest_printf("fastpath: usage: fastpath [hostile=NAME]\n");
			return GUEST_EXIT_USAGE;
		}
		return fp_hostile(arg + 8);
	}
	fp_apic_checks();
	fp_syscall_checks();
	guest_test_finish();
}
