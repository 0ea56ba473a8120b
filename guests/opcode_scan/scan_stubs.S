/*
 * guests/opcode_scan/scan_stubs.S: the harness that runs one case from the
 * scan's register state and records the state it leaves.
 * Runs in: guest, ring 0 as far as it knows.
 *
 * A case's slot holds its instruction, then a jump to scan_after; the
 * landing pads jump there too, and the trap handler resumes a case that
 * faulted at scan_fault_resume, which does the same. scan_after may find
 * any register changed, DS or ESP among them, so it first stores through
 * SS (a flat segment in every state a case can leave), reads EFLAGS on a
 * stack of its own, and only then puts the segments and the stack back.
 * Offsets of struct scan_regs (scan.h) are written out below.
 */

#define R_EAX	0
#define R_ECX	4
#define R_EDX	8
#define R_EBX	12
#define R_ESP	16
#define R_EBP	20
#define R_ESI	24
#define R_EDI	28
#define R_EFLAGS 32
#define R_DS	36
#define R_ES	38
#define R_FS	40
#define R_GS	42
#define R_SS	44

#define SEL_DATA 0x10		/* SCAN_SEL_DATA */

	.text

/* void scan_exec(uint32_t slot) */
	.globl scan_exec
	.type scan_exec, @function
scan_exec:
	pushl %ebp
	movl %esp, %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 8(%ebp), %eax
	movl %eax, scan_slot_ptr
	movl %esp, scan_harness_esp
	pushl scan_in + R_EFLAGS
	popfl
	/* Only MOVs from here on: they leave EFLAGS as loaded. */
	movl scan_in + R_EAX, %eax
	movl scan_in + R_ECX, %ecx
	movl scan_in + R_EDX, %edx
	movl scan_in + R_EBX, %ebx
	movl scan_in + R_EBP, %ebp
	movl scan_in + R_ESI, %esi
	movl scan_in + R_EDI, %edi
	movl scan_in + R_ESP, %esp
	jmp *scan_slot_ptr
	.size scan_exec, . - scan_exec

	.globl scan_fault_resume
scan_fault_resume:
	/* fall through */
	.globl scan_after
scan_after:
	movl %eax, %ss:scan_out + R_EAX
	movl %ecx, %ss:scan_out + R_ECX
	movl %edx, %ss:scan_out + R_EDX
	movl %ebx, %ss:scan_out + R_EBX
	movl %esp, %ss:scan_out + R_ESP
	movl %ebp, %ss:scan_out + R_EBP
	movl %esi, %ss:scan_out + R_ESI
	movl %edi, %ss:scan_out + R_EDI
	movl $scan_flags_stack_top, %esp
	pushfl
	popl %ss:scan_out + R_EFLAGS
	movw %ds, %ss:scan_out + R_DS
	movw %es, %ss:scan_out + R_ES
	movw %fs, %ss:scan_out + R_FS
	movw %gs, %ss:scan_out + R_GS
	movw %ss, %ss:scan_out + R_SS
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	/* SS back only if a case changed it: a load the hypervisor would trap on. */
	movw %ss, %ax
	cmpw scan_harness_ss, %ax
	je 1f
	movw scan_harness_ss, %ss
1:	movl scan_harness_esp, %esp
	cld
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.bss
	.align 16
scan_flags_stack:	.space 64
scan_flags_stack_top:
	.align 4
scan_slot_ptr:		.long 0
scan_harness_esp:	.long 0
	.globl scan_harness_ss
scan_harness_ss:	.word 0

	.section .note.GNU-stack, "", @progbits
