/*
 * guests/lib/guest_trap.h: the guest's own exception and interrupt handling:
 * the trap frame its entry stubs build and the per-vector handler table.
 * Runs in: guest.
 *
 * Every vector has a stub (guest_traps.S) that saves the registers and calls
 * guest_trap_dispatch(), which calls the handler registered for the vector.
 * A handler may change the frame, most usefully eip, to resume somewhere
 * else (for instance after the instruction that faulted). A vector with no
 * handler is a guest bug: it is reported and the guest exits with
 * GUEST_EXIT_PANIC.
 */
#ifndef TV_GUESTS_LIB_GUEST_TRAP_H
#define TV_GUESTS_LIB_GUEST_TRAP_H

#include <stdint.h>

#define GUEST_TRAP_VECTORS 256

/* The stack as the stub leaves it, lowest address first. */
struct guest_trap_frame {
	/* Pushed by the stub with `push %sreg`: only the low 16 bits are the selector. */
	uint16_t gs, gs_pad;
	uint16_t fs, fs_pad;
	uint16_t es, es_pad;
	uint16_t ds, ds_pad;
	/* Pushed by the stub's pushal. */
	uint32_t edi, esi, ebp;
	uint32_t esp_at_pushal;		/* ignored by popal */
	uint32_t ebx, edx, ecx, eax;
	/* Pushed by the stub. */
	uint32_t vector;
	uint32_t error;			/* the CPU's error code, or 0 if the vector has none */
	/* Pushed by the CPU; a ring-0 guest never changes rings, so no esp/ss follow. */
	uint32_t eip;
	uint32_t cs;			/* low 16 bits */
	uint32_t eflags;
};

typedef void (*guest_trap_handler)(struct guest_trap_frame *frame);

/* Register (or, with NULL, remove) the handler for one vector. */
void guest_trap_set_handler(unsigned vector, guest_trap_handler handler);

/* Called by the stubs only. */
void guest_trap_dispatch(struct guest_trap_frame *frame);

/* Entry stub addresses, one per vector, for the IDT (guest_traps.S). */
extern const uint32_t guest_trap_stubs[GUEST_TRAP_VECTORS];

#endif
