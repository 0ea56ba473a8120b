/*
 * guests/opcode_scan/scan_cases.c: the cases of the scan: every one- and
 * two-byte opcode, each ModRM form that selects a different instruction,
 * without and with the operand-size prefix, and the opcodes not run.
 * Runs in: guest.
 *
 * The opcode maps below (Intel SDM vol. 2, appendix A, tables)
 * say for each opcode whether a ModRM byte follows and what immediate:
 * enough to build an instruction of the right length, so that one that
 * completes falls through to the jump back to the harness. A ModRM opcode
 * runs with each of the eight values of its reg field (which selects the
 * instruction in a group such as 0F 00 or FF) in two forms: memory
 * (mod 00, r/m 101: a 32-bit absolute address, SCAN_MEM) and register
 * (mod 11, r/m 000: EAX). 0F 01's register forms are instructions of their
 * own (MONITOR, CLAC, RDTSCP, ...), so all eight r/m values run there.
 *
 * Immediates: relative branches get displacement 0 (they fall through);
 * far pointers the landing pad and SCAN_FAR_SEL; moffs SCAN_MEM; other
 * immediates SCAN_IMM, a port no device claims (IN and OUT), a vector
 * (INT), a shift count the CPU masks to 0.
 */
#include "guests/opcode_scan/scan.h"
#include "lib/string.h"

/*
 * Per opcode, one character: '.' no ModRM, 'm' ModRM, 's' not run (scan_skips
 * says why), 'p' a prefix and 'x' the escape to the 0F map (neither run
 * alone: 66 is run in front of every opcode, the others are in scan_skips).
 */
/* The maps proper, 16 opcodes a row. */
static const char *const map1[16] = {
	"mmmm....mmmm...x",	/* 00 */
	"mmmm....mmmm....",	/* 10 */
	"mmmm..p.mmmm..p.",	/* 20 */
	"mmmm..p.mmmm..p.",	/* 30 */
	"................",	/* 40 */
	"................",	/* 50 */
	"..mmpppp.m.m....",	/* 60: PUSHA POPA BOUND ARPL, FS: GS: 66 67, PUSH IMUL PUSH IMUL, INS OUTS */
	"................",	/* 70: Jcc rel8 */
	"mmmmmmmmmmmmmmmm",	/* 80: groups 1, TEST XCHG MOV LEA MOV-sreg POP */
	"................",	/* 90: XCHG CWDE CDQ CALLF FWAIT PUSHF POPF SAHF LAHF */
	"................",	/* A0: MOV moffs, string ops, TEST */
	"................",	/* B0: MOV imm */
	"mm..mmmm........",	/* C0: shifts RET LES LDS MOV ENTER LEAVE RETF INT3 INT INTO IRET */
	"mmmm....mmmmmmmm",	/* D0: shifts AAM AAD SALC XLAT, x87 */
	"................",	/* E0: LOOP JCXZ IN OUT CALL JMP */
	"p.pps.mm......mm",	/* F0: LOCK INT1 REPNE REP HLT CMC group 3, CLC..STD group 4 5 */
};
/*
 * Immediates, per opcode: '.' none, 'b' 8 bits, 'w' 16, 'z' 16 or 32 (the
 * operand size), 'j' rel8, 'k' rel16/32, 'f' a far pointer, 'o' moffs,
 * 'e' ENTER's 16 and 8, 'g' 8 bits for reg 0 and 1 only (TEST in F6),
 * 'h' 16/32 for reg 0 and 1 only (TEST in F7).
 */
