/*
 * guests/fuzz/fuzz_gen.c: building one random instruction sequence from a
 * seed and its number (fuzz_gen.h says what a sequence holds and why).
 * Runs in: guest; also compiled on the host by `trapvisor fuzz`.
 *
 * The random numbers: splitmix64 turns (seed, number) into the state of an
 * xorshift64* generator, which then draws everything of the sequence in
 * one fixed order. Nothing here may depend on the machine it runs on.
 */
#include "guests/fuzz/fuzz_gen.h"

#include <stddef.h>

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint32_t xorshift_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t fuzz_fill_next(uint64_t *state)
{
	return xorshift_next(state);
}

struct gen {
	uint64_t rng;
	const struct fuzz_layout *lay;
	struct fuzz_seq *seq;
	int full;		/* out of room: later items are dropped */
};

static uint32_t rnd(struct gen *g)
{
	return xorshift_next(&g->rng);
}

/* A number in [0, n). 32-bit modulo: the guest has no 64-bit division. */
static uint32_t below(struct gen *g, uint32_t n)
{
	return rnd(g) % n;
}

static int chance(struct gen *g, uint32_t one_in)
{
	return below(g, one_in) == 0;
}

/* ---- emitting bytes ---- */

static uint32_t here(const struct gen *g)
{
	return g->lay->code + g->seq->len;
}

static void emit8(struct gen *g, uint32_t b)
{
	if (g->seq->len < FUZZ_CODE_MAX)
		g->seq->code[g->seq->len++] = (uint8_t)b;
	else
		g->full = 1;
}

static void emit16(struct gen *g, uint32_t v)
{
	emit8(g, v);
	emit8(g, v >> 8);
}

static void emit32(struct gen *g, uint32_t v)
{
	emit16(g, v);
	emit16(g, v >> 16);
}

/* Start an instruction of a kind; its length is fixed by the next start or the end. */
static void begin(struct gen *g, unsigned kind)
{
	struct fuzz_seq *s = g->seq;

	if (s->ninsn && s->insn[s->ninsn - 1].len == 0)
		s->insn[s->ninsn - 1].len = (uint8_t)(s->len - s->insn[s->ninsn - 1].off);
	if (s->ninsn >= FUZZ_INSNS_MAX) {
		g->full = 1;
		return;
	}
	s->insn[s->ninsn].off = (uint16_t)s->len;
	s->insn[s->ninsn].len = 0;
	s->insn[s->ninsn].kind = (uint8_t)kind;
	s->ninsn++;
}

/* ---- operands ---- */

/* Any general register but ESP: items never write the stack pointer. */
static unsigned reg_not_esp(struct gen *g)
{
	static const uint8_t regs[] = { 0, 1, 2, 3, 5, 6, 7 };
	return regs[below(g, sizeof(regs))];
}

/* A dword-aligned address in the scratch page with room for 8 bytes. */
static uint32_t scratch_addr(struct gen *g)
{
	return g->lay->scratch + (below(g, FUZZ_SCRATCH_SIZE / 4 - 2) << 2);
}

/* A selector: mostly the guest's own descriptors, with any RPL and TI. */
static uint32_t selector(struct gen *g)
{
	static const uint16_t sels[] = {
		0, FUZZ_SEL_CODE0, FUZZ_SEL_DATA0, FUZZ_SEL_TSS, FUZZ_SEL_CODE3,
		FUZZ_SEL_DATA3, FUZZ_SEL_CODE16, FUZZ_SEL_CONFORM, FUZZ_SEL_RODATA,
		FUZZ_SEL_NOTPRESENT, FUZZ_SEL_LDT, FUZZ_SEL_CODE1, FUZZ_SEL_DATA1,
		FUZZ_SEL_LDT_DATA & ~3u, FUZZ_GDT_ENTRIES << 3,
	};
	if (chance(g, 16))
		return below(g, 0x10000);
	return sels[below(g, sizeof(sels) / sizeof(sels[0]))] | below(g, 4);
}

/*
 * A code selector for a far transfer or a frame: flat ring 0 mostly, the
 * others one time in 16 (a change of ring, or a segment the hypervisor
 * does not support, ends the run under it, and the campaign restarts).
 */
static uint32_t code_selector(struct gen *g)
{
	static const uint16_t sels[] = {
		FUZZ_SEL_CODE3 | 3, FUZZ_SEL_CODE1 | 1, FUZZ_SEL_CODE16, FUZZ_SEL_CONFORM,
		FUZZ_SEL_CONFORM | 3, FUZZ_SEL_CODE0 | 3,
	};
	if (!chance(g, 16))
		return FUZZ_SEL_CODE0;
	if (chance(g, 4))
		return selector(g);
	return sels[below(g, sizeof(sels) / sizeof(sels[0]))];
}

