/*
 * tests/unit/test_patcher.c: the patcher (deprivilege/patcher.c) on small
 * pieces of guest code written here as bytes, each decoded in a comment from
 * the x86 encoding (Intel SDM vol. 2), so that which bytes are instructions
 * and which are data is known before the patcher is asked.
 * Runs on: host (Check).
 *
 * Every piece sits at guest address BASE and is scanned from BASE unless a
 * test says otherwise. Encodings used:
 *   9D popfd        66 9D popfw     9C pushfd       0E push cs
 *   8C C8 mov eax, cs (8C /1, ModRM 11 001 000)     C3 ret
 *   B8 imm32 mov eax, imm32         EB rel8 jmp     74 rel8 je
 *   E8 rel32 call   E2 rel8 loop    F4 hlt          0F 0B ud2
 *   FF 24 85 disp32 jmp [eax*4 + disp32]            CC int3
 * A rel is counted from the end of its own instruction.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deprivilege/patcher.h"

#define BASE		0x1000u
#define MAX_SITES	128
#define BITMAP_MAX	256
#define GUARD		0xA5	/* bitmap bytes past the region must keep it */

static csh cs;
static struct patch_site sites[MAX_SITES];
static uint8_t visited[BITMAP_MAX];
static unsigned nsites;

static void open_capstone(void)
{
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &cs), CS_ERR_OK);
	ck_assert_int_eq(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
}

static void close_capstone(void)
{
	cs_close(&cs);
}

/* Scans bytes[0..size) at BASE from the given roots; the result is in sites/nsites/visited. */
static int scan_roots(const uint8_t *bytes, uint32_t size,
		      const uint32_t *roots, unsigned nroots, unsigned set)
{
	struct patch_region code = { .la = BASE, .bytes = bytes, .size = size };

	memset(visited, GUARD, sizeof(visited));
	memset(sites, 0, sizeof(sites));
	nsites = 12345;
	return patcher_scan(cs, &code, roots, nroots, set, visited, sites,
			    MAX_SITES, &nsites);
}

static int scan(const uint8_t *bytes, uint32_t size, unsigned set)
{
	static const uint32_t root = BASE;

	return scan_roots(bytes, size, &root, 1, set);
}

#define SCAN(set, ...) do { \
		static const uint8_t code_[] = { __VA_ARGS__ }; \
		ck_assert_int_eq(scan(code_, sizeof(code_), (set)), PATCHER_OK); \
	} while (0)

static int was_visited(uint32_t la)
{
	uint32_t off = la - BASE;

	return (visited[off / 8] >> (off % 8)) & 1;
}

static void expect_site(unsigned i, uint32_t la, unsigned len, unsigned id,
			unsigned kind)
{
	ck_assert_uint_lt(i, nsites);
	ck_assert_uint_eq(sites[i].la, la);
	ck_assert_uint_eq(sites[i].len, len);
	ck_assert_uint_eq(sites[i].id, id);
	ck_assert_uint_eq(sites[i].kind, kind);
}

START_TEST(plain_popf_found)
{
	/* 1000: 9D popfd; 1001: C3 ret */
	SCAN(PATCH_POPF, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1000, 1, X86_INS_POPFD, PATCH_POPF);
	ck_assert_uint_eq(sites[0].original[0], 0x9D);
}
END_TEST

