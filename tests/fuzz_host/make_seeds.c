/*
 * tests/fuzz_host/make_seeds.c: writes the seed corpus of every host fuzz
 * target, in each target's input format, from the project's own guests and
 * from small inputs written here.
 * Runs on: host.
 *
 * usage: make_seeds GUESTS_DIR OUT_DIR
 *   GUESTS_DIR holds the built guests (build/guests/NAME.elf); OUT_DIR/NAME/ gets
 *   the seeds of target fuzz_NAME. Seeds only start the fuzzer somewhere
 *   meaningful (a real guest image, real guest code with its function
 *   symbols as roots, lines the hypervisor writes); nothing is checked here.
 *
 * Exit status: 0, or 2 with a one-line message (missing directory, unreadable
 * guest, no guest found).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/elf32.h"
#include "lib/x86_desc.h"

#define SEED_MAX	(1u << 20)
#define CODE_WINDOW	160u	/* bytes of guest code per patcher seed: a function or two */
#define ROOTS_MAX	16u

static const char *out_dir;

/* One seed being assembled. */
static uint8_t seed[SEED_MAX];
static size_t seed_len;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "make_seeds: %s: %s\n", what, detail);
	exit(2);
}

static void put(const void *p, size_t n)
{
	if (seed_len + n > SEED_MAX)
		die("seed too large", "over 1 MiB");
	memcpy(seed + seed_len, p, n);
	seed_len += n;
}

static void put8(uint8_t v) { put(&v, 1); }
static void put16(uint16_t v) { put(&v, 2); }
static void put32(uint32_t v) { put(&v, 4); }

/* Writes the seed assembled so far as OUT_DIR/target/name and starts the next. */
static void emit(const char *target, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(seed, 1, seed_len, f) != seed_len || fclose(f) != 0)
		die(path, "cannot write");
	seed_len = 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n = 0;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die(path, "cannot read");
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path, "cannot read");
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/*
 * guest_image: the guest's file up to the end of its last segment's bytes,
 * without section headers (the loader never reads them), in 4 MiB of memory.
 */
static void guest_image_seed(const char *name, const uint8_t *elf, size_t size)
{
	struct elf32_ehdr eh;
	size_t end = sizeof(eh);

	memcpy(&eh, elf, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf32_phdr ph;

		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	if (end > size)
		die(name, "segments past the end of the file");
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	put32(4u << 20);
	put32(0);
	put8(6);
	put("ring=1", 6);
	put(&eh, sizeof(eh));
	put(elf + sizeof(eh), end - sizeof(eh));
	emit("guest_image", name);
}

/* The file offset of guest address la in an executable PT_LOAD segment, or 0. */
static size_t code_offset(const uint8_t *elf, uint32_t la, uint32_t *avail)
{
	struct elf32_ehdr eh;

	memcpy(&eh, elf, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf32_phdr ph;

		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && la >= ph.p_vaddr &&
		    la - ph.p_vaddr < ph.p_filesz) {
			*avail = ph.p_filesz - (la - ph.p_vaddr);
			return ph.p_offset + (la - ph.p_vaddr);
		}
	}
	return 0;
}

/* patcher and inline_patch: windows of guest code from function symbols, rooted at each function. */
static void patcher_seeds(const char *name, const uint8_t *elf, size_t size)
{
	struct elf32_ehdr eh;
	uint32_t funcs[4096];
	unsigned nfuncs = 0, nseeds = 0;

	memcpy(&eh, elf, sizeof(eh));
	for (unsigned i = 0; i < eh.e_shnum && eh.e_shoff + (i + 1) * sizeof(struct elf32_shdr) <= size; i++) {
		struct elf32_shdr sh;

		memcpy(&sh, elf + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB || sh.sh_offset + sh.sh_size > size)
			continue;
		for (uint32_t k = 0; k + sizeof(struct elf32_sym) <= sh.sh_size && nfuncs < 4096;
		     k += sizeof(struct elf32_sym)) {
			struct elf32_sym sym;

			memcpy(&sym, elf + sh.sh_offset + k, sizeof(sym));
			if (ELF32_ST_TYPE(sym.st_info) == STT_FUNC)
				funcs[nfuncs++] = sym.st_value;
		}
	}
	for (unsigned i = 0; i < nfuncs && nseeds < 24; i += 1 + nfuncs / 24) {
		uint32_t avail = 0, la = funcs[i];
		size_t off = code_offset(elf, la, &avail);
		uint32_t len = avail < CODE_WINDOW ? avail : CODE_WINDOW;
		uint16_t roots[ROOTS_MAX];
		unsigned nroots = 0;
		char seed_name[256];

		if (!off || !len)
			continue;
		for (unsigned k = 0; k < nfuncs && nroots < ROOTS_MAX; k++)
			if (funcs[k] >= la && funcs[k] - la < len)
				roots[nroots++] = (uint16_t)(funcs[k] - la);
		snprintf(seed_name, sizeof(seed_name), "%s-%08x", name, la);
		/* The inline patch target reads the same layout (its second byte: ring 3, a large area). */
		for (int t = 0; t < 2; t++) {
			put32(la);
			put8(0x0F);	/* every kind */
			put8(255);	/* sites */
			put8((uint8_t)nroots);
			for (unsigned k = 0; k < nroots; k++)
				put16(roots[k]);
			put(elf + off, len);
			emit(t == 0 ? "patcher" : "inline_patch", seed_name);
		}
		nseeds++;
	}
}

