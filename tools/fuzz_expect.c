/*
 * tools/fuzz_expect.c: the documented differences between the bare machine
 * and the hypervisor, as `trapvisor fuzz` matches divergences against
 * them, and the parsing of the fuzz guest's lines.
 * Runs on: host.
 *
 * Each row says which instructions cause the difference and where it can
 * show; docs/fuzz.md prints the same table with the reasons. A row is
 * matched at the first instruction after which the two machines differ:
 * the sequence cut before an instruction the row names must end the same
 * on both, and cut after it differently. A second, unknown difference
 * later in a sequence that also holds, say, a PUSHF still passes unseen,
 * but one that comes first does not.
 */
#include "tools/fuzz_expect.h"

#include <stdio.h>
#include <string.h>

#define ANY	(TV_FUZZ_DIFF_VECTOR | TV_FUZZ_DIFF_IF_IOPL | TV_FUZZ_DIFF_EFLAGS | \
		 TV_FUZZ_DIFF_EIP | TV_FUZZ_DIFF_STATE | TV_FUZZ_DIFF_MEM)

#define EFLAGS_RESERVED0	0xFFC08028u	/* bits 3, 5, 15, 22 to 31: always 0 on a CPU */
#define EFLAGS_IF_IOPL	0x00003200u
#define EFLAGS_TF	0x00000100u
#define EFLAGS_RF	0x00010000u

/* The imm32 of the set-up instruction j (PUSH imm32 or MOV r32, imm32), if it is one. */
static int setup_value(const struct fuzz_seq *seq, int j, uint32_t *v)
{
	const struct fuzz_insn *in = j >= 0 ? &seq->insn[j] : NULL;
	uint8_t op;

	if (!in || in->kind != FUZZ_K_SETUP || in->len != 5)
		return 0;
	op = seq->code[in->off];
	if (op != 0x68 && (op < 0xB8 || op > 0xBF))
		return 0;
	*v = (uint32_t)seq->code[in->off + 1] | (uint32_t)seq->code[in->off + 2] << 8 |
	     (uint32_t)seq->code[in->off + 3] << 16 | (uint32_t)seq->code[in->off + 4] << 24;
	return 1;
}

/* Whether POP sreg or MOV sreg, r at instruction i loads SS. */
static int loads_ss(const struct fuzz_seq *seq, unsigned i)
{
	const uint8_t *op = &seq->code[seq->insn[i].off];

	return op[0] == 0x17 || (op[0] == 0x8E && ((op[1] >> 3) & 7) == 2);
}

/* The selector POP sreg or MOV sreg, r loads at instruction i (set up just before it), unless into SS. */
static int data_sreg_selector(const struct fuzz_seq *seq, unsigned i, uint32_t *sel)
{
	if (loads_ss(seq, i))
		return 0;	/* SS: emulated, checked as ring 0 would */
	return setup_value(seq, (int)i - 1, sel);
}

/* The DPL of a writable data segment of the fuzz guest's tables (one SS may hold), or -1. */
static int fuzz_stack_dpl(uint32_t sel)
{
	switch (sel & 0xFFFCu) {
	case FUZZ_SEL_DATA0: case FUZZ_SEL_NOTPRESENT: case FUZZ_SEL_LDT_DATA & ~3u:
		return 0;
	case FUZZ_SEL_DATA1:
		return 1;
	case FUZZ_SEL_DATA3:
		return 3;
	default:
		return -1;
	}
}

/*
 * The DPL the fuzz guest gives a data or non-conforming code selector of its
 * tables (guests/fuzz/fuzz_tables.c), or -1 for one without a privilege
 * check on a data segment load (null, conforming, system, beyond).
 */
static int fuzz_selector_dpl(uint32_t sel)
{
	switch (sel & 0xFFFCu) {
	case FUZZ_SEL_DATA0: case FUZZ_SEL_RODATA: case FUZZ_SEL_NOTPRESENT:
	case FUZZ_SEL_CODE0: case FUZZ_SEL_CODE16: case FUZZ_SEL_LDT_DATA & ~3u:
		return 0;
	case FUZZ_SEL_DATA1: case FUZZ_SEL_CODE1:
		return 1;
	default:
		return -1;
	}
}

/*
 * F6: a selector whose DPL is below its RPL, the RPL being at most the real
 * ring, passes the privilege check of a data segment load: the shadow's DPL
 * is the real ring (docs/guest-contract.md).
 */
static int sreg_rpl_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			    unsigned i, unsigned unit_end)
{
	uint32_t sel;

	(void)unit_end;
	if (!setup_value(seq, (int)i - 1, &sel))
		return 0;
	/*
	 * SS with the real ring's RPL does not trap either: a writable data
	 * segment of DPL up to the real ring (its shadow's DPL is the ring)
	 * loads, or is #SS if not present, where the bare CPU at CPL 0 wants
	 * RPL and DPL 0 (seed 2027: POP SS of 0x61 in ring 1, 33435; of 0x2b
	 * in ring 3, 30470).
	 */
	if (loads_ss(seq, i)) {
		int ss_dpl = fuzz_stack_dpl(sel);
		return ss_dpl >= 0 && (sel & 3) == (unsigned)mode->ring && ss_dpl <= mode->ring;
	}
	int dpl = fuzz_selector_dpl(sel);
	if (dpl < 0)
		return 0;
	return (sel & 3) > (unsigned)dpl && (sel & 3) <= (unsigned)mode->ring;
}

/*
 * A null selector with RPL 1 to 3 into DS or ES: the switcher's IRET back
 * to the guest's ring nulls it as a segment below the new CPL, so it reads
 * back as 0 after the next trap (FS and GS keep it).
 */
static int null_rpl_ds_es_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				  unsigned i, unsigned unit_end)
{
	const uint8_t *op = &seq->code[seq->insn[i].off];
	uint32_t sel;

	(void)mode;
	(void)unit_end;
	int ds_es = op[0] == 0x07 || op[0] == 0x1F ||
		    (op[0] == 0x8E && (((op[1] >> 3) & 7) == 0 || ((op[1] >> 3) & 7) == 3));
	return ds_es && setup_value(seq, (int)i - 1, &sel) && (sel & 0xFFFCu) == 0 && (sel & 3);
}

/* MOV CR0 of a value with NW but not CD: #GP(0) on a CPU, which bare QEMU does not raise. */
static int cr0_nw_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			  unsigned i, unsigned unit_end)
{
	const uint8_t *op = &seq->code[seq->insn[i].off];
	uint32_t v;

	(void)mode;
	(void)unit_end;
	return op[1] == 0x22 && ((op[2] >> 3) & 7) == 0 && setup_value(seq, (int)i - 1, &v) &&
	       (v & 0x20000000u) && !(v & 0x40000000u);
}

/* The guest's user code selector into a data segment register: #NP (docs/guest-contract.md). */
static int sreg_user_code_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				  unsigned i, unsigned unit_end)
{
	(void)unit_end;
	uint32_t sel;

	(void)mode;
	return data_sreg_selector(seq, i, &sel) && (sel & 0xFFFCu) == FUZZ_SEL_CODE3;
}

#define VEC_NP	11

/*
 * The hypervisor's #NP(the user code selector) at an instruction that
 * begins at offset from to to of the sequence, and the bare machine's line
 * not that #NP there: the kernel's view marks user code not present.
 */
