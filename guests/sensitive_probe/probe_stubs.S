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
 * the instruction (POPF, LRET, IRET consume a frame), or after it make its
 * effect visible in a register: read its result off the stack (PUSHF, PUSH
 * sreg), read back the register it wrote (MOV to CR0, WRMSR, OUT), or use
 * what it loaded (a selector of the new GDT or LDT, a vector of the new
 * IDT). A row whose observation could not tell the instruction from one
 * that did nothing would let a broken emulation pass as correct.
 * Whatever such a probe changes besides is put back before it returns.
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
#define SEL_DATA	0x10	/* PROBE_SEL_DATA: what DS and FS hold */
#define SEL_TSS		0x18	/* PROBE_SEL_TSS */
#define SEL_LGDT_MARK	0x30	/* PROBE_SEL_LGDT_MARK */
#define SEL_LDT_MARK	0x0C	/* PROBE_SEL_LDT_MARK */
#define LIDT_VECTOR	0x41	/* PROBE_LIDT_VECTOR */
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

/*
 * Read the first word of the segment `sel` into EAX through FS, then put
 * FS back. If the load faults, FS keeps its value and EAX its input.
 */
	.macro READ_THROUGH_FS sel
	movw $\sel, %cx
	movw %cx, %fs
	movl %fs:0, %eax
	movw $SEL_DATA, %cx
	movw %cx, %fs
	.endm

/* Privileged: each raises #GP outside ring 0. */
	PROBE1 cli, cli
	PROBE1 sti, sti
	PROBE1 in, inb %dx, %al			/* DX = COM1's scratch register */

	/* OUT to the scratch register, read back with IN. */
	PROBE out
probe_out_insn:
	outb %al, %dx
probe_out_next:
	movl $0, %eax
	inb %dx, %al
	ret

	/* LGDT of the full-length GDT: only then does its last mark load. */
	PROBE lgdt
probe_lgdt_insn:
	lgdtl probe_gdtr
probe_lgdt_next:
	READ_THROUGH_FS SEL_LGDT_MARK
	ret

	/* LIDT of the copy whose gate LIDT_VECTOR leads to the next vector's handler. */
	PROBE lidt
probe_lidt_insn:
	lidtl probe_idtr_lidt
probe_lidt_next:
	int $LIDT_VECTOR
	ret

	/* LLDT: a selector of the new LDT loads and reads its mark. */
	PROBE lldt
probe_lldt_insn:
	lldt %ax
probe_lldt_next:
	READ_THROUGH_FS SEL_LDT_MARK
	ret

	/* LTR marks the TSS busy in the GDT: read the descriptor's high word. */
	PROBE ltr
probe_ltr_insn:
	ltr %ax
probe_ltr_next:
	movl probe_gdt + SEL_TSS + 4, %eax
	ret

	PROBE1 mov_from_cr0, movl %cr0, %eax

	/* The writes to control and debug registers change one harmless bit, read
	 * it back and (ECX = the old value) put the register back. */
	PROBE mov_to_cr0
probe_mov_to_cr0_insn:
	movl %eax, %cr0
probe_mov_to_cr0_next:
	movl %cr0, %eax
	movl %ecx, %cr0
	ret

	PROBE1 mov_from_cr2, movl %cr2, %eax
	PROBE1 mov_from_cr3, movl %cr3, %eax

	PROBE mov_to_cr3
probe_mov_to_cr3_insn:
	movl %eax, %cr3
probe_mov_to_cr3_next:
	movl %cr3, %eax
	movl %ecx, %cr3
	ret

	PROBE1 mov_from_cr4, movl %cr4, %eax

	PROBE mov_to_cr4
probe_mov_to_cr4_insn:
	movl %eax, %cr4
probe_mov_to_cr4_next:
	movl %cr4, %eax
	movl %ecx, %cr4
	ret

	PROBE1 mov_from_dr7, movl %dr7, %eax

	PROBE mov_to_dr7
probe_mov_to_dr7_insn:
	movl %eax, %dr7
probe_mov_to_dr7_next:
	movl %dr7, %eax
	movl %ecx, %dr7
	ret

	/* CLTS with CR0.TS set by the row's set-up: read CR0 back. */
	PROBE clts
probe_clts_insn:
	clts
probe_clts_next:
	movl %cr0, %eax
	ret

	/* LMSW setting TS: read CR0 back, then clear TS again. */
	PROBE lmsw
probe_lmsw_insn:
	lmsw %ax
probe_lmsw_next:
	movl %cr0, %eax
	clts
	ret

	PROBE1 invlpg, invlpg probe_mem
	PROBE1 wbinvd, wbinvd
	PROBE1 invd, invd

	/* WRMSR, read back with RDMSR into registers cleared first. */
	PROBE wrmsr
probe_wrmsr_insn:
	wrmsr
probe_wrmsr_next:
	movl $0, %eax
	movl $0, %edx
	rdmsr
	ret

	PROBE1 rdmsr, rdmsr
	PROBE1 rdpmc, rdpmc

/*
 * Innocuous while CR4.TSD = 0. Its value is a time, different in every
 * run; what is stable is that a second RDTSC reads another count: EAX = 1
 * if the low words differ. NOT, LEA, MOV and JECXZ leave EFLAGS alone, so
 * the flags still show that RDTSC changed none.
 */
	PROBE rdtsc
probe_rdtsc_insn:
	rdtsc
probe_rdtsc_next:
	movl %eax, %ecx
	notl %ecx
	rdtsc
	leal 1(%eax,%ecx), %ecx		/* the second low word minus the first */
	movl $0, %eax
	movl $0, %edx
	jecxz 1f
	movl $1, %eax
1:	ret

/* Sensitive but unprivileged (Robin & Irvine). */
	PROBE1 sgdt, sgdtl probe_mem
	PROBE1 sidt, sidtl probe_mem
	PROBE1 sldt, sldt probe_mem

	/* SMSW after the row's set-up turned on CR0.NE, MP and TS (EAX; ECX the old CR0). */
	PROBE smsw
	movl %eax, %cr0
probe_smsw_insn:
	smsw probe_mem
probe_smsw_next:
	movl %ecx, %cr0
	ret

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

	/* POP DS of the mark's selector: DS:0 is then the mark; DS put back after. */
	PROBE pop_ds
	pushl %eax
probe_pop_ds_insn:
	popl %ds
probe_pop_ds_next:
	movl 0, %eax
	movw $SEL_DATA, %cx
	movw %cx, %ds
	ret

	PROBE1 mov_from_cs, movw %cs, %ax
	PROBE1 mov_from_ss, movw %ss, %ax
	PROBE1 mov_from_ds, movw %ds, %ax
	PROBE mov_to_ds
probe_mov_to_ds_insn:
	movw %ax, %ds
probe_mov_to_ds_next:
	movl 0, %eax
	movw $SEL_DATA, %cx
	movw %cx, %ds
	ret

	/* Far CALL: the target reads the CS the call pushed into EDX. */
	PROBE1 far_call, lcall $SEL_CODE, $probe_far_call_target
probe_far_call_target:
	movl 4(%esp), %edx
	lret

	/* Far JMP to a target of its own: EAX = 1 there, 0 if it fell through. */
	PROBE far_jmp
probe_far_jmp_insn:
	ljmp $SEL_CODE, $probe_far_jmp_target
probe_far_jmp_next:
	movl $0, %eax
	ret
probe_far_jmp_target:
	movl $1, %eax
	ret

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
