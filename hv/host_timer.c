/*
 * hv/host_timer.c: the real interrupt controllers and timer.
 * Runs in: hypervisor, ring 0.
 *
 * The hypervisor keeps interrupts off while it runs and the guest runs with
 * them really on, so a real timer interrupt always arrives as a trap from
 * the guest. Only the timer line (and COM1's, for input) is unmasked.
 *
 * Real time comes from the TSC, measured once against the real local
 * APIC's timer, which QEMU counts at 1 GHz; that timer, one-shot, wakes
 * the hypervisor when the next device event is due (a guest's LAPIC timer,
 * a UART's receive timeout).
 */
#include "hv/host_timer.h"
#include "hv/console.h"
#include "lib/x86.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1
#define PIC_EOI		0x20
#define PIC_READ_IRR	0x0A
#define PIC_POLL	0x0C
#define PIC_SPECIFIC_EOI 0x60
#define PIT_CHANNEL0	0x40
#define PIT_COMMAND	0x43

#define COM1		0x3F8
#define COM1_IER	(COM1 + 1)
#define COM1_MCR	(COM1 + 4)
#define COM1_LSR	(COM1 + 5)
#define COM1_LSR_DR	0x01

#define HOST_LAPIC	((volatile uint32_t *)0xFEE00000u)
#define LAPIC_REG(off)	HOST_LAPIC[(off) / 4]
#define LAPIC_EOI	0x0B0
#define LAPIC_SVR	0x0F0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_TICR	0x380
#define LAPIC_TCCR	0x390
#define LAPIC_TDCR	0x3E0
#define LVT_MASKED	0x10000u
#define LVT_EXTINT	0x700u
#define LVT_NMI		0x400u
#define CALIBRATE_NS	10000000u	/* 10 ms of the APIC timer */

static uint8_t host_pic1_mask = 0xFF;
static uint64_t tsc_at_start;
static uint32_t ns_per_tsc_q32;		/* nanoseconds per TSC tick, 32.32 fixed point */
static uint64_t armed_deadline = UINT64_MAX;

void host_pic_init(void)
{
	outb(PIC1_CMD, 0x11);			/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, HOST_IRQ_VECTOR_BASE);	/* ICW2 */
	outb(PIC2_DATA, HOST_IRQ_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1u << 2);		/* ICW3: slave on line 2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 0x01);			/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, host_pic1_mask);
	outb(PIC2_DATA, 0xFF);
}

void host_pic_unmask(unsigned irq)
{
	host_pic1_mask &= (uint8_t)~(1u << irq);
	outb(PIC1_DATA, host_pic1_mask);
}

void host_pic_eoi(unsigned irq)
{
	(void)irq;
	outb(PIC1_CMD, PIC_EOI);
}

void host_pic_drop_masked_request(unsigned irq)
{
	if (!(host_pic1_mask & (1u << irq)))
		return;
	outb(PIC1_CMD, PIC_READ_IRR);
	if (!((inb(PIC1_CMD) >> irq) & 1))
		return;
	/*
	 * A poll (OCW3 bit 2) acknowledges the highest unmasked request as an
	 * INTA would, with no interrupt; our interrupts are off, so unmasking
	 * the line for the poll delivers nothing. Then its specific EOI.
	 */
	outb(PIC1_DATA, (uint8_t)(host_pic1_mask & ~(1u << irq)));
	outb(PIC1_CMD, PIC_POLL);
	(void)inb(PIC1_CMD);
	outb(PIC1_CMD, (uint8_t)(PIC_SPECIFIC_EOI | irq));
	outb(PIC1_DATA, host_pic1_mask);
}

int host_pic_requested(unsigned irq)
{
	outb(PIC1_CMD, PIC_READ_IRR);
	return (inb(PIC1_CMD) >> irq) & 1;
}

void host_pit_command(uint8_t control_word)
{
	outb(PIT_COMMAND, control_word);
}

void host_pit_program(uint8_t control_word, uint16_t count, unsigned access)
{
	outb(PIT_COMMAND, control_word);
	if (access & 1)
		outb(PIT_CHANNEL0, (uint8_t)count);
	if (access & 2)
		outb(PIT_CHANNEL0, (uint8_t)(count >> 8));
}

uint8_t host_pit_read_counter0(void)
{
	return inb(PIT_CHANNEL0);
}

int host_clock_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)) || !(d & (1u << 4)))
		return -1;	/* no local APIC, or no TSC */
	/* Software-enable the APIC; the 8259s keep reaching the CPU through LINT0. */
	LAPIC_REG(LAPIC_LVT_LINT0) = LVT_EXTINT;
	LAPIC_REG(LAPIC_LVT_LINT1) = LVT_NMI;
	LAPIC_REG(LAPIC_SVR) = 0x100u | 0xFF;
	LAPIC_REG(LAPIC_LVT_TIMER) = LVT_MASKED | HOST_LAPIC_TIMER_VECTOR;
	LAPIC_REG(LAPIC_TDCR) = 0xB;	/* divide by 1 */
	LAPIC_REG(LAPIC_TICR) = 0xFFFFFFFFu;
	uint64_t t0 = rdtsc();
	while (0xFFFFFFFFu - LAPIC_REG(LAPIC_TCCR) < CALIBRATE_NS)
		;
	uint32_t counted = 0xFFFFFFFFu - LAPIC_REG(LAPIC_TCCR);
	uint64_t ticks = rdtsc() - t0;
	LAPIC_REG(LAPIC_TICR) = 0;
	if (!ticks)
		return -1;
	ns_per_tsc_q32 = (uint32_t)(((uint64_t)counted << 32) / ticks);
	tsc_at_start = t0;
	LAPIC_REG(LAPIC_LVT_TIMER) = HOST_LAPIC_TIMER_VECTOR;	/* one-shot, unmasked */
	return 0;
}

uint64_t host_now_ns(void)
{
	uint64_t d = rdtsc() - tsc_at_start;
	/* d * ns_per_tsc_q32 >> 32, without a 96-bit product. */
	return (d >> 32) * ns_per_tsc_q32 + (((d & 0xFFFFFFFFu) * ns_per_tsc_q32) >> 32);
}

void host_timer_arm(uint64_t deadline_ns)
{
	/* Still armed earlier (or the same): that interrupt comes first and re-arms. */
	uint64_t now = host_now_ns();
	if (armed_deadline > now && armed_deadline <= deadline_ns)
		return;
	armed_deadline = deadline_ns;
	if (deadline_ns == UINT64_MAX) {
		LAPIC_REG(LAPIC_TICR) = 0;
		return;
	}
	uint64_t wait = deadline_ns > now ? deadline_ns - now : 1;
	LAPIC_REG(LAPIC_TICR) = wait > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)wait;
}

void host_lapic_eoi(void)
{
	armed_deadline = UINT64_MAX;
	LAPIC_REG(LAPIC_EOI) = 0;
}

int host_com1_receive(uint8_t *byte)
{
	if (console_early_input(byte))
		return 1;
	if (!(inb(COM1_LSR) & COM1_LSR_DR))
		return 0;
	*byte = inb(COM1);
	return 1;
}

void host_com1_interrupt_on_input(void)
{
	outb(COM1_MCR, inb(COM1_MCR) | 0x08);	/* OUT2: the line reaches the 8259 */
	outb(COM1_IER, 0x01);			/* received data available */
	host_pic_unmask(HOST_IRQ_COM1);
}
