/*
 * tests/unit/test_fuzz.c: the fuzz generator is deterministic and keeps
 * its promises (every sequence ends in the jump to the end label, within
 * FUZZ_CODE_MAX; generated memory operands stay in the scratch page; a cut
 * keeps the first instructions and jumps to the end), and divergences are
 * matched against the documented list by mode, the first instruction after
 * which the machines differ, its operand and the differing fields.
 * Runs on: host.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/fuzz_expect.h"

static const struct fuzz_layout lay = {
	.code = 0x10f000, .end = 0x106da1, .scratch = 0x110000, .stack_top = 0x112c00,
	.tables = 0x114000, .cr3 = 0x116000,
};

START_TEST(test_deterministic)
{
	static struct fuzz_seq a, b, c;

	fuzz_generate(5, 1234, &lay, &a);
	fuzz_generate(5, 1234, &lay, &b);
	fuzz_generate(5, 1235, &lay, &c);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.code, b.code, a.len), 0);
	ck_assert_uint_eq(a.fill, b.fill);
	ck_assert(a.len != c.len || memcmp(a.code, c.code, a.len) != 0);
}
END_TEST

START_TEST(test_ends_in_jump)
{
	static struct fuzz_seq s;

	for (uint32_t k = 0; k < 3000; k++) {
		fuzz_generate(99, k, &lay, &s);
		ck_assert_uint_le(s.len, FUZZ_CODE_MAX);
		ck_assert_uint_ge(s.ninsn, 1);
		const struct fuzz_insn *end = &s.insn[s.ninsn - 1];
		ck_assert_uint_eq(end->kind, FUZZ_K_END);
		ck_assert_uint_eq(end->off + end->len, s.len);
		ck_assert_uint_eq(s.code[s.len - 5], 0xE9);
		int32_t rel;
		memcpy(&rel, &s.code[s.len - 4], 4);
		ck_assert_uint_eq(lay.code + s.len + (uint32_t)rel, lay.end);
		/* NOPs before it, no jump byte within 15 of where random bytes begin. */
		for (unsigned j = end->off; j + 5 < s.len; j++)
			ck_assert_uint_eq(s.code[j], 0x90);
		for (unsigned i = 0; i + 1 < s.ninsn; i++)
			if (s.insn[i].kind == FUZZ_K_RAW) {
				ck_assert_uint_ge(s.len - 5, s.insn[i].off + 15u);
				/* No 0x0F last, to make a two-byte opcode of what follows. */
				ck_assert_uint_ne(s.code[s.insn[i].off + s.insn[i].len - 1], 0x0F);
			}
		ck_assert_uint_eq(s.eflags & 0x00023000u, 0);	/* IOPL 0, VM 0 at the start */
		ck_assert_uint_eq(s.eflags & 2u, 2u);
	}
}
END_TEST

/* Every SGDT the generator writes (0F 01 /0, disp32) stores into the scratch page. */
START_TEST(test_sgdt_in_scratch)
{
	static struct fuzz_seq s;
	unsigned seen = 0;

	for (uint32_t k = 0; k < 3000; k++) {
		fuzz_generate(3, k, &lay, &s);
		for (unsigned i = 0; i < s.ninsn; i++) {
			const uint8_t *p = &s.code[s.insn[i].off];
			if (s.insn[i].kind != FUZZ_K_SGDT)
				continue;
			if (p[0] == 0x66)
				p++;
			ck_assert_uint_eq(p[0], 0x0F);
			ck_assert_uint_eq(p[1], 0x01);
			ck_assert_uint_eq(p[2], 0x05);
			uint32_t addr;
			memcpy(&addr, p + 3, 4);
			ck_assert_uint_ge(addr, lay.scratch);
			ck_assert_uint_le(addr + 6, lay.scratch + FUZZ_SCRATCH_SIZE);
			seen++;
		}
	}
	ck_assert_uint_gt(seen, 10);
}
END_TEST

START_TEST(test_parse)
{
	struct tv_fuzz_line l;
	struct fuzz_layout g;
	const char *s = "F 12 101 0 00200246 00000000 deadbeef 0badf00d";
	const char *t = "FUZZ-LAYOUT code=0x10f000 end=0x106da1 scratch=0x110000 stack=0x112c00 "
			"tables=0x114000 cr3=0x116000";

	ck_assert_int_eq(tv_fuzz_parse_line(s, strlen(s), &l), 0);
	ck_assert_uint_eq(l.k, 12);
	ck_assert_uint_eq(l.vector, TV_FUZZ_VEC_DONE);
	ck_assert_uint_eq(l.eflags, 0x200246);
	ck_assert_uint_eq(l.state, 0xdeadbeef);
	ck_assert_uint_eq(l.mem, 0x0badf00d);
	ck_assert_int_eq(tv_fuzz_parse_line("F 12 101", 8, &l), -1);
	ck_assert_int_eq(tv_fuzz_parse_line("FUZZ-END count=3", 16, &l), -1);
	ck_assert_int_eq(tv_fuzz_parse_layout(t, strlen(t), &g), 0);
	ck_assert_uint_eq(g.end, 0x106da1);
	ck_assert_uint_eq(g.cr3, 0x116000);
}
END_TEST

/* A sequence built by hand: instructions appended with their bytes, then the end jump. */
static void seq_start(struct fuzz_seq *s)
{
	memset(s, 0, sizeof(*s));
}

static void seq_add(struct fuzz_seq *s, unsigned kind, const uint8_t *bytes, unsigned len)
{
	s->insn[s->ninsn] = (struct fuzz_insn){ (uint16_t)s->len, (uint8_t)len, (uint8_t)kind };
	memcpy(s->code + s->len, bytes, len);
	s->len += len;
	s->ninsn++;
}

#define ADD(s, kind, ...) seq_add(s, kind, (const uint8_t[]){ __VA_ARGS__ }, \
				  sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void seq_end(struct fuzz_seq *s)
{
	ADD(s, FUZZ_K_END, 0xE9, 0, 0, 0, 0);
}

/* A one-instruction sequence of a kind, for the matcher. */
static void one_kind(struct fuzz_seq *s, unsigned kind)
{
	seq_start(s);
	ADD(s, kind, 0x90);
	seq_end(s);
}

#define NO_CUTS NULL, 0, NULL
#define WHOLE NULL	/* every item begins an instruction of the CPU */

