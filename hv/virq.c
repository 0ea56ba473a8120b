/*
 * hv/virq.c: virtual interrupts.
 * Runs in: hypervisor, ring 0, at the end of every trap.
 *
 * The real IF is always 1 while the guest runs, so the real timer interrupt
 * reaches the hypervisor whatever the guest believes. The hypervisor turns
 * it into a request on the virtual PIC, and hands it to the guest only when
 * the guest could take it on a bare machine:
 *   - its virtual IF is 1 (set by STI or IRET, which trap; never by POPF,
 *     which does not: that is the whole POPF problem),
 *   - the line is unmasked and no higher-priority request is in service,
 *   - and the guest is not in the one-instruction shadow of STI or MOV SS.
 * The shadow is honoured by not delivering on the return from that STI: the
 * guest runs at least one instruction before the next trap gives the
 * hypervisor another chance.
 */
#include "hv/virq.h"
#include "hv/host_timer.h"
#include "hv/machine.h"
#include "hv/reflect.h"
#include "hv/vdev.h"

void virq_host_interrupt(struct machine *m, unsigned vector)
{
	/* Only the timer is unmasked; anything else (a spurious IRQ 7) needs no EOI. */
	if (vector == HOST_IRQ_VECTOR_BASE + HOST_IRQ_TIMER) {
		host_pic_eoi(HOST_IRQ_TIMER);
		vpit_tick(&m->pit);
		vpic_raise(&m->pic, 0);
	}
}

void virq_deliver(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	const struct vdev *controller;

	if (v->sti_shadow) {
		v->sti_shadow = 0;
		return;
	}
	if (!v->virt_if)
		return;
	int vector = vdev_pending_vector(m, &controller);
	if (vector < 0)
		return;
	controller->acknowledge(m);
	reflect_to_guest(v, (unsigned)vector, REFLECT_NO_ERROR_CODE, v->regs.eip, 0);
}

int virq_wait_for_interrupt(struct machine *m)
{
	const struct vdev *controller;

	if (!m->cpu.virt_if)
		return 0;
	if (vdev_pending_vector(m, &controller) >= 0)
		return 1;
	/* The one source of interrupts: the PIT on the PIC's line 0. */
	if (!vpit_will_fire(&m->pit) || !vpic_line_unmasked(&m->pic, 0))
		return 0;
	/*
	 * Wait with interrupts off until the real timer raises its line; once
	 * back in the guest (real IF=1) it is taken at once, as a trap.
	 */
	while (!host_pic_requested(HOST_IRQ_TIMER))
		__asm__ volatile("pause");
	return 1;
}
