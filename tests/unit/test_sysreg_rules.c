/*
 * tests/unit/test_sysreg_rules.c: the CPL-0 rules of deprivilege/sysreg_rules.c
 * against the Intel SDM: MOV to and from CR0, CR4 and the other control and
 * debug registers, LMSW, RDMSR/WRMSR, MOV SS, LLDT and LTR.
 * Runs on: host (Check).
 *
 * Each row names the rule it checks; the expected fault, error code or
 * register value is worked out from the SDM's text, quoted or paraphrased
 * in the row's comment. Bits used below:
 *   CR0: PE 0x1, MP 0x2, EM 0x4, TS 0x8, ET 0x10, NE 0x20, WP 0x10000,
 *        AM 0x40000, NW 0x20000000, CD 0x40000000, PG 0x80000000
 *   CR4: VME 0x1, PVI 0x2, TSD 0x4, DE 0x8, PSE 0x10, PAE 0x20, MCE 0x40,
 *        PGE 0x80, PCE 0x100, OSFXSR 0x200, OSXMMEXCPT 0x400, UMIP 0x800,
 *        VMXE 0x2000, SMEP 0x100000
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "deprivilege/sysreg_rules.h"

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define OK	SYSREG_OK
#define FAULT	SYSREG_FAULT
#define UNSUP	SYSREG_UNSUPPORTED
#define NOERR	SYSREG_NO_ERROR_CODE

static const char *outcome_name(enum sysreg_outcome o)
{
	return o == SYSREG_OK ? "ok" : o == SYSREG_FAULT ? "fault" : "unsupported";
}

/* The decision r against the expected outcome, vector and error code. */
static void check_result(const char *rule, struct sysreg_result r, enum sysreg_outcome outcome,
			 unsigned vector, uint32_t error)
{
	ck_assert_msg(r.outcome == outcome, "%s: outcome %s, expected %s", rule,
		      outcome_name(r.outcome), outcome_name(outcome));
	if (outcome == SYSREG_FAULT) {
		ck_assert_msg(r.vector == vector && r.error == error,
			      "%s: fault %u error %#x, expected %u error %#x", rule, r.vector,
			      r.error, vector, error);
	}
	if (outcome == SYSREG_UNSUPPORTED)
		ck_assert_msg(r.why && r.why[0], "%s: unsupported without a reason", rule);
}

/* ---- MOV to CR0 ---- */

struct cr_row {
	const char *rule;
	uint32_t old;
	uint32_t value;
	int umip;		/* CR4 rows only: the CPU has UMIP */
	enum sysreg_outcome outcome;
	unsigned vector;
	uint32_t expected;	/* the register after an accepted write */
	int flush;
};

