/*
 * tests/unit/test_inline_patch.c: the inline patch mode's placement and
 * patch code (deprivilege/inline_patch.c).
 * Runs on: host (Check).
 *
 * Placement: small pieces of guest code written as bytes (each decoded in a
 * comment, Intel SDM vol. 2), scanned by the patcher, then planned: which
 * sites become regions, where they start (the site, or an instruction
 * before it), how long, which are refused and why.
 *
 * Patch code: the code generated for a region is run by a small
 * interpreter of the few instructions the templates use, on a model CPU at
 * ring 1 (its POPF follows deprivilege/eflags_rules.c at CPL 1, as the
 * real one does), against a model state page. The SDM's rules for CLI,
 * STI, PUSHF and POPF at CPL 0, the guest kernel's virtual CPL, are table
 * rows: the state before, the instruction, what the bare machine's CPU at
 * CPL 0 would show after it. The interpreter stops where the patch code
 * leaves for the guest's code or traps (INT3).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deprivilege/eflags_rules.h"
#include "deprivilege/inline_patch.h"
#include "lib/x86.h"

#define BASE		0x1000u		/* guest code */
#define CODE_LA		0xFFD02000u	/* patch code, as hv/layout.h places it */
#define STATE_LA	0xFFD00000u
#define TABLES_LA	0xFFD01000u
#define STACK_TOP	0x8000u
#define MAX_SITES	32
#define ARITH		(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

static csh cs;
static uint8_t guest[256], visited[64], targets[64];
static struct patch_site sites[MAX_SITES];
static unsigned nsites;
static uint8_t code[4096];
static struct inline_region regions[16];
static struct inline_point points[256];
static struct inline_plan plan;
static uint32_t if_table[256], iopl_table[256];
static uint8_t region_map[INLINE_REGION_MAP_BYTES];

static void open_capstone(void)
{
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &cs), CS_ERR_OK);
	ck_assert_int_eq(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
}

static void close_capstone(void)
{
	cs_close(&cs);
}

static void new_plan(unsigned ring)
{
	memset(&plan, 0, sizeof plan);
	memset(code, 0xCC, sizeof code);
	plan.code = code;
	plan.code_la = CODE_LA;
	plan.code_size = sizeof code;
	plan.regions = regions;
	plan.max_regions = 16;
	plan.points = points;
	plan.max_points = 256;
	plan.layout = (struct inline_layout){ STATE_LA, STATE_LA + 4, STATE_LA + 8,
					      TABLES_LA, TABLES_LA + 1024, ring,
					      STATE_LA + 12, STATE_LA + 16, STACK_TOP - 20,
					      TABLES_LA + 2048, BASE, STATE_LA + 20 };
	inline_fill_tables(if_table, iopl_table);
}

/* Scans bytes at BASE from BASE (and any extra roots), plans the first site. */
static int plan_first(const uint8_t *bytes, uint32_t size, const uint32_t *extra, unsigned nextra)
{
	uint32_t roots[4] = { BASE };
	struct patch_region r = { BASE, guest, size };

	memset(guest, 0, sizeof guest);
	memcpy(guest, bytes, size);
	for (unsigned i = 0; i < nextra; i++)
		roots[1 + i] = extra[i];
	ck_assert_int_eq(patcher_scan_targets(cs, &r, roots, 1 + nextra, PATCH_INLINE_SET, visited,
					      targets, sites, MAX_SITES, &nsites), PATCHER_OK);
	ck_assert_uint_ge(nsites, 1);
	new_plan(1);
	return inline_plan_site(cs, &r, visited, targets, sites[0].la, &plan);
}

#define PLAN(...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; plan_first(b_, sizeof b_, 0, 0); })

/* ---- the interpreter ---- */

struct cpu {
	uint32_t reg[8];	/* eax ecx edx ebx esp ebp esi edi */
	uint32_t eip, eflags, cs;
	uint32_t vif, viopl, pending;	/* the state page */
	uint32_t vif_saved, viopl_saved, eax_saved;
	uint8_t stack[STACK_TOP];	/* guest memory 0..STACK_TOP */
};

enum stop { LEFT, TRAPPED, UNKNOWN, AT_IRET };

static uint32_t *word_at(struct cpu *c, uint32_t la)
{
	if (la == STATE_LA)
		return &c->vif;
	if (la == STATE_LA + 4)
		return &c->viopl;
	if (la == STATE_LA + 8)
		return &c->pending;
	if (la == STATE_LA + 12)
		return &c->vif_saved;
	if (la == STATE_LA + 16)
		return &c->viopl_saved;
	if (la == STATE_LA + 20)
		return &c->eax_saved;
	if (la >= TABLES_LA && la < TABLES_LA + 1024)
		return &if_table[(la - TABLES_LA) / 4];
	if (la >= TABLES_LA + 1024 && la < TABLES_LA + 2048)
		return &iopl_table[(la - TABLES_LA - 1024) / 4];
	ck_assert_msg(la + 4 <= STACK_TOP, "patch code touched 0x%08x", la);
	return (uint32_t *)&c->stack[la];
}

