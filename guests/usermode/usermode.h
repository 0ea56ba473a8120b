/*
 * guests/usermode/usermode.h: the usermode guest's segments, system calls,
 * and the interface between its kernel side and its user side.
 * Runs in: guest (the kernel at CPL 0, the user code at CPL 3).
 *
 * The GDT extends the runtime's (guests/lib/guest_desc.h: null, kernel code
 * 0x08, kernel data 0x10) with user code and user data right after the
 * kernel's, in the order SYSENTER and SYSEXIT require (Intel SDM vol. 2,
 * SYSENTER: SS = IA32_SYSENTER_CS + 8; SYSEXIT: CS = IA32_SYSENTER_CS + 16,
 * SS = IA32_SYSENTER_CS + 24), and a 32-bit TSS whose ss0:esp0 is the
 * kernel's stack for traps from user mode.
 */
#ifndef TV_GUESTS_USERMODE_USERMODE_H
#define TV_GUESTS_USERMODE_USERMODE_H

/* Selectors; also used by the assembly files, so plain numbers. */
#define USERMODE_SEL_KERNEL_CODE	0x08	/* = GUEST_SEL_CODE */
#define USERMODE_SEL_KERNEL_DATA	0x10	/* = GUEST_SEL_DATA */
#define USERMODE_SEL_USER_CODE		0x1B	/* index 3, RPL 3 */
#define USERMODE_SEL_USER_DATA		0x23	/* index 4, RPL 3 */
#define USERMODE_SEL_TSS		0x28	/* index 5 */

/* System calls: number in EAX, argument in EBX, result in EAX. */
#define USERMODE_SYSCALL_VECTOR		0x80	/* gate DPL 3: user code may INT to it */
#define USERMODE_KERNEL_ONLY_VECTOR	0x81	/* gate DPL 0: user code gets #GP */
#define USERMODE_SYS_MIX		1	/* returns usermode_mix(arg) */
#define USERMODE_SYS_RETURN		2	/* back to the kernel's usermode_run() with arg */
#define USERMODE_SYS_EXIT		3	/* the end: the kernel prints the summary and exits */

/* EFLAGS for user mode: IF on, IOPL 0 (so CLI is not user code's to run). */
#define USERMODE_USER_EFLAGS		0x202

/* What usermode_probe_write stores. */
#define USERMODE_PROBE_WRITTEN		0x0BADF00D

/* The MSRs SYSENTER reads (Intel SDM vol. 4, table 2-2). */
#define USERMODE_MSR_SYSENTER_CS	0x174
#define USERMODE_MSR_SYSENTER_ESP	0x175
#define USERMODE_MSR_SYSENTER_EIP	0x176

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

#include "guests/lib/guest_trap.h"
#include "lib/multiboot.h"

/* What the kernel computes for USERMODE_SYS_MIX; user code checks the answer with it. */
static inline uint32_t usermode_mix(uint32_t x)
{
	return (x * 2654435761u) ^ 0x5A5A0080u;
}

/*
 * A trap frame from user mode: the CPU pushed the user's SS:ESP above
 * EFLAGS because the privilege level changed (Intel SDM vol. 3, 6.12.1).
 */
struct usermode_frame {
	struct guest_trap_frame k;
	uint32_t esp;
	uint32_t ss;		/* low 16 bits */
};

static inline bool usermode_frame_from_user(const struct guest_trap_frame *f)
{
	return (f->cs & 3u) == 3u;
}

/* What the kernel saw of the last trap from user mode. */
struct usermode_trap_record {
	unsigned count;
	uint32_t vector, error, eip, cs, eflags, esp, ss, ds;
};

/* --- kernel side (usermode_kernel.c) --- */

/* GDT with user segments (flat), TSS and LTR, IDT with the two gates, SYSENTER MSRs. */
void usermode_kernel_init(void);

/* Replace the user code and data descriptors: base 0, the given limit (bytes - 1). */
void usermode_set_user_limit(uint32_t limit);

/*
 * Run fn(arg) in user mode on a fresh user stack and return what it
 * returned (it ends with USERMODE_SYS_RETURN). A trap from user mode that
 * no probe expects ends the run with a FAIL line and USERMODE_RUN_TRAPPED.
 */