static const struct cr_row cr0_rows[] = {
	/* A plain protected-mode value is taken; ET reads 1 ("CR0.ET remains set"). */
	{ "PE only", 0x00000011, 0x00000001, 0, OK, 0, 0x00000011, 0 },
	/* "Attempts to clear [ET] have no impact": writing it 0 still reads 1. */
	{ "ET cannot be cleared", 0x00000011, 0x00000021, 0, OK, 0, 0x00000031, 0 },
	/*
	 * "Reserved bits in CR0 ... remain clear after any load; attempts to
	 * set them have no impact": bits 6..15, 17, 19..28 are dropped, no #GP.
	 */
	{ "reserved bits dropped", 0x00000011, 0x1FFAFFD1, 0, OK, 0, 0x00000011, 0 },
	/* MP, EM, TS, NE, AM are plain flags; none changes translation. */
	{ "MP EM TS NE AM", 0x00000011, 0x0004002F, 0, OK, 0, 0x0004003F, 0 },
	/* "#GP(0) ... setting the PG flag to 1 when the PE flag is set to 0". */
	{ "PG without PE", 0x00000011, 0x80000000, 0, FAULT, VEC_GP, 0, 0 },
	/* "#GP(0) ... setting the CD flag to 0 when the NW flag is set to 1". */
	{ "NW without CD", 0x00000011, 0x20000001, 0, FAULT, VEC_GP, 0, 0 },
	/* NW with CD is a valid combination (caches off, no write-through). */
	{ "NW with CD", 0x00000011, 0x60000001, 0, OK, 0, 0x60000011, 0 },
	/* CD alone is valid too. */
	{ "CD alone", 0x00000011, 0x40000001, 0, OK, 0, 0x40000011, 0 },
	/* The invalid combination faults even when other bits are fine. */
	{ "PG without PE, with WP", 0x00000011, 0x80010000, 0, FAULT, VEC_GP, 0, 0 },
	/* Clearing PE returns to real mode, legal but not virtualized. */
	{ "PE cleared", 0x00000011, 0x00000000, 0, UNSUP, 0, 0, 0 },
	/* PG and PE both clear: still real mode, not a #GP (PG is clear). */
	{ "PE cleared from paging", 0x80000011, 0x00000010, 0, UNSUP, 0, 0, 0 },
	/* Turning paging on changes every translation: the TLB and shadows go. */
	{ "PG on flushes", 0x00000011, 0x80000001, 0, OK, 0, 0x80000011, 1 },
	/* So does turning it off. */
	{ "PG off flushes", 0x80000011, 0x00000001, 0, OK, 0, 0x00000011, 1 },
	/* WP changes what supervisor writes may do to read-only pages. */
	{ "WP on flushes", 0x80000011, 0x80010001, 0, OK, 0, 0x80010011, 1 },
	{ "WP off flushes", 0x80010011, 0x80000001, 0, OK, 0, 0x80000011, 1 },
	/* Writing the same PG and WP needs no flush, whatever else changes. */
	{ "TS only, no flush", 0x80010011, 0x80010009, 0, OK, 0, 0x80010019, 0 },
};

START_TEST(cr0_write)
{
	const struct cr_row *r = &cr0_rows[_i];
	struct sysreg_cr_write w = sysreg_write_cr0(r->old, r->value);

	check_result(r->rule, w.result, r->outcome, r->vector, 0);
	if (r->outcome == SYSREG_OK) {
		ck_assert_msg(w.value == r->expected, "%s: CR0 %08x, expected %08x", r->rule,
			      w.value, r->expected);
		ck_assert_msg(w.flush == r->flush, "%s: flush %d, expected %d", r->rule, w.flush,
			      r->flush);
	}
}
END_TEST

/* ---- MOV to CR4 ---- */