START_TEST(test_expected)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode none = { 1, TV_FUZZ_PATCH_NONE, 0, NULL, 0, NULL };
	struct tv_fuzz_mode all_umip = { 1, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_line bare = { 1, TV_FUZZ_VEC_DONE, 0, 0x00000046, 0, 1, 2 };
	struct tv_fuzz_line virt = bare;
	const struct tv_fuzz_rule *r;

	/* Only IF differs at the end label: expected unpatched, not patched. */
	virt.eflags |= 0x200;
	one_kind(&s, FUZZ_K_ALU);
	r = tv_fuzz_expected(&none, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "end-pushf");
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* A register differs after an ALU alone: nothing explains it. */
	virt = bare;
	virt.state = 7;
	ck_assert_ptr_null(tv_fuzz_expected(&none, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* ...after SGDT it is the documented leak, but not with UMIP. */
	one_kind(&s, FUZZ_K_SGDT);
	r = tv_fuzz_expected(&none, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "store-sys");
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* Generated code is never patched: PUSHF stays silent under patch=all. */
	one_kind(&s, FUZZ_K_PUSHF);
	r = tv_fuzz_expected(&all_umip, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "pushf");

	/*
	 * LGDT after a LOCK prefix: bare QEMU's own deviation, the hypervisor's
	 * #UD at the prefix; without LOCK nothing explains it.
	 */
	struct tv_fuzz_mode laid = all_umip;
	laid.lay = &lay;
	seq_start(&s);
	ADD(&s, FUZZ_K_PREFIX, 0xF0);
	ADD(&s, FUZZ_K_LGDT, 0x0F, 0x01, 0x15, 0, 0, 0, 0);
	seq_end(&s);
	virt.vector = 6;
	virt.eip = lay.code;
	r = tv_fuzz_expected(&laid, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock");
	/* Only where the #UD is: not without the layout, not at another address, not another fault. */
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &bare, &virt, NO_CUTS));
	virt.eip = lay.code + 1 + 7;
	ck_assert_ptr_null(tv_fuzz_expected(&laid, &s, WHOLE, &bare, &virt, NO_CUTS));
	virt.eip = lay.code;
	virt.vector = 13;
	ck_assert_ptr_null(tv_fuzz_expected(&laid, &s, WHOLE, &bare, &virt, NO_CUTS));
	virt.vector = 6;
	s.code[0] = 0x66;
	ck_assert_ptr_null(tv_fuzz_expected(&laid, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* Equal lines are not a divergence to explain. */
	ck_assert_ptr_null(tv_fuzz_expected(&none, &s, WHOLE, &bare, &bare, NO_CUTS));
}
END_TEST

/*
 * The first difference decides: a PUSHF explains a divergence only when
 * the machines agree before it and differ right after it.
 */
START_TEST(test_first_divergence)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode all_umip = { 1, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_line same = { 1, TV_FUZZ_VEC_DONE, 0, 0x00000046, 0, 1, 2 };
	struct tv_fuzz_line other = same;
	struct tv_fuzz_cut cut = { 0 };
	uint32_t want[TV_FUZZ_CUTS_MAX];
	const struct tv_fuzz_rule *r;
	int first;

	other.mem = 3;

	/* PUSHF, then an ALU, then the end: the cut after PUSHF (1) is the one to run. */
	seq_start(&s);
	ADD(&s, FUZZ_K_PUSHF, 0x9C);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	seq_end(&s);
	ck_assert_uint_eq(tv_fuzz_cuts_needed(&all_umip, &s, WHOLE, &same, &other, want), 1);
	ck_assert_uint_eq(want[0], 1);

	/* After the PUSHF the machines already differ: it is the first difference. */
	cut = (struct tv_fuzz_cut){ 1, 1, same, other };
	r = tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, &first);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "pushf");
	ck_assert_int_eq(first, 0);

	/* Equal after the PUSHF: the ALU made the difference, which no row explains. */
	cut = (struct tv_fuzz_cut){ 1, 1, same, same };
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, &first));
	ck_assert_int_eq(first, -1);

	/* A cut run that did not finish, or was not run, explains nothing. */
	cut = (struct tv_fuzz_cut){ 1, 0, same, other };
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, NULL));
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, NULL, 0, NULL));

	/* ALU, PUSHF: the cut before the PUSHF must be equal; a difference already there is unexplained. */
	seq_start(&s);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	ADD(&s, FUZZ_K_PUSHF, 0x9C);
	seq_end(&s);
	ck_assert_uint_eq(tv_fuzz_cuts_needed(&all_umip, &s, WHOLE, &same, &other, want), 1);
	ck_assert_uint_eq(want[0], 1);
	cut = (struct tv_fuzz_cut){ 1, 1, same, other };
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, NULL));
	cut = (struct tv_fuzz_cut){ 1, 1, same, same };
	r = tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, &first);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(first, 1);
	/* RF alone on the cut before it is bare QEMU's (qemu-rf): still the PUSHF's; TF is not. */
	cut.virt.eflags ^= 0x10000;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, NULL));
	cut.virt.eflags ^= 0x10000 | 0x100;
	ck_assert_ptr_null(tv_fuzz_expected(&all_umip, &s, WHOLE, &same, &other, &cut, 1, NULL));

	/*
	 * A prefix and a set-up belong to their instruction: the cut before
	 * LOCK LGDT is before the LOCK (where the hypervisor's #UD is).
	 */
	struct tv_fuzz_mode laid = all_umip;
	struct tv_fuzz_line ud = other;
	laid.lay = &lay;
	ud.vector = 6;
	ud.eip = lay.code + 7;
	seq_start(&s);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0, 0, 0, 0);
	ADD(&s, FUZZ_K_PREFIX, 0xF0);
	ADD(&s, FUZZ_K_LGDT, 0x0F, 0x01, 0x15, 0, 0, 0, 0);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	seq_end(&s);
	ck_assert_uint_eq(tv_fuzz_cuts_needed(&laid, &s, WHOLE, &same, &ud, want), 2);
	ck_assert_uint_eq(want[0], 1);
	ck_assert_uint_eq(want[1], 4);
}
END_TEST

/*
 * Random bytes that end inside the next items run with them as one
 * instruction: the unit is cut only as a whole, and its bytes are read to
 * its end (here a PUSH SS the CPU finds in an IRET frame's immediate).
 */
START_TEST(test_merged_items)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode all_umip = { 1, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_line bare = { 1, 14, 0, 0x000006c2, 0x11000f, 1, 2 };
	struct tv_fuzz_line virt = bare;
	const uint8_t sync[] = { 1, 0, 0, 0, 1 };
	uint32_t want[TV_FUZZ_CUTS_MAX];
	const struct tv_fuzz_rule *r;

	virt.mem = 3;
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0xB4, 0xC5, 0xBE, 0x91, 0xD0);	/* mov ah, 0xc5; mov esi, 0x6806d091 */
	ADD(&s, FUZZ_K_PUSH_SREG, 0x06);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x16, 0x38, 0x39, 0x00);	/* push ss; cmp [ecx], bh; ... */
	ADD(&s, FUZZ_K_IRET, 0xCF);
	seq_end(&s);
	/* One unit from the first byte to the end jump: no cut to run, the whole lines decide. */
	ck_assert_uint_eq(tv_fuzz_cuts_needed(&all_umip, &s, sync, &bare, &virt, want), 0);
	r = tv_fuzz_expected(&all_umip, &s, sync, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-silent");
	/* Taken item by item, the PUSH ES would need its own cuts. */
	ck_assert_uint_gt(tv_fuzz_cuts_needed(&all_umip, &s, WHOLE, &bare, &virt, want), 0);
}
END_TEST

