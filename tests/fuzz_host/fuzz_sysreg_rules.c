/*
 * tests/fuzz_host/fuzz_sysreg_rules.c: fuzzes the CPL-0 rules for control
 * and debug registers, LMSW, MSRs, MOV SS, LLDT and LTR
 * (deprivilege/sysreg_rules.c), and the code-selector and task-link checks
 * of IRET and far RET (deprivilege/return_rules.c), with any operands and
 * descriptors.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: records of an operation (u8) and its operands (u32, u32, u16, a
 * descriptor, a GDT limit).
 *
 * Properties, from deprivilege/sysreg_rules.h (Intel SDM vol. 2 and 3):
 *   1. Every decision is well formed: OK carries nothing else, a fault a
 *      vector among #GP, #UD, #NP, #SS and #TS with an error code of its kind
 *      (#UD none, the others 0 or a selector with bits 1..0 clear), an
 *      unsupported one a reason; a refused write leaves value and flush 0.
 *   2. A register written is within the architecture's bits: CR0 without
 *      reserved bits, ET set, PE set, never PG without PE or NW without CD;
 *      CR4 only with the offered bits (UMIP only on a CPU that has it), never
 *      PAE; DR6 and DR7 with their always-one bits. Writing a register its
 *      own value back is accepted and flushes nothing; flush is set exactly
 *      when a bit the shadow page tables encode changed.
 *   3. LMSW changes only PE, MP, EM and TS and never clears PE.
 *   4. DR4 and DR5 are DR6 and DR7 unless CR4.DE; no register above 7.
 *   5. sysreg_gdt_holds: the whole entry lies within the limit; the harness
 *      then reads it from a GDT exactly limit + 1 bytes long (ASan's bounds).
 *   6. MOV SS, LLDT and LTR accept only what the SDM allows: a writable data
 *      segment at DPL = RPL = CPL, present; an LDT descriptor; an available
 *      TSS; each from the GDT.
 *   7. A return passes only to a present code segment whose DPL is its RPL
 *      (conforming: at most its RPL); a task return never passes (no task
 *      switches), faults #TS or #NP with the link, and goes as far as
 *      "unsupported" only for a present busy TSS in the GDT.
 */
#include <string.h>

#include "deprivilege/return_rules.h"
#include "deprivilege/sysreg_rules.h"
#include "tests/fuzz_host/fuzz_input.h"

#define CR0_ARCH	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
			 CR0_NW | CR0_CD | CR0_PG)
#define CR4_OFFERED	(CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | \
			 CR4_OSXMMEXCPT)

static void check_result(struct sysreg_result r, uint16_t sel)
{
	switch (r.outcome) {
	case SYSREG_OK:
		FUZZ_CHECK(r.vector == 0 && r.error == 0 && r.why == NULL, "OK with extras");
		break;
	case SYSREG_FAULT:
		FUZZ_CHECK(r.why == NULL, "fault with a reason");
		if (r.vector == VEC_UD) {
			FUZZ_CHECK(r.error == SYSREG_NO_ERROR_CODE, "#UD with error 0x%x", r.error);
			break;
		}
		FUZZ_CHECK(r.vector == VEC_GP || r.vector == VEC_NP || r.vector == VEC_SS ||
			   r.vector == VEC_TS,
			   "vector %u", r.vector);
		FUZZ_CHECK(r.error == 0 || r.error == (uint32_t)(sel & ~3u),
			   "error 0x%x for selector 0x%x", r.error, sel);
		break;
	case SYSREG_UNSUPPORTED:
		FUZZ_CHECK(r.vector == 0 && r.error == 0 && r.why && strlen(r.why) > 0,
			   "unsupported, malformed");
		break;
	default:
		FUZZ_CHECK(0, "outcome %d", (int)r.outcome);
	}
}

static void check_cr_write_shape(struct sysreg_cr_write w)
{
	check_result(w.result, 0);
	FUZZ_CHECK(w.result.outcome != SYSREG_FAULT || w.result.error == 0, "CR fault with a selector");
	if (w.result.outcome != SYSREG_OK)
		FUZZ_CHECK(w.value == 0 && w.flush == 0, "refused write with value 0x%x", w.value);
}

static void check_cr0(uint32_t old, uint32_t v)
{
	struct sysreg_cr_write w = sysreg_write_cr0(old, v);

	check_cr_write_shape(w);
	if (w.result.outcome != SYSREG_OK)
		return;
	FUZZ_CHECK((w.value & ~CR0_ARCH) == 0 && (w.value & CR0_ET) && (w.value & CR0_PE),
		   "CR0 0x%08x from 0x%08x", w.value, v);
	FUZZ_CHECK(!(w.value & CR0_NW) || (w.value & CR0_CD), "NW without CD: 0x%08x", w.value);
	FUZZ_CHECK(w.value == ((v & CR0_ARCH) | CR0_ET), "CR0 0x%08x from 0x%08x", w.value, v);
	FUZZ_CHECK(w.flush == (((old ^ w.value) & (CR0_PG | CR0_WP)) != 0), "CR0 flush %d", w.flush);
	struct sysreg_cr_write again = sysreg_write_cr0(w.value, w.value);
	FUZZ_CHECK(again.result.outcome == SYSREG_OK && again.value == w.value && !again.flush,
		   "writing CR0 0x%08x back is not a no-op", w.value);
}

