/*
 * guests/popf_demo/popf_demo_timer.c: the clock the experiments watch.
 * Runs in: guest.
 *
 * 1. popf_demo_timer_start() programs the 8259 PICs and the 8254 PIT
 *    exactly as a kernel does on a bare PC: IRQ0 at vector 0x20, every
 *    other line masked, channel 0 in mode 2 at POPF_DEMO_TIMER_HZ.
 * 2. The timer handler counts ticks (and bumps the shared counter of the
 *    lost-update experiment) and sends the PIC its end-of-interrupt.
 * 3. popf_demo_timer_calibrate() measures one tick in TSC cycles, so every
 *    wait can be stated in tick periods. RDTSC does not trap, so it reads
 *    the same clock natively and deprivileged; measuring against the ticks
 *    themselves keeps the demo right whatever speed QEMU runs at.
 */
#include "guests/lib/guest_trap.h"
#include "guests/popf_demo/popf_demo.h"
#include "lib/x86.h"

/* 8259A ports and initialisation words (Intel 8259A data sheet). */
#define PIC_MASTER_CMD		0x20
#define PIC_MASTER_DATA		0x21
#define PIC_SLAVE_CMD		0xA0
#define PIC_SLAVE_DATA		0xA1
#define PIC_ICW1_INIT_ICW4	0x11	/* edge triggered, cascaded, ICW4 follows */
#define PIC_ICW3_MASTER_SLAVE_ON_IRQ2	0x04
#define PIC_ICW3_SLAVE_ID_2	0x02
#define PIC_ICW4_8086		0x01
#define PIC_EOI			0x20	/* OCW2: non-specific end of interrupt */
#define PIC_MASK_ALL_BUT_IRQ0	0xFE
#define PIC_MASK_ALL		0xFF

#define POPF_DEMO_VEC_MASTER	0x20	/* IRQ0..7 -> 0x20..0x27 */
#define POPF_DEMO_VEC_SLAVE	0x28	/* IRQ8..15 -> 0x28..0x2F */
#define POPF_DEMO_VEC_TIMER	(POPF_DEMO_VEC_MASTER + 0)
/* Where an 8259 sends a request that went away before the CPU took it. */
#define POPF_DEMO_VEC_SPURIOUS_MASTER	(POPF_DEMO_VEC_MASTER + 7)
#define POPF_DEMO_VEC_SPURIOUS_SLAVE	(POPF_DEMO_VEC_SLAVE + 7)

/* 8254 ports; control word: channel 0, low byte then high byte, mode 2, binary. */
#define PIT_CHANNEL0		0x40
#define PIT_COMMAND		0x43
#define PIT_CH0_LOHI_MODE2	0x34
#define PIT_INPUT_HZ		1193182u

/* Calibration: tick periods to take the median of, and a bound on the whole of it. */
#define POPF_DEMO_CALIBRATION_TICKS	25
/* Over a second for any TSC up to 4 GHz; the ticks should take 104 ms. */
#define POPF_DEMO_CALIBRATION_BOUND	4000000000ull

volatile uint32_t popf_demo_ticks;
volatile uint32_t popf_demo_shared_counter;

static uint64_t popf_demo_tick_cycles;

static void popf_demo_timer_interrupt(struct guest_trap_frame *frame)
{
	popf_demo_ticks++;
	popf_demo_shared_counter++;
	outb(PIC_MASTER_CMD, PIC_EOI);
}

/* A spurious IRQ7 is not in service, so it gets no EOI. */
static void popf_demo_spurious_master(struct guest_trap_frame *frame)
{
}

/* A spurious IRQ15 came through the master's IRQ2, which is in service there. */
static void popf_demo_spurious_slave(struct guest_trap_frame *frame)
{
	outb(PIC_MASTER_CMD, PIC_EOI);
}