/* The rows that read the instruction's operand, from the set-up before it. */
START_TEST(test_operand_rows)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_mode ring3 = { 3, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_line bare = { 1, 13, 0x10, 0x00000046, 0x10f00a, 1, 2 };
	struct tv_fuzz_line virt = { 1, TV_FUZZ_VEC_DONE, 0, 0x00000046, 0, 3, 2 };
	const struct tv_fuzz_rule *r;

	/* push 0x11; pop gs: docs/guest-contract.md's DPL-0 selector with RPL 1 (F6). */
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x11, 0, 0, 0);
	ADD(&s, FUZZ_K_POP_SREG, 0x0F, 0xA9);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "sreg-rpl");
	/* RPL 3 is refused at ring 1 too (the shadow's DPL is 1), but loads at ring 3. */
	s.code[1] = 0x13;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* RPL 0 is the guest kernel's own: no difference to explain. */
	s.code[1] = 0x10;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* The user code selector: #NP under the hypervisor. */
	s.code[1] = FUZZ_SEL_CODE3;
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "sreg-user-code");
	/* POP SS with the real ring's RPL does not trap either (it loads, or is #SS). */
	s.code[1] = 0x11;
	s.code[5] = 0x17;
	s.insn[1].len = 1;
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "sreg-rpl");
	/* With RPL 0 it traps and is emulated as ring 0 would check it: nothing to explain. */
	s.code[1] = 0x10;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* push 1; pop ds: a null selector with RPL 1, read back as 0 after the next trap. */
	s.code[1] = 0x01;
	s.code[5] = 0x1F;
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "null-rpl-ds-es");

	/* IRET to CS 0x59 (DPL-1 code, RPL 1): the guest's ring 1 runs as ring 0 (F13). */
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x59, 0, 0, 0);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x00, 0xF0, 0x10, 0);
	ADD(&s, FUZZ_K_RETF, 0xCB);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "ring1-return");
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* mov eax, 0xa02; mov cr4, eax: PVI, refused (F9); without VME and PVI nothing explains it. */
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0xB8, 0x02, 0x0A, 0, 0);
	ADD(&s, FUZZ_K_MOVCR_WRITE, 0x0F, 0x22, 0xE0);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "cr4-vme");
	s.code[1] = 0x00;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* LGDT of the short GDT (the tables' second pseudo-descriptor), not of the installed one. */
	ring1.lay = &lay;
	seq_start(&s);
	ADD(&s, FUZZ_K_LGDT, 0x0F, 0x01, 0x15, 0x08, 0x40, 0x11, 0x00);	/* tables + 8 */
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "gdt-shrunk");
	s.code[3] = 0x00;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* RETF to CS 0x0b (the kernel's code, RPL 3): goes through with the kernel in ring 3 only. */
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x0B, 0, 0, 0);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x00, 0xF0, 0x10, 0);
	ADD(&s, FUZZ_K_RETF, 0xCB);
	seq_end(&s);
	r = tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "ring3-return-rpl3");
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));

	/*
	 * RETF to CS 0x3b (the conforming code, RPL 3): with the kernel in ring
	 * 3 a return to the same ring, SS not popped (seed 2027, 3406); in ring
	 * 1 the documented stop comes instead.
	 */
	s.code[1] = FUZZ_SEL_CONFORM | 3;
	r = tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "ring3-return-rpl3");
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* With RPL 0 the hypervisor carries the return out: nothing to explain. */
	s.code[1] = FUZZ_SEL_CONFORM;
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* jmp 0x20:x, the user code selector, from the kernel: #NP under the hypervisor. */
	seq_start(&s);
	ADD(&s, FUZZ_K_FARJMP, 0xEA, 0x07, 0x00, 0x11, 0x00, 0x20, 0x00);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "user-code-far");
	s.code[5] = 0x08;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* #GP whose error codes differ in EXT alone: bare QEMU's; in another bit, nothing explains it. */
	{
		struct tv_fuzz_line gp_bare = { 1, 13, 0x102, 0x46, 0x10f000, 1, 2 };
		struct tv_fuzz_line gp_virt = { 1, 13, 0x103, 0x46, 0x10f000, 1, 2 };
		r = tv_fuzz_expected(&ring1, &s, WHOLE, &gp_bare, &gp_virt, NO_CUTS);
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(r->id, "qemu-ext");
		gp_virt.error = 0x10A;
		ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &gp_bare, &gp_virt, NO_CUTS));
	}

	/* Random bytes with a PUSH SS in them; without one, nothing. */
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0xB4, 0xC5, 0x16);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-silent");
	s.code[2] = 0x90;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
}
END_TEST

/* fuzz_cut keeps the first n instructions and jumps to the end label where the next began. */
START_TEST(test_cut)
{
	static struct fuzz_seq s, whole;

	for (uint32_t k = 0; k < 300; k++) {
		fuzz_generate(17, k, &lay, &whole);
		for (unsigned n = 0; n < whole.ninsn; n++) {
			s = whole;
			fuzz_cut(&s, n, &lay);
			if (n + 1 >= whole.ninsn) {
				ck_assert_uint_eq(s.len, whole.len);
				ck_assert_int_eq(memcmp(s.code, whole.code, s.len), 0);
				continue;
			}
			ck_assert_uint_eq(s.ninsn, n + 1);
			ck_assert_uint_eq(s.len, whole.insn[n].off + 5u);
			ck_assert_int_eq(memcmp(s.code, whole.code, whole.insn[n].off), 0);
			ck_assert_uint_eq(s.insn[n].kind, FUZZ_K_END);
			ck_assert_uint_eq(s.code[whole.insn[n].off], 0xE9);
			int32_t rel;
			memcpy(&rel, &s.code[whole.insn[n].off + 1], 4);
			ck_assert_uint_eq(lay.code + s.len + (uint32_t)rel, lay.end);
		}
	}
}
END_TEST

/*
 * A RETF into the middle of a later item runs bytes that are no item: at
 * a 0x16 there (PUSH SS) the real RPL is stored (seed 2027, sequence 778);
 * no cut can end those bytes, so the whole result is blamed on the RETF.
 */
