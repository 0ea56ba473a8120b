/*
 * guests/sensitive_probe/probe_report.c: the PROBE line of one row.
 * Runs in: guest.
 *
 * The observed="..." value is a space-separated list of tokens, only those
 * the row asks for, in this order:
 *   eax= ecx= edx= ebx=  0x%08x      a register after the instruction
 *   ax= dx=              0x%04x      its low 16 bits (a selector)
 *   flags=               0x%08x      EFLAGS masked as the row says
 *   mem=                 hex bytes   the scratch memory the instruction wrote
 *   exc=none, or exc=<#XX|INTn>/err=0x%x@<insn|next|0x%08x> cs=0x%04x
 *                                    the exception (or INT n) the guest's
 *                                    handler received: vector, error code,
 *                                    where EIP pointed and the CS pushed
 * Nothing that varies between runs (a TSC value, a stack address) is in it.
 */
#include "guests/lib/guest_fifo_console.h"
#include "guests/lib/guest_console.h"
#include "guests/sensitive_probe/probe.h"
#include "lib/format.h"

#define PROBE_OBSERVED_MAX	160
#define PROBE_INSN_MAX		15	/* the longest x86 instruction */

static const char *const probe_category_names[] = {
	[PROBE_PRIVILEGED] = "privileged",
	[PROBE_SENSITIVE] = "sensitive",
	[PROBE_INNOCUOUS] = "innocuous",
};

static const char *const probe_exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#9", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* Append to buf (of size PROBE_OBSERVED_MAX) at *len; cut, never overflow. */
static void probe_add(char *buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void probe_add(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len >= PROBE_OBSERVED_MAX - 1)
		return;
	va_start(ap, fmt);
	int n = tv_vsnprintf(buf + *len, PROBE_OBSERVED_MAX - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
	if (*len > PROBE_OBSERVED_MAX - 1)
		*len = PROBE_OBSERVED_MAX - 1;
}

static void probe_describe(const struct probe_row *row, const struct probe_observation *o,
			   char *buf)
{
	size_t len = 0;
	const char *sep = "";

	buf[0] = '\0';
#define PROBE_TOKEN(...) do { probe_add(buf, &len, "%s", sep); \
		probe_add(buf, &len, __VA_ARGS__); sep = " "; } while (0)
	if (row->out & PROBE_OUT_EAX)
		PROBE_TOKEN("eax=0x%08x", o->regs.eax);
	if (row->out & PROBE_OUT_EAX_FLAGS)
		PROBE_TOKEN("eax=0x%08x", o->regs.eax & row->flags_mask);
	if (row->out & PROBE_OUT_ECX)
		PROBE_TOKEN("ecx=0x%08x", o->regs.ecx);
	if (row->out & PROBE_OUT_EDX)
		PROBE_TOKEN("edx=0x%08x", o->regs.edx);
	if (row->out & PROBE_OUT_EBX)
		PROBE_TOKEN("ebx=0x%08x", o->regs.ebx);
	if (row->out & PROBE_OUT_AX)
		PROBE_TOKEN("ax=0x%04x", o->regs.eax & 0xFFFFu);
	if (row->out & PROBE_OUT_DX)
		PROBE_TOKEN("dx=0x%04x", o->regs.edx & 0xFFFFu);
	PROBE_TOKEN("flags=0x%08x", o->regs.eflags & row->flags_mask);
	if (row->mem_len) {
		PROBE_TOKEN("mem=");
		for (unsigned i = 0; i < row->mem_len && i < PROBE_MEM_SIZE; i++)
			probe_add(buf, &len, "%02x", o->mem[i]);
	}
	if (!o->faulted) {
		PROBE_TOKEN("exc=none");
		return;
	}
	char where[16];
	if (o->fault_eip == (uint32_t)row->insn)
		tv_snprintf(where, sizeof(where), "insn");
	else if (o->fault_eip == (uint32_t)row->next)
		tv_snprintf(where, sizeof(where), "next");
	else
		tv_snprintf(where, sizeof(where), "0x%08x", o->fault_eip);
	if (o->vector < 32 && probe_exception_names[o->vector])
		PROBE_TOKEN("exc=%s/err=0x%x@%s", probe_exception_names[o->vector], o->error, where);
	else
		PROBE_TOKEN("exc=INT0x%02x/err=0x%x@%s", o->vector, o->error, where);
	PROBE_TOKEN("cs=0x%04x", o->fault_cs);
#undef PROBE_TOKEN
}

void probe_report(const struct probe_row *row, const struct probe_observation *obs)
{
	char observed[PROBE_OBSERVED_MAX], bytes[2 * PROBE_INSN_MAX + 1];
	uint32_t la = (uint32_t)row->insn;
	uint32_t len = (uint32_t)(row->next - row->insn);

	if (len > PROBE_INSN_MAX)
		len = PROBE_INSN_MAX;
	for (uint32_t i = 0; i < len; i++)
		tv_snprintf(bytes + 2 * i, 3, "%02x", (uint8_t)row->insn[i]);
	bytes[2 * len] = '\0';
	if (obs)
		probe_describe(row, obs, observed);
	else
		tv_snprintf(observed, sizeof(observed), "skipped");
	guest_fifo_printf("PROBE name=%s category=%s la=0x%08x len=%u bytes=%s effect=%s "
		     "observed=\"%s\"\n",
		     row->name, probe_category_names[row->category], la, (unsigned)len, bytes,
		     row->effect_unchecked ? "unchecked" : "checked", observed);
}
