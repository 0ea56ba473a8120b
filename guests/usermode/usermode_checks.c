/*
 * guests/usermode/usermode_checks.c: system calls and faults from user mode,
 * with flat user segments.
 * Runs in: guest, kernel mode; the programs it runs in user mode live in
 * usermode_user.c and usermode_probes.S.
 *
 * What each check expects is the architecture's (Intel SDM vol. 2, INT n,
 * IRET, SYSENTER, SYSEXIT; vol. 3, 6.12.1): a trap from CPL 3 pushes the
 * user's SS and ESP above EFLAGS, CS and EIP, the CS in the frame has RPL 3,
 * a fault's EIP is its instruction's and a trap's the next one's, and an
 * IRET to that frame resumes user mode. Natively and under a faithful
 * hypervisor every check passes.
 */
#include <stdbool.h>

#include "guests/lib/guest_test.h"
#include "guests/usermode/usermode.h"
#include "lib/x86.h"

#define USERMODE_ROUNDS 1000
#define USERMODE_INT80_ARG 0x00C0FFEEu

/* Do the user's CS and SS hold exactly the user selectors, RPL 3 included? */
static void usermode_check_user_segments(const char *name, uint32_t seen)
{
	uint32_t want = USERMODE_SEL_USER_CODE | (uint32_t)USERMODE_SEL_USER_DATA << 16;

	guest_test_check(seen == want, name, "user CS 0x%x SS 0x%x, want CS 0x%x SS 0x%x",
			 seen & 0xFFFFu, seen >> 16, USERMODE_SEL_USER_CODE,
			 USERMODE_SEL_USER_DATA);
}

/* The parts of a frame from user mode every check compares. */
static bool usermode_user_frame_ok(const volatile struct usermode_trap_record *r,
				   uint32_t want_eip)
{
	return r->eip == want_eip && r->cs == USERMODE_SEL_USER_CODE &&
	       r->ss == USERMODE_SEL_USER_DATA && r->esp == usermode_probe_esp;
}

void usermode_checks_syscalls(void)
{
	usermode_check_user_segments("iret-enters-user-mode",
				     usermode_run(usermode_user_segments, 0));

	/* One INT 0x80, its frame examined by the kernel. */
	unsigned calls = usermode_mix_calls;
	usermode_syscall_seen.count = 0;
	uint32_t got = usermode_run(usermode_probe_int80, USERMODE_INT80_ARG);
	guest_test_check(got == usermode_mix(USERMODE_INT80_ARG) &&
				 usermode_mix_calls == calls + 1,
			 "int80-returns-kernel-value", "got 0x%x after %u calls, want 0x%x after 1",
			 got, usermode_mix_calls - calls, usermode_mix(USERMODE_INT80_ARG));
	const volatile struct usermode_trap_record *s = &usermode_syscall_seen;
	guest_test_check(s->count == 1 && s->vector == USERMODE_SYSCALL_VECTOR &&
				 usermode_user_frame_ok(s, (uint32_t)usermode_probe_int80_next) &&
				 (s->eflags & EFLAGS_IF) && !(s->eflags & EFLAGS_IOPL) &&
				 s->ds == USERMODE_SEL_USER_DATA,
			 "int80-frame-from-user",
			 "%u calls, vector 0x%x eip 0x%08x cs 0x%x eflags 0x%x esp 0x%08x ss 0x%x ds 0x%x; want 1, vector 0x%x eip 0x%08x cs 0x%x IF=1 IOPL=0 esp 0x%08x ss 0x%x ds 0x%x",
			 s->count, s->vector, s->eip, s->cs, s->eflags, s->esp, s->ss, s->ds,
			 USERMODE_SYSCALL_VECTOR, (uint32_t)usermode_probe_int80_next,
			 USERMODE_SEL_USER_CODE, usermode_probe_esp, USERMODE_SEL_USER_DATA,
			 USERMODE_SEL_USER_DATA);

	calls = usermode_mix_calls;
	uint32_t wrong = usermode_run(usermode_user_mix_loop, USERMODE_ROUNDS);
	guest_test_check(wrong == 0 && usermode_mix_calls == calls + USERMODE_ROUNDS,
			 "int80-round-trips", "%u of %u answers wrong, %u calls reached the kernel",
			 wrong, USERMODE_ROUNDS, usermode_mix_calls - calls);

	/* SYSENTER lands on IA32_SYSENTER_CS and CS + 8; SYSEXIT on CS + 16 and + 24, RPL 3. */
	usermode_sysenter_calls = 0;
	usermode_check_user_segments("sysexit-returns-to-user-segments",
				     usermode_run(usermode_user_sysenter_segments, 0));
	guest_test_check(usermode_sysenter_calls == 1 &&
				 (usermode_sysenter_cs_seen & ~3u) == USERMODE_SEL_KERNEL_CODE &&
				 (usermode_sysenter_ss_seen & ~3u) == USERMODE_SEL_KERNEL_DATA,
			 "sysenter-enters-kernel-segments",
			 "%u entries, CS 0x%x SS 0x%x, want 1 entry with the indexes of CS 0x%x SS 0x%x",
			 usermode_sysenter_calls, usermode_sysenter_cs_seen,
			 usermode_sysenter_ss_seen, USERMODE_SEL_KERNEL_CODE,
			 USERMODE_SEL_KERNEL_DATA);

	usermode_sysenter_calls = 0;
	wrong = usermode_run(usermode_user_sysenter_loop, USERMODE_ROUNDS);
	guest_test_check(wrong == 0 && usermode_sysenter_calls == USERMODE_ROUNDS,
			 "sysenter-round-trips", "%u of %u answers wrong, %u entries into the kernel",
			 wrong, USERMODE_ROUNDS, usermode_sysenter_calls);
}