/* EFLAGS for POPF and frames: every bit may be set; VM, NT and TF less often (VM and NT stop the run under the hypervisor). */
static uint32_t flags_value(struct gen *g)
{
	uint32_t f = (rnd(g) & 0x003F7FD5u) | 0x2u;

	if (!chance(g, 32))
		f &= ~0x00020000u;	/* VM */
	if (!chance(g, 16))
		f &= ~0x00004000u;	/* NT */
	if (!chance(g, 4))
		f &= ~0x00000100u;	/* TF */
	return f;
}

/* A register's start value: random, a scratch address, small, or a selector. */
static uint32_t reg_value(struct gen *g)
{
	switch (below(g, 4)) {
	case 0: return rnd(g);
	case 1: return scratch_addr(g);
	case 2: return below(g, 64);
	default: return selector(g);
	}
}

/* MOV r32, imm32: the set-up before an instruction that reads r. */
static void setup_mov(struct gen *g, unsigned r, uint32_t v)
{
	begin(g, FUZZ_K_SETUP);
	emit8(g, 0xB8 + r);
	emit32(g, v);
}

static void setup_push(struct gen *g, uint32_t v)
{
	begin(g, FUZZ_K_SETUP);
	emit8(g, 0x68);
	emit32(g, v);
}

/* ModRM for an absolute disp32 memory operand with reg field r, then the address. */
static void mem_operand(struct gen *g, unsigned r, uint32_t addr)
{
	emit8(g, (r << 3) | 5);
	emit32(g, addr);
}

/* ---- raw bytes ---- */

/*
 * Bytes a raw run never contains (any position, as a byte may be an opcode
 * or a ModRM): relative jumps and loops (a sequence could loop with
 * interrupts off), I/O (a random port could reset the machine or end the
 * run), HLT, ENTER and LEAVE, indirect CALL and JMP (into the scratch
 * page's random bytes), and every byte that as a ModRM names ESP as the
 * register or the destination, with the one-byte writes of ESP: a lost
 * stack pointer would turn the next exception into a triple fault.
 */
static int fuzz_raw_excluded(uint32_t b)
{
	if ((b >= 0x6C && b <= 0x7F) || (b >= 0xE0 && b <= 0xEF))
		return 1;
	if (b == 0xF4 || b == 0xC8 || b == 0xC9 || b == 0xFF || b == 0x5C || b == 0x94 ||
	    b == 0xBC)
		return 1;
	return (b & 0x38) == 0x20 || (b & 0xC7) == 0xC4;
}

/* Two-byte opcodes left out after 0x0F: system tables and registers with arbitrary values, time, far branches. */
static int fuzz_raw_0f_excluded(uint32_t b)
{
	return b <= 0x01 || b == 0x05 || b == 0x07 || (b >= 0x30 && b <= 0x35) ||
	       b == 0x22 || b == 0x23 || (b >= 0x80 && b <= 0x8F) || b == 0xC7 ||
	       b == 0x78 || b == 0x79 || b == 0xAE || b == 0xB2;
}

static uint32_t raw_byte(struct gen *g, int after_0f)
{
	for (;;) {
		uint32_t b = below(g, 256);
		if (!fuzz_raw_excluded(b) && !(after_0f && fuzz_raw_0f_excluded(b)))
			return b;
	}
}

static void item_raw(struct gen *g)
{
	unsigned n = 1 + below(g, 6);
	uint32_t prev = 0;

	begin(g, FUZZ_K_RAW);
	for (unsigned i = 0; i < n; i++) {
		prev = raw_byte(g, prev == 0x0F);
		/*
		 * A 0x0F last would make a two-byte opcode of the next item's first
		 * byte, past fuzz_raw_0f_excluded: RDTSC (0F 31, an XOR's opcode
		 * after it: seed 2027, 40341), WRMSR, MOV to CR. A NOP instead,
		 * drawing nothing more, so the rest of the sequence stays as it was.
		 */
		emit8(g, i + 1 == n && prev == 0x0F ? 0x90 : prev);
	}
}

/* ---- ordinary instructions ---- */