void popf_demo_timer_start(void)
{
	guest_trap_set_handler(POPF_DEMO_VEC_TIMER, popf_demo_timer_interrupt);
	guest_trap_set_handler(POPF_DEMO_VEC_SPURIOUS_MASTER, popf_demo_spurious_master);
	guest_trap_set_handler(POPF_DEMO_VEC_SPURIOUS_SLAVE, popf_demo_spurious_slave);

	outb(PIC_MASTER_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC_SLAVE_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC_MASTER_DATA, POPF_DEMO_VEC_MASTER);		/* ICW2 */
	outb(PIC_SLAVE_DATA, POPF_DEMO_VEC_SLAVE);
	outb(PIC_MASTER_DATA, PIC_ICW3_MASTER_SLAVE_ON_IRQ2);	/* ICW3 */
	outb(PIC_SLAVE_DATA, PIC_ICW3_SLAVE_ID_2);
	outb(PIC_MASTER_DATA, PIC_ICW4_8086);			/* ICW4 */
	outb(PIC_SLAVE_DATA, PIC_ICW4_8086);
	outb(PIC_MASTER_DATA, PIC_MASK_ALL_BUT_IRQ0);		/* OCW1 */
	outb(PIC_SLAVE_DATA, PIC_MASK_ALL);

	uint16_t divisor = (PIT_INPUT_HZ + POPF_DEMO_TIMER_HZ / 2) / POPF_DEMO_TIMER_HZ;
	outb(PIT_COMMAND, PIT_CH0_LOHI_MODE2);
	outb(PIT_CHANNEL0, (uint8_t)divisor);
	outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
}

/*
 * Wait for the next tick after `from`; return the tick count then, and its
 * TSC time in *when. 0 ticks counted means the deadline passed first.
 */
static uint32_t popf_demo_next_tick(uint32_t from, uint64_t deadline, uint64_t *when)
{
	uint32_t now;

	while ((now = popf_demo_ticks) == from)
		if (rdtsc() > deadline)
			return from;
	*when = rdtsc();
	return now;
}

/* The median of n samples (sorts them; n is small). */
static uint64_t popf_demo_median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/*
 * The median of many single tick periods, not their average: under QEMU
 * TCG on a busy host two ticks sometimes merge into one (the PIC holds one
 * request per line) or arrive back to back, and an average would carry that
 * error into every wait.
 */
bool popf_demo_timer_calibrate(void)
{
	uint64_t deadline = rdtsc() + POPF_DEMO_CALIBRATION_BOUND;
	uint64_t periods[POPF_DEMO_CALIBRATION_TICKS];
	uint64_t edge;

	popf_demo_irq->irq_enable();
	/* Start on a tick's edge, so the first sample is a whole period. */
	uint32_t ticks = popf_demo_ticks;
	uint32_t next = popf_demo_next_tick(ticks, deadline, &edge);
	if (next == ticks)
		return false;
	for (unsigned i = 0; i < POPF_DEMO_CALIBRATION_TICKS; i++) {
		uint64_t previous_edge = edge;

		ticks = next;
		next = popf_demo_next_tick(ticks, deadline, &edge);
		if (next == ticks)
			return false;
		/* Ticks that came together share the time between the edges. */
		periods[i] = (edge - previous_edge) / (next - ticks);
	}
	popf_demo_tick_cycles = popf_demo_median(periods, POPF_DEMO_CALIBRATION_TICKS);
	/* A TSC that does not move would turn every wait below into a hang. */
	return popf_demo_tick_cycles > 0;
}

uint64_t popf_demo_cycles_per_tick(void)
{
	return popf_demo_tick_cycles;
}

void popf_demo_spin_cycles(uint64_t cycles)
{
	/* The barriers keep the compiler from moving a counter read across the wait. */
	__asm__ volatile("" ::: "memory");
	uint64_t start = rdtsc();
	while (rdtsc() - start < cycles)
		;
	__asm__ volatile("" ::: "memory");
}

uint32_t popf_demo_count_ticks_during(unsigned periods)
{
	uint32_t before = popf_demo_ticks;

	popf_demo_spin_cycles((uint64_t)periods * popf_demo_tick_cycles);
	return popf_demo_ticks - before;
}