/* One probe that must fault in user mode and be resumed after its instruction. */
struct usermode_fault_row {
	const char *name;
	uint32_t (*probe)(uint32_t arg);
	const char *insn, *next;
	uint32_t vector, error;
	uint32_t want_ret;	/* what the probe returns once resumed */
};

static const struct usermode_fault_row usermode_fault_rows[] = {
	/* SDM vol. 2, INT n: a gate DPL below CPL is #GP(vector * 8 + 2), EXT = 0, IDT = 1. */
	{ "user-int-0x81-dpl0-gate-raises-gp", usermode_probe_int81,
	  usermode_probe_int81_insn, usermode_probe_int81_next,
	  VEC_GP, USERMODE_KERNEL_ONLY_VECTOR * 8 + 2, 0 },
	/* SDM vol. 2, CLI: CPL > IOPL is #GP(0). */
	{ "user-cli-raises-gp", usermode_probe_cli,
	  usermode_probe_cli_insn, usermode_probe_cli_next, VEC_GP, 0, 0 },
	/* SDM vol. 1, 19.5: CPL > IOPL and no I/O permission bitmap is #GP(0). */
	{ "user-out-raises-gp", usermode_probe_out,
	  usermode_probe_out_insn, usermode_probe_out_next, VEC_GP, 0, 0 },
	/* The DIV never completed: EAX keeps its 1. */
	{ "user-divide-error-raises-de", usermode_probe_divide,
	  usermode_probe_divide_insn, usermode_probe_divide_next, VEC_DE, 0, 1 },
	/* SDM vol. 2, MOV to a segment register: DPL < CPL is #GP(selector); DS is unchanged. */
	{ "user-load-kernel-ds-raises-gp", usermode_probe_load_kernel_ds,
	  usermode_probe_load_kernel_ds_insn, usermode_probe_load_kernel_ds_next,
	  VEC_GP, USERMODE_SEL_KERNEL_DATA, USERMODE_SEL_USER_DATA },
};

static void usermode_fault_row_run(const struct usermode_fault_row *row)
{
	const volatile struct usermode_trap_record *f = &usermode_fault_seen;

	usermode_expect_fault(row->next);
	uint32_t ret = usermode_run(row->probe, 0);
	if (f->count != 1) {
		guest_test_fail(row->name, "the kernel saw %u faults, want 1", f->count);
		return;
	}
	guest_test_check(f->vector == row->vector && f->error == row->error &&
				 usermode_user_frame_ok(f, (uint32_t)row->insn) &&
				 (f->eflags & EFLAGS_IF) && ret == row->want_ret,
			 row->name,
			 "vector 0x%x error 0x%x eip 0x%08x cs 0x%x eflags 0x%x esp 0x%08x ss 0x%x, then returned 0x%x; want vector 0x%x error 0x%x eip 0x%08x cs 0x%x IF=1 esp 0x%08x ss 0x%x, then 0x%x",
			 f->vector, f->error, f->eip, f->cs, f->eflags, f->esp, f->ss, ret,
			 row->vector, row->error, (uint32_t)row->insn, USERMODE_SEL_USER_CODE,
			 usermode_probe_esp, USERMODE_SEL_USER_DATA, row->want_ret);
}

void usermode_checks_faults(void)
{
	for (unsigned i = 0; i < sizeof usermode_fault_rows / sizeof usermode_fault_rows[0]; i++)
		usermode_fault_row_run(&usermode_fault_rows[i]);
}
