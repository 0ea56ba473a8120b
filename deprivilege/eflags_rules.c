/*
 * deprivilege/eflags_rules.c: POPF and PUSHF as a CPU at a given CPL does
 * them (Intel SDM vol. 2B, POPF/POPFD and PUSHF/PUSHFD, protected mode).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * When the hypervisor emulates a patched POPF, the "CPU" is the guest's
 * virtual one: old is the virtual EFLAGS and cpl the guest's virtual CPL,
 * so a guest kernel at virtual CPL 0 gets the IF change that the real CPU,
 * at ring 1, would silently have dropped.
 */
#include "deprivilege/eflags_rules.h"

#include "lib/x86.h"

/*
 * Every bit POPFD can ever write: the status flags, TF, IF, DF, IOPL, NT,
 * and AC and ID (i486 and Pentium on). RF, VM, VIF and VIP are not among
 * them; neither are the reserved bits.
 */
#define POPF_WRITABLE	(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | \
			 EFLAGS_SF | EFLAGS_TF | EFLAGS_IF | EFLAGS_DF | \
			 EFLAGS_OF | EFLAGS_IOPL | EFLAGS_NT | EFLAGS_AC | \
			 EFLAGS_ID)

/* Every bit the architecture defines; the rest (3, 5, 15, 22..31) read 0. */
#define EFLAGS_DEFINED	(POPF_WRITABLE | EFLAGS_FIXED | EFLAGS_RF | \
			 EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP)

#define LOW_WORD	0x0000FFFFu

uint32_t eflags_after_popf(uint32_t old, uint32_t popped, unsigned cpl,
			   int operand16)
{
	unsigned old_iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	uint32_t writable = POPF_WRITABLE;
	uint32_t result;

	if (cpl != 0)
		writable &= ~EFLAGS_IOPL;
	if (cpl > old_iopl)
		writable &= ~EFLAGS_IF;
	if (operand16)
		writable &= LOW_WORD;

	result = (old & ~writable) | (popped & writable);
	if (!operand16)
		result &= ~EFLAGS_RF;	/* RF is bit 16: the word form cannot reach it */
	return (result & EFLAGS_DEFINED) | EFLAGS_FIXED;
}

/* What IRETD loads from the popped image at any CPL. */
#define IRET_WRITABLE	(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | \
			 EFLAGS_SF | EFLAGS_TF | EFLAGS_DF | EFLAGS_OF | \
			 EFLAGS_NT | EFLAGS_RF | EFLAGS_AC | EFLAGS_ID)

uint32_t eflags_after_iret(uint32_t old, uint32_t popped, unsigned cpl)
{
	unsigned old_iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	uint32_t writable = IRET_WRITABLE;

	if (cpl == 0)
		writable |= EFLAGS_IOPL;
	if (cpl <= old_iopl)
		writable |= EFLAGS_IF;
	uint32_t result = (old & ~writable) | (popped & writable);
	return (result & EFLAGS_DEFINED) | EFLAGS_FIXED;
}

uint32_t eflags_for_pushf(uint32_t eflags)
{
	return eflags & ~(EFLAGS_VM | EFLAGS_RF);
}
