/*
 * tests/fuzz_host/fuzz_patcher.c: fuzzes the patcher's scan
 * (deprivilege/patcher.c) with any code bytes, addresses and roots, against
 * the system's Capstone (the same 4.0.2 the hypervisor builds).
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: the region's address (u32), the instruction kinds to patch (u8),
 * the site table's size (u8), a root count (u8) and that many roots (u16
 * offsets from the region's start, so some fall outside it), then the code.
 *
 * Properties, from deprivilege/patcher.h:
 *   1. Only the bitmap's bytes and the site table are written (each is
 *      allocated to its exact size, so ASan sees a byte past either).
 *   2. Sites are sorted, distinct, inside the region, each a reached
 *      instruction start whose bytes are its `original`, of a chosen kind;
 *      the kind is checked against the opcode itself (after prefixes: 9D
 *      POPF, 9C PUSHF, 0E PUSH CS, 8C /1 MOV from CS).
 *   3. Completeness: every reached instruction of a chosen kind is a site;
 *      the reached set is closed under the flow the header describes
 *      (fall-through, direct jumps, calls, LOOP/JECXZ), and holds every root.
 *   4. The order of the roots changes nothing (the worklist overflows and
 *      is refilled differently): the same status, bitmap and sites.
 *   5. With PATCHER_OK, no site's first byte is inside another reached
 *      instruction; applying every site writes INT3 at each, lookup finds
 *      each by its address and nothing else, restoring gives the code back.
 */
#include <string.h>

#include "deprivilege/patcher.h"
#include "tests/fuzz_host/fuzz_input.h"

#define MAX_ROOTS	16
#define SITES_MAX	256

static csh cs;

/* The kind an instruction's bytes encode, from the opcode after its prefixes. */
static unsigned kind_of_bytes(const uint8_t *p, unsigned len)
{
	unsigned i = 0, opsize = 0;

	while (i < len && (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0xF0 || p[i] == 0xF2 ||
			   p[i] == 0xF3 || p[i] == 0x2E || p[i] == 0x36 || p[i] == 0x3E ||
			   p[i] == 0x26 || p[i] == 0x64 || p[i] == 0x65))
		opsize |= p[i++] == 0x66;
	if (i >= len)
		return 0;
	/* The ModRM byte after a one-byte opcode, and after 0F xx: its reg field and mod. */
	unsigned reg1 = i + 1 < len ? (p[i + 1] >> 3) & 7 : 8;
	unsigned mod1 = i + 1 < len ? p[i + 1] >> 6 : 4;
	unsigned reg2 = i + 2 < len ? (p[i + 2] >> 3) & 7 : 8;
	unsigned mod2 = i + 2 < len ? p[i + 2] >> 6 : 4;

	switch (p[i]) {
	case 0x9D: return PATCH_POPF;
	case 0x9C: return PATCH_PUSHF;
	case 0xFA: return PATCH_CLI;
	case 0xFB: return PATCH_STI;
	case 0x0E: return PATCH_PUSH_CS;
	case 0x16: return PATCH_SS_READ;		/* PUSH SS */
	case 0x8C:					/* MOV r/m16, Sreg */
		return reg1 == 1 ? PATCH_MOV_FROM_CS : reg1 == 2 ? PATCH_SS_READ : 0;
	case 0x9A:					/* CALL ptr16:32 */
		return opsize ? 0 : PATCH_FAR_CALL;
	case 0xFF:					/* FF /3: CALL m16:32 */
		return reg1 == 3 && mod1 != 3 && !opsize ? PATCH_FAR_CALL : 0;
	case 0x0F:
		if (i + 1 >= len)
			return 0;
		switch (p[i + 1]) {
		case 0x00:	/* SLDT /0, STR /1, VERR /4, VERW /5 */
			return reg2 <= 1 ? PATCH_SYS_STORE : reg2 == 4 || reg2 == 5 ? PATCH_DESC_QUERY : 0;
		case 0x01:	/* SGDT /0, SIDT /1 (memory only: mod 3 encodes others), SMSW /4 */
			return (reg2 <= 1 && mod2 != 3) || reg2 == 4 ? PATCH_SYS_STORE : 0;
		case 0x02:	/* LAR */
		case 0x03:	/* LSL */
			return PATCH_DESC_QUERY;
		}
		return 0;
	}
	return 0;
}

static int in_group(const cs_insn *insn, uint8_t group)
{
	for (unsigned i = 0; i < insn->detail->groups_count; i++)
		if (insn->detail->groups[i] == group)
			return 1;
	return 0;
}

/* One offset of the region as Capstone decodes it, remembered: Capstone formats text on every decode. */
struct decoded {
	uint8_t state;		/* 0 not yet decoded, 1 an instruction, 2 none */
	uint8_t size;
	uint8_t ends;		/* nothing falls through after it */
	uint8_t has_target;	/* a direct branch or call */
	unsigned id;
	uint32_t target;	/* offset of the target in the region (may lie outside) */
};

