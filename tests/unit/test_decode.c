/*
 * tests/unit/test_decode.c: the decoder and its decode cache (hv/decode.c),
 * and the heap Capstone allocates from in the hypervisor (hv/heap.c).
 * Runs on: host, linked with the system's Capstone 4.0.2.
 *
 * 1. A table of instructions a deprivileged guest kernel traps on (and a few
 *    it does not), with the identity, length and text each must decode to,
 *    and whether the Intel SDM makes it privileged: #GP(0) whenever CPL is
 *    not 0. Capstone's X86_GRP_PRIVILEGE is a different notion in places
 *    (it includes IOPL-sensitive and segment-loading instructions and misses
 *    a few CPL-0-only ones). Each such place is listed in the table as a
 *    known difference with the reason, and the test checks Capstone's
 *    actual answer there, so a change in either direction is noticed.
 *    The emulator must therefore not take "privileged" as the SDM's word.
 * 2. Operand detail for the instructions the emulator reads operands of.
 * 3. Bytes that are not an instruction give NULL.
 * 4. The cache: same address and bytes hit, a changed byte misses and gives
 *    the new instruction, the address is part of the key, the statistics add up.
 * 5. The heap: alignment, reuse, merging of free neighbours, out of memory,
 *    and frees of pointers it never handed out.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "hv/decode.h"
#include "hv/heap.h"

struct insn_case {
	const char *what;
	uint8_t bytes[DECODE_MAX_LEN];
	uint8_t nbytes;
	unsigned id;			/* X86_INS_* */
	uint8_t len;
	const char *text;		/* NULL: spelling of a memory operand is Capstone's own */
	int sdm_privileged;		/* SDM: #GP(0) at any CPL other than 0 */
	const char *capstone_differs;	/* why X86_GRP_PRIVILEGE disagrees, or NULL */
};

#define IOPL_SENSITIVE \
	"IOPL-sensitive (SDM: #GP only if CPL > IOPL); Capstone counts it as privileged"
#define SEGMENT_LOAD \
	"loading a data or stack segment register is allowed at every CPL (SDM: " \
	"checks are against the descriptor's DPL); Capstone counts it as privileged"

