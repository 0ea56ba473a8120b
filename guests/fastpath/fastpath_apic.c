/*
 * guests/fastpath/fastpath_apic.c: the local APIC read as xv6 reads it,
 * under the guest's own paging, and what the reads must show after the
 * writes and interrupts that change the registers.
 * Runs in: guest.
 *
 * Under the hypervisor with --direct the reads come from a read-only copy
 * of the registers and do not trap; the writes still do. So each check
 * reads right after something that changed a register (a write, an
 * interrupt taken, an EOI) and must see the change, as on the bare
 * machine. The timer's current count in the copy is the count at the
 * hypervisor's last trap: the check that it counts down makes one (an OUT
 * to port 0x80, which the bare machine ignores) between its two reads.
 */
#include <stdint.h>

#include "guests/fastpath/fastpath.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "lib/x86.h"
#include "lib/x86_desc.h"

#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0B0
#define LAPIC_SVR	0x0F0
#define LAPIC_ISR	0x100
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TICR	0x380
#define LAPIC_TCCR	0x390
#define LAPIC_TDCR	0x3E0

#define ICR_SELF_FIXED	0x00044000u	/* shorthand self, assert, fixed */
#define FP_ID_READS	20000u

static volatile uint32_t fp_ipi_isr_word, fp_ipi_taken;

uint32_t fp_lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(FP_LAPIC_BASE + reg);
}

void fp_lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(FP_LAPIC_BASE + reg) = value;
}

/* The self-IPI's handler: what ISR shows while it is in service, then EOI. */
static void fp_ipi_handler(struct guest_trap_frame *frame)
{
	(void)frame;
	fp_ipi_isr_word = fp_lapic_read(LAPIC_ISR + 0x10 * (FP_VEC_SELF_IPI / 32));
	fp_ipi_taken++;
	fp_lapic_write(LAPIC_EOI, 0);
}

/* mycpu()'s read, many times over: the same ID every time. */
static void fp_check_id_reads(void)
{
	uint32_t first = fp_lapic_read(LAPIC_ID), differ = 0;
	uint64_t start = rdtsc();

	for (uint32_t i = 0; i < FP_ID_READS; i++)
		if (fp_lapic_read(LAPIC_ID) != first)
			differ++;
	uint64_t cycles = rdtsc() - start;
	guest_test_check(differ == 0 && first >> 24 == 0, "lapic-id-reads",
			 "first ID 0x%08x, %u of %u reads differ", first, differ, FP_ID_READS);
	/* Not a result line: the cost differs by design. */
	guest_printf("fastpath: %u ID reads, %u cycles each\n", FP_ID_READS,
		     (uint32_t)(cycles / FP_ID_READS));
}

void fp_apic_checks(void)
{
	uint32_t v;

	fp_check_id_reads();
	v = fp_lapic_read(LAPIC_VER);
	guest_test_check(v == 0x00050014u, "lapic-version", "read 0x%08x, want 0x00050014", v);

	fp_lapic_write(LAPIC_SVR, 0x100u | 0xFF);
	v = fp_lapic_read(LAPIC_SVR);
	guest_test_check(v == 0x1FFu, "lapic-svr-after-write", "read 0x%08x, want 0x1ff", v);

	fp_lapic_write(LAPIC_TPR, 0x30);
	v = fp_lapic_read(LAPIC_TPR);
	fp_lapic_write(LAPIC_TPR, 0);
	uint32_t back = fp_lapic_read(LAPIC_TPR);
	guest_test_check(v == 0x30 && back == 0, "lapic-tpr-after-write",
			 "read 0x%x after writing 0x30, 0x%x after writing 0", v, back);

	/* The timer, masked, from the largest count at divide-by-1. */
	fp_lapic_write(LAPIC_TDCR, 0xB);
	fp_lapic_write(LAPIC_LVT_TIMER, 0x10000u | 0x60);
	fp_lapic_write(LAPIC_TICR, 0xFFFFFFFFu);
	uint32_t c1 = fp_lapic_read(LAPIC_TCCR);
	for (unsigned i = 0; i < 1000; i++)
		__asm__ volatile("pause");
	outb(0x80, 0);
	uint32_t c2 = fp_lapic_read(LAPIC_TCCR);
	fp_lapic_write(LAPIC_TICR, 0);
	guest_test_check(c1 != 0 && c2 < c1, "lapic-timer-counts-down",
			 "current count 0x%08x, then 0x%08x", c1, c2);
	v = fp_lapic_read(LAPIC_TCCR);
	guest_test_check(v == 0, "lapic-timer-stopped", "current count 0x%08x after writing 0", v);

	/* A self-IPI: in service while its handler runs, gone after EOI. */
	guest_trap_set_handler(FP_VEC_SELF_IPI, fp_ipi_handler);
	fp_lapic_write(LAPIC_ICR_HI, 0);
	sti();
	fp_lapic_write(LAPIC_ICR_LO, ICR_SELF_FIXED | FP_VEC_SELF_IPI);
	for (unsigned i = 0; i < 100000 && !fp_ipi_taken; i++)
		__asm__ volatile("pause");
	cli();
	uint32_t after = fp_lapic_read(LAPIC_ISR + 0x10 * (FP_VEC_SELF_IPI / 32));
	uint32_t bit = 1u << (FP_VEC_SELF_IPI % 32);
	guest_test_check(fp_ipi_taken == 1 && (fp_ipi_isr_word & bit) && !(after & bit),
			 "lapic-isr-follows-interrupt",
			 "taken %u times, ISR 0x%08x in the handler, 0x%08x after EOI",
			 fp_ipi_taken, fp_ipi_isr_word, after);
}
