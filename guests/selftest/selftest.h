/*
 * guests/selftest/selftest.h: the selftest guest's groups of checks and the
 * descriptors it adds to the runtime's GDT.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_SELFTEST_SELFTEST_H
#define TV_GUESTS_SELFTEST_SELFTEST_H

#include <stdint.h>

#include "lib/multiboot.h"

/* GDT entries beyond the runtime's null, code (0x08) and data (0x10). */
#define SELFTEST_SEL_BASED	0x18	/* data, base SELFTEST_BASED_BASE, limit 0xFFFF */
#define SELFTEST_SEL_ABSENT	0x20	/* data, not present */
#define SELFTEST_SEL_FLAT2	0x28	/* a second flat data segment, for SS */
#define SELFTEST_SEL_LATE	0x30	/* empty at LGDT, then written in place */
#define SELFTEST_BASED_BASE	0x200000u
#define SELFTEST_BASED_LIMIT	0xFFFFu

void selftest_descriptors(void);
void selftest_multiboot(uint32_t magic, const struct multiboot_info *info);
void selftest_interrupt_flag(void);
void selftest_port_io(void);
void selftest_segments(void);
void selftest_exceptions(void);

/* Segment register reads; only the selector's index and TI are compared, never the RPL. */
#define SELFTEST_SEL_MASK	0xFFFCu

/* Probes written in assembly (selftest_probes.S); see that file for each contract. */
uint32_t selftest_use_stack_segment(uint32_t sel, uint32_t *ss_seen);
void selftest_probe_ud2(uint32_t unused);
void selftest_probe_divide_zero(uint32_t unused);
void selftest_probe_int3(uint32_t unused);
void selftest_probe_int40(uint32_t unused);
void selftest_probe_load_ds(uint32_t sel);
extern const char selftest_probe_ud2_insn[], selftest_probe_ud2_next[];
extern const char selftest_probe_divide_zero_insn[], selftest_probe_divide_zero_next[];
extern const char selftest_probe_int3_insn[], selftest_probe_int3_next[];
extern const char selftest_probe_int40_insn[], selftest_probe_int40_next[];
extern const char selftest_probe_load_ds_insn[], selftest_probe_load_ds_next[];

#endif
