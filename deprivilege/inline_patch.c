/*
 * deprivilege/inline_patch.c: the inline mode's placement and patch code:
 * which instructions move with a site, and the code that emulates the site
 * against the state page without a trap.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 *   1. The region: the site and the instructions after it, until 5 bytes
 *      (one more after STI, its interrupt shadow), each checked movable and
 *      not a way in (deprivilege/inline_patch.h gives the rules); when too
 *      short, starting up to INLINE_BACK_MAX instructions before the site.
 *   2. The templates: one per sensitive kind, as the SDM defines the
 *      instruction at CPL 0 (the guest kernel's virtual CPL):
 *        CLI   IF := 0                     STI   IF := 1, shadow
 *        PUSHF push EFLAGS with the virtual IF and IOPL (RF and VM clear)
 *        POPF  at CPL 0 every writable flag, IF and IOPL included, comes
 *              from the stack; the real POPF loads the rest, and at ring
 *              1 or 3 ignores IF and IOPL (the state page takes them)
 *        PUSH CS, MOV r, CS   the selector with RPL 0
 *   3. The pending check, after a POPF and after the instruction in STI's
 *      shadow: if the virtual IF is 1 and an interrupt waits, INT3 (the
 *      hypervisor delivers it there), else fall through.
 *   4. IRET (32-bit): at CPL 0 it may change IF and IOPL and return to RPL
 *      0, so at ring 1 every return to the guest kernel traps (its frame's
 *      CS has RPL 0). The template runs the common returns on the CPU:
 *        - the frame within guest memory below the switcher (8 <= ESP <=
 *          iret_esp_max), no NT nor VM in its EFLAGS, and its CS either the
 *          kernel's own code selector with RPL 0 (the running CS less the
 *          real ring) and an EIP outside every region's replaced bytes
 *          (the region map, one bit per byte of the kernel's first 128 KiB
 *          of code, inline_patch.h: the hypervisor pushes frames
 *          at points inside regions, and only it can send a return there
 *          to the point), or any selector with RPL 3 (user mode, with
 *          the kernel in ring 1 only: in ring 3 that IRET changes no
 *          privilege and would leave ESP and SS in the frame);
 *        - then the virtual IF and IOPL from the frame's EFLAGS (the old
 *          ones kept in vif_saved, viopl_saved), the frame's CS turned to
 *          the real ring for a kernel return, and a real IRET: at CPL 1 it
 *          ignores IF and IOPL in the frame and loads every other flag as
 *          the bare IRET at CPL 0 does;
 *        - anything else, or an interrupt waiting when the new virtual IF
 *          is 1, runs the guest's own IRET (the old flags back), which
 *          traps and is emulated as without the template.
 *      Its exactness: the arithmetic flags change before the IRET replaces
 *      them all, so only a fault the IRET itself takes (a frame it cannot
 *      read) shows them changed; the frame's CS word, below ESP once the
 *      kernel's IRET is done, holds RPL 1 where the bare machine leaves 0;
 *      the state page is reached through SS, which must then be based at 0
 *      (docs/guest-contract.md).
 *      Interrupts: a point of kind INLINE_AT_INSN at its first byte (the
 *      state exact), none other where one may be delivered: a tick inside
 *      the template is single-stepped on (hv/patch_inline.c, 4). The
 *      virtual IF is written *before* the pending word is read: a tick
 *      before the write finds the old IF (if 1, it is stepped to the check,
 *      which then sees it waiting; if the new IF is 0, it waits for the
 *      guest's next STI or POPF, as it would after the IRET); a tick after
 *      the write finds the new one, and if that is 1 the stepping reaches
 *      either the check (then the trapping IRET, delivered after it) or the
 *      real IRET, whose #DB lands at the returned-to instruction, where it
 *      is delivered with the frame of the bare machine after its IRET. So
 *      the template never returns with the virtual IF 1 and an interrupt
 *      waiting, and none is delivered with a frame inside it. Whatever
 *      traps at the real IRET (a fault of its own, a tick, a step) finds
 *      its point INLINE_AT_IRET_COMMIT*, and the hypervisor first puts the
 *      old virtual flags and the frame's RPL 0 back and moves the EIP to
 *      the template's trapping IRET, so the trap is taken as at the
 *      guest's own IRET.
 *      Memory: the template writes no guest memory but the frame's CS word
 *      (the guest's EAX waits in the state page, not below the frame,
 *      whose page may be read-only); that write has its point
 *      INLINE_AT_IRET_WRITE, and a fault of it sends the guest to its own
 *      IRET, which only reads the frame (hostile row iret-frame-edge).
 *   5. Lookups the hypervisor makes at a trap: points, regions.
 */
#include "deprivilege/inline_patch.h"

#include "lib/string.h"
#include "lib/x86.h"

#define X86_MAX_INSN_LEN	15
#define MOVED_MAX		INLINE_REGION_MAX	/* at least one byte each */
#define POINTS_PER_REGION	(4 * MOVED_MAX + 1)
#define INLINE_BACK_MAX		3	/* instructions before a site that may move with it */

/* One instruction of the region, as it will be re-emitted. */
enum moved_kind {
	MOVED_COPY,		/* position-independent: copied as it is */
	MOVED_JCC,		/* conditional branch: re-encoded rel32 */
	MOVED_JMP,		/* direct JMP: re-encoded rel32, ends the region */
	MOVED_CALL,		/* direct CALL: PUSH return address, JMP; ends the region */
	MOVED_TEMPLATE,		/* a sensitive instruction: its template */
	MOVED_END,		/* RET or an indirect JMP: copied as it is, ends the region */
};

struct moved {
	uint32_t la;
	uint8_t len;
	uint8_t kind;		/* enum moved_kind */
	unsigned site_kind;	/* enum patch_set bit, for MOVED_TEMPLATE */
	uint8_t cond;		/* MOVED_JCC: the condition (low nibble of the opcode) */
	uint8_t reg;		/* MOV r, CS: the destination register's number */
	uint8_t size16;		/* MOV r, CS: a 16-bit destination */
	uint8_t in_shadow;	/* runs in STI's interrupt shadow */
	uint32_t target;	/* MOVED_JCC, _JMP, _CALL */
};

static int bit(const uint8_t *bitmap, uint32_t off)
{
	return (bitmap[off / 8] >> (off % 8)) & 1;
}

static int in_group(const cs_insn *insn, uint8_t group)
{
	const cs_detail *d = insn->detail;
	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == group)
			return 1;
	return 0;
}

static int has_opsize_prefix(const cs_insn *insn)
{
	return insn->detail->x86.prefix[2] == X86_PREFIX_OPSIZE;
}

