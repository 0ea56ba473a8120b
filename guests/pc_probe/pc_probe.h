/*
 * guests/pc_probe/pc_probe.h: what the parts of pc_probe share.
 * Runs in: guest.
 *
 * pc_probe checks the PC a kernel of the 1990s-2010s expects around it, in
 * the order such a kernel meets it: the firmware's MP table, the local APIC
 * and its timer, the I/O APIC routing COM1's IRQ 4 with the 8259s masked,
 * COM1 input by interrupt, the text screen and the CRTC cursor, a GDT far
 * larger than a page edited after LGDT, and the multiboot modules and
 * command line. Natively every check passes on QEMU's PC; under the
 * hypervisor each passes only if the virtual PC behaves the same.
 */
#ifndef TV_GUESTS_PC_PROBE_H
#define TV_GUESTS_PC_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/multiboot.h"

/* What the MP table said, for the checks that follow it. */
struct pc_probe_mp {
	bool found;
	uint32_t lapic_addr;
	unsigned nprocessors;
	uint8_t bsp_apic_id;
	bool has_ioapic;
	uint8_t ioapic_id;
	uint8_t ioapic_version;
	uint32_t ioapic_addr;
	int com1_pin;		/* the I/O APIC pin of ISA IRQ 4, or -1 */
};

/* Vectors pc_probe programs. */
#define PC_PROBE_VEC_TIMER	0x40
#define PC_PROBE_VEC_COM1	0x44
#define PC_PROBE_VEC_ERROR	0x4E
#define PC_PROBE_VEC_SPURIOUS	0xFF

/*
 * Physical memory, read as it is: the guest runs without paging. The empty
 * asm keeps the compiler from treating a small constant address as a null
 * pointer's neighbourhood.
 */
static inline uint8_t phys8(uint32_t pa)
{
	__asm__("" : "+r"(pa));
	return *(volatile uint8_t *)pa;
}

static inline uint16_t phys16(uint32_t pa)
{
	__asm__("" : "+r"(pa));
	return *(volatile uint16_t *)pa;
}

static inline uint32_t phys32(uint32_t pa)
{
	__asm__("" : "+r"(pa));
	return *(volatile uint32_t *)pa;
}

void pc_probe_mptable(struct pc_probe_mp *mp);
/* Local APIC and its timer; the I/O APIC with IRQ 4 routed to PC_PROBE_VEC_COM1. */
void pc_probe_lapic(const struct pc_probe_mp *mp);
void pc_probe_ioapic(const struct pc_probe_mp *mp);
/* COM1 input: expect the word `expect` (NULL: not checked, said so). */
void pc_probe_uart(const struct pc_probe_mp *mp, const char *expect);
void pc_probe_screen(void);
void pc_probe_gdt(void);
void pc_probe_multiboot(uint32_t magic, const struct multiboot_info *info);

/* The local APIC's registers, at the address the MP table gave. */
uint32_t pc_probe_lapic_read(uint32_t reg);
void pc_probe_lapic_write(uint32_t reg, uint32_t value);
void pc_probe_lapic_eoi(void);

/* A bounded wait: spin until *flag reaches target or about `spins` turns pass. */
bool pc_probe_wait(volatile unsigned *flag, unsigned target, uint32_t spins);

#endif
