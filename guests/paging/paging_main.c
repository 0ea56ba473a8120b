/*
 * guests/paging/paging_main.c: a guest kernel that runs on its own page
 * tables, the way an operating system does, so that a hypervisor's shadow
 * page tables can be compared with the bare machine.
 * Runs in: guest.
 *
 * In order: paging on with 4 KiB pages, off, on with 4 MiB pages; mapping,
 * remapping and unmapping pages with INVLPG; a #PF handler that maps pages
 * on first touch and checks CR2 and the error code; write protection with
 * CR0.WP set and clear; the accessed and dirty bits in PTEs and in a 4 MiB
 * PDE; two address spaces switched with CR3; a user task in ring 3 that
 * may touch its own page and faults on the kernel's.
 *
 * Every check prints `PASS: name` or `FAIL: name: why`; the run ends with
 * `SUMMARY: N passed, M failed` and exits with M (guests/lib/guest_test.h).
 * Natively and under a faithful hypervisor, in ring 1 or ring 3, the lines
 * are the same and every check passes.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_test.h"
#include "guests/paging/paging.h"

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	guest_printf("paging: the guest's own page tables, page faults and a ring-3 task\n");
	paging_user_init();
	paging_fault_init();
	paging_mmu_build();

	paging_checks_on();
	paging_checks_map();
	paging_checks_dirty();
	paging_checks_spaces();
	paging_checks_user();
	guest_test_finish();
}
