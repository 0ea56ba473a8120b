/*
 * deprivilege/sysreg_rules.h: the architectural rules a CPU at CPL 0 applies
 * to the privileged instructions the hypervisor emulates (MOV to and from
 * control and debug registers, LMSW, RDMSR and WRMSR, MOV SS and POP SS,
 * LLDT, LTR): which operands fault, with which exception and error code,
 * and what a register holds after a write (Intel SDM vol. 2, the
 * instructions' "Operation" and "Protected Mode Exceptions"; vol. 3, 2.5
 * control registers, 17.2 debug registers).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * Every function decides only: the caller reads the operand, looks the
 * descriptor up, then carries the decision out on the virtual CPU (raise
 * the fault, stop the guest, or store the value and advance EIP).
 * 32-bit protected mode only: nothing here models 64-bit mode or
 * virtual-8086 mode.
 */
#ifndef TV_DEPRIVILEGE_SYSREG_RULES_H
#define TV_DEPRIVILEGE_SYSREG_RULES_H

#include <stdint.h>

#include "lib/x86.h"
#include "lib/x86_desc.h"

/* Control-register bits beyond those lib/x86.h names. */
#define CR0_NW		0x20000000u	/* not write-through */
#define CR0_CD		0x40000000u	/* cache disable */
#define CR4_TSD		0x00000004u	/* RDTSC at CPL 0 only */
#define CR4_DE		0x00000008u	/* debugging extensions: DR4/DR5 are #UD */
#define CR4_PAE		0x00000020u
#define CR4_MCE		0x00000040u
#define CR4_PCE		0x00000100u	/* RDPMC at any CPL */
#define CR4_OSFXSR	0x00000200u
#define CR4_OSXMMEXCPT	0x00000400u

/* The model-specific registers the virtual CPU has; RDMSR or WRMSR of any other is #GP(0). */
#define MSR_TSC			0x010u
#define MSR_APIC_BASE		0x01Bu
#define MSR_SYSENTER_CS		0x174u
#define MSR_SYSENTER_ESP	0x175u
#define MSR_SYSENTER_EIP	0x176u

/* DR6 and DR7 bits that always read 1 (DR6 after reset is 0xFFFF0FF0, DR7 0x00000400). */
#define DR6_ALWAYS_ONE	0xFFFF0FF0u
#define DR7_ALWAYS_ONE	0x00000400u

enum sysreg_outcome {
	SYSREG_OK,		/* the bare machine carries the instruction out */
	SYSREG_FAULT,		/* the bare machine raises vector, with error */
	SYSREG_UNSUPPORTED,	/* legal on the bare machine, beyond the virtual CPU: stop the guest */
};

/* The error code of an exception that pushes none (#UD). */
#define SYSREG_NO_ERROR_CODE 0xFFFFFFFFu

/*
 * One decision. For SYSREG_FAULT, vector is VEC_GP, VEC_UD, VEC_NP or
 * VEC_SS, and error its error code: 0, a selector with bits 1..0 clear
 * (#GP(selector), #NP(selector), #SS(selector): bit 0 EXT and bit 1 IDT
 * are 0 when the instruction itself faults), or SYSREG_NO_ERROR_CODE for
 * #UD. For SYSREG_UNSUPPORTED, why completes "<instruction> at <eip> ...",
 * e.g. "turns on PAE". Fields that do not apply are 0.
 */
struct sysreg_result {
	enum sysreg_outcome outcome;
	unsigned vector;
	uint32_t error;
	const char *why;
};

/* A MOV to CR0 or CR4: the decision and, when it is SYSREG_OK, the register's new value. */
struct sysreg_cr_write {
	struct sysreg_result result;
	uint32_t value;		/* what the register holds after the write */
	int flush;		/* translations (TLB, shadow page tables) built under the old value are stale */
};

