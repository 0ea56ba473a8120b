/*
 * hv/vcpu.h: the virtual CPU: what the guest believes about the processor it
 * runs on, as opposed to what the real processor holds.
 * Runs in: hypervisor, ring 0.
 *
 * The guest's general registers, EIP and segment selectors live in the real
 * CPU while it runs and in `regs` while the hypervisor handles a trap. The
 * state that deprivileging takes away from the guest (its interrupt flag,
 * its descriptor-table registers, its control registers) exists only here.
 */
#ifndef TV_HV_VCPU_H
#define TV_HV_VCPU_H

#include <stdint.h>
#include "deprivilege/interrupt_shadow.h"
#include "hv/trap_frame.h"
#include "lib/x86.h"

struct vcpu {
	struct trap_frame regs;	/* the guest's registers at the last trap */

	unsigned ring;		/* the real ring the guest kernel runs in */
	int user_mode;		/* the guest runs its user code (virtual CPL 3) */
	/*
	 * Direct system calls (hv/direct.c): user code shares the kernel's
	 * address space and GDT view, and enters and leaves the kernel without
	 * the hypervisor; user_mode then follows the real CPL at each trap.
	 */
	int direct_active;

	/* Virtual EFLAGS bits: the real IF is always 1 and IOPL 0 while the guest runs. */
	int virt_if;		/* the guest's interrupt flag */
	unsigned virt_iopl;	/* the guest's I/O privilege level */
	/* STI just set IF, or MOV SS ran: no interrupt before the next instruction has run. */
	struct interrupt_shadow sti_shadow;
	/*
	 * An interrupt waits for the one instruction after STI or MOV SS: it
	 * runs with the real TF set (irq_step), and its #DB delivers. Whether
	 * TF was already set (the guest's, or a stepped page-table write's).
	 */
	int irq_step, irq_step_tf_was_set;
	uint32_t deliveries;	/* exceptions and interrupts delivered to the guest so far */

	struct x86_pseudo_desc virt_gdtr;	/* as the guest loaded them (guest-linear) */
	struct x86_pseudo_desc virt_idtr;
	int idt_loaded;
	uint16_t virt_ldtr, virt_tr;		/* selectors from LLDT and LTR */
	uint32_t virt_tss_base;			/* the guest's TSS, for ss0:esp0 */

	/* Control and debug registers as the guest set them. */
	uint32_t virt_cr0, virt_cr2, virt_cr3, virt_cr4;
	uint32_t virt_dr[8];

	/* The model-specific registers a small kernel uses. */
	uint32_t msr_sysenter_cs, msr_sysenter_esp, msr_sysenter_eip;
	uint64_t tsc_offset;			/* the guest's writes to the TSC */

	/* Guest memory: guest-physical 0..mem_bytes is hv-addressable at mem. */
	uint8_t *mem;
	uint32_t mem_bytes;
};

#endif
