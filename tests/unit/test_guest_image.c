/*
 * tests/unit/test_guest_image.c: the guest loader (hv/guest_image.c) against
 * the ELF and multiboot v1 specifications.
 * Runs on: host (Check).
 *
 * Each test assembles a small guest image in memory (ELF header, program
 * headers, a multiboot header, segment bytes), then breaks one thing at a
 * time and expects the loader's reason for refusing it.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv/guest_image.h"
#include "lib/elf32.h"
#include "lib/multiboot.h"

#define MIB		0x100000u
#define GUEST_MEM	(32u * MIB)
#define FILE_MAX	0x20000u
#define PT_NOTE		4u
#define PT_GNU_STACK	0x6474E551u
#define MB_VIDEO_MODE	0x00000004u

/* The image under test, aligned so the headers can be reached in place. */
static union {
	uint8_t bytes[FILE_MAX];
	uint64_t align;
} image;
static size_t image_size;

static struct elf32_ehdr *ehdr(void)
{
	return (struct elf32_ehdr *)image.bytes;
}

static struct elf32_phdr *phdr(unsigned i)
{
	return (struct elf32_phdr *)(image.bytes + ehdr()->e_phoff) + i;
}

/* What one program header of a test image says. */
struct test_seg {
	uint32_t type, vaddr, paddr, filesz, memsz, flags;
};

/*
 * Assemble an image: the ELF header at 0, the program headers right after
 * it, a multiboot header at mb_offset, then each segment's file bytes at the
 * next 4 KiB boundary in the file, filled with a pattern that differs per
 * byte and per segment so a misplaced copy shows.
 */
static void build_image(uint32_t entry, const struct test_seg *segs, unsigned n,
			uint32_t mb_offset, uint32_t mb_flags)
{
	struct elf32_ehdr *eh = ehdr();
	uint32_t at = 0x3000;
	unsigned i;

	memset(image.bytes, 0, sizeof(image.bytes));
	memcpy(eh->e_ident, "\x7F" "ELF", 4);
	eh->e_ident[4] = ELFCLASS32;
	eh->e_ident[5] = ELFDATA2LSB;
	eh->e_ident[6] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf32_phdr);
	eh->e_phnum = (uint16_t)n;
	ck_assert_uint_le(sizeof(*eh) + n * sizeof(struct elf32_phdr), mb_offset);

	for (i = 0; i < n; i++) {
		struct elf32_phdr *ph = phdr(i);
		uint32_t k;

		ph->p_type = segs[i].type;
		ph->p_vaddr = segs[i].vaddr;
		ph->p_paddr = segs[i].paddr;
		ph->p_filesz = segs[i].filesz;
		ph->p_memsz = segs[i].memsz;
		ph->p_flags = segs[i].flags;
		ph->p_align = 0x1000;
		ph->p_offset = segs[i].filesz ? at : 0;
		ck_assert_uint_le(at + segs[i].filesz, FILE_MAX);
		for (k = 0; k < segs[i].filesz; k++)
			image.bytes[at + k] = (uint8_t)(k * 7 + i * 31 + 1);
		at = (at + segs[i].filesz + 0xFFF) & ~0xFFFu;
	}

	if (mb_offset + 12 <= FILE_MAX) {
		uint32_t mb[3] = { MULTIBOOT_HEADER_MAGIC, mb_flags,
				   -(MULTIBOOT_HEADER_MAGIC + mb_flags) };
		memcpy(image.bytes + mb_offset, mb, sizeof(mb));
	}
	image_size = at;
}

/*
 * The good image: a kernel linked high like xv6 (p_vaddr 0x80100000 loaded
 * at p_paddr 0x100000) with text, then data followed by bss, and the
 * GNU_STACK header every modern linker adds, which loads nothing.
 */
static const struct test_seg good_segs[] = {
	{ PT_LOAD, 0x80100000, 0x00100000, 0x1800, 0x1800, PF_R | PF_X },
	{ PT_LOAD, 0x80102000, 0x00102000, 0x0100, 0x3000, PF_R | PF_W },
	{ PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W },
};
#define GOOD_ENTRY 0x0010000Cu

static void build_good(void)
{
	build_image(GOOD_ENTRY, good_segs, 3, 0x1000, MULTIBOOT_PAGE_ALIGN |
		    MULTIBOOT_MEMORY_INFO);
}

static const char *check_image(void)
{
	static struct guest_image img;

	return guest_image_check(image.bytes, image_size, GUEST_MEM, &img);
}

