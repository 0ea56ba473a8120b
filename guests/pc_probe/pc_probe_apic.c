/*
 * guests/pc_probe/pc_probe_apic.c: the local APIC (registers, the timer in
 * periodic and one-shot modes, priority against TPR, a self-IPI) and the
 * I/O APIC (ID, version, redirection entries).
 * Runs in: guest.
 *
 * The registers are memory-mapped (local APIC at the MP table's address,
 * 0xFEE00000; I/O APIC at 0xFEC00000, reached through IOREGSEL and IOWIN),
 * so under the hypervisor every access here is an MMIO access it must
 * decode and emulate. Register offsets and rules: Intel SDM vol. 3, chapter
 * 10; the 82093AA I/O APIC datasheet.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/x86.h"

#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0B0
#define LAPIC_SVR	0x0F0
#define LAPIC_ISR	0x100
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERROR	0x370
#define LAPIC_TICR	0x380
#define LAPIC_TCCR	0x390
#define LAPIC_TDCR	0x3E0

#define LVT_MASKED	0x00010000u
#define LVT_PERIODIC	0x00020000u
#define SVR_ENABLE	0x00000100u
#define ICR_SELF	0x00040000u	/* destination shorthand 01: self */
#define ICR_PENDING	0x00001000u

#define IOAPIC_ID	0x00
#define IOAPIC_VER	0x01
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))

#define VEC_SELF_IPI	0x41
/* QEMU's APIC timer counts at 1 GHz: divide by 1 and 1,000,000 is a millisecond. */
#define TIMER_COUNT	1000000u
#define SPINS		100000000u

static uint32_t lapic_base = 0xFEE00000u;
static uint32_t ioapic_base = 0xFEC00000u;

static volatile unsigned timer_ticks, self_ipis;
static volatile bool isr_seen_in_handler;

uint32_t pc_probe_lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(lapic_base + reg);
}

void pc_probe_lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(lapic_base + reg) = value;
}

void pc_probe_lapic_eoi(void)
{
	pc_probe_lapic_write(LAPIC_EOI, 0);
}

static bool vector_bit(uint32_t base_reg, unsigned vec)
{
	return (pc_probe_lapic_read(base_reg + 0x10 * (vec / 32)) >> (vec % 32)) & 1;
}

bool pc_probe_wait(volatile unsigned *flag, unsigned target, uint32_t spins)
{
	for (uint32_t i = 0; i < spins && *flag < target; i++)
		__asm__ volatile("pause");
	return *flag >= target;
}

static void on_timer(struct guest_trap_frame *frame)
{
	(void)frame;
	if (vector_bit(LAPIC_ISR, PC_PROBE_VEC_TIMER))
		isr_seen_in_handler = true;
	timer_ticks++;
	pc_probe_lapic_eoi();
}

static void on_self_ipi(struct guest_trap_frame *frame)
{
	(void)frame;
	self_ipis++;
	pc_probe_lapic_eoi();
}

/* A spurious interrupt is not in service: no EOI. */
static void on_spurious(struct guest_trap_frame *frame)
{
	(void)frame;
}

