/*
 * hv/fast_trap.S: the fast trap path: a trapped IN or OUT to a port no
 * virtual device owns, or a CLI or STI, answered on the guest's own page
 * tables.
 * Runs in: hypervisor, ring 0, entered from hv/switcher.S on a trap from
 * the guest while the guest's page tables are loaded.
 *
 * The full path (hv/switcher.S, hv/trap.c) writes CR3 twice a trap, and
 * under QEMU TCG each write empties the whole software TLB: most of what a
 * trapped IN costs. In ring 3 the guest kernel runs at CPL 3, so the pages
 * of the switcher's slot, all supervisor pages, are out of its reach by
 * paging alone, and code there may run in the guest's address space. This
 * is such code: linked at FAST_TRAP_CODE_LA (hv/hv.ld), it touches only the
 * trap frame (on the switcher's trap stack), the real GDT (the switcher's),
 * its own two pages (hv/fast_trap.h) and at most two bytes of the guest's
 * code, and it names nothing outside the slot (the test
 * hv.fast_trap_names_only_the_slot checks the linked code).
 *
 * switcher_trap comes here only when the hypervisor chose the fast path
 * (switcher_fast_trap_on), with the guest's registers saved in the frame
 * at %esp (and %ebx), EFLAGS the hypervisor's (0x2: interrupts off, DF
 * clear), DS and ES its flat data segment, from neither virtual-8086 mode
 * nor ring 0. Every check below that fails goes to the full path with the
 * frame untouched; nothing is written until all have passed.
 *
 * The one read of guest memory, the instruction's bytes at CS:EIP, cannot
 * fault, because of what the checks establish first:
 *   - a #GP with error code 0 at CPL 3 (RPL 3 of the pushed CS): not one
 *     raised while delivering an event (the EXT or IDT bit would be set,
 *     and a selector index with them) and not an INT n refused by its
 *     gate's DPL (error n * 8 + 2), so it was raised by executing the
 *     instruction at EIP;
 *   - CS names a present 32-bit code segment of the GDT with DPL 3, base 0
 *     and EIP within its limit: as it was when the CPU loaded CS, since
 *     only the hypervisor writes the real GDT, and it reloads CS at its
 *     IRET after every write. So the instruction began at linear EIP and
 *     the CPU fetched its first byte (the limit passed): its page was
 *     present in the page tables loaded now, which nothing has changed
 *     since (a page not present would have been a #PF, not this #GP);
 *   - the fast path reads that byte, and the second one only when it lies
 *     on the same page and within the limit; an instruction that crosses a
 *     page boundary goes to the full path. Both lie below SWITCHER_BASE,
 *     so they are the guest's bytes, never the slot's. At CPL 0, without
 *     SMAP, a present page is readable whatever its U/S and R/W bits.
 * Opcodes E4-E7 and EC-EF, with no prefix at all (a prefix is the first
 * byte, and goes to the full path): IN and OUT of a byte or a doubleword,
 * by immediate port or by DX; and FA and FB, CLI and STI. Such an
 * instruction raises #GP(0) at CPL 3 with IOPL 0 and no I/O permission
 * map, and for nothing else.
 *
 * What it writes is what the full path would leave in the frame: AL (or
 * EAX) all ones for an IN, EIP past the instruction, EFLAGS as check_frame
 * makes them (RF cleared, as after any instruction the hypervisor
 * completes; TF was checked clear, so no single-step trap is owed); and
 * for CLI and STI the virtual IF, on its counts page.
 */
#include "hv/layout.h"
#include "hv/fast_trap.h"

#define VEC_GP_ASM		13
#define SEL_TI_RPL		7
/* A GDT entry's high word: P, DPL 3, S, code, D, L; the values a 32-bit ring-3 code segment has. */
#define DESC_HI_FAST_MASK	0x0060F800
#define DESC_HI_FAST_WANT	0x0040F800
#define DESC_HI_BASE_BITS	0xFF0000FF
#define DESC_HI_LIMIT_BITS	0x000F0000
#define DESC_HI_G		0x00800000

	.section .fast_trap.text, "ax"
	.globl fast_trap_try