static int regno(unsigned r)
{
	static const unsigned r32[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
					 X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
	for (int i = 0; i < 8; i++)
		if (r == r32[i])
			return i;
	return -1;
}

static uint32_t ea(struct cpu *c, const cs_x86_op *op)
{
	uint32_t a = (uint32_t)op->mem.disp;
	if (op->mem.base != X86_REG_INVALID)
		a += c->reg[regno(op->mem.base)];
	if (op->mem.index != X86_REG_INVALID && op->mem.index != X86_REG_EIZ)
		a += c->reg[regno(op->mem.index)] * (uint32_t)op->mem.scale;
	return a;
}

/* Byte and word operands (the IRET template's) are on the model's stack only. */
static uint32_t get(struct cpu *c, const cs_x86_op *op)
{
	if (op->type == X86_OP_IMM)
		return (uint32_t)op->imm & (op->size == 1 ? 0xFF : op->size == 2 ? 0xFFFF : ~0u);
	if (op->type == X86_OP_MEM && op->size < 4) {
		uint32_t la = ea(c, op);
		ck_assert_uint_lt(la + op->size, STACK_TOP);
		return op->size == 1 ? c->stack[la] : (uint32_t)(c->stack[la] | c->stack[la + 1] << 8);
	}
	if (op->type == X86_OP_MEM)
		return *word_at(c, ea(c, op));
	if (op->reg == X86_REG_CS)
		return c->cs;
	if (op->reg == X86_REG_AX)
		return c->reg[0] & 0xFFFF;
	if (op->reg == X86_REG_AL)
		return c->reg[0] & 0xFF;
	return c->reg[regno(op->reg)];
}

static void put(struct cpu *c, const cs_x86_op *op, uint32_t v)
{
	if (op->type == X86_OP_MEM && op->size == 1)
		c->stack[ea(c, op)] = (uint8_t)v;
	else if (op->type == X86_OP_MEM)
		*word_at(c, ea(c, op)) = v;
	else if (op->reg == X86_REG_AX)
		c->reg[0] = (c->reg[0] & ~0xFFFFu) | (v & 0xFFFF);
	else if (op->reg == X86_REG_AL)
		c->reg[0] = (c->reg[0] & ~0xFFu) | (v & 0xFF);
	else
		c->reg[regno(op->reg)] = v;
}

/* CMP, TEST, AND and ADD set ZF and CF (all the templates' branches read). */
static void arith(struct cpu *c, uint32_t result, unsigned size, int carry)
{
	uint32_t mask = size == 1 ? 0xFF : size == 2 ? 0xFFFF : ~0u;
	c->eflags &= ~(EFLAGS_ZF | EFLAGS_CF);
	if (!(result & mask))
		c->eflags |= EFLAGS_ZF;
	if (carry)
		c->eflags |= EFLAGS_CF;
}

static void push(struct cpu *c, uint32_t v)
{
	c->reg[4] -= 4;
	*word_at(c, c->reg[4]) = v;
}

static uint32_t pop(struct cpu *c)
{
	uint32_t v = *word_at(c, c->reg[4]);
	c->reg[4] += 4;
	return v;
}

/* Runs from eip until the code leaves the patch area or traps; at most 200 instructions. */
static enum stop run(struct cpu *c)
{
	cs_insn *insn = cs_malloc(cs);

	for (int n = 0; n < 200; n++) {
		if (c->eip < CODE_LA || c->eip >= CODE_LA + sizeof code) {
			cs_free(insn, 1);
			return LEFT;
		}
		const uint8_t *p = code + (c->eip - CODE_LA);
		size_t avail = 15;
		uint64_t addr = c->eip;
		ck_assert(cs_disasm_iter(cs, &p, &avail, &addr, insn));
		const cs_x86 *x = &insn->detail->x86;
		uint32_t next = c->eip + insn->size;
		switch (insn->id) {
		case X86_INS_NOP:
			break;
		case X86_INS_INT3:
			cs_free(insn, 1);
			return TRAPPED;	/* eip at the INT3, as the #GP reports it */
		case X86_INS_PUSHFD:
			push(c, eflags_for_pushf(c->eflags));
			break;
		case X86_INS_POPFD:
			/* The real CPU runs the guest kernel at ring 1 with IOPL 0. */
			c->eflags = eflags_after_popf(c->eflags, pop(c), 1, 0);
			break;
		case X86_INS_PUSH:
			push(c, get(c, &x->operands[0]));
			break;
		case X86_INS_POP:
			put(c, &x->operands[0], pop(c));
			break;
		case X86_INS_MOV:
			put(c, &x->operands[0], get(c, &x->operands[1]));
			break;
		case X86_INS_MOVZX:
			put(c, &x->operands[0], c->stack[ea(c, &x->operands[1])]);
			break;
		case X86_INS_LEA:
			put(c, &x->operands[0], ea(c, &x->operands[1]));
			break;
		case X86_INS_XCHG: {
			uint32_t a = get(c, &x->operands[0]), b = get(c, &x->operands[1]);
			put(c, &x->operands[0], b);
			put(c, &x->operands[1], a);
			break;
		}
		case X86_INS_JECXZ:
			if (c->reg[1] == 0)
				next = (uint32_t)x->operands[0].imm;
			break;
		case X86_INS_CMP: {
			uint32_t a = get(c, &x->operands[0]), b = get(c, &x->operands[1]);
			arith(c, a - b, x->operands[0].size, a < b);
			break;
		}
		case X86_INS_TEST:
			arith(c, get(c, &x->operands[0]) & get(c, &x->operands[1]), x->operands[0].size, 0);
			break;
		case X86_INS_AND: {
			uint32_t r = get(c, &x->operands[0]) & get(c, &x->operands[1]);
			put(c, &x->operands[0], r);
			arith(c, r, x->operands[0].size, 0);
			break;
		}
		case X86_INS_SUB: {
			uint32_t a = get(c, &x->operands[0]), b = get(c, &x->operands[1]);
			put(c, &x->operands[0], a - b);
			arith(c, a - b, x->operands[0].size, a < b);
			break;
		}
		case X86_INS_SHR: {
			uint32_t r = get(c, &x->operands[0]) >> get(c, &x->operands[1]);
			put(c, &x->operands[0], r);
			arith(c, r, 4, 0);
			break;
		}
		case X86_INS_BT: {
			/* Only the region map, as the template reads it: a bit string from its address. */
			uint32_t bitno = get(c, &x->operands[1]);
			ck_assert_uint_eq(ea(c, &x->operands[0]), TABLES_LA + 2048);
			ck_assert_uint_lt(bitno, INLINE_REGION_MAP_BITS);
			c->eflags &= ~EFLAGS_CF;
			if (region_map[bitno / 8] & (1u << (bitno % 8)))
				c->eflags |= EFLAGS_CF;
			break;
		}
		case X86_INS_ADD: {
			uint32_t r = get(c, &x->operands[0]) + get(c, &x->operands[1]);
			put(c, &x->operands[0], r);
			arith(c, r, x->operands[0].size, 0);
			break;
		}
		case X86_INS_JB: case X86_INS_JAE: case X86_INS_JA: case X86_INS_JE: case X86_INS_JNE: {
			int zf = (c->eflags & EFLAGS_ZF) != 0, cf = (c->eflags & EFLAGS_CF) != 0;
			int taken = insn->id == X86_INS_JB ? cf : insn->id == X86_INS_JAE ? !cf :
				    insn->id == X86_INS_JA ? !cf && !zf : insn->id == X86_INS_JE ? zf : !zf;
			if (taken)
				next = (uint32_t)x->operands[0].imm;
			break;
		}
		case X86_INS_IRETD:
			cs_free(insn, 1);
			return AT_IRET;	/* eip at the IRET: the real CPU's from here */
		case X86_INS_NOT:
			put(c, &x->operands[0], ~get(c, &x->operands[0]));
			break;
		case X86_INS_RET:
			next = pop(c);
			break;
		case X86_INS_JMP:
			next = (uint32_t)x->operands[0].imm;
			break;
		default:
			cs_free(insn, 1);
			return UNKNOWN;
		}
		c->eip = next;
	}
	cs_free(insn, 1);
	return UNKNOWN;
}

/* A CPU entering the planned region's code with recognisable registers. */
static void enter(struct cpu *c, uint32_t eflags, uint32_t vif, uint32_t viopl, uint32_t pending)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < 8; i++)
		c->reg[i] = 0x11111111u * (uint32_t)(i + 1);
	c->reg[4] = STACK_TOP - 64;
	c->eflags = eflags | EFLAGS_IF | EFLAGS_FIXED;	/* the real IF is 1 while the guest runs */
	c->cs = 0x09;
	c->vif = vif;
	c->viopl = viopl;
	c->pending = pending;
	c->eip = regions[0].code_la;
}

static void expect_registers_kept(const struct cpu *c, int except)
{
	for (int i = 0; i < 8; i++)
		if (i != except && i != 4)
			ck_assert_uint_eq(c->reg[i], 0x11111111u * (uint32_t)(i + 1));
}

/* ---- placement ---- */

