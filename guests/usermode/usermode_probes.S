/*
 * guests/usermode/usermode_probes.S: user-mode instructions that must be
 * placed exactly: each probe exports the address of its instruction (_insn)
 * and of the one after it (_next), and stores the ESP it runs the
 * instruction with in usermode_probe_esp, so the kernel can compare the
 * frame a trap pushed with what the hardware defines.
 * Runs in: guest, user mode (CPL 3).
 *
 * Probes are cdecl functions of one 32-bit argument, called by
 * usermode_user_start; they clobber only EAX, ECX and EDX.
 */
#include "guests/usermode/usermode.h"

	.text

/* uint32_t usermode_probe_int80(uint32_t arg): USERMODE_SYS_MIX of arg by INT 0x80. */
	.globl usermode_probe_int80, usermode_probe_int80_insn, usermode_probe_int80_next
usermode_probe_int80:
	pushl %ebx
	movl 8(%esp), %ebx
	movl $USERMODE_SYS_MIX, %eax
	movl %esp, usermode_probe_esp
usermode_probe_int80_insn:
	int $USERMODE_SYSCALL_VECTOR
usermode_probe_int80_next:
	popl %ebx
	ret

/* INT to a gate of DPL 0: #GP(vector * 8 + 2) at the INT (Intel SDM vol. 2, INT n). */
	.globl usermode_probe_int81, usermode_probe_int81_insn, usermode_probe_int81_next
usermode_probe_int81:
	xorl %eax, %eax
	movl %esp, usermode_probe_esp
usermode_probe_int81_insn:
	int $USERMODE_KERNEL_ONLY_VECTOR
usermode_probe_int81_next:
	ret

/* CLI with CPL 3 > IOPL 0: #GP(0). */
	.globl usermode_probe_cli, usermode_probe_cli_insn, usermode_probe_cli_next
usermode_probe_cli:
	xorl %eax, %eax
	movl %esp, usermode_probe_esp
usermode_probe_cli_insn:
	cli
usermode_probe_cli_next:
	ret

/*
 * OUT with CPL 3 > IOPL 0 and no I/O permission bitmap in the TSS: #GP(0)
 * (Intel SDM vol. 1, 19.5). Port 0x80 is the POST port nothing listens to.
 */
	.globl usermode_probe_out, usermode_probe_out_insn, usermode_probe_out_next
usermode_probe_out:
	xorl %eax, %eax
	movl %esp, usermode_probe_esp
usermode_probe_out_insn:
	outb %al, $0x80
usermode_probe_out_next:
	ret

/* DIV by zero: #DE, a fault: EIP of the DIV. */
	.globl usermode_probe_divide, usermode_probe_divide_insn, usermode_probe_divide_next
usermode_probe_divide:
	movl $1, %eax
	xorl %edx, %edx
	xorl %ecx, %ecx
	movl %esp, usermode_probe_esp
usermode_probe_divide_insn:
	divl %ecx
usermode_probe_divide_next:
	ret

/* Loading DS with the kernel's DPL-0 data segment: #GP(selector). DS stays as it was. */
	.globl usermode_probe_load_kernel_ds, usermode_probe_load_kernel_ds_insn
	.globl usermode_probe_load_kernel_ds_next
usermode_probe_load_kernel_ds:
	movl $USERMODE_SEL_KERNEL_DATA, %eax
	movl %esp, usermode_probe_esp
usermode_probe_load_kernel_ds_insn:
	movw %ax, %ds
usermode_probe_load_kernel_ds_next:
	xorl %eax, %eax
	movw %ds, %ax
	ret

/* uint32_t usermode_probe_read(uint32_t address): a load through DS, 0 if it faulted. */
	.globl usermode_probe_read, usermode_probe_read_insn, usermode_probe_read_next
usermode_probe_read:
	movl 4(%esp), %ecx
	xorl %eax, %eax
	movl %esp, usermode_probe_esp
usermode_probe_read_insn:
	movl (%ecx), %eax
usermode_probe_read_next:
	ret

/* uint32_t usermode_probe_write(uint32_t address): store USERMODE_PROBE_WRITTEN through DS. */
	.globl usermode_probe_write, usermode_probe_write_insn, usermode_probe_write_next
usermode_probe_write:
	movl 4(%esp), %ecx
	xorl %eax, %eax
	movl %esp, usermode_probe_esp
usermode_probe_write_insn:
	movl $USERMODE_PROBE_WRITTEN, (%ecx)
usermode_probe_write_next:
	ret

/*
 * uint32_t usermode_sysenter(uint32_t nr, uint32_t arg): a system call by
 * SYSENTER. SYSEXIT comes back to EDX with ESP = ECX (Intel SDM vol. 2).
 */
	.globl usermode_sysenter
usermode_sysenter:
	pushl %ebx
	pushl %ebp
	movl 12(%esp), %eax
	movl 16(%esp), %ebx
	movl %esp, %ecx
	movl $1f, %edx
	sysenter
1:	popl %ebp
	popl %ebx
	ret

	.bss
	.align 4
	.globl usermode_probe_esp
usermode_probe_esp:
	.long 0

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