static const struct insn_case cases[] = {
	{ "cli", { 0xfa }, 1, X86_INS_CLI, 1, "cli", 0, IOPL_SENSITIVE },
	{ "sti", { 0xfb }, 1, X86_INS_STI, 1, "sti", 0, IOPL_SENSITIVE },
	{ "hlt", { 0xf4 }, 1, X86_INS_HLT, 1, "hlt", 1, NULL },
	/* I/O is IOPL-sensitive (and the TSS bitmap may allow it): not privileged. */
	{ "out dx, al", { 0xee }, 1, X86_INS_OUT, 1, "out dx, al", 0, NULL },
	{ "out 0x80, al", { 0xe6, 0x80 }, 2, X86_INS_OUT, 2, "out 0x80, al", 0, NULL },
	{ "out dx, ax", { 0x66, 0xef }, 2, X86_INS_OUT, 2, "out dx, ax", 0, NULL },
	{ "in al, dx", { 0xec }, 1, X86_INS_IN, 1, "in al, dx", 0, NULL },
	{ "rep outsb", { 0xf3, 0x6e }, 2, X86_INS_OUTSB, 2,
	  "rep outsb dx, byte ptr [esi]", 0, NULL },
	/* 0f 01 /2 and /3 with ModRM 00 xxx 101: a disp32 absolute address. */
	{ "lgdt", { 0x0f, 0x01, 0x15, 0x78, 0x56, 0x34, 0x12 }, 7, X86_INS_LGDT, 7,
	  NULL, 1, NULL },
	{ "lidt", { 0x0f, 0x01, 0x1d, 0x78, 0x56, 0x34, 0x12 }, 7, X86_INS_LIDT, 7,
	  NULL, 1, NULL },
	/* SGDT/SIDT/SMSW/STR fault outside ring 0 only with CR4.UMIP. */
	{ "sgdt", { 0x0f, 0x01, 0x05, 0x78, 0x56, 0x34, 0x12 }, 7, X86_INS_SGDT, 7,
	  NULL, 0, NULL },
	{ "sidt", { 0x0f, 0x01, 0x0d, 0x78, 0x56, 0x34, 0x12 }, 7, X86_INS_SIDT, 7,
	  NULL, 0, NULL },
	{ "smsw eax", { 0x0f, 0x01, 0xe0 }, 3, X86_INS_SMSW, 3, NULL, 0, NULL },
	{ "str eax", { 0x0f, 0x00, 0xc8 }, 3, X86_INS_STR, 3, NULL, 0,
	  "STR runs at every CPL without UMIP; Capstone counts it as privileged" },
	/*
	 * 8e /r with mod 11 in 32-bit code: the SDM writes MOV Sreg, r/m16;
	 * Capstone, like GNU objdump, names the register at the 32-bit operand
	 * size. The load uses its low 16 bits either way.
	 */
	{ "mov ds, eax", { 0x8e, 0xd8 }, 2, X86_INS_MOV, 2, "mov ds, eax", 0, SEGMENT_LOAD },
	{ "mov ss, eax", { 0x8e, 0xd0 }, 2, X86_INS_MOV, 2, "mov ss, eax", 0, SEGMENT_LOAD },
	{ "pop ds", { 0x1f }, 1, X86_INS_POP, 1, "pop ds", 0, SEGMENT_LOAD },
	/* In 32-bit code CF, 9D and 9C have a 32-bit operand: IRETD, POPFD, PUSHFD. */
	{ "iretd", { 0xcf }, 1, X86_INS_IRETD, 1, "iretd", 0,
	  "IRET runs at every CPL (it just cannot raise privilege or change "
	  "IF/IOPL from CPL > 0); Capstone counts it as privileged" },
	{ "int 0x80", { 0xcd, 0x80 }, 2, X86_INS_INT, 2, "int 0x80", 0, NULL },
	/* The Popek-Goldberg problem: sensitive, yet neither traps. */
	{ "popfd", { 0x9d }, 1, X86_INS_POPFD, 1, "popfd", 0, NULL },
	{ "pushfd", { 0x9c }, 1, X86_INS_PUSHFD, 1, "pushfd", 0, NULL },
	/* 0f 20/22 /r with mod 11: reg field names the control register. */
	{ "mov eax, cr3", { 0x0f, 0x20, 0xd8 }, 3, X86_INS_MOV, 3, "mov eax, cr3", 1, NULL },
	{ "mov cr3, eax", { 0x0f, 0x22, 0xd8 }, 3, X86_INS_MOV, 3, "mov cr3, eax", 1, NULL },
	{ "mov eax, dr7", { 0x0f, 0x21, 0xf8 }, 3, X86_INS_MOV, 3, "mov eax, dr7", 1, NULL },
	{ "ltr ax", { 0x0f, 0x00, 0xd8 }, 3, X86_INS_LTR, 3, "ltr ax", 1, NULL },
	{ "lldt ax", { 0x0f, 0x00, 0xd0 }, 3, X86_INS_LLDT, 3, "lldt ax", 1, NULL },
	{ "lmsw ax", { 0x0f, 0x01, 0xf0 }, 3, X86_INS_LMSW, 3, "lmsw ax", 1, NULL },
	{ "invlpg [eax]", { 0x0f, 0x01, 0x38 }, 3, X86_INS_INVLPG, 3, NULL, 1, NULL },
	{ "wbinvd", { 0x0f, 0x09 }, 2, X86_INS_WBINVD, 2, "wbinvd", 1, NULL },
	{ "wrmsr", { 0x0f, 0x30 }, 2, X86_INS_WRMSR, 2, "wrmsr", 1, NULL },
	{ "rdmsr", { 0x0f, 0x32 }, 2, X86_INS_RDMSR, 2, "rdmsr", 1,
	  "CPL-0 only, but Capstone 4.0.2 leaves RDMSR out of X86_GRP_PRIVILEGE" },
	{ "clts", { 0x0f, 0x06 }, 2, X86_INS_CLTS, 2, "clts", 1,
	  "CPL-0 only, but Capstone 4.0.2 leaves CLTS out of X86_GRP_PRIVILEGE" },
	/* RDTSC faults outside ring 0 only with CR4.TSD. */
	{ "rdtsc", { 0x0f, 0x31 }, 2, X86_INS_RDTSC, 2, "rdtsc", 0, NULL },
	{ "cpuid", { 0x0f, 0xa2 }, 2, X86_INS_CPUID, 2, "cpuid", 0, NULL },
	{ "ud2", { 0x0f, 0x0b }, 2, X86_INS_UD2, 2, "ud2", 0, NULL },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void setup(void)
{
	ck_assert_int_eq(decode_init(), 0);
	decode_cache_flush();
}

static void teardown(void)
{
	decode_fini();
}

START_TEST(decodes_table)
{
	const struct insn_case *c = &cases[_i];
	const struct decoded_insn *d;
	int want_priv;

	d = decode_at(0x00101000u, c->bytes, c->nbytes);
	ck_assert_msg(d != NULL, "%s: did not decode", c->what);
	ck_assert_msg(d->id == c->id, "%s: id %u, want %u", c->what, d->id, c->id);
	ck_assert_msg(d->len == c->len, "%s: length %u, want %u", c->what,
		      d->len, c->len);
	ck_assert_msg(memcmp(d->bytes, c->bytes, c->len) == 0, "%s: bytes", c->what);
	ck_assert_uint_eq(d->la, 0x00101000u);
	if (c->text)
		ck_assert_str_eq(d->text, c->text);
	/* The text always starts with the mnemonic. */
	ck_assert_msg(strncmp(d->text, d->mnemonic, strlen(d->mnemonic)) == 0,
		      "%s: text '%s' vs mnemonic '%s'", c->what, d->text, d->mnemonic);

	want_priv = c->capstone_differs ? !c->sdm_privileged : c->sdm_privileged;
	ck_assert_msg(d->privileged == want_priv,
		      "%s: privileged %d; SDM says %d%s%s", c->what, d->privileged,
		      c->sdm_privileged, c->capstone_differs ? ", known difference: " : "",
		      c->capstone_differs ? c->capstone_differs : "");
}
END_TEST

START_TEST(operands_of_io_instructions)
{
	static const uint8_t out_imm[] = { 0xe6, 0x80 };
	static const uint8_t out_dx_ax[] = { 0x66, 0xef };
	static const uint8_t rep_outsb[] = { 0xf3, 0x6e };
	const struct decoded_insn *d;

	d = decode_at(0x1000, out_imm, sizeof(out_imm));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.op_count, 2);
	ck_assert_int_eq(d->x86.operands[0].type, X86_OP_IMM);
	ck_assert_int_eq(d->x86.operands[0].imm, 0x80);
	ck_assert_int_eq(d->x86.operands[1].type, X86_OP_REG);
	ck_assert_int_eq(d->x86.operands[1].reg, X86_REG_AL);

	d = decode_at(0x2000, out_dx_ax, sizeof(out_dx_ax));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.prefix[2], X86_PREFIX_OPSIZE);	/* the 0x66 */
	ck_assert_int_eq(d->x86.op_count, 2);
	ck_assert_int_eq(d->x86.operands[0].reg, X86_REG_DX);
	ck_assert_int_eq(d->x86.operands[1].reg, X86_REG_AX);
	ck_assert_int_eq(d->x86.operands[1].size, 2);

	d = decode_at(0x3000, rep_outsb, sizeof(rep_outsb));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.prefix[0], X86_PREFIX_REP);
	ck_assert_str_eq(d->mnemonic, "rep outsb");
}
END_TEST