static int is_segment_reg(unsigned reg)
{
	return reg == X86_REG_CS || reg == X86_REG_DS || reg == X86_REG_ES ||
	       reg == X86_REG_FS || reg == X86_REG_GS || reg == X86_REG_SS;
}

/* 32-bit general registers in encoding order. */
static int reg_number(unsigned reg)
{
	static const unsigned r32[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
					 X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
	static const unsigned r16[8] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
					 X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI };
	for (int i = 0; i < 8; i++)
		if (reg == r32[i] || reg == r16[i])
			return i;
	return -1;
}

/*
 * The sensitive kind of an instruction, and whether the template is exact
 * for its form (0 if not: the 16-bit forms, MOV from CS to memory).
 */
static unsigned site_kind(const cs_insn *insn, int *exact, struct moved *m)
{
	const cs_x86 *x86 = &insn->detail->x86;

	*exact = 1;
	switch (insn->id) {
	case X86_INS_CLI:
		return PATCH_CLI;
	case X86_INS_STI:
		return PATCH_STI;
	case X86_INS_IRET:	/* 66 CF: a 16-bit frame; trapped */
		*exact = 0;
		return PATCH_IRET;
	case X86_INS_IRETD:
		return PATCH_IRET;
	case X86_INS_POPF:	/* 66 9D: only the low word; trapped */
		*exact = 0;
		return PATCH_POPF;
	case X86_INS_POPFD:
		return PATCH_POPF;
	case X86_INS_PUSHF:
		*exact = 0;
		return PATCH_PUSHF;
	case X86_INS_PUSHFD:
		return PATCH_PUSHF;
	case X86_INS_PUSH:
		if (x86->op_count == 1 && x86->operands[0].type == X86_OP_REG &&
		    x86->operands[0].reg == X86_REG_CS) {
			*exact = !has_opsize_prefix(insn);
			return PATCH_PUSH_CS;
		}
		return 0;
	case X86_INS_MOV:
		if (x86->op_count == 2 && x86->operands[1].type == X86_OP_REG &&
		    x86->operands[1].reg == X86_REG_CS) {
			int r = x86->operands[0].type == X86_OP_REG ?
				reg_number(x86->operands[0].reg) : -1;
			/* LEA r, [r + disp8] cannot name ESP without a SIB byte: trapped. */
			*exact = r >= 0 && r != 4;
			m->reg = (uint8_t)(r < 0 ? 0 : r);
			m->size16 = x86->operands[0].size == 2;
			return PATCH_MOV_FROM_CS;
		}
		return 0;
	}
	return 0;
}

/* Instructions that may enter the hypervisor or the guest's own handlers by design, or depend on where they sit. */
static int never_moved(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	if (in_group(insn, X86_GRP_INT) || in_group(insn, X86_GRP_IRET) ||
	    in_group(insn, X86_GRP_PRIVILEGE) || in_group(insn, X86_GRP_RET))
		return 1;
	switch (insn->id) {
	case X86_INS_IN: case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
	case X86_INS_OUT: case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD:
	case X86_INS_HLT: case X86_INS_LJMP: case X86_INS_LCALL: case X86_INS_RETF:
	case X86_INS_SYSENTER: case X86_INS_SYSEXIT: case X86_INS_SYSCALL: case X86_INS_SYSRET:
	case X86_INS_UD0: case X86_INS_UD2: case X86_INS_UD2B:
	case X86_INS_CPUID: case X86_INS_RDTSC: case X86_INS_RDTSCP: case X86_INS_RDPMC:
	case X86_INS_SGDT: case X86_INS_SIDT: case X86_INS_SLDT: case X86_INS_STR:
	case X86_INS_SMSW: case X86_INS_LAR: case X86_INS_LSL: case X86_INS_VERR:
	case X86_INS_VERW: case X86_INS_LDS: case X86_INS_LES: case X86_INS_LFS:
	case X86_INS_LGS: case X86_INS_LSS: case X86_INS_INT: case X86_INS_INT1:
	case X86_INS_INT3: case X86_INS_INTO: case X86_INS_BOUND: case X86_INS_RSM:
	case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
	case X86_INS_JECXZ: case X86_INS_JCXZ:
	/*
	 * #DE may reach the guest's handler straight from the CPU (a direct
	 * kernel gate, hv/direct.c), which would push the copy's address.
	 */
	case X86_INS_DIV: case X86_INS_IDIV: case X86_INS_AAM:
		return 1;
	}
	for (unsigned i = 0; i < x86->op_count; i++)
		if (x86->operands[i].type == X86_OP_REG && is_segment_reg(x86->operands[i].reg))
			return 1;
	return 0;
}

/*
 * How the instruction at off moves, into *m. Returns 0 if it cannot move,
 * -1 if it is a sensitive kind without an exact template.
 */
static int classify(const cs_insn *insn, uint32_t la, struct moved *m)
{
	const cs_x86 *x86 = &insn->detail->x86;
	int exact;

	memset(m, 0, sizeof *m);
	m->la = la;
	m->len = (uint8_t)insn->size;
	m->site_kind = site_kind(insn, &exact, m);
	if (m->site_kind) {
		m->kind = MOVED_TEMPLATE;
		return exact ? 1 : -1;
	}
	int direct = in_group(insn, X86_GRP_BRANCH_RELATIVE) && x86->op_count >= 1 &&
		     x86->operands[0].type == X86_OP_IMM;
	if (direct) {
		if (has_opsize_prefix(insn))
			return 0;	/* a 16-bit IP: the target wraps */
		m->target = (uint32_t)x86->operands[0].imm;
		if (insn->id == X86_INS_JMP) {
			m->kind = MOVED_JMP;
			return 1;
		}
		if (insn->id == X86_INS_CALL) {
			m->kind = MOVED_CALL;
			return 1;
		}
		/* Jcc: 70+cc rel8 or 0F 80+cc rel32 (LOOP and JECXZ are never_moved). */
		uint8_t op = x86->opcode[0] == 0x0F ? x86->opcode[1] : x86->opcode[0];
		if (never_moved(insn) || !((op >= 0x70 && op <= 0x7F) || (op >= 0x80 && op <= 0x8F)))
			return 0;
		m->kind = MOVED_JCC;
		m->cond = op & 0x0F;
		return 1;
	}
	/* Near RET and an indirect near JMP read their target from the stack or an operand. */
	if ((insn->id == X86_INS_RET || insn->id == X86_INS_JMP) && !has_opsize_prefix(insn)) {
		m->kind = MOVED_END;
		m->cond = insn->id == X86_INS_RET && insn->size == 1;	/* a plain C3 */
		return 1;
	}
	if (in_group(insn, X86_GRP_JUMP) || in_group(insn, X86_GRP_CALL) || never_moved(insn))
		return 0;
	m->kind = MOVED_COPY;
	return 1;
}

