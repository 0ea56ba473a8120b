/*
 * guests/fuzz/fuzz_exec.S: the harness that enters one random sequence
 * from a known state, and the two places it leaves by.
 * Runs in: guest, ring 0 as far as it knows.
 *
 * The sequence is entered with IRET, which loads EFLAGS whole (IF, IOPL,
 * TF, NT, AC, ...) in the same instruction that jumps: POPF would lose IF
 * and IOPL in a deprivileged guest, and TF would trap inside the harness.
 * Under the hypervisor this IRET traps (its CS has RPL 0 below the real
 * CPL) and is emulated, so both machines start the sequence alike.
 * From CR0.WP on, the main stack is read-only: nothing here pushes on it.
 */

#define E_EAX		0
#define E_ECX		4
#define E_EDX		8
#define E_EBX		12
#define E_ESP		16
#define E_EBP		20
#define E_ESI		24
#define E_EDI		28
#define E_EFLAGS	32
#define E_EIP		36
#define E_FS		40
#define E_GS		44

#define SEL_CODE0	0x08	/* FUZZ_SEL_CODE0 */
#define SEL_DATA0	0x10	/* FUZZ_SEL_DATA0 */
#define CR0_WP		0x00010000

	.text

/* void fuzz_exec(const struct fuzz_entry *e) */
	.globl fuzz_exec
	.type fuzz_exec, @function
fuzz_exec:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, fuzz_main_esp
	movl 20(%esp), %esi
	movl %cr0, %eax
	orl $CR0_WP, %eax
	movl %eax, %cr0
	movl E_ESP(%esi), %esp
	pushl E_EFLAGS(%esi)
	pushl $SEL_CODE0
	pushl E_EIP(%esi)
	movw E_FS(%esi), %fs
	movw E_GS(%esi), %gs
	movl E_EAX(%esi), %eax
	movl E_ECX(%esi), %ecx
	movl E_EDX(%esi), %edx
	movl E_EBX(%esi), %ebx
	movl E_EBP(%esi), %ebp
	movl E_EDI(%esi), %edi
	movl E_ESI(%esi), %esi
	iret
	.size fuzz_exec, . - fuzz_exec

/*
 * The end label: the last instruction of every sequence jumps here. PUSHF
 * shows EFLAGS as the guest sees them (with --patch popf or all the
 * hypervisor patches this PUSHF, so it shows the virtual IF); UD2 then
 * hands the state to the trap handler, which knows this address.
 * A function symbol, so the patcher starts a walk here.
 */
	.globl fuzz_seq_end, fuzz_seq_end_ud2
	.type fuzz_seq_end, @function
fuzz_seq_end:
	pushfl
fuzz_seq_end_ud2:
	ud2
	.size fuzz_seq_end, . - fuzz_seq_end

/*
 * The trap handler (fuzz_main.c) has recorded the end state, cleared
 * CR0.WP and reloaded the tables; it IRETs here in ring 0 with flat data
 * segments. SS is set again: the sequence may have left another flat one.
 */
	.globl fuzz_resume
	.type fuzz_resume, @function
fuzz_resume:
	movw $SEL_DATA0, %ax
	movw %ax, %ss
	movl fuzz_main_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size fuzz_resume, . - fuzz_resume

	.bss
	.align 4
fuzz_main_esp:
	.long 0

	.section .note.GNU-stack, "", @progbits
