/*
 * guests/sensitive_probe/probe_stubs.S: the harness that runs one probe with
 * known registers and flags, and the probes themselves, one instruction
 * each.
 * Runs in: guest, ring 0 as far as it knows.
 *
 * A probe is a function probe_<name> whose instruction under test sits
 * between the labels probe_<name>_insn and probe_<name>_next, so the PROBE
 * line can name its address and length and `trapvisor classify` can match
 * the hypervisor's trap lines to it. A few probes set up the stack before
 * the instruction (POPF, LRET, IRET consume a frame) or read its result off
 * the stack after it (PUSHF, PUSH sreg); nothing else happens in them.
 *
 * Inputs and outputs go through struct probe_regs (probe.h); its field
 * offsets are written out below.
 */

#define IO_EAX		0
#define IO_ECX		4
#define IO_EDX		8
#define IO_EBX		12
#define IO_ESI		16
#define IO_EDI		20
#define IO_EFLAGS	24
#define IO_WANT_IF	28

#define SEL_CODE	0x08	/* PROBE_SEL_CODE */
#define FLAGS_IN	0xC3	/* PROBE_FLAGS_IN */

	.text

/*
 * void probe_exec(void (*stub)(void), struct probe_regs *io)
 *
 * EFLAGS are loaded with POPF, which cannot set IF in a deprivileged guest
 * (that is one of the rows): when a row wants IF=1 the harness asks with
 * STI, which traps and is emulated wherever the guest runs. After the stub
 * the harness turns interrupts off again with CLI and reloads EFLAGS with
 * IOPL 0, so no row leaves state for the next.
 */
	.globl probe_exec
	.type probe_exec, @function
probe_exec:
	pushl %ebp
	movl %esp, %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 8(%ebp), %eax
	movl %eax, probe_stub_ptr
	movl 12(%ebp), %edi
	movl %edi, probe_io_ptr
	cmpl $0, IO_WANT_IF(%edi)
	je 1f
	pushl IO_EFLAGS(%edi)
	popfl
	sti
	jmp 2f
1:	pushl IO_EFLAGS(%edi)
	popfl
	/* From here on only MOVs until the stub: they leave EFLAGS alone. */
2:	movl IO_EAX(%edi), %eax
	movl IO_ECX(%edi), %ecx
	movl IO_EDX(%edi), %edx
	movl IO_EBX(%edi), %ebx
	movl IO_ESI(%edi), %esi
	movl IO_EDI(%edi), %edi
	movl %esp, probe_esp_saved
	call *probe_stub_ptr
probe_after:
	pushfl
	popl probe_eflags_out
	cli
	cld
	movl %edi, probe_edi_out
	movl probe_io_ptr, %edi
	movl %eax, IO_EAX(%edi)
	movl %ecx, IO_ECX(%edi)
	movl %edx, IO_EDX(%edi)
	movl %ebx, IO_EBX(%edi)
	movl %esi, IO_ESI(%edi)
	movl probe_edi_out, %eax
	movl %eax, IO_EDI(%edi)
	movl probe_eflags_out, %eax
	movl %eax, IO_EFLAGS(%edi)
	/* IOPL back to 0 after the POPF row that raised it (on the bare machine). */
	pushl $0x2
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size probe_exec, . - probe_exec

/*
 * The trap handler (probe_main.c) resumes here after a probe faulted or
 * raised INT n: the stub's stack is abandoned, whatever it pushed.
 */
	.globl probe_fault_resume
probe_fault_resume:
	movl probe_esp_saved, %esp
	jmp probe_after

/* ---- the probes ---- */

	.macro PROBE name
	.globl probe_\name, probe_\name\()_insn, probe_\name\()_next
	.type probe_\name, @function
	.align 16
probe_\name:
	.endm

	/* A probe whose whole body is one instruction. */
	.macro PROBE1 name, insn:vararg
	PROBE \name
probe_\name\()_insn:
	\insn
probe_\name\()_next:
	ret
	.endm

