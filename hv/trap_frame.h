/*
 * hv/trap_frame.h: the guest's registers as hv/switcher.S saves them on
 * every trap, lowest address first.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_TRAP_FRAME_H
#define TV_HV_TRAP_FRAME_H

#include <stdint.h>

struct trap_frame {
	/* Pushed by switcher_trap. */
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_ignored, ebx, edx, ecx, eax; /* pushal */
	/* Pushed by the vector's stub (error code: the CPU's, or zero). */
	uint32_t vector, error;
	/* Pushed by the CPU. */
	uint32_t eip, cs, eflags;
	/* Pushed by the CPU only when crossing rings: always, from a guest. */
	uint32_t esp, ss;
};

_Static_assert(__builtin_offsetof(struct trap_frame, edx) == 36 &&
	       __builtin_offsetof(struct trap_frame, eax) == 44 &&
	       __builtin_offsetof(struct trap_frame, vector) == 48 &&
	       __builtin_offsetof(struct trap_frame, error) == 52 &&
	       __builtin_offsetof(struct trap_frame, eip) == 56,
	       "TF_EDX_OFFSET .. TF_EIP_OFFSET in hv/layout.h must match");
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == 60,
	       "TF_CS_OFFSET in hv/layout.h must match");
_Static_assert(__builtin_offsetof(struct trap_frame, eflags) == 64,
	       "TF_EFLAGS_OFFSET in hv/layout.h must match");

#endif
