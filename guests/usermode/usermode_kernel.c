/*
 * guests/usermode/usermode_kernel.c: the kernel side of the usermode guest:
 * its descriptor tables, its TSS, its system calls and its trap handlers.
 * Runs in: guest, kernel mode (CPL 0 as far as the guest knows).
 *
 * 1. The GDT gets user code and data (DPL 3) beside the runtime's kernel
 *    segments, and a 32-bit TSS whose ss0:esp0 names the stack the CPU
 *    switches to on a trap from user mode (Intel SDM vol. 3, 6.12.1).
 * 2. The IDT is the runtime's stubs behind our own gates, so that vector
 *    0x80 can have DPL 3 (user code may INT to it) while 0x81 keeps DPL 0
 *    (user code gets #GP(0x81 * 8 + 2): SDM vol. 2, INT n).
 * 3. SYSENTER lands in usermode_switch.S with the MSRs set here.
 * 4. Every trap from user mode comes through usermode_trap(): a system call,
 *    a fault a probe expects (recorded, then IRET back to user mode after
 *    the probe's instruction), or anything else (a FAIL and back to the
 *    kernel's usermode_run()).
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/usermode/usermode.h"
#include "lib/string.h"
#include "lib/x86.h"

#define USERMODE_STACK_SIZE 8192

static struct x86_tss usermode_tss __attribute__((aligned(128)));
static struct x86_gate usermode_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static uint8_t usermode_trap_stack[USERMODE_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t usermode_sysenter_stack[USERMODE_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t usermode_user_stack[USERMODE_STACK_SIZE] __attribute__((aligned(16)));

volatile struct usermode_trap_record usermode_fault_seen;
volatile struct usermode_trap_record usermode_syscall_seen;
volatile unsigned usermode_mix_calls;
volatile uint16_t usermode_sysenter_cs_seen, usermode_sysenter_ss_seen;
volatile unsigned usermode_sysenter_calls;
static const char *volatile usermode_resume_at;

/* Code and data, present, 32-bit; the caller adds the DPL. */
#define USERMODE_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			     ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define USERMODE_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | \
			     (DESC_TYPE_WRITABLE << 8))

static inline void usermode_wrmsr(uint32_t index, uint32_t value)
{
	__asm__ volatile("wrmsr" : : "c"(index), "a"(value), "d"(0u) : "memory");
}

void usermode_set_user_limit(uint32_t limit)
{
	guest_gdt_set(USERMODE_SEL_USER_CODE >> 3,
		      desc_make(0, limit, USERMODE_CODE_FLAGS | DESC_HI_DPL(3)));
	guest_gdt_set(USERMODE_SEL_USER_DATA >> 3,
		      desc_make(0, limit, USERMODE_DATA_FLAGS | DESC_HI_DPL(3)));
}

static void usermode_record(volatile struct usermode_trap_record *r,
			    const struct usermode_frame *f)
{
	r->count++;
	r->vector = f->k.vector;
	r->error = f->k.error;
	r->eip = f->k.eip;
	r->cs = f->k.cs & 0xFFFFu;
	r->eflags = f->k.eflags;
	r->esp = f->esp;
	r->ss = f->ss & 0xFFFFu;
	r->ds = f->k.ds;
}

static uint32_t usermode_syscall(uint32_t nr, uint32_t arg)
{
	switch (nr) {
	case USERMODE_SYS_MIX:
		usermode_mix_calls++;
		return usermode_mix(arg);
	case USERMODE_SYS_RETURN:
		usermode_resume_kernel(arg);
	case USERMODE_SYS_EXIT:
		guest_test_pass("exit-syscall-reaches-kernel");
		guest_test_finish();
	default:
		guest_test_fail("syscall", "unknown system call %u", nr);
		return ~0u;
	}
}

uint32_t usermode_sysenter_dispatch(uint32_t nr, uint32_t arg)
{
	usermode_sysenter_calls++;
	usermode_sysenter_cs_seen = read_cs();
	usermode_sysenter_ss_seen = read_ss();
	return usermode_syscall(nr, arg);
}