static void guest_seeds(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		die(dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), size;
		char path[4096], name[256];

		if (len < 5 || strcmp(e->d_name + len - 4, ".elf") != 0 || len - 4 >= sizeof(name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), e->d_name);
		uint8_t *elf = read_file(path, &size);
		if (size < sizeof(struct elf32_ehdr) || memcmp(elf, "\x7F" "ELF", 4) != 0)
			die(path, "not an ELF file");
		guest_image_seed(name, elf, size);
		patcher_seeds(name, elf, size);
		free(elf);
		n++;
	}
	closedir(d);
	if (n == 0)
		die(dir, "no guest (*.elf) found; build the project first");
}

/* descriptor: a flat kernel and user GDT, an expand-down stack, a TSS, an LDT and gates. */
static void descriptor_seeds(void)
{
	static const struct { uint32_t base, limit, flags; } segs[] = {
		{ 0, 0xFFFFFFFFu, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0xA00u },	/* kernel code */
		{ 0, 0xFFFFFFFFu, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0x200u },	/* kernel data */
		{ 0, 0xFFFFFFFFu, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0x6A00u },	/* user code */
		{ 0, 0xFFFFFFFFu, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0x6200u },	/* user data */
		{ 0x100000, 0xFFF, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0x600u },	/* expand-down */
		{ 0x105000, 0x67, DESC_HI_P | 0x900u },				/* TSS */
		{ 0x106000, 0x1F, DESC_HI_P | 0x200u },				/* LDT */
		{ 0xFFC00000u, 0xFFFF, DESC_HI_P | DESC_HI_S | 0x200u },	/* in the hypervisor's area */
	};
	unsigned n = sizeof(segs) / sizeof(segs[0]);

	for (unsigned i = 0; i < n; i++) {
		struct x86_desc d = desc_make(segs[i].base, segs[i].limit, segs[i].flags);
		struct x86_gate g = gate_make(0x08, 0x100000 + i * 16, i & 1 ? 0xF : 0xE, i & 3);

		put8((uint8_t)(1 + i % 3));
		put32(0xFFC00000u);
		put32(d.lo);
		put32(d.hi);
		put(&g, sizeof(g));
		put16((uint16_t)(i * 8));
	}
	put8((uint8_t)(n + 1));
	put32(0);
	put32(0);
	for (unsigned i = 0; i < n; i++) {
		struct x86_desc d = desc_make(segs[i].base, segs[i].limit, segs[i].flags);

		put32(d.lo);
		put32(d.hi);
	}
	emit("descriptor", "gdt");
}

/* eflags_rules: kernel flags, a POPF that turns interrupts off, IOPL 3, the 16-bit form. */
static void eflags_seeds(void)
{
	static const uint32_t rec[][3] = {
		{ 0x00000202u, 0x00000002u, 0 }, { 0x00000202u, 0x00000002u, 1 },
		{ 0x00003202u, 0x00000246u, 1 }, { 0x00000046u, 0x00243ED7u, 0 },
		{ 0x00020202u, 0xFFFFFFFFu, 4 }, { 0x00010202u, 0x00000000u, 7 },
	};

	for (unsigned i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
		put32(rec[i][0]);
		put32(rec[i][1]);
		put8((uint8_t)rec[i][2]);
	}
	emit("eflags_rules", "popf");
}

