/*
 * lib/multiboot.h: Multiboot specification version 0.6.96 (v1): the header a
 * kernel carries and the information structure a loader hands it.
 * Runs in: hypervisor, guests, and host unit tests.
 */
#ifndef TV_LIB_MULTIBOOT_H
#define TV_LIB_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC		0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2BADB002u	/* in EAX at kernel entry */
#define MULTIBOOT_SEARCH		8192		/* header within the first 8 KiB */

/* Header flags. */
#define MULTIBOOT_PAGE_ALIGN	0x00000001u
#define MULTIBOOT_MEMORY_INFO	0x00000002u
#define MULTIBOOT_AOUT_KLUDGE	0x00010000u

/* Information flags. */
#define MULTIBOOT_INFO_MEMORY	0x00000001u
#define MULTIBOOT_INFO_CMDLINE	0x00000004u
#define MULTIBOOT_INFO_MODS	0x00000008u
#define MULTIBOOT_INFO_MEM_MAP	0x00000040u
#define MULTIBOOT_INFO_LOADER	0x00000200u

struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
};

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB below 1 MiB */
	uint32_t mem_upper;	/* KiB above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
};

/* A memory map entry; 'size' does not count itself. */
struct __attribute__((packed)) multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
};

#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED  2

#endif
