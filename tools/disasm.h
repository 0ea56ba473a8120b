/*
 * tools/disasm.h: disassemble the bytes of a trapping instruction on the host.
 * Runs on: host.
 *
 * The hypervisor names each instruction in its `trap` lines; the host only
 * disassembles when a line carries bytes without a name.
 */
#ifndef TV_TOOLS_DISASM_H
#define TV_TOOLS_DISASM_H

#include <stddef.h>
#include <stdint.h>

/*
 * hex: the instruction's bytes as the protocol writes them ("0f01c8").
 * Writes "mnemonic operands" (Intel syntax) to out. Returns 0, or -1 when the
 * bytes are not hex or do not start with a valid 32-bit instruction.
 */
int tv_disasm_hex(const char *hex, uint32_t eip, char *out, size_t outlen);

#endif
