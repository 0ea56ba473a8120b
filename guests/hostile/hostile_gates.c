/*
 * guests/hostile/hostile_gates.c: the guest kernel entering its own
 * interrupt and trap gates with INT n and leaving with IRET, where a
 * hypervisor that runs the IRET (or delivers the gate) without a trap must
 * still show what the bare CPU shows at CPL 0.
 * Runs in: guest.
 *
 *   kernel-gates-if     INT n through a DPL-0 interrupt gate and a DPL-0
 *                       trap gate from the kernel: the handler's IF (0,
 *                       and 1 through the trap gate), the frame's CS (RPL
 *                       0) and IF, and IF after the IRET; then an IRET
 *                       that clears IF and one that sets it (SDM vol. 3,
 *                       6.12.1.3: an interrupt gate clears IF, a trap gate
 *                       leaves it; vol. 2A, IRET: at CPL 0 IF comes from
 *                       the frame). Read with PUSHF, so only meaningful
 *                       where PUSHF shows the guest's IF (natively, and
 *                       deprivileged with --patch all or inline).
 *   kernel-divide       DIV by zero in the kernel, three times: #DE, the
 *                       frame's EIP the DIV's own (a fault).
 *   user-int-dpl0       INT from user mode to a DPL-0 gate the kernel
 *                       itself uses: #GP(vector * 8 + 2) (SDM vol. 2A,
 *                       INT n), whoever delivers the kernel's own INTs.
 *   iret-sets-if-tick   a timer tick waits (IRR) while IF is 0, then an
 *                       IRET sets IF: the tick must be taken right after
 *                       the IRET, at the instruction it returned to,
 *                       before any other (SDM vol. 3, 6.8.1).
 *   iret-forged-cs      IRET to the kernel's data selector with RPL 0:
 *                       #GP(selector), the segment is no code segment.
 *   gate-inside-region  INT n to a gate whose handler starts right after a
 *                       CLI, where an inline patch's jump lies over it.
 *   int-esp-in-slot     INT n to a DPL-0 gate the kernel uses, with ESP in
 *                       the switcher's slot: the frame cannot be pushed
 *                       (hypervisor's runs only, as below).
 *   gates-under-ticks   a timer at about 12 kHz, IF 1, and 10,000 rounds
 *                       of INT n through a DPL-0 interrupt gate and a
 *                       DPL-0 trap gate and their IRETs: a tick may come
 *                       at any instruction of whatever runs them, and
 *                       must never be taken inside the interrupt gate's
 *                       handler (IF 0 there), never with a frame whose EIP
 *                       is not the guest's own code (below 0xFFC00000) or
 *                       whose CS is not the kernel's; the handlers see
 *                       the IF of their gate and CS 0x8 in the frame, and
 *                       the code after each IRET IF 1 (SDM vol. 3,
 *                       6.12.1.3; vol. 2A, IRET).
 *   iret-single-step    an IRET whose frame sets TF returns to code that
 *                       a patcher may have moved (three MOVs and an IRET):
 *                       the single-step #DB follows the first instruction
 *                       there, EIP 2 bytes on (SDM vol. 3, 17.3.1.4: the
 *                       trap follows the instruction after the IRET).
 *   iret-esp-in-slot    IRET with ESP in the last 4 MiB of linear space,
 *                       where the hypervisor keeps its switcher: the frame
 *                       is nothing of the guest's. Natively that is no
 *                       memory at all; only the hypervisor's runs check it
 *                       (the guest is stopped, the hypervisor unchanged).
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"

#define HOSTILE_VEC_INT_GATE	0x50
#define SLOT_ESP		0xFFC01000u	/* the switcher's second page, under the hypervisor */
#define HOSTILE_VEC_TRAP_GATE	0x51
#define HOSTILE_VEC_HV_OWN	0x2F

/*
 * What lets a hypervisor deliver the kernel's gates directly (--direct,
 * hv/direct.c) with the guest's paging off: a user code segment that
 * covers all of memory, and a TSS with a usable ring-0 stack. Natively
 * they change nothing the rows look at.
 */
#define GDT_USER_CODE	4
#define GDT_USER_DATA	5
#define USER_CODE_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			 ((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define USER_DATA_FLAGS	(DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
			 (DESC_TYPE_WRITABLE << 8))

static void direct_paths_possible(void)
{
	hostile_user_segments();
}

