/*
 * deprivilege/query_rules.h: LAR, LSL, VERR and VERW as a CPU at a given
 * CPL answers them about a descriptor (Intel SDM vol. 2A, LAR and LSL;
 * vol. 2B, VERR/VERW).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * Deprivileged, these four read the real, shadowed descriptor (its DPL
 * compressed to the guest's ring, its limit truncated) and check it against
 * the real CPL: the Popek-Goldberg leak. Patched to trap, the hypervisor
 * asks these functions instead, with the guest's own descriptor and its
 * virtual CPL. None of the four checks the present bit; a selector beyond
 * its table, or the null selector, gives ZF = 0.
 */
#ifndef TV_DEPRIVILEGE_QUERY_RULES_H
#define TV_DEPRIVILEGE_QUERY_RULES_H

#include <stdint.h>

#include "lib/x86_desc.h"

/* The answer: ZF, and for LAR and LSL the value written to the destination when ZF = 1. */
struct query_answer {
	int zf;
	uint32_t value;
};

/*
 * sel is the selector the instruction read; d its descriptor as the guest
 * wrote it, or NULL when sel lies beyond its GDT or LDT (or names an LDT
 * when none is loaded); cpl the CPU's (the guest's virtual) CPL.
 */
/* LAR: the access rights, descriptor bytes 5-7 masked with 0x00F0FF00 (operand16: 0xFF00). */
struct query_answer query_lar(uint16_t sel, const struct x86_desc *d, unsigned cpl, int operand16);
/* LSL: the limit in bytes (scaled when G = 1); operand16 keeps its low 16 bits. */
struct query_answer query_lsl(uint16_t sel, const struct x86_desc *d, unsigned cpl, int operand16);
/* VERR and VERW: ZF only. */
struct query_answer query_verr(uint16_t sel, const struct x86_desc *d, unsigned cpl);
struct query_answer query_verw(uint16_t sel, const struct x86_desc *d, unsigned cpl);

#endif