START_TEST(operands_of_system_instructions)
{
	static const uint8_t lgdt[] = { 0x0f, 0x01, 0x15, 0x78, 0x56, 0x34, 0x12 };
	static const uint8_t mov_from_cr3[] = { 0x0f, 0x20, 0xd8 };
	static const uint8_t mov_to_ds[] = { 0x8e, 0xd8 };
	static const uint8_t int80[] = { 0xcd, 0x80 };
	const struct decoded_insn *d;

	d = decode_at(0x1000, lgdt, sizeof(lgdt));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.op_count, 1);
	ck_assert_int_eq(d->x86.operands[0].type, X86_OP_MEM);
	ck_assert_int_eq(d->x86.operands[0].mem.base, X86_REG_INVALID);
	ck_assert_int_eq(d->x86.operands[0].mem.index, X86_REG_INVALID);
	ck_assert_int_eq(d->x86.operands[0].mem.disp, 0x12345678);
	ck_assert_msg(strstr(d->text, "[0x12345678]") != NULL, "text '%s'", d->text);

	d = decode_at(0x2000, mov_from_cr3, sizeof(mov_from_cr3));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.op_count, 2);
	ck_assert_int_eq(d->x86.operands[0].reg, X86_REG_EAX);
	ck_assert_int_eq(d->x86.operands[1].reg, X86_REG_CR3);
	ck_assert_str_eq(decode_reg_name(X86_REG_CR3), "cr3");

	d = decode_at(0x3000, mov_to_ds, sizeof(mov_to_ds));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.operands[0].reg, X86_REG_DS);
	ck_assert_int_eq(d->x86.operands[1].reg, X86_REG_EAX);	/* see the table */

	d = decode_at(0x4000, int80, sizeof(int80));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.operands[0].type, X86_OP_IMM);
	ck_assert_int_eq(d->x86.operands[0].imm, 0x80);
}
END_TEST

