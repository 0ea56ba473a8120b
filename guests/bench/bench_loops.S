/*
 * guests/bench/bench_loops.S: the timed loops and the minimal trap handlers
 * they use (bench.h has the contract).
 * Runs in: guest.
 *
 * Written in assembly so the compiler can neither drop nor reshape the
 * measured instructions: each loop is exactly its body plus `dec %ecx; jnz`.
 * The loops clobber only EAX, ECX and EDX, which cdecl lets a callee use.
 */

/* bench.h's selectors, which is C-only. */
#define BENCH_SEL_USER_CODE_ASM	0x1B
#define BENCH_SEL_USER_DATA_ASM	0x23

	.text

/*
 * Every entry point is typed as a function, as a compiler would type it:
 * a hypervisor that patches a guest finds code to scan by its function
 * symbols, and these loops must be found like any other code.
 */
	.macro BENCH_FUNC name
	.globl \name
	.type \name, @function
	.endm

/* Load the iteration count (the one argument) into ECX. */
	.macro BENCH_LOOP_START
	movl 4(%esp), %ecx
	xorl %eax, %eax
	.endm

	.macro BENCH_LOOP_END label
	decl %ecx
	jnz \label
	ret
	.endm

	BENCH_FUNC bench_empty_loop
bench_empty_loop:
	BENCH_LOOP_START
1:	BENCH_LOOP_END 1b

	BENCH_FUNC bench_int3
bench_int3:
	BENCH_LOOP_START
1:	int3
	BENCH_LOOP_END 1b

	BENCH_FUNC bench_cli_sti
bench_cli_sti:
	BENCH_LOOP_START
1:	cli
	sti
	BENCH_LOOP_END 1b

/* Port 0x80 is the POST-code port: writing or reading it has no effect. */
	BENCH_FUNC bench_in_port80
bench_in_port80:
	BENCH_LOOP_START
1:	inb $0x80, %al
	BENCH_LOOP_END 1b

	BENCH_FUNC bench_out_port80
bench_out_port80:
	BENCH_LOOP_START
1:	outb %al, $0x80
	BENCH_LOOP_END 1b

/* Sensitive but not privileged: deprivileged, this neither traps nor changes IF. */
	BENCH_FUNC bench_pushf_popf
bench_pushf_popf:
	BENCH_LOOP_START
1:	pushfl
	popfl
	BENCH_LOOP_END 1b

	BENCH_FUNC bench_call_ret
bench_call_ret:
	BENCH_LOOP_START
1:	call bench_leaf
	BENCH_LOOP_END 1b

	.type bench_leaf, @function
bench_leaf:
	ret

/*
 * Integer work with no sensitive instruction, which a hypervisor should let
 * run at full speed. One iteration is BENCH_MIX_STEPS steps of xorshift32
 * followed by a multiply: enough work per iteration that a whole-cycle
 * figure resolves a difference of well under one per cent.
 */
#define BENCH_MIX_STEPS 64
	BENCH_FUNC bench_compute
bench_compute:
	BENCH_LOOP_START
	movl $0x12345678, %eax
1:
	.rept BENCH_MIX_STEPS
	movl %eax, %edx
	shll $13, %edx
	xorl %edx, %eax
	movl %eax, %edx
	shrl $17, %edx
	xorl %edx, %eax
	movl %eax, %edx
	shll $5, %edx
	xorl %edx, %eax
	imull $0x9E3779B1, %eax, %eax
	.endr
	BENCH_LOOP_END 1b

	BENCH_FUNC bench_divide_error
bench_divide_error:
	BENCH_LOOP_START
1:	movl $1, %eax
	xorl %edx, %edx
	divl bench_zero
bench_divide_resume:
	BENCH_LOOP_END 1b

	BENCH_FUNC bench_int80
bench_int80:
	BENCH_LOOP_START
1:	int $0x80
	BENCH_LOOP_END 1b

/*
 * Into ring 3 with IRET, INT 0x81 n times there, then INT 0x82 back: its
 * handler drops the trap frame and returns from this function on the stack
 * it was called with. The two crossings are timed along with the n calls.
 * Returning to ring 3 clears DS, ES, FS and GS (they hold DPL-0 selectors),
 * so the user loop touches no memory but its stack, and the way back
 * reloads them before anything else.
 */
	BENCH_FUNC bench_user_syscall
