/*
 * guests/fuzz/fuzz_gen.h: the differential fuzzer's generator of random
 * instruction sequences, deterministic from a seed and a sequence number.
 * Runs in: guest (the fuzz guest builds and runs each sequence); also
 * compiled on the host, where `trapvisor fuzz` rebuilds a sequence to show
 * and classify it without running anything.
 *
 * Pure: no I/O, no globals. The same (seed, number, layout) gives the same
 * bytes, start state and scratch contents in the guest and on the host.
 *
 * A sequence is a few items, each one instruction or a short run of them
 * that sets up an operand (PUSH imm32 before POPF and IRET, MOV reg, imm32
 * before MOV CRn, reg), drawn from:
 *   - raw random bytes, from which the opcodes that could loop, touch a
 *     device or write a system register or table with an arbitrary value
 *     are left out (fuzz_gen.c, fuzz_raw_excluded);
 *   - prefixes (operand and address size, LOCK, REP/REPNE, segments) in
 *     front of the next item;
 *   - the privileged and sensitive instructions with random operands chosen
 *     from values that cannot leave the guest without its code, tables or
 *     stack: selectors of the guest's own GDT and LDT with every RPL, CR0
 *     values that keep PE, PG and WP, pseudo-descriptors of the guest's own
 *     tables with other limits, I/O ports where nothing answers;
 *   - IRET and RETF frames with odd selectors, every EFLAGS bit (VM, NT,
 *     TF and IOPL among them), and outer-ring SS:ESP;
 *   - plain arithmetic, moves, pushes and string instructions, so flags,
 *     registers and scratch memory change between the sensitive ones.
 * Every memory operand is an absolute address in the scratch page, and no
 * item writes ESP except through pushes and pops: a sequence cannot lose its
 * stack except through raw bytes.
 */
#ifndef TV_GUESTS_FUZZ_FUZZ_GEN_H
#define TV_GUESTS_FUZZ_FUZZ_GEN_H

#include <stdint.h>

#define FUZZ_CODE_MAX		512	/* bytes of one sequence, its end jump included */
#define FUZZ_ITEMS_MAX		12	/* items per sequence */
#define FUZZ_INSNS_MAX		64	/* recorded instruction starts per sequence */
#define FUZZ_INSN_BYTES_MAX	15u	/* the longest x86 instruction */
#define FUZZ_SCRATCH_SIZE	4096	/* the page every memory operand lies in */
#define FUZZ_STACK_FILL		1024	/* random bytes above the initial ESP */

/*
 * Selectors of the fuzz guest's GDT and LDT (fuzz_tables.c builds them);
 * the generator loads them into segment registers and frames.
 */
#define FUZZ_SEL_CODE0		0x08	/* flat ring-0 code, 32-bit */
#define FUZZ_SEL_DATA0		0x10	/* flat ring-0 data */
#define FUZZ_SEL_TSS		0x18	/* the guest's TSS (busy once loaded) */
#define FUZZ_SEL_CODE3		0x20	/* flat code, DPL 3 */
#define FUZZ_SEL_DATA3		0x28	/* flat data, DPL 3 */
#define FUZZ_SEL_CODE16		0x30	/* flat ring-0 code, 16-bit (D = 0) */
#define FUZZ_SEL_CONFORM	0x38	/* flat conforming code, DPL 0 */
#define FUZZ_SEL_RODATA		0x40	/* flat read-only data, DPL 0 */
#define FUZZ_SEL_NOTPRESENT	0x48	/* data, not present */
#define FUZZ_SEL_LDT		0x50	/* an LDT of two entries */
#define FUZZ_SEL_CODE1		0x58	/* flat code, DPL 1 */
#define FUZZ_SEL_DATA1		0x60	/* flat data, DPL 1 */
#define FUZZ_SEL_LDT_DATA	0x0C	/* LDT entry 1: flat ring-0 data */
#define FUZZ_GDT_ENTRIES	13

/* Vectors: the PIC's lines start at 0x20; 0x40..0x47 are gates of DPL 3; 0x48 is not present. */
#define FUZZ_VEC_IRQ0		0x20
#define FUZZ_VEC_USER_FIRST	0x40
#define FUZZ_VEC_USER_LAST	0x47
#define FUZZ_VEC_NOTPRESENT	0x48

/* Pseudo-descriptors in the guest's read-only table (struct fuzz_layout.tables), 8 bytes apart. */
enum fuzz_table_alt {
	FUZZ_ALT_GDT,		/* the GDT as installed */
	FUZZ_ALT_GDT_SHORT,	/* limit 0x17: code and data only */
	FUZZ_ALT_GDT_MID,	/* limit 0x3F */
	FUZZ_ALT_IDT,		/* the IDT as installed */
	FUZZ_ALT_IDT_SHORT,	/* limit 0xFF: the exceptions only */
	FUZZ_ALT_IDT_ODD,	/* limit 0x103: vector 0x20 cut in half */
	FUZZ_ALTS
};

