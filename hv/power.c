/*
 * hv/power.c: ending the machine after the run's exit line, on QEMU, on
 * Bochs and on a real PC (docs/other-machines.md).
 * Runs in: hypervisor, ring 0, once, at the very end.
 *
 * 1. QEMU's isa-debug-exit port (0xF4): QEMU ends with the host program's
 *    status. Nothing listens there on other machines.
 * 2. Bochs's shutdown port (0x8900, the string "Shutdown"): Bochs ends.
 * 3. ACPI soft-off: the FADT's PM1a control block gets SLP_TYP of the
 *    DSDT's \_S5 package and SLP_EN. A real PC switches itself off here.
 * 4. Otherwise a line on the text screen says the run is over, and the CPU
 *    halts with interrupts off. No reset: on a PC booted from trapvisor's
 *    image a reset would start the run again and wipe the screen.
 * The firmware's tables are the machine's, not the guest's: they are read
 * with paging off, wherever below 4 GiB the firmware put them.
 */
#include "hv/power.h"
#include "hv/acpi_tables.h"
#include "lib/mmu.h"
#include "lib/string.h"
#include "lib/x86.h"

#define DEBUG_EXIT_PORT		0xF4
#define BOCHS_SHUTDOWN_PORT	0x8900
#define PM1_SLP_EN		(1u << 13)
#define PM1_SCI_EN		1u
#define TEXT_SCREEN		0xB8000u

/* The RSDP in the EBDA's first KiB or in 0xE0000-0xFFFFF, on a 16-byte boundary. */
static const uint8_t *find_rsdp(void)
{
	/* The BIOS data area's word at 0x40E: the EBDA's segment. (Hidden from gcc, which
	   takes a constant address this low for a null pointer's.) */
	uintptr_t bda_ebda = 0x40E;
	__asm__("" : "+r"(bda_ebda));
	uint32_t ebda = (uint32_t)*(const volatile uint16_t *)bda_ebda << 4;
	uint32_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xE0000, 0x100000 } };

	for (unsigned r = 0; r < 2; r++) {
		if (ranges[r][0] < 0x80000 && r == 0)
			continue;	/* no EBDA where one could be */
		for (uint32_t a = ranges[r][0]; a + 20 <= ranges[r][1]; a += 16) {
			const uint8_t *p = (const uint8_t *)a;
			if (!memcmp(p, "RSD PTR ", 8) && acpi_checksum(p, 20) == 0)
				return p;
		}
	}
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A table whose signature and checksum are right, or 0. */
static const uint8_t *acpi_table(uint32_t addr, const char *sig)
{
	const uint8_t *t = (const uint8_t *)addr;
	if (!addr || memcmp(t, sig, 4) != 0)
		return 0;
	uint32_t len = le32(t + 4);
	if (len < 36 || len > (1u << 20) || acpi_checksum(t, len) != 0)
		return 0;
	return t;
}

static void acpi_soft_off(void)
{
	const uint8_t *rsdp = find_rsdp();
	const uint8_t *rsdt = rsdp ? acpi_table(le32(rsdp + 16), "RSDT") : 0;
	const uint8_t *fadt = 0;

	for (uint32_t i = 36; rsdt && !fadt && i + 4 <= le32(rsdt + 4); i += 4)
		fadt = acpi_table(le32(rsdt + i), "FACP");
	if (!fadt || le32(fadt + 4) < 76)
		return;
	const uint8_t *dsdt = acpi_table(le32(fadt + 40), "DSDT");
	uint32_t smi_cmd = le32(fadt + 48), pm1a_cnt = le32(fadt + 64);
	uint8_t acpi_enable = fadt[52];
	if (!dsdt || !pm1a_cnt || pm1a_cnt > 0xFFFF)
		return;
	int typ = acpi_s5_sleep_type(dsdt + 36, le32(dsdt + 4) - 36);
	if (typ < 0)
		return;
	/* Hand the machine from the firmware's SMM to ACPI first, if it is not yet. */
	if (!(inw((uint16_t)pm1a_cnt) & PM1_SCI_EN) && smi_cmd && smi_cmd <= 0xFFFF && acpi_enable) {
		outb((uint16_t)smi_cmd, acpi_enable);
		for (unsigned n = 0; n < 1000000 && !(inw((uint16_t)pm1a_cnt) & PM1_SCI_EN); n++)
			__asm__ volatile("pause");
	}
	outw((uint16_t)pm1a_cnt, (uint16_t)((unsigned)typ << 10 | PM1_SLP_EN));
}

/* The last words, where a person at the machine looks: the top row of the text screen. */
static void screen_message(const char *s)
{
	volatile uint16_t *cell = (volatile uint16_t *)TEXT_SCREEN;
	for (unsigned i = 0; i < 80; i++)
		cell[i] = (uint16_t)(0x1F00 | (uint8_t)(*s ? *s++ : ' '));
}

/* A stack in the identity-mapped image: the one we came on may be the switcher's. */
static uint8_t unpaged_stack[4096] __attribute__((aligned(16)));

static void __attribute__((noreturn, used)) power_off_unpaged(void)
{
	/* Paging off: the code is identity-mapped, the firmware's tables need not be. */
	write_cr0(read_cr0() & ~CR0_PG);
	acpi_soft_off();
	screen_message("trapvisor: the run is over (its output went to COM1); switch the machine off");
	for (;;)
		hlt();
}

void power_off(uint32_t qemu_status)
{
	cli();
	outl(DEBUG_EXIT_PORT, qemu_status);
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	__asm__ volatile("movl %0, %%esp\n\tcall power_off_unpaged"
			 : : "r"(unpaged_stack + sizeof unpaged_stack) : "memory");
	__builtin_unreachable();
}
