/*
 * hv/fast_trap.h: the fast trap path: in ring 3 with --direct, a trapped IN
 * or OUT to a port no virtual device owns, or a CLI or STI, is answered in
 * the switcher's slot, on the guest's own page tables, without either CR3
 * write.
 * Runs in: hypervisor, ring 0 (hv/fast_trap.S in the guest's address
 * space, hv/fast_trap.c in the hypervisor's); included by both.
 *
 * The fast path reads one page the hypervisor keeps current (the state)
 * and writes one page the hypervisor folds into its statistics (the
 * counts), both at fixed addresses in the slot (hv/layout.h). What it
 * checks before it answers, and why its one read of guest memory cannot
 * fault, is told in hv/fast_trap.S; why the guest cannot reach it, in
 * docs/containment.md.
 */
#ifndef TV_HV_FAST_TRAP_H
#define TV_HV_FAST_TRAP_H

#include "hv/layout.h"

/*
 * The state page, read-only wherever it is mapped for the guest:
 *   FT_MAY_ANSWER: nonzero while a trapped IN or OUT to a port nothing
 *       owns, a CLI or a STI would be answered by the full path exactly as
 *       here: the virtual CPL may do them (they are IOPL-sensitive alike),
 *       and the way out of the last trap left
 *       nothing for the next one to do (no interrupt the guest can take
 *       waits, no single step of the hypervisor's own is under way, no GDT
 *       entry waits to be hidden again, the local APIC's timer, whose
 *       current count every full trap refreshes, does not run);
 *   FT_NOTHING_WAITS: nonzero while no interrupt waits at all, whatever
 *       the virtual IF (a STI may be answered here only then);
 *   FT_PORTS: for each port below FAST_TRAP_PORTS, a byte of FT_PORT_* bits,
 *       each set when no device claims the port for that access.
 * Ports at and above FAST_TRAP_PORTS always take the full path.
 */
#define FT_MAY_ANSWER		0
#define FT_NOTHING_WAITS	4
#define FT_PORTS		0x100
#define FAST_TRAP_PORTS		0x400
#define FT_PORT_IN_BYTE		0x01
#define FT_PORT_IN_DWORD	0x02
#define FT_PORT_OUT_BYTE	0x04
#define FT_PORT_OUT_DWORD	0x08

/*
 * The counts page, written by the fast path (supervisor, never mapped for
 * the guest's own accesses): the INs, OUTs, CLIs and STIs it answered
 * since the hypervisor last folded them into its statistics, every trap
 * it answered (never reset) and the cycles of the last FAST_TRAP_SAMPLES
 * of them; and the virtual IF (EFLAGS_IF or 0), which the hypervisor
 * writes at the end of each trap and takes back at the start of the next,
 * with the one-instruction shadow of an STI the fast path answered.
 */
#define FT_INS			0
#define FT_OUTS			4
#define FT_ANSWERED		8
#define FT_CLIS			12
#define FT_STIS			16
#define FT_VIF			20
#define FT_SHADOW		24	/* nonzero: an STI it answered with IF 0 holds interrupts off at... */
#define FT_SHADOW_CS		28	/* ...this CS... */
#define FT_SHADOW_EIP		32	/* ...and EIP, the instruction after the STI */
#define FT_SAMPLES		0x40
#define FAST_TRAP_SAMPLES	64	/* a power of two: the fast path masks with it */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct machine;
struct vcpu;

/* At boot: the fast path is taken in ring 3 with --direct, and neither inline patching nor tracing. */
void fast_trap_choose(unsigned ring, int direct, int inline_mode, int trace);

/* Whether it was chosen (hot: tested on every trap). */
extern int fast_trap_on;

/* After the devices are reset: the port table, the pages mapped for the guest, the switcher told. */
void fast_trap_init(struct machine *m);

/* At the start of every trap: what the fast path answered since, into the statistics. */
void fast_trap_fold(void);

/* At the start of every trap: the virtual IF, as the fast path's CLI and STI left it. */
void fast_trap_sync_in(struct vcpu *v);

/* At the end of every trap (and before the first entry): the state page made current. */
void fast_trap_sync_out(struct machine *m);

/* "tv:stat" lines: the traps answered here, and the median of their cycles. */
void fast_trap_report(void);

/* hv/fast_trap.S and hv/hv.ld: the fast path's code, and the pages at FAST_TRAP_BASE. */
extern uint8_t fast_trap_start[], fast_trap_code_end[], fast_trap_state_page[],
	fast_trap_counts_page[], fast_trap_end[];
extern uint8_t hv_fast_trap_load[];
#endif

#endif
