/*
 * guests/fastpath/fastpath.h: what the fastpath guest's files share.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_FASTPATH_H
#define TV_GUESTS_FASTPATH_H


/* The GDT beyond the guest library's kernel code (1) and data (2). */
#define FP_GDT_USER_CODE	3
#define FP_GDT_USER_DATA	4
#define FP_GDT_TSS		5
#define FP_GDT_USER_BASED	6	/* a user data segment with a base of the user's choosing */
#define FP_SEL_USER_CODE_ASM	0x1B	/* index 3, RPL 3 */
#define FP_SEL_USER_DATA_ASM	0x23	/* index 4, RPL 3 */

/* The vectors: a trap gate (as xv6's T_SYSCALL), an interrupt gate, the way home. */
#define FP_VEC_SYSCALL		0x40
#define FP_VEC_SYSCALL_INTGATE	0x41
#define FP_VEC_USER_DONE	0x42
#define FP_VEC_SELF_IPI		0x50

#define FP_LAPIC_BASE		0xFEE00000u

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "guests/lib/guest_trap.h"
#include "lib/x86_desc.h"

/* fastpath_main.c */
void fp_idt_set(unsigned vector, uint32_t handler, unsigned type, unsigned dpl);
void fp_idt_load(void);
struct x86_gate *fp_idt_entry(unsigned vector);	/* the gate as the guest's IDT holds it */

/* fastpath_apic.c: the local APIC read under paging, its checks. */
void fp_apic_checks(void);
uint32_t fp_lapic_read(uint32_t reg);
void fp_lapic_write(uint32_t reg, uint32_t value);

/* fastpath_syscall.c: user mode and its system calls, its checks; the hostile kernels. */
void fp_syscall_setup(void);
void fp_syscall_checks(void);
int fp_hostile(const char *name);

/* fastpath_user.S */
/* Into ring 3 with DS = user_ds (0: null), `calls` rounds, back; returns mismatches. */
uint32_t fp_user_run(uint32_t calls, uint32_t user_ds);
void fp_user_done(void);		/* gate FP_VEC_USER_DONE: back to fp_user_run's caller */
extern uint32_t fp_user_stack_top;
extern uint32_t fp_user_entry;		/* where fp_user_run enters ring 3: fp_user_loop */
void fp_user_read_patch_code(void);	/* reads linear 0xFFD02000 in ring 3 */

#endif
#endif