static void expect_refusal(const char *expected)
{
	const char *why = check_image();

	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, expected);
}

START_TEST(good_image_is_described)
{
	struct guest_image img;

	build_good();
	ck_assert_ptr_null(guest_image_check(image.bytes, image_size,
					     GUEST_MEM, &img));
	ck_assert_uint_eq(img.entry, GOOD_ENTRY);
	ck_assert_uint_eq(img.nsegments, 2);	/* GNU_STACK is not loaded */
	/* Physical addresses, not the virtual ones the kernel is linked at. */
	ck_assert_uint_eq(img.seg[0].gpa, 0x100000);
	ck_assert_uint_eq(img.seg[0].filesz, 0x1800);
	ck_assert_uint_eq(img.seg[0].memsz, 0x1800);
	ck_assert_uint_eq(img.seg[0].flags, PF_R | PF_X);
	ck_assert_uint_eq(img.seg[0].file_offset, phdr(0)->p_offset);
	ck_assert_uint_eq(img.seg[1].gpa, 0x102000);
	ck_assert_uint_eq(img.seg[1].filesz, 0x100);
	ck_assert_uint_eq(img.seg[1].memsz, 0x3000);
	ck_assert_uint_eq(img.gpa_end, 0x105000);
}
END_TEST

/* Copy to p_paddr, zero the bss, touch nothing else. */
static void check_loaded(const struct guest_image *img, const uint8_t *mem)
{
	unsigned i;
	uint32_t a;

	for (i = 0; i < img->nsegments; i++) {
		const struct elf32_phdr *ph = phdr(i);

		ck_assert_mem_eq(mem + ph->p_paddr, image.bytes + ph->p_offset,
				 ph->p_filesz);
		for (a = ph->p_paddr + ph->p_filesz;
		     a < ph->p_paddr + ph->p_memsz; a++)
			ck_assert_uint_eq(mem[a], 0);
	}
}

START_TEST(load_places_segments_at_paddr_and_zeroes_bss)
{
	struct guest_image img;
	uint8_t *mem = malloc(GUEST_MEM);

	ck_assert_ptr_nonnull(mem);
	memset(mem, 0xAA, GUEST_MEM);	/* stale memory must not show in bss */
	build_good();
	ck_assert_ptr_null(guest_image_check(image.bytes, image_size,
					     GUEST_MEM, &img));
	guest_image_load(image.bytes, &img, mem);
	check_loaded(&img, mem);
	/* The gap between the segments and the bytes around them are left. */
	ck_assert_uint_eq(mem[0x100000 - 1], 0xAA);
	ck_assert_uint_eq(mem[0x101800], 0xAA);
	ck_assert_uint_eq(mem[0x101FFF], 0xAA);
	ck_assert_uint_eq(mem[0x105000], 0xAA);
	free(mem);
}
END_TEST

START_TEST(load_identity_linked_kernel)
{
	static const struct test_seg segs[] = {
		{ PT_LOAD, 0x200000, 0x200000, 0x20, 0x1000, PF_R | PF_W | PF_X },
	};
	struct guest_image img;
	uint8_t *mem = calloc(1, GUEST_MEM);

	ck_assert_ptr_nonnull(mem);
	build_image(0x200000, segs, 1, 0x80, 0);
	ck_assert_ptr_null(guest_image_check(image.bytes, image_size,
					     GUEST_MEM, &img));
	guest_image_load(image.bytes, &img, mem);
	check_loaded(&img, mem);
	ck_assert_uint_eq(img.gpa_end, 0x201000);
	free(mem);
}
END_TEST

START_TEST(refuse_not_elf)
{
	build_good();
	image.bytes[1] = 'X';
	expect_refusal("not an ELF file");

	build_good();
	image_size = 20;	/* shorter than an ELF header */
	expect_refusal("not an ELF file");
}
END_TEST

START_TEST(refuse_elf64)
{
	build_good();
	ehdr()->e_ident[4] = 2;	/* ELFCLASS64 */
	expect_refusal("ELF64 image: only 32-bit guests");
}
END_TEST

START_TEST(refuse_other_machine)
{
	build_good();
	ehdr()->e_machine = 62;	/* EM_X86_64 */
	expect_refusal("machine is not i386");
}
END_TEST

START_TEST(refuse_relocatable)
{
	build_good();
	ehdr()->e_type = 1;	/* ET_REL: an object file, not a program */
	expect_refusal("not an executable (e_type 1)");
}
END_TEST