START_TEST(test_return_into_silent)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	struct tv_fuzz_mode ring3 = { 3, TV_FUZZ_PATCH_INLINE, 1, &lay, 0, NULL };
	struct tv_fuzz_mode no_layout = { 1, TV_FUZZ_PATCH_ALL, 1, NULL, 0, NULL };
	struct tv_fuzz_line bare = { 778, 14, 0, 0x200482, lay.code + 0x13, 5, 0xbaefa8a1 };
	struct tv_fuzz_line virt = { 778, 14, 0, 0x200482, lay.code + 0x13, 5, 0x943aa300 };
	uint32_t eip = lay.code + 13;
	const struct tv_fuzz_rule *r;

	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x08, 0, 0, 0);
	ADD(&s, FUZZ_K_SETUP, 0x68, eip & 0xFF, (eip >> 8) & 0xFF, (eip >> 16) & 0xFF, eip >> 24);
	ADD(&s, FUZZ_K_RETF, 0xCB);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x57, 0x16, 0x3D, 0x00);	/* byte 13: 0x16 */
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x08, 0, 0, 0);
	ADD(&s, FUZZ_K_IRET, 0xCF);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "return-into-silent");
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* Where the sequence's instructions are is needed to say where the RETF goes. */
	ck_assert_ptr_null(tv_fuzz_expected(&no_layout, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* Segment prefixes before it are read with it. */
	s.code[12] = 0x2E;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	s.code[12] = 0x57;
	/* A byte there that is no silent instruction: nothing explains the difference. */
	s.code[13] = 0x90;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	s.code[13] = 0x16;
	/* A return to an item's first byte runs the sequence's own instructions. */
	s.code[6] = (uint8_t)(eip - 2);
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* Past the sequence's bytes: the INT3 fill. */
	s.code[6] = (uint8_t)(lay.code + s.len);
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
}
END_TEST

/* Seed 2027: far JMP to the DPL-1 code (268), LTR of a null selector (1453). */
START_TEST(test_ring1_code_and_ltr_null)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	struct tv_fuzz_line bare = { 268, 13, 0x58, 0x200a47, lay.code, 1, 2 };
	struct tv_fuzz_line virt = { 268, 13, 0, 0x200a47, lay.code + 0x25, 3, 4 };
	const struct tv_fuzz_rule *r;

	seq_start(&s);
	ADD(&s, FUZZ_K_FARJMP, 0xEA, 0x10, 0xF0, 0x10, 0x00, FUZZ_SEL_CODE1, 0x00);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "far-ring1-code");
	s.code[5] = FUZZ_SEL_CODE1 | 1;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));
	/* The kernel's own code: nothing to explain. */
	s.code[5] = FUZZ_SEL_CODE0;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NO_CUTS));

	/* mov edi, 1; ltr di: #GP(0) under the hypervisor, as the SDM says; bare QEMU loads it. */
	struct tv_fuzz_line b2 = { 1453, 3, 0, 0x40817, lay.code + 9, 5, 6 };
	struct tv_fuzz_line v2 = { 1453, 13, 0, 0x40817, lay.code + 5, 5, 6 };
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0xBF, 0x01, 0, 0, 0);
	ADD(&s, FUZZ_K_LTR, 0x0F, 0x00, 0xDF);
	ADD(&s, FUZZ_K_INT3, 0xCC);
	seq_end(&s);
	/* Cut after the LTR: the bare machine goes on to the end, the hypervisor has its #GP. */
	struct tv_fuzz_cut after = { 2, 1, { 1453, TV_FUZZ_VEC_DONE, 0, 0x40817, 0, 5, 6 }, v2 };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, &after, 1, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-ltr-null");
	/* The TSS's own selector is no null one. */
	s.code[1] = FUZZ_SEL_TSS;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, &after, 1, NULL));
}
END_TEST

/*
 * Seed 2027: LOCK met in random bytes (32222: F0 FA, LOCK CLI, in ring 1;
 * 33146: LOCK CALL FAR), LOCK before a generated far JMP (67004), a far
 * JMP to the kernel's code with RPL 1 (33184), POP SS of the DPL-1 data
 * selector with RPL 1 in ring 1 (33435) and of the DPL-3 one with RPL 3 in
 * ring 3 (30470), and a fault at RCR with a memory operand (31291).
 */
