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

/* Does the processor have SMAP (CPUID 7: EBX bit 20), and so CLAC and STAC? */
int cpu_has_smap(void);

/*
 * The real CR0's MP, EM and TS become those of cr0 (the guest's virtual
 * CR0), so that the guest's x87, MMX and SSE instructions raise #NM or #UD
 * exactly where the bare machine's would. Nothing else in the real CR0 is
 * the guest's, and the hypervisor never uses the FPU (docs/containment.md),
 * so these bits cannot make it fault.
 */
void real_cpu_set_fpu_bits(uint32_t cr0);

/* The real IA32_APIC_BASE, which the guest reads but cannot move. */
uint64_t real_cpu_apic_base(void);

#endif