/*
 * The alignment padding compilers put after a function's last RET or JMP:
 * NOPs, INT3, and LEA or MOV of a register onto itself. Bytes no path
 * reaches and nothing jumps to, so the jump may cover them.
 */
static int is_padding(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	if (insn->id == X86_INS_NOP || insn->id == X86_INS_INT3)
		return 1;
	if (x86->op_count != 2 || x86->operands[0].type != X86_OP_REG)
		return 0;
	unsigned dst = x86->operands[0].reg;
	const cs_x86_op *src = &x86->operands[1];
	if (insn->id == X86_INS_MOV || insn->id == X86_INS_XCHG)
		return src->type == X86_OP_REG && src->reg == dst;
	if (insn->id == X86_INS_LEA)
		return src->type == X86_OP_MEM && src->mem.base == dst && src->mem.disp == 0 &&
		       (src->mem.index == X86_REG_INVALID ||
			(src->mem.index == X86_REG_EIZ && src->mem.scale == 1));
	return 0;
}

/* 2. Emitting code: bytes, words, and the points that go with them. */
struct emit {
	struct inline_plan *plan;
	uint32_t start;		/* code offset where this region's code begins */
	uint32_t len;
	int overflow;
	struct inline_point points[POINTS_PER_REGION];
	unsigned npoints;
};

static uint32_t here(const struct emit *e)
{
	return e->plan->code_la + e->start + e->len;
}

static void put8(struct emit *e, uint8_t b)
{
	if (e->start + e->len < e->plan->code_size)
		e->plan->code[e->start + e->len] = b;
	else
		e->overflow = 1;
	e->len++;
}

static void put32(struct emit *e, uint32_t w)
{
	for (int i = 0; i < 4; i++)
		put8(e, (uint8_t)(w >> (8 * i)));
}

static void put(struct emit *e, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put8(e, b[i]);
}

static void point(struct emit *e, unsigned kind, uint32_t guest_la)
{
	if (e->npoints == POINTS_PER_REGION) {
		e->overflow = 1;
		return;
	}
	e->points[e->npoints++] = (struct inline_point){ here(e), guest_la, (uint8_t)kind };
}

/* A rel32 jump or call form: opcode bytes, then the displacement to target. */
static void branch32(struct emit *e, const uint8_t *op, unsigned n, uint32_t target)
{
	put(e, op, n);
	put32(e, target - (here(e) + 4));
}

/* 3. The pending check: INT3 if the virtual IF is 1 and an interrupt waits; next is where it stands. */
static void emit_check(struct emit *e, uint32_t next, int before_ret)
{
	const struct inline_layout *l = &e->plan->layout;

	if (!before_ret)
		point(e, INLINE_AT_INSN, next);	/* the instruction before is complete: a boundary */
	put8(e, 0x51);			/* push ecx */
	put8(e, 0x52);			/* push edx */
	put8(e, 0x8B); put8(e, 0x0D); put32(e, l->vif);		/* mov ecx, [vif] */
	put8(e, 0x8B); put8(e, 0x15); put32(e, l->pending);	/* mov edx, [pending] */
	/* Both are EFLAGS_IF or 0: their sum is 0x400 only when both are set. */
	put8(e, 0x8D); put8(e, 0x8C); put8(e, 0x11); put32(e, (uint32_t)-0x400); /* lea ecx, [ecx+edx-0x400] */
	put8(e, 0x5A);			/* pop edx */
	put8(e, 0xE3); put8(e, 0x03);	/* jecxz trap */
	put8(e, 0x59);			/* pop ecx */
	put8(e, 0xEB); put8(e, 0x02);	/* jmp done */
	put8(e, 0x59);			/* trap: pop ecx */
	point(e, before_ret ? INLINE_AT_CHECK_RET : INLINE_AT_CHECK, next);
	put8(e, 0xCC);			/* int3: the hypervisor delivers, resumes after it */
}

/* A Jcc rel32 whose target is not known yet: returns where its displacement goes. */
static uint32_t jcc_forward(struct emit *e, uint8_t cond)
{
	put8(e, 0x0F);
	put8(e, (uint8_t)(0x80 | cond));
	uint32_t at = e->len;
	put32(e, 0);
	return at;
}

/* The Jcc whose displacement is at `at` goes to here. */
static void land(struct emit *e, uint32_t at)
{
	uint32_t rel = e->len - (at + 4);
	for (int i = 0; i < 4; i++)
		if (e->start + at + i < e->plan->code_size)
			e->plan->code[e->start + at + i] = (uint8_t)(rel >> (8 * i));
}

#define JCC_B	0x2
#define JCC_AE	0x3
#define JCC_E	0x4
#define JCC_NE	0x5
#define JCC_A	0x7

/* SS-relative moffs forms: MOV EAX, SS:[a]; MOV SS:[a], EAX. */
static void load_eax(struct emit *e, uint32_t a)
{
	put8(e, 0x36); put8(e, 0xA1); put32(e, a);
}

static void store_eax(struct emit *e, uint32_t a)
{
	put8(e, 0x36); put8(e, 0xA3); put32(e, a);
}

/*
 * One way out of the IRET template, the guest's EAX in the state page's
 * scratch word: the virtual IF and IOPL from the frame's EFLAGS (the old
 * ones kept), the pending check, the guest's EAX back, for the guest
 * kernel the frame's CS from RPL 0 to the real ring, then the real IRET.
 * Returns where its JNZ to the pending path's displacement goes.
 */