START_TEST(refuse_segment_outside_guest_memory)
{
	struct test_seg segs[2] = { good_segs[0], good_segs[1] };

	/* Ends one page past the last byte of 32 MiB. */
	segs[1].paddr = GUEST_MEM - 0x1000;
	segs[1].memsz = 0x2000;
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	expect_refusal("segment 1 at 0x1fff000 + 0x2000 lies outside the guest's 32 MiB");

	/* Ends exactly at the last byte: accepted. */
	segs[1].memsz = 0x1000;
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	ck_assert_ptr_null(check_image());
}
END_TEST

START_TEST(refuse_segment_wrapping_around_4g)
{
	struct test_seg segs[2] = { good_segs[0], good_segs[1] };

	/* 0xFFFFF000 + 0x2000 wraps to 0x1000 in 32 bits: must not pass. */
	segs[1].paddr = 0xFFFFF000u;
	segs[1].memsz = 0x2000;
	segs[1].filesz = 0x100;
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	expect_refusal("segment 1 at 0xfffff000 + 0x2000 lies outside the guest's 32 MiB");

	/* A size that wraps from a legal start. */
	segs[1].paddr = 0x1000;
	segs[1].memsz = 0xFFFFF000u;
	segs[1].filesz = 0x100;
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	expect_refusal("segment 1 at 0x1000 + 0xfffff000 lies outside the guest's 32 MiB");
}
END_TEST

START_TEST(refuse_entry_outside_segments)
{
	build_image(0x105000, good_segs, 3, 0x1000, 0);	/* just past bss */
	expect_refusal("entry point 0x105000 is not inside a loaded segment");

	build_image(0x80100000u, good_segs, 3, 0x1000, 0);	/* a virtual address */
	expect_refusal("entry point 0x80100000 is not inside a loaded segment");
}
END_TEST

START_TEST(refuse_filesz_greater_than_memsz)
{
	build_good();
	phdr(1)->p_memsz = phdr(1)->p_filesz - 1;
	expect_refusal("filesz > memsz in segment 1");
}
END_TEST

START_TEST(refuse_program_headers_past_end)
{
	build_good();
	ehdr()->e_phoff = image_size - 16;
	expect_refusal("program headers lie past the end of the file");

	/* An offset that would wrap if added to the table's size. */
	build_good();
	ehdr()->e_phoff = 0xFFFFFFF0u;
	expect_refusal("program headers lie past the end of the file");
}
END_TEST

START_TEST(refuse_segment_data_past_end)
{
	build_good();
	phdr(0)->p_filesz = image_size;		/* from a nonzero offset */
	phdr(0)->p_memsz = image_size;
	expect_refusal("segment data lies past the end of the file");

	build_good();
	phdr(0)->p_offset = 0xFFFFFF00u;	/* offset + filesz wraps */
	expect_refusal("segment data lies past the end of the file");
}
END_TEST

START_TEST(refuse_no_loadable_segment)
{
	build_good();
	phdr(0)->p_type = PT_NOTE;
	phdr(1)->p_type = PT_NOTE;
	expect_refusal("no loadable segment");
}
END_TEST

START_TEST(multiboot_header_search_window)
{
	/* Whole within the first 8 KiB, ending at its last byte: found. */
	build_image(GOOD_ENTRY, good_segs, 3, MULTIBOOT_SEARCH - 12, 0);
	ck_assert_ptr_null(check_image());

	/* Starting at 8 KiB: outside the window. */
	build_image(GOOD_ENTRY, good_segs, 3, MULTIBOOT_SEARCH, 0);
	expect_refusal("no multiboot header in the first 8 KiB");

	/* Not 4-byte aligned: not a header. */
	build_image(GOOD_ENTRY, good_segs, 3, 0x1002, 0);
	expect_refusal("no multiboot header in the first 8 KiB");
}
END_TEST

START_TEST(refuse_bad_multiboot_checksum)
{
	uint32_t wrong = 0;

	build_good();
	memcpy(image.bytes + 0x1008, &wrong, 4);
	expect_refusal("multiboot header checksum is wrong");
}
END_TEST

START_TEST(multiboot_flags)
{
	build_image(GOOD_ENTRY, good_segs, 3, 0x1000, MULTIBOOT_AOUT_KLUDGE);
	expect_refusal("a.out kludge not supported");

	/* Bit 3 is a requirement this loader does not know: must refuse. */
	build_image(GOOD_ENTRY, good_segs, 3, 0x1000, 0x8u);
	expect_refusal("multiboot header requires unknown features (flags 0x8)");

	/* A video mode request may be ignored; optional high bits too. */
	build_image(GOOD_ENTRY, good_segs, 3, 0x1000, MULTIBOOT_PAGE_ALIGN |
		    MULTIBOOT_MEMORY_INFO | MB_VIDEO_MODE | 0x00020000u);
	ck_assert_ptr_null(check_image());
}
END_TEST