START_TEST(test_campaign_5_rows)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	struct tv_fuzz_mode ring3 = { 3, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	const struct tv_fuzz_rule *r;

	/* nop; lock cli (in random bytes); the bare machine goes on to the end. */
	struct tv_fuzz_line b1 = { 32222, TV_FUZZ_VEC_DONE, 0, 0x240486, 0, 1, 2 };
	struct tv_fuzz_line v1 = { 32222, 6, 0, 0x240486, lay.code + 1, 3, 2 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x90, 0xF0, 0xFA);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock-raw");
	/* The same bytes without LOCK: nothing explains a #UD there. */
	s.code[1] = 0x3E;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, NO_CUTS));
	s.code[1] = 0xF0;
	/* A #UD outside these bytes (at the end jump after them) is not theirs. */
	v1.eip = lay.code + 3;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, NO_CUTS));
	/* Both machines' #UD at the same place: no LOCK difference. */
	v1.eip = lay.code + 1;
	b1.vector = 6;
	b1.eip = v1.eip;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, NO_CUTS));

	/* fs lock o16 jmp far 0x11:0x1018: bare #GP(0x10), the hypervisor #UD at the prefixes. */
	struct tv_fuzz_line b2 = { 67004, 13, 0x10, 0x2006d3, lay.code, 1, 2 };
	struct tv_fuzz_line v2 = { 67004, 6, 0, 0x2006d3, lay.code, 3, 2 };
	seq_start(&s);
	ADD(&s, FUZZ_K_PREFIX, 0x64, 0xF0, 0x66);
	ADD(&s, FUZZ_K_FARJMP, 0xEA, 0x18, 0x10, 0x11, 0x00);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock");
	s.code[1] = 0x2E;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, NO_CUTS));

	/* jmp 9:x, the kernel's code with RPL 1: bare #GP(8), goes through in ring 1 and 3. */
	struct tv_fuzz_line b3 = { 33184, 13, 8, 0x240456, lay.code, 1, 2 };
	struct tv_fuzz_line v3 = { 33184, TV_FUZZ_VEC_DONE, 0, 0x240456, 0, 3, 4 };
	seq_start(&s);
	ADD(&s, FUZZ_K_FARJMP, 0xEA, 0x07, 0xF0, 0x10, 0x00, FUZZ_SEL_CODE0 | 1, 0x00);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b3, &v3, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "far-rpl");
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &b3, &v3, NO_CUTS));
	/* RPL 3 is above the real ring in ring 1 (the CPU refuses it too); RPL 0 is the kernel's own. */
	s.code[5] = FUZZ_SEL_CODE0 | 3;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b3, &v3, NO_CUTS));
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &b3, &v3, NO_CUTS));
	s.code[5] = FUZZ_SEL_CODE0;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b3, &v3, NO_CUTS));
	/* Conforming code checks no RPL: not this row. */
	s.code[5] = FUZZ_SEL_CONFORM | 1;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b3, &v3, NO_CUTS));

	/* push 0x61; pop ss in ring 1: bare #GP(0x60), loads under the hypervisor. */
	struct tv_fuzz_line b4 = { 33435, 13, 0x60, 0x40693, lay.code + 5, 1, 2 };
	struct tv_fuzz_line v4 = { 33435, TV_FUZZ_VEC_DONE, 0, 0x40693, 0, 3, 4 };
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, FUZZ_SEL_DATA1 | 1, 0, 0, 0);
	ADD(&s, FUZZ_K_POP_SREG, 0x17);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "sreg-rpl");
	/* RPL 0 traps and is checked as the bare CPU would (hv/emulate_segments.c). */
	s.code[1] = FUZZ_SEL_DATA1;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS));
	/* The DPL-3 data segment with RPL 3: loads in ring 3 only (its shadow's DPL 3 is the ring). */
	s.code[1] = FUZZ_SEL_DATA3 | 3;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &b4, &v4, NO_CUTS));
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS));
	/* Read-only data is refused as a stack on both machines: nothing to explain. */
	s.code[1] = FUZZ_SEL_RODATA | 1;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS));

	/* inc ebp; rcr byte [edx + d32], cl: #PF on both, PF in the frame differs. */
	struct tv_fuzz_line b5 = { 31291, 14, 0, 0x40486, lay.code + 1, 5, 6 };
	struct tv_fuzz_line v5 = { 31291, 14, 0, 0x40482, lay.code + 1, 5, 6 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x45, 0xD2, 0x9A, 0xBD, 0xE9, 0x83, 0x61);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-rotate-carry");
	/* Not for ROR (reg 1), nor for the register form, which has no memory access to fault. */
	s.code[2] = 0x8A;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, NO_CUTS));
	s.code[2] = 0xDA;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, NO_CUTS));
	s.code[2] = 0x9A;
	/* The machines differing before these bytes: not theirs. */
	seq_start(&s);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	ADD(&s, FUZZ_K_RAW, 0x45, 0xD2, 0x9A, 0xBD, 0xE9, 0x83, 0x61);
	seq_end(&s);
	struct tv_fuzz_cut before = { 1, 1, b5, v5 };
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, &before, 1, NULL));
	before.virt = b5;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, &before, 1, NULL));

	/* in eax, 0x6b met in random bytes (69902): the absent port, as raw-silent reads it. */
	struct tv_fuzz_line b6 = { 69902, TV_FUZZ_VEC_DONE, 0, 0x241402, 0, 1, 2 };
	struct tv_fuzz_line v6 = { 69902, TV_FUZZ_VEC_DONE, 0, 0x241402, 0, 3, 2 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0xE5, 0x6B);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b6, &v6, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-silent");
	s.code[0] = 0xE7;	/* OUT: nothing read */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b6, &v6, NO_CUTS));

	/* adc; cmpxchg8b; ...: the bare machine's frame keeps EFLAGS bit 3, which a trap clears (35334). */
	struct tv_fuzz_line b7 = { 35334, 14, 2, 0x4020e, lay.code + 0x16, 5, 6 };
	struct tv_fuzz_line v7 = { 35334, 14, 2, 0x40206, lay.code + 0x16, 5, 6 };
	seq_start(&s);
	ADD(&s, FUZZ_K_CMPXCHG8B, 0x0F, 0xC7, 0x0D, 0x34, 0x23, 0x11, 0x00);
	ADD(&s, FUZZ_K_STI, 0xFB);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b7, &v7, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-cmpxchg8b-reserved");
	/* A difference in a flag a CPU can hold (CF) is not this row's, nor is one without CMPXCHG8B. */
	v7.eflags = 0x4020f;
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b7, &v7, NO_CUTS);
	ck_assert(r == NULL || strcmp(r->id, "qemu-cmpxchg8b-reserved") != 0);
	v7.eflags = 0x40206;
	s.code[1] = 0x90;
	s.insn[0].kind = FUZZ_K_ALU;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b7, &v7, NO_CUTS));

	/* mov edi, 0x400144; mov cr4, edi (79151): PKE; the hypervisor's #GP(0) there, bare accepts it. */
	struct tv_fuzz_line b8 = { 79151, TV_FUZZ_VEC_DONE, 0, 0x42602, 0, 1, 2 };
	struct tv_fuzz_line v8 = { 79151, 13, 0, 0x217, lay.code + 5, 3, 4 };
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0xBF, 0x44, 0x01, 0x40, 0x00);
	ADD(&s, FUZZ_K_MOVCR_WRITE, 0x0F, 0x22, 0xE7);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b8, &v8, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "cr4-unoffered");
	/* Only the offered bits: nothing explains a #GP there; nor a #GP elsewhere. */
	s.code[3] = 0x00;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b8, &v8, NO_CUTS));
	s.code[3] = 0x40;
	v8.eip = lay.code;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b8, &v8, NO_CUTS));
	v8.eip = lay.code + 5;
	/* To CR0 (reg 0): not this row. */
	s.code[7] = 0xC7;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b8, &v8, NO_CUTS));

	/* push ecx; pop ds in random bytes, ECX 0x0b, in ring 3 (39042): bare #GP(8), loads here. */
	struct tv_fuzz_line b10 = { 39042, 13, 8, 0x40206, lay.code + 1, 1, 2 };
	struct tv_fuzz_line v10 = { 39042, 14, 0, 0x40206, lay.code + 2, 3, 4 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x51, 0x1F, 0x90);
	seq_end(&s);
	r = tv_fuzz_expected(&ring3, &s, WHOLE, &b10, &v10, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-sreg-rpl");
	/* In ring 1 the DPL-0 code passes only with RPL 1, but so it may: also explained. */
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring1, &s, WHOLE, &b10, &v10, NO_CUTS));
	/* The DPL-1 code (0x58) in ring 1: no RPL passes under the hypervisor that fails bare. */
	b10.error = FUZZ_SEL_CODE1;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b10, &v10, NO_CUTS));
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &b10, &v10, NO_CUTS));
	b10.error = 8;
	/* Not at a segment load (PUSH), nor with the same #GP under the hypervisor. */
	b10.eip = lay.code;
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &b10, &v10, NO_CUTS));
	b10.eip = lay.code + 1;
	v10 = b10;
	v10.state = 9;
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &b10, &v10, NO_CUTS));

	/* lcall 0x21:x in random bytes, ring 3 (80312): bare #GP(0x20), the hypervisor #NP(0x20). */
	struct tv_fuzz_line b11 = { 80312, 13, 0x20, 0x82, lay.code + 1, 5, 6 };
	struct tv_fuzz_line v11 = { 80312, 11, 0x20, 0x82, lay.code + 1, 5, 6 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x90, 0x9A, 0x5B, 0x68, 0x43, 0x1A, 0x21, 0x00);
	seq_end(&s);
	r = tv_fuzz_expected(&ring3, &s, WHOLE, &b11, &v11, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-user-code");
	/* #NP for another selector, or at an address past these bytes: not this row. */
	v11.error = FUZZ_SEL_NOTPRESENT;
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &b11, &v11, NO_CUTS));
	v11.error = 0x20;
	v11.eip = lay.code + 8;
	ck_assert_ptr_null(tv_fuzz_expected(&ring3, &s, WHOLE, &b11, &v11, NO_CUTS));

	/* mov gs, edx reached by a RETF past its set-up (51401): the hypervisor's #NP(0x20) at it. */
	struct tv_fuzz_line b12 = { 51401, TV_FUZZ_VEC_DONE, 0, 0x240e17, 0, 1, 2 };
	struct tv_fuzz_line v12 = { 51401, 11, 0x20, 0x240e16, lay.code + 5, 3, 2 };
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0xBA, 0x58, 0, 0, 0);
	ADD(&s, FUZZ_K_MOV_TO_SREG, 0x8E, 0xEA);
	seq_end(&s);
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b12, &v12, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "sreg-user-code");
	/* The hypervisor's #NP elsewhere: the set-up's 0x58 explains nothing. */
	v12.eip = lay.code;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b12, &v12, NO_CUTS));

	/* LOCK at the end of random bytes, then a generated STR (34723): the hypervisor's #UD there. */
	struct tv_fuzz_line b9 = { 34723, TV_FUZZ_VEC_DONE, 0, 0x201002, 0, 1, 2 };
	struct tv_fuzz_line v9 = { 34723, 6, 0, 0x40482, lay.code + 2, 3, 4 };
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x0C, 0x98, 0xF0);
	ADD(&s, FUZZ_K_STR, 0x0F, 0x00, 0x0D, 0xD4, 0x26, 0x11, 0x00);
	seq_end(&s);
	struct tv_fuzz_cut after_raw = { 1, 1, b9, b9 };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b9, &v9, &after_raw, 1, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock");
	/* The #UD one byte on, where no LOCK prefix run leads to the STR: not explained. */
	v9.eip = lay.code + 3;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b9, &v9, &after_raw, 1, NULL));
	/* lock; o16 str bp (18085): the STR item's own 66 is part of the run. */
	seq_start(&s);
	ADD(&s, FUZZ_K_PREFIX, 0xF0);
	ADD(&s, FUZZ_K_STR, 0x66, 0x0F, 0x00, 0xCD);
	seq_end(&s);
	v9.eip = lay.code;
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b9, &v9, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-lock");
}
END_TEST