static int user_code_np_at(const struct tv_fuzz_mode *mode, uint32_t from, uint32_t to,
			   const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt)
{
	if (!mode->lay || virt->vector != VEC_NP || (virt->error & 0xFFFCu) != FUZZ_SEL_CODE3 ||
	    virt->eip < mode->lay->code + from || virt->eip > mode->lay->code + to)
		return 0;
	return !(bare->vector == VEC_NP && bare->eip == virt->eip);
}

/*
 * sreg-user-code: the set-up before the load names the user code, or the
 * hypervisor's #NP for it is at this load, whose set-up a return skipped
 * (seed 2027, 51401: a RETF to the MOV GS after its MOV EDX).
 */
static int sreg_user_code_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			       unsigned unit_end, const struct tv_fuzz_line *bare,
			       const struct tv_fuzz_line *virt)
{
	(void)unit_end;
	if (i < 0)
		return 0;
	if (sreg_user_code_applies(mode, seq, (unsigned)i, 0))
		return 1;
	return !loads_ss(seq, (unsigned)i) &&
	       user_code_np_at(mode, seq->insn[i].off, seq->insn[i].off, bare, virt);
}

/*
 * raw-user-code: the hypervisor's #NP(the user code selector) at an
 * instruction that begins in these random bytes' unit (a far CALL or JMP, a
 * segment load: seed 2027, 80312, lcall 0x21:... in ring 3).
 */
static int raw_user_code_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			      unsigned unit_end, const struct tv_fuzz_line *bare,
			      const struct tv_fuzz_line *virt)
{
	if (i < 0 || unit_end <= seq->insn[i].off)
		return 0;
	return user_code_np_at(mode, seq->insn[i].off, unit_end - 1, bare, virt);
}

/* F18: LGDT of one of the shorter GDTs the guest offers (not the one installed). */
static int gdt_shrunk_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			      unsigned i, unsigned unit_end)
{
	(void)unit_end;
	const struct fuzz_insn *in = &seq->insn[i];
	const uint8_t *d = &seq->code[in->off + in->len - 4];	/* the disp32 ends it */
	uint32_t at = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
		      (uint32_t)d[3] << 24;

	return mode->lay && in->len >= 7 &&
	       (at == mode->lay->tables + 8 * FUZZ_ALT_GDT_SHORT ||
		at == mode->lay->tables + 8 * FUZZ_ALT_GDT_MID);
}

/* F9: MOV CR4 of a value with VME or PVI (set up by the MOV reg, imm32 before it). */
static int cr4_vme_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			   unsigned i, unsigned unit_end)
{
	(void)unit_end;
	const uint8_t *op = &seq->code[seq->insn[i].off];
	uint32_t v;

	(void)mode;
	return op[1] == 0x22 && ((op[2] >> 3) & 7) == 4 && setup_value(seq, (int)i - 1, &v) &&
	       (v & 3u);
}

/* IN or INS (E4, E5, EC, ED, 6C, 6D): a port read, all ones under the hypervisor where nothing answers. */
static int reads_port(uint8_t b)
{
	return b == 0xE4 || b == 0xE5 || b == 0xEC || b == 0xED || b == 0x6C || b == 0x6D;
}

/* RCL or RCR with a memory operand at b (C0, C1, D0 to D3, ModRM reg 2 or 3, mod not 3). */
static int rotate_carry_mem(const uint8_t *b, unsigned len)
{
	if (len < 2 || !(b[0] == 0xC0 || b[0] == 0xC1 || (b[0] >= 0xD0 && b[0] <= 0xD3)))
		return 0;
	unsigned reg = (b[1] >> 3) & 7;
	return (reg == 2 || reg == 3) && (b[1] >> 6) != 3;
}

static unsigned skip_prefixes(const uint8_t *b, unsigned len, int *lock);

/*
 * Whether the CPU, decoding from the first byte of instruction i's unit
 * (mode->insn_len, the host's Capstone; without it, no), runs a far CALL
 * ptr16:32 (9A after any prefixes) before the unit ends: it pushes CS with
 * the real RPL, as the row selector-rpl says of a generated one (seed
 * 2027, 108925 and 111828: lcall 8:x in random bytes). Only at an
 * instruction's start: 9A is a common ModRM or immediate byte.
 */
static int far_call_at(const struct fuzz_seq *seq, uint32_t j, unsigned unit_end)
{
	int lock;
	uint32_t op = j + skip_prefixes(seq->code + j, seq->len - j, &lock);

	(void)unit_end;
	return op < seq->len && seq->code[op] == 0x9A;
}

/*
 * Whether an instruction the host's decoder finds from unit i's first byte
 * to unit_end satisfies at (never, without the decoder: random bytes are
 * placed only by decoding them as the CPU does).
 */
static int some_insn_in_unit(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			     unsigned i, unsigned unit_end,
			     int (*at)(const struct fuzz_seq *seq, uint32_t j, unsigned unit_end))
{
	uint32_t j = seq->insn[i].off;

	if (!mode->lay || !mode->insn_len)
		return 0;
	while (j < unit_end) {
		if (at(seq, j, unit_end))
			return 1;
		unsigned len = mode->insn_len(seq->code + j, seq->len - j, mode->lay->code + j);
		if (!len)
			return 0;
		j += len;
	}
	return 0;
}

static int far_call_begins_in(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			      unsigned i, unsigned unit_end)
{
	return some_insn_in_unit(mode, seq, i, unit_end, far_call_at);
}

/*
 * Random bytes holding one of the silent instructions of the rows above
 * (PUSH CS or SS, MOV from a segment register, PUSHF, POPF, and the 0F 00
 * to 0F 03 group: SLDT, STR, SGDT, SIDT, SMSW, LAR, LSL) or a port read
 * (absent-port: seed 2027, sequence 69902, whose TEST's immediate took a
 * MOV from CR4's 0F 20 and left E5 6B, IN EAX, 0x6B), opcode byte or not:
 * only the cuts around the item tell that it made the difference.
 */
static int raw_silent_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			      unsigned i, unsigned unit_end)
{
	const uint8_t *b = seq->code;

	(void)mode;
	/* To the end of its unit: the CPU may read the next items' bytes as part of its own. */
	for (unsigned j = seq->insn[i].off; j < unit_end; j++) {
		if (b[j] == 0x0E || b[j] == 0x16 || b[j] == 0x8C || b[j] == 0x9C || b[j] == 0x9D ||
		    reads_port(b[j]))
			return 1;
		if (b[j] == 0x0F && j + 1 < unit_end && b[j + 1] <= 0x03)
			return 1;
	}
	return far_call_begins_in(mode, seq, i, unit_end);
}

/*
 * Random bytes holding an RCL or RCR with a memory operand: a fault in its
 * memory access (under the hypervisor also the hidden ones of shadow
 * paging) leaves EFLAGS computed by QEMU from a value it has dropped, and
 * the instruction then runs again with them (seed 2027, sequences 31291,
 * 31308, 36637 faulting; 39760, 73814, 75043, 41313 a memory difference).
 */
