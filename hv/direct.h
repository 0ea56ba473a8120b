/*
 * hv/direct.h: direct system calls (direct=1): the guest's user-mode
 * system call gates in the real IDT, delivered by the CPU to the guest
 * kernel's handler in ring 1 without the hypervisor.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_DIRECT_H
#define TV_HV_DIRECT_H

#include <stdint.h>
#include "lib/x86_desc.h"

/* Writes to the TSS's page in a row that change no kernel stack before it stops being watched. */
#define DIRECT_WATCH_IDLE_MAX	64

/* At most this many of the guest's gates go direct; any others trap as before. */
#define DIRECT_GATES_MAX	12

/* The direct path's state: a member of struct machine. */
struct direct_paths {
	int enabled;			/* direct=1 was asked for */
	unsigned ngates;
	struct {
		uint8_t vector;
		uint8_t kernel;		/* a kernel gate (DPL 0) through its entry stub */
		struct x86_gate guest;	/* the guest's gate as installed */
	} gate[DIRECT_GATES_MAX];
	/*
	 * Kernel gates (--patch inline only): the vectors the guest kernel has
	 * used through the hypervisor (INT n, #DE), one bit each; only these
	 * go direct, after the system call gates, up to DIRECT_GATES_MAX.
	 */
	uint32_t kernel_used[256 / 32];
	int stack_ok;			/* the real TSS's ss1:esp1 are the guest's ss0:esp0 */
	uint32_t esp0, ss0;		/* as last read from the guest's TSS */
	/*
	 * The page of the guest TSS's esp0, watched for writes (shadow_mmu.h)
	 * until that costs more than it is worth: given up after
	 * DIRECT_WATCH_IDLE_MAX writes in a row that left ss0:esp0 alone.
	 */
	int watch_given_up;
	uint32_t watch_writes_seen, watch_idle, watch_writes_total;
	/* The guest IDT and address space the gates were last looked for in. */
	int scanned;
	uint32_t scanned_idt_base, scanned_idt_limit, scanned_cr3;
	uint32_t scans, mode_switches;	/* for the summary */
};

struct machine;
struct vcpu;

/* Turn the direct path on (the option); it works only while direct_sync says it may. */
void direct_enable(struct machine *m);

/*
 * At every trap, first thing: with the direct path on, the real CPL says
 * whether the guest ran its user code (the kernel returns to user mode,
 * and user code enters the kernel, without the hypervisor).
 */
void direct_trap_entry(struct vcpu *v);

/*
 * On the way back to the guest from every trap: turn the shared address
 * space on or off as the guest's paging and CR0.WP allow, and make the
 * real TSS's ring-1 stack and the direct gates those the guest's TSS and
 * IDT now hold, each checked, or take them away.
 */
void direct_sync(struct machine *m);

/* "tv:stat" lines for the summary. */
void direct_report(const struct machine *m);

/*
 * The hypervisor is delivering vector (INT n or an exception, not an
 * external interrupt) to the guest kernel through its IDT: under the inline
 * mode a DPL-0 gate there may then go direct from the next IDT scan on.
 */
void direct_kernel_gate_used(struct vcpu *v, unsigned vector);

#endif