START_TEST(cli_moves_its_neighbour)
{
	/* 1000: FA cli; 1001: B8 01 00 00 00 mov eax, 1; 1006: C3 ret */
	ck_assert_int_eq(PLAN(0xFA, 0xB8, 1, 0, 0, 0, 0xC3), INLINE_OK);
	ck_assert_uint_eq(plan.nregions, 1);
	ck_assert_uint_eq(regions[0].la, BASE);
	ck_assert_uint_eq(regions[0].len, 6);
	inline_apply(guest, BASE, &regions[0]);
	/* E9 rel32 to the patch code, counted from the end of the jump. */
	ck_assert_uint_eq(guest[0], 0xE9);
	uint32_t rel;
	memcpy(&rel, &guest[1], 4);
	ck_assert_uint_eq(BASE + 5 + rel, regions[0].code_la);
	ck_assert_uint_eq(guest[5], 0xCC);	/* past the jump: INT3 */
	ck_assert_uint_eq(guest[6], 0xC3);	/* the ret stays */
	/* Points: the cli, the mov, the jump back to 1006. */
	ck_assert_uint_eq(regions[0].npoints, 3);
	ck_assert_uint_eq(points[0].guest_la, BASE);
	ck_assert_uint_eq(points[1].guest_la, BASE + 1);
	ck_assert_uint_eq(points[2].kind, INLINE_AT_END);
	ck_assert_uint_eq(points[2].guest_la, BASE + 6);
	inline_restore(guest, BASE, &regions[0]);
	ck_assert_uint_eq(guest[0], 0xFA);
	ck_assert_uint_eq(guest[5], 0x00);
}
END_TEST

START_TEST(short_function_covers_padding)
{
	/* 1000: 9C pushfd; 1001: 58 pop eax; 1002: C3 ret; 1003: 8D B4 26 00 00 00 00 lea esi, [esi+eiz] */
	ck_assert_int_eq(PLAN(0x9C, 0x58, 0xC3, 0x8D, 0xB4, 0x26, 0, 0, 0, 0), INLINE_OK);
	ck_assert_uint_eq(regions[0].len, 10);
	/* The RET ends the code: no jump back. */
	ck_assert_uint_ne(points[regions[0].npoints - 1].kind, INLINE_AT_END);
}
END_TEST

START_TEST(next_function_is_not_padding)
{
	/* 1000: FA cli; 1001: C3 ret; 1002: 90 nop, but a root (a function starts there) */
	static const uint8_t b[] = { 0xFA, 0xC3, 0x90, 0x90, 0x90, 0xC3 };
	static const uint32_t root = BASE + 2;
	ck_assert_int_eq(plan_first(b, sizeof b, &root, 1), INLINE_TOO_SHORT);
	ck_assert_uint_eq(plan.nregions, 0);
}
END_TEST

START_TEST(branch_target_inside_refused)
{
	/*
	 * 1000: 9C pushfd; 1001: 58 pop eax; 1002: 85 C0 test eax, eax;
	 * 1004: 75 FB jne 1001: a way into the bytes the jump would replace.
	 */
	ck_assert_int_eq(PLAN(0x9C, 0x58, 0x85, 0xC0, 0x75, 0xFB, 0xC3), INLINE_TARGET_INSIDE);
}
END_TEST

START_TEST(return_address_inside_refused)
{
	/* 1000: 9C pushfd; 1001: E8 00 00 00 00 call 1006 (its return address is 1006); 1006: C3 */
	ck_assert_int_eq(PLAN(0x9C, 0xE8, 0, 0, 0, 0, 0xC3), INLINE_OK);
	/* The call ends the region exactly at its return address. */
	ck_assert_uint_eq(regions[0].len, 6);
	/* 1000: 9C pushfd; 1001: E8 01 00 00 00 call 1007; 1006: 90; 1007: C3 — 1006 is a return address */
	ck_assert_int_eq(PLAN(0x9C, 0x90, 0xE8, 0x01, 0, 0, 0, 0x90, 0xC3), INLINE_OK);
	ck_assert_uint_eq(regions[0].len, 7);
}
END_TEST

START_TEST(unmovable_neighbour_refused)
{
	/* 1000: FA cli; 1001: F4 hlt: HLT enters the hypervisor, it stays where it is */
	ck_assert_int_eq(PLAN(0xFA, 0xF4, 0xEB, 0xFC), INLINE_TOO_SHORT);
	/* 1000: 9C pushfd; 1001: E6 80 out 0x80, al */
	ck_assert_int_eq(PLAN(0x9C, 0xE6, 0x80, 0x90, 0x90, 0xC3), INLINE_TOO_SHORT);
	/* 1000: 9C pushfd; 1001: 8E D8 mov ds, eax: a segment load */
	ck_assert_int_eq(PLAN(0x9C, 0x8E, 0xD8, 0x90, 0x90, 0xC3), INLINE_TOO_SHORT);
}
END_TEST

