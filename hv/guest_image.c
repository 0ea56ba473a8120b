/*
 * hv/guest_image.c: checking and loading a guest kernel, and the multiboot
 * information handed to it.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 *   1. guest_image_check() reads the file once and refuses anything it cannot
 *      load faithfully, with a one-line reason. Every size and offset in the
 *      file is guest input: all range checks are written as "start <= limit
 *      && length <= limit - start", which cannot wrap around 2^32 the way
 *      "start + length <= limit" can.
 *   2. guest_image_load() then trusts the checked description.
 *   3. guest_multiboot_build() plays the multiboot loader's part.
 */
#include "hv/guest_image.h"

#include "lib/elf32.h"
#include "lib/format.h"
#include "lib/multiboot.h"
#include "lib/string.h"

#define PAGE_SIZE	0x1000u
#define ONE_MIB		0x100000u

/*
 * The plain PC's memory below 1 MiB, as QEMU's BIOS reports it: RAM up to
 * the extended BIOS data area at 0x9FC00, then the EBDA, the VGA window and
 * option ROMs, and the BIOS itself from 0xF0000.
 */
#define PC_EBDA_START	0x9FC00u
#define PC_EBDA_END	0xA0000u
#define PC_BIOS_START	0xF0000u

/* Multiboot header flags in the low 16 bits are requirements a loader must
 * meet or refuse. We meet these three: page-aligned modules (there are none),
 * memory information (always given) and a video mode (a request we may
 * ignore, as the specification allows when no display exists). */
#define MB_KNOWN_REQUIRED_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | \
				 0x00000004u)
#define MB_REQUIRED_MASK	0x0000FFFFu

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF header is 52 bytes");
_Static_assert(sizeof(struct elf32_phdr) == 32, "program header is 32 bytes");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24,
	       "memory map entry is 24 bytes");

/* The reasons with numbers in them are formatted here (see guest_image.h). */
static char reason[128];

/* Is [start, start + len) inside [0, limit)? Written so it cannot wrap. */
static int range_inside(uint64_t start, uint64_t len, uint64_t limit)
{
	return start <= limit && len <= limit - start;
}

/* "32 MiB", or the exact size when it is not a whole number of MiB. */
static const char *mem_size_text(uint32_t bytes, char *buf, size_t size)
{
	if (bytes % ONE_MIB == 0)
		tv_snprintf(buf, size, "%u MiB", (unsigned)(bytes / ONE_MIB));
	else
		tv_snprintf(buf, size, "%u KiB", (unsigned)(bytes / 1024u));
	return buf;
}

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));	/* the file may sit at any alignment */
	return v;
}

/* Find the multiboot header: 4-byte aligned, whole within the first 8 KiB.
 * Like real loaders, skip a magic number whose checksum fails and keep
 * looking. Returns NULL and sets *flags if found, else the reason. */