bench_user_syscall:
	movl 4(%esp), %ecx
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %ebp
	movl %esp, bench_kernel_esp
	pushl $BENCH_SEL_USER_DATA_ASM		/* ss */
	pushl bench_user_stack_top		/* esp */
	pushfl					/* eflags */
	pushl $BENCH_SEL_USER_CODE_ASM		/* cs */
	pushl $bench_user_loop			/* eip */
	iret
bench_user_loop:
	int $0x81
	decl %ecx
	jnz bench_user_loop
	int $0x82

	BENCH_FUNC bench_handler_user_done
bench_handler_user_done:
	movw $0x10, %ax				/* GUEST_SEL_DATA */
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movl bench_kernel_esp, %esp
	popl %ebp
	popl %edi
	popl %esi
	popl %ebx
	xorl %eax, %eax
	ret

/*
 * The paging loops run with the guest's paging on (bench_paging.c); their
 * targets come from variables there, loaded into EDX before the loop.
 */

/* MOV to CR3 with the value it already holds: the TLB flush alone. */
	BENCH_FUNC bench_mov_cr3_same
bench_mov_cr3_same:
	BENCH_LOOP_START
	movl bench_paging_cr3, %edx
1:	movl %edx, %cr3
	BENCH_LOOP_END 1b

/* INVLPG of a mapped page in a page table of its own; the page is not touched. */
	BENCH_FUNC bench_invlpg
bench_invlpg:
	BENCH_LOOP_START
	movl bench_paging_mapped_la, %edx
1:	invlpg (%edx)
	BENCH_LOOP_END 1b

/*
 * A read of a not-present page: #PF to bench_handler_page_fault, which
 * resumes after the read. Nothing is mapped, so every iteration faults.
 */
	BENCH_FUNC bench_page_fault
bench_page_fault:
	BENCH_LOOP_START
	movl bench_paging_absent_la, %edx
1:
bench_page_fault_insn:
	movl (%edx), %eax
bench_page_fault_resume:
	BENCH_LOOP_END 1b

/*
 * A store to the PTE of the mapped page that flips bit 9, one of the bits
 * left to software (Intel SDM vol. 3, 4.3): the translation stays the same,
 * so no INVLPG is owed. The page is read once first, so the table holding
 * the PTE is one the MMU (or a shadow of it) is using.
 */
#define BENCH_PTE_AVL0 0x200
	BENCH_FUNC bench_pte_write
bench_pte_write:
	BENCH_LOOP_START
	movl bench_paging_mapped_la, %eax
	movl (%eax), %eax
	movl bench_paging_mapped_pte, %edx
	movl (%edx), %eax
1:	xorl $BENCH_PTE_AVL0, %eax
	movl %eax, (%edx)
	BENCH_LOOP_END 1b

/*
 * INT3 and INT n are traps: the saved EIP is already past the instruction.
 * Aligned as a compiler aligns functions: the padding after the IRET is
 * what lets the inline patch mode (--patch inline) put its 5-byte jump
 * over a 1-byte IRET, as it would in a compiled kernel.
 */
	.p2align 4
	BENCH_FUNC bench_handler_iret
bench_handler_iret:
	iret
	.p2align 4

/* #DE is a fault: the saved EIP is the DIV itself, so resume after it. */
	BENCH_FUNC bench_handler_divide
bench_handler_divide:
	movl $bench_divide_resume, (%esp)
	iret

/*
 * #PF is a fault with an error code: drop the code and resume after the
 * read. A fault anywhere else is a bug, left to the guest library's stub,
 * which reports it and ends the run.
 */
#define BENCH_VEC_PF_ASM 14
	BENCH_FUNC bench_handler_page_fault
bench_handler_page_fault:
	cmpl $bench_page_fault_insn, 4(%esp)
	jne 1f
	addl $4, %esp
	movl $bench_page_fault_resume, (%esp)
	iret
1:	jmp *guest_trap_stubs + 4 * BENCH_VEC_PF_ASM

	.bss
	.align 4
	.globl bench_kernel_esp		/* bench_macro_loops.S enters user mode the same way */
bench_kernel_esp:
	.long 0

	.section .rodata
	.align 4
bench_zero:
	.long 0

	/* No executable stack wanted (silences the linker's warning). */
	.section .note.GNU-stack, "", @progbits