START_TEST(invalid_bytes_give_null)
{
	/* 0f 04 is an empty slot in the two-byte opcode map (SDM vol. 2, table A-3). */
	static const uint8_t undefined[] = { 0x0f, 0x04 };
	/* lgdt needs 7 bytes; only 3 are readable. */
	static const uint8_t lgdt_cut[] = { 0x0f, 0x01, 0x15 };
	/* 16 bytes: over the 15-byte limit (SDM vol. 2, 2.3.11). */
	static const uint8_t too_long[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 };
	struct decode_stats before = *decode_stats();

	ck_assert_ptr_null(decode_at(0x1000, undefined, sizeof(undefined)));
	ck_assert_ptr_null(decode_at(0x1000, lgdt_cut, sizeof(lgdt_cut)));
	ck_assert_ptr_null(decode_at(0x1000, too_long, sizeof(too_long)));
	ck_assert_ptr_null(decode_at(0x1000, undefined, 0));
	ck_assert_ptr_null(decode_at(0x1000, NULL, 4));

	ck_assert_uint_eq(decode_stats()->failures - before.failures, 5);
	ck_assert_uint_eq(decode_stats()->misses - before.misses, 5);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);
}
END_TEST

START_TEST(fifteen_bytes_is_the_limit)
{
	/* 14 operand-size prefixes and a nop: exactly 15 bytes, still legal. */
	uint8_t insn[DECODE_MAX_LEN];
	const struct decoded_insn *d;

	memset(insn, 0x66, sizeof(insn));
	insn[14] = 0x90;
	d = decode_at(0x1000, insn, sizeof(insn));
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->len, 15);
	ck_assert_uint_eq(d->id, X86_INS_NOP);
}
END_TEST

START_TEST(cache_hits_on_same_address_and_bytes)
{
	static const uint8_t cli_then_nop[] = { 0xfa, 0x90 };
	static const uint8_t cli_then_zero[] = { 0xfa, 0x00 };
	const struct decoded_insn *first, *again;
	struct decode_stats before = *decode_stats();

	first = decode_at(0xc0001000u, cli_then_nop, sizeof(cli_then_nop));
	ck_assert_ptr_nonnull(first);
	ck_assert_uint_eq(first->id, X86_INS_CLI);
	ck_assert_uint_eq(decode_stats()->misses - before.misses, 1);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);

	again = decode_at(0xc0001000u, cli_then_nop, sizeof(cli_then_nop));
	ck_assert_ptr_eq(again, first);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 1);

	/* Bytes after the instruction are not part of it. */
	again = decode_at(0xc0001000u, cli_then_zero, sizeof(cli_then_zero));
	ck_assert_ptr_eq(again, first);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 2);
	ck_assert_uint_eq(decode_stats()->misses - before.misses, 1);
	ck_assert_uint_eq(decode_stats()->failures - before.failures, 0);
}
END_TEST

START_TEST(cache_misses_on_changed_byte)
{
	static const uint8_t cli[] = { 0xfa };
	static const uint8_t sti[] = { 0xfb };
	static const uint8_t out_imm[] = { 0xe6, 0x80 };
	static const uint8_t out_imm_changed[] = { 0xe6, 0x81 };
	const struct decoded_insn *d;
	struct decode_stats before = *decode_stats();

	ck_assert_uint_eq(decode_at(0x2000, cli, 1)->id, X86_INS_CLI);
	/* The guest rewrote its code: the new instruction, not the cached one. */
	d = decode_at(0x2000, sti, 1);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->id, X86_INS_STI);
	ck_assert_str_eq(d->text, "sti");

	/* A change in an operand byte counts as much as one in the opcode. */
	ck_assert_int_eq(decode_at(0x3000, out_imm, 2)->x86.operands[0].imm, 0x80);
	d = decode_at(0x3000, out_imm_changed, 2);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->x86.operands[0].imm, 0x81);
	ck_assert_str_eq(d->text, "out 0x81, al");

	ck_assert_uint_eq(decode_stats()->misses - before.misses, 4);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);
}
END_TEST