static const struct cr_row cr4_rows[] = {
	/* Zero is always a valid CR4. */
	{ "zero", 0x00000000, 0x00000000, 0, OK, 0, 0x00000000, 0 },
	/* TSD, DE, MCE, PCE, OSFXSR, OSXMMEXCPT are accepted and kept as written. */
	{ "plain flags", 0x00000000, 0x0000074C, 0, OK, 0, 0x0000074C, 0 },
	/* "An attempt to change CR4's reserved bits will cause" #GP(0): bit 12. */
	{ "reserved bit 12", 0x00000000, 0x00001000, 0, FAULT, VEC_GP, 0, 0 },
	/* Bit 31, reserved in 32-bit mode. */
	{ "reserved bit 31", 0x00000000, 0x80000000, 0, FAULT, VEC_GP, 0, 0 },
	/* VMXE: the virtual CPU has no VMX, so the bit is reserved for it. */
	{ "VMXE not offered", 0x00000000, 0x00002000, 0, FAULT, VEC_GP, 0, 0 },
	/* SMEP likewise. */
	{ "SMEP not offered", 0x00000000, 0x00100000, 0, FAULT, VEC_GP, 0, 0 },
	/* VME and PVI: virtual-8086 extensions the virtual CPU does not offer. */
	{ "VME not offered", 0x00000000, 0x00000001, 0, FAULT, VEC_GP, 0, 0 },
	{ "PVI not offered", 0x00000000, 0x00000002, 0, FAULT, VEC_GP, 0, 0 },
	/* UMIP exists only when CPUID.(7,0):ECX[2] says so: without it, #GP(0). */
	{ "UMIP without the feature", 0x00000000, 0x00000800, 0, FAULT, VEC_GP, 0, 0 },
	/* With the feature, UMIP is an ordinary flag. */
	{ "UMIP with the feature", 0x00000000, 0x00000800, 1, OK, 0, 0x00000800, 0 },
	/* PAE is architecturally legal, but the virtual CPU has no PAE paging. */
	{ "PAE unsupported", 0x00000000, 0x00000020, 0, UNSUP, 0, 0, 0 },
	/* A reserved bit faults on the bare machine even beside PAE. */
	{ "PAE with a reserved bit", 0x00000000, 0x00001020, 0, FAULT, VEC_GP, 0, 0 },
	/* PSE changes how a PDE's PS bit is read: translations change. */
	{ "PSE on flushes", 0x00000000, 0x00000010, 0, OK, 0, 0x00000010, 1 },
	{ "PSE off flushes", 0x00000010, 0x00000000, 0, OK, 0, 0x00000000, 1 },
	/* "MOV to CR4 ... invalidates all TLB entries ... if it changes CR4.PGE". */
	{ "PGE on flushes", 0x00000010, 0x00000090, 0, OK, 0, 0x00000090, 1 },
	{ "PGE off flushes", 0x00000090, 0x00000010, 0, OK, 0, 0x00000010, 1 },
	/* Rewriting PSE and PGE unchanged while changing TSD needs no flush. */
	{ "TSD only, no flush", 0x00000090, 0x00000094, 0, OK, 0, 0x00000094, 0 },
};

START_TEST(cr4_write)
{
	const struct cr_row *r = &cr4_rows[_i];
	struct sysreg_cr_write w = sysreg_write_cr4(r->old, r->value, r->umip);

	check_result(r->rule, w.result, r->outcome, r->vector, 0);
	if (r->outcome == SYSREG_OK) {
		ck_assert_msg(w.value == r->expected, "%s: CR4 %08x, expected %08x", r->rule,
			      w.value, r->expected);
		ck_assert_msg(w.flush == r->flush, "%s: flush %d, expected %d", r->rule, w.flush,
			      r->flush);
	}
}
END_TEST

/* ---- Which control and debug registers exist ---- */

START_TEST(cr_numbers)
{
	/*
	 * "Attempts to reference CR1, CR5, CR6, CR7, and CR9-CR15 result in
	 * undefined opcode (#UD)"; CR8 "is available in 64-bit mode only".
	 */
	static const int exists[16] = { [0] = 1, [2] = 1, [3] = 1, [4] = 1 };

	for (unsigned n = 0; n < 16; n++) {
		struct sysreg_result r = sysreg_check_cr(n);
		if (exists[n])
			check_result("CRn exists", r, OK, 0, 0);
		else
			check_result("CRn is #UD", r, FAULT, VEC_UD, NOERR);
	}
}
END_TEST

struct dr_row {
	const char *rule;
	unsigned n;
	uint32_t cr4;
	enum sysreg_outcome outcome;
	unsigned dr;		/* the register meant, when OK */
};

static const struct dr_row dr_rows[] = {
	/* DR0..DR3, DR6, DR7 are themselves, CR4.DE or not. */
	{ "DR0", 0, 0x0, OK, 0 },
	{ "DR3", 3, 0x8, OK, 3 },
	{ "DR6", 6, 0x8, OK, 6 },
	{ "DR7", 7, 0x0, OK, 7 },
	/* "When the DE flag is clear, DR4 and DR5 are aliased to DR6 and DR7." */
	{ "DR4 aliases DR6", 4, 0x0, OK, 6 },
	{ "DR5 aliases DR7", 5, 0x0, OK, 7 },
	/* "#UD If CR4.DE = 1 and a MOV instruction is executed involving DR4 or DR5." */
	{ "DR4 with DE", 4, 0x8, FAULT, 0 },
	{ "DR5 with DE", 5, 0x8, FAULT, 0 },
	/* DR8 and above exist only in 64-bit mode. */
	{ "DR8", 8, 0x0, FAULT, 0 },
	{ "DR15", 15, 0x0, FAULT, 0 },
};

