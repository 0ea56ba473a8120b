/*
 * tests/integration/make_bad_images.c: writes the guest images the loader
 * must refuse, each wrong in exactly one way, and one good image as the
 * control that proves the others differ from an acceptable image only by
 * their defect.
 * Runs on: host (at build time; the images are never committed).
 *
 * Usage: make_bad_images OUTDIR
 * Writes OUTDIR/<name>.elf for every row of bad_images[] below. Exit status:
 * 0 on success, 1 if a file could not be written, 2 for a usage error.
 *
 * The good image is a 32-bit multiboot ELF with one PT_LOAD at 1 MiB whose
 * code prints "good-image" on COM1 and writes 0 to the debug-exit port.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/elf32.h"
#include "lib/multiboot.h"

#define IMAGE_LOAD_ADDR		0x100000u	/* 1 MiB, as guest.ld */
#define IMAGE_PAYLOAD_OFFSET	0x1000u		/* file offset of the loaded bytes */
#define IMAGE_MAX		0x2000u
#define EM_ARM			40
#define ET_REL			1
#define EM_X86_64		62
#define ELFCLASS64		2
#define ELFDATA2MSB		2
#define GUEST_RAM_LIMIT		0x20000000u	/* 512 MiB: no guest gets more */
#define HUGE_IMAGE_SIZE		(600u << 20)	/* sparse, so it costs no disk */

struct image {
	uint8_t bytes[IMAGE_MAX];
	size_t len;		/* bytes written to the file */
	off_t sparse_len;	/* if larger, the file is extended to this (a hole) */
};

static struct elf32_ehdr *ehdr(struct image *im)
{
	return (struct elf32_ehdr *)im->bytes;
}

static struct elf32_phdr *phdr(struct image *im)
{
	return (struct elf32_phdr *)(im->bytes + sizeof(struct elf32_ehdr));
}

static size_t put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

/*
 * The loaded bytes: the multiboot header, then code that prints the marker
 * on COM1 and exits through the debug-exit port with status 0.
 * Returns their length; the entry point is IMAGE_LOAD_ADDR + 12.
 */
static size_t write_payload(uint8_t *p, int with_multiboot_header)
{
	static const char marker[] = "good-image\n";
	size_t n = 0;

	if (with_multiboot_header) {
		n += put32(p + n, MULTIBOOT_HEADER_MAGIC);
		n += put32(p + n, MULTIBOOT_MEMORY_INFO);
		n += put32(p + n, -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_MEMORY_INFO));
	} else {
		n += put32(p + n, 0);
		n += put32(p + n, 0);
		n += put32(p + n, 0);
	}
	p[n++] = 0x66; p[n++] = 0xBA; p[n++] = 0xF8; p[n++] = 0x03;	/* mov $0x3f8, %dx */
	for (const char *c = marker; *c; c++) {
		p[n++] = 0xB0; p[n++] = (uint8_t)*c;			/* mov $c, %al */
		p[n++] = 0xEE;						/* out %al, %dx */
	}
	p[n++] = 0x31; p[n++] = 0xC0;					/* xor %eax, %eax */
	p[n++] = 0x66; p[n++] = 0xBA; p[n++] = 0xF4; p[n++] = 0x00;	/* mov $0xf4, %dx */
	p[n++] = 0xEF;							/* out %eax, %dx */
	p[n++] = 0xFA; p[n++] = 0xF4; p[n++] = 0xEB; p[n++] = 0xFD;	/* cli; 1: hlt; jmp 1b */
	return n;
}

static void build_good(struct image *im, int with_multiboot_header)
{
	memset(im, 0, sizeof(*im));
	size_t payload = write_payload(im->bytes + IMAGE_PAYLOAD_OFFSET,
				       with_multiboot_header);
	struct elf32_ehdr *e = ehdr(im);
	memcpy(e->e_ident, "\x7F" "ELF", 4);
	e->e_ident[4] = ELFCLASS32;
	e->e_ident[5] = ELFDATA2LSB;
	e->e_ident[6] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_version = EV_CURRENT;
	e->e_entry = IMAGE_LOAD_ADDR + 12;
	e->e_phoff = sizeof(struct elf32_ehdr);
	e->e_ehsize = sizeof(struct elf32_ehdr);
	e->e_phentsize = sizeof(struct elf32_phdr);
	e->e_phnum = 1;

	struct elf32_phdr *p = phdr(im);
	p->p_type = PT_LOAD;
	p->p_offset = IMAGE_PAYLOAD_OFFSET;
	p->p_vaddr = p->p_paddr = IMAGE_LOAD_ADDR;
	p->p_filesz = payload;
	p->p_memsz = 0x1000;		/* the rest is zero-filled, like a .bss */
	p->p_flags = PF_R | PF_W | PF_X;
	p->p_align = 0x1000;
	im->len = IMAGE_PAYLOAD_OFFSET + payload;
}

/* Move the one segment (and the entry with it) to another physical address. */
static void move_segment(struct image *im, uint32_t addr)
{
	phdr(im)->p_vaddr = phdr(im)->p_paddr = addr;
	ehdr(im)->e_entry = addr + 12;
}

static void make_good(struct image *im) { build_good(im, 1); }

static void make_empty(struct image *im) { memset(im, 0, sizeof(*im)); }

static void make_not_elf(struct image *im)
{
	static const char text[] = "This is a text file, not an ELF image.\n";
	memset(im, 0, sizeof(*im));
	for (im->len = 0; im->len + sizeof(text) - 1 <= 512; im->len += sizeof(text) - 1)
		memcpy(im->bytes + im->len, text, sizeof(text) - 1);
}

static void make_truncated_header(struct image *im)
{
	build_good(im, 1);
	im->len = 24;		/* magic and class, but the header stops mid-field */
}