void hostile_user_segments(void)
{
	guest_gdt_set(GDT_USER_CODE, desc_make(0, 0xFFFFFFFFu, USER_CODE_FLAGS));
	guest_gdt_set(GDT_USER_DATA, desc_make(0, 0xFFFFFFFFu, USER_DATA_FLAGS));
	hostile_tss_install(0);
}

/* --- kernel-gates-if --- */

static volatile uint32_t gate_handler_eflags, gate_frame_cs, gate_frame_eflags;
static volatile int gate_frame_if_set, gate_frame_if_clear;

static void gate_handler(struct guest_trap_frame *frame)
{
	gate_handler_eflags = read_eflags();
	gate_frame_cs = frame->cs & 0xFFFF;
	gate_frame_eflags = frame->eflags;
	if (gate_frame_if_set)
		frame->eflags |= EFLAGS_IF;
	if (gate_frame_if_clear)
		frame->eflags &= ~EFLAGS_IF;
}

static void gate_report(const char *gate, uint32_t after)
{
	guest_printf("HOSTILE-RESULT: kernel-gates-if: %s: handler IF %u, frame cs 0x%x, frame IF %u, "
		     "after iret IF %u\n", gate, (gate_handler_eflags & EFLAGS_IF) != 0,
		     gate_frame_cs, (gate_frame_eflags & EFLAGS_IF) != 0, (after & EFLAGS_IF) != 0);
}

void hostile_kernel_gates_if(void)
{
	uint32_t after;

	direct_paths_possible();
	guest_trap_set_handler(HOSTILE_VEC_INT_GATE, gate_handler);
	guest_trap_set_handler(HOSTILE_VEC_TRAP_GATE, gate_handler);
	guest_trap_set_handler(HOSTILE_VEC_HV_OWN, gate_handler);
	guest_idt_set_gate(HOSTILE_VEC_TRAP_GATE, DESC_SYS_TRAP_GATE, 0);

	/*
	 * Each case three times and the last reported: a hypervisor may deliver
	 * a gate the kernel has used without a trap from then on (--patch
	 * inline --direct), and the later rounds must show the same.
	 */
	for (int round = 0; round < 3; round++) {
		int last = round == 2;
		/* Every IRQ line is masked: IF 1 lets nothing in. */
		sti();
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_INT_GATE) : "memory");
		if (last)
			gate_report("interrupt gate", after);
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_TRAP_GATE) : "memory");
		if (last)
			gate_report("trap gate", after);

		gate_frame_if_clear = 1;
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_INT_GATE) : "memory");
		gate_frame_if_clear = 0;
		if (last)
			gate_report("iret clearing IF", after);

		gate_frame_if_set = 1;
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_TRAP_GATE) : "memory");
		gate_frame_if_set = 0;
		if (last)
			gate_report("iret setting IF", after);

		/* A vector whose real gate is a hypervisor's own (its IRQs, 0x20-0x30): never direct. */
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_HV_OWN) : "memory");
		if (last)
			gate_report("vector 0x2f", after);
		cli();
	}
}

/* --- kernel-divide --- */

extern char hostile_div_insn[];

static void divide_by_zero(void)
{
	__asm__ volatile("xorl %%edx, %%edx\n\t"
			 "movl $1, %%eax\n\t"
			 ".globl hostile_div_insn\n"
			 "hostile_div_insn:\n\t"
			 "divl %%edx"
			 : : : "eax", "edx", "memory", "cc");
}

void hostile_kernel_divide(void)
{
	struct hostile_outcome o = { 0 };
	unsigned at_div = 0;

	direct_paths_possible();
	/* Three times: the later ones may come through a gate the hypervisor made direct. */
	for (int round = 0; round < 3; round++) {
		o = hostile_try(divide_by_zero);
		at_div += o.trapped && o.eip == (uint32_t)hostile_div_insn;
	}
	hostile_report("kernel-divide", "div by zero", &o);
	guest_printf("HOSTILE-RESULT: kernel-divide: the frame's eip at the div %u of 3\n", at_div);
}

/* --- user-int-dpl0 --- */

#define HOSTILE_VEC_KERNEL_ONLY	0x52
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static volatile unsigned kernel_only_calls;

static void kernel_only_handler(struct guest_trap_frame *frame)
{
	(void)frame;
	kernel_only_calls++;
}