static int rotate_carry_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				unsigned i, unsigned unit_end)
{
	(void)mode;
	/*
	 * Its opcode in the unit; its ModRM and displacement may lie past it, in
	 * the end jump's NOPs, which the CPU reads as part of the rotate (seed
	 * 2027, 103350: the unit's last byte D2, then 90 90 ..., rcl byte ptr
	 * [eax - 0x6f6f6f70], cl).
	 */
	for (unsigned j = seq->insn[i].off; j < unit_end; j++)
		if (rotate_carry_mem(seq->code + j, seq->len - j))
			return 1;
	return 0;
}

/*
 * Whether the bytes at b begin, after any prefixes, an instruction
 * raw-silent or qemu-rotate-carry names.
 */
static int silent_at(const uint8_t *b, unsigned len)
{
	unsigned j = 0;

	while (j < len && (b[j] == 0x26 || b[j] == 0x2E || b[j] == 0x36 || b[j] == 0x3E ||
			   b[j] == 0x64 || b[j] == 0x65 || b[j] == 0x66 || b[j] == 0x67 ||
			   b[j] == 0xF2 || b[j] == 0xF3))
		j++;
	if (j >= len)
		return 0;
	if (b[j] == 0x0E || b[j] == 0x16 || b[j] == 0x8C || b[j] == 0x9C || b[j] == 0x9D ||
	    reads_port(b[j]) || rotate_carry_mem(b + j, len - j))
		return 1;
	return b[j] == 0x0F && j + 1 < len && b[j + 1] <= 0x03;
}

/* Whether offset t of the sequence is an item's first byte. */
static int item_starts_at(const struct fuzz_seq *seq, uint32_t t)
{
	for (unsigned j = 0; j < seq->ninsn; j++)
		if (seq->insn[j].off == t)
			return 1;
	return 0;
}

/*
 * Where a far JMP or CALL (opcode EA or 9A, ptr16:32, the selector ending
 * the instruction) at instruction i goes: 1 and *eip, or 0 for another form.
 */
static int far_ptr_target(const struct fuzz_seq *seq, unsigned i, uint32_t *eip)
{
	const struct fuzz_insn *in = &seq->insn[i];

	if (in->len < 7)
		return 0;
	const uint8_t *b = &seq->code[in->off + in->len - 7];
	if (b[0] != 0xEA && b[0] != 0x9A)
		return 0;
	*eip = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 24;
	return 1;
}

/*
 * IRET or RETF whose popped EIP (set up just before it), or a far JMP or
 * CALL whose target, lies inside the sequence but at no item's first byte:
 * the CPU runs bytes there its own way until it reaches an item's first
 * byte again. The row holds when a silent instruction begins on the way
 * (seed 2027, sequence 778: RETF to the 0x16 inside a PUSH's immediate;
 * 97012: jmp far to the ED, IN EAX, DX, inside a MOV's immediate; 94457:
 * IRET to MOV BH, 0xAC, then PUSH SS, both inside a MOV's immediate).
 * Without the host's decoder (mode->insn_len) only the first instruction
 * there is looked at.
 */
static int return_into_silent_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				      unsigned i, unsigned unit_end)
{
	uint32_t eip;
	unsigned kind = seq->insn[i].kind;

	(void)unit_end;
	if (!mode->lay)
		return 0;
	if (kind == FUZZ_K_FARJMP || kind == FUZZ_K_FARCALL) {
		if (!far_ptr_target(seq, i, &eip))
			return 0;
	} else if (!setup_value(seq, (int)i - 1, &eip)) {
		return 0;
	}
	if (eip < mode->lay->code || eip - mode->lay->code >= seq->len)
		return 0;
	uint32_t t = eip - mode->lay->code;
	if (item_starts_at(seq, t))
		return 0;
	/* FUZZ_INSN_BYTES_MAX instructions at most: each is one byte or more. */
	for (unsigned n = 0; n < FUZZ_INSN_BYTES_MAX && t < seq->len; n++) {
		if (silent_at(seq->code + t, seq->len - t))
			return 1;
		unsigned len = mode->insn_len ? mode->insn_len(seq->code + t, seq->len - t,
							       mode->lay->code + t) : 0;
		if (!len)
			return 0;
		t += len;
		if (item_starts_at(seq, t))
			return 0;	/* back in step with the items: cuts see the rest */
	}
	return 0;
}

/* The sequence single-steps: TF in its start state, or set by a POPF or IRET before i. */
static int tf_set_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, unsigned i,
			  unsigned unit_end)
{
	(void)mode;
	(void)unit_end;
	if (seq->eflags & EFLAGS_TF)
		return 1;
	for (unsigned j = 0; j < i; j++) {
		uint32_t v;
		if ((seq->insn[j].kind == FUZZ_K_SETUP && setup_value(seq, (int)j, &v) &&
		     (v & EFLAGS_TF)) || seq->insn[j].kind == FUZZ_K_RAW)
			return 1;
	}
	return 0;
}

#define VEC_DB	1

/*
 * qemu-hlt-step: the hypervisor's line is the single-step #DB right after
 * this HLT (EIP at the next byte), and the bare machine's is not: bare
 * QEMU halts without the HLT's #DB, and the interrupt that wakes it is
 * taken as if TF were clear (seed 2027, 34735: an IRET with TF to the HLT,
 * the watchdog's tick wakes it; bare QEMU's #DB comes one instruction
 * after the tick's return).
 */
static int hlt_step_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			 unsigned unit_end, const struct tv_fuzz_line *bare,
			 const struct tv_fuzz_line *virt)
{
	(void)unit_end;
	if (i < 0 || !mode->lay || seq->code[seq->insn[i].off] != 0xF4)
		return 0;
	uint32_t after = mode->lay->code + seq->insn[i].off + 1;
	return virt->vector == VEC_DB && virt->eip == after &&
	       !(bare->vector == VEC_DB && bare->eip == after);
}

/* Random bytes holding an STI (FB) in a sequence that single-steps. */
static int raw_sti_step_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				unsigned i, unsigned unit_end)
{
	if (!tf_set_applies(mode, seq, i, unit_end))
		return 0;
	for (unsigned j = seq->insn[i].off; j < unit_end; j++)
		if (seq->code[j] == 0xFB)
			return 1;
	return 0;
}

/*
 * qemu-sti-step-raw: the hypervisor's line is the single-step #DB right
 * after an FB of these random bytes' unit, and the bare machine's is not
 * that #DB (seed 2027, 99092: an IRET with TF to the bytes FB F5, STI;
 * CMC: bare QEMU's #DB after the CMC, the hypervisor's after the STI).
 */
static int raw_sti_step_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			     unsigned unit_end, const struct tv_fuzz_line *bare,
			     const struct tv_fuzz_line *virt)
{
	if (i < 0 || !mode->lay || virt->vector != VEC_DB || virt->eip <= mode->lay->code)
		return 0;
	uint32_t sti = virt->eip - 1 - mode->lay->code;
	if (sti < seq->insn[i].off || sti >= unit_end || seq->code[sti] != 0xFB)
		return 0;
	return !(bare->vector == VEC_DB && bare->eip == virt->eip);
}

/* POP DS or ES (1F, 07), or MOV DS or ES (8E, ModRM reg 3 or 0), at b. */
static int loads_ds_es(const uint8_t *b, unsigned len)
{
	if (b[0] == 0x07 || b[0] == 0x1F)
		return 1;
	return b[0] == 0x8E && len >= 2 && (((b[1] >> 3) & 7) == 0 || ((b[1] >> 3) & 7) == 3);
}

