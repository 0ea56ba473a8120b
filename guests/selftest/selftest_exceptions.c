/*
 * guests/selftest/selftest_exceptions.c: exceptions and software interrupts
 * reach the guest's own handler with the frame the hardware would build.
 * Runs in: guest.
 *
 * Deprivileged, some of these first reach the hypervisor (a #GP from the
 * segment load looks like any other #GP to it, INT n through a DPL-0 gate
 * faults at ring 1); it must reflect each to the guest's IDT with the
 * guest's vector, error code and EIP, exactly as the bare CPU delivers it.
 *
 * Each row runs one probe (selftest_probes.S). A fault reports the EIP of
 * the instruction, a trap (INT3, INT n) the EIP after it. The handler
 * records the frame and resumes at the probe's next instruction with IRET.
 */
#include <stdbool.h>

#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/selftest/selftest.h"
#include "lib/x86.h"

/* A selector past the GDT limit, RPL 3: the error code drops the RPL bits. */
#define SELFTEST_SEL_BEYOND_GDT	((GUEST_GDT_ENTRIES << 3) | 3)

struct selftest_trap_row {
	const char *name;
	void (*probe)(uint32_t arg);
	uint32_t arg;
	const char *insn;	/* the probed instruction */
	const char *next;	/* the instruction after it */
	bool is_trap;		/* EIP reported after the instruction, not at it */
	uint32_t vector;
	uint32_t error;		/* 0 for vectors without an error code */
};

static const struct selftest_trap_row selftest_trap_rows[] = {
	{ "ud2-raises-ud", selftest_probe_ud2, 0,
	  selftest_probe_ud2_insn, selftest_probe_ud2_next, false, VEC_UD, 0 },
	{ "div-zero-raises-de", selftest_probe_divide_zero, 0,
	  selftest_probe_divide_zero_insn, selftest_probe_divide_zero_next,
	  false, VEC_DE, 0 },
	{ "int3-raises-bp", selftest_probe_int3, 0,
	  selftest_probe_int3_insn, selftest_probe_int3_next, true, VEC_BP, 0 },
	{ "int-0x40-reaches-vector-0x40", selftest_probe_int40, 0,
	  selftest_probe_int40_insn, selftest_probe_int40_next, true, 0x40, 0 },
	{ "load-ds-beyond-gdt-raises-gp", selftest_probe_load_ds,
	  SELFTEST_SEL_BEYOND_GDT, selftest_probe_load_ds_insn,
	  selftest_probe_load_ds_next, false, VEC_GP,
	  SELFTEST_SEL_BEYOND_GDT & SELFTEST_SEL_MASK },
	{ "load-ds-not-present-raises-np", selftest_probe_load_ds,
	  SELFTEST_SEL_ABSENT, selftest_probe_load_ds_insn,
	  selftest_probe_load_ds_next, false, VEC_NP, SELFTEST_SEL_ABSENT },
};

/* What the handler saw, and where it must resume. */
static volatile struct {
	unsigned count;
	uint32_t vector, error, eip, cs;
} selftest_seen;
static const char *volatile selftest_resume_at;

static void selftest_record_trap(struct guest_trap_frame *frame)
{
	selftest_seen.count++;
	selftest_seen.vector = frame->vector;
	selftest_seen.error = frame->error;
	selftest_seen.eip = frame->eip;
	selftest_seen.cs = frame->cs;
	frame->eip = (uint32_t)selftest_resume_at;
}

static void selftest_trap_row_run(const struct selftest_trap_row *row)
{
	selftest_seen.count = 0;
	selftest_seen.vector = selftest_seen.error = selftest_seen.eip = ~0u;
	selftest_resume_at = row->next;

	row->probe(row->arg);

	uint32_t want_eip = (uint32_t)(row->is_trap ? row->next : row->insn);
	if (selftest_seen.count != 1) {
		guest_test_fail(row->name, "handler ran %u times, want once",
				selftest_seen.count);
		return;
	}
	guest_test_check(selftest_seen.vector == row->vector &&
				 selftest_seen.error == row->error &&
				 selftest_seen.eip == want_eip &&
				 (selftest_seen.cs & SELFTEST_SEL_MASK) == GUEST_SEL_CODE,
			 row->name,
			 "vector 0x%x error 0x%x eip 0x%08x cs 0x%x, want vector 0x%x error 0x%x eip 0x%08x cs index of 0x%x",
			 selftest_seen.vector, selftest_seen.error, selftest_seen.eip,
			 selftest_seen.cs & 0xFFFFu, row->vector, row->error,
			 want_eip, GUEST_SEL_CODE);
}

void selftest_exceptions(void)
{
	/* Every vector records, so a wrong vector is a FAIL line, not a crash. */
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, selftest_record_trap);

	for (unsigned i = 0; i < sizeof(selftest_trap_rows) / sizeof(selftest_trap_rows[0]); i++)
		selftest_trap_row_run(&selftest_trap_rows[i]);

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, 0);
}