/*
 * MOV to CR0 with old_cr0 in the register. Reserved bits are dropped and
 * ET stays 1 (SDM: "reserved bits in CR0 remain clear after any load",
 * "CR0.ET remains set"); PG without PE, or NW without CD, is #GP(0);
 * clearing PE (a return to real mode) is unsupported. flush is set when PG
 * or WP changes: the shadow page tables encode both.
 */
struct sysreg_cr_write sysreg_write_cr0(uint32_t old_cr0, uint32_t value);

/*
 * MOV to CR4 with old_cr4 in the register, on a CPU that has UMIP or not
 * (cpu_has_umip). A reserved bit, or a bit the virtual CPU does not offer
 * (VME, PVI, and UMIP without the real CPU's), is #GP(0) (SDM: "an attempt
 * to change CR4's reserved bits will cause a general protection fault");
 * PAE, which is legal but not virtualized, is unsupported. flush is set
 * when PSE or PGE changes.
 */
struct sysreg_cr_write sysreg_write_cr4(uint32_t old_cr4, uint32_t value, int cpu_has_umip);

/* MOV to or from CRn: CR0, CR2, CR3 and CR4 exist; any other n is #UD (CR8 is 64-bit only). */
struct sysreg_result sysreg_check_cr(unsigned n);

/*
 * MOV to or from DRn with cr4 in CR4. DR4 and DR5 are #UD with CR4.DE set,
 * else aliases of DR6 and DR7; DR8 and above are #UD. On SYSREG_OK *dr is
 * the register really meant (0..7).
 */
struct sysreg_result sysreg_check_dr(unsigned n, uint32_t cr4, unsigned *dr);

/* The value DRdr (0..7) holds after a MOV of value: DR6 and DR7 keep their always-one bits. */
uint32_t sysreg_dr_after_write(unsigned dr, uint32_t value);

/*
 * CR0 after LMSW operand with cr0 in the register: PE, MP, EM and TS come
 * from the operand's bits 3..0, except that LMSW can set PE but never clear
 * it; every other bit of CR0 is kept.
 */
uint32_t sysreg_cr0_after_lmsw(uint32_t cr0, uint16_t operand);

/* RDMSR or WRMSR of MSR index: SYSREG_OK for the MSR_* above, else #GP(0). */
struct sysreg_result sysreg_check_msr(uint32_t index);

/* A null selector: bits 15..2 clear (index 0 of the GDT), whatever the RPL. */
int sysreg_selector_is_null(uint16_t sel);

/*
 * Does the GDT, whose limit is gdt_limit, hold the whole 8-byte entry sel
 * names? 0 for an LDT selector (TI set). The caller reads the descriptor
 * only when it does, and passes NULL to the checks below otherwise.
 */
int sysreg_gdt_holds(uint16_t sel, uint16_t gdt_limit);

/*
 * MOV SS or POP SS of sel at cpl; d is sel's descriptor as the guest wrote
 * it, or NULL when sel lies beyond its table. Null is #GP(0); RPL != CPL,
 * not a writable data segment, or DPL != CPL is #GP(sel); not present is
 * #SS(sel). Checked in that order.
 */
struct sysreg_result sysreg_check_load_ss(uint16_t sel, const struct x86_desc *d, unsigned cpl);

/*
 * LLDT of sel (at CPL 0); d is its GDT descriptor, or NULL when
 * sysreg_gdt_holds() said no. A null selector is SYSREG_OK without d (LDTR
 * becomes unusable); an LDT selector, one beyond the limit, or a
 * descriptor that is not an LDT is #GP(sel); not present is #NP(sel).
 */
struct sysreg_result sysreg_check_lldt(uint16_t sel, const struct x86_desc *d);

/*
 * LTR of sel (at CPL 0); d as for LLDT. Null is #GP(0); an LDT selector,
 * one beyond the limit, or a descriptor that is not an available TSS
 * (a busy one included) is #GP(sel); not present is #NP(sel). A present,
 * available 16-bit TSS is legal but unsupported.
 */
struct sysreg_result sysreg_check_ltr(uint16_t sel, const struct x86_desc *d);

#endif
