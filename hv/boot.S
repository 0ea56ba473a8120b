/*
 * hv/boot.S: the multiboot header and the first instructions of the hypervisor.
 * Runs in: hypervisor, ring 0, paging off, on the loader's flat segments.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003	/* page-aligned modules, memory information */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl hv_boot_entry
hv_boot_entry:
	cli
	movl $hv_boot_stack_top, %esp
	/* Multiboot leaves EFLAGS undefined but for IF and VM: DF, NT and AC known too. */
	pushl $0x00000002
	popfl
	pushl %ebx		/* multiboot information */
	pushl %eax		/* the loader's magic */
	call hv_main
1:	hlt
	jmp 1b

	.bss
	.align 16
	.globl hv_boot_stack_top
hv_boot_stack:
	.space 65536
hv_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
