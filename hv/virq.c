/*
 * hv/virq.c: virtual interrupts: from the devices' lines through the
 * interrupt controllers to the guest's handler.
 * Runs in: hypervisor, ring 0, at the end of every trap, after every device
 * access that may move an interrupt line, and on the real interrupts.
 *
 * The real IF is always 1 while the guest runs, so every real interrupt
 * reaches the hypervisor whatever the guest believes:
 *   - the real 8254 (the guest's channel 0, hv/vpit.c): IRQ 0;
 *   - the real local APIC's timer, armed for the next device event due
 *     (a guest LAPIC timer, a UART's receive timeout: hv/host_timer.c);
 *   - the real COM1's input, which goes into the guest's 16550.
 * Each ISA IRQ line goes, as on a PC with an I/O APIC, to both the 8259
 * pair (line n) and the I/O APIC (pin n; IRQ 0 on pin 2, as the MP table
 * says). The I/O APIC sends its messages to the local APIC, and the 8259s
 * reach the CPU unless the guest turned its local APIC on and masked LINT0
 * (hv/vdev.c). The hypervisor hands an interrupt to the guest only when the
 * guest could take it on a bare machine:
 *   - its virtual IF is 1 (set by STI or IRET, which trap; never by POPF,
 *     which does not: that is the whole POPF problem),
 *   - a controller has one to give (unmasked, above what is in service),
 *   - and the guest is not in the one-instruction shadow of STI or MOV SS.
 * The shadow is honoured by not delivering on the return from that STI;
 * if an interrupt is waiting, the one instruction after it runs with the
 * real TF set, and the #DB it raises is where the interrupt is delivered:
 * right after that instruction, where a bare CPU takes it, not at whatever
 * trap comes next. Every other way IF becomes 1 (IRET, patched or
 * paravirtual POPF) and every OUT or MMIO write that unmasks a line or ends
 * an interrupt in service traps, so the interrupt is delivered on that
 * trap's way back: right after the instruction.
 */
#include "hv/console.h"
#include "hv/virq.h"
#include "hv/host_timer.h"
#include "hv/lapic_page.h"
#include "hv/machine.h"
#include "hv/patch_inline.h"
#include "hv/reflect.h"
#include "hv/vdev.h"

#define IOAPIC_PIN_OF_IRQ0	2

/* A device drives ISA IRQ line irq to level. */
static void set_line(struct machine *m, unsigned irq, int level)
{
	uint32_t bit = 1u << irq;
	int was = (m->irq_levels & bit) != 0;

	if (level == was)
		return;
	if (level) {
		m->irq_levels |= bit;
		vpic_raise(&m->pic, irq);	/* the 8259s here see edges */
	} else {
		m->irq_levels &= ~bit;
	}
	ioapic_set_pin(&m->ioapic, irq == 0 ? IOAPIC_PIN_OF_IRQ0 : irq, level);
}