START_TEST(dr_numbers)
{
	const struct dr_row *r = &dr_rows[_i];
	unsigned dr = 99;
	struct sysreg_result res = sysreg_check_dr(r->n, r->cr4, &dr);

	check_result(r->rule, res, r->outcome, VEC_UD, NOERR);
	if (r->outcome == SYSREG_OK)
		ck_assert_msg(dr == r->dr, "%s: DR%u, expected DR%u", r->rule, dr, r->dr);
}
END_TEST

struct dr_value_row {
	const char *rule;
	unsigned dr;
	uint32_t value;
	uint32_t expected;
};

static const struct dr_value_row dr_value_rows[] = {
	/* DR0..DR3 hold linear addresses: any value, unchanged. */
	{ "DR0 any address", 0, 0xFFFFFFFF, 0xFFFFFFFF },
	{ "DR3 zero", 3, 0x00000000, 0x00000000 },
	/* DR6 bits 4..11 and 16..31 are reserved and read 1 (DR6 resets to 0xFFFF0FF0). */
	{ "DR6 zero written", 6, 0x00000000, 0xFFFF0FF0 },
	/* DR6's B0..B3, BD, BS, BT are kept as written. */
	{ "DR6 status bits kept", 6, 0x0000E00F, 0xFFFFEFFF },
	/* DR7 bit 10 is reserved and reads 1 (DR7 resets to 0x00000400). */
	{ "DR7 zero written", 7, 0x00000000, 0x00000400 },
	/* DR7's enables, conditions and lengths are kept as written. */
	{ "DR7 breakpoint kept", 7, 0x000D0003, 0x000D0403 },
};

START_TEST(dr_value)
{
	const struct dr_value_row *r = &dr_value_rows[_i];
	uint32_t got = sysreg_dr_after_write(r->dr, r->value);

	ck_assert_msg(got == r->expected, "%s: DR%u %08x, expected %08x", r->rule, r->dr, got,
		      r->expected);
}
END_TEST

/* ---- LMSW ---- */

struct lmsw_row {
	const char *rule;
	uint32_t cr0;
	uint16_t operand;
	uint32_t expected;
};

static const struct lmsw_row lmsw_rows[] = {
	/* "Only the low-order 4 bits of the source operand ... are loaded into CR0." */
	{ "MP EM TS set", 0x80000011, 0x000E, 0x8000001F },
	{ "MP EM TS cleared", 0x8000001F, 0x0001, 0x80000011 },
	/* Bits 4..15 of the operand (ET, NE among them) are not loaded. */
	{ "upper operand bits ignored", 0x00000011, 0xFFF0, 0x00000011 },
	/* NE, WP, PG above bit 3 keep their values. */
	{ "high CR0 bits kept", 0x80010031, 0x0000, 0x80010031 },
	/* "If the PE flag of the source operand is set to 1, ... switch to protected mode." */
	{ "PE set", 0x00000010, 0x0001, 0x00000011 },
	/* "The LMSW instruction cannot be used to clear the PE flag." */
	{ "PE never cleared", 0x00000011, 0x0000, 0x00000011 },
};

START_TEST(lmsw)
{
	const struct lmsw_row *r = &lmsw_rows[_i];
	uint32_t got = sysreg_cr0_after_lmsw(r->cr0, r->operand);

	ck_assert_msg(got == r->expected, "%s: CR0 %08x after LMSW %04x: %08x, expected %08x",
		      r->rule, r->cr0, r->operand, got, r->expected);
}
END_TEST

/* ---- RDMSR and WRMSR ---- */

struct msr_row {
	const char *rule;
	uint32_t index;
	enum sysreg_outcome outcome;
};

