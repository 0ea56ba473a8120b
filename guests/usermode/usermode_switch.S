/*
 * guests/usermode/usermode_switch.S: crossing between the kernel and user
 * mode: IRET into user mode, the way back to the kernel's caller, the
 * SYSENTER entry with its SYSEXIT, and the first user-mode instructions.
 * Runs in: guest; usermode_user_start at CPL 3, the rest at CPL 0.
 */
#include "guests/usermode/usermode.h"

	.text

/*
 * uint32_t usermode_enter(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t user_esp):
 * save the kernel's callee-saved registers and stack pointer, then IRET to
 * user mode. The frame has SS:ESP because the privilege level changes
 * (Intel SDM vol. 2, IRET). Data segments get the user selector first: a
 * DPL-0 selector left in DS would be nulled by the IRET.
 * usermode_resume_kernel() later returns from here with its value.
 */
	.globl usermode_enter
usermode_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, usermode_kernel_esp
	movl 20(%esp), %esi		/* fn, for usermode_user_start */
	movl 24(%esp), %edi		/* arg */
	movl 28(%esp), %ecx		/* user_esp */
	movl $USERMODE_SEL_USER_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pushl $USERMODE_SEL_USER_DATA	/* SS */
	pushl %ecx			/* ESP */
	pushl $USERMODE_USER_EFLAGS
	pushl $USERMODE_SEL_USER_CODE	/* CS */
	pushl $usermode_user_start	/* EIP */
	iret

/*
 * void usermode_resume_kernel(uint32_t value): called in kernel mode from a
 * trap handler on the TSS's stack. That stack is abandoned (the next trap
 * from user mode starts again at esp0), and usermode_enter returns value.
 */
	.globl usermode_resume_kernel
usermode_resume_kernel:
	movl 4(%esp), %eax
	movl $USERMODE_SEL_KERNEL_DATA, %ecx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movl usermode_kernel_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/*
 * SYSENTER arrives here with CS and SS from IA32_SYSENTER_CS, ESP from
 * IA32_SYSENTER_ESP and IF clear; the user passed its return EIP in EDX
 * and its ESP in ECX, which SYSEXIT takes back (Intel SDM vol. 2,
 * SYSEXIT). EAX is the call's number, EBX its argument. STI just before
 * SYSEXIT returns to user mode with interrupts on, as it left.
 */
	.globl usermode_sysenter_entry
usermode_sysenter_entry:
	pushl %ecx
	pushl %edx
	pushl %ds
	pushl %es
	movl $USERMODE_SEL_KERNEL_DATA, %ecx
	movw %cx, %ds
	movw %cx, %es
	cld
	pushl %ebx
	pushl %eax
	call usermode_sysenter_dispatch
	addl $8, %esp
	popl %es
	popl %ds
	popl %edx
	popl %ecx
	sti
	sysexit

/*
 * The first user-mode instructions: fn(arg), then hand its result back
 * to the kernel with USERMODE_SYS_RETURN, which does not return.
 */
	.globl usermode_user_start
usermode_user_start:
	pushl %edi
	call *%esi
	addl $4, %esp
	movl %eax, %ebx
	movl $USERMODE_SYS_RETURN, %eax
	int $USERMODE_SYSCALL_VECTOR
	ud2

	.bss
	.align 4
usermode_kernel_esp:
	.long 0

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
