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
#include "hv/reflect.h"
#include "hv/vpic.h"
#include "hv/vpit.h"

void virq_host_interrupt(struct vcpu *v, unsigned vector)
{
	/* Only the timer is unmasked; anything else (a spurious IRQ 7) needs no EOI. */
	if (vector == HOST_IRQ_VECTOR_BASE + HOST_IRQ_TIMER) {
		host_pic_eoi(HOST_IRQ_TIMER);
		vpit_tick();
		vpic_raise(0);
	}
}

void virq_deliver(struct vcpu *v)
{
	if (v->sti_shadow) {
		v->sti_shadow = 0;
		return;
	}
	if (!v->virt_if)
		return;
	int vector = vpic_pending_vector();
	if (vector < 0)
		return;
	vpic_acknowledge();
	reflect_to_guest(v, (unsigned)vector, REFLECT_NO_ERROR_CODE, v->regs.eip, 0);
}

int virq_wait_for_interrupt(struct vcpu *v)
{
	if (!v->virt_if)
		return 0;
	if (vpic_pending_vector() >= 0)
		return 1;
	if (!vpit_will_fire() || !vpic_line_unmasked(0))
		return 0;
	/*
	 * Wait with interrupts off until the real timer raises its line; once
	 * back in the guest (real IF=1) it is taken at once, as a trap.
	 */
	while (!host_pic_requested(HOST_IRQ_TIMER))
		__asm__ volatile("pause");
	return 1;
}
