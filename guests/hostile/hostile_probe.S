/*
 * guests/hostile/hostile_probe.S: run one probe and come back whether or
 * not it traps.
 * Runs in: guest.
 *
 * hostile_probe_run(fn) keeps the stack pointer, calls fn and returns 0. If
 * fn traps, the guest's trap handler (hostile_main.c) records the trap and
 * resumes at hostile_probe_recover, which restores the stack and returns 1.
 * The flags a probe may leave behind (DF, TF, NT, AC) are cleared on either
 * path; IF is left alone, since POPF cannot change it deprivileged.
 */
	.text
	.globl hostile_probe_run, hostile_probe_recover
hostile_probe_run:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, hostile_probe_esp
	movl 20(%esp), %eax
	call *%eax
	xorl %eax, %eax
	jmp 1f
hostile_probe_recover:
	movl hostile_probe_esp, %esp
	movl $1, %eax
1:	cld
	pushfl
	andl $~0x00044100, (%esp)	/* NT, AC, TF */
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.data
	.align 4
hostile_probe_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