fast_trap_try:
	rdtsc
	movl %eax, %esi				/* when it began, for the counts page */
	cmpl $VEC_GP_ASM, TF_VECTOR_OFFSET(%esp)
	jne full_path
	cmpl $0, TF_ERROR_OFFSET(%esp)
	jne full_path
	/* The guest's own single step: the full path delivers its #DB after the instruction. */
	testl $EFLAGS_HV_TF, TF_EFLAGS_OFFSET(%esp)
	jnz full_path
	cmpl $0, FAST_TRAP_STATE_LA + FT_MAY_ANSWER
	je full_path

	/* CS: a GDT selector with RPL 3, naming a 32-bit DPL-3 code segment based at 0. */
	movzwl TF_CS_OFFSET(%esp), %eax
	movl %eax, %ecx
	andl $SEL_TI_RPL, %ecx
	cmpl $3, %ecx
	jne full_path
	andl $0xFFF8, %eax			/* the entry's offset: at most 8191 * 8 */
	movl switcher_gdt(%eax), %ecx		/* the low word: limit 15..0, base 15..0 */
	movl switcher_gdt + 4(%eax), %edx	/* the high word */
	testl $0xFFFF0000, %ecx
	jnz full_path
	testl $DESC_HI_BASE_BITS, %edx
	jnz full_path
	movl %edx, %eax
	andl $DESC_HI_FAST_MASK, %eax
	cmpl $DESC_HI_FAST_WANT, %eax
	jne full_path
	/* %edi = the segment's limit in bytes. */
	movzwl %cx, %edi
	movl %edx, %eax
	andl $DESC_HI_LIMIT_BITS, %eax
	orl %eax, %edi
	testl $DESC_HI_G, %edx
	jz 1f
	shll $12, %edi
	orl $0xFFF, %edi
1:
	movl TF_EIP_OFFSET(%esp), %ecx
	cmpl %edi, %ecx
	ja full_path				/* EIP beyond the limit: no byte was fetched */
	cmpl $SWITCHER_BASE, %ecx
	jae full_path
	movzbl (%ecx), %eax			/* the opcode: fetched by the CPU, so present */
	cmpl $0xFA, %eax
	je 8f					/* CLI */
	cmpl $0xFB, %eax
	je 8f					/* STI */

	/* E4-E7: the port in an immediate byte; EC-EF: in DX. */
	cmpl $0xE4, %eax
	jb full_path
	cmpl $0xEF, %eax
	ja full_path
	cmpl $0xE8, %eax
	jb 2f
	cmpl $0xEC, %eax
	jb full_path				/* E8-EB: CALL and JMP */
	movzwl TF_EDX_OFFSET(%esp), %edx
	incl %ecx				/* one byte long */
	jmp 3f
2:
	movl %ecx, %edx
	andl $0xFFF, %edx
	cmpl $0xFFF, %edx
	je full_path				/* the immediate is on the next page */
	cmpl %edi, %ecx
	jae full_path				/* the immediate is beyond the limit */
	movzbl 1(%ecx), %edx			/* the same page as the opcode */
	addl $2, %ecx				/* two bytes long */
3:
	/* %ecx = the EIP after it, which the full path too wants within the limit. */
	cmpl %edi, %ecx
	ja full_path
	cmpl $FAST_TRAP_PORTS, %edx
	jae full_path
	/* Opcode bit 1: OUT; bit 0: a doubleword. The port's FT_PORT_* bit for that access. */
	movl %eax, %edi
	andl $3, %edi
	movzbl FAST_TRAP_STATE_LA + FT_PORTS(%edx), %edx
	btl %edi, %edx
	jnc full_path

	/* Answered: nothing above wrote anything; from here nothing goes back. */
	movl $0, FAST_TRAP_COUNTS_LA + FT_SHADOW	/* an STI's covered instruction has run */
	testl $2, %eax
	jnz 5f
	testl $1, %eax
	jnz 4f
	movb $0xFF, TF_EAX_OFFSET(%esp)		/* IN AL: all ones, nothing answers */
	jmp 6f
