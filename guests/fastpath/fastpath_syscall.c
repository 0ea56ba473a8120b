/*
 * guests/fastpath/fastpath_syscall.c: system calls from user mode, as xv6
 * makes them (INT 64 through a DPL-3 trap gate), and the kernel stack they
 * arrive on; and the hostile kernels that aim the direct path elsewhere.
 * Runs in: guest.
 *
 * A bare CPU takes INT 0x40 from ring 3 through the gate to the kernel's
 * handler, on the stack the TSS names (ss0:esp0), with IF as user mode had
 * it (1; the kernel returned there with IF 0 itself). The checks run rounds of
 * calls from user mode (fastpath_user.S) and look at every frame: user CS,
 * the right answer, and the frame at the top of the current TSS stack,
 * after the stack was moved in the two ways a kernel moves it: xv6's way
 * (write ss0:esp0, then LTR) and without LTR, with a trap after the write
 * (an OUT to port 0x80) and with none: the hypervisor must see the write
 * itself (it watches the TSS's page, which here holds nothing else).
 */
#include <stdint.h>

#include "guests/fastpath/fastpath.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_test.h"
#include "lib/string.h"
#include "lib/x86.h"

#define FP_SEL_TSS	SEL_MAKE(FP_GDT_TSS, 0)
#define FP_ROUNDS	500u

#define FP_USER_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			    ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define FP_USER_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			    (DESC_TYPE_WRITABLE << 8))
#define FP_TSS_FLAGS (DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8))

/*
 * The TSS on a page of its own, as a kernel that keeps nothing else there:
 * the hypervisor's watch on the page then costs a trap only when the
 * kernel writes its TSS.
 */
static union {
	struct x86_tss tss;
	uint8_t page[4096];
} fp_tss_page __attribute__((aligned(4096)));
#define fp_tss (fp_tss_page.tss)
static uint8_t fp_kstack[2][4096] __attribute__((aligned(16)));
static uint8_t fp_user_stack[4096] __attribute__((aligned(16)));
uint32_t fp_user_stack_top = (uint32_t)(fp_user_stack + sizeof(fp_user_stack));

/* What the handlers saw since the last reset. */
static uint32_t fp_calls, fp_not_user_cs, fp_off_stack, fp_expected_esp0, fp_if_clear;

static uint32_t fp_kstack_top(unsigned i)
{
	return (uint32_t)(fp_kstack[i] + sizeof(fp_kstack[i]));
}

/* The frame the CPU pushed ends with the user's ESP and SS at the TSS's esp0. */
static void fp_note_frame(const struct guest_trap_frame *frame)
{
	fp_calls++;
	if ((frame->cs & 3) != 3)
		fp_not_user_cs++;
	if ((uint32_t)frame + sizeof(*frame) + 8 != fp_expected_esp0)
		fp_off_stack++;
}

/*
 * A trap gate leaves IF as it was in user mode, 1, even though the kernel
 * had it 0 when it returned there (a hypervisor that keeps the kernel's IF
 * in memory must not show the kernel's old one here).
 */
static void fp_syscall_trap_gate(struct guest_trap_frame *frame)
{
	if (!(read_eflags() & EFLAGS_IF))
		fp_if_clear++;
	fp_note_frame(frame);
	frame->eax = frame->eax * 3 + 1;
}

static void fp_syscall_int_gate(struct guest_trap_frame *frame)
{
	fp_note_frame(frame);
	frame->eax = frame->eax * 5;
}

/* The TSS descriptor is busy after LTR; a second LTR needs it available again, as xv6 does. */
static void fp_ltr(void)
{
	guest_gdt_write_live(FP_GDT_TSS, desc_make((uint32_t)&fp_tss, sizeof(fp_tss) - 1,
						   FP_TSS_FLAGS));
	ltr(FP_SEL_TSS);
}

