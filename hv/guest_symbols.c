/*
 * hv/guest_symbols.c: reading function symbols out of a guest's ELF file.
 * Runs in: hypervisor, ring 0, once before the guest starts; and on the host
 * in unit tests.
 *
 * The file has passed guest_image_check(), which looked at its program
 * headers only; every section-header offset is checked here before use.
 */
#include "hv/guest_symbols.h"
#include "lib/elf32.h"
#include "lib/string.h"

static int inside(size_t file_size, uint32_t offset, uint64_t length)
{
	return offset <= file_size && length <= file_size - offset;
}

unsigned guest_function_symbols(const void *file, size_t file_size,
				uint32_t *out, unsigned max)
{
	const uint8_t *bytes = file;
	struct elf32_ehdr eh;
	unsigned n = 0;

	if (file_size < sizeof eh)
		return 0;
	memcpy(&eh, bytes, sizeof eh);
	if (eh.e_shentsize != sizeof(struct elf32_shdr) ||
	    !inside(file_size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(struct elf32_shdr)))
		return 0;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		struct elf32_shdr sh;
		memcpy(&sh, bytes + eh.e_shoff + i * sizeof sh, sizeof sh);
		if (sh.sh_type != SHT_SYMTAB || !inside(file_size, sh.sh_offset, sh.sh_size))
			continue;
		for (uint32_t off = 0; off + sizeof(struct elf32_sym) <= sh.sh_size;
		     off += sizeof(struct elf32_sym)) {
			struct elf32_sym sym;
			memcpy(&sym, bytes + sh.sh_offset + off, sizeof sym);
			if (ELF32_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != 0 && n < max)
				out[n++] = sym.st_value;
		}
	}
	return n;
}