/* Privileged: each raises #GP outside ring 0. */
	PROBE1 cli, cli
	PROBE1 sti, sti
	PROBE1 in, inb $0x21, %al		/* the master PIC's interrupt mask */
	PROBE1 out, outb %al, $0x21
	PROBE1 lgdt, lgdtl probe_gdtr
	PROBE1 lidt, lidtl probe_idtr
	PROBE1 lldt, lldt %ax
	PROBE1 ltr, ltr %ax
	PROBE1 mov_from_cr0, movl %cr0, %eax
	PROBE1 mov_to_cr0, movl %eax, %cr0
	PROBE1 mov_from_cr2, movl %cr2, %eax
	PROBE1 mov_from_cr3, movl %cr3, %eax
	PROBE1 mov_to_cr3, movl %eax, %cr3
	PROBE1 mov_from_cr4, movl %cr4, %eax
	PROBE1 mov_to_cr4, movl %eax, %cr4
	PROBE1 mov_from_dr7, movl %dr7, %eax
	PROBE1 mov_to_dr7, movl %eax, %dr7
	PROBE1 clts, clts
	PROBE1 lmsw, lmsw %ax
	PROBE1 invlpg, invlpg probe_mem
	PROBE1 wbinvd, wbinvd
	PROBE1 invd, invd
	PROBE1 wrmsr, wrmsr
	PROBE1 rdmsr, rdmsr
	PROBE1 rdpmc, rdpmc

/* Innocuous while CR4.TSD = 0. */
	PROBE1 rdtsc, rdtsc

/* Sensitive but unprivileged (Robin & Irvine). */
	PROBE1 sgdt, sgdtl probe_mem
	PROBE1 sidt, sidtl probe_mem
	PROBE1 sldt, sldt probe_mem
	PROBE1 smsw, smsw probe_mem
	PROBE1 str, str probe_mem

	/* PUSHF: the value it pushed is the observation. */
	PROBE pushf
probe_pushf_insn:
	pushfl
probe_pushf_next:
	popl %eax
	ret

	/* POPF of EAX: clearing IF (row popf_if) or raising IOPL (popf_iopl). */
	PROBE popf_if
	pushl %eax
probe_popf_if_insn:
	popfl
probe_popf_if_next:
	ret

	PROBE popf_iopl
	pushl %eax
probe_popf_iopl_insn:
	popfl
probe_popf_iopl_next:
	ret

	PROBE1 lar, larl %ecx, %eax
	PROBE1 lsl, lsll %ecx, %eax
	PROBE1 verr, verr %cx
	PROBE1 verw, verw %cx

	/* PUSH sreg: the selector it pushed is the observation. */
	PROBE push_cs
probe_push_cs_insn:
	pushl %cs
probe_push_cs_next:
	popl %eax
	ret

	PROBE push_ds
probe_push_ds_insn:
	pushl %ds
probe_push_ds_next:
	popl %eax
	ret

	PROBE push_ss
probe_push_ss_insn:
	pushl %ss
probe_push_ss_next:
	popl %eax
	ret

	/* POP DS of the flat data selector (DS holds it already). */
	PROBE pop_ds
	pushl %eax
probe_pop_ds_insn:
	popl %ds
probe_pop_ds_next:
	ret

	PROBE1 mov_from_cs, movw %cs, %ax
	PROBE1 mov_from_ss, movw %ss, %ax
	PROBE1 mov_from_ds, movw %ds, %ax
	PROBE1 mov_to_ds, movw %ax, %ds

	/* Far CALL: the target reads the CS the call pushed into EDX. */
	PROBE1 far_call, lcall $SEL_CODE, $probe_far_call_target
probe_far_call_target:
	movl 4(%esp), %edx
	lret

	PROBE1 far_jmp, ljmp $SEL_CODE, $probe_far_jmp_next

	/* Far RET and IRET through frames built here, returning to _next. */
	PROBE far_ret
	pushl $SEL_CODE
	pushl $probe_far_ret_next
probe_far_ret_insn:
	lret
probe_far_ret_next:
	ret

	PROBE iret
	pushl $FLAGS_IN
	pushl $SEL_CODE
	pushl $probe_iret_next
probe_iret_insn:
	iret
probe_iret_next:
	ret

	PROBE1 int_n, int $0x40

/* Innocuous controls. */
	PROBE1 add, addl %ecx, %eax
	PROBE1 nop, nop
	PROBE1 cpuid_0, cpuid
	PROBE1 cpuid_1, cpuid

	.bss
	.align 4
probe_stub_ptr:		.long 0
probe_io_ptr:		.long 0
probe_esp_saved:	.long 0
probe_eflags_out:	.long 0
probe_edi_out:		.long 0

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