/*
 * raw-null-rpl-ds-es: random bytes in whose unit the CPU runs a load of DS
 * or ES (the selector from a register or the stack, which no set-up
 * names), the machines differing in the state alone (the row's
 * may_differ): a null selector with an RPL, nulled by the next trap (seed
 * 2027, 58342: push eax; sbb dh, 0x95; pop es of 0x0001; 98276: mov ds,
 * edx of 0x0002). Only where an instruction begins, as the host's decoder
 * says from the unit's first byte: without it the row does not hold.
 */
static int loads_ds_es_at(const struct fuzz_seq *seq, uint32_t j, unsigned unit_end)
{
	return loads_ds_es(seq->code + j, unit_end - j);
}

static int raw_null_rpl_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				unsigned i, unsigned unit_end)
{
	return some_insn_in_unit(mode, seq, i, unit_end, loads_ds_es_at);
}

/*
 * In ring 3: IRET or RETF with RPL 3 to a code segment of DPL 0 or 1, the
 * conforming one too (seed 2027, sequences 3406 and 24179: a return to the
 * same ring for the real CPU, so SS:ESP is neither popped nor checked).
 */
static int ring3_return_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				unsigned i, unsigned unit_end)
{
	uint32_t cs;

	(void)unit_end;
	if (mode->ring != 3 || !setup_value(seq, (int)i - 2, &cs) || (cs & 3) != 3)
		return 0;
	cs &= 0xFFFCu;
	return cs == FUZZ_SEL_CODE0 || cs == FUZZ_SEL_CODE16 || cs == FUZZ_SEL_CODE1 ||
	       cs == FUZZ_SEL_CONFORM;
}

/*
 * Whether instruction i, a far JMP or CALL (ptr16:32: the selector ends the
 * instruction), names the code selector code with any RPL.
 */
static int far_ptr_names(const struct fuzz_seq *seq, unsigned i, uint32_t code)
{
	const struct fuzz_insn *in = &seq->insn[i];
	uint32_t sel = (uint32_t)seq->code[in->off + in->len - 2] |
		       (uint32_t)seq->code[in->off + in->len - 1] << 8;

	return in->len >= 7 && (sel & 0xFFFCu) == code;
}

/*
 * With --direct in ring 1: IRET to a code selector with RPL 3 (user mode)
 * whose EFLAGS image holds IF 0 or an IOPL above 0, which the CPU at ring 1
 * does not load (F24: seed 2027, sequence 1842 with --direct).
 */
static int direct_user_flags_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				     unsigned i, unsigned unit_end)
{
	uint32_t cs, eflags;

	(void)unit_end;
	return mode->direct && mode->ring == 1 && setup_value(seq, (int)i - 2, &cs) &&
	       (cs & 3) == 3 && setup_value(seq, (int)i - 3, &eflags) &&
	       ((eflags & 0x3000u) || !(eflags & 0x200u));
}

/* A far JMP or CALL to the user code selector. */
static int user_code_far_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				 unsigned i, unsigned unit_end)
{
	(void)mode;
	(void)unit_end;
	return far_ptr_names(seq, i, FUZZ_SEL_CODE3);
}

/* A far JMP or CALL to the DPL-1 code segment: the guest's ring 1 is not offered. */
static int far_ring1_code_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				  unsigned i, unsigned unit_end)
{
	(void)mode;
	(void)unit_end;
	return far_ptr_names(seq, i, FUZZ_SEL_CODE1);
}

/*
 * A far JMP or CALL to the kernel's own code (DPL 0, not conforming) with
 * an RPL from 1 to the real ring: the shadow's DPL is the real ring, so
 * the CPU lets it through; at CPL 0 an RPL above the CPL is #GP(selector)
 * (seed 2027, sequence 33184: jmp 9:x in ring 1).
 */
static int far_rpl_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			   unsigned i, unsigned unit_end)
{
	const struct fuzz_insn *in = &seq->insn[i];
	uint32_t rpl = seq->code[in->off + in->len - 2] & 3u;

	(void)unit_end;
	return (far_ptr_names(seq, i, FUZZ_SEL_CODE0) || far_ptr_names(seq, i, FUZZ_SEL_CODE16)) &&
	       rpl >= 1 && rpl <= (uint32_t)mode->ring;
}

/* Where the prefixes at b end (at most len), and whether one of them is LOCK. */
static unsigned skip_prefixes(const uint8_t *b, unsigned len, int *lock)
{
	unsigned j = 0;

	*lock = 0;
	while (j < len && (b[j] == 0x26 || b[j] == 0x2E || b[j] == 0x36 || b[j] == 0x3E ||
			   b[j] == 0x64 || b[j] == 0x65 || b[j] == 0x66 || b[j] == 0x67 ||
			   b[j] == 0xF0 || b[j] == 0xF2 || b[j] == 0xF3)) {
		*lock |= b[j] == 0xF0;
		j++;
	}
	return j;
}

#define VEC_UD	6

/*
 * The hypervisor ended the sequence with #UD at an instruction whose
 * prefixes hold LOCK, beginning at offset from to to of the sequence, and
 * the bare machine did not: the SDM's LOCK rule, which bare QEMU does not
 * apply to an instruction that traps under the hypervisor.
 */
static int lock_ud_at(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, uint32_t from,
		      uint32_t to, const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt)
{
	int lock;

	if (!mode->lay || virt->vector != VEC_UD || virt->eip < mode->lay->code)
		return 0;
	uint32_t at = virt->eip - mode->lay->code;
	if (at < from || at > to || at >= seq->len)
		return 0;
	skip_prefixes(seq->code + at, seq->len - at, &lock);
	return lock && !(bare->vector == VEC_UD && bare->eip == virt->eip);
}

/*
 * qemu-lock: the #UD at this instruction, whose prefix run, LOCK among it,
 * ends at its opcode (a prefix item, or random bytes before it: seed 2027,
 * 34723, LOCK at the end of random bytes, then STR; 18085, LOCK, then STR
 * with its own 66).
 */
static int lock_ud_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			unsigned unit_end, const struct tv_fuzz_line *bare,
			const struct tv_fuzz_line *virt)
{
	int lock;

	(void)unit_end;
	if (i <= 0 || !lock_ud_at(mode, seq, 0, seq->insn[i].off, bare, virt))
		return 0;
	/* Its own prefixes (66 0F 00 /1, STR with an operand size) run on to the same opcode. */
	uint32_t at = virt->eip - mode->lay->code, off = seq->insn[i].off;
	uint32_t opcode = off + skip_prefixes(seq->code + off, seq->len - off, &lock);
	return at + skip_prefixes(seq->code + at, seq->len - at, &lock) == opcode;
}

/* qemu-lock-raw: the #UD at an instruction that begins in these random bytes' unit. */
static int raw_lock_ud_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			    unsigned unit_end, const struct tv_fuzz_line *bare,
			    const struct tv_fuzz_line *virt)
{
	if (i < 0 || unit_end <= seq->insn[i].off)
		return 0;
	return lock_ud_at(mode, seq, seq->insn[i].off, unit_end - 1, bare, virt);
}

/*
 * cr4-unoffered: MOV to CR4 of a value with a bit from 12 up (the generator
 * sets one of 22 to 31 now and then; PKE, 22, is one QEMU's max CPU has),
 * the hypervisor's line #GP(0) at it and the bare machine's not.
 */