static void check_cr4(uint32_t old, uint32_t v, int umip)
{
	struct sysreg_cr_write w = sysreg_write_cr4(old, v, umip);
	uint32_t allowed = CR4_OFFERED | (umip ? CR4_UMIP : 0);

	check_cr_write_shape(w);
	if (v & ~(allowed | CR4_PAE))
		FUZZ_CHECK(w.result.outcome == SYSREG_FAULT && w.result.vector == VEC_GP,
			   "CR4 0x%08x (umip %d) not #GP", v, umip);
	if (w.result.outcome != SYSREG_OK)
		return;
	FUZZ_CHECK(w.value == v && (v & ~allowed) == 0, "CR4 0x%08x from 0x%08x (umip %d)", w.value,
		   v, umip);
	FUZZ_CHECK(w.flush == (((old ^ v) & (CR4_PSE | CR4_PGE)) != 0), "CR4 flush %d", w.flush);
	struct sysreg_cr_write again = sysreg_write_cr4(v, v, umip);
	FUZZ_CHECK(again.result.outcome == SYSREG_OK && !again.flush, "CR4 0x%08x back", v);
}

static void check_dr(unsigned n, uint32_t cr4, uint32_t value)
{
	unsigned dr = 99;
	struct sysreg_result r = sysreg_check_dr(n, cr4, &dr);

	check_result(r, 0);
	if (r.outcome != SYSREG_OK) {
		FUZZ_CHECK(r.outcome == SYSREG_FAULT && r.vector == VEC_UD, "DR%u: not #UD", n);
		FUZZ_CHECK(n > 7 || ((n == 4 || n == 5) && (cr4 & CR4_DE)), "DR%u refused", n);
		return;
	}
	FUZZ_CHECK(dr <= 7 && dr != 4 && dr != 5, "DR%u is DR%u", n, dr);
	FUZZ_CHECK(dr == n || ((n == 4 || n == 5) && dr == n + 2 && !(cr4 & CR4_DE)),
		   "DR%u is DR%u (CR4 0x%x)", n, dr, cr4);
	uint32_t after = sysreg_dr_after_write(dr, value);
	uint32_t ones = dr == 6 ? DR6_ALWAYS_ONE : dr == 7 ? DR7_ALWAYS_ONE : 0;
	FUZZ_CHECK(after == (value | ones), "DR%u after 0x%08x: 0x%08x", dr, value, after);
}

static void check_lmsw(uint32_t cr0, uint16_t operand)
{
	uint32_t r = sysreg_cr0_after_lmsw(cr0, operand);
	uint32_t msw = CR0_PE | CR0_MP | CR0_EM | CR0_TS;

	FUZZ_CHECK((r & ~msw) == (cr0 & ~msw), "LMSW changed 0x%08x -> 0x%08x", cr0, r);
	FUZZ_CHECK((r & (CR0_MP | CR0_EM | CR0_TS)) == (operand & (CR0_MP | CR0_EM | CR0_TS)),
		   "LMSW 0x%04x: 0x%08x", operand, r);
	FUZZ_CHECK((r & CR0_PE) == ((cr0 | operand) & CR0_PE), "LMSW PE: 0x%08x, 0x%04x -> 0x%08x",
		   cr0, operand, r);
}

/* Looks sel up as the emulator does, in a GDT of exactly gdt_limit + 1 bytes. */
static const struct x86_desc *gdt_lookup(uint16_t sel, uint16_t gdt_limit, struct x86_desc d,
					 uint8_t *gdt, struct x86_desc *copy)
{
	int holds = sysreg_gdt_holds(sel, gdt_limit);

	FUZZ_CHECK(!holds || (!(sel & SEL_TI) && SEL_INDEX(sel) * 8u + 7u <= gdt_limit),
		   "selector 0x%x in a GDT of limit 0x%x", sel, gdt_limit);
	FUZZ_CHECK(holds || (sel & SEL_TI) || SEL_INDEX(sel) * 8u + 7u > gdt_limit,
		   "selector 0x%x refused by a GDT of limit 0x%x", sel, gdt_limit);
	if (!holds)
		return NULL;
	memcpy(gdt + SEL_INDEX(sel) * 8u, &d, sizeof(d));
	memcpy(copy, gdt + SEL_INDEX(sel) * 8u, sizeof(*copy));
	return copy;
}