/* Into user mode with IRET, then INT to the kernel's DPL-0 gate: #GP(vector * 8 + 2). */
static void user_int_kernel_gate(void)
{
	__asm__ volatile("pushl %0\n\t"		/* SS */
			 "pushl %1\n\t"		/* ESP */
			 "pushl %2\n\t"		/* EFLAGS */
			 "pushl %3\n\t"		/* CS */
			 "pushl $1f\n\t"
			 "iretl\n"
			 "1:\n\t"
			 "int %4\n\t"
			 "2: jmp 2b"	/* never reached: the INT faults */
			 : : "i"(SEL_MAKE(GDT_USER_DATA, 3)), "r"(user_stack + sizeof user_stack),
			   "i"(EFLAGS_FIXED | EFLAGS_IF), "i"(SEL_MAKE(GDT_USER_CODE, 3)),
			   "i"(HOSTILE_VEC_KERNEL_ONLY) : "memory");
}

void hostile_user_int_dpl0(void)
{
	direct_paths_possible();
	guest_trap_set_handler(HOSTILE_VEC_KERNEL_ONLY, kernel_only_handler);
	/* The kernel's own use of the gate: a hypervisor may then deliver it directly. */
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int %0" : : "i"(HOSTILE_VEC_KERNEL_ONLY) : "memory");
	struct hostile_outcome o = hostile_try(user_int_kernel_gate);
	hostile_report("user-int-dpl0", "int 0x52 from user mode", &o);
	guest_printf("HOSTILE-RESULT: user-int-dpl0: the kernel's own calls %u\n", kernel_only_calls);
}

/* --- gate-inside-region --- */

#define HOSTILE_VEC_MID_HANDLER	0x53

/*
 * A handler whose first instruction comes right after a CLI (no symbol, no
 * branch names it: the gate's offset is only data), so that a hypervisor
 * that patches the CLI inline moves this instruction into patch code too
 * and replaces its bytes with the jump's.
 */
extern char hostile_mid_handler[];
static volatile uint32_t mid_handler_runs;
__asm__(".text\n"
	".type hostile_mid_handler_cli, @function\n"	/* a function: the patcher's scan starts here */
	"hostile_mid_handler_cli:\n\t"
	"cli\n"
	"hostile_mid_handler:\n\t"
	"incl mid_handler_runs\n\t"
	"iret\n");

void hostile_gate_inside_region(void)
{
	direct_paths_possible();
	guest_idt_set_gate_at(HOSTILE_VEC_MID_HANDLER, (uint32_t)hostile_mid_handler,
			      DESC_SYS_INT_GATE, 0);
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int %0" : : "i"(HOSTILE_VEC_MID_HANDLER) : "memory");
	guest_printf("HOSTILE-RESULT: gate-inside-region: the handler ran %u of 3\n",
		     mid_handler_runs);
}

/* --- int-esp-in-slot --- */

static void int_from_slot(void)
{
	__asm__ volatile("movl %0, %%esp\n\t"
			 "int %1"
			 : : "i"(SLOT_ESP), "i"(HOSTILE_VEC_KERNEL_ONLY) : "memory");
}

void hostile_int_esp_in_slot(void)
{
	direct_paths_possible();
	guest_trap_set_handler(HOSTILE_VEC_KERNEL_ONLY, kernel_only_handler);
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int %0" : : "i"(HOSTILE_VEC_KERNEL_ONLY) : "memory");
	struct hostile_outcome o = hostile_try(int_from_slot);
	hostile_report("int-esp-in-slot", "int 0x52 with esp 0xffc01000", &o);
}

/* --- iret-sets-if-tick --- */

#define PIC_MASTER_CMD	0x20
#define PIC_MASTER_DATA	0x21
#define PIC_SLAVE_CMD	0xA0
#define PIC_SLAVE_DATA	0xA1
#define PIC_READ_IRR	0x0A
#define PIC_EOI		0x20
#define VEC_TIMER	0x20
#define PIT_CHANNEL0	0x40
#define PIT_COMMAND	0x43
#define PIT_MODE2	0x34
#define PIT_COUNT	1193	/* about 1 kHz */
#define TICK_ROUNDS	20
#define TICK_WAIT_MAX	50000000u

static volatile uint32_t tick_eip, ticks;
extern char hostile_iret_tick_target[];