void fp_syscall_setup(void)
{
	guest_gdt_set(FP_GDT_USER_CODE, desc_make(0, 0xFFFFFFFFu, FP_USER_CODE_FLAGS));
	guest_gdt_set(FP_GDT_USER_DATA, desc_make(0, 0xFFFFFFFFu, FP_USER_DATA_FLAGS));
	guest_gdt_set(FP_GDT_TSS, desc_make((uint32_t)&fp_tss, sizeof(fp_tss) - 1, FP_TSS_FLAGS));
	fp_tss.ss0 = GUEST_SEL_DATA;
	fp_tss.esp0 = fp_kstack_top(0);
	fp_tss.iomap_base = sizeof(fp_tss);	/* no I/O permission bitmap */
	fp_idt_set(FP_VEC_SYSCALL, guest_trap_stubs[FP_VEC_SYSCALL], DESC_SYS_TRAP_GATE, 3);
	fp_idt_set(FP_VEC_SYSCALL_INTGATE, guest_trap_stubs[FP_VEC_SYSCALL_INTGATE],
		   DESC_SYS_INT_GATE, 3);
	fp_idt_set(FP_VEC_USER_DONE, (uint32_t)fp_user_done, DESC_SYS_INT_GATE, 3);
	guest_trap_set_handler(FP_VEC_SYSCALL, fp_syscall_trap_gate);
	guest_trap_set_handler(FP_VEC_SYSCALL_INTGATE, fp_syscall_int_gate);
}

/* One batch of rounds from user mode, with DS = user_ds; the name says how the stack was set. */
static void fp_batch(const char *name, unsigned stack, uint32_t user_ds)
{
	fp_calls = fp_not_user_cs = fp_off_stack = fp_if_clear = 0;
	fp_expected_esp0 = fp_kstack_top(stack);
	uint32_t mismatches = fp_user_run(FP_ROUNDS, user_ds);
	guest_test_check(mismatches == 0 && fp_calls == 2 * FP_ROUNDS && fp_not_user_cs == 0 &&
			 fp_off_stack == 0 && fp_if_clear == 0, name,
			 "%u wrong answers, %u calls of %u, %u without a user CS, %u off the TSS stack, %u with IF 0 through the trap gate",
			 mismatches, fp_calls, 2 * FP_ROUNDS, fp_not_user_cs, fp_off_stack, fp_if_clear);
}

/*
 * A user program's own data segment in DS at every system call, its base
 * picked by the user (as Linux's set_thread_area lets a program pick its
 * TLS segment's): the bare CPU enters the kernel with that DS and writes
 * nothing through it. The base puts linear 0xFFD00000 (where a hypervisor's
 * inline patch mode keeps its state page, docs/containment.md) at the start
 * of fp_based_page, so that a store through DS into that state page would
 * land here instead, in the kernel's memory, at the user's choosing.
 */
static uint8_t fp_based_page[4096] __attribute__((aligned(4096)));

static void fp_user_data_segment(void)
{
	uint32_t changed = 0;

	memset(fp_based_page, 0xA5, sizeof(fp_based_page));
	guest_gdt_write_live(FP_GDT_USER_BASED,
			     desc_make((uint32_t)fp_based_page - 0xFFD00000u, 0xFFFFFFFFu,
				       FP_USER_DATA_FLAGS));
	fp_batch("syscall-user-data-segment", 1, SEL_MAKE(FP_GDT_USER_BASED, 3));
	for (uint32_t i = 0; i < sizeof(fp_based_page); i++)
		changed += fp_based_page[i] != 0xA5;
	guest_test_check(changed == 0, "syscall-user-data-base-untouched",
			 "%u bytes of the page the user's DS base aims at were written", changed);
}

void fp_syscall_checks(void)
{
	ltr(FP_SEL_TSS);
	fp_batch("syscall-from-user", 0, 0);

	/* xv6's switchuvm: a new kernel stack in the TSS, then LTR. */
	fp_tss.esp0 = fp_kstack_top(1);
	fp_ltr();
	fp_batch("syscall-stack-after-ltr", 1, 0);

	/* Moved without LTR: the bare CPU reads the TSS at every entry. */
	fp_tss.esp0 = fp_kstack_top(0);
	outb(0x80, 0);
	fp_batch("syscall-stack-without-ltr", 0, 0);

	/* ... and with nothing that traps in between: only a watch on the TSS's page sees it. */
	fp_tss.esp0 = fp_kstack_top(1);
	fp_batch("syscall-stack-written-only", 1, 0);

	fp_user_data_segment();
}