/*
 * exception_rules: a chain from a #GP beyond the IDT's limit, then records
 * of each class meeting each: #GP and #GP, #PF and #PF, a #DF and a #PF,
 * INT 0x40 and INTR 0x20 meeting a #GP, and a raw record (bit 7).
 */
static void exception_seeds(void)
{
	static const uint8_t rec[][3] = {
		{ 13, 0, 13 }, { 14, 0, 14 }, { 14, 0, 13 }, { 8, 0, 14 },
		{ 0x40, 1, 13 }, { 0x20, 2, 14 }, { 6, 0, 11 }, { 0x0D, 0x81, 0xFF },
	};

	put8(13);
	put8(0);
	for (unsigned i = 0; i < sizeof(rec) / sizeof(rec[0]); i++)
		put(rec[i], 3);
	emit("exception_rules", "classes");
}

/* sysreg_rules: one record of each operation with the values a kernel writes. */
static void sysreg_seeds(void)
{
	struct x86_desc data = desc_make(0, 0xFFFFFFFFu, DESC_HI_P | DESC_HI_S | DESC_HI_DB | 0x200u);
	struct x86_desc ldt = desc_make(0x106000, 0x1F, DESC_HI_P | 0x200u);
	struct x86_desc tss = desc_make(0x105000, 0x67, DESC_HI_P | 0x900u);
	static const struct { uint8_t op; uint32_t a, b; uint16_t sel; } rec[] = {
		{ 0, 0x00000011u, 0x80010011u, 0 },	/* CR0: paging and WP on */
		{ 1, 0, 0x00000090u, 0 },		/* CR4: PSE, PGE */
		{ 2, 3, 0, 0 },				/* CR3 */
		{ 3, 7, 0, 0x0400 },			/* DR7 */
		{ 4, 0x80000011u, 0, 0x000F },		/* LMSW */
		{ 5, 0x174u, 0, 0 },			/* SYSENTER_CS */
		{ 6, 0, 0, 0x10 },			/* MOV SS, kernel data */
		{ 7, 0, 0, 0x28 },			/* LLDT / LTR */
	};

	for (unsigned i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
		struct x86_desc d = rec[i].sel == 0x28 ? (i & 1 ? tss : ldt) : data;

		put8(rec[i].op);
		put32(rec[i].a);
		put32(rec[i].b);
		put16(rec[i].sel);
		put32(d.lo);
		put32(d.hi);
		put16(0x3F);	/* a GDT of 8 entries */
	}
	emit("sysreg_rules", "kernel");
}

/*
 * gpt_walk: 16 pages of guest memory; CR3 0x1000; PDE 0 names the page
 * table at 0x2000, which maps pages 0..15 (user, writable from 8 on); PDE 1
 * is a 4 MiB page at 0. Walks of each kind over both.
 */
static void gpt_walk_seeds(void)
{
	uint32_t mem[16 * 1024];

	memset(mem, 0, sizeof(mem));
	mem[0x1000 / 4] = 0x2000 | 0x7;
	mem[0x1000 / 4 + 1] = 0x0 | 0x87;
	for (uint32_t p = 0; p < 16; p++)
		mem[0x2000 / 4 + p] = (p << 12) | 0x5 | (p >= 8 ? 0x2 : 0);
	put8(15);		/* 16 pages */
	put8(1 | 2 | 4);	/* PG, WP, PSE */
	put32(0x1000);
	put8(7);		/* 8 walks */
	static const uint32_t las[8] = { 0x3ABC, 0x9004, 0x400123, 0x40F000, 0x1000, 0xFFFFF000u,
					 0x8000, 0x2000 };
	for (unsigned i = 0; i < 8; i++) {
		put32(las[i]);
		put8((uint8_t)(i | (i & 1) << 7));
	}
	for (uint16_t i = 0; i < 3 * 1024; i++)
		if (mem[i]) {	/* the rest of guest memory is zero */
			put16(i);
			put32(mem[i]);
		}
	emit("gpt_walk", "two-level");
}

