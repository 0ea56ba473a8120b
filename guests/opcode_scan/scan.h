/*
 * guests/opcode_scan/scan.h: what the parts of the opcode-space scan share:
 * the fixed addresses and words of the state every case starts from, the
 * case list, and the harness of scan_stubs.S.
 * Runs in: guest.
 *
 * One state serves every opcode. Registers and memory hold a few chosen
 * words, each meaningful to the instructions that read it:
 *   SCAN_WORD (0x00083011) in EAX and at SCAN_MEM, the memory operand and
 *     the top of the stack. As an address it is a landing pad that jumps
 *     back to the harness (RET, a near CALL or JMP through memory or EAX);
 *     its low word, 0x3011, also a pad, is where 16-bit returns land; as a
 *     selector 0x3011 names a DPL-0 data segment through RPL 1, which a CPU
 *     at CPL 0 refuses and a deprivileged one accepts (MOV and POP to a
 *     segment register, LAR, LSL, VERR, VERW); as an EFLAGS image it sets
 *     IOPL 3 (POPF); its high word 0x0008 is the code selector a 16-bit far
 *     return pops.
 *   SCAN_FAR_SEL (0x0009) after it: the kernel's DPL-0 code segment through
 *     RPL 1, the selector of every far pointer (far CALL and JMP, RETF,
 *     IRET, LDS and friends): refused at CPL 0, accepted deprivileged.
 * And the kernel's own state differs from the hypervisor's where an
 * unprivileged instruction could read it: an LDT and a TR of its own,
 * CR0.NE set, interrupts off (its own IF, not the real one).
 */
#ifndef TV_GUESTS_OPCODE_SCAN_SCAN_H
#define TV_GUESTS_OPCODE_SCAN_SCAN_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses. */
#define SCAN_EXIT_OK		0
#define SCAN_EXIT_USAGE		2

/* Selectors of the scan's GDT (scan_state.c). */
#define SCAN_SEL_CODE		0x08
#define SCAN_SEL_DATA		0x10
#define SCAN_SEL_TSS		0x18
#define SCAN_SEL_LDT		0x20
#define SCAN_SEL_RPL1_DATA	0x3011u	/* GDT entry 0x602, DPL-0 flat data, through RPL 1 */
#define SCAN_FAR_SEL		0x0009u	/* the code segment through RPL 1 */

#define SCAN_WORD		0x00083011u
#define SCAN_PAD32		SCAN_WORD	/* where a 32-bit return lands */
#define SCAN_PAD16		(SCAN_WORD & 0xFFFFu)	/* where a 16-bit return lands */

/* The memory operand of every ModRM memory form and moffs, and the stack top. */
#define SCAN_MEM		0x00300000u
/* What is compared of the memory: the 16 bytes below SCAN_MEM (pushes, a
 * fault's frame) and the 16 from it (stores to the operand). */
#define SCAN_WINDOW_BELOW	16
#define SCAN_WINDOW		32
/* Refilled before every case: a little more than the window. */
#define SCAN_FILL_BELOW		64
#define SCAN_FILL		128

/* Each case runs from its own slot, so a trap's EIP names the case. */
#define SCAN_SLOTS		0x00400000u
#define SCAN_SLOT_BYTES		32
#define SCAN_MAX_CASES		10240
#define SCAN_INSN_MAX		15

/* Immediates: a port no device claims, natively or under the hypervisor. */
#define SCAN_IMM		0xE0u

/* One case: its bytes, and what the harness must put back after it. */
struct scan_case {
	uint8_t bytes[SCAN_INSN_MAX];
	uint8_t len;
	uint8_t restore;	/* SCAN_RESTORE_* */
};
#define SCAN_RESTORE_IF		1	/* may set IF: CLI after it */
#define SCAN_RESTORE_SYSREGS	2	/* may write CR0, CR3, CR4 or a debug register */

/* An opcode not run, and why; printed as SKIP lines. */
struct scan_skip {
	const char *what;
	const char *why;
};

/* ---- scan_cases.c ---- */

/* Fill cases[] in the scan's order; returns how many. */
unsigned scan_cases_build(struct scan_case *cases, unsigned max);
extern const struct scan_skip scan_skips[];
extern const unsigned scan_nskips;

/* ---- scan_state.c ---- */

/* The kernel state every case starts from: tables, LDT, TR, CR0.NE, IF off. */
void scan_state_install(void);
/* Put back CR0, CR3, CR4 and the debug registers a case may have written. */
void scan_state_restore_sysregs(void);

/* ---- scan_stubs.S ---- */

/* The registers a case starts with and leaves (offsets used by scan_stubs.S). */
struct scan_regs {
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;	/* 0..28 */
	uint32_t eflags;					/* 32 */
	uint16_t ds, es, fs, gs, ss;				/* 36..44 */
	uint16_t pad;
};
extern struct scan_regs scan_in, scan_out;
extern uint16_t scan_harness_ss;

/* Run the code at slot with scan_in's registers; scan_out gets what it left. */
void scan_exec(uint32_t slot);
/* Where a case's fault resumes (the trap handler sets EIP here), and where slots jump back to. */
extern const char scan_fault_resume[], scan_after[];

#endif
