/*
 * deprivilege/return_rules.c: the code-segment checks of IRET and far RET
 * at CPL 0, and the back-link checks of a task return (see
 * return_rules.h).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include "deprivilege/return_rules.h"

/* The busy 16-bit TSS, a system type lib/x86_desc.h leaves out. */
#define DESC_SYS_TSS16_BUSY	0x3u

static struct sysreg_result decided(enum sysreg_outcome outcome, unsigned vector,
				    uint32_t error, const char *why)
{
	struct sysreg_result r = { outcome, vector, error, why };
	return r;
}

struct sysreg_result return_check_cs(uint16_t sel, const struct x86_desc *d)
{
	uint32_t error = sel & ~3u;	/* EXT and IDT clear: the instruction itself faults */

	if ((sel & ~3u) == 0)
		return decided(SYSREG_FAULT, VEC_GP, 0, 0);
	if (!d || !DESC_S(*d) || !(DESC_TYPE(*d) & DESC_TYPE_CODE))
		return decided(SYSREG_FAULT, VEC_GP, error, 0);
	if (DESC_TYPE(*d) & DESC_TYPE_CONFORMING) {
		if (DESC_DPL(*d) > SEL_RPL(sel))
			return decided(SYSREG_FAULT, VEC_GP, error, 0);
	} else if (DESC_DPL(*d) != SEL_RPL(sel)) {
		return decided(SYSREG_FAULT, VEC_GP, error, 0);
	}
	if (!DESC_P(*d))
		return decided(SYSREG_FAULT, VEC_NP, error, 0);
	return decided(SYSREG_OK, 0, 0, 0);
}

struct sysreg_result return_check_task_link(uint16_t link, const struct x86_desc *d)
{
	uint32_t error = link & ~3u;

	if ((link & SEL_TI) || !d || DESC_S(*d) ||
	    (DESC_TYPE(*d) != DESC_SYS_TSS_BUSY && DESC_TYPE(*d) != DESC_SYS_TSS16_BUSY))
		return decided(SYSREG_FAULT, VEC_TS, error, 0);
	if (!DESC_P(*d))
		return decided(SYSREG_FAULT, VEC_NP, error, 0);
	return decided(SYSREG_UNSUPPORTED, 0, 0, "returns to a nested task (a task switch)");
}
