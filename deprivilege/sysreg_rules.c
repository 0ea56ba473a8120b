/*
 * deprivilege/sysreg_rules.c: what a CPU at CPL 0 does with bad operands
 * to its privileged instructions: reserved control-register bits, missing
 * control and debug registers, unknown MSRs, and the selector checks of
 * MOV SS, LLDT and LTR (Intel SDM vol. 2, each instruction's "Operation").
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The hypervisor applies these to the guest's virtual CPU, so that a guest
 * kernel gets the same fault from the emulator that the bare machine would
 * have raised, and the same value back when nothing faults.
 */
#include "deprivilege/sysreg_rules.h"

/* The CR0 bits that exist in 32-bit mode; the rest are reserved and read 0. */
#define CR0_DEFINED	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | \
			 CR0_AM | CR0_NW | CR0_CD | CR0_PG)

/*
 * The CR4 bits the virtual CPU offers. VME and PVI (virtual-8086 and
 * protected-mode virtual interrupts) are not among them; UMIP only when
 * the real CPU has it (writing it on one without hangs QEMU's TCG).
 */
#define CR4_OFFERED	(CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | \
			 CR4_OSFXSR | CR4_OSXMMEXCPT)

/* LMSW reaches only the machine status word's PE, MP, EM and TS. */
#define LMSW_BITS	(CR0_PE | CR0_MP | CR0_EM | CR0_TS)

/* The 16-bit available TSS, a system type lib/x86_desc.h leaves out. */
#define DESC_SYS_TSS16_AVAIL	0x1u

static struct sysreg_result ok(void)
{
	struct sysreg_result r = { SYSREG_OK, 0, 0, 0 };
	return r;
}

static struct sysreg_result fault(unsigned vector, uint32_t error)
{
	struct sysreg_result r = { SYSREG_FAULT, vector, error, 0 };
	return r;
}

static struct sysreg_result unsupported(const char *why)
{
	struct sysreg_result r = { SYSREG_UNSUPPORTED, 0, 0, why };
	return r;
}

/* #GP(selector) and friends: the selector's index and TI, EXT and IDT clear. */
static uint32_t selector_error(uint16_t sel)
{
	return sel & ~3u;
}

struct sysreg_cr_write sysreg_write_cr0(uint32_t old_cr0, uint32_t value)
{
	struct sysreg_cr_write w = { ok(), 0, 0 };

	value = (value & CR0_DEFINED) | CR0_ET;
	if ((value & CR0_PG) && !(value & CR0_PE)) {
		w.result = fault(VEC_GP, 0);
		return w;
	}
	if ((value & CR0_NW) && !(value & CR0_CD)) {
		w.result = fault(VEC_GP, 0);
		return w;
	}
	if (!(value & CR0_PE)) {
		w.result = unsupported("leaves protected mode");
		return w;
	}
	w.value = value;
	w.flush = ((old_cr0 ^ value) & (CR0_PG | CR0_WP)) != 0;
	return w;
}

struct sysreg_cr_write sysreg_write_cr4(uint32_t old_cr4, uint32_t value, int cpu_has_umip)
{
	struct sysreg_cr_write w = { ok(), 0, 0 };
	uint32_t allowed = CR4_OFFERED | CR4_PAE | (cpu_has_umip ? CR4_UMIP : 0);

	/* A reserved bit faults on the bare machine whatever else is set, PAE included. */
	if (value & ~allowed) {
		w.result = fault(VEC_GP, 0);
		return w;
	}
	if (value & CR4_PAE) {
		w.result = unsupported("turns on PAE");
		return w;
	}
	w.value = value;
	w.flush = ((old_cr4 ^ value) & (CR4_PSE | CR4_PGE)) != 0;
	return w;
}

struct sysreg_result sysreg_check_cr(unsigned n)
{
	if (n == 0 || n == 2 || n == 3 || n == 4)
		return ok();
	return fault(VEC_UD, SYSREG_NO_ERROR_CODE);
}

struct sysreg_result sysreg_check_dr(unsigned n, uint32_t cr4, unsigned *dr)
{
	if (n == 4 || n == 5) {
		if (cr4 & CR4_DE)
			return fault(VEC_UD, SYSREG_NO_ERROR_CODE);
		n += 2;
	}
	if (n > 7)
		return fault(VEC_UD, SYSREG_NO_ERROR_CODE);
	*dr = n;
	return ok();
}

uint32_t sysreg_dr_after_write(unsigned dr, uint32_t value)
{
	if (dr == 6)
		return value | DR6_ALWAYS_ONE;
	if (dr == 7)
		return value | DR7_ALWAYS_ONE;
	return value;
}

uint32_t sysreg_cr0_after_lmsw(uint32_t cr0, uint16_t operand)
{
	return (cr0 & ~LMSW_BITS) | (operand & LMSW_BITS) | (cr0 & CR0_PE);
}

struct sysreg_result sysreg_check_msr(uint32_t index)
{
	switch (index) {
	case MSR_TSC:
	case MSR_APIC_BASE:
	case MSR_SYSENTER_CS:
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
		return ok();
	default:
		return fault(VEC_GP, 0);
	}
}

int sysreg_selector_is_null(uint16_t sel)
{
	return (sel & ~3u) == 0;
}

int sysreg_gdt_holds(uint16_t sel, uint16_t gdt_limit)
{
	return !(sel & SEL_TI) && (uint32_t)SEL_INDEX(sel) * 8 + 7 <= gdt_limit;
}

struct sysreg_result sysreg_check_load_ss(uint16_t sel, const struct x86_desc *d, unsigned cpl)
{
	if (sysreg_selector_is_null(sel))
		return fault(VEC_GP, 0);
	if (!d || SEL_RPL(sel) != cpl || !DESC_S(*d) || (DESC_TYPE(*d) & DESC_TYPE_CODE) ||
	    !(DESC_TYPE(*d) & DESC_TYPE_WRITABLE) || DESC_DPL(*d) != cpl)
		return fault(VEC_GP, selector_error(sel));
	if (!DESC_P(*d))
		return fault(VEC_SS, selector_error(sel));
	return ok();
}

/* What LLDT and LTR share: a GDT system descriptor of one type, present. */
static struct sysreg_result check_system_descriptor(uint16_t sel, const struct x86_desc *d,
						    int type_ok)
{
	if ((sel & SEL_TI) || !d || DESC_S(*d) || !type_ok)
		return fault(VEC_GP, selector_error(sel));
	if (!DESC_P(*d))
		return fault(VEC_NP, selector_error(sel));
	return ok();
}

struct sysreg_result sysreg_check_lldt(uint16_t sel, const struct x86_desc *d)
{
	if (sysreg_selector_is_null(sel))
		return ok();
	return check_system_descriptor(sel, d, d && DESC_TYPE(*d) == DESC_SYS_LDT);
}

struct sysreg_result sysreg_check_ltr(uint16_t sel, const struct x86_desc *d)
{
	if (sysreg_selector_is_null(sel))
		return fault(VEC_GP, 0);
	struct sysreg_result r = check_system_descriptor(
		sel, d, d && (DESC_TYPE(*d) == DESC_SYS_TSS_AVAIL ||
			      DESC_TYPE(*d) == DESC_SYS_TSS16_AVAIL));
	if (r.outcome == SYSREG_OK && DESC_TYPE(*d) == DESC_SYS_TSS16_AVAIL)
		return unsupported("loads a 16-bit TSS");
	return r;
}