static void tick_handler(struct guest_trap_frame *frame)
{
	if (!ticks++)
		tick_eip = frame->eip;
	outb(PIC_MASTER_CMD, PIC_EOI);
}

static void timer_on(void)
{
	guest_trap_set_handler(VEC_TIMER, tick_handler);
	outb(PIC_MASTER_CMD, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(PIC_SLAVE_CMD, 0x11);
	outb(PIC_MASTER_DATA, VEC_TIMER);	/* ICW2 */
	outb(PIC_SLAVE_DATA, VEC_TIMER + 8);
	outb(PIC_MASTER_DATA, 0x04);	/* ICW3 */
	outb(PIC_SLAVE_DATA, 0x02);
	outb(PIC_MASTER_DATA, 0x01);	/* ICW4: 8086 */
	outb(PIC_SLAVE_DATA, 0x01);
	outb(PIC_MASTER_DATA, 0xFE);	/* only IRQ0 */
	outb(PIC_SLAVE_DATA, 0xFF);
	outb(PIT_COMMAND, PIT_MODE2);
	outb(PIT_CHANNEL0, PIT_COUNT & 0xFF);
	outb(PIT_CHANNEL0, PIT_COUNT >> 8);
	outb(PIC_MASTER_CMD, PIC_READ_IRR);
}

void hostile_iret_sets_if_tick(void)
{
	unsigned right_after = 0, waited = 0;

	cli();
	timer_on();
	for (unsigned round = 0; round < TICK_ROUNDS; round++) {
		uint32_t spins = 0;
		while (!(inb(PIC_MASTER_CMD) & 1) && spins < TICK_WAIT_MAX)
			spins++;
		waited += spins < TICK_WAIT_MAX;
		ticks = 0;
		tick_eip = 0;
		/* IF 0 now, the tick waiting: an IRET to the next instruction with IF 1. */
		__asm__ volatile("pushfl\n\t"
				 "orl %0, (%%esp)\n\t"
				 "pushl %1\n\t"
				 "pushl $hostile_iret_tick_target\n\t"
				 "iretl\n"
				 ".globl hostile_iret_tick_target\n"
				 "hostile_iret_tick_target:\n\t"
				 "cli"
				 : : "i"(EFLAGS_IF), "i"(GUEST_SEL_CODE) : "memory", "cc");
		right_after += ticks >= 1 && tick_eip == (uint32_t)hostile_iret_tick_target;
	}
	guest_pic_mask_all();
	guest_printf("HOSTILE-RESULT: iret-sets-if-tick: ticks waiting %u of %u, taken right after "
		     "the iret %u of %u\n", waited, TICK_ROUNDS, right_after, TICK_ROUNDS);
}

/* --- iret-forged-cs --- */

static void iret_to_data_selector(void)
{
	__asm__ volatile("pushfl\n\t"
			 "pushl %0\n\t"
			 "pushl $1f\n\t"
			 "iretl\n"
			 "1:"
			 : : "i"(GUEST_SEL_DATA) : "memory");
}

void hostile_iret_forged_cs(void)
{
	struct hostile_outcome o = hostile_try(iret_to_data_selector);
	hostile_report("iret-forged-cs", "iret to cs 0x10", &o);
}

/* --- iret-esp-in-slot --- */

static void iret_from_slot(void)
{
	__asm__ volatile("movl %0, %%esp\n\t"
			 "iretl"
			 : : "i"(SLOT_ESP) : "memory");
}

void hostile_iret_esp_in_slot(void)
{
	struct hostile_outcome o = hostile_try(iret_from_slot);
	hostile_report("iret-esp-in-slot", "iret with esp 0xffc01000", &o);
}

/* --- gates-under-ticks --- */

#define GATES_TICK_ROUNDS	10000
#define GATES_TICK_PIT_COUNT	100	/* about 12 kHz */
#define GUEST_CODE_TOP		0xFFC00000u

static volatile unsigned gt_ticks, gt_in_int_handler, gt_ticks_inside, gt_odd_frames,
	gt_handler_if_wrong, gt_frame_wrong;

static void gt_tick(struct guest_trap_frame *frame)
{
	gt_ticks++;
	gt_ticks_inside += gt_in_int_handler;
	gt_odd_frames += frame->eip >= GUEST_CODE_TOP || (frame->cs & 0xFFFF) != GUEST_SEL_CODE ||
			 !(frame->eflags & EFLAGS_IF);
	outb(PIC_MASTER_CMD, PIC_EOI);
}

static void gt_int_gate(struct guest_trap_frame *frame)
{
	gt_in_int_handler = 1;
	gt_handler_if_wrong += (read_eflags() & EFLAGS_IF) != 0;
	gt_frame_wrong += (frame->cs & 0xFFFF) != GUEST_SEL_CODE || !(frame->eflags & EFLAGS_IF);
	gt_in_int_handler = 0;
}

static void gt_trap_gate(struct guest_trap_frame *frame)
{
	gt_handler_if_wrong += !(read_eflags() & EFLAGS_IF);
	gt_frame_wrong += (frame->cs & 0xFFFF) != GUEST_SEL_CODE || !(frame->eflags & EFLAGS_IF);
}

void hostile_gates_under_ticks(void)
{
	unsigned after_wrong = 0;
	uint32_t after;

	direct_paths_possible();
	guest_trap_set_handler(HOSTILE_VEC_INT_GATE, gt_int_gate);
	guest_trap_set_handler(HOSTILE_VEC_TRAP_GATE, gt_trap_gate);
	guest_idt_set_gate(HOSTILE_VEC_TRAP_GATE, DESC_SYS_TRAP_GATE, 0);
	cli();
	timer_on();
	guest_trap_set_handler(VEC_TIMER, gt_tick);
	outb(PIT_CHANNEL0, GATES_TICK_PIT_COUNT & 0xFF);
	outb(PIT_CHANNEL0, GATES_TICK_PIT_COUNT >> 8);
	sti();
	for (unsigned round = 0; round < GATES_TICK_ROUNDS; round++) {
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_INT_GATE) : "memory");
		after_wrong += !(after & EFLAGS_IF);
		__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_TRAP_GATE) : "memory");
		after_wrong += !(after & EFLAGS_IF);
	}
	cli();
	guest_pic_mask_all();
	guest_printf("HOSTILE-RESULT: gates-under-ticks: ticks taken %s, inside the interrupt gate's "
		     "handler %u, with an odd frame %u\n", gt_ticks > 0 ? "yes" : "none", gt_ticks_inside,
		     gt_odd_frames);
	guest_printf("HOSTILE-RESULT: gates-under-ticks: handler IF wrong %u, frame wrong %u, IF after "
		     "the iret wrong %u\n", gt_handler_if_wrong, gt_frame_wrong, after_wrong);
}

