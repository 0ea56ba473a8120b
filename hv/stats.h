/*
 * hv/stats.h: what the hypervisor counts and traces.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_STATS_H
#define TV_HV_STATS_H

#include <stdint.h>

struct decoded_insn;
struct trap_frame;

void stats_init(int trace);
int stats_tracing(void);

/* One trap: counted, and with tracing on, written as a "tv:trap" line. */
void stats_trap(const struct trap_frame *f, const struct decoded_insn *insn,
		const char *action);

/*
 * n traps of one instruction that the fast trap path answered (hv/fast_trap.c),
 * counted as stats_trap would have counted them (never traced: the fast path
 * is off while tracing).
 */
void stats_fast_traps(unsigned vector, unsigned id, const char *mnemonic, uint32_t n);

/* A port access no virtual device owns ("tv:io", tracing only). */
void stats_unknown_port(int is_out, uint16_t port, unsigned size, uint32_t value);

/* The summary: "tv:stat" lines. */
void stats_report(void);

#endif
