/*
 * hv/host_timer.h: the real 8259 PICs and 8254 PIT, which the hypervisor owns.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_HOST_TIMER_H
#define TV_HV_HOST_TIMER_H

#include <stdint.h>

#define HOST_IRQ_VECTOR_BASE	0x20	/* real IRQ n arrives as vector 0x20 + n */
#define HOST_IRQ_TIMER		0
#define HOST_IRQ_COM1		4
/* The real local APIC's timer: the clock of every device computed from time. */
#define HOST_LAPIC_TIMER_VECTOR	0x30

/* Remap the real PICs above the exceptions and mask every line. */
void host_pic_init(void);
void host_pic_unmask(unsigned irq);
void host_pic_eoi(unsigned irq);
/*
 * A masked line's edge is latched all the same: drop the request it left
 * (the BIOS's 18.2 Hz timer leaves one on IRQ 0 before the guest programs
 * its own), so unmasking does not deliver it. Interrupts off.
 */
void host_pic_drop_masked_request(unsigned irq);
/* Is the real line's request raised (read with interrupts off)? */
int host_pic_requested(unsigned irq);

/* Program the real PIT's channel 0 (mode and 16-bit count; 0 means 65536). */
void host_pit_program(uint8_t control_word, uint16_t count, unsigned access);
uint8_t host_pit_read_counter0(void);
void host_pit_command(uint8_t control_word);

/*
 * The real local APIC (mapped at 0xFEE00000 by hv/address_space.c): turned
 * on with the 8259s still wired through LINT0, its timer one-shot, and the
 * TSC measured against it (QEMU counts the APIC timer at 1 GHz of real
 * time), so that host_now_ns() is real time. Returns -1 if the CPU has no
 * APIC or TSC.
 */
int host_clock_init(void);
/* Nanoseconds of real time since host_clock_init(). */
uint64_t host_now_ns(void);
/* One real interrupt (HOST_LAPIC_TIMER_VECTOR) at deadline_ns; UINT64_MAX: none. */
void host_timer_arm(uint64_t deadline_ns);
void host_lapic_eoi(void);

/* The real COM1's input: a byte if one has arrived (1), else 0; its interrupt on receive. */
int host_com1_receive(uint8_t *byte);
void host_com1_interrupt_on_input(void);

#endif
