/*
 * deprivilege/patcher.c: finds sensitive-but-unprivileged instructions in
 * guest code by recursive-descent disassembly, and rewrites them to trap.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 *   1. Flow: what follows an instruction (its fall-through, its branch
 *      target, or nothing), from Capstone's id, groups and operands.
 *   2. The walk: follow one path until it ends, queueing branch targets on a
 *      small fixed worklist; if the worklist overflows, the targets it lost
 *      are found again by re-reading the instructions already visited.
 *   3. The sites: each reached instruction of the chosen kinds, kept sorted.
 *   4. The overlap check: a site whose first byte is also inside another
 *      reached instruction cannot be patched without changing that one.
 *   5. Apply, restore, lookup.
 *
 * Why recursive descent and not a linear sweep: x86 code holds data (jump
 * tables, literal pools, padding) and instructions of every length, so a
 * sweep that decodes byte after byte sees a POPF in "mov eax, 0x9d9d9d9d"
 * or in a table entry, and patching it would corrupt the guest. Only bytes
 * that execution can reach as an instruction start are instructions.
 */
#include "deprivilege/patcher.h"

#include "lib/string.h"

#define X86_MAX_INSN_LEN	15	/* the architectural limit */

/*
 * Branch targets waiting to be followed. Small, so a scan costs no heap
 * and little stack; overflowing it costs time (a re-read), never sites.
 */
#define PATCHER_WORKLIST	64

/* What can execute after an instruction. */
struct flow {
	int falls_through;	/* the next instruction in memory */
	int has_target;		/* a direct branch or call target, in target */
	uint32_t target;
};

struct scan {
	csh handle;
	cs_insn *insn;
	const struct patch_region *code;
	unsigned set;
	uint8_t *visited;
	uint8_t *targets;	/* NULL, or a bit per known way in (patcher_scan_targets) */
	struct patch_site *sites;
	unsigned max_sites;
	unsigned nsites;
	uint32_t work[PATCHER_WORKLIST];	/* offsets into the region */
	unsigned nwork;
	int lost_work;		/* a target was dropped because work was full */
};

static int is_visited(const struct scan *s, uint32_t off)
{
	return s->visited[off / 8] & (1u << (off % 8));
}

static void mark_visited(struct scan *s, uint32_t off)
{
	s->visited[off / 8] |= (uint8_t)(1u << (off % 8));
}

/* Offset of la in the region, or code->size if la lies outside it. */
static uint32_t offset_of(const struct scan *s, uint32_t la);

/* Something can jump to la (a root, a branch or call target, a return address). */
static void mark_target(struct scan *s, uint32_t la)
{
	uint32_t off = offset_of(s, la);

	if (s->targets && off < s->code->size)
		s->targets[off / 8] |= (uint8_t)(1u << (off % 8));
}


static uint32_t offset_of(const struct scan *s, uint32_t la)
{
	uint32_t off = la - s->code->la;	/* below la wraps to a huge value */

	return off < s->code->size ? off : s->code->size;
}

/*
 * Decodes the instruction at off into s->insn. Returns 1 if it decodes and
 * ends inside the region; 0 otherwise (invalid bytes, or an instruction cut
 * off by the end of the region).
 */
static int decode(struct scan *s, uint32_t off)
{
	const uint8_t *p = s->code->bytes + off;
	size_t avail = s->code->size - off;
	uint64_t address = (uint64_t)s->code->la + off;

	if (avail > X86_MAX_INSN_LEN)
		avail = X86_MAX_INSN_LEN;
	return cs_disasm_iter(s->handle, &p, &avail, &address, s->insn);
}

static int in_group(const cs_insn *insn, uint8_t group)
{
	const cs_detail *d = insn->detail;
	unsigned i;

	for (i = 0; i < d->groups_count; i++)
		if (d->groups[i] == group)
			return 1;
	return 0;
}

