/*
 * hv/real_cpu.h: the few settings of the real processor that emulating an
 * instruction reads or changes for the guest.
 * Runs in: hypervisor, ring 0.
 *
 * Kept apart from the emulator so that the emulator touches no hardware
 * and its core compiles on the host for its unit tests.
 */
#ifndef TV_HV_REAL_CPU_H
#define TV_HV_REAL_CPU_H

#include <stdint.h>

/* Does the processor have UMIP (CPUID 7: ECX bit 2)? */
int cpu_has_umip(void);

/* The real CR4.TSD: set, RDTSC at CPL > 0 traps (the guest asked for it in its CR4). */
void real_cpu_set_tsd(int on);

/* The real IA32_APIC_BASE, which the guest reads but cannot move. */
uint64_t real_cpu_apic_base(void);

#endif