START_TEST(immediate_is_not_popf)
{
	/* 1000: B8 9D 9D 9D 9D mov eax, 0x9d9d9d9d; 1005: C3 ret */
	SCAN(PATCH_ALL, 0xB8, 0x9D, 0x9D, 0x9D, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(was_visited(0x1000));
	ck_assert(!was_visited(0x1001) && !was_visited(0x1004));
	ck_assert(was_visited(0x1005));
}
END_TEST

START_TEST(data_after_jmp_not_patched)
{
	/* 1000: EB 01 jmp 1003; 1002: 9D (data, jumped over); 1003: C3 ret */
	SCAN(PATCH_ALL, 0xEB, 0x01, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(!was_visited(0x1002));
	ck_assert(was_visited(0x1003));
}
END_TEST

START_TEST(jump_table_after_ret_not_patched)
{
	/*
	 * 1000: 9C pushfd; 1001: C3 ret
	 * 1002: a table of two addresses, 0x0000109D and 0x9D9D9D9D: its
	 *       bytes 9D 10 00 00 9D 9D 9D 9D hold popfd opcodes as data.
	 */
	SCAN(PATCH_POPF, 0x9C, 0xC3, 0x9D, 0x10, 0x00, 0x00, 0x9D, 0x9D, 0x9D, 0x9D);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(!was_visited(0x1002) && !was_visited(0x1006));
}
END_TEST

START_TEST(jump_table_after_indirect_jmp_not_patched)
{
	/*
	 * 1000: FF 24 85 07 10 00 00 jmp [eax*4 + 0x1007]
	 * 1007: the table it reads: 9D 10 00 00 (0x0000109D)
	 * The path ends at the indirect jmp: its target is data, unknown.
	 */
	SCAN(PATCH_POPF, 0xFF, 0x24, 0x85, 0x07, 0x10, 0x00, 0x00,
	     0x9D, 0x10, 0x00, 0x00);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(was_visited(0x1000));
	ck_assert(!was_visited(0x1007));
}
END_TEST

START_TEST(conditional_branch_target_found)
{
	/* 1000: 74 01 je 1003; 1002: C3 ret; 1003: 9D popfd; 1004: C3 ret */
	SCAN(PATCH_POPF, 0x74, 0x01, 0xC3, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1003, 1, X86_INS_POPFD, PATCH_POPF);
	ck_assert(was_visited(0x1002));	/* the fall-through too */
}
END_TEST

START_TEST(loop_target_found)
{
	/* LOOP is a conditional branch Capstone does not call a jump. */
	/* 1000: E2 01 loop 1003; 1002: C3 ret; 1003: 9D popfd; 1004: C3 ret */
	SCAN(PATCH_POPF, 0xE2, 0x01, 0xC3, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1003, 1, X86_INS_POPFD, PATCH_POPF);
}
END_TEST

START_TEST(call_target_and_return_point_found)
{
	/*
	 * 1000: E8 02 00 00 00 call 1007
	 * 1005: 9D popfd (after the call returns); 1006: C3 ret
	 * 1007: 66 9D popfw (the callee); 1009: C3 ret
	 */
	SCAN(PATCH_POPF, 0xE8, 0x02, 0x00, 0x00, 0x00, 0x9D, 0xC3, 0x66, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 2);
	expect_site(0, 0x1005, 1, X86_INS_POPFD, PATCH_POPF);
	expect_site(1, 0x1007, 2, X86_INS_POPF, PATCH_POPF);
}
END_TEST

START_TEST(second_root_found)
{
	/* 1000: C3 ret; 1001: 9D popfd; 1002: C3 ret. Nothing reaches 1001 from 1000. */
	static const uint8_t code[] = { 0xC3, 0x9D, 0xC3 };
	static const uint32_t one_root[] = { 0x1000 };
	static const uint32_t two_roots[] = { 0x1000, 0x1001 };

	ck_assert_int_eq(scan_roots(code, sizeof(code), one_root, 1, PATCH_POPF),
			 PATCHER_OK);
	ck_assert_uint_eq(nsites, 0);
	ck_assert_int_eq(scan_roots(code, sizeof(code), two_roots, 2, PATCH_POPF),
			 PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1001, 1, X86_INS_POPFD, PATCH_POPF);
}
END_TEST

START_TEST(roots_outside_region_skipped)
{
	/* 1000: 9D popfd; 1001: C3 ret. Roots below, above and at the end. */
	static const uint8_t code[] = { 0x9D, 0xC3 };
	static const uint32_t roots[] = { 0x0FFF, 0x1002, 0xFFFFFFFF, 0x1000 };

	ck_assert_int_eq(scan_roots(code, sizeof(code), roots, 4, PATCH_POPF),
			 PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1000, 1, X86_INS_POPFD, PATCH_POPF);
}
END_TEST

START_TEST(popfw_has_length_two)
{
	/* 1000: 66 9D popfw: the operand-size prefix is part of it. */
	SCAN(PATCH_POPF, 0x66, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1000, 2, X86_INS_POPF, PATCH_POPF);
	ck_assert_uint_eq(sites[0].original[0], 0x66);
	ck_assert_uint_eq(sites[0].original[1], 0x9D);
}
END_TEST

/*
 * 1000: 9C pushfd          1001: 0E push cs
 * 1002: 66 8C C8 mov ax, cs                1005: 8C C8 mov eax, cs
 * 1007: 8C 08 mov [eax], cs (ModRM 00 001 000)
 * 1009: 8E D8 mov ds, eax (a write to DS: not a read of CS)
 * 100B: 66 0E push cs (16-bit)             100D: 9D popfd
 * 100E: 66 9C pushfw       1010: C3 ret
 */
static const uint8_t mixed[] = {
	0x9C, 0x0E, 0x66, 0x8C, 0xC8, 0x8C, 0xC8, 0x8C, 0x08, 0x8E, 0xD8,
	0x66, 0x0E, 0x9D, 0x66, 0x9C, 0xC3,
};

START_TEST(each_kind_only_when_in_set)
{
	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_POPF), PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x100D, 1, X86_INS_POPFD, PATCH_POPF);

	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_PUSHF), PATCHER_OK);
	ck_assert_uint_eq(nsites, 2);
	expect_site(0, 0x1000, 1, X86_INS_PUSHFD, PATCH_PUSHF);
	expect_site(1, 0x100E, 2, X86_INS_PUSHF, PATCH_PUSHF);

	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_PUSH_CS), PATCHER_OK);
	ck_assert_uint_eq(nsites, 2);
	expect_site(0, 0x1001, 1, X86_INS_PUSH, PATCH_PUSH_CS);
	expect_site(1, 0x100B, 2, X86_INS_PUSH, PATCH_PUSH_CS);

	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_MOV_FROM_CS), PATCHER_OK);
	ck_assert_uint_eq(nsites, 3);
	expect_site(0, 0x1002, 3, X86_INS_MOV, PATCH_MOV_FROM_CS);
	expect_site(1, 0x1005, 2, X86_INS_MOV, PATCH_MOV_FROM_CS);
	expect_site(2, 0x1007, 2, X86_INS_MOV, PATCH_MOV_FROM_CS);

	ck_assert_int_eq(scan(mixed, sizeof(mixed), 0), PATCHER_OK);
	ck_assert_uint_eq(nsites, 0);
}
END_TEST

