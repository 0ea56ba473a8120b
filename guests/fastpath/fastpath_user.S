/*
 * guests/fastpath/fastpath_user.S: the user-mode side of the system call
 * checks, and the gate that brings the kernel back.
 * Runs in: guest (ring 3, then the kernel).
 *
 * fp_user_run(n) enters ring 3 with IRET (IF 1 in the frame, while the
 * kernel itself runs with IF 0, as xv6 returns to a process) and makes n rounds of two system
 * calls, with i = 0..n-1 in EAX: INT 0x40 (a DPL-3 trap gate) must return
 * 3i + 1, INT 0x41 (a DPL-3 interrupt gate) 5i. Each wrong answer counts
 * one mismatch; INT 0x42 then carries the count back to the kernel, whose
 * handler drops the frame and returns from fp_user_run on the stack it was
 * called with. In ring 3 DS, ES, FS and GS are null (IRET clears DPL-0
 * selectors), so the loop touches nothing but registers; a nonzero second
 * argument is loaded into DS first (a user program's own data segment).
 */
#include "guests/fastpath/fastpath.h"

	.text
	.globl fp_user_run
fp_user_run:
	movl 4(%esp), %ecx
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %ebp
	movl 24(%esp), %ebx			/* user_ds, kept in EBX into ring 3 */
	movl %esp, fp_kernel_esp
	pushl $FP_SEL_USER_DATA_ASM		/* ss */
	pushl fp_user_stack_top			/* esp */
	pushfl					/* eflags: the kernel's, with IF 1, */
	orl $0x200, (%esp)			/* as a kernel returns to its processes */
	pushl $FP_SEL_USER_CODE_ASM		/* cs */
	pushl fp_user_entry			/* eip: fp_user_loop unless a hostile kernel chose */
	iret
fp_user_loop:
	testl %ebx, %ebx
	jz 0f
	movw %bx, %ds
0:	xorl %edi, %edi				/* mismatches */
	xorl %esi, %esi				/* i */
	testl %ecx, %ecx
	jz 4f
1:	movl %esi, %eax
	int $FP_VEC_SYSCALL
	leal 1(%esi,%esi,2), %edx
	cmpl %edx, %eax
	je 2f
	incl %edi
2:	movl %esi, %eax
	int $FP_VEC_SYSCALL_INTGATE
	leal (%esi,%esi,4), %edx
	cmpl %edx, %eax
	je 3f
	incl %edi
3:	incl %esi
	cmpl %ecx, %esi
	jne 1b
4:	movl %edi, %eax
	int $FP_VEC_USER_DONE

	/* A user program that reads the inline patch code's first page (hostile=user-reads-patch-code). */
	.globl fp_user_read_patch_code
fp_user_read_patch_code:
	movl 0xFFD02000, %eax
	int $FP_VEC_USER_DONE

	.globl fp_user_done
fp_user_done:
	movw $0x10, %dx				/* GUEST_SEL_DATA */
	movw %dx, %ds
	movw %dx, %es
	movw %dx, %fs
	movw %dx, %gs
	movl fp_kernel_esp, %esp
	popl %ebp
	popl %edi
	popl %esi
	popl %ebx
	ret

	.data
	.align 4
fp_kernel_esp:
	.long 0
	.globl fp_user_entry
fp_user_entry:
	.long fp_user_loop

	.section .note.GNU-stack, "", @progbits
