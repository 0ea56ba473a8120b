/*
 * guests/selftest/selftest_probes.S: instructions the selftest must place
 * exactly: each probe exports the address of its instruction (_insn) and of
 * the one after it (_next), so the exception checks can compare the EIP a
 * trap frame holds and resume after the instruction.
 * Runs in: guest.
 *
 * Probes are cdecl functions of one 32-bit argument and clobber only EAX,
 * ECX and EDX.
 */

	.text

/*
 * uint32_t selftest_use_stack_segment(uint32_t sel, uint32_t *ss_seen):
 * switch SS to sel, store SS as read back, push a value and call a function
 * that returns it from the stack, then restore SS. Returns 0x600DCAFE if
 * the stack worked.
 */
	.globl selftest_use_stack_segment
selftest_use_stack_segment:
	pushl %ebx
	movl 8(%esp), %eax
	movl 12(%esp), %ecx
	movw %ss, %bx
	movw %ax, %ss
	xorl %eax, %eax
	movw %ss, %ax
	movl %eax, (%ecx)
	pushl $0x600DCAFE
	call selftest_stack_echo
	addl $4, %esp
	movw %bx, %ss
	popl %ebx
	ret

selftest_stack_echo:
	movl 4(%esp), %eax
	ret

	.globl selftest_probe_ud2, selftest_probe_ud2_insn, selftest_probe_ud2_next
selftest_probe_ud2:
selftest_probe_ud2_insn:
	ud2
selftest_probe_ud2_next:
	ret

	.globl selftest_probe_divide_zero, selftest_probe_divide_zero_insn
	.globl selftest_probe_divide_zero_next
selftest_probe_divide_zero:
	movl $1, %eax
	xorl %edx, %edx
	xorl %ecx, %ecx
selftest_probe_divide_zero_insn:
	divl %ecx
selftest_probe_divide_zero_next:
	ret

	.globl selftest_probe_int3, selftest_probe_int3_insn, selftest_probe_int3_next
selftest_probe_int3:
selftest_probe_int3_insn:
	int3
selftest_probe_int3_next:
	ret

	.globl selftest_probe_int40, selftest_probe_int40_insn, selftest_probe_int40_next
selftest_probe_int40:
selftest_probe_int40_insn:
	int $0x40
selftest_probe_int40_next:
	ret

/* void selftest_probe_load_ds(uint32_t sel): DS is restored whether or not the load faults. */
	.globl selftest_probe_load_ds, selftest_probe_load_ds_insn, selftest_probe_load_ds_next
selftest_probe_load_ds:
	movl 4(%esp), %eax
	pushl %ds
selftest_probe_load_ds_insn:
	movw %ax, %ds
selftest_probe_load_ds_next:
	popl %ds
	ret

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