/* 1. Flow. */
static struct flow flow_of(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;
	struct flow f = { .falls_through = 1 };
	int direct = in_group(insn, X86_GRP_BRANCH_RELATIVE) &&
		     x86->op_count >= 1 && x86->operands[0].type == X86_OP_IMM;

	if (in_group(insn, X86_GRP_RET) || in_group(insn, X86_GRP_IRET))
		f.falls_through = 0;
	switch (insn->id) {
	case X86_INS_UD0:
	case X86_INS_UD2:
	case X86_INS_UD2B:
		f.falls_through = 0;	/* deliberately invalid: nothing follows */
		break;
	case X86_INS_LJMP:
		/* Its target is relative to a segment base we do not know. */
		f.falls_through = 0;
		break;
	case X86_INS_JMP:
		/* Direct: go on at the target. Indirect: the target is data. */
		f.falls_through = 0;
		break;
	}
	/*
	 * Capstone puts JMP, Jcc, JECXZ, LOOPcc and CALL rel in
	 * BRANCH_RELATIVE and has already added the displacement to the
	 * address of the next instruction.
	 */
	if (direct) {
		f.has_target = 1;
		f.target = (uint32_t)x86->operands[0].imm;
	}
	/*
	 * Everything else falls through: CALL (the callee is assumed to
	 * return), INT n, and HLT, after which an interrupt resumes at the next
	 * instruction; a "1: hlt; jmp 1b" loop ends at the visited HLT.
	 */
	return f;
}

/* 2. The walk. */
static void queue_target(struct scan *s, uint32_t la)
{
	uint32_t off = offset_of(s, la);

	if (off == s->code->size || is_visited(s, off))
		return;
	if (s->nwork == PATCHER_WORKLIST) {
		s->lost_work = 1;
		return;
	}
	s->work[s->nwork++] = off;
}

/* 3. The sites. */
static unsigned sensitive_kind(const cs_insn *insn)
{
	const cs_x86 *x86 = &insn->detail->x86;

	switch (insn->id) {
	case X86_INS_POPF:	/* 16-bit operand */
	case X86_INS_POPFD:
		return PATCH_POPF;
	case X86_INS_PUSHF:
	case X86_INS_PUSHFD:
		return PATCH_PUSHF;
	case X86_INS_CLI:
		return PATCH_CLI;
	case X86_INS_STI:
		return PATCH_STI;
	case X86_INS_IRETD:	/* the 16-bit IRET keeps trapping */
		return PATCH_IRET;
	case X86_INS_PUSH:
		if (x86->op_count == 1 && x86->operands[0].type == X86_OP_REG &&
		    x86->operands[0].reg == X86_REG_CS)
			return PATCH_PUSH_CS;
		if (x86->op_count == 1 && x86->operands[0].type == X86_OP_REG &&
		    x86->operands[0].reg == X86_REG_SS)
			return PATCH_SS_READ;
		return 0;
	case X86_INS_MOV:
		/* 8C /1 is the only MOV whose source is CS (MOV to CS is #UD); 8C /2 reads SS. */
		if (x86->op_count == 2 && x86->operands[1].type == X86_OP_REG &&
		    x86->operands[1].reg == X86_REG_CS)
			return PATCH_MOV_FROM_CS;
		if (x86->op_count == 2 && x86->operands[1].type == X86_OP_REG &&
		    x86->operands[1].reg == X86_REG_SS)
			return PATCH_SS_READ;
		return 0;
	case X86_INS_SGDT:
	case X86_INS_SIDT:
	case X86_INS_SLDT:
	case X86_INS_SMSW:
	case X86_INS_STR:
		return PATCH_SYS_STORE;
	case X86_INS_LAR:
	case X86_INS_LSL:
	case X86_INS_VERR:
	case X86_INS_VERW:
		return PATCH_DESC_QUERY;
	case X86_INS_LCALL:
		/* The 32-bit forms only: the emulation pushes 4-byte CS and EIP. */
		return x86->prefix[2] == X86_PREFIX_OPSIZE ? 0 : PATCH_FAR_CALL;
	}
	return 0;
}

