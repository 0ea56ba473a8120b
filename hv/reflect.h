/*
 * hv/reflect.h: handing an exception or interrupt to the guest's own handler.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_REFLECT_H
#define TV_HV_REFLECT_H

#include <stdint.h>
#include "hv/vcpu.h"

#define REFLECT_NO_ERROR_CODE 0xFFFFFFFFu

/* "#GP", "#PF", ... or "vector N" for the rest. */
const char *vector_name(unsigned vector, char buf[16]);

/*
 * Deliver `vector` through the guest's IDT as the bare machine would at
 * ring 0: push EFLAGS (virtual IF and IOPL), CS (RPL 0), the return EIP and
 * the error code (unless REFLECT_NO_ERROR_CODE) on the guest's stack, then
 * continue at the handler, with the virtual IF cleared for an interrupt gate.
 * A guest without a usable handler is stopped with a reason naming the
 * exception, its address and the instruction.
 */
void reflect_to_guest(struct vcpu *v, unsigned vector, uint32_t error,
		      uint32_t return_eip, const char *insn_text);

/* INT n, INT3, INTO: as reflect_to_guest, after the gate's DPL check against the guest's CPL. */
void reflect_software_interrupt(struct vcpu *v, unsigned vector, uint32_t return_eip,
				const char *insn_text);

/* An interrupt from the guest's interrupt controller, at the current EIP. */
void reflect_external_interrupt(struct vcpu *v, unsigned vector);
/* The EFLAGS the guest would see on the bare machine: the real ones with its virtual IF and IOPL. */
uint32_t guest_visible_eflags(const struct vcpu *v);

#endif
