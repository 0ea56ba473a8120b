/*
 * guests/lib/guest_trap.c: dispatch from the entry stubs to per-vector handlers.
 * Runs in: guest.
 */
#include <stddef.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_trap.h"

static guest_trap_handler guest_trap_handlers[GUEST_TRAP_VECTORS];

void guest_trap_set_handler(unsigned vector, guest_trap_handler handler)
{
	if (vector < GUEST_TRAP_VECTORS)
		guest_trap_handlers[vector] = handler;
}

void guest_trap_dispatch(struct guest_trap_frame *frame)
{
	guest_trap_handler handler = NULL;

	if (frame->vector < GUEST_TRAP_VECTORS)
		handler = guest_trap_handlers[frame->vector];
	if (!handler) {
		guest_printf("FAIL: unexpected trap: vector %u error 0x%x eip 0x%08x\n",
			     frame->vector, frame->error, frame->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	handler(frame);
}