/* Inserts the instruction in s->insn at offset off, keeping sites sorted by la. */
static int add_site(struct scan *s, uint32_t off, unsigned kind)
{
	uint32_t la = s->code->la + off;
	struct patch_site *site;
	unsigned i = s->nsites;

	if (s->nsites == s->max_sites)
		return PATCHER_ERR_TOO_MANY_SITES;
	/* Paths mostly run upward, so the place is usually at the end. */
	while (i > 0 && s->sites[i - 1].la > la)
		i--;
	memmove(&s->sites[i + 1], &s->sites[i],
		(s->nsites - i) * sizeof(s->sites[0]));
	s->nsites++;

	site = &s->sites[i];
	memset(site, 0, sizeof(*site));
	site->la = la;
	site->len = (uint8_t)s->insn->size;
	site->kind = (uint8_t)kind;
	site->id = s->insn->id;
	memcpy(site->original, s->code->bytes + off, s->insn->size);
	return PATCHER_OK;
}

/* Follows one path from off until it ends; queues the branch targets it passes. */
static int follow_path(struct scan *s, uint32_t off)
{
	for (;;) {
		struct flow f;
		unsigned kind;
		int rc;

		if (off >= s->code->size || is_visited(s, off))
			return PATCHER_OK;
		if (!decode(s, off))
			return PATCHER_OK;	/* not code after all: the path ends */
		if (!s->insn->detail)
			return PATCHER_ERR_NO_DETAIL;
		mark_visited(s, off);

		kind = sensitive_kind(s->insn) & s->set;
		if (kind) {
			rc = add_site(s, off, kind);
			if (rc != PATCHER_OK)
				return rc;
		}

		f = flow_of(s->insn);
		if (f.has_target)
			mark_target(s, f.target);
		if (in_group(s->insn, X86_GRP_CALL))
			mark_target(s, s->code->la + off + s->insn->size);	/* the callee returns there */
		if (f.falls_through) {
			if (f.has_target)
				queue_target(s, f.target);
			off += s->insn->size;
		} else if (f.has_target) {
			off = offset_of(s, f.target);	/* a JMP: no need to queue */
		} else {
			return PATCHER_OK;
		}
	}
}

static int drain_worklist(struct scan *s)
{
	while (s->nwork > 0) {
		int rc = follow_path(s, s->work[--s->nwork]);

		if (rc != PATCHER_OK)
			return rc;
	}
	return PATCHER_OK;
}

/*
 * Queues again every branch target of a visited instruction that is not
 * visited itself: among them, the ones an overflowing worklist dropped.
 * The worklist is drained whenever it fills, so this pass drops nothing;
 * the paths it follows may, and then patcher_scan runs another pass. Each
 * such pass follows new instructions, of which there are finitely many.
 */
static int requeue_lost_targets(struct scan *s)
{
	uint32_t off;

	s->lost_work = 0;
	for (off = 0; off < s->code->size; off++) {
		struct flow f;

		if (!is_visited(s, off) || !decode(s, off))
			continue;
		f = flow_of(s->insn);
		if (!f.has_target)
			continue;
		if (s->nwork == PATCHER_WORKLIST) {
			int rc = drain_worklist(s);

			if (rc != PATCHER_OK)
				return rc;
		}
		queue_target(s, f.target);
	}
	return drain_worklist(s);
}

/* 4. The overlap check. */
static int check_overlaps(struct scan *s)
{
	unsigned i;

	for (i = 0; i < s->nsites; i++) {
		uint32_t site_off = s->sites[i].la - s->code->la;
		uint32_t off = site_off > X86_MAX_INSN_LEN - 1 ?
			       site_off - (X86_MAX_INSN_LEN - 1) : 0;

		/* Any instruction that covers site_off starts at most 14 bytes before it. */
		for (; off < site_off; off++) {
			if (is_visited(s, off) && decode(s, off) &&
			    off + s->insn->size > site_off)
				return PATCHER_ERR_OVERLAP;
		}
	}
	return PATCHER_OK;
}