static const struct msr_row msr_rows[] = {
	/* The MSRs the virtual CPU has (their indexes from the SDM's MSR tables). */
	{ "IA32_TIME_STAMP_COUNTER", 0x10, OK },
	{ "IA32_APIC_BASE", 0x1B, OK },
	{ "IA32_SYSENTER_CS", 0x174, OK },
	{ "IA32_SYSENTER_ESP", 0x175, OK },
	{ "IA32_SYSENTER_EIP", 0x176, OK },
	/* "#GP(0) ... If the value in ECX specifies a reserved or unimplemented MSR address." */
	{ "index 0", 0x0, FAULT },
	{ "IA32_EFER, no long mode", 0xC0000080, FAULT },
	{ "IA32_PAT, not virtualized", 0x277, FAULT },
	{ "just past SYSENTER_EIP", 0x177, FAULT },
	{ "just before SYSENTER_CS", 0x173, FAULT },
	{ "all ones", 0xFFFFFFFF, FAULT },
};

START_TEST(msr)
{
	const struct msr_row *r = &msr_rows[_i];
	check_result(r->rule, sysreg_check_msr(r->index), r->outcome, VEC_GP, 0);
}
END_TEST

/* ---- Selectors and descriptors ---- */

/* Descriptor types used below (SDM vol. 3, 3.4.5.1 and 3.5). */
#define DATA_RW		0x2u	/* read/write data */
#define DATA_RO		0x0u	/* read-only data */
#define DATA_RW_DOWN	0x6u	/* read/write, expand-down */
#define CODE_RX		0xAu	/* execute/read code */
#define SYS_TSS16	0x1u	/* 16-bit available TSS */
#define SYS_LDT		0x2u
#define SYS_TSS16_BUSY	0x3u
#define SYS_CALL_GATE	0xCu
#define SYS_TSS		0x9u	/* 32-bit available TSS */
#define SYS_TSS_BUSY	0xBu

#define NONE	0xFF	/* no descriptor: the selector lies beyond its table */

struct sel_row {
	const char *rule;
	uint16_t sel;
	unsigned type;		/* NONE, or the descriptor's type */
	unsigned s;		/* 1 code/data, 0 system */
	unsigned dpl;
	unsigned p;
	enum sysreg_outcome outcome;
	unsigned vector;
	uint32_t error;
};

/* The descriptor a row describes, or NULL. */
static const struct x86_desc *row_desc(const struct sel_row *r, struct x86_desc *d)
{
	if (r->type == NONE)
		return NULL;
	*d = desc_make(0x00100000, 0xFFFF,
		       (r->type << 8) | (r->s ? DESC_HI_S : 0) | DESC_HI_DPL(r->dpl) |
			       (r->p ? DESC_HI_P : 0) | DESC_HI_DB);
	return d;
}