static int cr4_high_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			    unsigned i, unsigned unit_end)
{
	const uint8_t *op = &seq->code[seq->insn[i].off];
	uint32_t v;

	(void)mode;
	(void)unit_end;
	return op[1] == 0x22 && ((op[2] >> 3) & 7) == 4 && setup_value(seq, (int)i - 1, &v) &&
	       (v & 0xFFFFF000u);
}

static int gp0_here_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			 unsigned unit_end, const struct tv_fuzz_line *bare,
			 const struct tv_fuzz_line *virt)
{
	(void)unit_end;
	if (i < 0 || !mode->lay || virt->vector != 13 || virt->error != 0 ||
	    virt->eip != mode->lay->code + seq->insn[i].off)
		return 0;
	return !(bare->vector == 13 && bare->eip == virt->eip);
}

/*
 * raw-sreg-rpl: the bare machine's #GP(selector) at a POP or MOV to DS, ES,
 * FS, GS or SS that begins in these random bytes' unit (the selector came
 * from a register or the stack, not a set-up the row sreg-rpl reads),
 * where the selector names a segment of the fuzz guest's GDT with a DPL
 * below the real ring, so that some RPL passes under the hypervisor, and
 * the hypervisor's line is not that #GP there (seed 2027 in ring 3: 39042
 * pop ds of 0x0b, 74722 pop es of 0x43, 35483 pop es of the DPL-1 code).
 */
static int raw_sreg_rpl_fits(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, int i,
			     unsigned unit_end, const struct tv_fuzz_line *bare,
			     const struct tv_fuzz_line *virt)
{
	int lock;

	if (i < 0 || !mode->lay || bare->vector != 13 || (bare->error & 7) || !bare->error ||
	    bare->eip < mode->lay->code || (virt->vector == 13 && virt->eip == bare->eip))
		return 0;
	uint32_t at = bare->eip - mode->lay->code;
	if (at < seq->insn[i].off || at >= unit_end || at >= seq->len)
		return 0;
	int dpl = fuzz_selector_dpl(bare->error);
	if (dpl < 0 || dpl >= mode->ring)
		return 0;
	const uint8_t *b = seq->code + at;
	unsigned n = seq->len - at, j = skip_prefixes(b, n, &lock);
	if (j >= n)
		return 0;
	if (b[j] == 0x07 || b[j] == 0x17 || b[j] == 0x1F)
		return 1;
	if (b[j] == 0x0F && j + 1 < n && (b[j + 1] == 0xA1 || b[j + 1] == 0xA9))
		return 1;
	return b[j] == 0x8E && j + 1 < n && ((b[j + 1] >> 3) & 7) != 1 && ((b[j + 1] >> 3) & 7) < 6;
}

/* LTR of a null selector (the register set up just before it; seed 2027, sequence 1453). */
static int ltr_null_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			    unsigned i, unsigned unit_end)
{
	uint32_t sel;

	(void)mode;
	(void)unit_end;
	return setup_value(seq, (int)i - 1, &sel) && (sel & 0xFFFCu) == 0;
}

/* F13: IRET or RETF to RPL 1 with the guest kernel in ring 1 goes through untrapped. */
static int ring1_return_applies(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
				unsigned i, unsigned unit_end)
{
	(void)unit_end;
	uint32_t cs;

	/* The frame's set-up: ..., PUSH CS, PUSH EIP, then the return. */
	return mode->ring == 1 && setup_value(seq, (int)i - 2, &cs) && (cs & 3) == 1;
}

