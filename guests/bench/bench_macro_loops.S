/*
 * guests/bench/bench_macro_loops.S: the macro benchmarks written in
 * assembly (bench_macro.c has the others and says what each models).
 * Runs in: guest.
 *
 * Each loop has the nanobenchmarks' shape (bench_loops.S): its body, then
 * `dec %ecx; jnz`; cdecl, clobbering only EAX, ECX and EDX.
 */

#define BENCH_SEL_USER_CODE_ASM	0x1B
#define BENCH_SEL_USER_DATA_ASM	0x23
#define BENCH_SEL_KERNEL_DATA	0x10	/* GUEST_SEL_DATA */
#define BENCH_LAPIC_ID		0xFEE00020	/* the local APIC's ID register */
#define BENCH_VEC_SYSCALL_MACRO_ASM	0x83

	.text

	.macro BENCH_FUNC name
	.globl \name
	.type \name, @function
	.endm

/*
 * A spinlock taken and dropped with interrupts saved and off, as a kernel's
 * acquire()/release() with pushcli()/popcli(): the flags saved, interrupts
 * off, the CPU's identity read from its local APIC (xv6's mycpu()), the
 * lock taken with XCHG and dropped with a store, the flags restored. With
 * paging off the APIC is at its physical address.
 */
	BENCH_FUNC bench_spinlock_irqsave
bench_spinlock_irqsave:
	movl 4(%esp), %ecx
	xorl %eax, %eax
1:	pushfl
	cli
	movl BENCH_LAPIC_ID, %eax
	movl $1, %edx
	xchgl %edx, bench_lock
	movl $0, bench_lock
	popfl
	decl %ecx
	jnz 1b
	ret

/*
 * From ring 3, INT 0x83 n times to a handler built as a kernel's trap
 * entry: every register saved, the kernel's data segments loaded, C called
 * with the saved registers (bench_syscall_dispatch: call 0, getpid), and
 * everything restored before IRET. Into ring 3 and back as in
 * bench_user_syscall (bench_loops.S): IRET there, INT 0x82 home.
 */
	BENCH_FUNC bench_syscall_round_trip
bench_syscall_round_trip:
	movl 4(%esp), %ecx
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %ebp
	movl %esp, bench_kernel_esp		/* for bench_handler_user_done */
	pushl $BENCH_SEL_USER_DATA_ASM		/* ss */
	pushl bench_user_stack_top		/* esp */
	pushfl					/* eflags */
	pushl $BENCH_SEL_USER_CODE_ASM		/* cs */
	pushl $bench_syscall_user_loop		/* eip */
	iret
bench_syscall_user_loop:
	xorl %eax, %eax				/* call 0 */
	int $BENCH_VEC_SYSCALL_MACRO_ASM
	decl %ecx
	jnz bench_syscall_user_loop
	int $0x82				/* bench_handler_user_done returns for us */

	BENCH_FUNC bench_handler_syscall_macro
bench_handler_syscall_macro:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movw $BENCH_SEL_KERNEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call bench_syscall_dispatch
	addl $4, %esp
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	iret

	.bss
	.align 4
bench_lock:
	.long 0

	.section .note.GNU-stack, "", @progbits
