/*
 * tests/fuzz_host/fuzz_guest_image.c: fuzzes the guest loader
 * (hv/guest_image.c): the check of a guest's ELF file, the load into guest
 * memory and the multiboot information, with any bytes as the file.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: guest memory size (u32), an info address for refused images (u32),
 * a command-line length (u8) and its bytes, then the file.
 *
 * Properties, from hv/guest_image.h:
 *   1. A refusal is one printable line.
 *   2. An accepted image has 1..16 segments, each with filesz <= memsz, its
 *      file bytes inside the file and its memory inside guest memory; no two
 *      overlap; the entry lies inside one; gpa_end is the highest end; the
 *      file holds a multiboot header with a good checksum in its first 8 KiB.
 *   3. Loading writes only guest memory (the rest is poisoned for ASan), puts
 *      each segment's file bytes at its gpa and zeroes its bss.
 *   4. The multiboot information is built exactly when it fits, only from
 *      info_gpa on (below is poisoned too), and reads back as documented:
 *      memory sizes, a memory map of the PC, the command line, the loader name.
 */
#include <sanitizer/asan_interface.h>
#include <string.h>

#include "hv/guest_image.h"
#include "lib/elf32.h"
#include "lib/multiboot.h"
#include "tests/fuzz_host/fuzz_input.h"

#define MIB		0x100000u
#define GUEST_MEM_MAX	(4u * MIB)	/* larger sizes are only checked, not loaded */

static uint8_t guest_mem[GUEST_MEM_MAX] __attribute__((aligned(4096)));

static const uint8_t zero_page[4096];