/* A well-formed x86-64 executable: the right magic, the wrong class. */
static void make_elf64(struct image *im)
{
	build_good(im, 1);
	uint8_t *h = im->bytes;
	memset(h, 0, IMAGE_PAYLOAD_OFFSET);
	memcpy(h, "\x7F" "ELF", 4);
	h[4] = ELFCLASS64;
	h[5] = ELFDATA2LSB;
	h[6] = EV_CURRENT;
	uint16_t half;
	uint32_t word;
	uint64_t xword;
#define PUT(off, var, val) (var = (val), memcpy(h + (off), &var, sizeof(var)))
	PUT(16, half, ET_EXEC);
	PUT(18, half, EM_X86_64);
	PUT(20, word, EV_CURRENT);
	PUT(24, xword, IMAGE_LOAD_ADDR + 12);	/* e_entry */
	PUT(32, xword, 64);			/* e_phoff */
	PUT(52, half, 64);			/* e_ehsize */
	PUT(54, half, 56);			/* e_phentsize */
	PUT(56, half, 1);			/* e_phnum */
	/* Elf64_Phdr at 64. */
	PUT(64, word, PT_LOAD);
	PUT(68, word, PF_R | PF_W | PF_X);
	PUT(72, xword, IMAGE_PAYLOAD_OFFSET);	/* p_offset */
	PUT(80, xword, IMAGE_LOAD_ADDR);	/* p_vaddr */
	PUT(88, xword, IMAGE_LOAD_ADDR);	/* p_paddr */
	PUT(96, xword, im->len - IMAGE_PAYLOAD_OFFSET);	/* p_filesz */
	PUT(104, xword, 0x1000);		/* p_memsz */
	PUT(112, xword, 0x1000);		/* p_align */
#undef PUT
}

static void make_big_endian(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_ident[5] = ELFDATA2MSB;
}

static void make_wrong_machine(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_machine = EM_ARM;
}

static void make_not_executable(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_type = ET_REL;
}

static void make_no_segments(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_phnum = 0;
}

static void make_bad_phentsize(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_phentsize = sizeof(struct elf32_phdr) / 2;
}

static void make_load_outside_512m(struct image *im)
{
	build_good(im, 1);
	move_segment(im, GUEST_RAM_LIMIT);
}

/* Starts one page below 512 MiB, ends one page above. */
static void make_load_straddles_512m(struct image *im)
{
	build_good(im, 1);
	move_segment(im, GUEST_RAM_LIMIT - 0x1000);
	phdr(im)->p_memsz = 0x2000;
}

/* p_paddr + p_memsz overflows 32 bits: a check written as addr + size <= limit passes. */
static void make_load_wraps(struct image *im)
{
	build_good(im, 1);
	move_segment(im, 0xFFFFF000u);
	phdr(im)->p_memsz = 0x2000;
}

static void make_entry_outside(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_entry = IMAGE_LOAD_ADDR + 0x200000;
}

static void make_filesz_gt_memsz(struct image *im)
{
	build_good(im, 1);
	phdr(im)->p_memsz = 0x10;
	phdr(im)->p_filesz = 0x40;
}

static void make_phdrs_past_eof(struct image *im)
{
	build_good(im, 1);
	ehdr(im)->e_phoff = im->len + 0x1000;
}

static void make_segment_past_eof(struct image *im)
{
	build_good(im, 1);
	phdr(im)->p_filesz = 0x800;
	phdr(im)->p_memsz = 0x1000;
	im->len = IMAGE_PAYLOAD_OFFSET + 0x100;	/* the file ends inside the segment */
}

static void make_no_multiboot_header(struct image *im)
{
	build_good(im, 0);
}

static void make_huge(struct image *im)
{
	build_good(im, 1);
	im->sparse_len = HUGE_IMAGE_SIZE;
}

static const struct {
	const char *name;
	void (*make)(struct image *im);
} bad_images[] = {
	{ "good", make_good },
	{ "empty", make_empty },
	{ "not-elf", make_not_elf },
	{ "truncated-header", make_truncated_header },
	{ "elf64", make_elf64 },
	{ "big-endian", make_big_endian },
	{ "wrong-machine", make_wrong_machine },
	{ "not-executable", make_not_executable },
	{ "no-segments", make_no_segments },
	{ "bad-phentsize", make_bad_phentsize },
	{ "load-outside-512m", make_load_outside_512m },
	{ "load-straddles-512m", make_load_straddles_512m },
	{ "load-wraps", make_load_wraps },
	{ "entry-outside-segments", make_entry_outside },
	{ "filesz-gt-memsz", make_filesz_gt_memsz },
	{ "phdrs-past-eof", make_phdrs_past_eof },
	{ "segment-past-eof", make_segment_past_eof },
	{ "no-multiboot-header", make_no_multiboot_header },
	{ "huge", make_huge },
};

static int write_image(const char *dir, const char *name, const struct image *im)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.elf", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto fail;
	if (write(fd, im->bytes, im->len) != (ssize_t)im->len)
		goto fail_close;
	if (im->sparse_len > (off_t)im->len && ftruncate(fd, im->sparse_len) != 0)
		goto fail_close;
	if (close(fd) != 0)
		goto fail;
	return 0;
fail_close:
	close(fd);
fail:
	fprintf(stderr, "make_bad_images: cannot write %s: %s\n", path, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	static struct image im;

	if (argc != 2) {
		fprintf(stderr, "usage: make_bad_images OUTDIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "make_bad_images: cannot create %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(bad_images) / sizeof(bad_images[0]); i++) {
		bad_images[i].make(&im);
		if (write_image(argv[1], bad_images[i].name, &im) != 0)
			return 1;
	}
	return 0;
}
