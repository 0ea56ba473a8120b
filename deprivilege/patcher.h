/*
 * deprivilege/patcher.h: finds the sensitive-but-unprivileged instructions in
 * guest code (POPF, PUSHF, PUSH and MOV from CS and SS, SGDT, SIDT, SLDT,
 * SMSW, STR, LAR, LSL, VERR, VERW, the far CALL: they run at ring 1 without
 * trapping, yet behave differently there) and rewrites each to trap, so the
 * hypervisor can emulate it against the virtual CPU.
 * Runs in: hypervisor, ring 0 (pure logic over bytes the caller hands it),
 * and on the host in unit tests.
 *
 * Usage:
 *   1. patcher_scan() the guest's code from its known entry points (the ELF
 *      entry and every STT_FUNC symbol): it disassembles by recursive
 *      descent and returns the sites, sorted by address.
 *   2. patcher_apply() each site: its first byte becomes INT3 (0xCC).
 *   3. On #GP at a guest EIP, patcher_lookup() that EIP; a site found means
 *      "emulate site->original, then advance EIP by site->len".
 *   4. Before the code is written or scanned again, patcher_restore() puts
 *      the original first byte back.
 *
 * Why INT3 traps: the hypervisor's IDT gives vector 3 a DPL-0 gate, so an
 * INT3 at ring 1 or 3 raises #GP (error code: IDT vector 3) with EIP at the
 * INT3 itself. One byte covers an instruction of any length.
 */
#ifndef TV_DEPRIVILEGE_PATCHER_H
#define TV_DEPRIVILEGE_PATCHER_H

#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

/* Which instructions to patch: a bit set. */
enum patch_set {
	PATCH_POPF = 1,		/* 9D, 66 9D: loses IF/IOPL changes silently */
	PATCH_PUSHF = 2,	/* 9C, 66 9C: shows the real IF and IOPL */
	PATCH_PUSH_CS = 4,	/* 0E: pushes CS, whose RPL is the real ring */
	PATCH_MOV_FROM_CS = 8,	/* 8C /1: MOV r/m16, CS, the same leak */
	PATCH_SYS_STORE = 16,	/* SGDT, SIDT, SLDT, SMSW, STR: store the real registers */
	PATCH_DESC_QUERY = 32,	/* LAR, LSL, VERR, VERW: read the shadowed descriptors */
	PATCH_SS_READ = 64,	/* PUSH SS, MOV from SS: the real ring in SS's RPL */
	PATCH_FAR_CALL = 128,	/* CALL ptr16:32, CALL m16:32: pushes the real CS */
	/*
	 * CLI and STI trap by themselves (#GP at ring 1 or 3): only the inline
	 * mode (deprivilege/inline_patch.h) looks for them, to run them
	 * without a trap.
	 */
	PATCH_CLI = 256,	/* FA */
	PATCH_STI = 512,	/* FB */
	/*
	 * IRET traps by itself when it returns to the guest kernel (its frame
	 * holds CS with RPL 0); only the inline mode looks for it, to run the
	 * common returns on the CPU (deprivilege/inline_patch.c, "IRET").
	 */
	PATCH_IRET = 1024,	/* CF, 32-bit operand only */
};
#define PATCH_ALL	(PATCH_POPF | PATCH_PUSHF | PATCH_PUSH_CS | PATCH_MOV_FROM_CS | \
			 PATCH_SYS_STORE | PATCH_DESC_QUERY | PATCH_SS_READ | PATCH_FAR_CALL)

#define PATCH_TRAP_BYTE	0xCC	/* INT3 */

/* One instruction rewritten to trap. */
struct patch_site {
	uint32_t la;		/* guest linear address of its first byte */
	uint8_t len;		/* its full length, prefixes included */
	uint8_t kind;		/* the one enum patch_set bit it matched */
	uint8_t original[16];	/* its bytes before patching; the first len count */
	unsigned id;		/* Capstone's X86_INS_* (POPFD, POPF, PUSH, MOV, ...) */
};