static void lapic_registers(const struct pc_probe_mp *mp)
{
	uint32_t id = pc_probe_lapic_read(LAPIC_ID) >> 24;
	uint32_t ver = pc_probe_lapic_read(LAPIC_VER);

	guest_printf("pc_probe: local APIC id %u, version 0x%x\n", id, ver);
	guest_test_check(!mp->found || id == mp->bsp_apic_id, "lapic-id-matches-mp",
			 "ID register %u, MP table's bootstrap processor %u", id,
			 mp->bsp_apic_id);
	guest_test_check((ver & 0xF0) == 0x10 && ((ver >> 16) & 0xFF) >= 3, "lapic-version",
			 "version 0x%x: want an integrated APIC (0x1X) with at least 4 LVT "
			 "entries", ver);

	pc_probe_lapic_write(LAPIC_SVR, SVR_ENABLE | PC_PROBE_VEC_SPURIOUS);
	uint32_t svr = pc_probe_lapic_read(LAPIC_SVR);
	guest_test_check((svr & 0x1FF) == (SVR_ENABLE | PC_PROBE_VEC_SPURIOUS), "lapic-svr-enable",
			 "SVR reads 0x%x", svr);
	pc_probe_lapic_write(LAPIC_TPR, 0x20);
	uint32_t tpr = pc_probe_lapic_read(LAPIC_TPR);
	pc_probe_lapic_write(LAPIC_TPR, 0);
	guest_test_check((tpr & 0xFF) == 0x20, "lapic-tpr-readback", "TPR reads 0x%x", tpr);

	/* As a kernel that uses the I/O APIC does: no virtual wire from the 8259. */
	pc_probe_lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	pc_probe_lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	pc_probe_lapic_write(LAPIC_LVT_ERROR, PC_PROBE_VEC_ERROR);
	/* ESR latches on write: write twice, then it reads what happened since. */
	pc_probe_lapic_write(LAPIC_ESR, 0);
	pc_probe_lapic_write(LAPIC_ESR, 0);
	uint32_t esr = pc_probe_lapic_read(LAPIC_ESR);
	guest_test_check(esr == 0, "lapic-esr-clear", "ESR reads 0x%x", esr);
	uint32_t lint0 = pc_probe_lapic_read(LAPIC_LVT_LINT0);
	guest_test_check(lint0 & LVT_MASKED, "lapic-lint0-masked", "LINT0 reads 0x%x", lint0);
}

static void lapic_timer(void)
{
	pc_probe_lapic_write(LAPIC_TDCR, 0xB);	/* divide by 1 */
	pc_probe_lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | PC_PROBE_VEC_TIMER);
	pc_probe_lapic_write(LAPIC_TICR, TIMER_COUNT);
	uint32_t c1 = pc_probe_lapic_read(LAPIC_TCCR);
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("pause");
	uint32_t c2 = pc_probe_lapic_read(LAPIC_TCCR);
	guest_test_check(c1 != 0 && c1 <= TIMER_COUNT && c2 != c1, "lapic-timer-counts-down",
			 "current count %u then %u, initial %u", c1, c2, TIMER_COUNT);

	sti();
	bool ticked = pc_probe_wait(&timer_ticks, 5, SPINS);
	cli();
	guest_test_check(ticked, "lapic-timer-periodic", "%u ticks (want 5)", timer_ticks);
	guest_test_check(isr_seen_in_handler, "lapic-isr-set-in-handler",
			 "the timer's vector was not in service in its handler");
	guest_test_check(!vector_bit(LAPIC_ISR, PC_PROBE_VEC_TIMER), "lapic-eoi-clears-isr",
			 "the timer's vector still in service after EOI");

	/*
	 * Priority: with TPR at the timer vector's class the interrupt waits in
	 * IRR, even with IF set; lowering TPR lets it in.
	 */
	pc_probe_lapic_write(LAPIC_TPR, PC_PROBE_VEC_TIMER & 0xF0);
	unsigned before = timer_ticks;
	sti();
	uint32_t i;
	for (i = 0; i < SPINS && !vector_bit(LAPIC_IRR, PC_PROBE_VEC_TIMER); i++)
		__asm__ volatile("pause");
	unsigned held = timer_ticks - before;
	guest_test_check(i < SPINS && held == 0, "lapic-tpr-holds-back",
			 "%s, %u delivered with TPR at the vector's class",
			 i < SPINS ? "pending in IRR" : "never pending", held);
	pc_probe_lapic_write(LAPIC_TPR, 0);
	/*
	 * A bare CPU takes it right after the write that lowered TPR; allow a
	 * few hundred instructions, far less than the 1 ms to the next tick.
	 */
	for (i = 0; i < 100 && timer_ticks == before; i++)
		__asm__ volatile("pause");
	unsigned after = timer_ticks;
	cli();
	guest_test_check(after > before, "lapic-tpr-lowered-delivers",
			 "no delivery within 100 spins of TPR going to 0");

	/*
	 * One-shot: one tick, then the current count stays at 0. A periodic
	 * tick may have reached IRR while IF was clear: let it in first.
	 */
	pc_probe_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	pc_probe_lapic_write(LAPIC_TICR, 0);
	sti();
	for (i = 0; i < SPINS && vector_bit(LAPIC_IRR, PC_PROBE_VEC_TIMER); i++)
		__asm__ volatile("pause");
	cli();
	timer_ticks = 0;
	pc_probe_lapic_write(LAPIC_LVT_TIMER, PC_PROBE_VEC_TIMER);
	pc_probe_lapic_write(LAPIC_TICR, TIMER_COUNT);
	sti();
	pc_probe_wait(&timer_ticks, 1, SPINS);
	for (int j = 0; j < 3000000; j++)
		__asm__ volatile("pause");
	cli();
	uint32_t left = pc_probe_lapic_read(LAPIC_TCCR);
	guest_test_check(timer_ticks == 1 && left == 0, "lapic-timer-one-shot",
			 "%u ticks, current count %u", timer_ticks, left);
	pc_probe_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);

	/* A fixed IPI to itself, as an SMP kernel sends a reschedule. */
	pc_probe_lapic_write(LAPIC_ICR_HI, 0);
	pc_probe_lapic_write(LAPIC_ICR_LO, ICR_SELF | VEC_SELF_IPI);
	for (i = 0; i < SPINS && (pc_probe_lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		__asm__ volatile("pause");
	sti();
	pc_probe_wait(&self_ipis, 1, SPINS);
	cli();
	guest_test_check(self_ipis == 1, "lapic-self-ipi", "%u self-IPIs taken", self_ipis);
}

void pc_probe_lapic(const struct pc_probe_mp *mp)
{
	if (mp->found && mp->lapic_addr)
		lapic_base = mp->lapic_addr;
	guest_trap_set_handler(PC_PROBE_VEC_TIMER, on_timer);
	guest_trap_set_handler(VEC_SELF_IPI, on_self_ipi);
	guest_trap_set_handler(PC_PROBE_VEC_SPURIOUS, on_spurious);
	lapic_registers(mp);
	lapic_timer();
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)ioapic_base = reg;
	return *(volatile uint32_t *)(ioapic_base + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)ioapic_base = reg;
	*(volatile uint32_t *)(ioapic_base + 0x10) = value;
}