const struct tv_fuzz_rule tv_fuzz_rules[] = {
	{ "end-pushf",
	  "the end label's PUSHF, not patched, shows the real IF and IOPL (docs/classify.md: PUSHF)",
	  { 0 }, 1, TV_FUZZ_PATCH_NONE, 0, TV_FUZZ_DIFF_IF_IOPL, 0, 0, 0, NULL, 0, NULL },
	{ "pushf",
	  "PUSHF in a sequence shows the real IF and IOPL: generated code is never patched",
	  { FUZZ_K_PUSHF }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "popf",
	  "POPF in a sequence loses a change of IF or IOPL: generated code is never patched",
	  { FUZZ_K_POPF }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "selector-rpl",
	  "PUSH CS/SS, MOV from CS/SS and far CALL show the real ring in the RPL (docs/classify.md)",
	  { FUZZ_K_PUSH_CS, FUZZ_K_MOV_FROM_CS, FUZZ_K_PUSH_SREG, FUZZ_K_MOV_FROM_SREG,
	    FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "lar-lsl",
	  "LAR, LSL, VERR and VERW read the compressed DPL and the truncated limit (docs/classify.md)",
	  { FUZZ_K_LAR, FUZZ_K_LSL, FUZZ_K_VERRW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "absent-port",
	  "IN from a port nothing answers: all ones under the hypervisor (docs/guest-contract.md), 0 on bare QEMU",
	  { FUZZ_K_IN, FUZZ_K_STRIO }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "qemu-lock",
	  "bare QEMU runs LOCK before an instruction the hypervisor carries out (real CPUs and the hypervisor raise #UD: docs/guest-contract.md)",
	  { FUZZ_K_LGDT, FUZZ_K_LIDT, FUZZ_K_SGDT, FUZZ_K_SIDT, FUZZ_K_SLDT, FUZZ_K_STR,
	    FUZZ_K_SMSW, FUZZ_K_LMSW, FUZZ_K_CLTS, FUZZ_K_LLDT, FUZZ_K_LTR, FUZZ_K_CLI, FUZZ_K_STI,
	    FUZZ_K_IRET, FUZZ_K_RETF, FUZZ_K_MOVCR_READ, FUZZ_K_MOVCR_WRITE, FUZZ_K_MOVDR_READ,
	    FUZZ_K_MOVDR_WRITE, FUZZ_K_IN, FUZZ_K_OUT, FUZZ_K_STRIO, FUZZ_K_INT, FUZZ_K_INT3,
	    FUZZ_K_INTO, FUZZ_K_HLT, FUZZ_K_INVLPG, FUZZ_K_CACHE, FUZZ_K_SYSENTER, FUZZ_K_POP_SREG,
	    FUZZ_K_MOV_TO_SREG, FUZZ_K_FARJMP, FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0,
	  0, 0, NULL, 0, lock_ud_fits },
	{ "store-sys",
	  "SGDT, SIDT, SLDT, STR and SMSW store the hypervisor's values without UMIP (docs/classify.md)",
	  { FUZZ_K_SGDT, FUZZ_K_SIDT, FUZZ_K_SLDT, FUZZ_K_STR, FUZZ_K_SMSW }, 0,
	  TV_FUZZ_PATCH_INLINE, 1, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "sreg-rpl",
	  "a DPL-0 data selector with RPL 1 to the real ring passes the privilege check of DS, ES, FS or GS: loads, or #NP if not present (docs/guest-contract.md)",
	  { FUZZ_K_POP_SREG, FUZZ_K_MOV_TO_SREG }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  sreg_rpl_applies, 0, NULL },
	{ "sreg-user-code",
	  "the guest's user code selector into DS, ES, FS or GS is #NP (docs/guest-contract.md)",
	  { FUZZ_K_POP_SREG, FUZZ_K_MOV_TO_SREG }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  NULL, 0, sreg_user_code_fits },
	{ "ring1-return",
	  "IRET or RETF to RPL 1 in ring 1 goes through untrapped: the guest's ring 1 runs as ring 0 (docs/guest-contract.md)",
	  { FUZZ_K_IRET, FUZZ_K_RETF }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, ring1_return_applies, 0, NULL },
	{ "gdt-shrunk",
	  "LGDT of a shorter GDT: a data segment register beyond its limit becomes null (docs/guest-contract.md)",
	  { FUZZ_K_LGDT }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, gdt_shrunk_applies, 0, NULL },
	{ "cr4-vme",
	  "MOV to CR4 with VME or PVI is #GP(0): no virtual-8086 mode (docs/guest-contract.md)",
	  { FUZZ_K_MOVCR_WRITE }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, cr4_vme_applies, 0, NULL },
	{ "raw-silent",
	  "random bytes holding PUSH CS/SS, MOV from a segment register, PUSHF, POPF, a far CALL (9A, where the CPU begins an instruction), or 0F 00-03 (SLDT, STR, SGDT, SIDT, SMSW, LAR, LSL): the rows above",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, raw_silent_applies, 0, NULL },
	{ "null-rpl-ds-es",
	  "a null selector with RPL 1 to 3 in DS or ES reads back as 0 after the next trap: the switcher's IRET nulls it (docs/guest-contract.md)",
	  { FUZZ_K_POP_SREG, FUZZ_K_MOV_TO_SREG }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  null_rpl_ds_es_applies, 0, NULL },
	{ "raw-null-rpl-ds-es",
	  "null-rpl-ds-es met in random bytes: a load of DS or ES there, and nothing but the state (the segment registers) differs",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, TV_FUZZ_DIFF_STATE, 0, 0, 0,
	  raw_null_rpl_applies, 0, NULL },
	{ "qemu-cr0-nw",
	  "MOV to CR0 with NW but not CD: #GP(0) on a CPU and under the hypervisor (SDM vol. 2B, MOV CRn), accepted by bare QEMU",
	  { FUZZ_K_MOVCR_WRITE }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, cr0_nw_applies, 0, NULL },
	{ "qemu-rf",
	  "bare QEMU keeps an RF it loaded until its translation block ends; the CPU (and the hypervisor) clears it after the next instruction (SDM vol. 3, 17.3.1.1)",
	  { 0 }, 0, TV_FUZZ_PATCH_INLINE, 0, TV_FUZZ_DIFF_EFLAGS, 0, EFLAGS_RF, 0, NULL, 0, NULL },
	{ "qemu-sti-step",
	  "bare QEMU holds the single-step #DB after STI off for one instruction, as after MOV SS; STI does not (SDM vol. 2B, STI), nor the hypervisor",
	  { FUZZ_K_STI }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, tf_set_applies, 0, NULL },
	{ "qemu-sti-step-raw",
	  "qemu-sti-step met in random bytes: the hypervisor's single-step #DB right after their STI, bare QEMU's an instruction later",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, raw_sti_step_applies, 0,
	  raw_sti_step_fits },
	{ "qemu-hlt-step",
	  "bare QEMU never raises the single-step #DB of a HLT: it halts, and the interrupt that wakes it is taken first; the CPU (and the hypervisor) raises it right after the HLT, ahead of the interrupt (SDM vol. 3, 17.3.1.4 and Table 6-2; vol. 2A, HLT: a debug exception resumes execution)",
	  { FUZZ_K_HLT }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, tf_set_applies, 0,
	  hlt_step_fits },
	{ "qemu-cmpxchg8b-reserved",
	  "bare QEMU's CMPXCHG8B can set EFLAGS bits that are always 0 (3, 5, 15, 22 to 31), which stay until the flags are loaded again; under the hypervisor the next trap's IRET loads them",
	  { FUZZ_K_CMPXCHG8B }, 0, TV_FUZZ_PATCH_INLINE, 0, TV_FUZZ_DIFF_EFLAGS, 0,
	  EFLAGS_RESERVED0, 0, NULL, 1, NULL },
	{ "qemu-cmpxchg8b",
	  "bare QEMU's CMPXCHG8B leaves arithmetic flags of its own (issue 11); under the hypervisor a trap between makes them differ",
	  { FUZZ_K_CMPXCHG8B }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, NULL },
	{ "ring3-return-rpl3",
	  "IRET or far RET with the guest kernel in ring 3 to a code segment of DPL 0 or 1 (conforming too) with RPL 3: the shadow's DPL is 3, so it goes through, to the conforming one as a return to the same ring (docs/guest-contract.md)",
	  { FUZZ_K_IRET, FUZZ_K_RETF }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, ring3_return_applies, 0, NULL },
	{ "direct-user-flags",
	  "with --direct in ring 1, IRET to user mode (RPL 3) runs on the CPU at ring 1, which loads neither IF 0 nor an IOPL from the frame: user code runs with IF 1 and the kernel's IOPL (docs/guest-contract.md)",
	  { FUZZ_K_IRET }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, direct_user_flags_applies, 0, NULL },
	{ "user-code-far",
	  "far JMP or CALL from the kernel to the user code selector is #NP: the kernel's view marks it not present (docs/guest-contract.md)",
	  { FUZZ_K_FARJMP, FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, user_code_far_applies, 0, NULL },
	{ "qemu-ext",
	  "bare QEMU leaves EXT clear in the error code of a fault met while delivering an external interrupt; the SDM (and the hypervisor) set it",
	  { 0 }, 0, TV_FUZZ_PATCH_INLINE, 0, TV_FUZZ_DIFF_VECTOR, 0, 0, 1, NULL, 0, NULL },
	{ "far-ring1-code",
	  "far JMP or CALL from the kernel to a DPL-1 code segment goes through untrapped; the bare CPU at CPL 0 raises #GP(selector): the guest's ring 1 is not offered (docs/guest-contract.md)",
	  { FUZZ_K_FARJMP, FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  far_ring1_code_applies, 0, NULL },
	{ "qemu-ltr-null",
	  "LTR of a null selector: #GP(0) on a CPU and under the hypervisor (SDM vol. 2A, LTR), accepted by bare QEMU",
	  { FUZZ_K_LTR }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, ltr_null_applies, 0, NULL },
	{ "return-into-silent",
	  "IRET, far RET, far JMP or far CALL into the middle of an item, where the CPU, before it is back at an item's first byte, runs PUSH CS/SS, MOV from a segment register, PUSHF, POPF, 0F 00-03 or a port read: the rows above, met in bytes the CPU reads its own way",
	  { FUZZ_K_IRET, FUZZ_K_RETF, FUZZ_K_FARJMP, FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  return_into_silent_applies, 1, NULL },
	{ "qemu-lock-raw",
	  "bare QEMU runs LOCK, met in random bytes, before an instruction that traps to the hypervisor, which raises #UD there (real CPUs do: docs/guest-contract.md)",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, raw_lock_ud_fits },
	{ "far-rpl",
	  "far JMP or CALL from the kernel to its own DPL-0 code with RPL 1 to the real ring goes through untrapped; the bare CPU at CPL 0 raises #GP(selector) (docs/guest-contract.md)",
	  { FUZZ_K_FARJMP, FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0,
	  far_rpl_applies, 0, NULL },
	{ "qemu-rotate-carry",
	  "bare QEMU computes the EFLAGS of a fault in an RCL or RCR memory access from a value it has dropped; under the hypervisor shadow paging's hidden faults make the rotate run again with them (SDM vol. 3, 6.5: a fault leaves the flags as they were)",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, rotate_carry_applies, 0,
	  NULL },
	{ "raw-sreg-rpl",
	  "sreg-rpl met in random bytes: the bare machine's #GP(selector) at their POP or MOV to a segment register, of a segment whose DPL is below the real ring, where the hypervisor goes on (docs/guest-contract.md)",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, raw_sreg_rpl_fits },
	{ "raw-user-code",
	  "the guest's user code selector met in random bytes (a far CALL or JMP, a segment load): #NP under the hypervisor, the kernel's view marking user code not present (docs/guest-contract.md)",
	  { TV_FUZZ_K_RAW }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, NULL, 0, raw_user_code_fits },
	{ "cr4-unoffered",
	  "MOV to CR4 with a bit from 12 up that QEMU's CPU has (PKE) is #GP(0): the virtual CPU offers only TSD, DE, PSE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT and UMIP (docs/guest-contract.md)",
	  { FUZZ_K_MOVCR_WRITE }, 0, TV_FUZZ_PATCH_INLINE, 0, ANY, 0, 0, 0, cr4_high_applies, 0,
	  gp0_here_fits },
};
const size_t tv_fuzz_nrules = sizeof(tv_fuzz_rules) / sizeof(tv_fuzz_rules[0]);

int tv_fuzz_parse_line(const char *s, size_t len, struct tv_fuzz_line *o)
{
	char buf[160], tail;

	if (len < 2 || len >= sizeof(buf) || s[0] != 'F' || s[1] != ' ')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "F %u %x %x %x %x %x %x %c", &o->k, &o->vector, &o->error, &o->eflags,
		   &o->eip, &o->state, &o->mem, &tail) != 7)
		return -1;
	return 0;
}

int tv_fuzz_parse_layout(const char *s, size_t len, struct fuzz_layout *l)
{
	char buf[256], tail;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "FUZZ-LAYOUT code=0x%x end=0x%x scratch=0x%x stack=0x%x tables=0x%x cr3=0x%x %c",
		   &l->code, &l->end, &l->scratch, &l->stack_top, &l->tables, &l->cr3, &tail) != 6)
		return -1;
	return 0;
}

unsigned tv_fuzz_diff(const struct tv_fuzz_line *a, const struct tv_fuzz_line *b)
{
	unsigned d = 0;
	uint32_t f = a->eflags ^ b->eflags;

	if (a->vector != b->vector || a->error != b->error)
		d |= TV_FUZZ_DIFF_VECTOR;
	if (f & EFLAGS_IF_IOPL)
		d |= TV_FUZZ_DIFF_IF_IOPL;
	if (f & ~EFLAGS_IF_IOPL)
		d |= TV_FUZZ_DIFF_EFLAGS;
	if (a->eip != b->eip)
		d |= TV_FUZZ_DIFF_EIP;
	if (a->state != b->state)
		d |= TV_FUZZ_DIFF_STATE;
	if (a->mem != b->mem)
		d |= TV_FUZZ_DIFF_MEM;
	return d;
}

int tv_fuzz_parse_cut_line(const char *s, size_t len, struct tv_fuzz_line *o, uint32_t *n)
{
	char buf[160], tail;

	if (len < 2 || len >= sizeof(buf) || s[0] != 'C' || s[1] != ' ')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "C %u %u %x %x %x %x %x %x %c", &o->k, n, &o->vector, &o->error,
		   &o->eflags, &o->eip, &o->state, &o->mem, &tail) != 8)
		return -1;
	return 0;
}

/*
 * Whether instruction i of seq begins where the CPU begins one: random bytes
 * can end inside the next item, whose bytes the CPU then reads as part of
 * their last instruction (sync, from the host's decoder: NULL when every
 * item is whole). The first instruction and the end jump always count.
 */
static int at_sync(const struct fuzz_seq *seq, const uint8_t *sync, unsigned i)
{
	return i == 0 || i + 1 >= seq->ninsn || !sync || sync[i];
}

/* The instruction after i's unit: the next one the CPU begins at. */
static unsigned unit_after(const struct fuzz_seq *seq, const uint8_t *sync, unsigned i)
{
	unsigned j = i + 1;

	while (!at_sync(seq, sync, j))
		j++;
	return j;
}

/*
 * The cut before instruction i: the start of its unit, before the prefixes
 * and the set-up (PUSH or MOV of an immediate operand) that belong to it,
 * which run alike on both machines.
 */
static unsigned cut_before(const struct fuzz_seq *seq, const uint8_t *sync, unsigned i)
{
	while (i > 0 && (!at_sync(seq, sync, i) || seq->insn[i - 1].kind == FUZZ_K_PREFIX ||
			 seq->insn[i - 1].kind == FUZZ_K_SETUP))
		i--;
	return i;
}

/* Whether rule r can blame instruction i of seq in mode. */
static int rule_names(const struct tv_fuzz_rule *r, const struct tv_fuzz_mode *mode,
		      const struct fuzz_seq *seq, const uint8_t *sync, unsigned i)
{
	unsigned kind = seq->insn[i].kind == FUZZ_K_RAW ? TV_FUZZ_K_RAW : seq->insn[i].kind;
	int named = 0;

	for (unsigned j = 0; j < sizeof(r->kinds) && r->kinds[j]; j++)
		named |= kind == r->kinds[j];
	if (!named)
		return 0;
	if (r->after_lock) {
		const struct fuzz_insn *p = i ? &seq->insn[i - 1] : NULL;
		int lock = 0;
		for (unsigned b = 0; p && p->kind == FUZZ_K_PREFIX && b < p->len; b++)
			lock |= seq->code[p->off + b] == 0xF0;
		if (!lock)
			return 0;
	}
	return !r->applies || r->applies(mode, seq, i, seq->insn[unit_after(seq, sync, i)].off);
}

/* Whether the end states fit rule r where it blames instruction i (-1: the harness's rows). */
static int lines_fit(const struct tv_fuzz_rule *r, const struct tv_fuzz_mode *mode,
		     const struct fuzz_seq *seq, const uint8_t *sync, int i,
		     const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt)
{
	unsigned unit_end = i >= 0 ? seq->insn[unit_after(seq, sync, (unsigned)i)].off : 0;

	return !r->lines_fit || r->lines_fit(mode, seq, i, unit_end, bare, virt);
}

/* Whether rule r may explain a divergence d in mode at all (not yet where it began). */
static int rule_fits(const struct tv_fuzz_rule *r, const struct tv_fuzz_mode *mode,
		     const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt, unsigned d)
{
	if (mode->patch > r->patch_max || (r->without_umip_only && mode->umip))
		return 0;
	if (r->when_end_only &&
	    (bare->vector != TV_FUZZ_VEC_DONE || virt->vector != TV_FUZZ_VEC_DONE))
		return 0;
	if (r->eflags_only && ((bare->eflags ^ virt->eflags) & ~r->eflags_only))
		return 0;
	if (r->error_only && (bare->vector != virt->vector ||
			      ((bare->error ^ virt->error) & ~r->error_only)))
		return 0;
	return !(d & ~r->may_differ);
}

/* Some fitting rule names instruction i: the rule, or NULL. */
static const struct tv_fuzz_rule *blamable(const struct tv_fuzz_mode *mode,
					   const struct fuzz_seq *seq, const uint8_t *sync,
					   unsigned i, const struct tv_fuzz_line *bare,
					   const struct tv_fuzz_line *virt, unsigned d)
{
	for (size_t k = 0; k < tv_fuzz_nrules; k++) {
		const struct tv_fuzz_rule *r = &tv_fuzz_rules[k];
		if (r->kinds[0] && rule_fits(r, mode, bare, virt, d) &&
		    rule_names(r, mode, seq, sync, i) &&
		    lines_fit(r, mode, seq, sync, (int)i, bare, virt))
			return r;
	}
	return NULL;
}

unsigned tv_fuzz_cuts_needed(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq,
			     const uint8_t *sync, const struct tv_fuzz_line *bare,
			     const struct tv_fuzz_line *virt, uint32_t *cuts)
{
	unsigned d = tv_fuzz_diff(bare, virt), n = 0;

	if (!d)
		return 0;
	for (unsigned i = 0; i + 1 < seq->ninsn; i++) {
		if (!blamable(mode, seq, sync, i, bare, virt, d))
			continue;
		/* Cut 0 (nothing run) and the last cut (the whole sequence) need no run. */
		uint32_t want[2] = { cut_before(seq, sync, i), unit_after(seq, sync, i) };
		for (unsigned w = 0; w < 2; w++) {
			int have = want[w] == 0 || want[w] + 1 >= seq->ninsn;
			for (unsigned j = 0; j < n && !have; j++)
				have = cuts[j] == want[w];
			if (!have && n < TV_FUZZ_CUTS_MAX)
				cuts[n++] = want[w];
		}
	}
	return n;
}

/*
 * Whether the machines differ after the first n instructions: 1, 0, or -1
 * when the cut was not run or did not finish on both (nothing can be said).
 * Cut 0 is the known start state on both; the last cut is the whole
 * sequence. In patch none the end label's PUSHF shows the real IF and
 * IOPL, so a cut that reaches it is compared without them.
 */
static int cut_differs(const struct tv_fuzz_mode *mode, const struct fuzz_seq *seq, uint32_t n,
		       const struct tv_fuzz_line *bare, const struct tv_fuzz_line *virt,
		       const struct tv_fuzz_cut *cuts, unsigned ncuts)
{
	const struct tv_fuzz_line *b = bare, *v = virt;

	if (n == 0)
		return 0;
	if (n + 1 < seq->ninsn) {
		unsigned j = 0;
		while (j < ncuts && cuts[j].n != n)
			j++;
		if (j == ncuts || !cuts[j].have)
			return -1;
		b = &cuts[j].bare;
		v = &cuts[j].virt;
	}
	unsigned d = tv_fuzz_diff(b, v);
	if (mode->patch == TV_FUZZ_PATCH_NONE && b->vector == TV_FUZZ_VEC_DONE &&
	    v->vector == TV_FUZZ_VEC_DONE)
		d &= ~TV_FUZZ_DIFF_IF_IOPL;
	/*
	 * RF alone, on a cut: bare QEMU's, kept from an IRET to the end of its
	 * translation block (row qemu-rf), and gone by the next instruction
	 * that completes (seed 2027, 71692: a cut right after an IRET).
	 */
	if (d == TV_FUZZ_DIFF_EFLAGS && (b->eflags ^ v->eflags) == EFLAGS_RF && n + 1 < seq->ninsn)
		d = 0;
	return d != 0;
}

const struct tv_fuzz_rule *tv_fuzz_expected(const struct tv_fuzz_mode *mode,
					    const struct fuzz_seq *seq, const uint8_t *sync,
					    const struct tv_fuzz_line *bare,
					    const struct tv_fuzz_line *virt,
					    const struct tv_fuzz_cut *cuts, unsigned ncuts,
					    int *first)
{
	unsigned d = tv_fuzz_diff(bare, virt);

	if (first)
		*first = -1;
	if (!d)
		return NULL;
	/* A row of the harness itself (no instructions) is judged on the whole lines. */
	for (size_t k = 0; k < tv_fuzz_nrules; k++)
		if (!tv_fuzz_rules[k].kinds[0] && rule_fits(&tv_fuzz_rules[k], mode, bare, virt, d) &&
		    lines_fit(&tv_fuzz_rules[k], mode, seq, sync, -1, bare, virt))
			return &tv_fuzz_rules[k];
	/*
	 * Each instruction a row could blame, in order: the machines must agree
	 * before it (else the first difference came earlier, and nothing
	 * explains it) and differ after it.
	 */
	for (unsigned i = 0; i + 1 < seq->ninsn; i++) {
		const struct tv_fuzz_rule *r = blamable(mode, seq, sync, i, bare, virt, d);
		if (!r)
			continue;
		if (cut_differs(mode, seq, cut_before(seq, sync, i), bare, virt, cuts, ncuts) != 0)
			return NULL;
		int after = cut_differs(mode, seq, unit_after(seq, sync, i), bare, virt, cuts, ncuts);
		/*
		 * In patch none a POPF's lost IF or IOPL cannot show at the end
		 * label; when nothing but IF and IOPL differs in the end, it is
		 * the POPF's.
		 */
		if (after == 0 && seq->insn[i].kind == FUZZ_K_POPF &&
		    mode->patch == TV_FUZZ_PATCH_NONE && !(d & ~TV_FUZZ_DIFF_IF_IOPL))
			after = 1;
		if (r->whole_after)
			after = 1;	/* the whole lines differ: else no row were asked */
		if (after < 0)
			return NULL;
		if (after) {
			if (first)
				*first = (int)i;
			return r;
		}
	}
	return NULL;
}

int tv_fuzz_shutdown_line(const char *reason, uint32_t k, struct tv_fuzz_line *out)
{
	if (!reason || strncmp(reason, "triple fault", 12) != 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->k = k;
	out->vector = TV_FUZZ_VEC_SHUTDOWN;
	return 1;
}

const char *tv_fuzz_expected_stop(const char *reason, uint32_t code)
{
	static const char *const documented[] = {
		"virtual-8086", "nested task", "16-bit", "rsm", "PAE", "protected mode",
		"returning to ring", "cached before its tables changed",
	};
	const char *at;
	unsigned long addr;

	if (!reason)
		return NULL;
	/*
	 * User mode entered through a conforming or LDT code segment: the
	 * real CPU goes there itself, and the next trap stops the guest
	 * (docs/guest-contract.md, what the virtual CPU does not offer).
	 */
	if (strstr(reason, "the guest's code segment") && strstr(reason, "is not usable at ring") &&
	    !strstr(reason, "unemulated"))
		return "user mode through conforming or LDT code";
	if (!strstr(reason, "unemulated"))
		return NULL;
	at = strstr(reason, " at 0x");
	if (at && sscanf(at, " at 0x%lx", &addr) == 1 &&
	    (addr < code || addr >= (unsigned long)code + 4096))
		return NULL;
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (strstr(reason, documented[i]))
			return documented[i];
	return NULL;
}