START_TEST(cache_keys_on_address)
{
	/* jmp rel32 +0xffb: the target is the address after it plus 0xffb. */
	static const uint8_t jmp[] = { 0xe9, 0xfb, 0x0f, 0x00, 0x00 };
	const struct decoded_insn *d;
	struct decode_stats before = *decode_stats();

	d = decode_at(0x1000, jmp, sizeof(jmp));
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->text, "jmp 0x2000");
	d = decode_at(0x3000, jmp, sizeof(jmp));
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->la, 0x3000);
	ck_assert_str_eq(d->text, "jmp 0x4000");
	ck_assert_uint_eq(decode_stats()->misses - before.misses, 2);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);
}
END_TEST

START_TEST(cache_needs_all_bytes_available)
{
	static const uint8_t lidt[] = { 0x0f, 0x01, 0x1d, 0x00, 0x20, 0x00, 0x00 };
	struct decode_stats before;

	ck_assert_ptr_nonnull(decode_at(0x5000, lidt, sizeof(lidt)));
	before = *decode_stats();
	/* Same address and leading bytes, but the instruction is cut short. */
	ck_assert_ptr_null(decode_at(0x5000, lidt, 4));
	ck_assert_uint_eq(decode_stats()->failures - before.failures, 1);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);
}
END_TEST

START_TEST(cache_flush_forgets)
{
	static const uint8_t hlt[] = { 0xf4 };
	struct decode_stats before;

	ck_assert_ptr_nonnull(decode_at(0x6000, hlt, 1));
	decode_cache_flush();
	before = *decode_stats();
	ck_assert_ptr_nonnull(decode_at(0x6000, hlt, 1));
	ck_assert_uint_eq(decode_stats()->misses - before.misses, 1);
	ck_assert_uint_eq(decode_stats()->hits - before.hits, 0);
	/* The statistics survive a flush. */
	ck_assert_uint_ge(decode_stats()->misses, 2);
}
END_TEST

/* Many addresses share slots; whatever is evicted, every answer stays right. */
START_TEST(cache_stays_correct_under_eviction)
{
	static const uint8_t cli[] = { 0xfa }, hlt[] = { 0xf4 };
	struct decode_stats before = *decode_stats();
	uint32_t la, calls = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (la = 0; la < 8 * DECODE_CACHE_ENTRIES; la += 3) {
			const uint8_t *b = (la / 3) % 2 ? hlt : cli;
			const struct decoded_insn *d = decode_at(la, b, 1);

			ck_assert_ptr_nonnull(d);
			ck_assert_uint_eq(d->la, la);
			ck_assert_uint_eq(d->id, b == hlt ? X86_INS_HLT : X86_INS_CLI);
			calls++;
		}
	}
	ck_assert_uint_eq((decode_stats()->hits - before.hits) +
			  (decode_stats()->misses - before.misses), calls);
	ck_assert_uint_eq(decode_stats()->failures - before.failures, 0);
	/* The second pass found at least some of its instructions still cached. */
	ck_assert_uint_gt(decode_stats()->hits - before.hits, 0);
}
END_TEST

START_TEST(init_twice_is_harmless)
{
	static const uint8_t sti[] = { 0xfb };

	ck_assert_int_eq(decode_init(), 0);
	ck_assert_int_eq(decode_init(), 0);
	ck_assert_uint_eq(decode_at(0x1000, sti, 1)->id, X86_INS_STI);
	ck_assert_str_eq(decode_insn_name(X86_INS_CLI), "cli");
}
END_TEST

START_TEST(heap_aligns_and_separates)
{
	unsigned char *a = hv_malloc(1), *b = hv_malloc(100), *c = hv_malloc(0);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq((uintptr_t)a % HV_HEAP_ALIGN, 0);
	ck_assert_uint_eq((uintptr_t)b % HV_HEAP_ALIGN, 0);
	ck_assert_uint_eq((uintptr_t)c % HV_HEAP_ALIGN, 0);
	ck_assert(a + 1 <= b || b + 100 <= a);
	ck_assert(b + 100 <= c || c + 1 <= b);
	a[0] = 0x11;
	c[0] = 0x22;
	memset(b, 0x5a, 100);
	ck_assert_uint_eq(a[0], 0x11);
	ck_assert_uint_eq(c[0], 0x22);
	hv_free(a);
	hv_free(b);
	hv_free(c);
}
END_TEST

