/*
 * lib/mmu.h: 32-bit two-level paging as the hardware defines it (Intel SDM
 * vol. 3, 4.3): page-directory and page-table entries, and the page-fault
 * error code.
 * Runs in: hypervisor, guests, host unit tests.
 */
#ifndef TV_LIB_MMU_H
#define TV_LIB_MMU_H

#include <stdint.h>

#define PAGE_SIZE	4096u
#define PAGE_MASK	0xFFFFF000u
#define LARGE_PAGE_SIZE	0x400000u	/* a PSE page: 4 MiB */

#define PTE_P		0x001u	/* present */
#define PTE_W		0x002u	/* writable */
#define PTE_U		0x004u	/* user: ring 3 may touch it */
#define PTE_PWT		0x008u
#define PTE_PCD		0x010u
#define PTE_A		0x020u	/* accessed */
#define PTE_D		0x040u	/* dirty */
#define PTE_PS		0x080u	/* in a PDE: a 4 MiB page */
#define PTE_G		0x100u	/* global */

#define PDX(la)		(((uint32_t)(la) >> 22) & 0x3FFu)	/* page-directory index */
#define PTX(la)		(((uint32_t)(la) >> 12) & 0x3FFu)	/* page-table index */

/* Page-fault error code bits. */
#define PF_ERR_P	0x1u	/* 0: not present; 1: protection violation */
#define PF_ERR_W	0x2u	/* the access was a write */
#define PF_ERR_U	0x4u	/* the access was made at CPL 3 */
#define PF_ERR_RSVD	0x8u	/* a reserved bit was set in a paging entry */

#endif