/*
 * The instructions that leak through what they read rather than the flags:
 * SGDT, SMSW, LAR, VERR, PUSH SS, MOV from SS and a 32-bit far CALL each
 * in its kind; the 16-bit far CALL is left alone (its emulation pushes
 * 32-bit words).
 */
START_TEST(descriptor_and_selector_kinds)
{
	SCAN(PATCH_ALL,
	     0x0F, 0x01, 0x05, 0x00, 0x40, 0x00, 0x00,	/* 1000: sgdt [0x4000] */
	     0x0F, 0x01, 0xE0,				/* 1007: smsw eax */
	     0x0F, 0x02, 0xC1,				/* 100A: lar eax, ecx */
	     0x0F, 0x00, 0xE1,				/* 100D: verr cx */
	     0x16,					/* 1010: push ss */
	     0x8C, 0xD0,				/* 1011: mov eax, ss */
	     0x9A, 0x20, 0x10, 0x00, 0x00, 0x08, 0x00,	/* 1013: call 0x08:0x1020 */
	     0x66, 0x9A, 0x20, 0x10, 0x08, 0x00,	/* 101A: 16-bit far call: not patched */
	     0xC3);					/* 1020: ret */
	ck_assert_uint_eq(nsites, 7);
	expect_site(0, 0x1000, 7, X86_INS_SGDT, PATCH_SYS_STORE);
	expect_site(1, 0x1007, 3, X86_INS_SMSW, PATCH_SYS_STORE);
	expect_site(2, 0x100A, 3, X86_INS_LAR, PATCH_DESC_QUERY);
	expect_site(3, 0x100D, 3, X86_INS_VERR, PATCH_DESC_QUERY);
	expect_site(4, 0x1010, 1, X86_INS_PUSH, PATCH_SS_READ);
	expect_site(5, 0x1011, 2, X86_INS_MOV, PATCH_SS_READ);
	expect_site(6, 0x1013, 7, X86_INS_LCALL, PATCH_FAR_CALL);
}
END_TEST

START_TEST(all_kinds_sorted)
{
	static const uint32_t expected_la[] = {
		0x1000, 0x1001, 0x1002, 0x1005, 0x1007, 0x100B, 0x100D, 0x100E,
	};
	unsigned i;

	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_ALL), PATCHER_OK);
	ck_assert_uint_eq(nsites, 8);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(sites[i].la, expected_la[i]);
}
END_TEST

