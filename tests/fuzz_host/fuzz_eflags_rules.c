/*
 * tests/fuzz_host/fuzz_eflags_rules.c: fuzzes POPF, PUSHF and IRET's flags
 * as a CPU at a given CPL does them (deprivilege/eflags_rules.c) with any
 * flags, popped values and CPLs.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: records of old EFLAGS (u32), popped value (u32), CPL and operand
 * size (u8: bits 1..0 the CPL, bit 2 the 16-bit form).
 *
 * Properties, from deprivilege/eflags_rules.h (Intel SDM vol. 2B, POPF):
 *   1. The result holds only bits the architecture defines, bit 1 set.
 *   2. IOPL changes only at CPL 0; IF only when CPL <= the old IOPL;
 *      VM, VIF and VIP never; RF is cleared by the 32-bit form.
 *   3. The 16-bit form changes no defined bit above bit 15.
 *   4. Every other writable bit is the popped one: PUSHF after a POPF at CPL 0
 *      gives back what was popped (in the bits POPF can write).
 *   5. Doing the same POPF twice changes nothing the second time.
 *   6. PUSHF pushes the flags without VM and RF, and nothing else changes.
 *   7. IRET within protected mode loads every status and control flag, NT
 *      and RF included, from the popped image; IOPL only at CPL 0, IF only
 *      when CPL <= the old IOPL; VM, VIF and VIP stay as they were; the
 *      result holds only defined bits with bit 1 set; a second identical
 *      IRET changes nothing.
 */
#include "deprivilege/eflags_rules.h"
#include "lib/x86.h"
#include "tests/fuzz_host/fuzz_input.h"

/* The SDM's EFLAGS layout: the bits POPFD can write, and every defined bit. */
#define WRITABLE	(EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_TF | \
			 EFLAGS_IF | EFLAGS_DF | EFLAGS_OF | EFLAGS_IOPL | EFLAGS_NT | EFLAGS_AC | \
			 EFLAGS_ID)
#define DEFINED		(WRITABLE | EFLAGS_FIXED | EFLAGS_RF | EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP)

static void check_popf(uint32_t old, uint32_t popped, unsigned cpl, int op16)
{
	uint32_t r = eflags_after_popf(old, popped, cpl, op16);
	unsigned old_iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	uint32_t changed = (r ^ old) & DEFINED;

	FUZZ_CHECK((r & ~DEFINED) == 0 && (r & EFLAGS_FIXED), "result 0x%08x", r);
	if (cpl != 0)
		FUZZ_CHECK(!(changed & EFLAGS_IOPL), "IOPL changed at CPL %u", cpl);
	if (cpl > old_iopl)
		FUZZ_CHECK(!(changed & EFLAGS_IF), "IF changed at CPL %u, IOPL %u", cpl, old_iopl);
	FUZZ_CHECK(!(changed & (EFLAGS_VM | EFLAGS_VIF | EFLAGS_VIP)),
		   "VM/VIF/VIP changed: 0x%08x -> 0x%08x", old, r);
	if (op16) {
		FUZZ_CHECK(!(changed & 0xFFFF0000u), "16-bit form changed 0x%08x", changed);
	} else {
		FUZZ_CHECK(!(r & EFLAGS_RF), "32-bit form left RF set");
	}

	/* Each bit this POPF may write, at this CPL and size, is the popped one. */
	uint32_t may = WRITABLE & (op16 ? 0xFFFFu : 0xFFFFFFFFu);
	if (cpl != 0)
		may &= ~EFLAGS_IOPL;
	if (cpl > old_iopl)
		may &= ~EFLAGS_IF;
	FUZZ_CHECK((r & may) == (popped & may), "popped 0x%08x, got 0x%08x (CPL %u%s)", popped, r,
		   cpl, op16 ? ", 16-bit" : "");
	/* ... and the defined bits it may not write are the old ones, RF aside. */
	uint32_t kept = DEFINED & ~may & ~EFLAGS_RF & ~EFLAGS_FIXED;
	FUZZ_CHECK((r & kept) == (old & kept), "kept bits 0x%08x changed: 0x%08x -> 0x%08x", kept,
		   old, r);

	FUZZ_CHECK(eflags_after_popf(r, popped, cpl, op16) == r, "second POPF changed 0x%08x", r);
	if (cpl == 0 && !op16)
		FUZZ_CHECK((eflags_for_pushf(r) & WRITABLE) == (popped & WRITABLE),
			   "PUSHF after POPF 0x%08x gives 0x%08x", popped, eflags_for_pushf(r));
}

static void check_iret(uint32_t old, uint32_t popped, unsigned cpl)
{
	uint32_t r = eflags_after_iret(old, popped, cpl);
	unsigned old_iopl = (old & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	uint32_t loaded = (WRITABLE & ~(EFLAGS_IOPL | EFLAGS_IF)) | EFLAGS_RF;

	if (cpl == 0)
		loaded |= EFLAGS_IOPL;
	if (cpl <= old_iopl)
		loaded |= EFLAGS_IF;
	FUZZ_CHECK((r & ~DEFINED) == 0 && (r & EFLAGS_FIXED), "IRET result 0x%08x", r);
	FUZZ_CHECK((r & loaded) == (popped & loaded), "IRET of 0x%08x at CPL %u gives 0x%08x", popped,
		   cpl, r);
	uint32_t kept = DEFINED & ~loaded & ~EFLAGS_FIXED;
	FUZZ_CHECK((r & kept) == (old & kept), "IRET changed kept bits: 0x%08x -> 0x%08x (CPL %u)", old,
		   r, cpl);
	FUZZ_CHECK(eflags_after_iret(r, popped, cpl) == r, "second IRET changed 0x%08x", r);
}

static void check_pushf(uint32_t flags)
{
	uint32_t p = eflags_for_pushf(flags);

	FUZZ_CHECK(p == (flags & ~(EFLAGS_VM | EFLAGS_RF)), "PUSHF of 0x%08x gives 0x%08x", flags,
		   p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	do {
		uint32_t old = fuzz_u32(&in);
		uint32_t popped = fuzz_u32(&in);
		uint8_t how = fuzz_u8(&in);

		check_popf(old, popped, how & 3u, (how >> 2) & 1u);
		/* Flags a CPU really holds: defined bits only, bit 1 set. */
		check_popf((old & DEFINED) | EFLAGS_FIXED, popped, how & 3u, (how >> 2) & 1u);
		check_iret(old, popped, how & 3u);
		check_iret((old & DEFINED) | EFLAGS_FIXED, popped, how & 3u);
		check_pushf(old);
	} while (in.size > 0);
	return 0;
}
