/*
 * hv/virq.h: virtual interrupts: from the real timer to the guest's handler.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_VIRQ_H
#define TV_HV_VIRQ_H

#include <stdint.h>

struct machine;

/* A device access may have moved an interrupt line: route them, re-arm the device clock. */
void virq_lines_changed(struct machine *m, uint64_t now);

/* Input waiting on the real COM1 goes into the guest's 16550 while it has room. */
void virq_com1_input(struct machine *m, uint64_t now);

/* A real interrupt arrived while the guest ran (vector 0x20 and up). */
void virq_host_interrupt(struct machine *m, unsigned vector);

/* On the way back to the guest: deliver the pending virtual interrupt if it may be taken now. */
void virq_deliver(struct machine *m);

/*
 * At the start of every trap: the instruction after STI or MOV SS, stepped
 * for a waiting interrupt, is done (our TF taken out of the guest's
 * EFLAGS). Returns 1 if the trap was only that step's #DB, which needs
 * nothing but the delivery.
 */
int virq_step_done(struct machine *m, unsigned vector);

/*
 * HLT: 1 if an interrupt will come and the guest should resume (having
 * waited for it); 0 if none ever can.
 */
int virq_wait_for_interrupt(struct machine *m);

#endif
