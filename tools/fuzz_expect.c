/*
 * tools/fuzz_expect.c: the documented differences between the bare machine
 * and the hypervisor, as `trapvisor fuzz` matches divergences against
 * them, and the parsing of the fuzz guest's lines.
 * Runs on: host.
 *
 * Each row says which instructions cause the difference and where it can
 * show; docs/fuzz.md prints the same table with the reasons. A row is
 * matched by the instructions the generator put in the sequence, not by
 * tracing which one diverged first: a sequence holding a PUSHF is expected
 * to differ anywhere after it, so a second, unknown difference in the same
 * sequence would pass unseen. Campaigns keep that small by holding few
 * silent instructions per sequence.
 */
#include "tools/fuzz_expect.h"

#include <stdio.h>
#include <string.h>

#define ANY	(TV_FUZZ_DIFF_VECTOR | TV_FUZZ_DIFF_IF_IOPL | TV_FUZZ_DIFF_EFLAGS | \
		 TV_FUZZ_DIFF_EIP | TV_FUZZ_DIFF_STATE | TV_FUZZ_DIFF_MEM)

#define EFLAGS_IF_IOPL	0x00003200u

const struct tv_fuzz_rule tv_fuzz_rules[] = {
	{ "end-pushf",
	  "the end label's PUSHF, not patched, shows the real IF and IOPL (docs/classify.md: PUSHF)",
	  { 0 }, 1, TV_FUZZ_PATCH_NONE, 0, TV_FUZZ_DIFF_IF_IOPL, 0 },
	{ "pushf",
	  "PUSHF in a sequence shows the real IF and IOPL: generated code is never patched",
	  { FUZZ_K_PUSHF }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 0 },
	{ "popf",
	  "POPF in a sequence loses a change of IF or IOPL: generated code is never patched",
	  { FUZZ_K_POPF }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 0 },
	{ "selector-rpl",
	  "PUSH CS/SS, MOV from CS/SS and far CALL show the real ring in the RPL (docs/classify.md)",
	  { FUZZ_K_PUSH_CS, FUZZ_K_MOV_FROM_CS, FUZZ_K_PUSH_SREG, FUZZ_K_MOV_FROM_SREG,
	    FUZZ_K_FARCALL }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 0 },
	{ "lar-lsl",
	  "LAR and LSL read the compressed DPL and the truncated limit (docs/classify.md)",
	  { FUZZ_K_LAR, FUZZ_K_LSL }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 0 },
	{ "absent-port",
	  "IN from a port nothing answers: all ones under the hypervisor (docs/guest-contract.md), 0 on bare QEMU",
	  { FUZZ_K_IN, FUZZ_K_STRIO }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 0 },
	{ "qemu-lock",
	  "bare QEMU runs LOCK before LGDT, LIDT, SGDT, SIDT (real CPUs and the hypervisor raise #UD)",
	  { FUZZ_K_LGDT, FUZZ_K_LIDT, FUZZ_K_SGDT, FUZZ_K_SIDT }, 0, TV_FUZZ_PATCH_ALL, 0, ANY, 1 },
	{ "store-sys",
	  "SGDT, SIDT, SLDT, STR and SMSW store the hypervisor's values without UMIP (docs/classify.md)",
	  { FUZZ_K_SGDT, FUZZ_K_SIDT, FUZZ_K_SLDT, FUZZ_K_STR, FUZZ_K_SMSW }, 0,
	  TV_FUZZ_PATCH_ALL, 1, ANY, 0 },
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

/* Whether the sequence holds an instruction of kind (right after a prefix run with LOCK, if asked). */
static int seq_has(const struct fuzz_seq *seq, unsigned kind, int after_lock)
{
	for (unsigned i = 0; i < seq->ninsn; i++) {
		if (seq->insn[i].kind != kind)
			continue;
		if (!after_lock)
			return 1;
		const struct fuzz_insn *p = i ? &seq->insn[i - 1] : NULL;
		for (unsigned b = 0; p && p->kind == FUZZ_K_PREFIX && b < p->len; b++)
			if (seq->code[p->off + b] == 0xF0)
				return 1;
	}
	return 0;
}

const struct tv_fuzz_rule *tv_fuzz_expected(const struct tv_fuzz_mode *mode,
					    const struct fuzz_seq *seq,
					    const struct tv_fuzz_line *bare,
					    const struct tv_fuzz_line *virt)
{
	unsigned d = tv_fuzz_diff(bare, virt);

	if (!d)
		return NULL;
	for (size_t i = 0; i < tv_fuzz_nrules; i++) {
		const struct tv_fuzz_rule *r = &tv_fuzz_rules[i];
		int kind_ok = r->kinds[0] == 0;

		if (mode->patch > r->patch_max || (r->without_umip_only && mode->umip))
			continue;
		if (r->when_end_only &&
		    (bare->vector != TV_FUZZ_VEC_DONE || virt->vector != TV_FUZZ_VEC_DONE))
			continue;
		if (d & ~r->may_differ)
			continue;
		for (unsigned j = 0; j < sizeof(r->kinds) && r->kinds[j]; j++)
			kind_ok |= seq_has(seq, r->kinds[j], r->after_lock);
		if (kind_ok)
			return r;
	}
	return NULL;
}

const char *tv_fuzz_expected_stop(const char *reason, uint32_t code)
{
	static const char *const documented[] = {
		"virtual-8086", "nested task", "16-bit", "rsm", "PAE", "protected mode",
	};
	const char *at;
	unsigned long addr;

	if (!reason || !strstr(reason, "unemulated"))
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
