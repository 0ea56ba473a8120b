/*
 * guests/lib/boot.S: the multiboot header and the first instructions of
 * every guest.
 * Runs in: guest, ring 0 as far as the guest knows.
 *
 * A multiboot v1 loader (QEMU's -kernel, or the hypervisor) enters here in
 * 32-bit protected mode with flat segments, paging and interrupts off,
 * EAX = 0x2BADB002 and EBX = the guest-physical address of the multiboot
 * information. We only need a stack before C can run; the GDT the loader left
 * is not ours to rely on, which is why tests install their own.
 */

/* The values of lib/multiboot.h, which is C-only. */
#define MULTIBOOT_HEADER_MAGIC	0x1BADB002
#define MULTIBOOT_MEMORY_INFO	0x00000002	/* ask for mem_lower/mem_upper */
#define GUEST_MULTIBOOT_FLAGS	MULTIBOOT_MEMORY_INFO

#define GUEST_BOOT_STACK_SIZE	16384

	.section .multiboot, "a"
	.align 4
guest_multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long GUEST_MULTIBOOT_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + GUEST_MULTIBOOT_FLAGS)

	.text
	.globl guest_start
	.type guest_start, @function
guest_start:
	movl $guest_boot_stack_top, %esp
	xorl %ebp, %ebp			/* ends backtraces in a debugger */
	cld				/* the C ABI expects DF = 0 */
	pushl %ebx			/* info */
	pushl %eax			/* magic */
	call guest_main
	/* guest_main's return value is the guest's exit status. */
	pushl %eax
	call guest_exit
	/* guest_exit does not return. */
	.size guest_start, . - guest_start

	.bss
	.align 16
guest_boot_stack:
	.space GUEST_BOOT_STACK_SIZE
guest_boot_stack_top:

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