static void usermode_trap(struct guest_trap_frame *frame)
{
	struct usermode_frame *f = (struct usermode_frame *)frame;

	if (frame->vector == USERMODE_KERNEL_ONLY_VECTOR && !usermode_frame_from_user(frame))
		return;	/* the kernel's own INT to its DPL-0 gate: usermode_kernel_init */
	if (!usermode_frame_from_user(frame)) {
		guest_printf("FAIL: unexpected trap in kernel mode: vector 0x%x error 0x%x eip 0x%08x\n",
			     frame->vector, frame->error, frame->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	if (frame->vector == USERMODE_SYSCALL_VECTOR) {
		/* Not usermode_user_start's return: it would hide the call a check made. */
		if (frame->eax != USERMODE_SYS_RETURN)
			usermode_record(&usermode_syscall_seen, f);
		frame->eax = usermode_syscall(frame->eax, frame->ebx);
		return;
	}
	usermode_record(&usermode_fault_seen, f);
	if (usermode_resume_at) {
		frame->eip = (uint32_t)usermode_resume_at;
		usermode_resume_at = 0;
		return;
	}
	guest_test_fail("user-trap", "unexpected vector 0x%x error 0x%x at eip 0x%08x in user mode",
			frame->vector, frame->error, frame->eip);
	usermode_resume_kernel(USERMODE_RUN_TRAPPED);
}

void usermode_expect_fault(const char *resume_at)
{
	usermode_fault_seen.count = 0;
	usermode_fault_seen.vector = usermode_fault_seen.error = ~0u;
	usermode_resume_at = resume_at;
}

uint32_t usermode_run(uint32_t (*fn)(uint32_t), uint32_t arg)
{
	uint32_t ret = usermode_enter(fn, arg,
				      (uint32_t)(usermode_user_stack + sizeof usermode_user_stack));
	usermode_resume_at = 0;
	return ret;
}

void usermode_kernel_init(void)
{
	/* Written before guest_gdt_install's LGDT, which a shadowing hypervisor reads. */
	usermode_set_user_limit(0xFFFFFFFFu);
	memset(&usermode_tss, 0, sizeof usermode_tss);
	usermode_tss.ss0 = USERMODE_SEL_KERNEL_DATA;
	usermode_tss.esp0 = (uint32_t)(usermode_trap_stack + sizeof usermode_trap_stack);
	usermode_tss.iomap_base = sizeof usermode_tss;	/* no I/O permission bitmap */
	guest_gdt_set(USERMODE_SEL_TSS >> 3,
		      desc_make((uint32_t)&usermode_tss, sizeof usermode_tss - 1,
				DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8)));
	guest_gdt_install();
	ltr(USERMODE_SEL_TSS);

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++) {
		usermode_idt[v] = gate_make(USERMODE_SEL_KERNEL_CODE, guest_trap_stubs[v],
					    DESC_SYS_INT_GATE,
					    v == USERMODE_SYSCALL_VECTOR ? 3 : 0);
		guest_trap_set_handler(v, usermode_trap);
	}
	struct x86_pseudo_desc idtr = {
		.limit = sizeof usermode_idt - 1,
		.base = (uint32_t)usermode_idt,
	};
	lidt(&idtr);
	/*
	 * The kernel uses its DPL-0 gate itself: a hypervisor that delivers
	 * the gates a kernel uses without a trap (--patch inline --direct)
	 * then has it in the real IDT, and user code's INT to it must still be
	 * #GP(vector * 8 + 2), as the check user-int-0x81-dpl0-gate-raises-gp
	 * expects.
	 */
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int %0" : : "i"(USERMODE_KERNEL_ONLY_VECTOR) : "memory");

	usermode_wrmsr(USERMODE_MSR_SYSENTER_CS, USERMODE_SEL_KERNEL_CODE);
	usermode_wrmsr(USERMODE_MSR_SYSENTER_ESP,
		       (uint32_t)(usermode_sysenter_stack + sizeof usermode_sysenter_stack));
	usermode_wrmsr(USERMODE_MSR_SYSENTER_EIP, (uint32_t)usermode_sysenter_entry);
}
