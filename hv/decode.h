/*
 * hv/decode.h: names the guest instruction that trapped. Capstone decodes
 * it (32-bit mode, Intel syntax, with operand detail) and a decode cache
 * keyed by guest linear address and instruction bytes remembers the answer,
 * so a guest that traps on the same instruction again pays a table lookup
 * instead of a disassembly.
 * Runs in: hypervisor, ring 0 (the #GP handler); compiled for the host too,
 * for its tests.
 *
 * Usage: decode_init() once; then decode_at(la, bytes, avail) with the bytes
 * the hypervisor read from guest memory at la.
 */
#ifndef TV_HV_DECODE_H
#define TV_HV_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

#define DECODE_MAX_LEN		15	/* the architectural limit of an x86 instruction */
#define DECODE_CACHE_ENTRIES	512	/* direct-mapped; a power of two */

struct decoded_insn {
	uint32_t la;		/* guest linear address of its first byte */
	uint8_t len;		/* length in bytes, 1..DECODE_MAX_LEN */
	uint8_t bytes[16];	/* its bytes; the first len are meaningful */
	/*
	 * Capstone lists it in X86_GRP_PRIVILEGE. That is Capstone's notion,
	 * not the SDM's "faults at CPL > 0": it includes CLI, STI, IRET, STR
	 * and segment loads, and misses CLTS and RDMSR (tests/unit/test_decode.c
	 * lists each difference).
	 */
	uint8_t privileged;
	uint8_t code16;		/* decoded for a 16-bit code segment (D = 0) */
	uint8_t groups_count;
	uint8_t groups[8];	/* Capstone's groups, X86_GRP_* */
	unsigned id;		/* X86_INS_* */
	char mnemonic[CS_MNEMONIC_SIZE];	/* "cli", "rep outsb", "iretd" */
	char text[64];		/* mnemonic and operands: "out dx, al" */
	cs_x86 x86;		/* operands, prefixes, ModRM: Capstone's detail, copied */
};

/*
 * Opens Capstone for 32-bit x86 with operand detail. Returns 0 on success,
 * otherwise Capstone's error code (cs_err), and the decoder stays closed.
 * Calling it again after success does nothing.
 */
int decode_init(void);

/* Closes Capstone and empties the cache (host tests; the hypervisor never needs it). */
void decode_fini(void);

/*
 * The instruction at guest linear address la, whose bytes are bytes[0..avail)
 * (at most DECODE_MAX_LEN of them are looked at; fewer near the end of
 * readable guest memory is fine if the instruction fits). NULL if they are
 * not a valid instruction, or do not hold all of it.
 *
 * A cached answer is used only if its address is la and its bytes equal the
 * first len bytes given, so a guest that rewrites its code is decoded again.
 * The result lives in the cache: it stays valid until the next decode_at or
 * decode_cache_flush, and the caller must not change it.
 */
const struct decoded_insn *decode_at(uint32_t la, const uint8_t *bytes,
				     size_t avail);

/* The same for a code segment of either size: code16 for a 16-bit one (D = 0). */
const struct decoded_insn *decode_at_mode(uint32_t la, const uint8_t *bytes,
					  size_t avail, int code16);

/*
 * Every decode_at is either a hit or a miss; a miss whose bytes do not
 * decode (or a call with no bytes) also counts as a failure.
 */
struct decode_stats {
	uint32_t hits;
	uint32_t misses;
	uint32_t failures;
};

const struct decode_stats *decode_stats(void);

/* The Capstone handle the decoder opened (detail on), for the patcher's scan. */
csh decode_handle(void);

/* Forgets every cached instruction. The statistics keep counting. */
void decode_cache_flush(void);

/* Capstone's names for an X86_INS_* and an X86_REG_* ("cli", "eax"); NULL if unknown. */
const char *decode_insn_name(unsigned id);
const char *decode_reg_name(unsigned reg);

#endif
