/*
 * guests/paging/paging_probes.S: the accesses the checks must place exactly,
 * and the user task with the way into ring 3 and back.
 * Runs in: guest (the kernel probes in ring 0, the user task in ring 3).
 *
 * Each probe exports the address of its access (_insn) and of the
 * instruction after it (_next): the page-fault handler compares a fault's
 * EIP with _insn and resumes at _next.
 */
#include "guests/paging/paging_user_abi.h"

	.text

/* uint32_t paging_probe_read(uint32_t la) */
	.globl paging_probe_read, paging_probe_read_insn, paging_probe_read_next
paging_probe_read:
	movl 4(%esp), %edx
paging_probe_read_insn:
	movl (%edx), %eax
paging_probe_read_next:
	ret

/* void paging_probe_write(uint32_t la, uint32_t value) */
	.globl paging_probe_write, paging_probe_write_insn, paging_probe_write_next
paging_probe_write:
	movl 4(%esp), %edx
	movl 8(%esp), %eax
paging_probe_write_insn:
	movl %eax, (%edx)
paging_probe_write_next:
	ret

/*
 * void paging_user_run(eip, esp, ebx, esi, edi): IRET into ring 3 at eip
 * with the user's stack and data segments. The kernel's callee-saved
 * registers and stack pointer wait in paging_user_kernel_esp until
 * paging_user_return() takes them back. EFLAGS is built, not copied: the
 * task runs with IF = 0 and IOPL = 0, so it can neither take interrupts
 * nor reach ports.
 */
	.globl paging_user_run
paging_user_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, paging_user_kernel_esp
	movl 20(%esp), %ecx		/* eip */
	movl 24(%esp), %edx		/* esp */
	movl 28(%esp), %ebx
	movl 32(%esp), %esi
	movl 36(%esp), %edi
	pushl $PAGING_SEL_USER_DATA	/* ss */
	pushl %edx			/* esp */
	pushl $0x2			/* eflags: only the always-one bit */
	pushl $PAGING_SEL_USER_CODE	/* cs */
	pushl %ecx			/* eip */
	movw $PAGING_SEL_USER_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	iret

/*
 * void paging_user_return(void): called by the kernel's INT 0x80 handler,
 * on the TSS stack, when the task has finished. The trap already left ring
 * 3; this drops that stack and returns from paging_user_run. SS is the
 * kernel's since the trap, and the data segments follow it.
 */
	.globl paging_user_return
paging_user_return:
	movw %ss, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movl paging_user_kernel_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/*
 * The user task, alone in whole pages so that exactly these pages can be
 * marked U=1. EBX = its own page (U=1), ESI = a kernel page (U=0), EDI = a
 * not-present page. Each step reports through INT 0x80.
 */
	.section .text.paging_user, "ax"
	.balign 4096
	.globl paging_user_code_start, paging_user_code_end, paging_user_task
	.globl paging_user_read_kernel_insn, paging_user_read_kernel_next
	.globl paging_user_write_kernel_insn, paging_user_write_kernel_next
	.globl paging_user_read_unmapped_insn, paging_user_read_unmapped_next
paging_user_code_start:
paging_user_task:
	movl $PAGING_USER_VALUE, (%ebx)
	movl (%ebx), %ecx
	movl $PAGING_USER_OWN_PAGE, %eax
	int $PAGING_SYSCALL_VECTOR

	xorl %ecx, %ecx
paging_user_read_kernel_insn:
	movl (%esi), %ecx
paging_user_read_kernel_next:
	movl $PAGING_USER_READ_KERNEL, %eax
	int $PAGING_SYSCALL_VECTOR

paging_user_write_kernel_insn:
	movl %ebx, (%esi)
paging_user_write_kernel_next:
	movl $PAGING_USER_WRITE_KERNEL, %eax
	int $PAGING_SYSCALL_VECTOR

	xorl %ecx, %ecx
paging_user_read_unmapped_insn:
	movl (%edi), %ecx
paging_user_read_unmapped_next:
	movl $PAGING_USER_READ_UNMAPPED, %eax
	int $PAGING_SYSCALL_VECTOR

	movl $PAGING_USER_EXIT, %eax
	int $PAGING_SYSCALL_VECTOR
	ud2				/* the kernel never returns here */
	.balign 4096
paging_user_code_end:

	.bss
	.align 4
paging_user_kernel_esp:
	.space 4

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
