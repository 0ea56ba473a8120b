/*
 * guests/hostile/hostile_cpu.c: control-register and flag instructions
 * whose effect on other instructions the architecture fixes.
 * Runs in: guest.
 *
 *   fpu-ts      CR0.TS set: an x87 instruction raises #NM (SDM vol. 3,
 *               2.5: "a device-not-available exception is generated when
 *               ... the TS flag is set"); after CLTS it runs. CR0.EM set:
 *               #NM again. The bare machine's FPU; a hypervisor that keeps
 *               TS and EM only virtual raises nothing.
 *   clac-stac   STAC then CLAC (SDM vol. 2A): on a CPU with SMAP they set
 *               and clear AC at CPL 0; on one without, #UD. Printed with
 *               what CPUID says about SMAP.
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "lib/x86.h"

static void hostile_fninit(void)
{
	__asm__ volatile("fninit" : : : "memory");
}

static void hostile_clts(void)
{
	__asm__ volatile("clts" : : : "memory");
}

void hostile_fpu_ts(void)
{
	const char *row = "fpu-ts";
	uint32_t cr0 = read_cr0();

	write_cr0((cr0 & ~(CR0_TS | CR0_EM)) | CR0_TS);
	struct hostile_outcome o = hostile_try(hostile_fninit);
	hostile_report(row, "fninit with TS=1", &o);
	hostile_clts();
	o = hostile_try(hostile_fninit);
	hostile_report(row, "fninit after clts", &o);
	write_cr0((cr0 & ~CR0_TS) | CR0_EM);
	o = hostile_try(hostile_fninit);
	hostile_report(row, "fninit with EM=1", &o);
	write_cr0(cr0 & ~(CR0_TS | CR0_EM));
	o = hostile_try(hostile_fninit);
	hostile_report(row, "fninit with TS=0 EM=0", &o);
	write_cr0(cr0);
}

static volatile uint32_t hostile_ac_seen;

static void hostile_stac(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xcb" : : : "memory");	/* stac */
	hostile_ac_seen = read_eflags() & EFLAGS_AC;
}

static void hostile_clac(void)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xca" : : : "memory");	/* clac */
	hostile_ac_seen = read_eflags() & EFLAGS_AC;
}

void hostile_clac_stac(void)
{
	const char *row = "clac-stac";
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	int smap = 0;
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		smap = (b >> 20) & 1;
	}
	guest_printf("HOSTILE-RESULT: %s: the CPU has SMAP: %s\n", row, smap ? "yes" : "no");
	hostile_ac_seen = 2;
	struct hostile_outcome o = hostile_try(hostile_stac);
	hostile_report(row, "stac", &o);
	if (!o.trapped)
		guest_printf("HOSTILE-RESULT: %s: AC after stac %u\n", row, hostile_ac_seen != 0);
	o = hostile_try(hostile_clac);
	hostile_report(row, "clac", &o);
	if (!o.trapped)
		guest_printf("HOSTILE-RESULT: %s: AC after clac %u\n", row, hostile_ac_seen != 0);
}
