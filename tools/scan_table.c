/*
 * tools/scan_table.c: reading the opcode_scan guest's lines, the verdict of
 * each case, and the cases grouped into instructions and matched against
 * Robin & Irvine's list (tools/scan_table.h, parts 1 to 3).
 * Runs on: host (pure: no QEMU, no processes).
 */
#include "tools/scan_table.h"

#include <stdlib.h>
#include <string.h>

#include "tools/fields.h"

/* ---- 1. the guest's lines ---- */

static int copy_token(const char **p, char *out, size_t size, int (*ok)(int))
{
	size_t n = 0;

	while (**p == ' ')
		(*p)++;
	while (**p && **p != ' ') {
		if (!ok((unsigned char)**p) || n + 1 >= size)
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return n ? 0 : -1;
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int is_exc(int c)
{
	return is_hex(c) || c == '/' || c == '-';
}

static int is_word(int c)
{
	return is_hex(c) || (c >= 'g' && c <= 'z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A quoted value key="..." at *p: printable, no quotes inside. */
static int quoted(const char **p, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key), n = 0;

	while (**p == ' ')
		(*p)++;
	if (strncmp(*p, key, klen) != 0 || (*p)[klen] != '=' || (*p)[klen + 1] != '"')
		return -1;
	*p += klen + 2;
	while (**p && **p != '"') {
		if (**p < ' ' || **p > '~' || n + 1 >= size)
			return -1;
		out[n++] = *(*p)++;
	}
	if (**p != '"')
		return -1;
	(*p)++;
	out[n] = '\0';
	return 0;
}

static int number(const char **p, const char *key, int base, unsigned long *v)
{
	size_t klen = strlen(key);
	char *end;

	while (**p == ' ')
		(*p)++;
	if (strncmp(*p, key, klen) != 0 || (*p)[klen] != '=')
		return -1;
	*p += klen + 1;
	if (!is_hex((unsigned char)**p))
		return -1;
	*v = strtoul(*p, &end, base);
	*p = end;
	return 0;
}

enum tv_scan_line_kind tv_scan_parse_line(const char *s, size_t len, struct tv_scan_line *out)
{
	char buf[512], tok[32];
	const char *p = buf;
	unsigned long v;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(buf))
		return strncmp(s, "SCAN", 4) == 0 || strncmp(s, "C ", 2) == 0 ?
		       TV_SCAN_LINE_MALFORMED : TV_SCAN_LINE_OTHER;
	memcpy(buf, s, len);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\r' || buf[len - 1] == ' '))
		buf[--len] = '\0';

	if (strncmp(buf, "C ", 2) == 0) {
		p += 2;
		if (copy_token(&p, tok, sizeof(tok), is_digit))
			return TV_SCAN_LINE_MALFORMED;
		out->index = (unsigned)strtoul(tok, NULL, 10);
		if (copy_token(&p, out->bytes, sizeof(out->bytes), is_hex) ||
		    strlen(out->bytes) % 2 ||
		    copy_token(&p, out->exc, sizeof(out->exc), is_exc) ||
		    copy_token(&p, tok, sizeof(tok), is_word) || *p)
			return TV_SCAN_LINE_MALFORMED;
		if (strcmp(tok, "varies") == 0)
			out->varies = 1;
		else if (strlen(tok) == 8 && strspn(tok, "0123456789abcdef") == 8)
			out->digest = (uint32_t)strtoul(tok, NULL, 16);
		else
			return TV_SCAN_LINE_MALFORMED;
		return TV_SCAN_LINE_CASE;
	}
	if (strncmp(buf, "SCAN-SKIP ", 10) == 0) {
		p += 10;
		if (quoted(&p, "what", out->what, sizeof(out->what)) ||
		    quoted(&p, "why", out->why, sizeof(out->why)) || *p)
			return TV_SCAN_LINE_MALFORMED;
		return TV_SCAN_LINE_SKIP;
	}
	if (strncmp(buf, "SCAN-BEGIN ", 11) == 0) {
		p += 11;
		if (number(&p, "cases", 10, &v) || v > TV_SCAN_CASES_MAX)
			return TV_SCAN_LINE_MALFORMED;
		out->cases = (unsigned)v;
		if (number(&p, "slots", 16, &v))
			return TV_SCAN_LINE_MALFORMED;
		out->slots = (uint32_t)v;
		if (number(&p, "slot", 10, &v) || v == 0 || v > 4096 || *p)
			return TV_SCAN_LINE_MALFORMED;
		out->slot_bytes = (unsigned)v;
		return TV_SCAN_LINE_BEGIN;
	}
	if (strncmp(buf, "SCAN-END ", 9) == 0) {
		p += 9;
		if (number(&p, "cases", 10, &v) || *p)
			return TV_SCAN_LINE_MALFORMED;
		out->cases = (unsigned)v;
		return TV_SCAN_LINE_END;
	}
	if (strncmp(buf, "SCAN", 4) == 0)
		return TV_SCAN_LINE_MALFORMED;
	return TV_SCAN_LINE_OTHER;
}

/* ---- 2. the cases ---- */

void tv_scan_init(struct tv_scan *s, int ring, int umip)
{
	memset(s, 0, sizeof(*s));
	s->ring = ring;
	s->umip = umip;
}

void tv_scan_add_line(struct tv_scan *s, int virt, enum tv_scan_line_kind kind,
		      const struct tv_scan_line *l)
{
	switch (kind) {
	case TV_SCAN_LINE_MALFORMED:
		s->nmalformed++;
		return;
	case TV_SCAN_LINE_SKIP:
		if (!virt && s->nskips < TV_SCAN_SKIPS_MAX) {
			for (unsigned i = 0; i < s->nskips; i++)
				if (strcmp(s->skip[i].what, l->what) == 0)
					return;	/* a resumed run says it again */
			snprintf(s->skip[s->nskips].what, TV_SCAN_TEXT_MAX, "%s", l->what);
			snprintf(s->skip[s->nskips].why, TV_SCAN_TEXT_MAX, "%s", l->why);
			s->nskips++;
		}
		return;
	case TV_SCAN_LINE_BEGIN:
		if (!virt) {
			s->ncases = l->cases;
			s->slots = l->slots;
			s->slot_bytes = l->slot_bytes;
		}
		return;
	case TV_SCAN_LINE_CASE:
		break;
	default:
		return;
	}
	if (l->index >= TV_SCAN_CASES_MAX) {
		s->nmalformed++;
		return;
	}
	struct tv_scan_case *c = &s->c[l->index];
	if (!virt) {
		snprintf(c->bytes, sizeof(c->bytes), "%s", l->bytes);
		c->have_native = 1;
		snprintf(c->native_exc, sizeof(c->native_exc), "%s", l->exc);
		c->native_digest = l->digest;
		c->native_varies = l->varies;
	} else {
		/* The same case must be the same instruction on both sides. */
		if (c->have_native && strcmp(c->bytes, l->bytes) != 0) {
			s->nmalformed++;
			return;
		}
		c->have_virt = 1;
		snprintf(c->virt_exc, sizeof(c->virt_exc), "%s", l->exc);
		c->virt_digest = l->digest;
		c->virt_varies = l->varies;
	}
}

void tv_scan_add_trap(struct tv_scan *s, uint32_t eip, const char *action)
{
	/* Shadow-page fills and interrupts are the hypervisor's own business, not the instruction's. */
	if (!action || strcmp(action, "hidden") == 0 || strcmp(action, "interrupt") == 0)
		return;
	if (!s->slot_bytes || eip < s->slots)
		return;
	uint32_t n = (eip - s->slots) / s->slot_bytes, off = (eip - s->slots) % s->slot_bytes;
	if (n >= s->ncases || n >= TV_SCAN_CASES_MAX)
		return;
	/* Inside the instruction: not the jump back to the harness after it. */
	if (s->c[n].have_native && off >= strlen(s->c[n].bytes) / 2)
		return;
	s->c[n].trapped = 1;
	if (strcmp(action, "stop") == 0)
		s->c[n].stopped = 1;
}

unsigned tv_scan_first_missing(const struct tv_scan *s, int virt, unsigned from)
{
	for (unsigned n = from; n < s->ncases; n++)
		if (!(virt ? s->c[n].have_virt : s->c[n].have_native))
			return n;
	return s->ncases;
}

void tv_scan_judge(struct tv_scan *s)
{
	for (unsigned n = 0; n < s->ncases; n++) {
		struct tv_scan_case *c = &s->c[n];

		if (c->stopped)
			c->verdict = TV_SCAN_STOPPED;
		else if (!c->have_native || !c->have_virt)
			c->verdict = TV_SCAN_NOT_RUN;
		else if (c->native_varies || c->virt_varies)
			c->verdict = TV_SCAN_VARIES;
		else if (c->native_digest == c->virt_digest &&
			 strcmp(c->native_exc, c->virt_exc) == 0)
			c->verdict = c->trapped ? TV_SCAN_CAUGHT : TV_SCAN_SAME;
		else
			c->verdict = c->trapped ? TV_SCAN_DIFFERS : TV_SCAN_SILENT;
	}
}

const char *tv_scan_verdict_name(enum tv_scan_verdict v)
{
	switch (v) {
	case TV_SCAN_NOT_RUN: return "not run";
	case TV_SCAN_SAME: return "runs natively, same";
	case TV_SCAN_CAUGHT: return "trap-and-emulate holds";
	case TV_SCAN_SILENT: return "SILENT: equivalence broken";
	case TV_SCAN_DIFFERS: return "trapped but differs";
	case TV_SCAN_VARIES: return "varies from run to run";
	case TV_SCAN_STOPPED: return "hypervisor stops the guest";
	}
	return "?";
}

/* ---- 3. instructions and Robin & Irvine ---- */

const struct tv_scan_ri tv_scan_ri[TV_SCAN_RI_COUNT] = {
	{ "SGDT", "stores the real GDTR: the hypervisor's table" },
	{ "SIDT", "stores the real IDTR: the hypervisor's table" },
	{ "SLDT", "stores the real LDTR, not the one the kernel loaded" },
	{ "SMSW", "stores the real CR0's low word" },
	{ "PUSHF", "pushes the real IF and IOPL" },
	{ "POPF", "drops a change of IF or IOPL without a fault" },
	{ "LAR", "reads the real descriptor: the compressed DPL" },
	{ "LSL", "reads the real descriptor: the truncated limit" },
	{ "VERR", "checks the compressed DPL against the real CPL" },
	{ "VERW", "checks the compressed DPL against the real CPL" },
	{ "POP", "POP to a segment register checks the real CPL" },
	{ "PUSH", "PUSH CS or SS shows the real ring in the RPL" },
	{ "CALL", "a far CALL checks the real CPL and pushes the real CS" },
	{ "JMP", "a far JMP checks the real CPL" },
	{ "INT n", "checks the gate's DPL against the real CPL" },
	{ "RET", "a far RET checks the real CPL against the frame's RPL" },
	{ "STR", "stores the real TR" },
	{ "MOV", "MOV from CS or SS shows the real ring; MOV to a segment register checks the real CPL" },
};

static struct tv_scan_group *group_for(struct tv_scan_report *r, const struct tv_scan_case *c)
{
	for (unsigned i = 0; i < r->ngroups; i++)
		if (strcmp(r->g[i].name, c->group) == 0)
			return &r->g[i];
	if (r->ngroups == TV_SCAN_GROUPS_MAX)
		return NULL;
	struct tv_scan_group *g = &r->g[r->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", c->group);
	g->ri = c->ri;
	return g;
}

static void set_example(struct tv_scan_group *g, const struct tv_scan_case *c)
{
	snprintf(g->example, sizeof(g->example), "%s", c->insn[0] ? c->insn : c->bytes);
	snprintf(g->example_bytes, sizeof(g->example_bytes), "%s", c->bytes);
	snprintf(g->native_exc, sizeof(g->native_exc), "%s", c->native_exc);
	snprintf(g->virt_exc, sizeof(g->virt_exc), "%s", c->virt_exc);
}

void tv_scan_report_build(const struct tv_scan *s, struct tv_scan_report *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned n = 0; n < s->ncases; n++) {
		const struct tv_scan_case *c = &s->c[n];
		r->total[c->verdict]++;
		if (!c->have_native)
			continue;
		struct tv_scan_group *g = group_for(r, c);
		if (!g)
			continue;
		if (!g->cases || (c->verdict == TV_SCAN_SILENT && !g->silent))
			set_example(g, c);
		g->cases++;
		switch (c->verdict) {
		case TV_SCAN_SILENT: g->silent++; break;
		case TV_SCAN_CAUGHT: g->caught++; break;
		case TV_SCAN_SAME: g->same++; break;
		case TV_SCAN_DIFFERS: g->differs++; break;
		case TV_SCAN_VARIES: g->varies++; break;
		case TV_SCAN_STOPPED: g->stopped++; break;
		case TV_SCAN_NOT_RUN: break;
		}
		if (c->ri >= 0 && c->ri < TV_SCAN_RI_COUNT) {
			r->ri_cases[c->ri]++;
			r->ri_found[c->ri] |= c->verdict == TV_SCAN_SILENT;
			r->ri_caught[c->ri] += c->verdict == TV_SCAN_CAUGHT;
			r->ri_same[c->ri] += c->verdict == TV_SCAN_SAME;
			r->ri_differs[c->ri] += c->verdict == TV_SCAN_DIFFERS;
			r->ri_stopped[c->ri] += c->verdict == TV_SCAN_STOPPED;
			r->ri_varies[c->ri] += c->verdict == TV_SCAN_VARIES;
		}
	}
}

void tv_scan_ri_missed_why(const struct tv_scan_report *r, int i, char *buf, size_t len)
{
	unsigned n = r->ri_cases[i], caught = r->ri_caught[i], same = r->ri_same[i];
	size_t used;

	if (!n) {
		snprintf(buf, len, "no form of it was run");
		return;
	}
	if (caught == n) {
		snprintf(buf, len, "traps deprivileged in all %u forms run, and the emulation "
			 "matched the bare machine", n);
		return;
	}
	/* Otherwise each kind of outcome its forms had, none of them silent. */
	snprintf(buf, len, "of %u forms run:", n);
	const struct { unsigned count; const char *what; } part[] = {
		{ caught, "trap and hold" }, { same, "run untrapped with the same outcome" },
		{ r->ri_differs[i], "trap but differ" }, { r->ri_stopped[i], "stop the hypervisor" },
		{ r->ri_varies[i], "vary from run to run" },
	};
	const char *sep = " ";
	for (size_t k = 0; k < sizeof(part) / sizeof(part[0]); k++) {
		if (!part[k].count)
			continue;
		used = strlen(buf);
		if (used + 1 < len)
			snprintf(buf + used, len - used, "%s%u %s", sep, part[k].count, part[k].what);
		sep = ", ";
	}
}