static const char *const imm1[16] = {
	"....bz......bz..",	/* 00 */
	"....bz......bz..",	/* 10 */
	"....bz......bz..",	/* 20 */
	"....bz......bz..",	/* 30 */
	"................",	/* 40 */
	"................",	/* 50 */
	"........zzbb....",	/* 60 */
	"jjjjjjjjjjjjjjjj",	/* 70 */
	"bzbb............",	/* 80 */
	"..........f.....",	/* 90 */
	"oooo....bz......",	/* A0 */
	"bbbbbbbbzzzzzzzz",	/* B0 */
	"bbw...bze.w..b..",	/* C0 */
	"....bb..........",	/* D0 */
	"jjjjbbbbkkfj....",	/* E0 */
	"......gh........",	/* F0 */
};
static const char *const map2[16] = {
	"mmmm.........m.m",	/* 00: group 6 group 7 LAR LSL, SYSCALL CLTS SYSRET INVD WBINVD UD2, prefetch, 3DNow! */
	"mmmmmmmmmmmmmmmm",	/* 10: SSE moves, hints */
	"mmmm....mmmmmmmm",	/* 20: MOV CR/DR, SSE */
	"........s.s.....",	/* 30: WRMSR RDTSC RDMSR RDPMC SYSENTER SYSEXIT GETSEC, 38 and 3A */
	"mmmmmmmmmmmmmmmm",	/* 40: CMOVcc */
	"mmmmmmmmmmmmmmmm",	/* 50 */
	"mmmmmmmmmmmmmmmm",	/* 60 */
	"mmmmmmm.mmmmmmmm",	/* 70: 77 EMMS */
	"................",	/* 80: Jcc rel32 */
	"mmmmmmmmmmmmmmmm",	/* 90: SETcc */
	"...mmm.....mmmmm",	/* A0: PUSH/POP FS CPUID BT SHLD, PUSH/POP GS RSM BTS SHRD group 15 IMUL */
	"mmmmmmmmmmmmmmmm",	/* B0 */
	"mmmmmmmm........",	/* C0: ..., group 9, BSWAP */
	"mmmmmmmmmmmmmmmm",	/* D0 */
	"mmmmmmmmmmmmmmmm",	/* E0 */
	"mmmmmmmmmmmmmmmm",	/* F0 */
};
static const char *const imm2[16] = {
	"...............b",	/* 00: 3DNow!'s suffix */
	"................",
	"................",
	"................",
	"................",
	"................",
	"................",
	"bbbb............",	/* 70: PSHUFW, groups 12-14 */
	"kkkkkkkkkkkkkkkk",	/* 80 */
	"................",
	"....b.......b...",	/* A0: SHLD SHRD imm8 */
	"..........b.....",	/* B0: group 8 */
	"..b.bbb.........",	/* C0: CMPPS PINSRW PEXTRW SHUFPS */
	"................",
	"................",
	"................",
};

const struct scan_skip scan_skips[] = {
	{ "26 2e 36 3e 64 65", "segment overrides: change only which segment a memory operand uses, all flat here" },
	{ "67", "address size: turns the ModRM forms into 16-bit addressing, other instructions' lengths" },
	{ "f0", "LOCK: #UD with anything but a read-modify-write to memory, at every ring" },
	{ "f2 f3", "REP/REPNE: select SSE forms of the 0F map, which read no system state (RDPID's TSC_AUX is read by RDTSCP, scanned)" },
	{ "f4", "HLT: with interrupts off nothing wakes the bare CPU: it would hang" },
	{ "0f 01 c9, 0f 01 fb", "MWAIT, MWAITX: wait like HLT" },
	{ "0f 22 /4", "MOV to CR4 of the scan's word (VME, PSE and reserved bits): QEMU's emulated CPU never finishes it on the bare machine (classify's row writes one harmless bit)" },
	{ "0f 01 /2, /3 (memory)", "LGDT, LIDT: would load the tables the scan runs on from its scratch words (privileged: classify runs them)" },
	{ "0f 38, 0f 3a", "three-byte maps (SSSE3 and later): no system instructions" },
	{ "c4 c5 62 (mod 11)", "VEX and EVEX prefixes, not LES, LDS, BOUND" },
	{ "66 with a relative branch", "a 16-bit branch truncates EIP to 16 bits: it would leave the scan's code" },
};
const unsigned scan_nskips = sizeof(scan_skips) / sizeof(scan_skips[0]);

static uint8_t *put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put16(put16(p, v), v >> 16);
}

static char at(const char *const rows[16], unsigned op)
{
	return rows[op >> 4][op & 15];
}

