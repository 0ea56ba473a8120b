/*
 * guests/hostile/hostile.h: shared by the hostile guest's rows.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_HOSTILE_HOSTILE_H
#define TV_GUESTS_HOSTILE_HOSTILE_H

#include <stdint.h>

/* What a probe ended with: a trap the guest took, or none. */
struct hostile_outcome {
	int trapped;		/* 1: a trap ended the probe */
	uint32_t vector, error;
	uint32_t eip;		/* where it was taken */
	uint32_t eflags;	/* the frame's EFLAGS */
};

/*
 * Run fn (no arguments, returns normally or traps). A trap during it ends
 * it: its vector, error code, EIP and EFLAGS are recorded and the call
 * returns as if fn had returned. Every vector but the timer's counts.
 */
struct hostile_outcome hostile_try(void (*fn)(void));

/* Print "HOSTILE-RESULT: <row>: <what>" for one outcome (vector and error, or "no trap"). */
void hostile_report(const char *row, const char *what, const struct hostile_outcome *o);

/* Called by hostile_probe.S; and its recovery point for the trap handler. */
uint32_t hostile_probe_run(void (*fn)(void));
extern char hostile_probe_recover[];

/* The rows (hostile_flags.c, hostile_frames.c). */
void hostile_df_traps(void);
void hostile_df_rep_movs_timer(void);
void hostile_pit_count_zero(void);
void hostile_sti_hlt_timer(void);
void hostile_cmpxchg8b_flags(void);
void hostile_iret_vm(void);
void hostile_iret_popped_nt(void);
void hostile_iret_current_nt(void);
void hostile_iret_rpl3_kernel_cs(void);
void hostile_retf_rpl3_kernel_cs(void);
void hostile_lock_prefix(void);
void hostile_repne_outs(void);
void hostile_single_step(void);
void hostile_hlt_single_step(void);
void hostile_wp0_user_ro(void);
void hostile_unmapped_operand(void);
void hostile_iret_frame_edge(void);
void hostile_iret_user_frame_split(void);
void hostile_fpu_ts(void);
void hostile_idt_limit(void);
void hostile_null_rpl_selector(void);
void hostile_clac_stac(void);
void hostile_kernel_gates_if(void);	/* hostile_gates.c */
void hostile_kernel_divide(void);
void hostile_user_int_dpl0(void);
void hostile_iret_sets_if_tick(void);
void hostile_iret_forged_cs(void);
void hostile_iret_esp_in_slot(void);
void hostile_int_esp_in_slot(void);
void hostile_gates_under_ticks(void);
void hostile_iret_single_step(void);
void hostile_gate_inside_region(void);

/*
 * User code and data segments over all of memory (GDT entries 4 and 5,
 * selectors 0x23 and 0x2B) and a TSS with a ring-0 stack (hostile_gates.c).
 */
void hostile_user_segments(void);
#define HOSTILE_SEL_USER_CODE	0x23
#define HOSTILE_SEL_USER_DATA	0x2B

/* A TSS loaded with LTR, for rows that change privilege or return from a task. */
void hostile_tss_install(uint16_t link);

#define HOSTILE_SEL_TSS		(3 << 3)	/* GDT entry 3 */
#define HOSTILE_TSS_ESP0_BYTES	8192

#endif
