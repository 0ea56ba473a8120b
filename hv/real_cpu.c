/*
 * hv/real_cpu.c: the real processor's settings the emulator reads or
 * changes for the guest (hv/real_cpu.h).
 * Runs in: hypervisor, ring 0.
 */
#include "hv/real_cpu.h"
#include "deprivilege/sysreg_rules.h"
#include "lib/x86.h"

int cpu_has_umip(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	return (c >> 2) & 1;
}

int cpu_has_smap(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	return (b >> 20) & 1;
}

#define CR0_GUEST_FPU_BITS (CR0_MP | CR0_EM | CR0_TS)

void real_cpu_set_fpu_bits(uint32_t guest_cr0)
{
	uint32_t cr0 = read_cr0();
	uint32_t want = (cr0 & ~CR0_GUEST_FPU_BITS) | (guest_cr0 & CR0_GUEST_FPU_BITS);
	if (want != cr0)
		write_cr0(want);
}

void real_cpu_set_tsd(int on)
{
	uint32_t cr4 = read_cr4();
	write_cr4(on ? cr4 | CR4_TSD : cr4 & ~CR4_TSD);
}

uint64_t real_cpu_apic_base(void)
{
	return read_msr(MSR_APIC_BASE);
}
