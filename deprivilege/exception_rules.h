/*
 * deprivilege/exception_rules.h: what a CPU does when an exception comes
 * while it delivers another (Intel SDM vol. 3, 6.15, "Interrupt 8—Double
 * Fault Exception (#DF)", Tables 6-4 and 6-5).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 *
 * The hypervisor delivers the guest's exceptions and interrupts through the
 * guest's own IDT onto the guest's own stack (hv/reflect.c). Where that
 * delivery meets a fault of its own (a vector beyond the IDT's limit, a
 * gate not present, a frame the guest's paging will not let it push), the
 * bare CPU raises the second exception, or a double fault, or shuts down;
 * this says which, so that the guest gets what the bare machine does.
 */
#ifndef TV_DEPRIVILEGE_EXCEPTION_RULES_H
#define TV_DEPRIVILEGE_EXCEPTION_RULES_H

/* What was being delivered when the second exception came. */
enum exception_event {
	EXCEPTION_EVENT_FAULT,		/* an exception the CPU raised (vector 0 to 31) */
	EXCEPTION_EVENT_SOFTWARE,	/* INT n, INT3, INTO: benign whatever n */
	EXCEPTION_EVENT_EXTERNAL,	/* an interrupt from the PIC: benign whatever its vector */
};

/* The CPU shuts down (a triple fault): no vector is delivered. */
#define EXCEPTION_SHUTDOWN (-1)

/*
 * While delivering `first` (an event of kind `kind`), the CPU met exception
 * `second`. Returns the vector it delivers next: `second` itself (handled
 * serially), 8 (#DF), or EXCEPTION_SHUTDOWN when `first` was a #DF.
 */
int exception_during_delivery(unsigned first, enum exception_event kind, unsigned second);

#endif