static void item_alu(struct gen *g)
{
	unsigned op = below(g, 8), a = reg_not_esp(g), b = reg_not_esp(g);

	begin(g, FUZZ_K_ALU);
	switch (below(g, 8)) {
	case 0:	/* op r/m32, r32 or r32, r/m32, registers */
		emit8(g, (op << 3) | (chance(g, 2) ? 1 : 3));
		emit8(g, 0xC0 | (a << 3) | b);
		break;
	case 1:	/* op [mem], r32 */
		emit8(g, (op << 3) | 1);
		mem_operand(g, a, scratch_addr(g));
		break;
	case 2:	/* op r/m32, imm8 */
		emit8(g, 0x83);
		emit8(g, 0xC0 | (op << 3) | a);
		emit8(g, rnd(g));
		break;
	case 3:	/* shifts and rotates by imm8 */
		emit8(g, 0xC1);
		emit8(g, 0xC0 | (op << 3) | a);
		emit8(g, below(g, 40));
		break;
	case 4:	/* NOT, NEG, MUL, IMUL, DIV, IDIV (#DE) */
		emit8(g, 0xF7);
		emit8(g, 0xC0 | ((2 + below(g, 6)) << 3) | a);
		break;
	case 5:	/* INC, DEC */
		emit8(g, (chance(g, 2) ? 0x40 : 0x48) + a);
		break;
	case 6:	/* SETcc, BSWAP */
		emit8(g, 0x0F);
		if (chance(g, 2)) {
			emit8(g, 0x90 + below(g, 16));
			emit8(g, 0xC0 | a);
		} else {
			emit8(g, 0xC8 + a);
		}
		break;
	default:	/* flag instructions that are not sensitive: CLC STC CMC SAHF LAHF */
		emit8(g, (const uint8_t[]){ 0xF8, 0xF9, 0xF5, 0x9E, 0x9F }[below(g, 5)]);
		break;
	}
}

static void item_mov(struct gen *g)
{
	unsigned r = reg_not_esp(g);

	begin(g, FUZZ_K_MOV);
	switch (below(g, 3)) {
	case 0:
		emit8(g, 0xB8 + r);
		emit32(g, reg_value(g));
		break;
	case 1:
		emit8(g, chance(g, 2) ? 0x89 : 0x8B);
		mem_operand(g, r, scratch_addr(g));
		break;
	default:
		emit8(g, 0xC7);
		mem_operand(g, 0, scratch_addr(g));
		emit32(g, rnd(g));
		break;
	}
}

static void item_pushpop(struct gen *g)
{
	begin(g, FUZZ_K_PUSHPOP);
	switch (below(g, 6)) {
	case 0: emit8(g, 0x50 + below(g, 8)); break;		/* PUSH r32, ESP too */
	case 1: emit8(g, 0x58 + reg_not_esp(g)); break;	/* POP r32 */
	case 2: emit8(g, 0x68); emit32(g, rnd(g)); break;
	case 3: emit8(g, 0x60); break;				/* PUSHAD */
	case 4: emit8(g, 0x61); break;				/* POPAD: skips ESP */
	default: emit8(g, 0x8F); mem_operand(g, 0, scratch_addr(g)); break;
	}
}

static void item_string(struct gen *g)
{
	static const uint8_t ops[] = { 0xA4, 0xA5, 0xAA, 0xAB, 0xAC, 0xAD, 0xA6, 0xA7, 0xAE, 0xAF };
	/* Away from the page's edges: DF may walk either way. */
	setup_mov(g, 6, g->lay->scratch + 1024 + (below(g, 512) << 2));
	setup_mov(g, 7, g->lay->scratch + 2048 + (below(g, 256) << 2));
	setup_mov(g, 1, below(g, 9));
	begin(g, FUZZ_K_STRING);
	if (!chance(g, 3))
		emit8(g, chance(g, 4) ? 0xF2 : 0xF3);
	emit8(g, ops[below(g, sizeof(ops))]);
}

static void item_fpu(struct gen *g)
{
	begin(g, FUZZ_K_FPU);
	switch (below(g, 5)) {
	case 0: emit8(g, 0xD9); emit8(g, 0xE8); break;	/* FLD1 */
	case 1: emit8(g, 0xDE); emit8(g, 0xC1); break;	/* FADDP */
	case 2: emit8(g, 0x9B); break;			/* FWAIT */
	case 3: emit8(g, 0xDB); emit8(g, 0xE3); break;	/* FNINIT */
	default: emit8(g, 0xDF); emit8(g, 0xE0); break;	/* FNSTSW AX */
	}
}

/* ---- control transfers with odd frames ---- */

/* Where a frame or far transfer resumes: the next instruction, or a few bytes past it. */
static uint32_t resume_at(struct gen *g, uint32_t next)
{
	if (chance(g, 8))
		return next + below(g, 8);
	return next;
}

/* An outer-ring SS:ESP, pushed before the frame when the selector's RPL is not 0. */
static void push_outer(struct gen *g, uint32_t cs)
{
	static const uint16_t ss[] = {
		FUZZ_SEL_DATA3 | 3, FUZZ_SEL_DATA1 | 1, FUZZ_SEL_DATA0, FUZZ_SEL_RODATA | 3,
	};
	if ((cs & 3) == 0 && !chance(g, 8))
		return;
	setup_push(g, chance(g, 4) ? selector(g) : ss[below(g, 4)]);
	setup_push(g, g->lay->stack_top - 256 - (below(g, 64) << 2));
}