static const char *find_multiboot_header(const uint8_t *file, size_t file_size,
					 uint32_t *flags)
{
	size_t window = file_size < MULTIBOOT_SEARCH ? file_size : MULTIBOOT_SEARCH;
	int saw_bad_checksum = 0;
	size_t off;

	for (off = 0; off + sizeof(struct multiboot_header) <= window; off += 4) {
		uint32_t magic = read_u32(file + off);
		uint32_t mb_flags = read_u32(file + off + 4);
		uint32_t checksum = read_u32(file + off + 8);

		if (magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		if ((uint32_t)(magic + mb_flags + checksum) != 0) {
			saw_bad_checksum = 1;
			continue;
		}
		*flags = mb_flags;
		return NULL;
	}
	if (saw_bad_checksum)
		return "multiboot header checksum is wrong";
	return "no multiboot header in the first 8 KiB";
}

static const char *check_elf_header(const struct elf32_ehdr *eh,
				    size_t file_size)
{
	if (eh->e_ident[4] == 2)	/* ELFCLASS64 */
		return "ELF64 image: only 32-bit guests";
	if (eh->e_ident[4] != ELFCLASS32)
		return "not an ELF file";
	if (eh->e_ident[5] != ELFDATA2LSB)
		return "big-endian ELF: only little-endian i386 guests";
	if (eh->e_type != ET_EXEC) {
		tv_snprintf(reason, sizeof(reason),
			    "not an executable (e_type %u)", (unsigned)eh->e_type);
		return reason;
	}
	if (eh->e_machine != EM_386)
		return "machine is not i386";
	if (eh->e_phnum != 0 && eh->e_phentsize != sizeof(struct elf32_phdr)) {
		tv_snprintf(reason, sizeof(reason),
			    "program header size is %u, not %u",
			    (unsigned)eh->e_phentsize,
			    (unsigned)sizeof(struct elf32_phdr));
		return reason;
	}
	/* e_phnum * e_phentsize is at most 65535 * 32: no overflow. */
	if (!range_inside(eh->e_phoff,
			  (uint64_t)eh->e_phnum * sizeof(struct elf32_phdr),
			  file_size))
		return "program headers lie past the end of the file";
	return NULL;
}

/* Check one PT_LOAD header (index i in the file) and record it in img. */
static const char *check_segment(const struct elf32_phdr *ph, unsigned i,
				 size_t file_size, uint32_t guest_mem_bytes,
				 struct guest_image *img)
{
	struct guest_image_segment *s;
	char size_text[24];

	if (ph->p_filesz > ph->p_memsz) {
		tv_snprintf(reason, sizeof(reason),
			    "filesz > memsz in segment %u", i);
		return reason;
	}
	if (ph->p_memsz == 0)
		return NULL;	/* occupies nothing: nothing to load */
	if (!range_inside(ph->p_offset, ph->p_filesz, file_size))
		return "segment data lies past the end of the file";
	if (!range_inside(ph->p_paddr, ph->p_memsz, guest_mem_bytes)) {
		tv_snprintf(reason, sizeof(reason),
			    "segment %u at 0x%x + 0x%x lies outside the guest's %s",
			    i, (unsigned)ph->p_paddr, (unsigned)ph->p_memsz,
			    mem_size_text(guest_mem_bytes, size_text,
					  sizeof(size_text)));
		return reason;
	}
	if (img->nsegments == GUEST_IMAGE_MAX_SEGMENTS)
		return "too many segments";

	s = &img->seg[img->nsegments++];
	s->gpa = ph->p_paddr;
	s->la = ph->p_vaddr;
	s->file_offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	s->flags = ph->p_flags;
	/* Cannot wrap: range_inside() put gpa + memsz within guest memory. */
	if (s->gpa + s->memsz > img->gpa_end)
		img->gpa_end = s->gpa + s->memsz;
	return NULL;
}

/* Segments end within guest memory (checked), so these sums cannot wrap. */
static int segments_overlap(const struct guest_image_segment *a,
			    const struct guest_image_segment *b)
{
	return a->gpa < b->gpa + b->memsz && b->gpa < a->gpa + a->memsz;
}

static int entry_is_loaded(const struct guest_image *img)
{
	unsigned i;

	for (i = 0; i < img->nsegments; i++) {
		const struct guest_image_segment *s = &img->seg[i];

		if (img->entry >= s->gpa && img->entry - s->gpa < s->memsz)
			return 1;
	}
	return 0;
}

const char *guest_image_check(const void *file, size_t file_size,
			      uint32_t guest_mem_bytes, struct guest_image *out)
{
	const uint8_t *bytes = file;
	struct elf32_ehdr eh;
	uint32_t mb_flags = 0;
	const char *why;
	unsigned i, j;

	memset(out, 0, sizeof(*out));
	if (file == NULL || file_size < sizeof(eh))
		return "not an ELF file";
	memcpy(&eh, bytes, sizeof(eh));
	if (read_u32(eh.e_ident) != ELF_MAGIC)
		return "not an ELF file";
	why = check_elf_header(&eh, file_size);
	if (why)
		return why;

	why = find_multiboot_header(bytes, file_size, &mb_flags);
	if (why)
		return why;
	/* The a.out kludge gives load addresses in the header instead of the
	 * ELF program headers; we load ELF only, so we would load it wrongly. */
	if (mb_flags & MULTIBOOT_AOUT_KLUDGE)
		return "a.out kludge not supported";
	if (mb_flags & MB_REQUIRED_MASK & ~MB_KNOWN_REQUIRED_FLAGS) {
		tv_snprintf(reason, sizeof(reason),
			    "multiboot header requires unknown features (flags 0x%x)",
			    (unsigned)mb_flags);
		return reason;
	}

	for (i = 0; i < eh.e_phnum; i++) {
		struct elf32_phdr ph;

		memcpy(&ph, bytes + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		why = check_segment(&ph, i, file_size, guest_mem_bytes, out);
		if (why)
			return why;
	}
	if (out->nsegments == 0)
		return "no loadable segment";

	for (i = 0; i < out->nsegments; i++)
		for (j = i + 1; j < out->nsegments; j++)
			if (segments_overlap(&out->seg[i], &out->seg[j]))
				return "overlapping segments";

	out->entry = eh.e_entry;
	if (!entry_is_loaded(out)) {
		tv_snprintf(reason, sizeof(reason),
			    "entry point 0x%x is not inside a loaded segment",
			    (unsigned)eh.e_entry);
		return reason;
	}
	return NULL;
}

void guest_image_load(const void *file, const struct guest_image *img,
		      uint8_t *guest_mem)
{
	const uint8_t *bytes = file;
	unsigned i;

	for (i = 0; i < img->nsegments; i++) {
		const struct guest_image_segment *s = &img->seg[i];

		memcpy(guest_mem + s->gpa, bytes + s->file_offset, s->filesz);
		memset(guest_mem + s->gpa + s->filesz, 0, s->memsz - s->filesz);
	}
}

uint32_t guest_image_info_gpa(const struct guest_image *img)
{
	if (img->gpa_end > 0xFFFFFFFFu - (PAGE_SIZE - 1))
		return 0;
	return (img->gpa_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Append one memory map entry at *at (a gpa); 'size' excludes itself. */
static void put_mmap_entry(uint8_t *guest_mem, uint32_t *at, uint64_t addr,
			   uint64_t len, uint32_t type)
{
	struct multiboot_mmap_entry e;

	e.size = sizeof(e) - sizeof(e.size);
	e.addr = addr;
	e.len = len;
	e.type = type;
	memcpy(guest_mem + *at, &e, sizeof(e));
	*at += sizeof(e);
}

uint32_t guest_multiboot_build(uint8_t *guest_mem, uint32_t guest_mem_bytes,
			       uint32_t info_gpa, const char *cmdline)
{
	struct multiboot_info info;
	unsigned nmmap = guest_mem_bytes > ONE_MIB ? 4 : 3;
	uint64_t cmdline_len, loader_len, total;
	uint32_t at;

	if (cmdline == NULL)
		cmdline = "";
	if (guest_mem_bytes < ONE_MIB || info_gpa % 4 != 0)
		return 0;
	cmdline_len = strlen(cmdline) + 1;
	loader_len = sizeof(GUEST_MULTIBOOT_LOADER_NAME);
	total = sizeof(info) + nmmap * sizeof(struct multiboot_mmap_entry) +
		cmdline_len + loader_len;
	if (!range_inside(info_gpa, total, guest_mem_bytes))
		return 0;

	memset(&info, 0, sizeof(info));
	info.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		     MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MEM_MAP |
		     MULTIBOOT_INFO_LOADER;
	info.mem_lower = PC_EBDA_START / 1024u;
	info.mem_upper = (guest_mem_bytes - ONE_MIB) / 1024u;

	/* Lay out, after the structure: the (empty) module list, the memory
	 * map, the command line, the loader's name. */
	at = info_gpa + sizeof(info);
	info.mods_count = 0;
	info.mods_addr = at;	/* an empty list takes no room */

	info.mmap_addr = at;
	put_mmap_entry(guest_mem, &at, 0, PC_EBDA_START,
		       MULTIBOOT_MEMORY_AVAILABLE);
	put_mmap_entry(guest_mem, &at, PC_EBDA_START,
		       PC_EBDA_END - PC_EBDA_START, MULTIBOOT_MEMORY_RESERVED);
	put_mmap_entry(guest_mem, &at, PC_BIOS_START, ONE_MIB - PC_BIOS_START,
		       MULTIBOOT_MEMORY_RESERVED);
	if (nmmap == 4)
		put_mmap_entry(guest_mem, &at, ONE_MIB,
			       guest_mem_bytes - ONE_MIB,
			       MULTIBOOT_MEMORY_AVAILABLE);
	info.mmap_length = at - info.mmap_addr;

	info.cmdline = at;
	memcpy(guest_mem + at, cmdline, cmdline_len);
	at += (uint32_t)cmdline_len;	/* all of it fits: checked above */

	info.boot_loader_name = at;
	memcpy(guest_mem + at, GUEST_MULTIBOOT_LOADER_NAME, loader_len);
	at += (uint32_t)loader_len;

	memcpy(guest_mem + info_gpa, &info, sizeof(info));
	return at;
}

uint32_t guest_multiboot_add_modules(uint8_t *guest_mem, uint32_t guest_mem_bytes,
				     uint32_t info_gpa, uint32_t end,
				     const struct guest_module *mods, uint32_t nmods)
{
	struct multiboot_info info;
	uint64_t list = (end + 3u) & ~3ull, strings, at, data;
	uint32_t i;

	if (!range_inside(info_gpa, sizeof(info), guest_mem_bytes) || nmods > 256)
		return 0;
	/* The list, then the strings, then each module's bytes at a page boundary. */
	strings = list + (uint64_t)nmods * sizeof(struct multiboot_module);
	at = strings;
	for (i = 0; i < nmods; i++)
		at += strlen(mods[i].string ? mods[i].string : "") + 1;
	data = at;
	for (i = 0; i < nmods; i++)
		data = ((data + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1)) + mods[i].len;
	if (!range_inside(0, data, guest_mem_bytes))
		return 0;

	data = at;
	at = strings;
	for (i = 0; i < nmods; i++) {
		struct multiboot_module m;
		const char *str = mods[i].string ? mods[i].string : "";
		size_t slen = strlen(str) + 1;

		memcpy(guest_mem + at, str, slen);
		m.string = (uint32_t)at;
		at += slen;
		data = (data + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		m.mod_start = (uint32_t)data;
		m.mod_end = (uint32_t)(data + mods[i].len);
		m.reserved = 0;
		memcpy(guest_mem + data, mods[i].data, mods[i].len);
		memcpy(guest_mem + list + i * sizeof(m), &m, sizeof(m));
		data += mods[i].len;
	}
	memcpy(&info, guest_mem + info_gpa, sizeof(info));
	info.mods_count = nmods;
	info.mods_addr = (uint32_t)list;
	memcpy(guest_mem + info_gpa, &info, sizeof(info));
	return (uint32_t)data;
}
