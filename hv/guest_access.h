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
/* The same for the CPU's own accesses to the IDT, GDT and TSS: supervisor even from user mode. */
int guest_read_system(const struct vcpu *v, uint32_t la, void *dst, uint32_t len);
int guest_write_system(const struct vcpu *v, uint32_t la, const void *src, uint32_t len);

/* The linear address of a memory operand, with its segment. */
uint32_t guest_operand_address(const struct vcpu *v, const cs_x86_op *op);

/* Push and pop on the guest's stack (SS:ESP); -1 if the stack is outside memory. */
int guest_push32(struct vcpu *v, uint32_t value);
int guest_pop32(struct vcpu *v, uint32_t *value);

#endif