static uint32_t emit_iret_commit(struct emit *e, uint32_t guest_la, int to_kernel)
{
	const struct inline_layout *l = &e->plan->layout;

	put8(e, 0x36); put8(e, 0x8B); put8(e, 0x44); put8(e, 0x24); put8(e, 0x08);	/* mov eax, ss:[esp+8] */
	put8(e, 0x25); put32(e, EFLAGS_IF);				/* and eax, IF */
	put8(e, 0x36); put8(e, 0x87); put8(e, 0x05); put32(e, l->vif);	/* xchg eax, ss:[vif] */
	store_eax(e, l->vif_saved);
	put8(e, 0x36); put8(e, 0x8B); put8(e, 0x44); put8(e, 0x24); put8(e, 0x08);
	put8(e, 0x25); put32(e, EFLAGS_IOPL);				/* and eax, IOPL */
	put8(e, 0x36); put8(e, 0x87); put8(e, 0x05); put32(e, l->viopl);	/* xchg eax, ss:[viopl] */
	store_eax(e, l->viopl_saved);
	/* Set before it is checked: see "IRET" above for why in this order. */
	load_eax(e, l->vif);
	put8(e, 0x36); put8(e, 0x23); put8(e, 0x05); put32(e, l->pending);	/* and eax, ss:[pending] */
	uint32_t to_pending = jcc_forward(e, JCC_NE);
	load_eax(e, l->eax_saved);	/* the guest's EAX: from here on its registers are all its own */
	if (to_kernel) {
		/*
		 * add byte ss:[esp+4], ring: the frame's CS, RPL 0, as the real CPU
		 * must see it. The template's only write to guest memory, and
		 * where the frame was only read so far: a fault here is no fault
		 * of the IRET's (point INLINE_AT_IRET_WRITE).
		 */
		point(e, INLINE_AT_IRET_WRITE, guest_la);
		put8(e, 0x36); put8(e, 0x80); put8(e, 0x44); put8(e, 0x24); put8(e, 0x04);
		put8(e, (uint8_t)l->ring);
	}
	point(e, to_kernel ? INLINE_AT_IRET_COMMIT : INLINE_AT_IRET_COMMIT_USER, guest_la);
	put8(e, 0xCF);			/* iret */
	return to_pending;
}

/*
 * The IRET template (its point INLINE_AT_INSN already emitted). The frame
 * is EIP, CS, EFLAGS (and ESP, SS to user mode) at SS:ESP; the state page
 * is reached through SS too, since at a kernel's IRET DS is often already
 * the user program's (deprivilege/inline_patch.h says what this asks of
 * the guest's SS).
 */
static void emit_iret(struct emit *e, uint32_t guest_la)
{
	const struct inline_layout *l = &e->plan->layout;
	uint32_t to_fallback[3], to_fallback_pop[3], to_kernel, to_pending[2];

	/* A stack the frame would wrap around, or that reaches the switcher: trapped as before. */
	put8(e, 0x81); put8(e, 0xFC); put32(e, 8);			/* cmp esp, 8 */
	to_fallback[0] = jcc_forward(e, JCC_B);
	put8(e, 0x81); put8(e, 0xFC); put32(e, l->iret_esp_max);	/* cmp esp, iret_esp_max */
	to_fallback[1] = jcc_forward(e, JCC_A);
	/*
	 * The frame's first and third words read while nothing but the flags
	 * has changed (points: a fault there is the IRET's), so the rest of the
	 * template reads only pages already read. A task return (NT) or
	 * virtual-8086 mode in the frame: trapped.
	 */
	point(e, INLINE_AT_IRET, guest_la);
	put8(e, 0x36); put8(e, 0x83); put8(e, 0x3C); put8(e, 0x24); put8(e, 0x00);	/* cmp dword ss:[esp], 0 */
	point(e, INLINE_AT_IRET, guest_la);
	put8(e, 0x36); put8(e, 0xF7); put8(e, 0x44); put8(e, 0x24); put8(e, 0x08);
	put32(e, EFLAGS_NT | EFLAGS_VM);				/* test dword ss:[esp+8], NT|VM */
	to_fallback[2] = jcc_forward(e, JCC_NE);
	/*
	 * The real NT is not tested: an IRET with it set is a task return,
	 * which the real IRET below refuses (#TS through the hypervisor's TSS),
	 * and the hypervisor then puts back what the template changed.
	 */
	/*
	 * EAX kept in the state page, not pushed: below the frame may be a
	 * page the guest's tables do not let it write, and the IRET writes
	 * nothing (hostile row iret-frame-edge).
	 */
	point(e, INLINE_AT_IRET, guest_la);
	store_eax(e, l->eax_saved);
	put8(e, 0x8C); put8(e, 0xC8);					/* mov eax, cs */
	put8(e, 0x8D); put8(e, 0x40); put8(e, (uint8_t)-(int)l->ring);	/* lea eax, [eax-ring] */
	put8(e, 0x66); put8(e, 0x36); put8(e, 0x39); put8(e, 0x44); put8(e, 0x24); put8(e, 0x04);
									/* cmp ss:[esp+4], ax */
	to_kernel = jcc_forward(e, JCC_E);
	to_pending[0] = UINT32_MAX;
	if (l->ring == 1) {
		put8(e, 0x36); put8(e, 0x8A); put8(e, 0x44); put8(e, 0x24); put8(e, 0x04);	/* mov al, ss:[esp+4] */
		put8(e, 0x24); put8(e, 0x03);					/* and al, 3 */
		put8(e, 0x3C); put8(e, 0x03);					/* cmp al, 3 */
		to_fallback_pop[0] = jcc_forward(e, JCC_NE);
		to_pending[0] = emit_iret_commit(e, guest_la, 0);
	} else {
		/*
		 * In ring 3 the kernel's CPL is user mode's: the real IRET to
		 * RPL 3 would change no privilege and leave ESP and SS in the
		 * frame. Such returns keep trapping.
		 */
		put8(e, 0xE9);						/* jmp fallback */
		to_fallback_pop[0] = e->len;
		put32(e, 0);
	}
	/*
	 * To the kernel: only to an address whose block of the region map is
	 * clear (a frame the hypervisor pushed at a point inside a region, kept
	 * by the kernel and returned to later, goes by the trapping IRET).
	 */
	land(e, to_kernel);
	put8(e, 0x36); put8(e, 0x8B); put8(e, 0x04); put8(e, 0x24);	/* mov eax, ss:[esp] */
	put8(e, 0x2D); put32(e, l->region_map_base);			/* sub eax, base */
	put8(e, 0x3D); put32(e, INLINE_REGION_MAP_BITS);		/* cmp eax, size */
	to_fallback_pop[1] = jcc_forward(e, JCC_AE);
	put8(e, 0x36); put8(e, 0x0F); put8(e, 0xA3); put8(e, 0x05); put32(e, l->region_map);
									/* bt ss:[map], eax */
	to_fallback_pop[2] = jcc_forward(e, JCC_B);
	to_pending[1] = emit_iret_commit(e, guest_la, 1);
	/* An interrupt waits and the IRET would enable it: the old flags back, and trapped. */
	if (to_pending[0] != UINT32_MAX)
		land(e, to_pending[0]);
	land(e, to_pending[1]);
	load_eax(e, l->vif_saved);
	store_eax(e, l->vif);
	load_eax(e, l->viopl_saved);
	store_eax(e, l->viopl);
	for (int i = 0; i < 3; i++)
		land(e, to_fallback_pop[i]);
	load_eax(e, l->eax_saved);
	for (int i = 0; i < 3; i++)
		land(e, to_fallback[i]);
	point(e, INLINE_AT_IRET, guest_la);
	put8(e, 0xCF);			/* iret: the guest's own, trapping as without the template */
}