static void item_iret(struct gen *g)
{
	uint32_t cs = code_selector(g);
	int o16 = chance(g, 16);

	push_outer(g, cs);
	setup_push(g, flags_value(g));
	setup_push(g, cs);
	/* PUSH imm32 (5) + IRET (1, or 2 with 66) */
	setup_push(g, resume_at(g, here(g) + 5 + 1 + o16));
	begin(g, FUZZ_K_IRET);
	if (o16)
		emit8(g, 0x66);
	emit8(g, 0xCF);
}

static void item_retf(struct gen *g)
{
	uint32_t cs = code_selector(g);
	int imm = chance(g, 4);

	push_outer(g, cs);
	setup_push(g, cs);
	setup_push(g, resume_at(g, here(g) + 5 + (imm ? 3 : 1)));
	begin(g, FUZZ_K_RETF);
	if (imm) {
		emit8(g, 0xCA);
		emit16(g, below(g, 5) << 2);
	} else {
		emit8(g, 0xCB);
	}
}

static void item_far(struct gen *g)
{
	int call = chance(g, 2);

	begin(g, call ? FUZZ_K_FARCALL : FUZZ_K_FARJMP);
	emit8(g, call ? 0x9A : 0xEA);
	emit32(g, resume_at(g, here(g) + 6));
	emit16(g, code_selector(g));
}

/* ---- descriptor tables and segments ---- */

static void item_table(struct gen *g)
{
	unsigned which = below(g, 4);
	static const uint8_t kinds[] = { FUZZ_K_LGDT, FUZZ_K_LIDT, FUZZ_K_SGDT, FUZZ_K_SIDT };
	static const uint8_t regf[] = { 2, 3, 0, 1 };
	uint32_t addr;

	if (which == 0)
		addr = g->lay->tables + 8 * below(g, FUZZ_ALT_IDT);
	else if (which == 1)
		addr = g->lay->tables + 8 * (FUZZ_ALT_IDT + below(g, FUZZ_ALTS - FUZZ_ALT_IDT));
	else
		addr = scratch_addr(g);
	begin(g, kinds[which]);
	if (chance(g, 8))
		emit8(g, 0x66);
	emit8(g, 0x0F);
	emit8(g, 0x01);
	mem_operand(g, regf[which], addr);
}

/* SLDT, STR, SMSW: to a register or to memory. */
static void item_store_sys(struct gen *g)
{
	static const uint8_t kinds[] = { FUZZ_K_SLDT, FUZZ_K_STR, FUZZ_K_SMSW };
	static const uint8_t op2[] = { 0x00, 0x00, 0x01 };
	static const uint8_t regf[] = { 0, 1, 4 };
	unsigned which = below(g, 3);

	begin(g, kinds[which]);
	if (chance(g, 4))
		emit8(g, 0x66);
	emit8(g, 0x0F);
	emit8(g, op2[which]);
	if (chance(g, 2))
		emit8(g, 0xC0 | (regf[which] << 3) | reg_not_esp(g));
	else
		mem_operand(g, regf[which], scratch_addr(g));
}

