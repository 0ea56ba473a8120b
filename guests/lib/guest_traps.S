/*
 * guests/lib/guest_traps.S: one entry stub per IDT vector and the common
 * path that builds a struct guest_trap_frame (guest_trap.h) and calls
 * guest_trap_dispatch().
 * Runs in: guest.
 *
 * The CPU pushes an error code for some exceptions only; the stubs of the
 * others push a 0 in its place so every frame has the same shape.
 */

	/* For %sym below, which expands a symbol's value into a stub's name. */
	.altmacro

/*
 * The CPU pushes an error code for #DF (8), #TS (10), #NP (11), #SS (12),
 * #GP (13), #PF (14), #AC (17), #CP (21), #VC (29) and #SX (30): Intel SDM
 * vol. 3, 6.13. A true comparison is -1 in gas, so the sum is 0 for all others.
 */
	.macro GUEST_TRAP_STUB num
	.align 8
guest_trap_stub_\num:
	.ifeq (\num == 8) + (\num == 10) + (\num == 11) + (\num == 12) + (\num == 13) + (\num == 14) + (\num == 17) + (\num == 21) + (\num == 29) + (\num == 30)
	pushl $0
	.endif
	pushl $\num
	jmp guest_trap_common
	.endm

	.macro GUEST_TRAP_STUB_ADDRESS num
	.long guest_trap_stub_\num
	.endm

	.text
	.set guest_trap_vec, 0
	.rept 256
	GUEST_TRAP_STUB %guest_trap_vec
	.set guest_trap_vec, guest_trap_vec + 1
	.endr

guest_trap_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	/*
	 * A trap may arrive while a test has something odd in DS or ES; the
	 * C code needs them flat, and SS is the one data segment that must
	 * be good for the CPU to have delivered the trap at all.
	 */
	movw %ss, %ax
	movw %ax, %ds
	movw %ax, %es
	cld
	pushl %esp			/* struct guest_trap_frame * */
	call guest_trap_dispatch
	addl $4, %esp
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp			/* vector and error code */
	iret

	.section .rodata
	.align 4
	.globl guest_trap_stubs
guest_trap_stubs:
	.set guest_trap_vec, 0
	.rept 256
	GUEST_TRAP_STUB_ADDRESS %guest_trap_vec
	.set guest_trap_vec, guest_trap_vec + 1
	.endr

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