/* A stand-in for the host's decoder: the few instructions the rows below follow. */
static unsigned test_insn_len(const uint8_t *code, unsigned len, uint32_t addr)
{
	(void)addr;
	if (len >= 2 && code[0] == 0xB7)
		return 2;	/* mov bh, imm8 */
	if (code[0] == 0x16 || code[0] == 0x90 || code[0] == 0x50 || code[0] == 0x07 ||
	    code[0] == 0x5B)
		return 1;	/* push ss; nop; push eax; pop es; pop ebx */
	if (len >= 2 && code[0] == 0x8E)
		return 2;	/* mov sreg, r32 */
	if (len >= 3 && code[0] == 0x82)
		return 3;	/* sbb r/m8, imm8 */
	if (len >= 7 && code[0] == 0x9A)
		return 7;	/* call ptr16:32 */
	return 0;
}

/* IRET to the next item with TF (and IF) in its image: EFLAGS, CS 8, EIP set up before it. */
static void iret_with_tf(struct fuzz_seq *s, uint32_t eip)
{
	ADD(s, FUZZ_K_SETUP, 0x68, 0x02, 0x03, 0, 0);	/* TF, IF */
	ADD(s, FUZZ_K_SETUP, 0x68, 0x08, 0, 0, 0);
	ADD(s, FUZZ_K_SETUP, 0x68, eip & 0xFF, (eip >> 8) & 0xFF, (eip >> 16) & 0xFF, eip >> 24);
	ADD(s, FUZZ_K_IRET, 0xCF);
}

/*
 * Seed 2027's last unexplained divergences of 10^5 per mode: a single-
 * stepped HLT (34735), an STI single-stepped in random bytes (99092), a
 * null selector with an RPL loaded into ES or DS by random bytes (58342,
 * 98276), a far JMP (97012) and an IRET (94457) into the middle of an item
 * where the CPU then reads a port or pushes SS.
 */