4:
	movl $0xFFFFFFFF, TF_EAX_OFFSET(%esp)	/* IN EAX */
6:
	incl FAST_TRAP_COUNTS_LA + FT_INS
	jmp 7f
5:
	incl FAST_TRAP_COUNTS_LA + FT_OUTS	/* OUT: nothing takes the value */
7:
	movl %ecx, TF_EIP_OFFSET(%esp)
	movl TF_EFLAGS_OFFSET(%esp), %eax
	andl $(EFLAGS_HV_GUEST_KEPT & ~EFLAGS_HV_RF), %eax
	orl $(EFLAGS_HV_IF | EFLAGS_HV), %eax
	movl %eax, TF_EFLAGS_OFFSET(%esp)
	rdtsc
	subl %esi, %eax
	movl FAST_TRAP_COUNTS_LA + FT_ANSWERED, %edx
	incl FAST_TRAP_COUNTS_LA + FT_ANSWERED
	andl $(FAST_TRAP_SAMPLES - 1), %edx
	movl %eax, FAST_TRAP_COUNTS_LA + FT_SAMPLES(, %edx, 4)
	jmp switcher_pop_frame			/* the guest's registers from the frame, and IRET */

8:
	/*
	 * CLI and STI, one byte: the virtual IF, kept on the counts page while
	 * the guest runs (the hypervisor takes it back at its next trap). STI
	 * while an interrupt waits goes to the full path, which delivers it
	 * after the next instruction. With none waiting, one can still come
	 * before that instruction has run: a real timer interrupt right after
	 * the IRET below enters the full path at the instruction after STI
	 * (STI; HLT would then take it before the HLT, and the HLT wait for
	 * nothing). So an STI with IF 0 leaves its shadow on the counts page,
	 * at the CS:EIP it covers, for the hypervisor to take back with IF
	 * (SDM vol. 2B, STI: only "If IF = 0" are interrupts held off).
	 */
	incl %ecx
	cmpl %edi, %ecx
	ja full_path
	cmpl $0xFA, %eax
	je 9f
	cmpl $0, FAST_TRAP_STATE_LA + FT_NOTHING_WAITS
	je full_path
	movl $0, FAST_TRAP_COUNTS_LA + FT_SHADOW	/* an earlier STI's covered instruction has run */
	cmpl $0, FAST_TRAP_COUNTS_LA + FT_VIF
	jne 10f
	movl %ecx, FAST_TRAP_COUNTS_LA + FT_SHADOW_EIP
	movzwl TF_CS_OFFSET(%esp), %eax
	movl %eax, FAST_TRAP_COUNTS_LA + FT_SHADOW_CS
	movl $1, FAST_TRAP_COUNTS_LA + FT_SHADOW
10:
	movl $EFLAGS_HV_IF, FAST_TRAP_COUNTS_LA + FT_VIF
	incl FAST_TRAP_COUNTS_LA + FT_STIS
	jmp 7b
9:
	movl $0, FAST_TRAP_COUNTS_LA + FT_SHADOW
	movl $0, FAST_TRAP_COUNTS_LA + FT_VIF
	incl FAST_TRAP_COUNTS_LA + FT_CLIS
	jmp 7b

full_path:
	jmp switcher_full_trap
	.globl fast_trap_code_end
fast_trap_code_end:

	/* The pages the code above reads and writes, at FAST_TRAP_STATE_LA and FAST_TRAP_COUNTS_LA. */
	.section .fast_trap.state, "aw"
	.balign 4096
	.globl fast_trap_state_page
fast_trap_state_page:
	.space 4096

	.section .fast_trap.counts, "aw"
	.balign 4096
	.globl fast_trap_counts_page
fast_trap_counts_page:
	.space 4096

	.section .note.GNU-stack, "", @progbits
