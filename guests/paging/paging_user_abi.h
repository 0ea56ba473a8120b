/*
 * guests/paging/paging_user_abi.h: what the user task (assembly) and the
 * kernel (C) agree on: selectors, the system-call vector and the steps the
 * task reports with it.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_PAGING_PAGING_USER_ABI_H
#define TV_GUESTS_PAGING_PAGING_USER_ABI_H

/* GDT slots after the runtime's three (guests/lib/guest_desc.h). */
#define PAGING_GDT_USER_CODE	3
#define PAGING_GDT_USER_DATA	4
#define PAGING_GDT_TSS		5
#define PAGING_SEL_USER_CODE	(PAGING_GDT_USER_CODE * 8 + 3)
#define PAGING_SEL_USER_DATA	(PAGING_GDT_USER_DATA * 8 + 3)
#define PAGING_SEL_TSS		(PAGING_GDT_TSS * 8)

/* INT 0x80 from the task: EAX = a step below, ECX = what the step read. */
#define PAGING_SYSCALL_VECTOR	0x80
#define PAGING_USER_EXIT	0	/* back to the kernel for good */
#define PAGING_USER_OWN_PAGE	1	/* wrote its own page and read it back */
#define PAGING_USER_READ_KERNEL	2	/* tried to read the kernel page */
#define PAGING_USER_WRITE_KERNEL 3	/* tried to write the kernel page */
#define PAGING_USER_READ_UNMAPPED 4	/* tried to read a not-present page */
#define PAGING_USER_STEPS	5

/* What the task writes into its own page. */
#define PAGING_USER_VALUE	0x05E12345

#endif