/* The immediate of kind k after ModRM reg field reg, with a 16-bit operand size or not. */
static uint8_t *put_imm(uint8_t *p, char k, unsigned reg, bool o16)
{
	switch (k) {
	case 'g': if (reg >= 2) break;
		/* fall through */
	case 'b': *p++ = SCAN_IMM; break;
	case 'w': p = put16(p, SCAN_IMM); break;
	case 'h': if (reg >= 2) break;
		/* fall through */
	case 'z': p = o16 ? put16(p, SCAN_IMM) : put32(p, SCAN_IMM); break;
	case 'j': *p++ = 0; break;
	case 'k': p = o16 ? put16(p, 0) : put32(p, 0); break;
	case 'f': p = o16 ? put16(p, SCAN_PAD16) : put32(p, SCAN_PAD32);
		p = put16(p, SCAN_FAR_SEL); break;
	case 'o': p = put32(p, SCAN_MEM); break;
	case 'e': p = put16(p, SCAN_IMM); *p++ = SCAN_IMM; break;
	}
	return p;
}

static unsigned restore_of(bool two, unsigned op)
{
	if (!two && (op == 0xFB || op == 0x9D || op == 0xCF))
		return SCAN_RESTORE_IF;
	if (two && (op == 0x01 || op == 0x06 || (op >= 0x20 && op <= 0x23)))
		return SCAN_RESTORE_SYSREGS;
	return 0;
}

struct builder {
	struct scan_case *cases;
	unsigned n, max;
};

static void add(struct builder *b, bool o16, bool two, unsigned op, int modrm, char imm)
{
	if (b->n == b->max)
		return;
	struct scan_case *c = &b->cases[b->n++];
	uint8_t *p = c->bytes;
	unsigned reg = modrm >= 0 ? ((unsigned)modrm >> 3) & 7 : 0;

	memset(c, 0, sizeof(*c));
	if (o16)
		*p++ = 0x66;
	if (two)
		*p++ = 0x0F;
	*p++ = (uint8_t)op;
	if (modrm >= 0) {
		*p++ = (uint8_t)modrm;
		if ((modrm & 0xC7) == 0x05)
			p = put32(p, SCAN_MEM);
	}
	p = put_imm(p, imm, reg, o16);
	c->len = (uint8_t)(p - c->bytes);
	c->restore = (uint8_t)restore_of(two, op);
}

static bool is_relative_branch(char imm)
{
	return imm == 'j' || imm == 'k';
}

static void add_opcode(struct builder *b, bool o16, bool two, unsigned op)
{
	char kind = at(two ? map2 : map1, op);
	char imm = at(two ? imm2 : imm1, op);

	if (kind == 'p' || kind == 's' || kind == 'x')
		return;
	if (o16 && is_relative_branch(imm))
		return;
	if (kind == '.') {
		add(b, o16, two, op, -1, imm);
		return;
	}
	bool vex = !two && (op == 0xC4 || op == 0xC5 || op == 0x62);
	/* MOV to and from CR and DR ignore mod: there is only the register form. */
	bool register_only = two && op >= 0x20 && op <= 0x23;
	for (unsigned reg = 0; reg < 8; reg++) {
		bool table_load = two && op == 0x01 && (reg == 2 || reg == 3);
		if (!table_load && !register_only)
			add(b, o16, two, op, (int)(0x05 | reg << 3), imm);
		if (vex)
			continue;
		unsigned rms = two && op == 0x01 ? 8 : 1;
		for (unsigned rm = 0; rm < rms; rm++) {
			unsigned modrm = 0xC0 | reg << 3 | rm;
			if (two && op == 0x01 && (modrm == 0xC9 || modrm == 0xFB))
				continue;	/* MWAIT, MWAITX */
			if (two && op == 0x22 && reg == 4)
				continue;	/* MOV to CR4 */
			add(b, o16, two, op, (int)modrm, imm);
		}
	}
}

unsigned scan_cases_build(struct scan_case *cases, unsigned max)
{
	struct builder b = { cases, 0, max };

	for (int o16 = 0; o16 < 2; o16++)
		for (int two = 0; two < 2; two++)
			for (unsigned op = 0; op < 256; op++)
				add_opcode(&b, o16, two, op);
	return b.n;
}