/*
 * The hostile kernels: each rewrites, after LIDT and LTR, what a direct
 * system call would use, then calls from user mode. The bare machine does
 * whatever the new values say; the hypervisor must stop the guest or keep
 * the damage inside it, and its own memory must stay unchanged.
 *   gate-into-switcher: the gate's offset is the switcher's first byte
 *     (0xFFC00000), beyond the kernel code segment the hypervisor gave it;
 *   gate-hv-selector: the gate names the hypervisor's TSS selector;
 *   stack-in-switcher: the TSS's esp0 is the top of the switcher's trap
 *     stack (the page the CPU pushes the hypervisor's trap frames onto);
 *   stack-user-segment: ss0 is the user data segment (DPL 3);
 *   stack-unmapped: esp0 lies where the kernel's page tables map nothing,
 *     so the CPU's own push of the frame faults;
 *   user-reads-patch-code: user mode reads linear 0xFFD02000, where the
 *     inline patch mode's code begins (nothing of the kernel's).
 * Each makes a trap (OUT) after the change, so the hypervisor has seen it.
 */
/*
 * user-reads-patch-code ends here: the bare machine's #PF at the read (its
 * page tables map nothing there). Under the inline mode the hypervisor once
 * took any user fault in its patch code for user code running a kernel
 * region, undid that region and moved the user's EIP.
 */
static void fp_user_read_fault(struct guest_trap_frame *frame)
{
	int at_read = frame->eip == (uint32_t)fp_user_read_patch_code && read_cr2() == 0xFFD02000u &&
		      frame->error == 4;
	guest_printf("fastpath: hostile user-reads-patch-code: #PF error 0x%x at 0x%08x, %s\n",
		     frame->error, frame->eip, at_read ? "at the read" : "not at the read");
	guest_exit(at_read ? GUEST_EXIT_OK : GUEST_EXIT_PANIC);
}

int fp_hostile(const char *name)
{
	struct x86_gate *gate = fp_idt_entry(FP_VEC_SYSCALL);

	ltr(FP_SEL_TSS);
	fp_expected_esp0 = fp_kstack_top(0);
	/* One honest call first: the direct gate is installed. */
	uint32_t before = fp_user_run(1, 0);
	if (strcmp(name, "gate-into-switcher") == 0) {
		gate->offset_lo = 0x0000;
		gate->offset_hi = 0xFFC0;
	} else if (strcmp(name, "gate-hv-selector") == 0) {
		gate->selector = 0xFFF8;
	} else if (strcmp(name, "stack-in-switcher") == 0) {
		fp_tss.esp0 = 0xFFC15000u;
	} else if (strcmp(name, "stack-unmapped") == 0) {
		fp_tss.esp0 = 0x00800000u;
	} else if (strcmp(name, "user-reads-patch-code") == 0) {
		fp_user_entry = (uint32_t)fp_user_read_patch_code;
		guest_trap_set_handler(VEC_PF, fp_user_read_fault);
	} else if (strcmp(name, "stack-user-segment") == 0) {
		fp_tss.ss0 = FP_SEL_USER_DATA_ASM;
	} else {
		guest_printf("fastpath: no hostile kernel '%s'\n", name);
		return GUEST_EXIT_USAGE;
	}
	outb(0x80, 0);
	guest_printf("fastpath: hostile %s: calling (first call: %u wrong)\n", name, before);
	uint32_t mismatches = fp_user_run(FP_ROUNDS, 0);
	guest_printf("fastpath: hostile %s: survived the calls, %u wrong\n", name, mismatches);
	return GUEST_EXIT_OK;
}