static void emit_template(struct emit *e, const struct moved *m, const uint8_t *bytes)
{
	const struct inline_layout *l = &e->plan->layout;
	uint8_t minus_rpl = (uint8_t)-(int)l->ring;

	switch (m->site_kind) {
	case PATCH_CLI:
		put8(e, 0xC7); put8(e, 0x05); put32(e, l->vif); put32(e, 0);	/* mov [vif], 0 */
		break;
	case PATCH_STI:
		put8(e, 0xC7); put8(e, 0x05); put32(e, l->vif); put32(e, EFLAGS_IF);
		break;
	case PATCH_PUSHF:
		/* The real EFLAGS has IF 1 and IOPL 0 while the guest runs: swap in the virtual ones. */
		put8(e, 0x9C);			/* pushfd: the image */
		put8(e, 0x50);			/* push eax */
		put8(e, 0x52);			/* push edx */
		put8(e, 0x8B); put8(e, 0x44); put8(e, 0x24); put8(e, 0x08);	/* mov eax, [esp+8] */
		put8(e, 0x8B); put8(e, 0x15); put32(e, l->vif);		/* mov edx, [vif] */
		put8(e, 0x8D); put8(e, 0x84); put8(e, 0x10); put32(e, (uint32_t)-(int32_t)EFLAGS_IF);
									/* lea eax, [eax+edx-IF] */
		put8(e, 0x8B); put8(e, 0x15); put32(e, l->viopl);	/* mov edx, [viopl] */
		put8(e, 0x8D); put8(e, 0x04); put8(e, 0x10);		/* lea eax, [eax+edx] */
		put8(e, 0x89); put8(e, 0x44); put8(e, 0x24); put8(e, 0x08);	/* mov [esp+8], eax */
		put8(e, 0x5A);			/* pop edx */
		put8(e, 0x58);			/* pop eax */
		break;
	case PATCH_POPF:
		/* IF and IOPL of the popped value through the tables (no AND: the flags stay the guest's). */
		put8(e, 0x50);			/* push eax */
		put8(e, 0x0F); put8(e, 0xB6); put8(e, 0x44); put8(e, 0x24); put8(e, 0x05);
						/* movzx eax, byte [esp+5]: bits 8..15 of the value */
		put8(e, 0x8B); put8(e, 0x04); put8(e, 0x85); put32(e, l->if_table);	/* mov eax, [if_table+eax*4] */
		put8(e, 0xA3); put32(e, l->vif);				/* mov [vif], eax */
		put8(e, 0x0F); put8(e, 0xB6); put8(e, 0x44); put8(e, 0x24); put8(e, 0x05);
		put8(e, 0x8B); put8(e, 0x04); put8(e, 0x85); put32(e, l->iopl_table);
		put8(e, 0xA3); put32(e, l->viopl);
		put8(e, 0x58);			/* pop eax */
		put8(e, 0x9D);			/* popfd: everything else, as the real CPU does it */
		break;
	case PATCH_IRET:
		emit_iret(e, m->la);
		break;
	case PATCH_PUSH_CS:
		put8(e, 0x50);			/* push eax */
		put8(e, 0x8C); put8(e, 0xC8);	/* mov eax, cs */
		put8(e, 0x8D); put8(e, 0x40); put8(e, minus_rpl);	/* lea eax, [eax-rpl] */
		put8(e, 0x87); put8(e, 0x04); put8(e, 0x24);		/* xchg eax, [esp] */
		break;
	case PATCH_MOV_FROM_CS:
		put(e, bytes, m->len);		/* the MOV itself, then RPL taken off the register */
		if (m->size16)
			put8(e, 0x66);
		put8(e, 0x8D); put8(e, (uint8_t)(0x40 | m->reg << 3 | m->reg)); put8(e, minus_rpl);
		break;
	}
}

static void emit_moved(struct emit *e, const struct moved *m, const uint8_t *bytes)
{
	static const uint8_t jmp[] = { 0xE9 };

	switch (m->kind) {
	case MOVED_COPY:
	case MOVED_END:
		put(e, bytes, m->len);
		break;
	case MOVED_JCC: {
		const uint8_t jcc[] = { 0x0F, (uint8_t)(0x80 | m->cond) };
		branch32(e, jcc, 2, m->target);
		break;
	}
	case MOVED_JMP:
		branch32(e, jmp, 1, m->target);
		break;
	case MOVED_CALL:
		put8(e, 0x68); put32(e, m->la + m->len);	/* push the original return address */
		branch32(e, jmp, 1, m->target);
		break;
	case MOVED_TEMPLATE:
		emit_template(e, m, bytes);
		break;
	}
}

/*
 * 1. The region: the instructions from start_la (the site, or an
 * instruction shortly before it that falls through to it) on.
 */
static int plan_region(csh handle, const struct patch_region *code, const uint8_t *visited,
		       const uint8_t *targets, uint32_t start_la, uint32_t site_la,
		       struct inline_plan *plan)
{
	struct moved moved[MOVED_MAX];
	unsigned n = 0;
	uint32_t total = 0, start_off = start_la - code->la, site_off = site_la - code->la;
	int prev_sti = 0, ended = 0, status = INLINE_OK;

	if (plan->nregions == plan->max_regions)
		return INLINE_NO_ROOM;
	cs_insn *insn = cs_malloc(handle);
	if (!insn)
		return INLINE_NO_ROOM;

