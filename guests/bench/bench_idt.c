/*
 * guests/bench/bench_idt.c: the benchmark guest's IDT.
 * Runs in: guest.
 *
 * The guest library's stubs save every register and call C, which is what a
 * real kernel does but not the floor a trap costs. The benchmarked vectors
 * therefore go to handlers of a few instructions, so the figures measure
 * the delivery and the IRET (the hardware's part, or the hypervisor's), not
 * the guest's own bookkeeping.
 */
#include "guests/bench/bench.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"

static struct x86_gate bench_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));

void bench_idt_install(void)
{
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		bench_idt[v] = gate_make(GUEST_SEL_CODE, guest_trap_stubs[v],
					 DESC_SYS_INT_GATE, 0);
	/*
	 * DPL 0 as a plain kernel has them: natively the ring-0 guest may use
	 * them; deprivileged, INT n through them faults to the hypervisor,
	 * which reflects it here, the cost being measured.
	 */
	bench_idt[VEC_DE] = gate_make(GUEST_SEL_CODE, (uint32_t)bench_handler_divide,
				      DESC_SYS_INT_GATE, 0);
	bench_idt[VEC_BP] = gate_make(GUEST_SEL_CODE, (uint32_t)bench_handler_iret,
				      DESC_SYS_INT_GATE, 0);
	bench_idt[VEC_PF] = gate_make(GUEST_SEL_CODE, (uint32_t)bench_handler_page_fault,
				      DESC_SYS_INT_GATE, 0);
	bench_idt[BENCH_VEC_SYSCALL] = gate_make(GUEST_SEL_CODE, (uint32_t)bench_handler_iret,
						 DESC_SYS_INT_GATE, 0);

	/*
	 * DPL 3: user mode may call these with INT n. The system call is a
	 * trap gate, as xv6's T_SYSCALL (and Linux's INT 0x80 before 4.x):
	 * one a hypervisor may deliver directly (--direct).
	 */
	bench_idt[BENCH_VEC_USER_SYSCALL] = gate_make(GUEST_SEL_CODE,
						      (uint32_t)bench_handler_iret,
						      DESC_SYS_TRAP_GATE, 3);
	/* The macro system call's gate is a trap gate too, as xv6's T_SYSCALL. */
	bench_idt[BENCH_VEC_SYSCALL_MACRO] = gate_make(GUEST_SEL_CODE,
						       (uint32_t)bench_handler_syscall_macro,
						       DESC_SYS_TRAP_GATE, 3);
	bench_idt[BENCH_VEC_USER_DONE] = gate_make(GUEST_SEL_CODE,
						   (uint32_t)bench_handler_user_done,
						   DESC_SYS_INT_GATE, 3);

	/* Complete before LIDT: a hypervisor may read the table only then. */
	struct x86_pseudo_desc pd = {
		.limit = sizeof(bench_idt) - 1,
		.base = (uint32_t)bench_idt,
	};
	lidt(&pd);
}