void pc_probe_ioapic(const struct pc_probe_mp *mp)
{
	if (mp->has_ioapic)
		ioapic_base = mp->ioapic_addr;
	uint32_t id = (ioapic_read(IOAPIC_ID) >> 24) & 0xF;
	uint32_t ver = ioapic_read(IOAPIC_VER);
	unsigned pins = ((ver >> 16) & 0xFF) + 1;

	guest_printf("pc_probe: I/O APIC id %u, version 0x%x, %u pins\n", id, ver, pins);
	guest_test_check(!mp->has_ioapic || id == mp->ioapic_id, "ioapic-id-matches-mp",
			 "ID register %u, MP table %u", id, mp->ioapic_id);
	guest_test_check(pins == 24, "ioapic-24-pins", "%u pins", pins);
	/* The firmware's table and the chip must describe the same I/O APIC. */
	guest_test_check(!mp->has_ioapic || (ver & 0xFF) == mp->ioapic_version,
			 "ioapic-version-matches-mp", "version register 0x%x, MP table 0x%x",
			 ver & 0xFF, mp->ioapic_version);

	/* Every pin masked first, as a kernel starts, then COM1's pin routed. */
	for (unsigned pin = 0; pin < pins && pin < 24; pin++) {
		ioapic_write(IOAPIC_REDIR(pin), LVT_MASKED | (0x50 + pin));
		ioapic_write(IOAPIC_REDIR(pin) + 1, 0);
	}
	uint32_t lo = ioapic_read(IOAPIC_REDIR(7));
	guest_test_check((lo & 0x1FFFF) == (LVT_MASKED | 0x57), "ioapic-redirection-readback",
			 "pin 7 reads 0x%x, wrote 0x%x", lo, LVT_MASKED | 0x57);

	int pin = mp->com1_pin >= 0 ? mp->com1_pin : 4;
	/* Fixed delivery, physical destination, active high, edge: only the vector. */
	ioapic_write(IOAPIC_REDIR(pin) + 1, (uint32_t)mp->bsp_apic_id << 24);
	ioapic_write(IOAPIC_REDIR(pin), PC_PROBE_VEC_COM1);
	lo = ioapic_read(IOAPIC_REDIR(pin));
	guest_test_check((lo & 0x1FFFF) == PC_PROBE_VEC_COM1, "ioapic-com1-routed",
			 "pin %d reads 0x%x", pin, lo);
}
