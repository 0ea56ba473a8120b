/*
 * guests/popf_demo/popf_demo.h: what the parts of the POPF demonstration
 * guest share: the timer they count ticks of, the report lines they print,
 * and the experiments themselves.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_POPF_DEMO_POPF_DEMO_H
#define TV_GUESTS_POPF_DEMO_POPF_DEMO_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses (the output rules in popf_demo_main.c explain them). */
#define POPF_DEMO_EXIT_COMPLETED	0	/* every experiment ran, whatever it showed */
#define POPF_DEMO_EXIT_USAGE		2	/* unknown command-line option */
#define POPF_DEMO_EXIT_NO_TIMER		3	/* the timer never ticked: nothing can be shown */

/* ---- popf_demo_timer.c: the 8259 PIC, the 8254 PIT and the TSC ---- */

#define POPF_DEMO_TIMER_HZ	250	/* one tick every 4 ms */

/*
 * Both counters are written only by the timer handler, which runs with IF=0
 * on the bare machine, so each increment there is whole.
 * popf_demo_ticks counts handler runs; popf_demo_shared_counter is the
 * variable the lost-update experiment also increments from outside.
 */
extern volatile uint32_t popf_demo_ticks;
extern volatile uint32_t popf_demo_shared_counter;

/* Remap the PICs (master 0x20, slave 0x28), unmask IRQ0 only, start the PIT. */
void popf_demo_timer_start(void);

/*
 * With interrupts on, measure how many TSC cycles one tick lasts. False if
 * the ticks do not come (the wait is bounded, never a hang).
 */
bool popf_demo_timer_calibrate(void);

/* TSC cycles per tick, as calibrated. */
uint64_t popf_demo_cycles_per_tick(void);

/* Spin for `cycles` TSC cycles. Touches no flags and nothing privileged. */
void popf_demo_spin_cycles(uint64_t cycles);

/* Spin for `periods` tick periods; return how many ticks arrived meanwhile. */
uint32_t popf_demo_count_ticks_during(unsigned periods);

/* ---- popf_demo_report.c: the machine-readable lines ---- */

void popf_demo_begin(const char *name, const char *title);
void popf_demo_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print DEMO-RESULT; verdict PASS if observed equals bare. Returns that. */
bool popf_demo_result(const char *name, const char *bare, const char *observed,
		      const char *detail_fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- popf_demo_pause.c: step mode ---- */

/* Print DEMO-PAUSE and wait for a byte on COM1, at most about 30 s. */
void popf_demo_pause(const char *name);

/* ---- popf_demo_irq_ops.c: how the guest touches the interrupt flag ---- */

/*
 * Every interrupt-flag operation of the guest goes through these, so one
 * switch picks the plain instructions or the hypercalls.
 */
struct popf_demo_irq_ops {
	bool paravirt;				/* the hypercalls, not the instructions */
	void (*irq_disable)(void);		/* CLI */
	void (*irq_enable)(void);		/* STI */
	uint32_t (*save_flags)(void);		/* PUSHF; POP */
	void (*restore_flags)(uint32_t flags);	/* PUSH; POPF */
	uint16_t (*read_cs)(void);		/* MOV from CS */
};

extern const struct popf_demo_irq_ops *popf_demo_irq;

/* Use the hypercalls (the hypervisor is trapvisor and was asked to) or not. */
void popf_demo_irq_ops_select(bool paravirt);

/* ---- the experiments; each prints DEMO-BEGIN ... DEMO-RESULT ---- */

/* Every experiment starts and ends with interrupts on (IF=1, by irq_enable). */
bool popf_demo_cli_sti(void);			/* popf_demo_interrupt_flag.c */
bool popf_demo_popf_clears_if(void);		/* popf_demo_interrupt_flag.c */
bool popf_demo_popf_sets_if(void);		/* popf_demo_interrupt_flag.c */
bool popf_demo_pushf_shows_if(void);		/* popf_demo_interrupt_flag.c */
bool popf_demo_ring_leak(void);			/* popf_demo_ring_leak.c */
bool popf_demo_irqsave_lost_update(void);	/* popf_demo_lost_update.c */

#endif
