/*
 * hv/integrity.c: checksumming what the guest must never change.
 * Runs in: hypervisor, ring 0, twice per run.
 *
 * What is covered is everything of the hypervisor that stays the same while
 * it runs: its code and read-only data, and the switcher's code, IDT and TSS
 * (the GDT changes when the guest loads its own, the trap stack on every
 * trap, .data and .bss with the hypervisor's own work), and the fast trap
 * path's code and table of ports (set before the guest runs; the rest of
 * its state page and its counts change with every trap). With direct=1 the
 * hypervisor itself puts the guest's system call gates into the IDT and
 * its kernel stack into the TSS's ss1:esp1 (hv/direct.c), checked at every
 * trap: those are hashed as the hypervisor's own stubs and zeros. The checksum is
 * FNV-1a over 32-bit words: not a defence against a clever adversary, but
 * any stray write by the guest shows.
 */
#include "hv/integrity.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/fast_trap.h"
#include "hv/machine.h"
#include "hv/switcher.h"
#include "lib/string.h"
#include <stdint.h>

struct span {
	const uint8_t *start, *end;
};

static uint32_t checksum_before;
static uint32_t bytes_covered;

static uint32_t fnv1a(uint32_t h, const uint8_t *start, const uint8_t *end)
{
	for (const uint32_t *w = (const uint32_t *)start; (const uint8_t *)(w + 1) <= end; w++) {
		h ^= *w;
		h *= 16777619u;
	}
	return h;
}

/* The IDT and TSS with what hv/direct.c put there as the boot left them. */
static struct x86_gate idt_as_booted[256];
static struct x86_tss tss_as_booted;

static uint32_t checksum(uint32_t *bytes)
{
	const struct direct_paths *d = &the_machine.direct;

	memcpy(idt_as_booted, switcher_idt, sizeof idt_as_booted);
	for (unsigned i = 0; i < d->ngates; i++)
		idt_as_booted[d->gate[i].vector] = cpu_tables_hv_gate(d->gate[i].vector);
	tss_as_booted = switcher_tss;
	tss_as_booted.esp1 = tss_as_booted.ss1 = 0;
	const struct span spans[] = {
		{ hv_image_start, __etext_rodata_end },		/* code and read-only data */
		{ switcher_start, switcher_tables },		/* entry and exit code */
		{ fast_trap_start, fast_trap_code_end },	/* the fast trap path's code */
		{ fast_trap_state_page + FT_PORTS,		/* and its table of ports */
		  fast_trap_state_page + FT_PORTS + FAST_TRAP_PORTS },
		{ (const uint8_t *)idt_as_booted, (const uint8_t *)(idt_as_booted + 256) },
		{ (const uint8_t *)&tss_as_booted, (const uint8_t *)(&tss_as_booted + 1) },
	};
	uint32_t h = 2166136261u;
	*bytes = 0;
	for (unsigned i = 0; i < sizeof spans / sizeof spans[0]; i++) {
		h = fnv1a(h, spans[i].start, spans[i].end);
		*bytes += (uint32_t)(spans[i].end - spans[i].start);
	}
	return h;
}

void integrity_record(void)
{
	checksum_before = checksum(&bytes_covered);
}

void integrity_report(void)
{
	uint32_t bytes, after = checksum(&bytes);
	char q[200];
	if (after == checksum_before)
		console_quote(q, sizeof q, "hypervisor memory unchanged: its code, read-only data, IDT, "
			      "TSS and entry code checksum the same as before the guest ran");
	else
		console_quote(q, sizeof q, "hypervisor memory CHANGED while the guest ran");
	console_event("note text=%s", q);
	console_event("stat what=\"hypervisor bytes checksummed\" count=%u", bytes);
}
