/*
 * hv/stats.c: counting traps by instruction and by vector, and the trace.
 * Runs in: hypervisor, ring 0, on every trap.
 *
 * Instructions are counted by Capstone's instruction id in a small table;
 * the summary names them with the mnemonic the decoder gave.
 */
#include "hv/hot.h"
#include "hv/stats.h"
#include "hv/console.h"
#include "hv/decode.h"
#include "hv/trap_frame.h"
#include "hv/trap_cost.h"
#include "hv/machine.h"
#include "hv/direct.h"
#include "hv/fast_trap.h"
#include "hv/shadow.h"
#include "lib/string.h"

#define STATS_MAX_KINDS 64	/* fits row_of_id's bytes */

static int tracing HV_HOT;
static uint32_t trap_seq HV_HOT;
static uint32_t traps_by_vector[256] HV_HOT;

static struct {
	unsigned id;
	char mnemonic[32];
	uint32_t count;
} insn_counts[STATS_MAX_KINDS] HV_HOT;
static unsigned insn_kinds HV_HOT;

void stats_init(int trace)
{
	tracing = trace;
}

int stats_tracing(void)
{
	return tracing;
}

/*
 * Each instruction id's row in insn_counts, plus one (0: none yet): a trap
 * finds its counter with one load instead of a scan of the rows, which
 * under TCG costs a translated block per row looked at.
 */
static uint8_t row_of_id[X86_INS_ENDING];

static void count_insn(unsigned id, const char *mnemonic, uint32_t n)
{
	if (id < X86_INS_ENDING && row_of_id[id]) {
		insn_counts[row_of_id[id] - 1].count += n;
		return;
	}
	if (insn_kinds == STATS_MAX_KINDS || id >= X86_INS_ENDING)
		return;
	row_of_id[id] = (uint8_t)(insn_kinds + 1);
	insn_counts[insn_kinds].id = id;
	strncpy(insn_counts[insn_kinds].mnemonic, mnemonic, sizeof insn_counts[0].mnemonic - 1);
	insn_counts[insn_kinds].count = n;
	insn_kinds++;
}

void stats_trap(const struct trap_frame *f, const struct decoded_insn *insn,
		const char *action)
{
	trap_seq++;
	traps_by_vector[f->vector & 0xFF]++;
	if (insn)
		count_insn(insn->id, insn->mnemonic, 1);
	if (!tracing)
		return;

	char bytes[40] = "-", text[96];
	if (insn) {
		static const char hex[] = "0123456789abcdef";
		unsigned n = 0;
		for (unsigned i = 0; i < insn->len && n + 2 < sizeof bytes; i++) {
			bytes[n++] = hex[insn->bytes[i] >> 4];
			bytes[n++] = hex[insn->bytes[i] & 15];
		}
		bytes[n] = 0;
	}
	console_quote(text, sizeof text, insn ? insn->text : "");
	console_trace("trap seq=%u vec=%u err=0x%x eip=0x%08x bytes=%s insn=%s action=%s",
		      trap_seq, f->vector, f->error, f->eip, bytes, text, action);
}

void stats_fast_traps(unsigned vector, unsigned id, const char *mnemonic, uint32_t n)
{
	trap_seq += n;
	traps_by_vector[vector & 0xFF] += n;
	count_insn(id, mnemonic, n);
}

void stats_unknown_port(int is_out, uint16_t port, unsigned size, uint32_t value)
{
	if (tracing)
		console_trace("io dir=%s port=0x%x size=%u value=0x%x",
			      is_out ? "out" : "in", port, size, value);
}

void stats_report(void)
{
	char q[40];
	const struct decode_stats *ds = decode_stats();

	if (fast_trap_on)
		fast_trap_fold();	/* the traps since the last one that reached hv_trap */

	for (unsigned i = 0; i < insn_kinds; i++) {
		console_quote(q, sizeof q, insn_counts[i].mnemonic);
		console_event("stat insn=%s count=%u", q, insn_counts[i].count);
	}
	for (unsigned v = 0; v < 256; v++)
		if (traps_by_vector[v])
			console_event("stat what=\"vector %u\" count=%u", v, traps_by_vector[v]);
	console_event("stat what=\"traps\" count=%u", trap_seq);
	if (ds) {
		console_event("stat what=\"decode cache hits\" count=%u", ds->hits);
		console_event("stat what=\"decode cache misses\" count=%u", ds->misses);
	}
	shadow_report(&the_machine);
	direct_report(&the_machine);
	fast_trap_report();
	trap_cost_report();
}
