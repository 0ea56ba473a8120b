/*
 * hv/host_timer.c: the real interrupt controllers and timer.
 * Runs in: hypervisor, ring 0.
 *
 * The hypervisor keeps interrupts off while it runs and the guest runs with
 * them really on, so a real timer interrupt always arrives as a trap from
 * the guest. Only the timer line is ever unmasked.
 */
#include "hv/host_timer.h"
#include "lib/x86.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1
#define PIC_EOI		0x20
#define PIC_READ_IRR	0x0A
#define PIT_CHANNEL0	0x40
#define PIT_COMMAND	0x43

static uint8_t host_pic1_mask = 0xFF;

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