/* shadow_cache: switches between two address spaces, fills, a write to a page table, a flush. */
static void shadow_cache_seeds(void)
{
	static const uint8_t ops[][2] = {
		{ 0, 0 }, { 1, 2 }, { 1, 3 }, { 0, 0 }, { 2, 40 }, { 3, 0x10 }, { 7, 0 },
		{ 4, 0 }, { 6, 0 }, { 5, 0 }, { 0, 0 }, { 1, 2 },
	};

	put16(1024);	/* 4 MiB of guest memory */
	put16(1023);	/* the switcher's slot, as in the hypervisor */
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		put8(ops[i][0]);
		put8(ops[i][1]);
		put32(0x100 + (i % 3) * 0x101);
	}
	emit("shadow_cache", "two-spaces");
}

/*
 * shadow_mmu: 16 pages; CR3 0x1000, PDE 0 names the page table at 0x2000,
 * which maps pages 0..15 writable and user, D clear. Reads and writes of a
 * data page, a write to the page table itself, user mode, a hypervisor
 * write, a flush.
 */
static void shadow_mmu_seeds(void)
{
	static const struct { uint8_t kind, arg; uint16_t h; uint32_t v; } ops[] = {
		{ 1, 0, 0x3000 >> 2, 0 }, { 2, 0, 0x3010 >> 2, 0x1234 }, { 2, 0, 0x2008 >> 2, 0x9007 },
		{ 1, 0, 0x9000 >> 2, 0 }, { 5, 1, 0, 0 }, { 2, 0, 0x4000 >> 2, 7 }, { 5, 0, 0, 0 },
		{ 3, 0, 0x0000, 0x2010 }, { 1, 0, 0x4000 >> 2, 0 }, { 0, 0, 1, 0 }, { 4, 1, 0, 0 },
		{ 2, 0, 0x1000 >> 2, 0x2007 }, { 1, 1, 0, 0 },
	};
	uint32_t mem[4 * 1024];
	unsigned n = sizeof(ops) / sizeof(ops[0]);

	memset(mem, 0, sizeof(mem));
	mem[0x1000 / 4] = 0x2000 | 0x7;
	mem[0x1000 / 4 + 1] = 0x0 | 0x87;
	for (uint32_t p = 0; p < 16; p++)
		mem[0x2000 / 4 + p] = (p << 12) | 0x7;
	put8(15);	/* 16 pages */
	put8(1 | 2);	/* WP, PSE; ring 1 */
	put16(1);	/* CR3 0x1000 */
	put8((uint8_t)n);
	for (unsigned i = 0; i < n; i++) {
		put8(ops[i].kind);
		put8(ops[i].arg);
		put16(ops[i].h);
		put32(ops[i].v);
	}
	for (uint16_t i = 0; i < 4 * 1024; i++)
		if (mem[i]) {
			put16(i);
			put32(mem[i]);
		}
	emit("shadow_mmu", "one-space");
}

/* protocol: one line of each event, as docs/console-protocol.md shows them. */
static void protocol_seeds(void)
{
	static const char *const lines[] = {
		"tv:hello version=1 ring=1 mem_mib=32 guest=\"selftest\" trace=1 umip=0 patch=none",
		"tv:load entry=0x10000c segments=2 info=0x10a000",
		"tv:out PASS: cli keeps the timer out \\\\ \\x1b[0m",
		"tv:trap seq=7 vec=13 err=0x0 eip=0x100123 bytes=fa insn=\"cli\" action=emulate",
		"tv:io dir=out port=0x80 size=1 value=0x0",
		"tv:patch la=0x100040 len=1 insn=\"popfd\"",
		"tv:note text=\"hypervisor memory unchanged (\\\"sum\\\" 0x1234)\"",
		"tv:stat what=\"shadow: hidden faults\" count=18446744073709551615",
		"tv:exit kind=stopped reason=\"unemulated: ltr at 0x100200\"\r",
		"tv:exit kind=guest status=0",
	};

	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char name[16];

		put(lines[i], strlen(lines[i]));
		snprintf(name, sizeof(name), "line-%u", i);
		emit("protocol", name);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: make_seeds GUESTS_DIR OUT_DIR\n");
		return 2;
	}
	out_dir = argv[2];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
		die(out_dir, strerror(errno));
	guest_seeds(argv[1]);
	descriptor_seeds();
	eflags_seeds();
	exception_seeds();
	sysreg_seeds();
	gpt_walk_seeds();
	shadow_cache_seeds();
	shadow_mmu_seeds();
	protocol_seeds();
	return 0;
}