/* MOV SS and POP SS, at CPL 0. */
static const struct sel_row load_ss_rows[] = {
	/* A present, writable DPL-0 data segment with RPL 0 loads. */
	{ "kernel data", 0x10, DATA_RW, 1, 0, 1, OK, 0, 0 },
	/* Expand-down stacks are writable data too. */
	{ "expand-down stack", 0x10, DATA_RW_DOWN, 1, 0, 1, OK, 0, 0 },
	/* An LDT selector (TI = 1) is checked the same way. */
	{ "LDT data", 0x0C, DATA_RW, 1, 0, 1, OK, 0, 0 },
	/* "IF segment selector is NULL THEN #GP(0)." */
	{ "null", 0x00, NONE, 0, 0, 0, FAULT, VEC_GP, 0 },
	/* A null selector with RPL 3 is still null: #GP(0). */
	{ "null with RPL 3", 0x03, NONE, 0, 0, 0, FAULT, VEC_GP, 0 },
	/* "... index is outside descriptor table limits" #GP(selector); RPL not in the code. */
	{ "beyond the table", 0x1F8, NONE, 0, 0, 0, FAULT, VEC_GP, 0x1F8 },
	/* "... segment selector's RPL != CPL" #GP(selector), the error code without RPL. */
	{ "RPL 1 at CPL 0", 0x11, DATA_RW, 1, 0, 1, FAULT, VEC_GP, 0x10 },
	{ "RPL 3 at CPL 0", 0x13, DATA_RW, 1, 0, 1, FAULT, VEC_GP, 0x10 },
	/* "... segment is not a writable data segment": read-only data. */
	{ "read-only data", 0x10, DATA_RO, 1, 0, 1, FAULT, VEC_GP, 0x10 },
	/* ... code. */
	{ "code segment", 0x08, CODE_RX, 1, 0, 1, FAULT, VEC_GP, 0x08 },
	/* ... a system descriptor (an LDT's type 2 is not "writable data"). */
	{ "system descriptor", 0x18, SYS_LDT, 0, 0, 1, FAULT, VEC_GP, 0x18 },
	/* "... DPL != CPL": a user stack at CPL 0. */
	{ "DPL 3 at CPL 0", 0x20, DATA_RW, 1, 3, 1, FAULT, VEC_GP, 0x20 },
	/* The LDT's TI bit stays in the error code. */
	{ "LDT, DPL 3", 0x0C, DATA_RW, 1, 3, 1, FAULT, VEC_GP, 0x0C },
	/* "IF segment not marked present THEN #SS(selector)." */
	{ "not present", 0x10, DATA_RW, 1, 0, 0, FAULT, VEC_SS, 0x10 },
	/* Privilege is checked before presence: DPL 3 and not present is #GP. */
	{ "DPL before present", 0x20, DATA_RW, 1, 3, 0, FAULT, VEC_GP, 0x20 },
	/* RPL is checked before presence too. */
	{ "RPL before present", 0x11, DATA_RW, 1, 0, 0, FAULT, VEC_GP, 0x10 },
};

START_TEST(load_ss)
{
	const struct sel_row *r = &load_ss_rows[_i];
	struct x86_desc d;
	check_result(r->rule, sysreg_check_load_ss(r->sel, row_desc(r, &d), 0), r->outcome,
		     r->vector, r->error);
}
END_TEST

START_TEST(load_ss_at_cpl3)
{
	/* The same rules at CPL 3: RPL 3 and DPL 3 are what the CPL needs. */
	static const struct sel_row rows[] = {
		{ "user stack", 0x23, DATA_RW, 1, 3, 1, OK, 0, 0 },
		{ "RPL 0 at CPL 3", 0x20, DATA_RW, 1, 3, 1, FAULT, VEC_GP, 0x20 },
		{ "DPL 0 at CPL 3", 0x13, DATA_RW, 1, 0, 1, FAULT, VEC_GP, 0x10 },
		{ "not present at CPL 3", 0x23, DATA_RW, 1, 3, 0, FAULT, VEC_SS, 0x20 },
	};
	for (int i = 0; i < ROWS(rows); i++) {
		struct x86_desc d;
		check_result(rows[i].rule, sysreg_check_load_ss(rows[i].sel, row_desc(&rows[i], &d), 3),
			     rows[i].outcome, rows[i].vector, rows[i].error);
	}
}
END_TEST