static int all_zero(const uint8_t *p, uint32_t n)
{
	while (n > 0) {
		uint32_t k = n < sizeof(zero_page) ? n : sizeof(zero_page);

		if (memcmp(p, zero_page, k) != 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

static uint32_t round_up8(uint32_t x)
{
	return (x + 7u) & ~7u;
}

static void check_reason(const char *why)
{
	size_t n = strlen(why);

	FUZZ_CHECK(n > 0 && n < 128, "reason of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(why[i] >= 0x20 && why[i] < 0x7F, "byte 0x%02x in reason \"%s\"",
			   (unsigned)(uint8_t)why[i], why);
}

static int has_multiboot_header(const uint8_t *file, size_t size)
{
	size_t window = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;

	for (size_t off = 0; off + 12 <= window; off += 4) {
		uint32_t h[3];

		memcpy(h, file + off, sizeof(h));
		if (h[0] == MULTIBOOT_HEADER_MAGIC && (uint32_t)(h[0] + h[1] + h[2]) == 0)
			return !(h[1] & MULTIBOOT_AOUT_KLUDGE);
	}
	return 0;
}

static void check_accepted(const struct guest_image *img, const uint8_t *file, size_t size,
			   uint32_t mem_bytes)
{
	uint64_t highest = 0;
	int entry_inside = 0;

	FUZZ_CHECK(img->nsegments >= 1 && img->nsegments <= GUEST_IMAGE_MAX_SEGMENTS,
		   "%u segments", img->nsegments);
	FUZZ_CHECK(has_multiboot_header(file, size), "accepted without a usable multiboot header");
	for (unsigned i = 0; i < img->nsegments; i++) {
		const struct guest_image_segment *s = &img->seg[i];
		uint64_t end = (uint64_t)s->gpa + s->memsz;

		FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz, "segment %u: filesz 0x%x memsz 0x%x",
			   i, s->filesz, s->memsz);
		FUZZ_CHECK((uint64_t)s->file_offset + s->filesz <= size,
			   "segment %u: file bytes 0x%x+0x%x past a file of 0x%zx", i,
			   s->file_offset, s->filesz, size);
		FUZZ_CHECK(end <= mem_bytes, "segment %u: 0x%x+0x%x outside 0x%x bytes", i, s->gpa,
			   s->memsz, mem_bytes);
		for (unsigned j = 0; j < i; j++) {
			const struct guest_image_segment *t = &img->seg[j];

			FUZZ_CHECK(end <= t->gpa || (uint64_t)t->gpa + t->memsz <= s->gpa,
				   "segments %u and %u overlap", j, i);
		}
		if (img->entry >= s->gpa && img->entry < end)
			entry_inside = 1;
		if (end > highest)
			highest = end;
	}
	FUZZ_CHECK(entry_inside, "entry 0x%x in no segment", img->entry);
	FUZZ_CHECK(img->gpa_end == highest, "gpa_end 0x%x, highest end 0x%llx", img->gpa_end,
		   (unsigned long long)highest);
}

static void load_and_compare(const struct guest_image *img, const uint8_t *file)
{
	/* bss that stays 0xA5 shows a missed memset. */
	for (unsigned i = 0; i < img->nsegments; i++)
		memset(guest_mem + img->seg[i].gpa, 0xA5, img->seg[i].memsz);
	guest_image_load(file, img, guest_mem);
	for (unsigned i = 0; i < img->nsegments; i++) {
		const struct guest_image_segment *s = &img->seg[i];

		FUZZ_CHECK(memcmp(guest_mem + s->gpa, file + s->file_offset, s->filesz) == 0,
			   "segment %u not copied", i);
		FUZZ_CHECK(all_zero(guest_mem + s->gpa + s->filesz, s->memsz - s->filesz),
			   "bss of segment %u not zeroed", i);
	}
}

static void check_multiboot(uint32_t mem_bytes, uint32_t info_gpa, const char *cmdline)
{
	size_t cmd_len = strlen(cmdline) + 1;
	unsigned nmmap = mem_bytes > MIB ? 4 : 3;
	uint64_t need = sizeof(struct multiboot_info) +
			nmmap * sizeof(struct multiboot_mmap_entry) + cmd_len +
			sizeof(GUEST_MULTIBOOT_LOADER_NAME);
	int fits = mem_bytes >= MIB && info_gpa % 4 == 0 && (uint64_t)info_gpa + need <= mem_bytes;
	uint32_t below = info_gpa < mem_bytes ? info_gpa & ~7u : 0;

	/* Everything below the information is the guest's: no write may land there. */
	ASAN_POISON_MEMORY_REGION(guest_mem, below);
	uint32_t end = guest_multiboot_build(guest_mem, mem_bytes, info_gpa, cmdline);
	ASAN_UNPOISON_MEMORY_REGION(guest_mem, below);

	FUZZ_CHECK((end != 0) == fits, "built: end 0x%x; fits: %d (mem 0x%x, info 0x%x, need 0x%llx)",
		   end, fits, mem_bytes, info_gpa, (unsigned long long)need);
	if (!end)
		return;
	FUZZ_CHECK(end == info_gpa + need, "end 0x%x, info 0x%x + 0x%llx", end, info_gpa,
		   (unsigned long long)need);

	struct multiboot_info info;
	memcpy(&info, guest_mem + info_gpa, sizeof(info));
	uint32_t want_flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
			      MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER;
	FUZZ_CHECK(info.flags == want_flags, "flags 0x%x", info.flags);
	FUZZ_CHECK(info.mem_lower == 639, "mem_lower %u", info.mem_lower);
	FUZZ_CHECK(info.mem_upper == (mem_bytes - MIB) / 1024, "mem_upper %u", info.mem_upper);
	FUZZ_CHECK(info.mods_count == 0, "mods_count %u", info.mods_count);
	FUZZ_CHECK(info.mmap_length == nmmap * sizeof(struct multiboot_mmap_entry) &&
		   info.mmap_addr > info_gpa && info.mmap_addr + info.mmap_length <= end,
		   "mmap at 0x%x, 0x%x bytes", info.mmap_addr, info.mmap_length);

	/* The map: sorted, disjoint, all below guest memory's end, RAM at 0 and from 1 MiB. */
	uint64_t prev_end = 0;
	for (unsigned i = 0; i < nmmap; i++) {
		struct multiboot_mmap_entry e;

		memcpy(&e, guest_mem + info.mmap_addr + i * sizeof(e), sizeof(e));
		FUZZ_CHECK(e.size == 20 && e.len > 0 && e.addr >= prev_end &&
			   e.addr + e.len <= (mem_bytes > MIB ? mem_bytes : MIB),
			   "map entry %u: size %u, 0x%llx + 0x%llx", i, e.size,
			   (unsigned long long)e.addr, (unsigned long long)e.len);
		FUZZ_CHECK(e.type == ((i == 0 || i == 3) ? MULTIBOOT_MEMORY_AVAILABLE :
			   MULTIBOOT_MEMORY_RESERVED), "map entry %u: type %u", i, e.type);
		prev_end = e.addr + e.len;
	}
	FUZZ_CHECK(info.cmdline >= info.mmap_addr + info.mmap_length &&
		   info.cmdline + cmd_len <= end &&
		   memcmp(guest_mem + info.cmdline, cmdline, cmd_len) == 0,
		   "command line at 0x%x", info.cmdline);
	FUZZ_CHECK(info.boot_loader_name + sizeof(GUEST_MULTIBOOT_LOADER_NAME) == end &&
		   memcmp(guest_mem + info.boot_loader_name, GUEST_MULTIBOOT_LOADER_NAME,
			  sizeof(GUEST_MULTIBOOT_LOADER_NAME)) == 0,
		   "loader name at 0x%x", info.boot_loader_name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t mem_bytes = fuzz_u32(&in);
	uint32_t refused_info_gpa = fuzz_u32(&in);
	uint8_t cmd_len = fuzz_u8(&in);
	char cmdline[256];
	struct guest_image img;

	for (unsigned i = 0; i < cmd_len; i++) {
		cmdline[i] = (char)fuzz_u8(&in);
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
	}
	cmdline[cmd_len] = '\0';

	/* The file is copied so that ASan sees its exact end. */
	uint8_t *file = malloc(in.size ? in.size : 1);
	memcpy(file, in.data, in.size);

	const char *why = guest_image_check(file, in.size, mem_bytes, &img);
	if (why)
		check_reason(why);
	else
		check_accepted(&img, file, in.size, mem_bytes);

	if (mem_bytes <= GUEST_MEM_MAX) {
		ASAN_POISON_MEMORY_REGION(guest_mem + round_up8(mem_bytes),
					  GUEST_MEM_MAX - round_up8(mem_bytes));
		if (!why) {
			load_and_compare(&img, file);
			uint32_t info_gpa = guest_image_info_gpa(&img);

			FUZZ_CHECK(info_gpa % 4096 == 0 && info_gpa >= img.gpa_end &&
				   info_gpa - img.gpa_end < 4096,
				   "info at 0x%x after gpa_end 0x%x", info_gpa, img.gpa_end);
			check_multiboot(mem_bytes, info_gpa, cmdline);
		} else {
			check_multiboot(mem_bytes, refused_info_gpa, cmdline);
		}
		ASAN_UNPOISON_MEMORY_REGION(guest_mem, GUEST_MEM_MAX);
	}
	free(file);
	return 0;
}
