/*
 * hv/host_timer.h: the real 8259 PICs and 8254 PIT, which the hypervisor owns.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_HOST_TIMER_H
#define TV_HV_HOST_TIMER_H

#include <stdint.h>

#define HOST_IRQ_VECTOR_BASE	0x20	/* real IRQ n arrives as vector 0x20 + n */
#define HOST_IRQ_TIMER		0

/* Remap the real PICs above the exceptions and mask every line. */
void host_pic_init(void);
void host_pic_unmask(unsigned irq);
void host_pic_eoi(unsigned irq);
/* Is the real line's request raised (read with interrupts off)? */
int host_pic_requested(unsigned irq);

/* Program the real PIT's channel 0 (mode and 16-bit count; 0 means 65536). */
void host_pit_program(uint8_t control_word, uint16_t count, unsigned access);
uint8_t host_pit_read_counter0(void);
void host_pit_command(uint8_t control_word);

#endif
