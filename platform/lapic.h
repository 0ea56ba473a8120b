/*
 * platform/lapic.h: a local xAPIC (Intel SDM vol. 3, chapter 10) for a
 * uniprocessor guest, as registers read and written by offset.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * The caller maps the 4 KiB page at the APIC base (0xFEE00000) and passes
 * each aligned 32-bit access here, with the time in nanoseconds. Interrupts
 * come in through lapic_accept() (from the I/O APIC, the local timer, the
 * ICR); the CPU side asks lapic_pending_vector() whether one may be taken
 * and takes it with lapic_ack().
 */
#ifndef TV_PLATFORM_LAPIC_H
#define TV_PLATFORM_LAPIC_H

#include <stdint.h>

#define LAPIC_DEFAULT_BASE	0xFEE00000u
#define LAPIC_MMIO_SIZE		0x1000u

/* Register offsets (SDM vol. 3, table 10-1). */
#define LAPIC_ID	0x020
#define LAPIC_VERSION	0x030
#define LAPIC_TPR	0x080	/* task priority */
#define LAPIC_APR	0x090	/* arbitration priority */
#define LAPIC_PPR	0x0A0	/* processor priority */
#define LAPIC_EOI	0x0B0
#define LAPIC_RRD	0x0C0	/* remote read */
#define LAPIC_LDR	0x0D0	/* logical destination */
#define LAPIC_DFR	0x0E0	/* destination format */
#define LAPIC_SVR	0x0F0	/* spurious-interrupt vector */
#define LAPIC_ISR	0x100	/* 8 registers, 0x10 apart */
#define LAPIC_TMR	0x180
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280	/* error status */
#define LAPIC_ICR_LOW	0x300
#define LAPIC_ICR_HIGH	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF	0x340
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERROR	0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3E0

#define LAPIC_SVR_ENABLE	0x100u	/* software enable */
#define LAPIC_LVT_MASKED	0x10000u
#define LAPIC_LVT_PERIODIC	0x20000u	/* timer mode bit 17 */
#define LAPIC_LVT_LEVEL		0x8000u		/* trigger mode */

/* ICR fields (SDM vol. 3, 10.6.1). */
#define LAPIC_ICR_FIXED		0x000u
#define LAPIC_ICR_LOWEST	0x100u
#define LAPIC_ICR_NMI		0x400u
#define LAPIC_ICR_INIT		0x500u
#define LAPIC_ICR_STARTUP	0x600u
#define LAPIC_ICR_LOGICAL	0x800u
#define LAPIC_ICR_BUSY		0x1000u	/* delivery status: send pending */
#define LAPIC_ICR_ASSERT	0x4000u
#define LAPIC_ICR_LEVEL		0x8000u
#define LAPIC_ICR_SELF		0x40000u	/* shorthands, bits 19:18 */
#define LAPIC_ICR_ALL_INCL	0x80000u
#define LAPIC_ICR_ALL_EXCL	0xC0000u

/* ESR bits (SDM vol. 3, 10.5.3). */
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR	0x20u
#define LAPIC_ESR_RECV_ILLEGAL_VECTOR	0x40u
#define LAPIC_ESR_ILLEGAL_REGISTER	0x80u

/* IA32_APIC_BASE (MSR 0x1B). */
#define LAPIC_BASE_MSR		0x1Bu
#define LAPIC_BASE_BSP		0x100u
#define LAPIC_BASE_ENABLE	0x800u

/* The LVT entries, in register order. */
enum lapic_lvt {
	LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR,
	LVT_COUNT
};

/* lapic_write()'s answer for an EOI that ends no level-triggered interrupt. */
#define LAPIC_NO_IOAPIC_EOI	(-1)