/* The code to scan, as it sits in memory: bytes[0] is at guest address la. */
struct patch_region {
	uint32_t la;
	const uint8_t *bytes;
	uint32_t size;
};

/* One bit per code byte, bit (i % 8) of byte i / 8 for the byte at la + i. */
#define PATCHER_BITMAP_BYTES(size)	(((size) + 7u) / 8u)

/* patcher_scan's results; patcher_strerror() says each in one line. */
enum patcher_status {
	PATCHER_OK = 0,
	PATCHER_ERR_ARGS = -1,		/* a NULL pointer, or a region that wraps past 4 GiB */
	PATCHER_ERR_NO_DETAIL = -2,	/* the Capstone handle lacks CS_OPT_DETAIL */
	PATCHER_ERR_NOMEM = -3,		/* Capstone could not allocate its instruction */
	PATCHER_ERR_TOO_MANY_SITES = -4,	/* more sites than max_sites */
	PATCHER_ERR_OVERLAP = -5,	/* a site's first byte lies inside another reached instruction */
};

/*
 * Finds every instruction of the kinds in set (enum patch_set bits) that is
 * reachable from roots[0..nroots) inside code, and writes them to
 * sites[0..*nsites), sorted by la.
 *
 * handle: Capstone opened for CS_MODE_32 with CS_OPT_DETAIL on (the scan
 * reads branch operands). The scan allocates one cs_insn from it with
 * cs_malloc and frees it before returning; nothing else is allocated.
 *
 * Instruction boundaries come from recursive descent: from each root, follow
 * fall-through, direct and conditional jumps, LOOP/JECXZ and direct calls
 * (both into the callee and past the call); a path ends at RET, IRET, an
 * indirect or far JMP, UD0/UD2, bytes that do not decode, an address already
 * visited, or the edge of the region. A byte never reached as an instruction
 * start is data or inside another instruction, and is never patched. Roots
 * and targets outside the region are skipped, so a caller may pass every
 * function symbol it has.
 *
 * visited: PATCHER_BITMAP_BYTES(code->size) bytes; zeroed, then a bit set
 * for every instruction start reached.
 *
 * The code must be as the guest wrote it: a patched site reads as an INT3.
 *
 * Returns PATCHER_OK, or a negative enum patcher_status; *nsites is the
 * number of sites written either way.
 */
int patcher_scan(csh handle, const struct patch_region *code,
		 const uint32_t *roots, unsigned nroots, unsigned set,
		 uint8_t *visited, struct patch_site *sites,
		 unsigned max_sites, unsigned *nsites);

/*
 * Rewrites the site to trap: the byte at s->la becomes INT3. code is the
 * writable view of the code whose first byte is at guest address code_la,
 * and must contain s->la.
 */
void patcher_apply(uint8_t *code, uint32_t code_la, const struct patch_site *s);

/*
 * patcher_scan, and also every known way into the code: targets (like
 * visited, PATCHER_BITMAP_BYTES(code->size) bytes, zeroed first) gets a bit
 * for each root, each direct branch or call target and each return address
 * (the instruction after a CALL) inside the region. The inline mode moves
 * instructions only where no bit is set (deprivilege/inline_patch.c).
 */
int patcher_scan_targets(csh handle, const struct patch_region *code,
			 const uint32_t *roots, unsigned nroots, unsigned set,
			 uint8_t *visited, uint8_t *targets, struct patch_site *sites,
			 unsigned max_sites, unsigned *nsites);

/* Undoes patcher_apply: the byte at s->la becomes s->original[0] again. */
void patcher_restore(uint8_t *code, uint32_t code_la,
		     const struct patch_site *s);

/* The site whose first byte is at la, by binary search over sites sorted by la; NULL if none. */
const struct patch_site *patcher_lookup(const struct patch_site *sites,
					unsigned n, uint32_t la);

/* One line saying what a patcher_scan result means. */
const char *patcher_strerror(int status);

#endif
