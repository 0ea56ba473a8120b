/*
 * hv/switcher.S: the only code that runs in both address spaces.
 * Runs in: hypervisor, ring 0, entered by the CPU from the guest.
 *
 * 1. Each vector has a stub that makes the frame uniform (an error code,
 *    real or zero, and the vector number), then jumps to switcher_trap.
 * 2. switcher_trap saves the guest's registers on the trap stack, loads the
 *    hypervisor's segments and page tables, moves to the hypervisor's own
 *    stack and calls hv_trap(frame) in C.
 * 3. switcher_to_guest is the way back: the guest's page tables, its
 *    registers from the frame, and IRET.
 * In ring 3 with --direct, step 2 first offers the trap to the fast trap
 * path (hv/fast_trap.S), which answers a few traps on the guest's own page
 * tables and leaves through the last instructions of step 3.
 * Both switches of page tables are timed with RDTSC (hv/trap_cost.c): they
 * are what keeping the hypervisor out of the guest's address space costs.
 * A trap taken while the hypervisor itself runs (CS RPL 0) is a bug in the
 * hypervisor: it goes to hv_fault without touching the guest's state.
 */
#include "hv/layout.h"

/* Vectors for which the CPU pushes an error code (Intel SDM vol. 3, 6.13). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21)

	.section .switcher.text, "ax"

	.macro vector_stub v
	.align 16
switcher_vector_\v:
	.if HAS_ERROR(\v)
	.else
	pushl $0
	.endif
	pushl $\v
	jmp switcher_trap
	.endm

	.globl switcher_vectors
switcher_vectors:
	.altmacro
	.set v, 0
	.rept 256
	vector_stub %v
	.set v, v + 1
	.endr

	.globl switcher_trap
switcher_trap:
	/*
	 * Trust no flag of the guest's. A gate clears TF, NT, RF and VM (and an
	 * interrupt gate IF), but DF, AC and IOPL arrive as the guest left
	 * them, and with DF set every string copy the compiler emits for the
	 * hypervisor would run backwards through its memory. One known EFLAGS
	 * before the first instruction that could depend on one.
	 */
	pushl $EFLAGS_HV
	popfl
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl $SEL_HV_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl %esp, %ebx			/* ebx = the frame, kept across the call */
	/*
	 * From virtual-8086 mode CS holds a real-mode segment, whose low bits
	 * may well be 0: the VM flag, not the RPL, says it came from the guest.
	 */
	testl $EFLAGS_HV_VM, TF_EFLAGS_OFFSET(%esp)
	jnz 3f
	testl $3, TF_CS_OFFSET(%esp)
	jz 1f
	/*
	 * In ring 3 with --direct, a trap the fast trap path can answer is
	 * answered there, without either CR3 write (hv/fast_trap.S); it comes
	 * back here for anything else, with the frame untouched.
	 */
	cmpl $0, switcher_fast_trap_on
	jne fast_trap_try
	.globl switcher_full_trap
switcher_full_trap:
3:
	/* Time the switch of address spaces (eax, edx, esi are saved above). */
	rdtsc
	movl %eax, %esi
	movl switcher_hv_cr3, %eax
	movl %eax, %cr3
	rdtsc
	subl %esi, %eax
	movl %eax, trap_cost_entry_switch
	movl switcher_hv_stack_top, %esp
	pushl %ebx
	call hv_trap
	/* fall through: back to the guest */

	.globl switcher_to_guest_from
switcher_to_guest_from:
	movl %ebx, %esp
	rdtsc
	movl %eax, %esi
	movl switcher_guest_cr3, %eax
	movl %eax, %cr3
	rdtsc
	subl %esi, %eax
	/* Only the trap stack is writable here; the next trap reads this word. */
	movl %eax, switcher_stack_page
	/* The fast trap path leaves the same way, without a CR3 write to time. */
	.globl switcher_pop_frame
switcher_pop_frame:
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp			/* vector and error code */
	iret

1:	/* A fault inside the hypervisor: report it on the stack it happened on. */
	movl switcher_hv_cr3, %eax
	movl %eax, %cr3
	pushl %ebx
	call hv_fault
2:	hlt
	jmp 2b

/* void switcher_enter_guest(struct trap_frame *frame): the first entry. */
	.globl switcher_enter_guest
switcher_enter_guest:
	movl 4(%esp), %ebx
	jmp switcher_to_guest_from

	.section .switcher.data, "aw"
	.align 4096
	.globl switcher_idt, switcher_gdt, switcher_tss
switcher_idt:
	.space 256 * 8
switcher_gdt:
	.space GDT_ENTRIES * 8
switcher_tss:
	.space 104
	.align 8
	.globl switcher_ldt
switcher_ldt:
	.space LDT_ENTRIES * 8
	.align 4
	.globl switcher_hv_cr3, switcher_guest_cr3, switcher_hv_stack_top, switcher_fast_trap_on
switcher_hv_cr3:	.long 0
switcher_guest_cr3:	.long 0
switcher_hv_stack_top:	.long 0
switcher_fast_trap_on:	.long 0		/* hv/fast_trap.c: nonzero once its pages are mapped */

	.section .note.GNU-stack, "", @progbits