START_TEST(test_campaign_100k_rows)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	struct tv_fuzz_mode ring3 = { 3, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	const struct tv_fuzz_rule *r;
	int first;

	/* iret (TF) to sti; hlt; nop: bare QEMU's #DB after the tick, the hypervisor's after HLT. */
	seq_start(&s);
	iret_with_tf(&s, lay.code + 16);
	ADD(&s, FUZZ_K_STI, 0xFB);
	ADD(&s, FUZZ_K_HLT, 0xF4);
	ADD(&s, FUZZ_K_ALU, 0x90);
	seq_end(&s);
	struct tv_fuzz_line b1 = { 34735, 1, 0, 0x41b17, lay.code + 19, 1, 2 };
	struct tv_fuzz_line v1 = { 34735, 1, 0, 0x41b17, lay.code + 18, 1, 3 };
	struct tv_fuzz_line at_end = { 34735, 1, 0, 0x41b17, lay.end, 1, 3 };
	struct tv_fuzz_cut c1[] = { { 4, 1, at_end, at_end }, { 5, 1, at_end, at_end },
				    { 6, 1, b1, v1 } };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, c1, 3, &first);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-hlt-step");
	ck_assert_int_eq(first, 5);
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring3, &s, WHOLE, &b1, &v1, c1, 3, NULL));
	/* The hypervisor's #DB anywhere but right after the HLT, or no single step: not this row. */
	v1.eip = lay.code + 19;
	b1.eip = lay.code + 20;
	c1[2].bare = b1;
	c1[2].virt = v1;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, c1, 3, NULL));
	v1.eip = lay.code + 18;
	c1[2].virt = v1;
	s.code[2] = 0x02;	/* the IRET's image without TF */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b1, &v1, c1, 3, NULL));

	/* iret (TF) to the random bytes sti; cmc; nop (99092): bare QEMU's #DB after the CMC. */
	seq_start(&s);
	iret_with_tf(&s, lay.code + 16);
	ADD(&s, FUZZ_K_RAW, 0xFB, 0xF5, 0x90);
	seq_end(&s);
	struct tv_fuzz_line b2 = { 99092, 1, 0, 0x201f13, lay.code + 18, 1, 2 };
	struct tv_fuzz_line v2 = { 99092, 1, 0, 0x201f12, lay.code + 17, 1, 2 };
	struct tv_fuzz_cut c2[] = { { 4, 1, at_end, at_end } };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, c2, 1, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-sti-step-raw");
	/* The hypervisor's #DB after the CMC instead: no STI right before it. */
	v2.eip = lay.code + 18;
	b2.eip = lay.code + 19;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b2, &v2, c2, 1, NULL));

	/* push eax; sbb dh, 0x95; pop es in random bytes, EAX 1 (58342): the state alone differs. */
	struct tv_fuzz_mode decoding = ring1, decoding3 = ring3;
	decoding.insn_len = test_insn_len;
	decoding3.insn_len = test_insn_len;
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x50, 0x82, 0xDE, 0x95, 0x07);
	seq_end(&s);
	struct tv_fuzz_line b3 = { 58342, 6, 0, 0x4617, lay.code + 3, 0x73577387, 2 };
	struct tv_fuzz_line v3 = { 58342, 6, 0, 0x4617, lay.code + 3, 0xac911b36, 2 };
	r = tv_fuzz_expected(&decoding, &s, WHOLE, &b3, &v3, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-null-rpl-ds-es");
	ck_assert_ptr_nonnull(tv_fuzz_expected(&decoding3, &s, WHOLE, &b3, &v3, NO_CUTS));
	/* Without the decoder, nothing says where the CPU's instructions begin. */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b3, &v3, NO_CUTS));
	/* More than the state differs (a fault, memory): not this row. */
	v3.mem = 9;
	ck_assert_ptr_null(tv_fuzz_expected(&decoding, &s, WHOLE, &b3, &v3, NO_CUTS));
	v3.mem = 2;
	/* An 07 inside another instruction (sbb dh, 0x07; pop ebx): not a load of ES. */
	s.code[3] = 0x07;
	s.code[4] = 0x5B;
	ck_assert_ptr_null(tv_fuzz_expected(&decoding, &s, WHOLE, &b3, &v3, NO_CUTS));
	/* mov ds, edx (98276) is one. */
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x8E, 0xDA);
	seq_end(&s);
	ck_assert_ptr_nonnull(tv_fuzz_expected(&decoding, &s, WHOLE, &b3, &v3, NO_CUTS));

	/* jmp far 8:x, x inside the next item at ED, IN EAX, DX (97012). */
	uint32_t x = lay.code + 7 + 3;
	seq_start(&s);
	ADD(&s, FUZZ_K_FARJMP, 0xEA, x & 0xFF, (x >> 8) & 0xFF, (x >> 16) & 0xFF, x >> 24, 0x08, 0);
	ADD(&s, FUZZ_K_SETUP, 0xBD, 0x4F, 0x00, 0xED, 0x22);	/* byte 10: ED */
	seq_end(&s);
	struct tv_fuzz_line b4 = { 97012, TV_FUZZ_VEC_DONE, 0, 0x240e57, 0, 0x0c6e3d5c, 2 };
	struct tv_fuzz_line v4 = { 97012, TV_FUZZ_VEC_DONE, 0, 0x240e57, 0, 0xa5a26578, 2 };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "return-into-silent");
	/* To the item's first byte, or at a byte that is no port read: nothing explains it. */
	s.code[1] = (uint8_t)(lay.code + 7);
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS));
	s.code[1] = (uint8_t)x;
	s.code[10] = 0x91;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b4, &v4, NO_CUTS));

	/*
	 * iret to the B7 of mov eax, 0x3316acb7 (94457): the CPU runs mov bh,
	 * 0xac, then push ss, then an instruction that ends at the next item.
	 */
	seq_start(&s);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x02, 0x02, 0, 0);
	ADD(&s, FUZZ_K_SETUP, 0x68, 0x08, 0, 0, 0);
	ADD(&s, FUZZ_K_SETUP, 0x68, (lay.code + 17) & 0xFF, ((lay.code + 17) >> 8) & 0xFF,
	    ((lay.code + 17) >> 16) & 0xFF, (lay.code + 17) >> 24);
	ADD(&s, FUZZ_K_IRET, 0xCF);
	ADD(&s, FUZZ_K_SETUP, 0xB8, 0xB7, 0xAC, 0x16, 0x33);	/* bytes 16 to 20 */
	ADD(&s, FUZZ_K_SETUP, 0xBA, 0xFC, 0x02, 0x00, 0x00);
	ADD(&s, FUZZ_K_OUT, 0xEF);
	seq_end(&s);
	struct tv_fuzz_line b5 = { 94457, 14, 0, 0x13a46, lay.code + 20, 5, 0xd26ba7f1 };
	struct tv_fuzz_line v5 = { 94457, 14, 0, 0x13a46, lay.code + 20, 5, 0x8f519aa4 };
	r = tv_fuzz_expected(&decoding, &s, WHOLE, &b5, &v5, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "return-into-silent");
	/* Without the decoder only the first instruction there counts: MOV BH is none of them. */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b5, &v5, NO_CUTS));
	/* A NOP where the PUSH SS was: nothing silent before the bytes end undecoded. */
	s.code[19] = 0x90;
	ck_assert_ptr_null(tv_fuzz_expected(&decoding, &s, WHOLE, &b5, &v5, NO_CUTS));
	/* Back at an item's first byte before the PUSH SS: the cuts judge the rest. */
	s.code[19] = 0x16;
	s.code[17] = 0x90;
	s.code[18] = 0x90;
	s.insn[5].off = 19;	/* as if an item began at the PUSH SS */
	ck_assert_ptr_null(tv_fuzz_expected(&decoding, &s, WHOLE, &b5, &v5, NO_CUTS));

	/*
	 * The random bytes' last byte D2, then the end jump's NOPs, which the
	 * CPU reads as the rotate's ModRM and displacement (103350): the #PF
	 * frame's flags differ, QEMU's rotate quirk.
	 */
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x3C, 0x89, 0xD2);
	seq_end(&s);
	memmove(s.code + s.len - 5 + 12, s.code + s.len - 5, 5);
	memset(s.code + s.len - 5, 0x90, 12);	/* the NOPs before the end jump */
	s.insn[1].off = (uint16_t)(s.len - 5 + 12);
	s.len += 12;
	struct tv_fuzz_line b6 = { 103350, 14, 0, 0x240606, lay.code + 2, 1, 2 };
	struct tv_fuzz_line v6 = { 103350, 14, 0, 0x240e83, lay.code + 2, 1, 2 };
	r = tv_fuzz_expected(&ring1, &s, WHOLE, &b6, &v6, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "qemu-rotate-carry");
	/* D2 with ModRM reg 4 (SHL): no RCL or RCR, nothing explains it. */
	s.code[3] = 0xA0;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b6, &v6, NO_CUTS));

	/* lcall 8:x in random bytes (108925): CS pushed with the real RPL, memory differs. */
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x9A, 0x51, 0x5D, 0xB1, 0x68, 0x08, 0x00);
	seq_end(&s);
	struct tv_fuzz_line b7 = { 108925, 1, 0, 0x40357, 0x68b15d51, 1, 0x958a9564 };
	struct tv_fuzz_line v7 = { 108925, 1, 0, 0x40357, 0x68b15d51, 1, 0xb2244359 };
	r = tv_fuzz_expected(&decoding, &s, WHOLE, &b7, &v7, NO_CUTS);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->id, "raw-silent");
	/* Without the decoder, or with the 9A inside another instruction: not a far CALL. */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &b7, &v7, NO_CUTS));
	seq_start(&s);
	ADD(&s, FUZZ_K_RAW, 0x82, 0xDE, 0x9A, 0x90);
	seq_end(&s);
	ck_assert_ptr_null(tv_fuzz_expected(&decoding, &s, WHOLE, &b7, &v7, NO_CUTS));
}
END_TEST