START_TEST(refuse_too_many_segments)
{
	struct test_seg segs[GUEST_IMAGE_MAX_SEGMENTS + 1];
	unsigned i;

	for (i = 0; i <= GUEST_IMAGE_MAX_SEGMENTS; i++) {
		uint32_t gpa = 0x100000 + i * 0x1000;

		segs[i] = (struct test_seg){ PT_LOAD, gpa, gpa, 0x10, 0x1000, PF_R };
	}
	build_image(0x100000, segs, GUEST_IMAGE_MAX_SEGMENTS, 0x1000, 0);
	ck_assert_ptr_null(check_image());
	build_image(0x100000, segs, GUEST_IMAGE_MAX_SEGMENTS + 1, 0x1000, 0);
	expect_refusal("too many segments");
}
END_TEST

START_TEST(refuse_overlapping_segments)
{
	struct test_seg segs[2] = { good_segs[0], good_segs[1] };

	segs[1].paddr = 0x101000;	/* inside the text's 0x100000..0x1017FF */
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	expect_refusal("overlapping segments");

	segs[1].paddr = 0x101800;	/* adjacent, not overlapping */
	build_image(GOOD_ENTRY, segs, 2, 0x1000, 0);
	ck_assert_ptr_null(check_image());
}
END_TEST

START_TEST(info_gpa_is_page_after_image)
{
	struct guest_image img = { 0 };

	img.gpa_end = 0x105000;
	ck_assert_uint_eq(guest_image_info_gpa(&img), 0x105000);
	img.gpa_end = 0x105001;
	ck_assert_uint_eq(guest_image_info_gpa(&img), 0x106000);
	img.gpa_end = 0xFFFFF001u;	/* no page boundary follows */
	ck_assert_uint_eq(guest_image_info_gpa(&img), 0);
}
END_TEST

/* Read a structure the builder wrote into guest memory. */
static struct multiboot_info read_info(const uint8_t *mem, uint32_t gpa)
{
	struct multiboot_info info;

	memcpy(&info, mem + gpa, sizeof(info));
	return info;
}

START_TEST(multiboot_info_fields)
{
	const char *cmdline = "guest.elf loops=3";
	const uint32_t info_gpa = 0x105000;
	uint8_t *mem = calloc(1, GUEST_MEM);
	struct multiboot_info info;
	uint32_t end;

	ck_assert_ptr_nonnull(mem);
	end = guest_multiboot_build(mem, GUEST_MEM, info_gpa, cmdline);
	ck_assert_uint_ne(end, 0);
	info = read_info(mem, info_gpa);

	/* Bits 0, 2, 3, 6 and 9 of the specification's flags, nothing else. */
	ck_assert_uint_eq(info.flags, (1u << 0) | (1u << 2) | (1u << 3) |
					      (1u << 6) | (1u << 9));
	/* 639 KiB of conventional memory, as on a PC with a 1 KiB EBDA. */
	ck_assert_uint_eq(info.mem_lower, 639);
	/* 31 MiB above the first MiB. */
	ck_assert_uint_eq(info.mem_upper, 31u * 1024u);
	ck_assert_uint_eq(info.mods_count, 0);

	ck_assert_str_eq((const char *)mem + info.cmdline, cmdline);
	ck_assert_str_eq((const char *)mem + info.boot_loader_name, "trapvisor");

	/* Everything lies after the structure and before the returned end. */
	ck_assert_uint_ge(info.mmap_addr, info_gpa + sizeof(info));
	ck_assert_uint_ge(info.cmdline, info.mmap_addr + info.mmap_length);
	ck_assert_uint_gt(info.boot_loader_name, info.cmdline + strlen(cmdline));
	ck_assert_uint_eq(end, info.boot_loader_name + sizeof("trapvisor"));
	ck_assert_uint_eq(info.mmap_addr % 4, 0);
	free(mem);
}
END_TEST