/* What the I/O APIC has to send goes to the one local APIC, if addressed to it. */
static void ioapic_to_lapic(struct machine *m, uint64_t now)
{
	struct ioapic_message msg;
	while (ioapic_take(&m->ioapic, &msg)) {
		if (msg.delivery != IOAPIC_DELIVERY_FIXED && msg.delivery != IOAPIC_DELIVERY_LOWEST)
			continue;	/* NMI, SMI, INIT, ExtINT: not modelled, dropped */
		if (!lapic_matches_destination(&m->lapic, msg.dest, msg.logical))
			continue;
		lapic_accept(&m->lapic, msg.vector, msg.level_triggered, now);
		lapic_page_changed(m);
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void virq_lines_changed(struct machine *m, uint64_t now)
{
	set_line(m, KBC_KEYBOARD_IRQ, kbc_keyboard_irq(&m->kbc));
	set_line(m, UART_COM1_IRQ, uart_irq_asserted(&m->com1, now));
	set_line(m, CMOS_RTC_IRQ, cmos_rtc_irq_asserted(&m->cmos, now));
	ioapic_to_lapic(m, now);
	uint64_t next = earliest(lapic_next_event_ns(&m->lapic), uart_next_event_ns(&m->com1));
	next = earliest(next, cmos_rtc_next_event_ns(&m->cmos, now));
	host_timer_arm(next);
}

void virq_com1_input(struct machine *m, uint64_t now)
{
	uint8_t byte;
	while (uart_rx_space(&m->com1) && host_com1_receive(&byte))
		uart_receive(&m->com1, byte, now);
}

/* Time has passed: the devices computed from it catch up. */
static void devices_advance(struct machine *m, uint64_t now)
{
	lapic_advance(&m->lapic, now);
	lapic_page_changed(m);
	virq_lines_changed(m, now);
}

void virq_host_interrupt(struct machine *m, unsigned vector)
{
	uint64_t now;

	switch (vector) {
	case HOST_IRQ_VECTOR_BASE + HOST_IRQ_TIMER:
		host_pic_eoi(HOST_IRQ_TIMER);
		vpit_tick(&m->pit);
		/* An edge: the 8259 latches it, the I/O APIC's edge pin sees it. */
		set_line(m, 0, 1);
		set_line(m, 0, 0);
		ioapic_to_lapic(m, host_now_ns());
		break;
	case HOST_IRQ_VECTOR_BASE + HOST_IRQ_COM1:
		now = host_now_ns();
		virq_com1_input(m, now);
		host_pic_eoi(HOST_IRQ_COM1);
		virq_lines_changed(m, now);
		break;
	case HOST_LAPIC_TIMER_VECTOR:
		host_lapic_eoi();
		devices_advance(m, host_now_ns());
		break;
	default:
		break;	/* a spurious IRQ 7 needs no EOI */
	}
}

void virq_deliver(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	const struct vdev *controller;

	/*
	 * One instruction must run before the interrupt a bare CPU would take
	 * right after it: run it single-stepped (the real TF), and deliver at
	 * the #DB that follows (virq_step_done). Until it has run, any other
	 * trap at it (a real interrupt that came while the hypervisor carried
	 * out the STI, a shadow page filled) delivers nothing either.
	 */
	if (interrupt_shadow_holds(&v->sti_shadow, v->regs.cs, v->regs.eip)) {
		if (!v->irq_step && v->virt_if && vdev_pending_vector(m, &controller) >= 0) {
			v->irq_step = 1;
			v->irq_step_tf_was_set = (v->regs.eflags & EFLAGS_TF) != 0;
			v->regs.eflags |= EFLAGS_TF;
		}
		return;
	}
	if (!v->virt_if)
		return;
	int vector = vdev_pending_vector(m, &controller);
	if (vector < 0)
		return;
	/*
	 * Inside inline patch code between two points the guest's state is no
	 * bare machine's: step to the next point (a few instructions) and
	 * deliver at its #DB.
	 */
	if (!patch_inline_may_deliver(v)) {
		if (!v->irq_step) {
			v->irq_step = 1;
			v->irq_step_tf_was_set = (v->regs.eflags & EFLAGS_TF) != 0;
			v->regs.eflags |= EFLAGS_TF;
		}
		return;
	}
	controller->acknowledge(m);
	reflect_external_interrupt(v, (unsigned)vector);
}

/* Can the guest's LAPIC timer interrupt it? */
static int lapic_timer_may_fire(const struct machine *m)
{
	return lapic_enabled(&m->lapic) && lapic_next_event_ns(&m->lapic) != UINT64_MAX &&
	       !(m->lapic.lvt[LVT_TIMER] & LAPIC_LVT_MASKED);
}

/* Can input on COM1 interrupt it, through either controller? */
static int com1_input_may_interrupt(const struct machine *m)
{
	if (!(m->com1.ier & UART_IER_RDI))
		return 0;
	if (!(m->ioapic.redir[UART_COM1_IRQ] & IOAPIC_MASKED))
		return 1;
	return vpic_line_unmasked(&m->pic, UART_COM1_IRQ);
}

int virq_step_done(struct machine *m, unsigned vector)
{
	struct vcpu *v = &m->cpu;

	if (!v->irq_step)
		return 0;
	v->irq_step = 0;
	if (v->irq_step_tf_was_set)
		return 0;	/* the #DB, if this is one, is someone else's */
	v->regs.eflags &= ~EFLAGS_TF;
	if (vector != VEC_DB)
		return 0;
	interrupt_shadow_end(&v->sti_shadow);	/* the instruction ran, wherever it went */
	return 1;
}

int virq_wait_for_interrupt(struct machine *m)
{
	const struct vdev *controller;

	if (!m->cpu.virt_if)
		return 0;
	if (vdev_pending_vector(m, &controller) >= 0)
		return 1;
	int pit = vpit_will_fire(&m->pit) && vpic_line_unmasked(&m->pic, 0);
	int lapic = lapic_timer_may_fire(m);
	int com1 = com1_input_may_interrupt(m);
	if (!pit && !lapic && !com1)
		return 0;
	/*
	 * Wait with interrupts off until a real line is raised; once back in
	 * the guest (real IF=1) it is taken at once, as a trap. A device's
	 * deadline that passes meanwhile is brought up to date here.
	 */
	uint64_t due = lapic_next_event_ns(&m->lapic);
	for (;;) {
		if (host_pic_requested(HOST_IRQ_TIMER) || host_pic_requested(HOST_IRQ_COM1))
			return 1;
		uint64_t now = host_now_ns();
		if (now >= due) {
			devices_advance(m, now);
			return 1;
		}
		/* While the guest waits, its trace and output go out. */
		console_drain();
		__asm__ volatile("pause");
	}
}
