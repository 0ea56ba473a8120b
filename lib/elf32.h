/*
 * lib/elf32.h: the parts of the 32-bit ELF format a multiboot loader reads
 * (System V ABI, i386 supplement).
 * Runs in: hypervisor, and host unit tests.
 */
#ifndef TV_LIB_ELF32_H
#define TV_LIB_ELF32_H

#include <stdint.h>

#define ELF_MAGIC	0x464C457Fu	/* "\x7FELF" read little-endian */
#define ELFCLASS32	1
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define EM_386		3
#define EV_CURRENT	1
#define PT_NULL		0
#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define PF_R		4

struct elf32_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

/* Section headers and symbols: only for finding the guest's functions. */
#define SHT_SYMTAB	2
#define STT_FUNC	2
#define ELF32_ST_TYPE(info)	((info) & 0xF)

struct elf32_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint32_t sh_flags;
	uint32_t sh_addr;
	uint32_t sh_offset;
	uint32_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint32_t sh_addralign;
	uint32_t sh_entsize;
};

struct elf32_sym {
	uint32_t st_name;
	uint32_t st_value;
	uint32_t st_size;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
};

#endif