	while (total < INLINE_JUMP_LEN || prev_sti || start_off + total <= site_off) {
		uint32_t off = start_off + total;
		const uint8_t *p = code->bytes + off;
		size_t avail = code->size - off;
		uint64_t address = (uint64_t)code->la + off;

		if (off >= code->size || n == MOVED_MAX) {
			status = INLINE_TOO_SHORT;
			break;
		}
		if (n > 0 && !ended && bit(targets, off)) {
			status = INLINE_TARGET_INSIDE;
			break;
		}
		if (avail > X86_MAX_INSN_LEN)
			avail = X86_MAX_INSN_LEN;
		if (ended) {
			/*
			 * The path ended short of 5 bytes: the jump may still cover
			 * padding after it, never code something reaches.
			 */
			if (bit(visited, off) || bit(targets, off) ||
			    !cs_disasm_iter(handle, &p, &avail, &address, insn) ||
			    !insn->detail || !is_padding(insn)) {
				status = INLINE_TOO_SHORT;
				break;
			}
			total += insn->size;
			continue;
		}
		if (!bit(visited, off) || !cs_disasm_iter(handle, &p, &avail, &address, insn) ||
		    !insn->detail) {
			status = n ? INLINE_TOO_SHORT : INLINE_BAD_SITE;
			break;
		}
		struct moved *m = &moved[n];
		int how = classify(insn, code->la + off, m);
		if (off == site_off && (how != 1 || m->kind != MOVED_TEMPLATE)) {
			status = how < 0 ? INLINE_NOT_EXACT : INLINE_BAD_SITE;
			break;
		}
		int iret = m->kind == MOVED_TEMPLATE && m->site_kind == PATCH_IRET;
		/* Before the site: only what falls through to it, and ends exactly there. */
		if (off < site_off && (how != 1 || m->kind == MOVED_JMP || m->kind == MOVED_CALL ||
				       m->kind == MOVED_END || iret || off + m->len > site_off)) {
			status = INLINE_TOO_SHORT;
			break;
		}
		if (how != 1) {
			status = INLINE_TOO_SHORT;
			break;
		}
		/*
		 * The instruction in STI's shadow is followed by the check: it must
		 * fall through, or be a plain RET, which the check precedes (the
		 * hypervisor completes the RET when it delivers).
		 */
		m->in_shadow = (uint8_t)prev_sti;
		/* An IRET in STI's shadow keeps trapping: its template has no place for the check. */
		if (prev_sti && ((m->kind != MOVED_COPY && m->kind != MOVED_TEMPLATE &&
				  !(m->kind == MOVED_END && m->cond)) || iret)) {
			status = INLINE_TOO_SHORT;
			break;
		}
		prev_sti = m->kind == MOVED_TEMPLATE && m->site_kind == PATCH_STI;
		ended = m->kind == MOVED_JMP || m->kind == MOVED_CALL || m->kind == MOVED_END || iret;
		total += m->len;
		n++;
	}
	cs_free(insn, 1);
	if (status == INLINE_OK && total > INLINE_REGION_MAX)
		status = INLINE_TOO_SHORT;
	/* Nothing else reached may start inside the replaced bytes (overlapping code). */
	for (uint32_t i = 1, k = 1; status == INLINE_OK && i < total; i++) {
		if (k < n && moved[k].la == start_la + i) {
			k++;
			continue;
		}
		if (bit(visited, start_off + i) || bit(targets, start_off + i))
			status = INLINE_TARGET_INSIDE;
	}
	if (status != INLINE_OK)
		return status;

	/* 2-3. The code: each instruction at its point, a check where IF may have become 1. */
	static struct emit e;
	memset(&e, 0, sizeof e);
	e.plan = plan;
	e.start = plan->code_used;
	for (unsigned i = 0; i < n; i++) {
		const struct moved *m = &moved[i];
		uint32_t next = m->la + m->len;
		point(&e, m->in_shadow ? INLINE_IN_SHADOW : INLINE_AT_INSN, m->la);
		if (m->in_shadow && m->kind == MOVED_END)
			emit_check(&e, m->la, 1);
		emit_moved(&e, m, code->bytes + (m->la - code->la));
		if (m->kind == MOVED_TEMPLATE && m->site_kind == PATCH_POPF)
			emit_check(&e, next, 0);
		else if (m->in_shadow && m->kind != MOVED_END)
			emit_check(&e, next, 0);
	}
	if (!ended) {
		static const uint8_t jmp[] = { 0xE9 };
		point(&e, INLINE_AT_END, start_la + total);
		branch32(&e, jmp, 1, start_la + total);
	}
	if (e.overflow || plan->npoints + e.npoints > plan->max_points)
		return INLINE_NO_ROOM;	/* code_used unchanged: the bytes written are free again */

	struct inline_region *r = &plan->regions[plan->nregions++];
	memset(r, 0, sizeof *r);
	r->la = start_la;
	r->len = (uint8_t)total;
	memcpy(r->original, code->bytes + start_off, total);
	r->code_la = plan->code_la + e.start;
	r->code_len = e.len;
	r->first_point = plan->npoints;
	r->npoints = e.npoints;
	memcpy(&plan->points[plan->npoints], e.points, e.npoints * sizeof e.points[0]);
	plan->npoints += e.npoints;
	/* The next region starts on a 16-byte boundary, as jump targets like to. */
	plan->code_used = (e.start + e.len + 15u) & ~15u;
	if (plan->code_used > plan->code_size)
		plan->code_used = plan->code_size;
	return INLINE_OK;
}

/*
 * The instruction that ends exactly at off and was reached, or 0 if none
 * (its start returned in *prev).
 */
static int previous_insn(csh handle, const struct patch_region *code, const uint8_t *visited,
			 uint32_t off, uint32_t *prev)
{
	cs_insn *insn = cs_malloc(handle);
	int found = 0;

	if (!insn)
		return 0;
	for (uint32_t len = 1; !found && len <= X86_MAX_INSN_LEN && len <= off; len++) {
		const uint8_t *p = code->bytes + off - len;
		size_t avail = len;
		uint64_t address = (uint64_t)code->la + off - len;
		if (bit(visited, off - len) && cs_disasm_iter(handle, &p, &avail, &address, insn) &&
		    insn->size == len) {
			*prev = off - len;
			found = 1;
		}
	}
	cs_free(insn, 1);
	return found;
}

/* The region may start before the site only where no region planned before lies. */
static int overlaps_a_region(const struct inline_plan *plan, uint32_t start_la, uint32_t site_la)
{
	for (unsigned i = 0; i < plan->nregions; i++)
		if (plan->regions[i].la < site_la && plan->regions[i].la + plan->regions[i].len > start_la)
			return 1;
	return 0;
}

int inline_plan_site(csh handle, const struct patch_region *code, const uint8_t *visited,
		     const uint8_t *targets, uint32_t site_la, struct inline_plan *plan)
{
	uint32_t site_off = site_la - code->la, start_off = site_off;

	if (site_off >= code->size || !bit(visited, site_off))
		return INLINE_BAD_SITE;
	int status = plan_region(handle, code, visited, targets, site_la, site_la, plan);
	/*
	 * Too short after it (xv6's popcli ends STI; LEAVE; RET, and a function
	 * follows): the instructions just before it may move with it, if they
	 * fall through to it and nothing is known to jump to it or between them.
	 */
	for (unsigned back = 0; status == INLINE_TOO_SHORT && back < INLINE_BACK_MAX; back++) {
		if (bit(targets, start_off) ||
		    !previous_insn(handle, code, visited, start_off, &start_off) ||
		    overlaps_a_region(plan, code->la + start_off, site_la))
			return INLINE_TOO_SHORT;
		status = plan_region(handle, code, visited, targets, code->la + start_off, site_la,
				     plan);
		/* Something jumps inside: starting further back keeps it inside. */
		if (status == INLINE_TARGET_INSIDE)
			return INLINE_TOO_SHORT;
	}
	return status;
}