/* The memory map a guest walks with "addr += size + 4" (spec, 3.3). */
START_TEST(multiboot_memory_map)
{
	static const struct {
		uint64_t addr, len;
		uint32_t type;
	} expected[] = {
		{ 0x00000, 0x9FC00, MULTIBOOT_MEMORY_AVAILABLE },
		{ 0x9FC00, 0x00400, MULTIBOOT_MEMORY_RESERVED },
		{ 0xF0000, 0x10000, MULTIBOOT_MEMORY_RESERVED },
		{ 0x100000, GUEST_MEM - 0x100000, MULTIBOOT_MEMORY_AVAILABLE },
	};
	uint8_t *mem = calloc(1, GUEST_MEM);
	struct multiboot_info info;
	uint32_t at, n = 0;

	ck_assert_ptr_nonnull(mem);
	ck_assert_uint_ne(guest_multiboot_build(mem, GUEST_MEM, 0x200000, ""), 0);
	info = read_info(mem, 0x200000);
	for (at = info.mmap_addr; at < info.mmap_addr + info.mmap_length; n++) {
		struct multiboot_mmap_entry e;

		ck_assert_uint_lt(n, 4);
		memcpy(&e, mem + at, sizeof(e));
		ck_assert_uint_eq(e.size, 20);	/* addr, len, type */
		ck_assert_uint_eq(e.addr, expected[n].addr);
		ck_assert_uint_eq(e.len, expected[n].len);
		ck_assert_uint_eq(e.type, expected[n].type);
		at += e.size + 4;
	}
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(at, info.mmap_addr + info.mmap_length);
	ck_assert_str_eq((const char *)mem + info.cmdline, "");
	free(mem);
}
END_TEST

/* Modules as QEMU's loader gives them: listed, with strings, each page-aligned. */
START_TEST(multiboot_modules_listed_and_copied)
{
	static const uint8_t first[5000] = { 0xAA, [4999] = 0xBB };
	static const uint8_t second[3] = { 1, 2, 3 };
	const struct guest_module mods[2] = {
		{ first, sizeof first, "initrd root=1" },
		{ second, sizeof second, NULL },
	};
	const uint32_t info_gpa = 0x105000;
	uint8_t *mem = calloc(1, GUEST_MEM);
	struct multiboot_info info;
	struct multiboot_module m[2];
	uint32_t end, last;

	ck_assert_ptr_nonnull(mem);
	end = guest_multiboot_build(mem, GUEST_MEM, info_gpa, "guest");
	last = guest_multiboot_add_modules(mem, GUEST_MEM, info_gpa, end, mods, 2);
	ck_assert_uint_ne(last, 0);
	info = read_info(mem, info_gpa);
	ck_assert_uint_eq(info.mods_count, 2);
	ck_assert_uint_ge(info.mods_addr, end);
	ck_assert_uint_eq(info.mods_addr % 4, 0);
	memcpy(m, mem + info.mods_addr, sizeof m);
	ck_assert_str_eq((const char *)mem + m[0].string, "initrd root=1");
	ck_assert_str_eq((const char *)mem + m[1].string, "");
	ck_assert_uint_eq(m[0].mod_start % 0x1000, 0);
	ck_assert_uint_eq(m[1].mod_start % 0x1000, 0);
	ck_assert_uint_eq(m[0].mod_end - m[0].mod_start, sizeof first);
	ck_assert_uint_eq(m[1].mod_end - m[1].mod_start, sizeof second);
	/* The data lies after the list and the strings, in order, apart. */
	ck_assert_uint_gt(m[0].mod_start, m[1].string);
	ck_assert_uint_ge(m[1].mod_start, m[0].mod_end);
	ck_assert_mem_eq(mem + m[0].mod_start, first, sizeof first);
	ck_assert_mem_eq(mem + m[1].mod_start, second, sizeof second);
	ck_assert_uint_eq(last, m[1].mod_end);
	/* The rest of the information is as before. */
	ck_assert_str_eq((const char *)mem + info.cmdline, "guest");
	free(mem);
}
END_TEST

/* Modules that do not fit leave guest memory as it was. */
START_TEST(multiboot_modules_must_fit)
{
	static uint8_t big[0x10000];
	const struct guest_module mod = { big, sizeof big, "big" };
	const uint32_t mem_bytes = 2 * MIB;
	uint8_t *mem = calloc(1, mem_bytes), *copy = malloc(mem_bytes);
	uint32_t end;

	ck_assert_ptr_nonnull(mem);
	ck_assert_ptr_nonnull(copy);
	memset(big, 0x5A, sizeof big);
	end = guest_multiboot_build(mem, mem_bytes, 0x1F0000, "x");
	ck_assert_uint_ne(end, 0);
	memcpy(copy, mem, mem_bytes);
	ck_assert_uint_eq(guest_multiboot_add_modules(mem, mem_bytes, 0x1F0000, end, &mod, 1), 0);
	ck_assert_mem_eq(mem, copy, mem_bytes);
	/* With room, the same module goes in. */
	ck_assert_uint_ne(guest_multiboot_add_modules(mem, mem_bytes, 0x100000,
						      guest_multiboot_build(mem, mem_bytes, 0x100000, "x"),
						      &mod, 1), 0);
	free(mem);
	free(copy);
}
END_TEST