static struct decoded *decoded;
static cs_insn *insn;

/* Decodes at off as the patcher must: whole within the region, at most 15 bytes. */
static const struct decoded *decode_at(const struct patch_region *code, uint32_t off)
{
	struct decoded *d = &decoded[off];
	const uint8_t *p = code->bytes + off;
	size_t avail = code->size - off < 15 ? code->size - off : 15;
	uint64_t address = (uint64_t)code->la + off;

	if (d->state)
		return d->state == 1 ? d : NULL;
	d->state = 2;
	if (!cs_disasm_iter(cs, &p, &avail, &address, insn))
		return NULL;
	const cs_x86 *x86 = &insn->detail->x86;
	d->state = 1;
	d->size = (uint8_t)insn->size;
	d->id = insn->id;
	d->ends = in_group(insn, X86_GRP_RET) || in_group(insn, X86_GRP_IRET) ||
		  insn->id == X86_INS_UD0 || insn->id == X86_INS_UD2 || insn->id == X86_INS_UD2B ||
		  insn->id == X86_INS_LJMP || insn->id == X86_INS_JMP;
	d->has_target = in_group(insn, X86_GRP_BRANCH_RELATIVE) && x86->op_count >= 1 &&
			x86->operands[0].type == X86_OP_IMM;
	d->target = d->has_target ? (uint32_t)x86->operands[0].imm - code->la : 0;
	return d;
}

static int is_visited(const uint8_t *visited, uint32_t off)
{
	return (visited[off / 8] >> (off % 8)) & 1;
}

/* Property 3: what a reached instruction leads to is reached too, where it decodes. */
static void check_closed(const struct patch_region *code, const uint8_t *visited,
			 const uint32_t *roots, unsigned nroots)
{
	for (unsigned r = 0; r < nroots; r++) {
		uint32_t off = roots[r] - code->la;

		if (off < code->size && decode_at(code, off))
			FUZZ_CHECK(is_visited(visited, off), "root 0x%x not reached", roots[r]);
	}
	for (uint32_t off = 0; off < code->size; off++) {
		if (!is_visited(visited, off))
			continue;
		const struct decoded *d = decode_at(code, off);
		FUZZ_CHECK(d != NULL, "reached 0x%x does not decode", code->la + off);

		uint32_t succ[2];
		unsigned nsucc = 0;

		if (!d->ends)
			succ[nsucc++] = off + d->size;
		if (d->has_target)
			succ[nsucc++] = d->target;
		for (unsigned k = 0; k < nsucc; k++)
			if (succ[k] < code->size && decode_at(code, succ[k]))
				FUZZ_CHECK(is_visited(visited, succ[k]),
					   "0x%x reached, its successor 0x%x not", code->la + off,
					   code->la + succ[k]);
	}
}

static void check_sites(const struct patch_region *code, const uint8_t *visited, unsigned set,
			const struct patch_site *sites, unsigned n, int complete)
{
	unsigned next_site = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct patch_site *s = &sites[i];
		uint32_t off = s->la - code->la;

		FUZZ_CHECK(i == 0 || sites[i - 1].la < s->la, "sites %u and %u out of order", i - 1, i);
		FUZZ_CHECK(off < code->size && s->len >= 1 && s->len <= 15 && off + s->len <= code->size,
			   "site 0x%x+%u outside the region", s->la, s->len);
		FUZZ_CHECK(is_visited(visited, off), "site 0x%x not a reached start", s->la);
		FUZZ_CHECK(memcmp(s->original, code->bytes + off, s->len) == 0, "site 0x%x: original bytes",
			   s->la);
		FUZZ_CHECK(s->kind & set && (s->kind & (s->kind - 1)) == 0, "site 0x%x: kind %u, set %u",
			   s->la, s->kind, set);
		FUZZ_CHECK(kind_of_bytes(code->bytes + off, s->len) == s->kind,
			   "site 0x%x: kind %u, bytes say %u", s->la, s->kind,
			   kind_of_bytes(code->bytes + off, s->len));
		const struct decoded *d = decode_at(code, off);
		FUZZ_CHECK(d && d->size == s->len && d->id == s->id, "site 0x%x: decodes otherwise",
			   s->la);
	}
	if (!complete)
		return;
	for (uint32_t off = 0; off < code->size; off++) {
		const struct decoded *d;

		if (!is_visited(visited, off) || !(d = decode_at(code, off)))
			continue;
		if (!(kind_of_bytes(code->bytes + off, d->size) & set))
			continue;
		while (next_site < n && sites[next_site].la < code->la + off)
			next_site++;
		FUZZ_CHECK(next_site < n && sites[next_site].la == code->la + off,
			   "0x%x reached but not a site", code->la + off);
	}
}