void inline_apply(uint8_t *code, uint32_t code_la, const struct inline_region *r)
{
	uint8_t *at = code + (r->la - code_la);
	uint32_t rel = r->code_la - (r->la + INLINE_JUMP_LEN);

	at[0] = 0xE9;
	for (int i = 0; i < 4; i++)
		at[1 + i] = (uint8_t)(rel >> (8 * i));
	/* Bytes past the jump are never run: an INT3 there makes a stray jump into them trap. */
	for (unsigned i = INLINE_JUMP_LEN; i < r->len; i++)
		at[i] = PATCH_TRAP_BYTE;
}

void inline_restore(uint8_t *code, uint32_t code_la, const struct inline_region *r)
{
	memcpy(code + (r->la - code_la), r->original, r->len);
}

/* 5. Lookups. */
const struct inline_point *inline_point_at(const struct inline_plan *plan, uint32_t la)
{
	unsigned lo = 0, hi = plan->npoints;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (plan->points[mid].patch_la == la)
			return &plan->points[mid];
		if (plan->points[mid].patch_la < la)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t inline_iret_own_at(const struct inline_plan *plan, uint32_t commit_la)
{
	const struct inline_point *p = inline_point_at(plan, commit_la);
	if (!p || (p->kind != INLINE_AT_IRET_WRITE && p->kind != INLINE_AT_IRET_COMMIT &&
		   p->kind != INLINE_AT_IRET_COMMIT_USER))
		return 0;
	/* emit_iret: both commits, then the trapping IRET, all for one guest_la. */
	for (const struct inline_point *q = p + 1;
	     q < plan->points + plan->npoints && q->guest_la == p->guest_la; q++)
		if (q->kind == INLINE_AT_IRET)
			return q->patch_la;
	return 0;
}

const struct inline_region *inline_region_inside(const struct inline_plan *plan, uint32_t guest_la)
{
	unsigned lo = 0, hi = plan->nregions;

	/* The last region starting below guest_la is the only candidate. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (plan->regions[mid].la < guest_la)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct inline_region *r = &plan->regions[lo - 1];
	return guest_la - r->la < r->len ? r : NULL;
}

const struct inline_region *inline_region_by_code(const struct inline_plan *plan, uint32_t code_la)
{
	unsigned lo = 0, hi = plan->nregions;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (plan->regions[mid].code_la == code_la)
			return &plan->regions[mid];
		if (plan->regions[mid].code_la < code_la)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t inline_resume_at(const struct inline_plan *plan, const struct inline_region *r,
			  uint32_t guest_la)
{
	for (unsigned i = 0; i < r->npoints; i++) {
		const struct inline_point *p = &plan->points[r->first_point + i];
		if (p->guest_la == guest_la &&
		    (p->kind == INLINE_AT_INSN || p->kind == INLINE_IN_SHADOW))
			return p->patch_la;
	}
	return 0;
}

void inline_entry_stub(uint8_t *out, uint32_t stub_la, const struct inline_layout *l,
		       uint32_t handler_la)
{
	/*
	 * Through SS, never DS: the CPU enters with the user program's DS, a
	 * selector of its choosing (null, or a segment based wherever it likes),
	 * while SS is the ring-1 stack the hypervisor checked (hv/direct.c,
	 * based at 0). Through DS the store faulted on a CPU that checks a null
	 * DS, and elsewhere wrote 0x200 at the user's base + vif, at ring 1.
	 */
	uint32_t vif = l->vif, set = EFLAGS_IF, rel = handler_la - (stub_la + INLINE_ENTRY_STUB_LEN);
	uint8_t stub[INLINE_ENTRY_STUB_LEN] = { 0x36, 0xC7, 0x05 };	/* mov ss:[vif], EFLAGS_IF */

	memcpy(stub + 3, &vif, 4);
	memcpy(stub + 7, &set, 4);
	stub[11] = 0xE9;					/* jmp handler */
	memcpy(stub + 12, &rel, 4);
	memcpy(out, stub, sizeof stub);
}

/*
 * A direct kernel gate's entry (hv/direct.c): the CPU delivered INT n or
 * #DE through a real trap gate of DPL 1 (never an interrupt gate: the real
 * IF must stay 1), pushing EIP, CS with the real RPL and the real EFLAGS
 * (IF 1, IOPL 0), and left IF and the virtual IF alone. The per-vector
 * stub (11 bytes) keeps EAX and jumps to the body with the handler's
 * offset in EAX:
 *   push eax; mov eax, handler; jmp body
 * The body makes the frame the bare CPU's at CPL 0 and the virtual IF the
 * gate's:
 *   - from the kernel (CS RPL 1): CS with RPL 0; the frame's IF and IOPL
 *     the virtual ones;
 *   - from user mode (CS RPL 3, only a #DE reaches a DPL-0 gate from
 *     there, INT n faults): the frame's IOPL the virtual one, its IF the 1
 *     user code runs with;
 *   - an interrupt gate clears the virtual IF; a trap gate keeps it, or
 *     from user mode makes it the user's 1;
 * then returns into the handler (RET to the offset it put on the stack).
 * Only MOV, MOVZX, LEA, NOT, XCHG, JECXZ, JMP and RET: the arithmetic
 * flags arrive at the handler as the interrupted code left them, as the
 * bare CPU delivers them, and a single step by the hypervisor (a tick
 * that must wait for the handler's first instruction) leaks into no copy.
 * Everything goes through SS, the checked ring-1 stack from user mode and
 * the kernel's own (based at 0, as the inline mode asks) from the kernel.
 */
void inline_kernel_entry_stub(uint8_t *out, uint32_t stub_la, uint32_t body_la,
			      uint32_t handler_offset)
{
	uint32_t rel = body_la - (stub_la + INLINE_KERNEL_STUB_LEN);

	out[0] = 0x50;					/* push eax */
	out[1] = 0xB8;					/* mov eax, handler */
	memcpy(out + 2, &handler_offset, 4);
	out[6] = 0xE9;					/* jmp body */
	memcpy(out + 7, &rel, 4);
}

uint32_t inline_kernel_entry_body(uint8_t *out, uint32_t size, uint32_t body_la,
				  const struct inline_layout *l, int interrupt_gate)
{
	struct inline_plan p = { .code = out, .code_la = body_la, .code_size = size, .layout = *l };
	static struct emit e;

	memset(&e, 0, sizeof e);
	e.plan = &p;
	/* Entered with [esp] the guest's EAX, EAX the handler, [esp+4] EIP, +8 CS, +12 EFLAGS. */
	put8(&e, 0x51);							/* push ecx */
	put8(&e, 0x87); put8(&e, 0x44); put8(&e, 0x24); put8(&e, 0x04);	/* xchg eax, [esp+4] */
	/* Now [esp] ECX, [esp+4] the handler, [esp+8] EIP, +12 CS, +16 EFLAGS; EAX the guest's. */
	put8(&e, 0x50);							/* push eax */
	/* [esp] EAX, +4 ECX, +8 handler, +12 EIP, +16 CS, +20 EFLAGS */
	put8(&e, 0x36); put8(&e, 0x0F); put8(&e, 0xB6); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x10);
									/* movzx ecx, byte ss:[esp+16] */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x0C); put8(&e, 0x8D); put32(&e, l->if_table);
						/* mov ecx, ss:[if_table+ecx*4]: RPL bit 1, as IF's place */
	put8(&e, 0xE3); uint32_t to_kernel = e.len; put8(&e, 0);	/* jecxz kernel */
	/* From user mode: IOPL out of the frame's EFLAGS. */
	put8(&e, 0x36); put8(&e, 0x0F); put8(&e, 0xB6); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x15);
									/* movzx ecx, byte ss:[esp+21] */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x04); put8(&e, 0x8D); put32(&e, l->iopl_table);
									/* mov eax, ss:[iopl_table+ecx*4] */
	if (!interrupt_gate) {
		put8(&e, 0x36); put8(&e, 0xC7); put8(&e, 0x05); put32(&e, l->vif); put32(&e, EFLAGS_IF);
									/* mov ss:[vif], IF */
	}
	put8(&e, 0xEB); uint32_t to_merge = e.len; put8(&e, 0);	/* jmp merge */
	/* From the kernel: CS with RPL 0; IF and IOPL out of the frame's EFLAGS, the virtual IF in. */
	e.plan->code[to_kernel] = (uint8_t)(e.len - (to_kernel + 1));
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x10);	/* mov ecx, ss:[esp+16] */
	put8(&e, 0x8D); put8(&e, 0x49); put8(&e, (uint8_t)-(int)l->ring);		/* lea ecx, [ecx-ring] */
	put8(&e, 0x36); put8(&e, 0x89); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x10);	/* mov ss:[esp+16], ecx */
	put8(&e, 0x36); put8(&e, 0x0F); put8(&e, 0xB6); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x15);
									/* movzx ecx, byte ss:[esp+21] */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x04); put8(&e, 0x8D); put32(&e, l->if_table);
									/* mov eax, ss:[if_table+ecx*4] */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x0C); put8(&e, 0x8D); put32(&e, l->iopl_table);
									/* mov ecx, ss:[iopl_table+ecx*4] */
	put8(&e, 0x8D); put8(&e, 0x04); put8(&e, 0x08);			/* lea eax, [eax+ecx] */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x0D); put32(&e, l->vif);	/* mov ecx, ss:[vif] */
	put8(&e, 0xF7); put8(&e, 0xD1);					/* not ecx */
	put8(&e, 0x8D); put8(&e, 0x44); put8(&e, 0x08); put8(&e, 0x01);	/* lea eax, [eax+ecx+1]: minus vif */
	/* merge: EAX holds what to take out of the frame's EFLAGS (IF and IOPL bits there, less the new IF). */
	e.plan->code[to_merge] = (uint8_t)(e.len - (to_merge + 1));
	put8(&e, 0xF7); put8(&e, 0xD0);					/* not eax */
	put8(&e, 0x36); put8(&e, 0x8B); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x14);	/* mov ecx, ss:[esp+20] */
	put8(&e, 0x8D); put8(&e, 0x4C); put8(&e, 0x01); put8(&e, 0x01);	/* lea ecx, [ecx+eax+1]: minus eax */
	put8(&e, 0x36); put8(&e, 0xA1); put32(&e, l->viopl);		/* mov eax, ss:[viopl] */
	put8(&e, 0x8D); put8(&e, 0x0C); put8(&e, 0x01);			/* lea ecx, [ecx+eax] */
	put8(&e, 0x36); put8(&e, 0x89); put8(&e, 0x4C); put8(&e, 0x24); put8(&e, 0x14);	/* mov ss:[esp+20], ecx */
	if (interrupt_gate) {
		put8(&e, 0x36); put8(&e, 0xC7); put8(&e, 0x05); put32(&e, l->vif); put32(&e, 0);
									/* mov ss:[vif], 0 */
	}
	put8(&e, 0x58);							/* pop eax */
	put8(&e, 0x59);							/* pop ecx */
	put8(&e, 0xC3);							/* ret: into the handler */
	return e.overflow ? 0 : e.len;
}