START_TEST(heap_merges_free_neighbours)
{
	const size_t third = HV_HEAP_SIZE / 4;
	size_t in_use = hv_heap_stats()->in_use;
	void *a = hv_malloc(third), *b = hv_malloc(third), *c = hv_malloc(third);
	void *whole;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	/* No room for a fourth and a bit. */
	ck_assert_ptr_null(hv_malloc(third + HV_HEAP_SIZE / 8));
	/* Free the middle, then its neighbours: merging with the next and the previous block. */
	hv_free(b);
	hv_free(c);
	hv_free(a);
	ck_assert_uint_eq(hv_heap_stats()->in_use, in_use);
	whole = hv_malloc(3 * third);
	ck_assert_ptr_nonnull(whole);
	hv_free(whole);
}
END_TEST

START_TEST(heap_reuses_first_fit)
{
	void *a = hv_malloc(200), *b = hv_malloc(200);
	void *again;

	hv_free(a);
	again = hv_malloc(150);
	ck_assert_ptr_eq(again, a);
	hv_free(again);
	hv_free(b);
}
END_TEST

START_TEST(heap_out_of_memory_returns_null)
{
	uint32_t failures = hv_heap_stats()->failures;

	ck_assert_ptr_null(hv_malloc(HV_HEAP_SIZE));
	ck_assert_ptr_null(hv_malloc((size_t)-1));
	ck_assert_ptr_null(hv_calloc((size_t)-1 / 2, 4));	/* count * size overflows */
	ck_assert_uint_eq(hv_heap_stats()->failures - failures, 3);
}
END_TEST

START_TEST(heap_ignores_bad_frees)
{
	int on_stack;
	unsigned char *p = hv_malloc(64);
	size_t in_use;
	uint32_t bad = hv_heap_stats()->bad_frees;

	ck_assert_ptr_nonnull(p);
	in_use = hv_heap_stats()->in_use;
	hv_free(&on_stack);	/* never the heap's */
	hv_free(p + 16);	/* inside a block, not its start */
	ck_assert_uint_eq(hv_heap_stats()->in_use, in_use);
	hv_free(p);
	hv_free(p);		/* twice */
	ck_assert_uint_eq(hv_heap_stats()->bad_frees - bad, 3);
	hv_free(NULL);		/* as C's free: nothing, and not an error */
	ck_assert_uint_eq(hv_heap_stats()->bad_frees - bad, 3);
}
END_TEST

START_TEST(heap_realloc_and_calloc)
{
	unsigned char *p = hv_realloc(NULL, 32), *q;
	int i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < 32; i++)
		p[i] = (unsigned char)i;
	q = hv_realloc(p, 4096);
	ck_assert_ptr_nonnull(q);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(q[i], i);
	ck_assert_ptr_null(hv_realloc(q, 0));	/* frees */

	p = hv_malloc(256);
	memset(p, 0xaa, 256);
	hv_free(p);
	q = hv_calloc(16, 16);
	ck_assert_ptr_nonnull(q);
	for (i = 0; i < 256; i++)
		ck_assert_uint_eq(q[i], 0);
	hv_free(q);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *t;

	t = tcase_create("instructions");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, decodes_table, 0, NCASES);
	tcase_add_test(t, operands_of_io_instructions);
	tcase_add_test(t, operands_of_system_instructions);
	tcase_add_test(t, invalid_bytes_give_null);
	tcase_add_test(t, fifteen_bytes_is_the_limit);
	suite_add_tcase(s, t);

	t = tcase_create("cache");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, cache_hits_on_same_address_and_bytes);
	tcase_add_test(t, cache_misses_on_changed_byte);
	tcase_add_test(t, cache_keys_on_address);
	tcase_add_test(t, cache_needs_all_bytes_available);
	tcase_add_test(t, cache_flush_forgets);
	tcase_add_test(t, cache_stays_correct_under_eviction);
	tcase_add_test(t, init_twice_is_harmless);
	suite_add_tcase(s, t);

	t = tcase_create("heap");
	tcase_add_test(t, heap_aligns_and_separates);
	tcase_add_test(t, heap_merges_free_neighbours);
	tcase_add_test(t, heap_reuses_first_fit);
	tcase_add_test(t, heap_out_of_memory_returns_null);
	tcase_add_test(t, heap_ignores_bad_frees);
	tcase_add_test(t, heap_realloc_and_calloc);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(decode_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? 0 : 1;
}