START_TEST(multiboot_info_must_fit)
{
	const uint32_t mem_bytes = 2 * MIB;
	uint8_t *mem = calloc(1, mem_bytes);
	struct multiboot_info info;
	uint32_t end, need;

	ck_assert_ptr_nonnull(mem);
	/* Measure what it needs, then place it flush with the end of memory
	 * (the command line "x" makes the total a multiple of 4, since the
	 * structure must start 4-byte aligned). */
	end = guest_multiboot_build(mem, mem_bytes, 0x100000, "x");
	ck_assert_uint_ne(end, 0);
	need = end - 0x100000;
	ck_assert_uint_eq(need % 4, 0);
	ck_assert_uint_eq(guest_multiboot_build(mem, mem_bytes,
						mem_bytes - need, "x"),
			  mem_bytes);
	/* Four bytes later does not fit; neither does a start past the end,
	 * nor one whose sum with the size would wrap, nor an unaligned one. */
	ck_assert_uint_eq(guest_multiboot_build(mem, mem_bytes,
						mem_bytes - need + 4, "x"), 0);
	ck_assert_uint_eq(guest_multiboot_build(mem, mem_bytes,
						mem_bytes + 0x1000, NULL), 0);
	ck_assert_uint_eq(guest_multiboot_build(mem, mem_bytes, 0xFFFFFFF0u,
						NULL), 0);
	ck_assert_uint_eq(guest_multiboot_build(mem, mem_bytes, 0x100001,
						NULL), 0);
	/* Below 1 MiB there is no PC memory layout to describe. */
	ck_assert_uint_eq(guest_multiboot_build(mem, MIB - 0x1000, 0x1000,
						NULL), 0);

	/* Exactly 1 MiB: no memory above it, so three entries. */
	ck_assert_uint_ne(guest_multiboot_build(mem, MIB, 0x80000, "x"), 0);
	info = read_info(mem, 0x80000);
	ck_assert_uint_eq(info.mem_upper, 0);
	ck_assert_uint_eq(info.mmap_length, 3 * 24);
	free(mem);
}
END_TEST

static Suite *guest_image_suite(void)
{
	Suite *s = suite_create("guest_image");
	TCase *check = tcase_create("check");
	TCase *load = tcase_create("load");
	TCase *mb = tcase_create("multiboot_info");

	tcase_add_test(check, good_image_is_described);
	tcase_add_test(check, refuse_not_elf);
	tcase_add_test(check, refuse_elf64);
	tcase_add_test(check, refuse_other_machine);
	tcase_add_test(check, refuse_relocatable);
	tcase_add_test(check, refuse_segment_outside_guest_memory);
	tcase_add_test(check, refuse_segment_wrapping_around_4g);
	tcase_add_test(check, refuse_entry_outside_segments);
	tcase_add_test(check, refuse_filesz_greater_than_memsz);
	tcase_add_test(check, refuse_program_headers_past_end);
	tcase_add_test(check, refuse_segment_data_past_end);
	tcase_add_test(check, refuse_no_loadable_segment);
	tcase_add_test(check, multiboot_header_search_window);
	tcase_add_test(check, refuse_bad_multiboot_checksum);
	tcase_add_test(check, multiboot_flags);
	tcase_add_test(check, refuse_too_many_segments);
	tcase_add_test(check, refuse_overlapping_segments);
	suite_add_tcase(s, check);

	tcase_add_test(load, load_places_segments_at_paddr_and_zeroes_bss);
	tcase_add_test(load, load_identity_linked_kernel);
	suite_add_tcase(s, load);

	tcase_add_test(mb, info_gpa_is_page_after_image);
	tcase_add_test(mb, multiboot_info_fields);
	tcase_add_test(mb, multiboot_memory_map);
	tcase_add_test(mb, multiboot_info_must_fit);
	tcase_add_test(mb, multiboot_modules_listed_and_copied);
	tcase_add_test(mb, multiboot_modules_must_fit);
	suite_add_tcase(s, mb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guest_image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