void inline_fill_region_map(const struct inline_plan *plan, uint8_t *map)
{
	memset(map, 0, INLINE_REGION_MAP_BYTES);
	for (unsigned i = 0; i < plan->nregions; i++) {
		const struct inline_region *r = &plan->regions[i];
		for (uint32_t la = r->la + 1; la < r->la + r->len; la++) {
			uint32_t bit = la - plan->layout.region_map_base;
			if (la >= plan->layout.region_map_base && bit < INLINE_REGION_MAP_BITS)
				map[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
	}
}

void inline_fill_tables(uint32_t *if_table, uint32_t *iopl_table)
{
	for (uint32_t b = 0; b < 256; b++) {
		if_table[b] = (b << 8) & EFLAGS_IF;
		iopl_table[b] = (b << 8) & EFLAGS_IOPL;
	}
}

const char *inline_status_text(int status)
{
	switch (status) {
	case INLINE_OK:
		return "inline: ok";
	case INLINE_NOT_EXACT:
		return "inline: no exact inline form (16-bit operand, or CS to memory): it traps";
	case INLINE_TOO_SHORT:
		return "inline: fewer than 5 movable bytes before the path ends or an instruction that cannot move";
	case INLINE_TARGET_INSIDE:
		return "inline: something may jump inside the bytes the jump would replace";
	case INLINE_NO_ROOM:
		return "inline: the patch code area is full";
	case INLINE_BAD_SITE:
		return "inline: not a reached sensitive instruction";
	}
	return "inline: unknown status";
}
