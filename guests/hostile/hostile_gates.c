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
 *   iret-sets-if-tick   a timer tick waits (IRR) while IF is 0, then an
 *                       IRET sets IF: the tick must be taken right after
 *                       the IRET, at the instruction it returned to,
 *                       before any other (SDM vol. 3, 6.8.1).
 *   iret-forged-cs      IRET to the kernel's data selector with RPL 0:
 *                       #GP(selector), the segment is no code segment.
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
#define HOSTILE_VEC_TRAP_GATE	0x51

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

	guest_trap_set_handler(HOSTILE_VEC_INT_GATE, gate_handler);
	guest_trap_set_handler(HOSTILE_VEC_TRAP_GATE, gate_handler);
	guest_idt_set_gate(HOSTILE_VEC_TRAP_GATE, DESC_SYS_TRAP_GATE, 0);

	/* Every IRQ line is masked: IF 1 lets nothing in. */
	sti();
	__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_INT_GATE) : "memory");
	gate_report("interrupt gate", after);
	__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_TRAP_GATE) : "memory");
	gate_report("trap gate", after);

	gate_frame_if_clear = 1;
	__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_INT_GATE) : "memory");
	gate_frame_if_clear = 0;
	gate_report("iret clearing IF", after);

	gate_frame_if_set = 1;
	__asm__ volatile("int %1\n\tpushfl\n\tpopl %0" : "=r"(after) : "i"(HOSTILE_VEC_TRAP_GATE) : "memory");
	gate_frame_if_set = 0;
	gate_report("iret setting IF", after);
	cli();
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

#define SLOT_ESP	0xFFC01000u	/* the switcher's second page, under the hypervisor */

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