static void check_patching(const struct patch_region *code, const struct patch_site *sites,
			   unsigned n, const uint8_t *visited)
{
	uint8_t *copy = malloc(code->size ? code->size : 1);

	memcpy(copy, code->bytes, code->size);
	for (unsigned i = 0; i < n; i++) {
		uint32_t site_off = sites[i].la - code->la;

		/* No other reached instruction covers the site's first byte. */
		for (uint32_t off = site_off > 14 ? site_off - 14 : 0; off < site_off; off++) {
			const struct decoded *d;

			if (is_visited(visited, off) && (d = decode_at(code, off)))
				FUZZ_CHECK(off + d->size <= site_off, "site 0x%x inside 0x%x", sites[i].la,
					   code->la + off);
		}
		patcher_apply(copy, code->la, &sites[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		FUZZ_CHECK(copy[sites[i].la - code->la] == PATCH_TRAP_BYTE, "site 0x%x not INT3",
			   sites[i].la);
		FUZZ_CHECK(patcher_lookup(sites, n, sites[i].la) == &sites[i], "lookup 0x%x", sites[i].la);
		FUZZ_CHECK(patcher_lookup(sites, n, sites[i].la + 1) == NULL || (i + 1 < n &&
			   sites[i + 1].la == sites[i].la + 1), "lookup 0x%x found", sites[i].la + 1);
	}
	FUZZ_CHECK(patcher_lookup(sites, n, code->la - 1) == NULL || code->la == 0, "lookup below");
	for (unsigned i = 0; i < n; i++)
		patcher_restore(copy, code->la, &sites[i]);
	FUZZ_CHECK(memcmp(copy, code->bytes, code->size) == 0, "restore did not give the code back");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t la = fuzz_u32(&in);
	unsigned set = fuzz_u8(&in) & PATCH_ALL;
	unsigned max_sites = fuzz_u8(&in);
	unsigned nroots = fuzz_u8(&in) % (MAX_ROOTS + 1);
	uint32_t roots[MAX_ROOTS], reversed[MAX_ROOTS];

	if (!cs) {
		FUZZ_CHECK(cs_open(CS_ARCH_X86, CS_MODE_32, &cs) == CS_ERR_OK, "cs_open");
		FUZZ_CHECK(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK, "detail");
		insn = cs_malloc(cs);
	}
	for (unsigned i = 0; i < nroots; i++) {
		roots[i] = la + fuzz_u16(&in);
		reversed[nroots - 1 - i] = roots[i];
	}

	/* Copies of exact size: ASan stops a read past the code, a write past the tables. */
	struct patch_region code = { la, NULL, (uint32_t)in.size };
	uint8_t *bytes = malloc(in.size ? in.size : 1);
	memcpy(bytes, in.data, in.size);
	code.bytes = bytes;
	size_t bitmap_bytes = PATCHER_BITMAP_BYTES(code.size);
	uint8_t *visited = malloc(bitmap_bytes ? bitmap_bytes : 1);
	uint8_t *visited2 = malloc(bitmap_bytes ? bitmap_bytes : 1);
	struct patch_site *sites = malloc((max_sites ? max_sites : 1) * sizeof(*sites));
	struct patch_site *sites2 = malloc((max_sites ? max_sites : 1) * sizeof(*sites2));
	unsigned n = 0xFFFF, n2 = 0xFFFF;

	int rc = patcher_scan(cs, &code, roots, nroots, set, visited, sites, max_sites, &n);
	FUZZ_CHECK(strlen(patcher_strerror(rc)) > 0, "no message for %d", rc);
	if (code.size && la + (code.size - 1) < la) {
		FUZZ_CHECK(rc == PATCHER_ERR_ARGS && n == 0, "a region past 4 GiB: %d", rc);
		goto out;
	}
	FUZZ_CHECK(rc == PATCHER_OK || rc == PATCHER_ERR_TOO_MANY_SITES || rc == PATCHER_ERR_OVERLAP,
		   "status %d", rc);
	FUZZ_CHECK(n <= max_sites, "%u sites in a table of %u", n, max_sites);

	decoded = calloc(code.size ? code.size : 1, sizeof(*decoded));
	check_sites(&code, visited, set, sites, n, rc != PATCHER_ERR_TOO_MANY_SITES);
	if (rc != PATCHER_ERR_TOO_MANY_SITES) {
		check_closed(&code, visited, roots, nroots);
	}
	if (rc != PATCHER_ERR_TOO_MANY_SITES && nroots > 1) {

		int rc2 = patcher_scan(cs, &code, reversed, nroots, set, visited2, sites2, max_sites, &n2);
		FUZZ_CHECK(rc2 == rc && n2 == n && memcmp(visited, visited2, bitmap_bytes) == 0 &&
			   memcmp(sites, sites2, n * sizeof(*sites)) == 0,
			   "roots reversed: status %d/%d, %u/%u sites", rc, rc2, n, n2);
	}
	if (rc == PATCHER_OK)
		check_patching(&code, sites, n, visited);
	free(decoded);
out:
	free(bytes);
	free(visited);
	free(visited2);
	free(sites);
	free(sites2);
	return 0;
}
