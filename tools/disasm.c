/*
 * tools/disasm.c: one 32-bit x86 instruction through Capstone.
 * Runs on: host.
 */
#include "tools/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "tools/protocol.h"

#define X86_INSN_MAX	15	/* the architectural limit on an instruction's length */

int tv_disasm_hex(const char *hex, uint32_t eip, char *out, size_t outlen)
{
	uint8_t bytes[X86_INSN_MAX];
	size_t n = 0;
	csh handle;
	cs_insn *insn;
	int ok = -1;

	for (; hex[0] && n < sizeof(bytes); hex += 2) {
		if (tv_hex_digit(hex[0]) < 0 || tv_hex_digit(hex[1]) < 0)
			return -1;
		bytes[n++] = (uint8_t)(tv_hex_digit(hex[0]) << 4 | tv_hex_digit(hex[1]));
	}
	if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &handle) != CS_ERR_OK)
		return -1;
	if (cs_disasm(handle, bytes, n, eip, 1, &insn) == 1) {
		snprintf(out, outlen, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "",
			 insn->op_str);
		cs_free(insn, 1);
		ok = 0;
	}
	cs_close(&handle);
	return ok;
}