START_TEST(sites_sorted_when_found_out_of_order)
{
	/*
	 * 1000: EB 03 jmp 1005
	 * 1002: 9D popfd; 1003: C3 ret
	 * 1004: CC int3 (never reached)
	 * 1005: 9D popfd; 1006: E8 F7 FF FF FF call 1002; 100B: C3 ret
	 * The popfd at 1005 is found before the one at 1002.
	 */
	SCAN(PATCH_POPF, 0xEB, 0x03, 0x9D, 0xC3, 0xCC, 0x9D,
	     0xE8, 0xF7, 0xFF, 0xFF, 0xFF, 0xC3);
	ck_assert_uint_eq(nsites, 2);
	expect_site(0, 0x1002, 1, X86_INS_POPFD, PATCH_POPF);
	expect_site(1, 0x1005, 1, X86_INS_POPFD, PATCH_POPF);
	ck_assert(!was_visited(0x1004));
}
END_TEST

START_TEST(visited_map)
{
	/*
	 * 1000: B8 9D 9D 9D 9D mov eax, 0x9d9d9d9d; 1005: EB 01 jmp 1008;
	 * 1007: 9D (data); 1008: C3 ret.
	 * Starts at offsets 0, 5, 8: byte 0 = bits 0 and 5, byte 1 = bit 0.
	 */
	SCAN(PATCH_ALL, 0xB8, 0x9D, 0x9D, 0x9D, 0x9D, 0xEB, 0x01, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert_uint_eq(visited[0], 0x21);
	ck_assert_uint_eq(visited[1], 0x01);
	/* 9 bytes take 2 bitmap bytes; the scan writes no further. */
	ck_assert_uint_eq(visited[2], GUARD);
}
END_TEST

START_TEST(paths_end_where_they_should)
{
	/* Bytes that do not decode end a path: FF FF; then 9D is never reached. */
	SCAN(PATCH_POPF, 0xFF, 0xFF, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(!was_visited(0x1000));

	/* UD2 ends a path: 0F 0B; 9D. */
	SCAN(PATCH_POPF, 0x0F, 0x0B, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(was_visited(0x1000) && !was_visited(0x1002));

	/* A hlt loop ends at itself: F4 hlt; EB FD jmp 1000; 9D. */
	SCAN(PATCH_POPF, 0xF4, 0xEB, 0xFD, 0x9D);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(!was_visited(0x1003));

	/* After a lone HLT an interrupt resumes at the next instruction: F4; 9D; C3. */
	SCAN(PATCH_POPF, 0xF4, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1001, 1, X86_INS_POPFD, PATCH_POPF);

	/* INT3 and INT n return: CC; CD 80 int 0x80; 9D; C3. */
	SCAN(PATCH_POPF, 0xCC, 0xCD, 0x80, 0x9D, 0xC3);
	ck_assert_uint_eq(nsites, 1);
	expect_site(0, 0x1003, 1, X86_INS_POPFD, PATCH_POPF);

	/* A backward jump to a visited instruction ends: 9D; EB FD jmp 1000. */
	SCAN(PATCH_POPF, 0x9D, 0xEB, 0xFD);
	ck_assert_uint_eq(nsites, 1);

	/* Leaving the region: E9 00 01 00 00 jmp 1105 (outside); 9D. */
	SCAN(PATCH_POPF, 0xE9, 0x00, 0x01, 0x00, 0x00, 0x9D);
	ck_assert_uint_eq(nsites, 0);

	/* An instruction cut off by the region's end is not one: 90 nop; B8 9D (mov, 3 bytes short). */
	SCAN(PATCH_POPF, 0x90, 0xB8, 0x9D);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(!was_visited(0x1001));

	/* A far jmp ends a path (its segment's base is unknown): EA <0x1007> <0x0008>; 9D. */
	SCAN(PATCH_POPF, 0xEA, 0x07, 0x10, 0x00, 0x00, 0x08, 0x00, 0x9D);
	ck_assert_uint_eq(nsites, 0);
}
END_TEST

START_TEST(many_branch_targets)
{
	/*
	 * 100 x "0F 84 rel32" (je, 6 bytes) at 1000 + 6i, each to its own
	 * "9D C3" at 1259 + 2i (after the chain and a C3 at 1258). More
	 * targets wait at once than the patcher's worklist holds, so this
	 * also covers finding the dropped ones again.
	 */
	static uint8_t code[600 + 1 + 200];
	unsigned i;

	for (i = 0; i < 100; i++) {
		uint32_t at = BASE + 6 * i, target = BASE + 601 + 2 * i;
		uint32_t rel = target - (at + 6);

		code[6 * i] = 0x0F;
		code[6 * i + 1] = 0x84;
		memcpy(&code[6 * i + 2], &rel, 4);	/* little-endian host */
		code[601 + 2 * i] = 0x9D;
		code[601 + 2 * i + 1] = 0xC3;
	}
	code[600] = 0xC3;
	ck_assert_int_eq(scan(code, sizeof(code), PATCH_POPF), PATCHER_OK);
	ck_assert_uint_eq(nsites, 100);
	for (i = 0; i < 100; i++)
		expect_site(i, BASE + 601 + 2 * i, 1, X86_INS_POPFD, PATCH_POPF);
}
END_TEST

START_TEST(too_many_sites)
{
	/* 9D 9D 9D C3 with room for two sites. */
	static const uint8_t code[] = { 0x9D, 0x9D, 0x9D, 0xC3 };
	struct patch_region r = { .la = BASE, .bytes = code, .size = sizeof(code) };
	static const uint32_t root = BASE;

	ck_assert_int_eq(patcher_scan(cs, &r, &root, 1, PATCH_POPF, visited, sites,
				      2, &nsites), PATCHER_ERR_TOO_MANY_SITES);
	ck_assert_uint_eq(nsites, 2);
}
END_TEST

START_TEST(site_inside_another_instruction_refused)
{
	/*
	 * 1000: 74 01 je 1003
	 * 1002: B8 9D C3 90 90 mov eax, 0x9090c39d (fall-through)
	 * 1003: 9D popfd; 1004: C3 ret (the branch target, inside the mov)
	 * An INT3 at 1003 would change the mov's immediate.
	 */
	static const uint8_t code[] = {
		0x74, 0x01, 0xB8, 0x9D, 0xC3, 0x90, 0x90, 0xC3,
	};

	ck_assert_int_eq(scan(code, sizeof(code), PATCH_POPF), PATCHER_ERR_OVERLAP);
	/* Overlap between two ordinary instructions is no problem: lock prefix skipped. */
	/* 1000: 74 01 je 1003; 1002: F0 FF 00 lock inc [eax]; 1003: FF 00 inc [eax]; 1005: C3 */
	SCAN(PATCH_POPF, 0x74, 0x01, 0xF0, 0xFF, 0x00, 0xC3);
	ck_assert_uint_eq(nsites, 0);
	ck_assert(was_visited(0x1002) && was_visited(0x1003));
}
END_TEST

START_TEST(bad_arguments)
{
	static const uint8_t code[] = { 0x9D, 0xC3 };
	struct patch_region r = { .la = BASE, .bytes = code, .size = sizeof(code) };
	struct patch_region wraps = { .la = 0xFFFFFFFF, .bytes = code, .size = 2 };
	struct patch_region top = { .la = 0xFFFFFFFE, .bytes = code, .size = 2 };
	static const uint32_t root = BASE, top_root = 0xFFFFFFFE;
	csh plain;

	ck_assert_int_eq(patcher_scan(cs, NULL, &root, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, &nsites), PATCHER_ERR_ARGS);
	ck_assert_int_eq(patcher_scan(cs, &r, NULL, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, &nsites), PATCHER_ERR_ARGS);
	ck_assert_int_eq(patcher_scan(cs, &r, &root, 1, PATCH_POPF, NULL,
				      sites, MAX_SITES, &nsites), PATCHER_ERR_ARGS);
	ck_assert_int_eq(patcher_scan(cs, &r, &root, 1, PATCH_POPF, visited,
				      NULL, MAX_SITES, &nsites), PATCHER_ERR_ARGS);
	ck_assert_int_eq(patcher_scan(cs, &r, &root, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, NULL), PATCHER_ERR_ARGS);
	ck_assert_int_eq(patcher_scan(cs, &wraps, &root, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, &nsites), PATCHER_ERR_ARGS);
	/* A region ending exactly at 4 GiB does not wrap. */
	ck_assert_int_eq(patcher_scan(cs, &top, &top_root, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, &nsites), PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	ck_assert_uint_eq(sites[0].la, 0xFFFFFFFE);

	/* A handle without CS_OPT_DETAIL cannot show branch operands. */
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &plain), CS_ERR_OK);
	ck_assert_int_eq(patcher_scan(plain, &r, &root, 1, PATCH_POPF, visited,
				      sites, MAX_SITES, &nsites),
			 PATCHER_ERR_NO_DETAIL);
	cs_close(&plain);

	ck_assert_ptr_nonnull(patcher_strerror(PATCHER_ERR_OVERLAP));
	ck_assert_str_ne(patcher_strerror(PATCHER_ERR_OVERLAP),
			 patcher_strerror(PATCHER_ERR_ARGS));
}
END_TEST

START_TEST(apply_and_restore)
{
	/* 1000: B8 9D 9D 9D 9D mov; 1005: 66 9D popfw; 1007: C3 ret */
	static const uint8_t original[] = { 0xB8, 0x9D, 0x9D, 0x9D, 0x9D, 0x66, 0x9D, 0xC3 };
	uint8_t code[sizeof(original)];

	memcpy(code, original, sizeof(code));
	ck_assert_int_eq(scan(code, sizeof(code), PATCH_POPF), PATCHER_OK);
	ck_assert_uint_eq(nsites, 1);
	patcher_apply(code, BASE, &sites[0]);
	/* Only the first byte changes, to INT3; the site keeps the original. */
	ck_assert_uint_eq(code[5], 0xCC);
	ck_assert_uint_eq(code[6], 0x9D);
	ck_assert_mem_eq(code, original, 5);
	ck_assert_uint_eq(code[7], 0xC3);
	ck_assert_uint_eq(sites[0].original[0], 0x66);
	ck_assert_uint_eq(sites[0].original[1], 0x9D);
	patcher_restore(code, BASE, &sites[0]);
	ck_assert_mem_eq(code, original, sizeof(original));
}
END_TEST

START_TEST(lookup_by_address)
{
	static struct patch_site table[5];
	static const uint32_t las[] = { 0x1000, 0x1004, 0x1010, 0x2000, 0xFFFFFFF0 };
	unsigned i;

	for (i = 0; i < 5; i++)
		table[i].la = las[i];
	for (i = 0; i < 5; i++)
		ck_assert_ptr_eq(patcher_lookup(table, 5, las[i]), &table[i]);
	ck_assert_ptr_null(patcher_lookup(table, 5, 0x0FFF));
	ck_assert_ptr_null(patcher_lookup(table, 5, 0x1001));	/* inside, not at, a site */
	ck_assert_ptr_null(patcher_lookup(table, 5, 0x1FFF));
	ck_assert_ptr_null(patcher_lookup(table, 5, 0xFFFFFFFF));
	ck_assert_ptr_null(patcher_lookup(table, 0, 0x1000));
	ck_assert_ptr_eq(patcher_lookup(table, 1, 0x1000), &table[0]);

	/* And on a real scan's table. */
	ck_assert_int_eq(scan(mixed, sizeof(mixed), PATCH_ALL), PATCHER_OK);
	ck_assert_ptr_eq(patcher_lookup(sites, nsites, 0x1005), &sites[3]);
	ck_assert_ptr_null(patcher_lookup(sites, nsites, 0x1009));	/* mov ds: not a site */
}
END_TEST

static Suite *patcher_suite(void)
{
	Suite *s = suite_create("patcher");
	TCase *reach = tcase_create("reach");
	TCase *kinds = tcase_create("kinds");
	TCase *limits = tcase_create("limits");
	TCase *use = tcase_create("use");
	TCase *all[] = { reach, kinds, limits, use };
	unsigned i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		tcase_add_checked_fixture(all[i], open_capstone, close_capstone);

	tcase_add_test(reach, plain_popf_found);
	tcase_add_test(reach, immediate_is_not_popf);
	tcase_add_test(reach, data_after_jmp_not_patched);
	tcase_add_test(reach, jump_table_after_ret_not_patched);
	tcase_add_test(reach, jump_table_after_indirect_jmp_not_patched);
	tcase_add_test(reach, conditional_branch_target_found);
	tcase_add_test(reach, loop_target_found);
	tcase_add_test(reach, call_target_and_return_point_found);
	tcase_add_test(reach, second_root_found);
	tcase_add_test(reach, roots_outside_region_skipped);
	tcase_add_test(reach, visited_map);
	tcase_add_test(reach, paths_end_where_they_should);
	tcase_add_test(reach, many_branch_targets);
	suite_add_tcase(s, reach);

	tcase_add_test(kinds, popfw_has_length_two);
	tcase_add_test(kinds, each_kind_only_when_in_set);
	tcase_add_test(kinds, all_kinds_sorted);
	tcase_add_test(kinds, descriptor_and_selector_kinds);
	tcase_add_test(kinds, sites_sorted_when_found_out_of_order);
	suite_add_tcase(s, kinds);

	tcase_add_test(limits, too_many_sites);
	tcase_add_test(limits, site_inside_another_instruction_refused);
	tcase_add_test(limits, bad_arguments);
	suite_add_tcase(s, limits);

	tcase_add_test(use, apply_and_restore);
	tcase_add_test(use, lookup_by_address);
	suite_add_tcase(s, use);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(patcher_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
