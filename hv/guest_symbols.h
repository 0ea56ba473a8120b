/*
 * hv/guest_symbols.h: the guest's function addresses, from its ELF symbol
 * table, as starting points for the patcher's disassembly.
 * Runs in: hypervisor, ring 0 (pure logic), and host unit tests.
 */
#ifndef TV_HV_GUEST_SYMBOLS_H
#define TV_HV_GUEST_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Store the value of each STT_FUNC symbol (at most max) in out; returns how
 * many. An image without a symbol table, or with one that does not fit in
 * the file, gives 0: the patcher then starts from the entry point alone.
 */
unsigned guest_function_symbols(const void *file, size_t file_size,
				uint32_t *out, unsigned max);

#endif
