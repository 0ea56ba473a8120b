/*
 * deprivilege/query_rules.c: LAR, LSL, VERR and VERW as a CPU at a given CPL
 * answers them (Intel SDM vol. 2A, LAR and LSL "Operation"; vol. 2B,
 * VERR/VERW "Operation").
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The checks, in the SDM's order: the selector is not null; it lies within
 * its table (the caller passes NULL otherwise); the descriptor's type is
 * one the instruction accepts; and unless it is a conforming code segment,
 * DPL >= CPL and DPL >= RPL. The present bit is never looked at.
 */
#include "deprivilege/query_rules.h"

#define LAR_RIGHTS_32		0x00F0FF00u	/* type, S, DPL, P; AVL, L, D/B, G */
#define LAR_RIGHTS_16		0x0000FF00u

/* System types LAR accepts: 16-bit TSSs, LDT, 16-bit call gate, task gate, 32-bit TSSs and call gate. */
static int lar_system_type(unsigned type)
{
	switch (type) {
	case 0x1: case 0x2: case 0x3: case 0x4: case 0x5: case 0x9: case 0xB: case 0xC:
		return 1;
	}
	return 0;
}

/* LSL only the ones that have a limit: TSSs and the LDT, no gates. */
static int lsl_system_type(unsigned type)
{
	switch (type) {
	case 0x1: case 0x2: case 0x3: case 0x9: case 0xB:
		return 1;
	}
	return 0;
}

static int is_null(uint16_t sel)
{
	return (sel & ~3u) == 0;
}

static int conforming_code(struct x86_desc d)
{
	return DESC_S(d) && (DESC_TYPE(d) & DESC_TYPE_CODE) && (DESC_TYPE(d) & DESC_TYPE_CONFORMING);
}

/* "(CPL > DPL) or (RPL > DPL)" fails, except for a conforming code segment. */
static int privilege_ok(uint16_t sel, struct x86_desc d, unsigned cpl)
{
	return conforming_code(d) || (DESC_DPL(d) >= cpl && DESC_DPL(d) >= SEL_RPL(sel));
}

struct query_answer query_lar(uint16_t sel, const struct x86_desc *d, unsigned cpl, int operand16)
{
	struct query_answer a = { 0, 0 };

	if (is_null(sel) || !d)
		return a;
	if (!DESC_S(*d) && !lar_system_type(DESC_TYPE(*d)))
		return a;
	if (!privilege_ok(sel, *d, cpl))
		return a;
	a.zf = 1;
	a.value = d->hi & (operand16 ? LAR_RIGHTS_16 : LAR_RIGHTS_32);
	return a;
}

struct query_answer query_lsl(uint16_t sel, const struct x86_desc *d, unsigned cpl, int operand16)
{
	struct query_answer a = { 0, 0 };

	if (is_null(sel) || !d)
		return a;
	if (!DESC_S(*d) && !lsl_system_type(DESC_TYPE(*d)))
		return a;
	if (!privilege_ok(sel, *d, cpl))
		return a;
	a.zf = 1;
	a.value = operand16 ? desc_limit(*d) & 0xFFFFu : desc_limit(*d);
	return a;
}

struct query_answer query_verr(uint16_t sel, const struct x86_desc *d, unsigned cpl)
{
	struct query_answer a = { 0, 0 };

	if (is_null(sel) || !d || !DESC_S(*d))
		return a;
	/* Data is always readable; code only with R set. */
	if ((DESC_TYPE(*d) & DESC_TYPE_CODE) && !(DESC_TYPE(*d) & DESC_TYPE_READABLE))
		return a;
	a.zf = privilege_ok(sel, *d, cpl);
	return a;
}

struct query_answer query_verw(uint16_t sel, const struct x86_desc *d, unsigned cpl)
{
	struct query_answer a = { 0, 0 };

	/* Only writable data: code is never writable, so conforming never matters here. */
	if (is_null(sel) || !d || !DESC_S(*d) || (DESC_TYPE(*d) & DESC_TYPE_CODE) ||
	    !(DESC_TYPE(*d) & DESC_TYPE_WRITABLE))
		return a;
	a.zf = DESC_DPL(*d) >= cpl && DESC_DPL(*d) >= SEL_RPL(sel);
	return a;
}