/*
 * The guest's triple fault under the hypervisor is its end, as the bare
 * machine's reset is: a line that differs from any the guest prints, so a
 * row must explain the first difference (seed 2027, sequence 21887: a far
 * CALL to the DPL-1 code goes through, a RET imm16 then loses the stack,
 * and the #PF's frame cannot be pushed; the bare CPU raised #GP at the CALL).
 */
START_TEST(test_shutdown_line)
{
	static struct fuzz_seq s;
	struct tv_fuzz_mode ring1 = { 1, TV_FUZZ_PATCH_ALL, 1, &lay, 0, NULL };
	struct tv_fuzz_line bare = { 21887, 13, 0x58, 0x40296, lay.code, 1, 2 };
	struct tv_fuzz_line done = { 21887, TV_FUZZ_VEC_DONE, 0, 0x40296, 0, 3, 4 };
	struct tv_fuzz_line virt;

	ck_assert_int_eq(tv_fuzz_shutdown_line("the guest's stack at 0x00800000 is outside its memory",
					       21887, &virt), 0);
	ck_assert_int_eq(tv_fuzz_shutdown_line(NULL, 21887, &virt), 0);
	ck_assert_int_eq(tv_fuzz_shutdown_line(
		"triple fault at 0x00000000: the guest's paging refuses the frame of #PF at ESP 0x0011ef0a (error 0x2), and the #DF's",
		21887, &virt), 1);
	ck_assert_uint_eq(virt.k, 21887);
	ck_assert_uint_eq(virt.vector, TV_FUZZ_VEC_SHUTDOWN);
	/* Every field the guest's lines hold differs from it: EFLAGS bit 1 is always set. */
	ck_assert_uint_eq(tv_fuzz_diff(&bare, &virt) & TV_FUZZ_DIFF_VECTOR, TV_FUZZ_DIFF_VECTOR);
	ck_assert_uint_eq(tv_fuzz_diff(&bare, &virt) & TV_FUZZ_DIFF_EFLAGS, TV_FUZZ_DIFF_EFLAGS);

	/* call far 0x59:next; add eax, eax; then the end. */
	seq_start(&s);
	ADD(&s, FUZZ_K_FARCALL, 0x9A, 0x07, 0xF0, 0x10, 0x00, FUZZ_SEL_CODE1 | 1, 0x00);
	ADD(&s, FUZZ_K_ALU, 0x01, 0xC0);
	seq_end(&s);
	/* Cut after the CALL: the bare machine has its #GP, the hypervisor goes on to the end. */
	struct tv_fuzz_cut after = { 1, 1, bare, done };
	int first;
	ck_assert_ptr_nonnull(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, &after, 1, &first));
	ck_assert_int_eq(first, 0);
	/* Equal after the CALL: the shutdown came later, at an instruction no row names. */
	after.virt = bare;
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, &after, 1, NULL));
	/* Without the cuts nothing does: no row of the lines alone (qemu-ext, qemu-rf) fits a shutdown. */
	ck_assert_ptr_null(tv_fuzz_expected(&ring1, &s, WHOLE, &bare, &virt, NULL, 0, NULL));
}
END_TEST

START_TEST(test_expected_stop)
{
	ck_assert_ptr_nonnull(tv_fuzz_expected_stop(
		"unemulated: iret at 0x0010f004 to a nested task", 0x10f000));
	/* The same stop at the guest's own handler is the hypervisor's fault. */
	ck_assert_ptr_null(tv_fuzz_expected_stop(
		"unemulated: iret at 0x00106c90 to a nested task", 0x10f000));
	ck_assert_ptr_nonnull(tv_fuzz_expected_stop(
		"unemulated: the guest runs in virtual-8086 mode (eip 0x00001234, cs 0x10)", 0x10f000));
	ck_assert_ptr_null(tv_fuzz_expected_stop("guest touched the switcher", 0x10f000));
	/* A return to ring 1 or 2 whose segments the bare CPU accepts: rings the virtual CPU lacks. */
	ck_assert_ptr_nonnull(tv_fuzz_expected_stop(
		"unemulated: iretd at 0x0010f049 returning to ring 2", 0x10f000));
	/*
	 * An SS the guest held when its LGDT left it unusable (seed 2027, 7305
	 * in ring 3: SS 0x63 loaded by the documented sreg-rpl difference, then
	 * a shorter GDT): documented in the sequence, not in the guest's handler.
	 */
	const char *stale = tv_fuzz_expected_stop(
		"unemulated: the guest's stack segment 0x63, cached before its tables changed at 0x0010f010, is not usable at ring 3 under them",
		0x10f000);
	ck_assert_ptr_nonnull(stale);
	ck_assert_str_eq(stale, "cached before its tables changed");
	ck_assert_ptr_null(tv_fuzz_expected_stop(
		"unemulated: the guest's stack segment 0x63, cached before its tables changed at 0x00107340, is not usable at ring 3 under them",
		0x10f000));
	/* Any other unusable stack segment is not documented. */
	ck_assert_ptr_null(tv_fuzz_expected_stop(
		"the guest's stack segment 0x63 is not usable at ring 3", 0x10f000));
	/* A code segment in conforming or LDT code: user mode entered without a trap. */
	ck_assert_str_eq(tv_fuzz_expected_stop("the guest's code segment 0x3b is not usable at ring 1",
					       0x10f000),
			 "user mode through conforming or LDT code");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("fuzz");

	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_ends_in_jump);
	tcase_add_test(tc, test_sgdt_in_scratch);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_expected);
	tcase_add_test(tc, test_first_divergence);
	tcase_add_test(tc, test_operand_rows);
	tcase_add_test(tc, test_merged_items);
	tcase_add_test(tc, test_cut);
	tcase_add_test(tc, test_expected_stop);
	tcase_add_test(tc, test_shutdown_line);
	tcase_add_test(tc, test_return_into_silent);
	tcase_add_test(tc, test_ring1_code_and_ltr_null);
	tcase_add_test(tc, test_campaign_5_rows);
	tcase_add_test(tc, test_campaign_100k_rows);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