/* LLDT, at CPL 0. */
static const struct sel_row lldt_rows[] = {
	/* A present LDT descriptor in the GDT loads. */
	{ "LDT", 0x28, SYS_LDT, 0, 0, 1, OK, 0, 0 },
	/* The RPL of LLDT's operand plays no part; the DPL neither. */
	{ "LDT, RPL 3, DPL 3", 0x2B, SYS_LDT, 0, 3, 1, OK, 0, 0 },
	/* "If bits 2-15 of the source operand are 0, LDTR is marked invalid": no fault. */
	{ "null", 0x00, NONE, 0, 0, 0, OK, 0, 0 },
	{ "null with RPL", 0x03, NONE, 0, 0, 0, OK, 0, 0 },
	/* "#GP(selector) If the selector operand does not point into the GDT": TI = 1. */
	{ "LDT selector", 0x2C, SYS_LDT, 0, 0, 1, FAULT, VEC_GP, 0x2C },
	/* "IF SRC(Offset) > descriptor table limit THEN #GP(segment selector)." */
	{ "beyond the GDT", 0x1F8, NONE, 0, 0, 0, FAULT, VEC_GP, 0x1F8 },
	/* "IF SegmentDescriptor(Type) != LDT THEN #GP(segment selector)": a TSS. */
	{ "TSS", 0x30, SYS_TSS, 0, 0, 1, FAULT, VEC_GP, 0x30 },
	/* A data segment whose type field is 2 is still not an LDT (S = 1). */
	{ "data with type 2", 0x10, DATA_RW, 1, 0, 1, FAULT, VEC_GP, 0x10 },
	/* "IF segment descriptor is not present THEN #NP(segment selector)." */
	{ "not present", 0x28, SYS_LDT, 0, 0, 0, FAULT, VEC_NP, 0x28 },
	{ "not present, RPL 2", 0x2A, SYS_LDT, 0, 0, 0, FAULT, VEC_NP, 0x28 },
	/* The type is checked before presence. */
	{ "type before present", 0x30, SYS_TSS, 0, 0, 0, FAULT, VEC_GP, 0x30 },
};

START_TEST(lldt_rule)
{
	const struct sel_row *r = &lldt_rows[_i];
	struct x86_desc d;
	check_result(r->rule, sysreg_check_lldt(r->sel, row_desc(r, &d)), r->outcome, r->vector,
		     r->error);
}
END_TEST

/* LTR, at CPL 0. */
static const struct sel_row ltr_rows[] = {
	/* A present, available 32-bit TSS in the GDT loads. */
	{ "32-bit TSS", 0x30, SYS_TSS, 0, 0, 1, OK, 0, 0 },
	{ "32-bit TSS, RPL 3", 0x33, SYS_TSS, 0, 0, 1, OK, 0, 0 },
	/* "IF SRC is a NULL selector THEN #GP(0)." */
	{ "null", 0x00, NONE, 0, 0, 0, FAULT, VEC_GP, 0 },
	{ "null with RPL", 0x02, NONE, 0, 0, 0, FAULT, VEC_GP, 0 },
	/* "IF ... SRC(type) != global THEN #GP(segment selector)": TI = 1, index 0 is not null. */
	{ "LDT selector, index 0", 0x04, SYS_TSS, 0, 0, 1, FAULT, VEC_GP, 0x04 },
	/* "IF SRC(Offset) > descriptor table limit THEN #GP(segment selector)." */
	{ "beyond the GDT", 0x1F8, NONE, 0, 0, 0, FAULT, VEC_GP, 0x1F8 },
	/* "IF segment descriptor is not for an available TSS THEN #GP": busy. */
	{ "busy 32-bit TSS", 0x30, SYS_TSS_BUSY, 0, 0, 1, FAULT, VEC_GP, 0x30 },
	{ "busy 16-bit TSS", 0x30, SYS_TSS16_BUSY, 0, 0, 1, FAULT, VEC_GP, 0x30 },
	/* ... an LDT, a call gate, a data segment. */
	{ "LDT descriptor", 0x28, SYS_LDT, 0, 0, 1, FAULT, VEC_GP, 0x28 },
	{ "call gate", 0x38, SYS_CALL_GATE, 0, 0, 1, FAULT, VEC_GP, 0x38 },
	{ "data segment", 0x10, DATA_RW, 1, 0, 1, FAULT, VEC_GP, 0x10 },
	/* A code/data descriptor with type 9 is not a TSS (S = 1). */
	{ "code with type 9", 0x08, SYS_TSS, 1, 0, 1, FAULT, VEC_GP, 0x08 },
	/* "IF segment descriptor is not present THEN #NP(segment selector)." */
	{ "not present", 0x31, SYS_TSS, 0, 0, 0, FAULT, VEC_NP, 0x30 },
	{ "16-bit TSS not present", 0x40, SYS_TSS16, 0, 0, 0, FAULT, VEC_NP, 0x40 },
	/* A present 16-bit TSS is an available TSS: legal, beyond the virtual CPU. */
	{ "16-bit TSS", 0x40, SYS_TSS16, 0, 0, 1, UNSUP, 0, 0 },
};