int patcher_scan(csh handle, const struct patch_region *code,
		 const uint32_t *roots, unsigned nroots, unsigned set,
		 uint8_t *visited, struct patch_site *sites,
		 unsigned max_sites, unsigned *nsites)
{
	return patcher_scan_targets(handle, code, roots, nroots, set, visited, NULL,
				    sites, max_sites, nsites);
}

int patcher_scan_targets(csh handle, const struct patch_region *code,
			 const uint32_t *roots, unsigned nroots, unsigned set,
			 uint8_t *visited, uint8_t *targets, struct patch_site *sites,
			 unsigned max_sites, unsigned *nsites)
{
	struct scan s;
	unsigned i;
	int rc = PATCHER_OK;

	if (nsites)
		*nsites = 0;
	if (!code || !nsites || !visited || (!roots && nroots) ||
	    (!sites && max_sites) || (!code->bytes && code->size))
		return PATCHER_ERR_ARGS;
	if (code->size && code->la + (code->size - 1) < code->la)
		return PATCHER_ERR_ARGS;	/* wraps past 4 GiB */

	memset(visited, 0, PATCHER_BITMAP_BYTES(code->size));
	if (targets)
		memset(targets, 0, PATCHER_BITMAP_BYTES(code->size));
	memset(&s, 0, sizeof(s));
	s.handle = handle;
	s.code = code;
	s.set = set;
	s.visited = visited;
	s.targets = targets;
	s.sites = sites;
	s.max_sites = max_sites;
	s.insn = cs_malloc(handle);
	if (!s.insn)
		return PATCHER_ERR_NOMEM;

	/* One root at a time: the worklist never holds roots, so none is lost. */
	for (i = 0; i < nroots && rc == PATCHER_OK; i++) {
		mark_target(&s, roots[i]);
		queue_target(&s, roots[i]);
		rc = drain_worklist(&s);
	}
	while (rc == PATCHER_OK && s.lost_work)
		rc = requeue_lost_targets(&s);
	if (rc == PATCHER_OK)
		rc = check_overlaps(&s);

	cs_free(s.insn, 1);
	*nsites = s.nsites;
	return rc;
}

/* 5. Apply, restore, lookup. */
void patcher_apply(uint8_t *code, uint32_t code_la, const struct patch_site *s)
{
	code[s->la - code_la] = PATCH_TRAP_BYTE;
}

void patcher_restore(uint8_t *code, uint32_t code_la,
		     const struct patch_site *s)
{
	code[s->la - code_la] = s->original[0];
}

const struct patch_site *patcher_lookup(const struct patch_site *sites,
					unsigned n, uint32_t la)
{
	unsigned lo = 0, hi = n;	/* the answer, if any, is in [lo, hi) */

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sites[mid].la == la)
			return &sites[mid];
		if (sites[mid].la < la)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *patcher_strerror(int status)
{
	switch (status) {
	case PATCHER_OK:
		return "patcher: ok";
	case PATCHER_ERR_ARGS:
		return "patcher: bad arguments (a NULL buffer, or a code region that wraps past 4 GiB)";
	case PATCHER_ERR_NO_DETAIL:
		return "patcher: the Capstone handle needs CS_OPT_DETAIL on";
	case PATCHER_ERR_NOMEM:
		return "patcher: Capstone could not allocate an instruction";
	case PATCHER_ERR_TOO_MANY_SITES:
		return "patcher: more sensitive instructions than the site table holds";
	case PATCHER_ERR_OVERLAP:
		return "patcher: a sensitive instruction starts inside another reachable instruction; it cannot be patched";
	}
	return "patcher: unknown status";
}
