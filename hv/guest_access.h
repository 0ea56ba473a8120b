/*
 * hv/guest_access.h: reaching the guest's registers and memory from the
 * hypervisor, with every guest-supplied address checked once, here.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_GUEST_ACCESS_H
#define TV_HV_GUEST_ACCESS_H

#include <stdint.h>
#include <capstone/x86.h>
#include "hv/vcpu.h"

/* Capstone's register names onto the saved guest registers (8, 16, 32 bits). */
uint32_t guest_reg_read(const struct vcpu *v, x86_reg reg);
void guest_reg_write(struct vcpu *v, x86_reg reg, uint32_t value);

/* The base of the segment a selector names, from the real (shadowed) GDT. */
uint32_t guest_segment_base(uint16_t sel);

/* Does the guest run 16-bit code now (its CS descriptor has D = 0)? */
int guest_code16(const struct vcpu *v);

/* The selector behind Capstone's segment register name. */
uint16_t guest_segment_selector(const struct vcpu *v, x86_reg seg);

/*
 * Copy between the hypervisor and guest-linear memory, as the CPU would
 * reach it (through the guest's page tables when its paging is on, setting
 * their accessed and dirty bits). -1 if any byte is unmapped or outside
 * guest memory.
 */
int guest_read(const struct vcpu *v, uint32_t la, void *dst, uint32_t len);
int guest_write(const struct vcpu *v, uint32_t la, const void *src, uint32_t len);
/*
 * The CPU's push of an exception frame, as guest_write: 0 written; 1 the
 * guest's paging refuses a page, nothing written (*fault_la and
 * *fault_error: the #PF the bare CPU raises); -1 outside guest memory.
 */
int guest_write_frame(const struct vcpu *v, uint32_t la, const void *src, uint32_t len,
		      uint32_t *fault_la, uint32_t *fault_error);
/* The same for the CPU's own accesses to the IDT, GDT and TSS: supervisor even from user mode. */
int guest_read_system(const struct vcpu *v, uint32_t la, void *dst, uint32_t len);
int guest_write_system(const struct vcpu *v, uint32_t la, const void *src, uint32_t len);

/* The linear address of a memory operand, with its segment. */
uint32_t guest_operand_address(const struct vcpu *v, const cs_x86_op *op);

/*
 * The accessors of the emulator, for the memory an instruction it carries
 * out names (an operand, the stack). 0: the access was made. -1: the
 * guest's own page tables refuse it, so the instruction raises #PF as on
 * the bare CPU (CR2 the address, the walk's error code), delivered here at
 * the instruction's EIP; the handler then returns EM_DONE at once, having
 * changed nothing of the guest's. A write that crosses into a refused page
 * writes nothing. An address outside guest memory (with the guest's paging
 * off, or through tables that reach past its RAM) stops the guest here, as
 * lguest's lgread kills its guest, so no handler repeats the check:
 * "<insn> at <eip>: 0x<la> lies outside guest memory". system: the CPU's
 * own access to a descriptor table.
 */
struct decoded_insn;
int guest_read_or_fault(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			const struct decoded_insn *insn);
int guest_write_or_fault(struct vcpu *v, uint32_t la, const void *src, uint32_t len,
			 const struct decoded_insn *insn);
int guest_read_system_or_fault(struct vcpu *v, uint32_t la, void *dst, uint32_t len,
			       const struct decoded_insn *insn);

/*
 * The guest's stack for an instruction, the same way: push or pop `bytes`
 * (2 or 4) at SS:ESP (ESP changes only when the access is made), or read
 * `len` bytes at SS:ESP + offset without popping (for IRET and far RET,
 * which may still fault after reading their frame).
 */
int guest_push_or_fault(struct vcpu *v, uint32_t value, unsigned bytes,
			const struct decoded_insn *insn);
int guest_pop_or_fault(struct vcpu *v, unsigned bytes, uint32_t *value,
		       const struct decoded_insn *insn);
int guest_stack_read_or_fault(struct vcpu *v, uint32_t offset, void *dst, uint32_t len,
			      const struct decoded_insn *insn);

#endif