START_TEST(ltr_rule)
{
	const struct sel_row *r = &ltr_rows[_i];
	struct x86_desc d;
	check_result(r->rule, sysreg_check_ltr(r->sel, row_desc(r, &d)), r->outcome, r->vector,
		     r->error);
}
END_TEST

struct holds_row {
	const char *rule;
	uint16_t sel;
	uint16_t limit;
	int holds;
};

static const struct holds_row holds_rows[] = {
	/* A GDT's limit is its size minus one: 4 entries, limit 31, hold indexes 0..3. */
	{ "last entry", 0x18, 31, 1 },
	{ "one past", 0x20, 31, 0 },
	/* The whole 8 bytes must lie within the limit: limit 30 cuts entry 3. */
	{ "entry cut by the limit", 0x18, 30, 0 },
	/* RPL does not move the entry. */
	{ "RPL ignored", 0x1B, 31, 1 },
	/* An LDT selector is never in the GDT. */
	{ "TI set", 0x1C, 31, 0 },
	/* The largest GDT (limit 0xFFFF) holds its last index, 8191. */
	{ "index 8191", 0xFFF8, 0xFFFF, 1 },
};

START_TEST(gdt_holds)
{
	const struct holds_row *r = &holds_rows[_i];
	ck_assert_msg(sysreg_gdt_holds(r->sel, r->limit) == r->holds, "%s: selector %#x limit %#x",
		      r->rule, r->sel, r->limit);
}
END_TEST

START_TEST(null_selectors)
{
	/* Null is index 0 in the GDT (bits 15..2 clear); the RPL does not matter. */
	for (uint16_t rpl = 0; rpl < 4; rpl++)
		ck_assert_msg(sysreg_selector_is_null(rpl), "selector %u is null", rpl);
	/* TI = 1 with index 0 names LDT entry 0, not null. */
	ck_assert(!sysreg_selector_is_null(0x04));
	ck_assert(!sysreg_selector_is_null(0x08));
	ck_assert(!sysreg_selector_is_null(0xFFFC));
}
END_TEST

static Suite *sysreg_rules_suite(void)
{
	Suite *s = suite_create("sysreg_rules");
	TCase *cr = tcase_create("control_registers");
	TCase *dr = tcase_create("debug_registers");
	TCase *misc = tcase_create("lmsw_msr");
	TCase *sel = tcase_create("selectors");

	tcase_add_loop_test(cr, cr0_write, 0, ROWS(cr0_rows));
	tcase_add_loop_test(cr, cr4_write, 0, ROWS(cr4_rows));
	tcase_add_test(cr, cr_numbers);
	suite_add_tcase(s, cr);
	tcase_add_loop_test(dr, dr_numbers, 0, ROWS(dr_rows));
	tcase_add_loop_test(dr, dr_value, 0, ROWS(dr_value_rows));
	suite_add_tcase(s, dr);
	tcase_add_loop_test(misc, lmsw, 0, ROWS(lmsw_rows));
	tcase_add_loop_test(misc, msr, 0, ROWS(msr_rows));
	suite_add_tcase(s, misc);
	tcase_add_loop_test(sel, load_ss, 0, ROWS(load_ss_rows));
	tcase_add_test(sel, load_ss_at_cpl3);
	tcase_add_loop_test(sel, lldt_rule, 0, ROWS(lldt_rows));
	tcase_add_loop_test(sel, ltr_rule, 0, ROWS(ltr_rows));
	tcase_add_loop_test(sel, gdt_holds, 0, ROWS(holds_rows));
	tcase_add_test(sel, null_selectors);
	suite_add_tcase(s, sel);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sysreg_rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