START_TEST(sixteen_bit_forms_not_exact)
{
	/* 1000: 66 9D popfw: only the low word; it keeps trapping */
	ck_assert_int_eq(PLAN(0x66, 0x9D, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_NOT_EXACT);
	/* 1000: 66 9C pushfw */
	ck_assert_int_eq(PLAN(0x66, 0x9C, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_NOT_EXACT);
}
END_TEST

START_TEST(branches_reencoded)
{
	/* 1000: FA cli; 1001: 74 03 je 1006; 1003: 90 90 90; 1006: C3 */
	ck_assert_int_eq(PLAN(0xFA, 0x74, 0x03, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	ck_assert_uint_eq(regions[0].len, 5);
	/* After the CLI template (10 bytes): 0F 84 rel32 to 1006. */
	const uint8_t *jcc = code + 10;
	ck_assert_uint_eq(jcc[0], 0x0F);
	ck_assert_uint_eq(jcc[1], 0x84);
	uint32_t rel;
	memcpy(&rel, jcc + 2, 4);
	ck_assert_uint_eq(CODE_LA + 10 + 6 + rel, BASE + 6);
	/* A CALL: PUSH of its own return address, then JMP. 1000: 9C; 1001: E8 rel32 to 1010 */
	ck_assert_int_eq(PLAN(0x9C, 0xE8, 0x0A, 0, 0, 0, 0xC3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC3), INLINE_OK);
	const uint8_t *after = code + regions[0].code_len - 10;
	ck_assert_uint_eq(after[0], 0x68);
	uint32_t ret;
	memcpy(&ret, after + 1, 4);
	ck_assert_uint_eq(ret, BASE + 6);
	ck_assert_uint_eq(after[5], 0xE9);
	memcpy(&rel, after + 6, 4);
	ck_assert_uint_eq(regions[0].code_la + regions[0].code_len + rel, BASE + 0x10);
}
END_TEST

/*
 * xv6's popcli ends `je; sti; leave; ret` and the next function follows:
 * after the STI only 3 bytes move, so the JE before it moves too.
 */
START_TEST(short_site_takes_the_instruction_before)
{
	/*
	 * 1000: 85 C0 test eax, eax; 1002: 74 FC je 1000; 1004: FB sti;
	 * 1005: C9 leave; 1006: C3 ret; 1007: 55 push ebp (a function); 1008: C3 ret
	 */
	static const uint8_t b[] = { 0x85, 0xC0, 0x74, 0xFC, 0xFB, 0xC9, 0xC3, 0x55, 0xC3 };
	static const uint32_t root = BASE + 7;
	ck_assert_int_eq(plan_first(b, sizeof b, &root, 1), INLINE_OK);
	ck_assert_uint_eq(sites[0].la, BASE + 4);
	ck_assert_uint_eq(regions[0].la, BASE + 2);
	ck_assert_uint_eq(regions[0].len, 5);
	/* Points: the je, the sti, the leave in its shadow, the ret; the RET ends the code. */
	ck_assert_uint_eq(points[0].guest_la, BASE + 2);
	ck_assert_uint_eq(points[0].kind, INLINE_AT_INSN);
	ck_assert_uint_eq(points[1].guest_la, BASE + 4);
	ck_assert_uint_eq(points[1].kind, INLINE_AT_INSN);
	ck_assert_uint_eq(points[2].guest_la, BASE + 5);
	ck_assert_uint_eq(points[2].kind, INLINE_IN_SHADOW);
	ck_assert_uint_ne(points[regions[0].npoints - 1].kind, INLINE_AT_END);
	/* The code: 0F 84 rel32 to the je's own target, then STI's template (mov [vif], IF). */
	ck_assert_uint_eq(code[0], 0x0F);
	ck_assert_uint_eq(code[1], 0x84);
	uint32_t rel, vif_la, value;
	memcpy(&rel, code + 2, 4);
	ck_assert_uint_eq(CODE_LA + 6 + rel, BASE);
	ck_assert_uint_eq(code[6], 0xC7);
	ck_assert_uint_eq(code[7], 0x05);
	memcpy(&vif_la, code + 8, 4);
	memcpy(&value, code + 12, 4);
	ck_assert_uint_eq(vif_la, STATE_LA);
	ck_assert_uint_eq(value, EFLAGS_IF);
	/* The jump replaces the je and the sti, leave and ret: all five bytes. */
	inline_apply(guest, BASE, &regions[0]);
	ck_assert_uint_eq(guest[2], 0xE9);
	ck_assert_uint_eq(guest[0], 0x85);
	ck_assert_uint_eq(guest[7], 0x55);
	inline_restore(guest, BASE, &regions[0]);
	ck_assert_uint_eq(guest[4], 0xFB);
}
END_TEST

/* Moving what comes before is refused where something may jump to the site, or it does not fall through. */
START_TEST(instructions_before_refused)
{
	/* 1000: EB 02 jmp 1004: the sti is a target; 1002: 74 00 je 1004; 1004: FB sti; 1005: C3 ret; 1006: 55 */
	static const uint8_t target[] = { 0xEB, 0x02, 0x74, 0x00, 0xFB, 0xC3, 0x55, 0xC3 };
	static const uint32_t root = BASE + 6;
	ck_assert_int_eq(plan_first(target, sizeof target, &root, 1), INLINE_TOO_SHORT);
	ck_assert_uint_eq(plan.nregions, 0);
	/* 1000: C3 ret; 1001: FB sti (a root: reached only from elsewhere); 1002: C3 ret; 1003: 55 */
	static const uint8_t after_ret[] = { 0xC3, 0xFB, 0xC3, 0x55, 0xC3 };
	static const uint32_t roots[2] = { BASE + 1, BASE + 3 };
	ck_assert_int_eq(plan_first(after_ret, sizeof after_ret, roots, 2), INLINE_TOO_SHORT);
	/* 1000: F4 hlt; 1001: FB sti; 1002: C3 ret; 1003: 55: HLT never moves */
	static const uint8_t after_hlt[] = { 0xF4, 0xFB, 0xC3, 0x55, 0xC3 };
	ck_assert_int_eq(plan_first(after_hlt, sizeof after_hlt, &roots[1], 1), INLINE_TOO_SHORT);
}
END_TEST

/* A region planned before is never moved again: the one after may not start inside it. */
START_TEST(instructions_before_stop_at_a_region)
{
	/*
	 * 1000: 9C pushfd; 1001: 58 pop eax; 1002: 5A pop edx; 1003: 59 pop ecx;
	 * 1004: 5B pop ebx; 1005: FB sti; 1006: C9 leave; 1007: C3 ret; 1008: 55 push ebp; 1009: C3
	 */
	static const uint8_t b[] = { 0x9C, 0x58, 0x5A, 0x59, 0x5B, 0xFB, 0xC9, 0xC3, 0x55, 0xC3 };
	static const uint32_t root = BASE + 8;
	struct patch_region r = { BASE, guest, sizeof b };

	ck_assert_int_eq(plan_first(b, sizeof b, &root, 1), INLINE_OK);
	ck_assert_uint_eq(nsites, 2);
	ck_assert_uint_eq(regions[0].la, BASE);
	ck_assert_uint_eq(regions[0].len, 5);
	ck_assert_int_eq(inline_plan_site(cs, &r, visited, targets, sites[1].la, &plan),
			 INLINE_TOO_SHORT);
	ck_assert_uint_eq(plan.nregions, 1);
	/* Alone, the STI takes the two POPs before it. */
	new_plan(1);
	ck_assert_int_eq(inline_plan_site(cs, &r, visited, targets, sites[1].la, &plan), INLINE_OK);
	ck_assert_uint_eq(regions[0].la, BASE + 3);
	ck_assert_uint_eq(regions[0].len, 5);
}
END_TEST

START_TEST(lookups)
{
	/* 1000: FA cli; 1001: B8 01 00 00 00 mov eax, 1; 1006: C3 */
	ck_assert_int_eq(PLAN(0xFA, 0xB8, 1, 0, 0, 0, 0xC3), INLINE_OK);
	ck_assert_ptr_eq(inline_region_inside(&plan, BASE), NULL);	/* the site itself is the guest's */
	ck_assert_ptr_eq(inline_region_inside(&plan, BASE + 3), &regions[0]);
	ck_assert_ptr_eq(inline_region_inside(&plan, BASE + 6), NULL);
	ck_assert_ptr_eq(inline_region_by_code(&plan, regions[0].code_la), &regions[0]);
	ck_assert_uint_eq(inline_resume_at(&plan, &regions[0], BASE + 3), 0);	/* inside the MOV */
	uint32_t p = inline_resume_at(&plan, &regions[0], BASE + 1);
	ck_assert_uint_ne(p, 0);
	const struct inline_point *pt = inline_point_at(&plan, p);
	ck_assert_ptr_nonnull(pt);
	ck_assert_uint_eq(pt->guest_la, BASE + 1);
	ck_assert_ptr_eq(inline_point_at(&plan, p + 1), NULL);	/* inside the MOV's copy: no point */
}
END_TEST

/* ---- the SDM's rules, run ---- */

/*
 * PUSHFD at CPL 0 pushes EFLAGS as it is, RF and VM clear (SDM vol. 2B,
 * PUSHF): IF and IOPL the virtual ones, the rest the real ones.
 */
static const struct pushf_row {
	uint32_t real, vif, viopl, pushed;
} pushf_rows[] = {
	{ EFLAGS_ZF | EFLAGS_CF, EFLAGS_IF, 0, EFLAGS_ZF | EFLAGS_CF | EFLAGS_IF | EFLAGS_FIXED },
	{ EFLAGS_ZF | EFLAGS_CF, 0, 0, EFLAGS_ZF | EFLAGS_CF | EFLAGS_FIXED },
	{ ARITH | EFLAGS_DF, 0, 3u << 12, ARITH | EFLAGS_DF | (3u << 12) | EFLAGS_FIXED },
	{ EFLAGS_RF | EFLAGS_AC, EFLAGS_IF, 1u << 12, EFLAGS_AC | EFLAGS_IF | (1u << 12) | EFLAGS_FIXED },
};

START_TEST(pushf_rows_hold)
{
	const struct pushf_row *r = &pushf_rows[_i];
	struct cpu c;
	/* 1000: 9C pushfd; 1001: 90 x4; 1005: C3 */
	ck_assert_int_eq(PLAN(0x9C, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	enter(&c, r->real, r->vif, r->viopl, 0);
	uint32_t esp = c.reg[4], flags = c.eflags;
	ck_assert_int_eq(run(&c), LEFT);
	ck_assert_uint_eq(c.eip, BASE + 5);
	ck_assert_uint_eq(c.reg[4], esp - 4);
	ck_assert_uint_eq(*word_at(&c, c.reg[4]), r->pushed);
	ck_assert_uint_eq(c.eflags, flags);	/* no flag of the guest's touched */
	expect_registers_kept(&c, -1);
}
END_TEST

/*
 * POPFD at CPL 0 (SDM vol. 2B, POPF): every writable flag from the stack,
 * IF and IOPL included; no exception. The real CPU at ring 1 keeps its IF 1
 * and IOPL 0, the state page takes the guest's. After it, an interrupt
 * that waits is taken if IF is now 1: the check traps.
 */
static const struct popf_row {
	uint32_t popped, vif_before, pending;
	uint32_t vif, viopl, real_kept;	/* real_kept: the real flags the popped value sets */
	int traps;
} popf_rows[] = {
	{ EFLAGS_IF | EFLAGS_ZF, 0, 0, EFLAGS_IF, 0, EFLAGS_ZF, 0 },
	{ EFLAGS_CF, EFLAGS_IF, 0, 0, 0, EFLAGS_CF, 0 },
	{ EFLAGS_IF | (3u << 12), 0, 0, EFLAGS_IF, 3u << 12, 0, 0 },
	{ EFLAGS_IF | ARITH, 0, EFLAGS_IF, EFLAGS_IF, 0, ARITH, 1 },	/* IF set, one waits: traps */
	{ ARITH, EFLAGS_IF, EFLAGS_IF, 0, 0, ARITH, 0 },	/* IF cleared: the one waiting waits on */
	{ EFLAGS_DF | EFLAGS_AC | EFLAGS_NT, 0, 0, 0, 0, EFLAGS_DF | EFLAGS_AC | EFLAGS_NT, 0 },
};

START_TEST(popf_rows_hold)
{
	const struct popf_row *r = &popf_rows[_i];
	struct cpu c;
	/* 1000: 9D popfd; 1001: 90 x4; 1005: C3 */
	ck_assert_int_eq(PLAN(0x9D, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	enter(&c, 0, r->vif_before, 0, r->pending);
	push(&c, r->popped);
	uint32_t esp = c.reg[4];
	enum stop how = run(&c);
	ck_assert_uint_eq(c.vif, r->vif);
	ck_assert_uint_eq(c.viopl, r->viopl);
	ck_assert_uint_eq(c.reg[4], esp + 4);
	ck_assert_uint_eq(c.eflags & ~(EFLAGS_IF | EFLAGS_FIXED), r->real_kept);
	ck_assert(c.eflags & EFLAGS_IF);	/* the real IF: never the guest's */
	expect_registers_kept(&c, -1);
	if (r->traps) {
		ck_assert_int_eq(how, TRAPPED);
		const struct inline_point *p = inline_point_at(&plan, c.eip);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(p->kind, INLINE_AT_CHECK);
		ck_assert_uint_eq(p->guest_la, BASE + 1);	/* right after the POPF */
	} else {
		ck_assert_int_eq(how, LEFT);
		ck_assert_uint_eq(c.eip, BASE + 5);
	}
}
END_TEST

/*
 * CLI and STI at CPL 0 (SDM vol. 2A, CLI, STI): IF := 0, IF := 1, no flag
 * else; after STI an interrupt waits one more instruction (the shadow),
 * then is taken.
 */
static const struct cli_sti_row {
	uint8_t opcode;
	uint32_t vif_before, pending, vif;
	int traps;
} cli_sti_rows[] = {
	{ 0xFA, EFLAGS_IF, 0, 0, 0 },
	{ 0xFA, EFLAGS_IF, EFLAGS_IF, 0, 0 },	/* pending, but IF is now 0: no trap */
	{ 0xFB, 0, 0, EFLAGS_IF, 0 },
	{ 0xFB, 0, EFLAGS_IF, EFLAGS_IF, 1 },	/* STI with one waiting: after the shadow */
	{ 0xFB, EFLAGS_IF, 0, EFLAGS_IF, 0 },
};

START_TEST(cli_sti_rows_hold)
{
	const struct cli_sti_row *r = &cli_sti_rows[_i];
	const uint8_t b[] = { r->opcode, 0x90, 0x90, 0x90, 0x90, 0xC3 };
	struct cpu c;
	ck_assert_int_eq(plan_first(b, sizeof b, 0, 0), INLINE_OK);
	enter(&c, ARITH, r->vif_before, 0, r->pending);
	uint32_t flags = c.eflags;
	enum stop how = run(&c);
	ck_assert_uint_eq(c.vif, r->vif);
	ck_assert_uint_eq(c.eflags, flags);
	expect_registers_kept(&c, -1);
	if (r->traps) {
		ck_assert_int_eq(how, TRAPPED);
		const struct inline_point *p = inline_point_at(&plan, c.eip);
		ck_assert_uint_eq(p->kind, INLINE_AT_CHECK);
		ck_assert_uint_eq(p->guest_la, BASE + 2);	/* after the NOP in STI's shadow */
	} else {
		ck_assert_int_eq(how, LEFT);
		ck_assert_uint_eq(c.eip, BASE + 5);
	}
}
END_TEST

START_TEST(sti_shadow_points)
{
	/* 1000: FB sti; 1001: 90 nop (the shadow); 1002: 90 x3 */
	ck_assert_int_eq(PLAN(0xFB, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	ck_assert_uint_eq(points[0].kind, INLINE_AT_INSN);
	ck_assert_uint_eq(points[1].kind, INLINE_IN_SHADOW);	/* no interrupt before the NOP */
	ck_assert_uint_eq(points[1].guest_la, BASE + 1);
	/* 1000: FB sti; 1001: C3 ret; padding: the check comes before the RET the hypervisor completes */
	ck_assert_int_eq(PLAN(0xFB, 0xC3, 0x90, 0x90, 0x90, 0x90), INLINE_OK);
	int found = 0;
	for (unsigned i = 0; i < regions[0].npoints; i++)
		found |= points[i].kind == INLINE_AT_CHECK_RET;
	ck_assert(found);
}
END_TEST

/* PUSH CS and MOV from CS at CPL 0 show RPL 0; the real ring is 1 (or 3). */
START_TEST(cs_reads_show_rpl0)
{
	struct cpu c;
	/* 1000: 0E push cs; 1001: 90 x4 */
	ck_assert_int_eq(PLAN(0x0E, 0x90, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	enter(&c, ARITH, 0, 0, 0);
	uint32_t esp = c.reg[4], flags = c.eflags;
	ck_assert_int_eq(run(&c), LEFT);
	ck_assert_uint_eq(c.reg[4], esp - 4);
	ck_assert_uint_eq(*word_at(&c, c.reg[4]), 0x08);
	ck_assert_uint_eq(c.eflags, flags);
	expect_registers_kept(&c, -1);
	/* 1000: 8C C8 mov eax, cs; 1002: 90 x3 */
	ck_assert_int_eq(PLAN(0x8C, 0xC8, 0x90, 0x90, 0x90, 0xC3), INLINE_OK);
	enter(&c, ARITH, 0, 0, 0);
	ck_assert_int_eq(run(&c), LEFT);
	ck_assert_uint_eq(c.reg[0], 0x08);
	expect_registers_kept(&c, 0);
}
END_TEST

/* No template instruction writes a flag but the POPF's own POPFD (Capstone's flag detail). */
/*
 * A direct system call's entry stub: the CPU arrived through a trap gate
 * with IF 1; the stub makes the virtual IF 1 too, whatever the kernel left
 * in the state page, and goes on to the handler with nothing else changed.
 */
START_TEST(entry_stub_sets_if_and_goes_to_the_handler)
{
	const uint32_t stub_la = CODE_LA + 0x100, handler = BASE + 0x40;
	struct cpu c;

	new_plan(1);
	inline_entry_stub(code + 0x100, stub_la, &plan.layout, handler);
	for (uint32_t vif = 0; vif <= EFLAGS_IF; vif += EFLAGS_IF) {
		enter(&c, ARITH, vif, 0, EFLAGS_IF);
		c.eip = stub_la;
		uint32_t flags = c.eflags;
		ck_assert_int_eq(run(&c), LEFT);
		ck_assert_uint_eq(c.eip, handler);
		ck_assert_uint_eq(c.vif, EFLAGS_IF);
		ck_assert_uint_eq(c.eflags, flags);
		ck_assert_uint_eq(c.reg[4], STACK_TOP - 64);
		expect_registers_kept(&c, -1);
	}
	/* Its store goes through SS: DS is still the user program's, null or based anywhere. */
	const uint8_t *p = code + 0x100;
	size_t avail = INLINE_ENTRY_STUB_LEN;
	uint64_t address = stub_la;
	cs_insn *insn = cs_malloc(cs);
	ck_assert(cs_disasm_iter(cs, &p, &avail, &address, insn));
	ck_assert_int_eq(insn->id, X86_INS_MOV);
	ck_assert_int_eq(insn->detail->x86.operands[0].type, X86_OP_MEM);
	ck_assert_int_eq(insn->detail->x86.operands[0].mem.segment, X86_REG_SS);
	cs_free(insn, 1);
}
END_TEST

/*
 * IRET at the guest kernel's CPL 0: the common returns run on the CPU from
 * the template's own IRET, with the virtual IF and IOPL taken from the
 * frame; everything else ends at the guest's own (trapping) IRET with
 * nothing changed. Rows: the frame's CS and EFLAGS, the state page before,
 * and where the template must end.
 */
struct iret_row {
	const char *what;
	uint32_t cs, eflags;	/* the frame's */
	uint32_t vif, pending;	/* the state page before */
	uint32_t esp;		/* where the frame lies; 0: the usual place */
	unsigned ends_at;	/* the kind of the point at the IRET it stops at */
	uint32_t eip;		/* the frame's; 0: BASE + 0x40 */
};

#define IF_	EFLAGS_IF
#define FIX	EFLAGS_FIXED
static const struct iret_row iret_rows[] = {
	{ "kernel, IF 0 to 1", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET_COMMIT, 0 },
	{ "kernel, IF 1 to 0", 0x08, FIX, IF_, IF_, 0, INLINE_AT_IRET_COMMIT, 0 },
	{ "kernel, IF 1 to 1", 0x08, FIX | IF_, IF_, 0, 0, INLINE_AT_IRET_COMMIT, 0 },
	{ "kernel, IOPL 3 and every kept flag", 0x08, FIX | IF_ | EFLAGS_IOPL | ARITH | EFLAGS_TF |
	  EFLAGS_DF | EFLAGS_AC | EFLAGS_RF, 0, 0, 0, INLINE_AT_IRET_COMMIT, 0 },
	{ "kernel, IF 0 to 1 with an interrupt waiting", 0x08, FIX | IF_, 0, IF_, 0, INLINE_AT_IRET, 0 },
	{ "kernel, IF 1 to 1 with one waiting", 0x08, FIX | IF_, IF_, IF_, 0, INLINE_AT_IRET, 0 },
	{ "user", 0x1B, FIX | IF_, 0, 0, 0, INLINE_AT_IRET_COMMIT_USER, 0 },
	{ "user, IF 0, one waiting", 0x1B, FIX, 0, IF_, 0, INLINE_AT_IRET_COMMIT_USER, 0 },
	{ "user with one waiting", 0x1B, FIX | IF_, 0, IF_, 0, INLINE_AT_IRET, 0 },
	{ "forged CS: another kernel selector", 0x10, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, 0 },
	{ "forged CS: the kernel's with RPL 1", 0x09, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, 0 },
	{ "forged CS: RPL 2", 0x0A, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, 0 },
	{ "NT in the frame", 0x08, FIX | IF_ | EFLAGS_NT, 0, 0, 0, INLINE_AT_IRET, 0 },
	{ "VM in the frame", 0x1B, FIX | IF_ | EFLAGS_VM, 0, 0, 0, INLINE_AT_IRET, 0 },
	{ "the frame reaches past iret_esp_max", 0x08, FIX | IF_, 0, 0, STACK_TOP - 16, INLINE_AT_IRET, 0 },
	{ "the frame wraps around 0", 0x08, FIX | IF_, 0, 0, 4, INLINE_AT_IRET, 0 },
	{ "to the kernel inside a region", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, BASE + 2 },
	{ "to the kernel right after a region", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET_COMMIT,
	  BASE + 5 },
	{ "to the kernel at a region's first byte (its jump)", 0x08, FIX | IF_, 0, 0, 0,
	  INLINE_AT_IRET_COMMIT, BASE },
	{ "to the kernel at a region's last byte", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, BASE + 4 },
	{ "to the kernel below the map", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET, BASE - 1 },
	{ "to the kernel above the map", 0x08, FIX | IF_, 0, 0, 0, INLINE_AT_IRET,
	  BASE + INLINE_REGION_MAP_BITS },
	{ "to user mode at any address", 0x1B, FIX | IF_, 0, 0, 0, INLINE_AT_IRET_COMMIT_USER, BASE + 2 },
};

START_TEST(iret_rows_hold)
{
	const struct iret_row *r = &iret_rows[_i];
	struct cpu c;

	ck_assert_int_eq(PLAN(0xCF, 0x90, 0x90, 0x90, 0x90), INLINE_OK);	/* iret; padding */
	inline_fill_region_map(&plan, region_map);	/* 1001..1004 */
	enter(&c, 0, r->vif, EFLAGS_IOPL & 0x1000, r->pending);
	uint32_t eip = r->eip ? r->eip : BASE + 0x40;
	if (r->esp)
		c.reg[4] = r->esp;
	uint32_t esp = c.reg[4], *frame = (uint32_t *)&c.stack[esp];
	uint32_t *below = esp >= 4 ? (uint32_t *)&c.stack[esp - 4] : NULL;
	if (below)
		*below = 0x5AFE5AFE;	/* the IRET writes nothing there, and nor may the template */
	frame[0] = eip;
	frame[1] = r->cs;
	frame[2] = r->eflags;
	if (esp + 20 <= STACK_TOP) {
		frame[3] = 0x7000;
		frame[4] = 0x23;
	}
	ck_assert_msg(run(&c) == AT_IRET, "%s: no IRET reached", r->what);
	const struct inline_point *p = inline_point_at(&plan, c.eip);
	ck_assert_msg(p && p->kind == r->ends_at, "%s: ends at kind %u", r->what, p ? p->kind : 0);
	ck_assert_uint_eq(p->guest_la, BASE);
	/* Every register the guest's, ESP at the frame, as at the guest's IRET. */
	ck_assert_uint_eq(c.reg[4], esp);
	expect_registers_kept(&c, -1);
	ck_assert_uint_eq(frame[0], eip);
	ck_assert_uint_eq(frame[2], r->eflags);
	if (below)
		ck_assert_msg(*below == 0x5AFE5AFE, "%s: the template wrote below the frame", r->what);
	if (r->ends_at == INLINE_AT_IRET) {
		ck_assert_msg(c.vif == r->vif && c.viopl == 0x1000 && frame[1] == r->cs,
			      "%s: the trapping IRET with something changed", r->what);
		return;
	}
	/* The real IRET: the virtual flags from the frame, the old ones kept for an undo. */
	ck_assert_uint_eq(c.vif, r->eflags & EFLAGS_IF);
	ck_assert_uint_eq(c.viopl, r->eflags & EFLAGS_IOPL);
	ck_assert_uint_eq(c.vif_saved, r->vif);
	ck_assert_uint_eq(c.viopl_saved, 0x1000);
	/* Never returning with the virtual IF 1 while an interrupt waits. */
	ck_assert(!(c.vif && c.pending));
	ck_assert_uint_eq(frame[1], r->ends_at == INLINE_AT_IRET_COMMIT ? (r->cs | 1) : r->cs);
}
END_TEST

/* In ring 3 a return to user mode changes no privilege on the real CPU: it keeps trapping. */
START_TEST(iret_to_user_in_ring3_traps)
{
	static const uint8_t b[] = { 0xCF, 0x90, 0x90, 0x90, 0x90 };
	uint32_t roots[1] = { BASE };
	struct patch_region r = { BASE, guest, sizeof b };
	struct cpu c;

	memset(guest, 0, sizeof guest);
	memcpy(guest, b, sizeof b);
	ck_assert_int_eq(patcher_scan_targets(cs, &r, roots, 1, PATCH_INLINE_SET, visited, targets,
					      sites, MAX_SITES, &nsites), PATCHER_OK);
	for (uint32_t frame_cs = 0x08; frame_cs <= 0x1B; frame_cs += 0x13) {
		new_plan(3);
		ck_assert_int_eq(inline_plan_site(cs, &r, visited, targets, BASE, &plan), INLINE_OK);
		inline_fill_region_map(&plan, region_map);
		enter(&c, 0, 0, 0, 0);
		c.cs = 0x0B;	/* the kernel's code selector at the real ring 3 */
		uint32_t *frame = (uint32_t *)&c.stack[c.reg[4]];
		frame[0] = BASE + 0x40;
		frame[1] = frame_cs;
		frame[2] = EFLAGS_FIXED | EFLAGS_IF;
		frame[3] = 0x7000;
		frame[4] = 0x23;
		ck_assert_int_eq(run(&c), AT_IRET);
		const struct inline_point *p = inline_point_at(&plan, c.eip);
		ck_assert_uint_eq(p->kind, frame_cs == 0x08 ? INLINE_AT_IRET_COMMIT : INLINE_AT_IRET);
		ck_assert_uint_eq(frame[1], frame_cs == 0x08 ? 0x0Bu : 0x1Bu);
		expect_registers_kept(&c, -1);
	}
}
END_TEST

/*
 * A trap at the template's write into the frame or at its real IRET goes
 * back to the guest's own IRET, the template's trapping one, with the same
 * guest address (hv/patch_inline.c, iret_commit_undo).
 */
START_TEST(iret_commits_lead_to_the_own_iret)
{
	ck_assert_int_eq(PLAN(0xCF, 0x90, 0x90, 0x90, 0x90), INLINE_OK);
	uint32_t own = 0, write = 0, commits = 0;
	for (unsigned i = 0; i < regions[0].npoints; i++)
		if (points[i].kind == INLINE_AT_IRET)
			own = points[i].patch_la;	/* the last one */
	ck_assert_uint_eq(code[own - CODE_LA], 0xCF);
	for (unsigned i = 0; i < regions[0].npoints; i++) {
		const struct inline_point *p = &points[i];
		if (p->kind == INLINE_AT_IRET_WRITE) {
			write = p->patch_la;
			/* add byte ss:[esp+4], ring: the frame's CS word, and nothing else */
			ck_assert_uint_eq(code[write - CODE_LA], 0x36);
			ck_assert_uint_eq(code[write - CODE_LA + 1], 0x80);
		}
		if (p->kind == INLINE_AT_IRET_WRITE || p->kind == INLINE_AT_IRET_COMMIT ||
		    p->kind == INLINE_AT_IRET_COMMIT_USER) {
			commits++;
			ck_assert_uint_eq(inline_iret_own_at(&plan, p->patch_la), own);
		} else {
			ck_assert_uint_eq(inline_iret_own_at(&plan, p->patch_la), 0);
		}
	}
	ck_assert_uint_ne(write, 0);
	ck_assert_uint_eq(commits, 3);
	ck_assert_uint_eq(inline_iret_own_at(&plan, write + 1), 0);	/* no point there */
}
END_TEST

START_TEST(iret_placement)
{
	/* 1000: 66 CF iretw: a 16-bit frame, no site (it traps as before) */
	{
		static const uint8_t iretw[] = { 0x66, 0xCF, 0x90, 0x90, 0x90, 0x90 };
		uint32_t root = BASE;
		struct patch_region r = { BASE, guest, sizeof iretw };
		memset(guest, 0, sizeof guest);
		memcpy(guest, iretw, sizeof iretw);
		ck_assert_int_eq(patcher_scan_targets(cs, &r, &root, 1, PATCH_INLINE_SET, visited,
						      targets, sites, MAX_SITES, &nsites), PATCHER_OK);
		ck_assert_uint_eq(nsites, 0);
	}
	/* 1000: FB sti; 1001: CF iret (in STI's shadow); padding: trapped */
	ck_assert_int_eq(PLAN(0xFB, 0xCF, 0x90, 0x90, 0x90, 0x90), INLINE_TOO_SHORT);
	/* 1000: CF iret; 1001: the next function: trapped */
	static const uint8_t next_function[] = { 0xCF, 0x31, 0xC0, 0xC3, 0x90, 0x90 };
	const uint32_t root = BASE + 1;
	ck_assert_int_eq(plan_first(next_function, sizeof next_function, &root, 1), INLINE_TOO_SHORT);
	/* 1000: C7 04 24 40 10 00 00 mov dword [esp], 0x1040; 1007: CF iret: the MOV moves with it */
	static const uint8_t handler[] = { 0xC7, 0x04, 0x24, 0x40, 0x10, 0x00, 0x00, 0xCF };
	uint32_t roots[4] = { BASE };
	struct patch_region r = { BASE, guest, sizeof handler };
	memset(guest, 0, sizeof guest);
	memcpy(guest, handler, sizeof handler);
	ck_assert_int_eq(patcher_scan_targets(cs, &r, roots, 1, PATCH_INLINE_SET, visited, targets,
					      sites, MAX_SITES, &nsites), PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	ck_assert_uint_eq(sites[0].la, BASE + 7);
	new_plan(1);
	ck_assert_int_eq(inline_plan_site(cs, &r, visited, targets, BASE + 7, &plan), INLINE_OK);
	ck_assert_uint_eq(regions[0].la, BASE);
	ck_assert_uint_eq(regions[0].len, 8);
	/* Only the template's first byte and the MOV's are points interrupts may be taken at. */
	unsigned deliverable = 0;
	for (unsigned i = 0; i < regions[0].npoints; i++)
		deliverable += points[i].kind == INLINE_AT_INSN || points[i].kind == INLINE_AT_END;
	ck_assert_uint_eq(deliverable, 2);
}
END_TEST

/*
 * A direct kernel gate's entry: the CPU delivered through a real trap gate
 * (IF kept, the real EFLAGS and RPL pushed); the stub and its body must
 * leave the frame and the virtual IF as the bare CPU's delivery through
 * the guest's gate does at CPL 0, every register and flag the guest's, and
 * go to the handler.
 */
START_TEST(kernel_entry_makes_the_bare_frame)
{
	const uint32_t stub_la = CODE_LA + 0x800, body_la = CODE_LA + 0x400;
	const uint32_t handler = BASE + 0x80;
	const uint32_t real_flags = EFLAGS_FIXED | EFLAGS_IF | EFLAGS_CF | EFLAGS_ZF | EFLAGS_AC;

	for (int interrupt_gate = 0; interrupt_gate < 2; interrupt_gate++)
	for (int from_user = 0; from_user < 2; from_user++)
	for (uint32_t vif = 0; vif <= EFLAGS_IF; vif += EFLAGS_IF)
	for (uint32_t viopl = 0; viopl <= EFLAGS_IOPL; viopl += EFLAGS_IOPL) {
		struct cpu c;
		new_plan(1);
		ck_assert_uint_ne(inline_kernel_entry_body(code + 0x400, INLINE_KERNEL_BODY_MAX, body_la,
							   &plan.layout, interrupt_gate), 0);
		inline_kernel_entry_stub(code + 0x800, stub_la, body_la, handler);
		enter(&c, 0, vif, viopl, 0);
		c.eflags = real_flags;	/* the gate left them as the interrupted code had them */
		c.reg[4] -= from_user ? 20 : 12;
		uint32_t esp = c.reg[4], *frame = (uint32_t *)&c.stack[esp];
		frame[0] = BASE + 0x40;
		frame[1] = from_user ? 0x1B : 0x09;	/* the real RPL */
		frame[2] = real_flags;
		if (from_user) {
			frame[3] = 0x7000;
			frame[4] = 0x23;
		}
		c.eip = stub_la;
		ck_assert_int_eq(run(&c), LEFT);
		ck_assert_uint_eq(c.eip, handler);
		ck_assert_uint_eq(c.reg[4], esp);
		expect_registers_kept(&c, -1);
		ck_assert_uint_eq(c.eflags, real_flags);
		ck_assert_uint_eq(frame[0], BASE + 0x40);
		ck_assert_uint_eq(frame[1], from_user ? 0x1Bu : 0x08u);	/* RPL 0 for the kernel */
		uint32_t want_if = from_user ? EFLAGS_IF : vif;	/* user code runs with IF 1 */
		ck_assert_msg(frame[2] == ((real_flags & ~(EFLAGS_IF | EFLAGS_IOPL)) | want_if | viopl),
			      "gate %d user %d vif %x viopl %x: frame EFLAGS %08x", interrupt_gate,
			      from_user, vif, viopl, frame[2]);
		uint32_t want_vif = interrupt_gate ? 0 : from_user ? EFLAGS_IF : vif;
		ck_assert_uint_eq(c.vif, want_vif);
		ck_assert_uint_eq(c.viopl, viopl);
		if (from_user)
			ck_assert(frame[3] == 0x7000 && frame[4] == 0x23);
	}
}
END_TEST

START_TEST(templates_leave_flags_alone)
{
	static const uint8_t kinds[][6] = {
		{ 0xFA, 0x90, 0x90, 0x90, 0x90, 0xC3 }, { 0xFB, 0x90, 0x90, 0x90, 0x90, 0xC3 },
		{ 0x9C, 0x90, 0x90, 0x90, 0x90, 0xC3 }, { 0x9D, 0x90, 0x90, 0x90, 0x90, 0xC3 },
		{ 0x0E, 0x90, 0x90, 0x90, 0x90, 0xC3 },
	};
	cs_insn *insn = cs_malloc(cs);
	for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		ck_assert_int_eq(plan_first(kinds[k], 6, 0, 0), INLINE_OK);
		const uint8_t *p = code;
		size_t avail = regions[0].code_len;
		uint64_t addr = CODE_LA;
		while (cs_disasm_iter(cs, &p, &avail, &addr, insn)) {
			if (insn->id == X86_INS_POPFD || insn->id == X86_INS_INT3)
				continue;
			ck_assert_msg(insn->detail->x86.eflags == 0, "%s %s writes flags",
				      insn->mnemonic, insn->op_str);
		}
	}
	cs_free(insn, 1);
}
END_TEST

static Suite *inline_suite(void)
{
	Suite *s = suite_create("inline_patch");
	TCase *place = tcase_create("placement");
	TCase *rules = tcase_create("rules");

	tcase_add_checked_fixture(place, open_capstone, close_capstone);
	tcase_add_checked_fixture(rules, open_capstone, close_capstone);
	tcase_add_test(place, cli_moves_its_neighbour);
	tcase_add_test(place, short_function_covers_padding);
	tcase_add_test(place, next_function_is_not_padding);
	tcase_add_test(place, branch_target_inside_refused);
	tcase_add_test(place, return_address_inside_refused);
	tcase_add_test(place, unmovable_neighbour_refused);
	tcase_add_test(place, sixteen_bit_forms_not_exact);
	tcase_add_test(place, branches_reencoded);
	tcase_add_test(place, short_site_takes_the_instruction_before);
	tcase_add_test(place, instructions_before_refused);
	tcase_add_test(place, instructions_before_stop_at_a_region);
	tcase_add_test(place, lookups);
	suite_add_tcase(s, place);

	tcase_add_loop_test(rules, pushf_rows_hold, 0, sizeof pushf_rows / sizeof pushf_rows[0]);
	tcase_add_loop_test(rules, popf_rows_hold, 0, sizeof popf_rows / sizeof popf_rows[0]);
	tcase_add_loop_test(rules, cli_sti_rows_hold, 0, sizeof cli_sti_rows / sizeof cli_sti_rows[0]);
	tcase_add_test(rules, sti_shadow_points);
	tcase_add_test(rules, cs_reads_show_rpl0);
	tcase_add_test(rules, templates_leave_flags_alone);
	tcase_add_test(rules, entry_stub_sets_if_and_goes_to_the_handler);
	tcase_add_loop_test(rules, iret_rows_hold, 0, sizeof iret_rows / sizeof iret_rows[0]);
	tcase_add_test(rules, iret_placement);
	tcase_add_test(rules, iret_to_user_in_ring3_traps);
	tcase_add_test(rules, iret_commits_lead_to_the_own_iret);
	tcase_add_test(rules, kernel_entry_makes_the_bare_frame);
	suite_add_tcase(s, rules);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