#define USERMODE_RUN_TRAPPED	0xDEAD0000u
uint32_t usermode_run(uint32_t (*fn)(uint32_t), uint32_t arg);

/*
 * Expect the next trap from user mode to be a probe's fault: record it and
 * resume the user code at resume_at (an IRET back to user mode).
 */
void usermode_expect_fault(const char *resume_at);

extern volatile struct usermode_trap_record usermode_fault_seen;	/* faults */
extern volatile struct usermode_trap_record usermode_syscall_seen;	/* INT 0x80 */
extern volatile unsigned usermode_mix_calls;	/* USERMODE_SYS_MIX, by either way in */
extern volatile uint16_t usermode_sysenter_cs_seen, usermode_sysenter_ss_seen;
extern volatile unsigned usermode_sysenter_calls;

/* --- switching (usermode_switch.S) --- */

/* Enter user mode by IRET at usermode_user_start, which calls fn(arg). */
uint32_t usermode_enter(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t user_esp);
/* Back to the kernel stack usermode_enter left, as if it returned value. */
__attribute__((noreturn)) void usermode_resume_kernel(uint32_t value);
/* Where SYSENTER lands (IA32_SYSENTER_EIP). */
void usermode_sysenter_entry(void);
/* Called by usermode_sysenter_entry on the kernel's SYSENTER stack. */
uint32_t usermode_sysenter_dispatch(uint32_t nr, uint32_t arg);

/* --- user side: runs at CPL 3 (usermode_user.c, usermode_probes.S) --- */

static inline uint32_t usermode_int80(uint32_t nr, uint32_t arg)
{
	uint32_t ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(arg) : "memory");
	return ret;
}

/* SYSENTER with nr, arg; the kernel returns with SYSEXIT. */
uint32_t usermode_sysenter(uint32_t nr, uint32_t arg);

uint32_t usermode_user_mix_loop(uint32_t rounds);	/* INT 0x80 rounds; returns mismatches */
uint32_t usermode_user_sysenter_loop(uint32_t rounds);	/* SYSENTER rounds; returns mismatches */
uint32_t usermode_user_segments(uint32_t unused);	/* CS | SS << 16 as user code sees them */
uint32_t usermode_user_sysenter_segments(uint32_t unused); /* the same, after a SYSENTER round trip */
uint32_t usermode_user_read(uint32_t address);		/* a plain load */
uint32_t usermode_user_exit(uint32_t unused);		/* USERMODE_SYS_EXIT; never returns */

/* Probes: one instruction each at _insn, the next at _next; ESP before _insn in usermode_probe_esp. */
extern volatile uint32_t usermode_probe_esp;
uint32_t usermode_probe_int80(uint32_t arg);
uint32_t usermode_probe_int81(uint32_t unused);
uint32_t usermode_probe_cli(uint32_t unused);
uint32_t usermode_probe_out(uint32_t unused);
uint32_t usermode_probe_divide(uint32_t unused);
uint32_t usermode_probe_load_kernel_ds(uint32_t unused);
uint32_t usermode_probe_read(uint32_t address);	/* returns what it read, or 0 */
uint32_t usermode_probe_write(uint32_t address);	/* writes USERMODE_PROBE_WRITTEN */
extern const char usermode_probe_int80_insn[], usermode_probe_int80_next[];
extern const char usermode_probe_int81_insn[], usermode_probe_int81_next[];
extern const char usermode_probe_cli_insn[], usermode_probe_cli_next[];
extern const char usermode_probe_out_insn[], usermode_probe_out_next[];
extern const char usermode_probe_divide_insn[], usermode_probe_divide_next[];
extern const char usermode_probe_load_kernel_ds_insn[], usermode_probe_load_kernel_ds_next[];
extern const char usermode_probe_read_insn[], usermode_probe_read_next[];
extern const char usermode_probe_write_insn[], usermode_probe_write_next[];

/* --- the checks --- */

void usermode_checks_syscalls(void);	/* usermode_checks.c */
void usermode_checks_faults(void);	/* usermode_checks.c */
void usermode_checks_confine(const struct multiboot_info *info);	/* usermode_confine.c */

#endif /* __ASSEMBLER__ */
#endif
