/*
 * guests/fast_trap/fast_trap_io.S: one port access in each form the fast
 * trap path answers, and in forms it must leave to the full path; CLI and
 * STI, which it answers too.
 * Runs in: guest.
 *
 * Each function is `uint32_t f(uint32_t eax)`: it runs its instruction
 * with EAX as given and EDX = FT_EDX (port 0x80 in DX, other bits set, so
 * that only DX may count), and returns EAX after it; EDX after it is left
 * in ft_edx_after. ft_in_sites[] lists the address of each instruction,
 * for the exception handler to say where a fault was.
 */
#define FT_EDX 0xABCD0080

	.text

	.macro port_access name, bytes:vararg
	.globl \name
\name:
	movl 4(%esp), %eax
	movl $FT_EDX, %edx
	.globl \name\()_site
\name\()_site:
	.byte \bytes
	movl %edx, ft_edx_after
	ret
	.endm

	port_access ft_in_al, 0xE4, 0x80		/* inb $0x80, %al */
	port_access ft_in_eax, 0xE5, 0x80		/* inl $0x80, %eax */
	port_access ft_in_al_dx, 0xEC			/* inb %dx, %al */
	port_access ft_in_eax_dx, 0xED			/* inl %dx, %eax */
	port_access ft_out_al, 0xE6, 0x80		/* outb %al, $0x80 */
	port_access ft_out_eax, 0xE7, 0x80		/* outl %eax, $0x80 */
	port_access ft_out_dx_al, 0xEE			/* outb %al, %dx */
	port_access ft_out_dx_eax, 0xEF			/* outl %eax, %dx */
	port_access ft_in_ax_prefix, 0x66, 0xE5, 0x80	/* inw $0x80, %ax */
	port_access ft_in_rep_prefix, 0xF3, 0xE4, 0x80	/* rep: ignored by IN */
	port_access ft_in_cs_prefix, 0x2E, 0xE4, 0x80	/* cs: ignored by IN */
	port_access ft_in_lock_prefix, 0xF0, 0xE4, 0x80	/* lock: #UD */
	port_access ft_sti_cli, 0xFB, 0xFA		/* sti; cli: no interrupt between */

/*
 * uint32_t ft_if_after_cli_sti_cli(void): EFLAGS.IF as PUSHF shows it after
 * CLI, after STI and after CLI again, in bits 0, 1 and 2. STI's shadow
 * covers the first PUSHF after it; the guest's interrupt controllers are
 * masked, so none can come before the second CLI either.
 */
	.globl ft_if_after_cli_sti_cli
ft_if_after_cli_sti_cli:
	pushl %ebx
	xorl %eax, %eax
	cli
	pushfl
	popl %ebx
	shrl $9, %ebx
	andl $1, %ebx
	orl %ebx, %eax
	sti
	pushfl
	popl %ebx
	shrl $8, %ebx
	andl $2, %ebx
	orl %ebx, %eax
	cli
	pushfl
	popl %ebx
	shrl $7, %ebx
	andl $4, %ebx
	orl %ebx, %eax
	popl %ebx
	ret

/*
 * void ft_sti_cli_marked(void): STI, then CLI at ft_after_sti, where no
 * interrupt may come (STI's shadow). void ft_sti_window(void): STI, NOP,
 * CLI: an interrupt waiting comes after the NOP. The timer row runs both.
 */
	.globl ft_sti_cli_marked, ft_after_sti, ft_sti_window
ft_sti_cli_marked:
	sti
ft_after_sti:
	cli
	ret
ft_sti_window:
	sti
	nop
	cli
	ret

/*
 * uint32_t ft_call_at(uint32_t eax, uint32_t code): call code (which ends
 * with RET) with EAX and EDX as above.
 */
	.globl ft_call_at
ft_call_at:
	movl 4(%esp), %eax
	movl 8(%esp), %ecx
	movl $FT_EDX, %edx
	call *%ecx
	movl %edx, ft_edx_after
	ret

/*
 * uint32_t ft_far_call(uint32_t eax, uint32_t offset, uint32_t selector):
 * a far CALL to selector:offset (code that ends with a 32-bit RETF).
 */
	.globl ft_far_call
ft_far_call:
	pushl %ebp
	movl %esp, %ebp
	subl $8, %esp
	movl 12(%ebp), %ecx
	movl %ecx, -8(%ebp)
	movl 16(%ebp), %ecx
	movl %ecx, -4(%ebp)
	movl 8(%ebp), %eax
	movl $FT_EDX, %edx
	lcall *-8(%ebp)
	movl %edx, ft_edx_after
	leave
	ret

/* uint32_t ft_in_al_stepped(uint32_t eax): the IN with EFLAGS.TF set (cleared by the #DB handler). */
	.globl ft_in_al_stepped, ft_in_al_stepped_site, ft_in_al_stepped_after
ft_in_al_stepped:
	movl 4(%esp), %eax
	movl $FT_EDX, %edx
	pushfl
	orl $0x100, (%esp)
	popfl
ft_in_al_stepped_site:
	inb $0x80, %al
ft_in_al_stepped_after:
	nop
	movl %edx, ft_edx_after
	ret

/* void ft_jump_to(uint32_t address): a near JMP there (never comes back). */
	.globl ft_jump_to
ft_jump_to:
	movl 4(%esp), %eax
	jmp *%eax

	.bss
	.globl ft_edx_after
	.align 4
ft_edx_after:
	.long 0

	.section .note.GNU-stack, "", @progbits