static void check_selectors(uint16_t sel, struct x86_desc d, uint16_t gdt_limit, unsigned cpl)
{
	uint8_t *gdt = malloc((size_t)gdt_limit + 1);
	struct x86_desc copy;
	const struct x86_desc *dp = gdt_lookup(sel, gdt_limit, d, gdt, &copy);
	struct sysreg_result r;
	int null = (sel & ~3u) == 0;

	FUZZ_CHECK(sysreg_selector_is_null(sel) == null, "null 0x%x", sel);

	r = sysreg_check_load_ss(sel, dp, cpl);
	check_result(r, sel);
	if (r.outcome == SYSREG_OK)
		FUZZ_CHECK(!null && dp && SEL_RPL(sel) == cpl && DESC_S(d) && DESC_P(d) &&
			   !(DESC_TYPE(d) & DESC_TYPE_CODE) && (DESC_TYPE(d) & DESC_TYPE_WRITABLE) &&
			   DESC_DPL(d) == cpl, "SS 0x%x (%08x:%08x) at CPL %u accepted", sel, d.hi,
			   d.lo, cpl);
	else
		FUZZ_CHECK(r.outcome == SYSREG_FAULT && (r.error == 0) == null, "SS 0x%x", sel);

	r = sysreg_check_lldt(sel, dp);
	check_result(r, sel);
	if (r.outcome == SYSREG_OK)
		FUZZ_CHECK(null || (dp && !(sel & SEL_TI) && !DESC_S(d) && DESC_P(d) &&
				    DESC_TYPE(d) == DESC_SYS_LDT),
			   "LLDT 0x%x (%08x:%08x) accepted", sel, d.hi, d.lo);
	else
		FUZZ_CHECK(r.outcome == SYSREG_FAULT && !null && r.error == (uint32_t)(sel & ~3u),
			   "LLDT 0x%x", sel);

	r = sysreg_check_ltr(sel, dp);
	check_result(r, sel);
	if (r.outcome != SYSREG_FAULT)
		FUZZ_CHECK(!null && dp && !(sel & SEL_TI) && !DESC_S(d) && DESC_P(d) &&
			   (DESC_TYPE(d) == DESC_SYS_TSS_AVAIL ||
			    (DESC_TYPE(d) == 1 && r.outcome == SYSREG_UNSUPPORTED)),
			   "LTR 0x%x (%08x:%08x) accepted", sel, d.hi, d.lo);
	else
		FUZZ_CHECK((r.error == 0) == null, "LTR 0x%x", sel);

	r = return_check_cs(sel, dp);
	check_result(r, sel);
	FUZZ_CHECK(r.outcome != SYSREG_UNSUPPORTED, "return to 0x%x unsupported", sel);
	if (r.outcome == SYSREG_OK)
		FUZZ_CHECK(!null && dp && DESC_S(d) && (DESC_TYPE(d) & DESC_TYPE_CODE) && DESC_P(d) &&
			   ((DESC_TYPE(d) & DESC_TYPE_CONFORMING) ? DESC_DPL(d) <= SEL_RPL(sel)
								   : DESC_DPL(d) == SEL_RPL(sel)),
			   "return to 0x%x (%08x:%08x) passes", sel, d.hi, d.lo);
	else
		FUZZ_CHECK((r.vector == VEC_GP || r.vector == VEC_NP) && (r.error == 0) == null,
			   "return to 0x%x: vector %u error 0x%x", sel, r.vector, r.error);

	r = return_check_task_link(sel, dp);
	check_result(r, sel);
	FUZZ_CHECK(r.outcome != SYSREG_OK, "task return to 0x%x carried out", sel);
	if (r.outcome == SYSREG_UNSUPPORTED)
		FUZZ_CHECK(dp && !(sel & SEL_TI) && !DESC_S(d) && DESC_P(d) &&
			   (DESC_TYPE(d) == DESC_SYS_TSS_BUSY || DESC_TYPE(d) == 3),
			   "task return to 0x%x (%08x:%08x) would switch", sel, d.hi, d.lo);
	else
		FUZZ_CHECK((r.vector == VEC_TS || r.vector == VEC_NP) &&
			   r.error == (uint32_t)(sel & ~3u), "task return to 0x%x: vector %u error 0x%x",
			   sel, r.vector, r.error);
	free(gdt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	do {
		uint8_t op = fuzz_u8(&in);
		uint32_t a = fuzz_u32(&in), b = fuzz_u32(&in);
		uint16_t sel = fuzz_u16(&in);
		struct x86_desc d = { fuzz_u32(&in), fuzz_u32(&in) };
		uint16_t gdt_limit = fuzz_u16(&in);

		switch (op % 8) {
		case 0: check_cr0(a, b); break;
		case 1: check_cr4(a, b, (op >> 3) & 1); break;
		case 2: check_result(sysreg_check_cr(a), 0);
			FUZZ_CHECK((sysreg_check_cr(a).outcome == SYSREG_OK) ==
				   (a == 0 || a == 2 || a == 3 || a == 4), "CR%u", a);
			break;
		case 3: check_dr(a % 16 == 15 ? a : a % 16, b, sel | (uint32_t)gdt_limit << 16); break;
		case 4: check_lmsw(a, sel); break;
		case 5: check_result(sysreg_check_msr(a), 0); break;
		default: check_selectors(sel, d, gdt_limit, (op >> 3) & 3); break;
		}
	} while (in.size > 0);
	return 0;
}