struct lapic {
	uint32_t id;			/* the ID register: APIC ID in bits 31:24 */
	uint32_t base_msr;		/* IA32_APIC_BASE */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr;			/* what the guest reads: latched at its last write */
	uint32_t esr_pending;		/* errors since then */
	uint32_t icr_low, icr_high;
	uint32_t irr[8], isr[8], tmr[8];	/* 256 bits each, vector v in word v/32 */
	uint32_t lvt[LVT_COUNT];
	uint32_t timer_initial, timer_divide;
	/*
	 * The timer counts down from timer_initial at 1 GHz / divider: it
	 * began (or last reloaded) at timer_start_ns and, while armed, reaches
	 * zero at timer_deadline_ns.
	 */
	uint64_t timer_start_ns, timer_deadline_ns;
	int timer_armed;
	int nmi_pending;		/* an NMI sent to self; the caller takes and clears it */
	uint32_t ipis_to_nobody;	/* INIT, STARTUP and others sent to absent CPUs */
};

/* Power-on state (SDM vol. 3, 10.4.7.1) with the given APIC ID, bootstrap CPU. */
void lapic_reset(struct lapic *l, uint8_t apic_id);

/* One aligned 32-bit register at offset (0..0xFF0); unknown offsets read 0. */
uint32_t lapic_read(struct lapic *l, uint32_t offset, uint64_t now_ns);

/*
 * What a read of the register at offset would return now, with none of a
 * read's effects (the timer is not brought up to date, an offset that is
 * no register reads 0 and records no error): for a copy of the registers.
 */
uint32_t lapic_peek(const struct lapic *l, uint32_t offset, uint64_t now_ns);

/*
 * The whole 4 KiB register page as lapic_peek sees it, one 32-bit word per
 * aligned offset (words that are no register hold 0): what a guest reads
 * from a read-only copy of the page (hv/lapic_page.c).
 */
void lapic_page_image(const struct lapic *l, uint64_t now_ns, uint32_t page[LAPIC_MMIO_SIZE / 4]);

/*
 * A 32-bit write. Returns the vector of a level-triggered interrupt that
 * this EOI ended, which the caller must pass to the I/O APIC
 * (ioapic_eoi), or LAPIC_NO_IOAPIC_EOI.
 */
int lapic_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now_ns);

/* IA32_APIC_BASE. A write that moves the base is refused (-1); 0 otherwise. */
uint64_t lapic_read_base_msr(const struct lapic *l);
int lapic_write_base_msr(struct lapic *l, uint64_t value);

/* Is the APIC on (globally through the MSR and by software through SVR)? */
int lapic_enabled(const struct lapic *l);

/*
 * An interrupt arrives (fixed delivery) with this vector: it is set in IRR,
 * and in TMR if level-triggered (SDM vol. 3, 10.8.4). Vectors 0-15 are
 * illegal: rejected with "receive illegal vector" in ESR.
 */
void lapic_accept(struct lapic *l, uint8_t vector, int level_triggered, uint64_t now_ns);

/*
 * Does a physical or logical destination (8 bits, from an ICR or an I/O
 * APIC redirection entry) name this APIC? 0xFF names every APIC.
 */
int lapic_matches_destination(const struct lapic *l, uint8_t dest, int logical);

/*
 * Bring the timer up to now_ns: when it has reached zero, its vector is
 * accepted (unless the LVT masks it) and, in periodic mode, it reloads.
 */
void lapic_advance(struct lapic *l, uint64_t now_ns);

/* When the timer next reaches zero (ns), or UINT64_MAX if it will not. */
uint64_t lapic_next_event_ns(const struct lapic *l);

/*
 * The vector the CPU would take now if its IF were 1, or -1: the highest
 * vector in IRR whose priority class is above PPR's (SDM vol. 3, 10.8.3.1).
 */
int lapic_pending_vector(struct lapic *l);

/*
 * The CPU takes the interrupt (INTA): the highest IRR vector moves to ISR
 * and is returned. If none may be taken any longer, the spurious vector of
 * SVR is returned and nothing changes (SDM vol. 3, 10.9).
 */
int lapic_ack(struct lapic *l);

/* PPR as SDM vol. 3, 10.8.3.1 defines it. */
uint32_t lapic_ppr(const struct lapic *l);

#endif