/* LLDT, LTR, VERR, VERW, LMSW: a register loaded just before. */
static void item_load_sys(struct gen *g)
{
	static const uint8_t kinds[] = { FUZZ_K_LLDT, FUZZ_K_LTR, FUZZ_K_VERRW, FUZZ_K_VERRW,
					 FUZZ_K_LMSW };
	static const uint8_t op2[] = { 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t regf[] = { 2, 3, 4, 5, 6 };
	unsigned which = below(g, 5), r = reg_not_esp(g);

	setup_mov(g, r, which == 4 ? rnd(g) & 0xFFFF : selector(g));
	begin(g, kinds[which]);
	emit8(g, 0x0F);
	emit8(g, op2[which]);
	emit8(g, 0xC0 | (regf[which] << 3) | r);
}

/* LAR, LSL: selector in one register, result in another. */
static void item_lar(struct gen *g)
{
	unsigned src = reg_not_esp(g), dst = reg_not_esp(g), lsl = chance(g, 2);

	setup_mov(g, src, selector(g));
	begin(g, lsl ? FUZZ_K_LSL : FUZZ_K_LAR);
	emit8(g, 0x0F);
	emit8(g, lsl ? 0x03 : 0x02);
	emit8(g, 0xC0 | (dst << 3) | src);
}

static void item_arpl(struct gen *g)
{
	unsigned src = reg_not_esp(g), dst = reg_not_esp(g);

	setup_mov(g, src, selector(g));
	begin(g, FUZZ_K_ARPL);
	emit8(g, 0x63);
	emit8(g, 0xC0 | (src << 3) | dst);
}

static void item_sreg(struct gen *g)
{
	/* Segment registers by their ModRM number: ES CS SS DS FS GS. */
	static const uint8_t push1[] = { 0x06, 0x0E, 0x16, 0x1E };
	static const uint8_t pop1[] = { 0x07, 0, 0x17, 0x1F };
	unsigned s = below(g, 6), r = reg_not_esp(g);

	switch (below(g, 4)) {
	case 0:	/* PUSH sreg */
		begin(g, s == 1 ? FUZZ_K_PUSH_CS : FUZZ_K_PUSH_SREG);
		if (s < 4) {
			emit8(g, push1[s]);
		} else {
			emit8(g, 0x0F);
			emit8(g, s == 4 ? 0xA0 : 0xA8);
		}
		break;
	case 1:	/* POP sreg, after pushing a selector */
		if (s == 1)
			s = 3;
		setup_push(g, selector(g));
		begin(g, FUZZ_K_POP_SREG);
		if (s < 4) {
			emit8(g, pop1[s]);
		} else {
			emit8(g, 0x0F);
			emit8(g, s == 4 ? 0xA1 : 0xA9);
		}
		break;
	case 2:	/* MOV sreg, r16 (CS only rarely: #UD) */
		if (s == 1 && !chance(g, 4))
			s = 3;
		setup_mov(g, r, selector(g));
		begin(g, FUZZ_K_MOV_TO_SREG);
		emit8(g, 0x8E);
		emit8(g, 0xC0 | (s << 3) | r);
		break;
	default:	/* MOV r/m16, sreg */
		begin(g, s == 1 ? FUZZ_K_MOV_FROM_CS : FUZZ_K_MOV_FROM_SREG);
		if (chance(g, 2))
			emit8(g, 0x66);
		emit8(g, 0x8C);
		if (chance(g, 2))
			emit8(g, 0xC0 | (s << 3) | r);
		else
			mem_operand(g, s, scratch_addr(g));
		break;
	}
}

/* ---- control and debug registers ---- */

static uint32_t cr_value(struct gen *g, unsigned cr)
{
	switch (cr) {
	case 0:	/* PE PG WP ET always; MP EM TS NE AM NW CD at random */
		return 0x80010011u | (rnd(g) & 0x6004002Eu);
	case 3:
		return g->lay->cr3 | (rnd(g) & 0x18u);
	case 4: {	/* VME PVI TSD DE PSE MCE PGE PCE OSFXSR OSXMMEXCPT UMIP; never PAE */
		uint32_t v = rnd(g) & 0x00000FDFu;
		if (chance(g, 16))
			v |= 1u << (22 + below(g, 10));	/* reserved: #GP */
		return v;
	}
	default:
		return rnd(g);
	}
}

static void item_cr(struct gen *g)
{
	static const uint8_t crs[] = { 0, 0, 2, 3, 4, 4 };
	unsigned r = reg_not_esp(g), cr = chance(g, 16) ? 1 + 4 * below(g, 2) : crs[below(g, 6)];

	if (chance(g, 2)) {
		begin(g, FUZZ_K_MOVCR_READ);
		emit8(g, 0x0F);
		emit8(g, 0x20);
	} else {
		setup_mov(g, r, cr_value(g, cr));
		begin(g, FUZZ_K_MOVCR_WRITE);
		emit8(g, 0x0F);
		emit8(g, 0x22);
	}
	emit8(g, 0xC0 | (cr << 3) | r);
}

static void item_dr(struct gen *g)
{
	unsigned r = reg_not_esp(g), dr = below(g, 8);

	if (chance(g, 2)) {
		begin(g, FUZZ_K_MOVDR_READ);
		emit8(g, 0x0F);
		emit8(g, 0x21);
	} else {
		uint32_t v;
		if (dr < 4)
			v = scratch_addr(g);
		else if (dr == 7 || dr == 5)
			v = rnd(g) & 0xFFFF23FFu;	/* breakpoints on, GD at times */
		else
			v = rnd(g);
		setup_mov(g, r, v);
		begin(g, FUZZ_K_MOVDR_WRITE);
		emit8(g, 0x0F);
		emit8(g, 0x23);
	}
	emit8(g, 0xC0 | (dr << 3) | r);
}

/* ---- I/O: only ports where a write changes nothing that matters ---- */

/* Byte-wide ports: the PIC masks (read), COM1's scratch register. */
static uint32_t io_port(struct gen *g, int write, int byte)
{
	static const uint16_t absent[] = { 0x2F8, 0x2F9, 0x2FA, 0x2FB, 0x2FC, 0x2FF };
	if (byte && !write && chance(g, 3))
		return chance(g, 2) ? 0x21 : 0xA1;
	if (byte && chance(g, 3))
		return 0x3FF;
	return absent[below(g, 6)];
}

static void item_io(struct gen *g)
{
	int write = chance(g, 2), size = below(g, 3);	/* 0 byte, 1 word, 2 dword */
	uint32_t port = io_port(g, write, size == 0);

	if (chance(g, 3)) {	/* INS / OUTS */
		setup_mov(g, 6, scratch_addr(g));
		setup_mov(g, 7, scratch_addr(g));
		setup_mov(g, 1, below(g, 5));
		setup_mov(g, 2, port);
		begin(g, FUZZ_K_STRIO);
		if (!chance(g, 3))
			emit8(g, chance(g, 4) ? 0xF2 : 0xF3);
		if (size == 1)
			emit8(g, 0x66);
		emit8(g, (write ? 0x6E : 0x6C) + (size != 0));
		return;
	}
	if (write)
		setup_mov(g, 0, rnd(g));
	if (port < 0x100 && chance(g, 2)) {
		begin(g, write ? FUZZ_K_OUT : FUZZ_K_IN);
		if (size == 1)
			emit8(g, 0x66);
		emit8(g, (write ? 0xE6 : 0xE4) + (size != 0));
		emit8(g, port);
		return;
	}
	setup_mov(g, 2, port);
	begin(g, write ? FUZZ_K_OUT : FUZZ_K_IN);
	if (size == 1)
		emit8(g, 0x66);
	emit8(g, (write ? 0xEE : 0xEC) + (size != 0));
}

/* ---- interrupts, flags and the rest ---- */

static void item_int(struct gen *g)
{
	switch (below(g, 5)) {
	case 0: begin(g, FUZZ_K_INT3); emit8(g, 0xCC); break;
	case 1: begin(g, FUZZ_K_INTO); emit8(g, 0xCE); break;
	case 2: begin(g, FUZZ_K_INT1); emit8(g, 0xF1); break;
	default:
		begin(g, FUZZ_K_INT);
		emit8(g, 0xCD);
		emit8(g, chance(g, 2) ? FUZZ_VEC_USER_FIRST + below(g, 9) : below(g, 256));
		break;
	}
}

static void item_flags(struct gen *g)
{
	switch (below(g, 6)) {
	case 0: begin(g, FUZZ_K_CLI); emit8(g, 0xFA); break;
	case 1: begin(g, FUZZ_K_STI); emit8(g, 0xFB); break;
	case 2: begin(g, FUZZ_K_PUSHF); emit8(g, 0x9C); break;
	case 3: begin(g, FUZZ_K_STD); emit8(g, 0xFD); break;
	case 4: begin(g, FUZZ_K_CLD); emit8(g, 0xFC); break;
	default:
		setup_push(g, flags_value(g));
		begin(g, FUZZ_K_POPF);
		if (chance(g, 16))
			emit8(g, 0x66);
		emit8(g, 0x9D);
		break;
	}
}

static void item_misc(struct gen *g)
{
	switch (below(g, 8)) {
	case 0:
		begin(g, FUZZ_K_CMPXCHG8B);
		if (chance(g, 2))
			emit8(g, 0xF0);
		emit8(g, 0x0F);
		emit8(g, 0xC7);
		if (chance(g, 8))
			emit8(g, 0xC8 | reg_not_esp(g));	/* register operand: #UD */
		else
			mem_operand(g, 1, scratch_addr(g));
		break;
	case 1: begin(g, FUZZ_K_CLTS); emit8(g, 0x0F); emit8(g, 0x06); break;
	case 2: begin(g, FUZZ_K_INVLPG); emit8(g, 0x0F); emit8(g, 0x01); mem_operand(g, 7, scratch_addr(g)); break;
	case 3: begin(g, FUZZ_K_CACHE); emit8(g, 0x0F); emit8(g, chance(g, 2) ? 0x08 : 0x09); break;
	case 4: begin(g, FUZZ_K_UD2); emit8(g, 0x0F); emit8(g, 0x0B); break;
	case 5: begin(g, FUZZ_K_SYSENTER); emit8(g, 0x0F); emit8(g, 0x34); break;
	case 6:	/* HLT after STI: the watchdog's tick wakes it */
		begin(g, FUZZ_K_STI);
		emit8(g, 0xFB);
		begin(g, FUZZ_K_HLT);
		emit8(g, 0xF4);
		break;
	default: item_fpu(g); break;
	}
}

static void item_prefix(struct gen *g);

/* One item, by weight: a third ordinary, the rest sensitive or raw. */
static void item(struct gen *g)
{
	unsigned w = below(g, 100);

	if (w < 12) item_raw(g);
	else if (w < 18) item_prefix(g);
	else if (w < 26) item_alu(g);
	else if (w < 32) item_mov(g);
	else if (w < 37) item_pushpop(g);
	else if (w < 40) item_string(g);
	else if (w < 50) item_flags(g);
	else if (w < 56) item_iret(g);
	else if (w < 60) item_retf(g);
	else if (w < 63) item_far(g);
	else if (w < 67) item_table(g);
	else if (w < 71) item_store_sys(g);
	else if (w < 74) item_load_sys(g);
	else if (w < 77) item_lar(g);
	else if (w < 78) item_arpl(g);
	else if (w < 84) item_sreg(g);
	else if (w < 88) item_cr(g);
	else if (w < 90) item_dr(g);
	else if (w < 93) item_io(g);
	else if (w < 96) item_int(g);
	else item_misc(g);
}

/*
 * Prefix bytes, then an item they modify (which may make no sense: that is
 * the point). Only items whose immediates are selectors, flags, addresses
 * or small numbers: an operand-size prefix shortens an immediate, and the
 * bytes it leaves behind then run as instructions of their own, which
 * must not be arbitrary (fuzz_raw_excluded).
 */
static void item_prefix(struct gen *g)
{
	static const uint8_t pfx[] = { 0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65 };
	static void (*const items[])(struct gen *) = {
		item_alu, item_string, item_flags, item_iret, item_retf, item_far, item_table,
		item_store_sys, item_lar, item_arpl, item_sreg, item_int, item_misc,
	};
	unsigned n = 1 + below(g, 3);

	begin(g, FUZZ_K_PREFIX);
	for (unsigned i = 0; i < n; i++)
		emit8(g, pfx[below(g, sizeof(pfx))]);
	items[below(g, sizeof(items) / sizeof(items[0]))](g);
}

/* ---- the sequence ---- */

/* The JMP rel32 to the harness's end label, at the end of the code, as the last instruction. */
static void end_jump(struct fuzz_seq *seq, const struct fuzz_layout *layout)
{
	uint32_t rel = layout->end - (layout->code + seq->len + 5);
	struct fuzz_insn *end = &seq->insn[seq->ninsn - 1];

	seq->code[seq->len] = 0xE9;
	for (unsigned i = 0; i < 4; i++)
		seq->code[seq->len + 1 + i] = (uint8_t)(rel >> (8 * i));
	seq->len += 5;
	end->len = (uint8_t)(seq->len - end->off);	/* with any NOPs before the jump */
}

void fuzz_generate(uint64_t seed, uint32_t number, const struct fuzz_layout *layout,
		   struct fuzz_seq *seq)
{
	struct gen g = { .lay = layout, .seq = seq };
	static const uint16_t fsgs[] = {
		FUZZ_SEL_DATA0, FUZZ_SEL_DATA0, 0, FUZZ_SEL_DATA3 | 3, FUZZ_SEL_RODATA,
		FUZZ_SEL_DATA1 | 1,
	};

	g.rng = splitmix64(seed ^ splitmix64((uint64_t)number + 1));
	if (!g.rng)
		g.rng = 1;
	seq->len = 0;
	seq->ninsn = 0;

	for (unsigned i = 0; i < 8; i++)
		seq->reg[i] = reg_value(&g);
	seq->reg[4] = 0;
	/* CF PF AF ZF SF DF OF, AC and ID at random; TF, NT and RF now and then; IF by STI/CLI. */
	seq->eflags = (rnd(&g) & 0x00240ED5u) | 0x2u;
	if (chance(&g, 16))
		seq->eflags |= 0x100u;
	if (chance(&g, 16))
		seq->eflags |= 0x4000u;
	if (chance(&g, 16))
		seq->eflags |= 0x10000u;
	seq->fs = fsgs[below(&g, 6)];
	seq->gs = fsgs[below(&g, 6)];
	seq->fill = splitmix64(g.rng);

	unsigned nitems = 1 + below(&g, FUZZ_ITEMS_MAX);
	for (unsigned i = 0; i < nitems && !g.full && seq->len + 64 < FUZZ_CODE_MAX - 8; i++)
		item(&g);

	/*
	 * An instruction that random bytes begin may run on into the bytes
	 * after them, up to 15 in all: before the end jump, NOPs enough that
	 * none takes the jump's bytes for its own and sends the CPU on into
	 * bytes that are no item (seed 11, sequence 85: an AAD took the jump's
	 * opcode for its immediate, and a RET in its displacement went into the
	 * scratch page, whose bytes read an absent port). A chain of such
	 * instructions through a later item can still reach further; rare.
	 */
	unsigned pad_to = 0;
	for (unsigned i = 0; i < seq->ninsn; i++)
		if (seq->insn[i].kind == FUZZ_K_RAW && seq->insn[i].off + FUZZ_INSN_BYTES_MAX > pad_to)
			pad_to = seq->insn[i].off + FUZZ_INSN_BYTES_MAX;
	begin(&g, FUZZ_K_END);
	while (seq->len < pad_to && seq->len + 5 < FUZZ_CODE_MAX)
		emit8(&g, 0x90);
	end_jump(seq, layout);
}

void fuzz_cut(struct fuzz_seq *seq, unsigned n, const struct fuzz_layout *layout)
{
	if (n + 1 >= seq->ninsn)
		return;		/* every instruction kept: the sequence as it is */
	seq->len = seq->insn[n].off;
	seq->insn[n].kind = FUZZ_K_END;
	seq->ninsn = n + 1;
	end_jump(seq, layout);
}

/* ---- names and hashing ---- */

static const char *const fuzz_kind_names[FUZZ_KINDS] = {
	[FUZZ_K_RAW] = "raw", [FUZZ_K_PREFIX] = "prefix", [FUZZ_K_ALU] = "alu",
	[FUZZ_K_MOV] = "mov", [FUZZ_K_PUSHPOP] = "pushpop", [FUZZ_K_STRING] = "string",
	[FUZZ_K_CLI] = "cli", [FUZZ_K_STI] = "sti", [FUZZ_K_PUSHF] = "pushf",
	[FUZZ_K_POPF] = "popf", [FUZZ_K_IRET] = "iret", [FUZZ_K_RETF] = "retf",
	[FUZZ_K_FARJMP] = "farjmp", [FUZZ_K_FARCALL] = "farcall", [FUZZ_K_LGDT] = "lgdt",
	[FUZZ_K_LIDT] = "lidt", [FUZZ_K_SGDT] = "sgdt", [FUZZ_K_SIDT] = "sidt",
	[FUZZ_K_SLDT] = "sldt", [FUZZ_K_STR] = "str", [FUZZ_K_SMSW] = "smsw",
	[FUZZ_K_LMSW] = "lmsw", [FUZZ_K_CLTS] = "clts", [FUZZ_K_LLDT] = "lldt",
	[FUZZ_K_LTR] = "ltr", [FUZZ_K_LAR] = "lar", [FUZZ_K_LSL] = "lsl",
	[FUZZ_K_VERRW] = "verr/verw", [FUZZ_K_ARPL] = "arpl", [FUZZ_K_MOVCR_READ] = "mov-from-cr",
	[FUZZ_K_MOVCR_WRITE] = "mov-to-cr", [FUZZ_K_MOVDR_READ] = "mov-from-dr",
	[FUZZ_K_MOVDR_WRITE] = "mov-to-dr", [FUZZ_K_IN] = "in", [FUZZ_K_OUT] = "out",
	[FUZZ_K_STRIO] = "ins/outs", [FUZZ_K_INT] = "int", [FUZZ_K_INT3] = "int3",
	[FUZZ_K_INTO] = "into", [FUZZ_K_INT1] = "int1", [FUZZ_K_PUSH_CS] = "push-cs",
	[FUZZ_K_PUSH_SREG] = "push-sreg", [FUZZ_K_POP_SREG] = "pop-sreg",
	[FUZZ_K_MOV_TO_SREG] = "mov-to-sreg", [FUZZ_K_MOV_FROM_CS] = "mov-from-cs",
	[FUZZ_K_MOV_FROM_SREG] = "mov-from-sreg", [FUZZ_K_HLT] = "hlt",
	[FUZZ_K_CMPXCHG8B] = "cmpxchg8b", [FUZZ_K_STD] = "std", [FUZZ_K_CLD] = "cld",
	[FUZZ_K_INVLPG] = "invlpg", [FUZZ_K_CACHE] = "invd/wbinvd", [FUZZ_K_UD2] = "ud2",
	[FUZZ_K_SYSENTER] = "sysenter", [FUZZ_K_FPU] = "fpu", [FUZZ_K_SETUP] = "setup",
	[FUZZ_K_END] = "end",
};

const char *fuzz_kind_name(unsigned kind)
{
	return kind < FUZZ_KINDS && fuzz_kind_names[kind] ? fuzz_kind_names[kind] : "?";
}

uint32_t fuzz_hash(uint32_t h, const void *p, uint32_t len)
{
	const uint8_t *b = p;

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x01000193u;
	return h;
}