/* --- iret-single-step --- */

void hostile_iret_step_probe(void);
extern char hostile_iret_step_second[], hostile_iret_step_target[];
__asm__(".text\n"
	".globl hostile_iret_step_probe\n"
	".type hostile_iret_step_probe, @function\n"
	"hostile_iret_step_probe:\n"		/* a function symbol: the patcher scans it */
	"	pushfl\n"			/* the second frame: back to the target, TF clear */
	"	pushl $0x08\n"
	"	pushl $hostile_iret_step_target\n"
	"	pushfl\n"			/* the first: TF set, to the second IRET */
	"	orl $0x100, (%esp)\n"
	"	pushl $0x08\n"
	"	pushl $hostile_iret_step_second\n"
	"	iretl\n"
	"	.p2align 6\n"
	".globl hostile_iret_step_second\n"
	"hostile_iret_step_second:\n"
	"	movl %eax, %eax\n"		/* room for a patcher's jump before the IRET */
	"	movl %eax, %eax\n"
	"	movl %eax, %eax\n"
	"	iretl\n"
	"	.p2align 6\n"
	".globl hostile_iret_step_target\n"
	"hostile_iret_step_target:\n"
	"	nop\n"
	"	ret\n"
	".size hostile_iret_step_probe, . - hostile_iret_step_probe\n");

void hostile_iret_single_step(void)
{
	for (int round = 0; round < 3; round++) {
		struct hostile_outcome o = hostile_try(hostile_iret_step_probe);
		if (round < 2)
			continue;
		hostile_report("iret-single-step", "iret with TF set", &o);
		guest_printf("HOSTILE-RESULT: iret-single-step: #DB's eip the returned-to code + %d\n",
			     (int)(o.eip - (uint32_t)hostile_iret_step_second));
	}
}
