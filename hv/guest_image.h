/*
 * hv/guest_image.h: checking and loading a guest kernel, and the multiboot
 * information the guest finds in EBX at entry.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The guest contract: a guest is a 32-bit multiboot (v1) ELF executable for
 * i386. Each PT_LOAD segment is copied to its PHYSICAL address p_paddr (a
 * kernel linked high, like xv6, has p_vaddr != p_paddr), its bss
 * (p_memsz - p_filesz) is zeroed, and the guest is entered at e_entry, which
 * must lie inside a loaded segment. Nothing may be loaded outside the guest's
 * memory [0, guest_mem_bytes).
 *
 * The steps, in the order the hypervisor calls them:
 *   1. guest_image_check()     validate the file once, describe what to load;
 *   2. guest_image_load()      copy the segments into guest memory;
 *   3. guest_image_info_gpa()  choose where the multiboot information goes;
 *   4. guest_multiboot_build() write it there.
 */
#ifndef TV_HV_GUEST_IMAGE_H
#define TV_HV_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_IMAGE_MAX_SEGMENTS 16

/* One PT_LOAD segment, as it will be placed in guest-physical memory. */
struct guest_image_segment {
	uint32_t gpa;		/* guest-physical address (the ELF p_paddr) */
	uint32_t la;		/* the address it is linked to run at (p_vaddr) */
	uint32_t file_offset;	/* where its bytes start in the file */
	uint32_t filesz;	/* bytes copied from the file */
	uint32_t memsz;		/* bytes occupied; memsz - filesz are zeroed */
	uint32_t flags;		/* PF_R | PF_W | PF_X, for the trace */
};

/* A checked image: everything guest_image_load() needs, nothing else. */
struct guest_image {
	uint32_t entry;		/* e_entry, a guest-physical address */
	unsigned nsegments;
	struct guest_image_segment seg[GUEST_IMAGE_MAX_SEGMENTS];
	uint32_t gpa_end;	/* end of the highest segment (exclusive) */
};

/*
 * Check that the file is a guest we can run in guest_mem_bytes of memory
 * and fill *out. Returns NULL if it is acceptable, else a one-line reason
 * (e.g. "machine is not i386"). The reason lives in a static buffer that the
 * next call overwrites; the hypervisor checks one image at a time.
 */
const char *guest_image_check(const void *file, size_t file_size,
			      uint32_t guest_mem_bytes, struct guest_image *out);

/*
 * Copy the segments of a checked image into guest memory and zero their bss.
 * guest_mem is the hypervisor's pointer to guest-physical address 0.
 */
void guest_image_load(const void *file, const struct guest_image *img,
		      uint8_t *guest_mem);

/*
 * Where the multiboot information goes: the first page boundary after the
 * highest segment. The caller checks that it fits (guest_multiboot_build()
 * does). Returns 0 when no page boundary follows (never for a checked image
 * in less than 4 GiB of guest memory).
 */
uint32_t guest_image_info_gpa(const struct guest_image *img);

/*
 * Write the multiboot information at info_gpa, as a multiboot loader such as
 * QEMU's would: flags MEMORY | CMDLINE | MODS (no modules) | MEM_MAP |
 * LOADER; mem_lower 639 KiB (below the EBDA), mem_upper the KiB above 1 MiB;
 * a memory map of the plain PC (RAM below 0x9FC00, the EBDA and the BIOS
 * area reserved, RAM from 1 MiB to the end of guest memory); the command line
 * (NULL means empty) and the boot loader name "trapvisor", all after the
 * information structure. Returns the gpa just past what it wrote (the
 * guest's address for EBX is info_gpa), or 0 if guest memory is smaller than
 * 1 MiB or the whole does not fit below guest_mem_bytes.
 */
uint32_t guest_multiboot_build(uint8_t *guest_mem, uint32_t guest_mem_bytes,
			       uint32_t info_gpa, const char *cmdline);

/* A multiboot module for the guest: its bytes and its string, as the hypervisor holds them. */
struct guest_module {
	const void *data;
	uint32_t len;
	const char *string;	/* NULL means empty */
};

/*
 * Give the guest the modules, as QEMU's multiboot loader would: after end
 * (what guest_multiboot_build() returned for the information at info_gpa),
 * the list of nmods module structures and their strings, then each module's
 * bytes at a page boundary. mods_count and mods_addr in the information are
 * set. Returns the gpa just past the last module, or 0 (guest memory
 * untouched) if they do not all fit below guest_mem_bytes.
 */
uint32_t guest_multiboot_add_modules(uint8_t *guest_mem, uint32_t guest_mem_bytes,
				     uint32_t info_gpa, uint32_t end,
				     const struct guest_module *mods, uint32_t nmods);

/* The boot loader name the guest sees in its multiboot information. */
#define GUEST_MULTIBOOT_LOADER_NAME "trapvisor"

#endif
