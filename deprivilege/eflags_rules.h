/*
 * deprivilege/eflags_rules.h: what POPF and PUSHF do to EFLAGS, as a CPU
 * running at a given CPL would do them (Intel SDM vol. 2B, POPF/POPFD/POPFQ
 * and PUSHF/PUSHFD/PUSHFQ), so the hypervisor can emulate them against the
 * guest's virtual flags once the patcher has made them trap.
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * Protected mode only: neither function models virtual-8086 mode (the guest
 * never runs with EFLAGS.VM set). Real-address mode behaves as CPL 0.
 */
#ifndef TV_DEPRIVILEGE_EFLAGS_RULES_H
#define TV_DEPRIVILEGE_EFLAGS_RULES_H

#include <stdint.h>

/*
 * The EFLAGS a POPF leaves behind. old is EFLAGS before the instruction
 * (its IOPL decides what may change), popped is the value taken from the
 * stack, cpl is the privilege level the guest believes it runs at (0..3),
 * operand16 is nonzero for the 16-bit form (66 9D, "popfw"), whose popped
 * word is the low 16 bits of popped.
 *
 * The rules, as the SDM states them and KVM's emulate_popf condenses them:
 *   - IOPL changes only at CPL 0;
 *   - IF changes only when CPL <= IOPL (the IOPL before the POPF);
 *   - neither raises an exception when refused: the bit silently keeps its
 *     value (the Popek-Goldberg problem when a kernel runs deprivileged);
 *   - VM, VIF and VIP never change; the 32-bit form clears RF;
 *   - the 16-bit form changes only bits 15..0;
 *   - reserved bits come out as the CPU holds them: bit 1 set, bits 3, 5,
 *     15 and 22..31 clear.
 */
uint32_t eflags_after_popf(uint32_t old, uint32_t popped, unsigned cpl,
			   int operand16);

/*
 * The EFLAGS a 32-bit IRET at cpl leaves behind when it returns within
 * protected mode (to the same or an outer level, not to virtual-8086 mode,
 * not from a nested task): from popped, CF PF AF ZF SF TF DF OF NT RF AC
 * ID; IF only when cpl <= IOPL (the IOPL before the IRET); IOPL only at
 * CPL 0. VM, VIF and VIP are the caller's business (at CPL 0 they take
 * the popped values, and VM means virtual-8086 mode); they come out as in
 * old. NT in popped is loaded like any other flag: only NT in old makes
 * an IRET a task return (SDM vol. 2A, IRET "Operation",
 * RETURN-TO-SAME-PRIVILEGE-LEVEL and RETURN-TO-OUTER-PRIVILEGE-LEVEL).
 */
uint32_t eflags_after_iret(uint32_t old, uint32_t popped, unsigned cpl);

/*
 * The doubleword PUSHFD writes to the stack for a CPU whose EFLAGS is
 * eflags: the same with VM and RF cleared. PUSHF with a 16-bit operand
 * pushes the low 16 bits of this value.
 */
uint32_t eflags_for_pushf(uint32_t eflags);

#endif