/* Where things are in the guest, as it reports them (FUZZ-LAYOUT line). */
struct fuzz_layout {
	uint32_t code;		/* where the sequence's bytes run */
	uint32_t end;		/* the harness's end label the last jump goes to */
	uint32_t scratch;	/* FUZZ_SCRATCH_SIZE writable bytes */
	uint32_t stack_top;	/* ESP at the start; FUZZ_STACK_FILL bytes above are scratch too */
	uint32_t tables;	/* FUZZ_ALTS pseudo-descriptors, 8 bytes apart */
	uint32_t cr3;		/* the guest's page directory */
};

/* What an instruction (or the set-up before it) is: for traces and for matching expected differences. */
enum fuzz_kind {
	FUZZ_K_RAW, FUZZ_K_PREFIX, FUZZ_K_ALU, FUZZ_K_MOV, FUZZ_K_PUSHPOP, FUZZ_K_STRING,
	FUZZ_K_CLI, FUZZ_K_STI, FUZZ_K_PUSHF, FUZZ_K_POPF, FUZZ_K_IRET, FUZZ_K_RETF,
	FUZZ_K_FARJMP, FUZZ_K_FARCALL, FUZZ_K_LGDT, FUZZ_K_LIDT, FUZZ_K_SGDT, FUZZ_K_SIDT,
	FUZZ_K_SLDT, FUZZ_K_STR, FUZZ_K_SMSW, FUZZ_K_LMSW, FUZZ_K_CLTS, FUZZ_K_LLDT,
	FUZZ_K_LTR, FUZZ_K_LAR, FUZZ_K_LSL, FUZZ_K_VERRW, FUZZ_K_ARPL, FUZZ_K_MOVCR_READ,
	FUZZ_K_MOVCR_WRITE, FUZZ_K_MOVDR_READ, FUZZ_K_MOVDR_WRITE, FUZZ_K_IN, FUZZ_K_OUT,
	FUZZ_K_STRIO, FUZZ_K_INT, FUZZ_K_INT3, FUZZ_K_INTO, FUZZ_K_INT1, FUZZ_K_PUSH_CS,
	FUZZ_K_PUSH_SREG, FUZZ_K_POP_SREG, FUZZ_K_MOV_TO_SREG, FUZZ_K_MOV_FROM_CS,
	FUZZ_K_MOV_FROM_SREG, FUZZ_K_HLT, FUZZ_K_CMPXCHG8B, FUZZ_K_STD, FUZZ_K_CLD,
	FUZZ_K_INVLPG, FUZZ_K_CACHE, FUZZ_K_UD2, FUZZ_K_SYSENTER, FUZZ_K_FPU,
	FUZZ_K_SETUP,		/* MOV/PUSH that only prepares the next instruction's operand */
	FUZZ_K_END,		/* the jump to the harness's end label */
	FUZZ_KINDS
};

struct fuzz_insn {
	uint16_t off;		/* from the start of code[] */
	uint8_t len;
	uint8_t kind;		/* enum fuzz_kind */
};

struct fuzz_seq {
	uint8_t code[FUZZ_CODE_MAX];
	unsigned len;			/* bytes, the end jump included */
	struct fuzz_insn insn[FUZZ_INSNS_MAX];
	unsigned ninsn;
	/* The start state: EAX ECX EDX EBX (ESP unused) EBP ESI EDI, as PUSHAD orders them. */
	uint32_t reg[8];
	uint32_t eflags;		/* IOPL 0 and VM 0; IF is set with STI or CLI */
	uint16_t fs, gs;		/* DS, ES and SS are FUZZ_SEL_DATA0 */
	uint64_t fill;			/* seed of the scratch contents (fuzz_fill_next) */
};

/* Build sequence `number` of campaign `seed` for a guest laid out as `layout`. */
void fuzz_generate(uint64_t seed, uint32_t number, const struct fuzz_layout *layout,
		   struct fuzz_seq *seq);

/*
 * Keep only the first n instructions of a generated sequence (insn[0..n),
 * set-up and prefixes counted as instructions), followed by the jump to the
 * end label, where instruction n began: the state after those n alone, to
 * find the first instruction after which two machines differ. An n that
 * keeps every instruction before the end jump leaves the sequence whole.
 */
void fuzz_cut(struct fuzz_seq *seq, unsigned n, const struct fuzz_layout *layout);

/* The next 32-bit word of the scratch contents; start *state at seq->fill. */
uint32_t fuzz_fill_next(uint64_t *state);

/* The kind's name ("popf", "iret"), for listings and the expected-differences table. */
const char *fuzz_kind_name(unsigned kind);

/* 32-bit FNV-1a over len bytes, continuing from h (start with FUZZ_HASH_INIT). */
#define FUZZ_HASH_INIT	0x811C9DC5u
uint32_t fuzz_hash(uint32_t h, const void *p, uint32_t len);

#endif
