/*
 * guests/hostile/hostile_main.c: a guest kernel that attacks the trap path
 * itself. Where guests/attack reaches for the hypervisor's memory, this one
 * hands the hypervisor flags, frames and encodings it must not trust: a
 * direction flag set across a trap, flags left by an odd instruction
 * sequence, IRET frames with VM or NT, returns to RPL 3 through a kernel
 * code segment, LOCK prefixes on privileged instructions.
 * Runs in: guest.
 *
 * The row is chosen by the second word of the command line ("hostile
 * df-traps"). Each row prints `HOSTILE: <row>`, then one or more
 * `HOSTILE-RESULT: <row>: ...` lines that say what the CPU did (which
 * exception, with which error code, or what the flags held), then
 * `HOSTILE-DONE: <row>`. On the bare machine that is the architecture's
 * answer; under the hypervisor the same lines must appear, or, for what
 * the hypervisor documents as unsupported, the run must be stopped with
 * the reason; never a crash, a panic or a hang.
 *
 * Exit status: 0 after `HOSTILE-DONE`; 2 for a missing or unknown row.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_trap.h"
#include "lib/string.h"
#include "lib/x86.h"

struct hostile_row {
	const char *name;
	void (*run)(void);
};

static const struct hostile_row hostile_rows[] = {
	{ "df-traps", hostile_df_traps },
	{ "df-rep-movs-timer", hostile_df_rep_movs_timer },
	{ "pit-count-zero", hostile_pit_count_zero },
	{ "sti-hlt-timer", hostile_sti_hlt_timer },
	{ "cmpxchg8b-flags", hostile_cmpxchg8b_flags },
	{ "iret-vm", hostile_iret_vm },
	{ "iret-popped-nt", hostile_iret_popped_nt },
	{ "iret-current-nt", hostile_iret_current_nt },
	{ "iret-rpl3-kernel-cs", hostile_iret_rpl3_kernel_cs },
	{ "retf-rpl3-kernel-cs", hostile_retf_rpl3_kernel_cs },
	{ "lock-prefix", hostile_lock_prefix },
	{ "repne-outs", hostile_repne_outs },
	{ "single-step", hostile_single_step },
	{ "hlt-single-step", hostile_hlt_single_step },
	{ "wp0-user-ro", hostile_wp0_user_ro },
	{ "unmapped-operand", hostile_unmapped_operand },
	{ "iret-frame-edge", hostile_iret_frame_edge },
	{ "iret-user-frame-split", hostile_iret_user_frame_split },
	{ "fpu-ts", hostile_fpu_ts },
	{ "idt-limit", hostile_idt_limit },
	{ "null-rpl-selector", hostile_null_rpl_selector },
	{ "clac-stac", hostile_clac_stac },
	{ "kernel-gates-if", hostile_kernel_gates_if },
	{ "kernel-divide", hostile_kernel_divide },
	{ "user-int-dpl0", hostile_user_int_dpl0 },
	{ "iret-sets-if-tick", hostile_iret_sets_if_tick },
	{ "iret-forged-cs", hostile_iret_forged_cs },
	{ "iret-esp-in-slot", hostile_iret_esp_in_slot },
	{ "int-esp-in-slot", hostile_int_esp_in_slot },
	{ "gates-under-ticks", hostile_gates_under_ticks },
	{ "iret-single-step", hostile_iret_single_step },
	{ "gate-inside-region", hostile_gate_inside_region },
};

#define HOSTILE_ROWS (sizeof(hostile_rows) / sizeof(hostile_rows[0]))

static volatile struct hostile_outcome hostile_last;
static volatile bool hostile_probing;

static void hostile_trap(struct guest_trap_frame *frame)
{
	if (!hostile_probing) {
		guest_printf("FAIL: unexpected trap: vector %u error 0x%x eip 0x%08x\n",
			     frame->vector, frame->error, frame->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	hostile_last.trapped = 1;
	hostile_last.vector = frame->vector;
	hostile_last.error = frame->error;
	hostile_last.eip = frame->eip;
	hostile_last.eflags = frame->eflags;
	hostile_probing = false;
	frame->eip = (uint32_t)hostile_probe_recover;
	/*
	 * Back to the probe's kernel code in protected mode: without TF (it
	 * would trap again at once), without NT (this IRET would be a task
	 * return) and, after a fault in virtual-8086 mode, without VM and with
	 * the kernel's segments instead of the real-mode ones.
	 */
	frame->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_VM);
	/* From user mode (hostile_gates.c's probes): back to the kernel's segments too. */
	if ((hostile_last.eflags & EFLAGS_VM) || (frame->cs & 3) == 3) {
		frame->cs = GUEST_SEL_CODE;
		frame->ds = frame->es = frame->fs = frame->gs = GUEST_SEL_DATA;
	}
}

struct hostile_outcome hostile_try(void (*fn)(void))
{
	struct hostile_outcome none = { 0 };
	hostile_last = none;
	hostile_probing = true;
	hostile_probe_run(fn);
	hostile_probing = false;
	struct hostile_outcome o = { hostile_last.trapped, hostile_last.vector,
				     hostile_last.error, hostile_last.eip, hostile_last.eflags };
	return o;
}

void hostile_report(const char *row, const char *what, const struct hostile_outcome *o)
{
	static const char *const names[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD",
					     "#NM", "#DF", "vector 9", "#TS", "#NP", "#SS",
					     "#GP", "#PF", "vector 15", "#MF", "#AC" };

	if (!o->trapped)
		guest_printf("HOSTILE-RESULT: %s: %s: no trap\n", row, what);
	else if (o->vector < sizeof(names) / sizeof(names[0]))
		guest_printf("HOSTILE-RESULT: %s: %s: %s error 0x%x\n", row, what,
			     names[o->vector], o->error);
	else
		guest_printf("HOSTILE-RESULT: %s: %s: vector %u error 0x%x\n", row, what,
			     o->vector, o->error);
}

static struct x86_tss hostile_tss __attribute__((aligned(128)));
static uint8_t hostile_tss_stack[HOSTILE_TSS_ESP0_BYTES] __attribute__((aligned(16)));

void hostile_tss_install(uint16_t link)
{
	memset(&hostile_tss, 0, sizeof hostile_tss);
	hostile_tss.link = link;
	hostile_tss.ss0 = GUEST_SEL_DATA;
	hostile_tss.esp0 = (uint32_t)(hostile_tss_stack + sizeof hostile_tss_stack);
	hostile_tss.iomap_base = sizeof hostile_tss;
	guest_gdt_set(HOSTILE_SEL_TSS >> 3, desc_make((uint32_t)&hostile_tss, sizeof hostile_tss - 1,
						      DESC_HI_P | DESC_SYS_TSS_AVAIL << 8));
	ltr(HOSTILE_SEL_TSS);
}

static int hostile_usage(const char *why)
{
	guest_printf("hostile: %s; usage: hostile <row>; rows:", why);
	for (unsigned i = 0; i < HOSTILE_ROWS; i++)
		guest_printf(" %s", hostile_rows[i].name);
	guest_printf("\n");
	return GUEST_EXIT_USAGE;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	char name[48];
	const struct hostile_row *row = 0;

	if (!guest_mb_arg(info, 0, name, sizeof(name)))
		return hostile_usage("no row named on the command line");
	for (unsigned i = 0; i < HOSTILE_ROWS; i++)
		if (strcmp(hostile_rows[i].name, name) == 0)
			row = &hostile_rows[i];
	if (!row)
		return hostile_usage("unknown row");

	guest_desc_init();
	guest_pic_mask_all();
	for (unsigned v = 0; v < 32; v++)
		guest_trap_set_handler(v, hostile_trap);
	guest_printf("HOSTILE: %s\n", row->name);
	row->run();
	guest_printf("HOSTILE-DONE: %s\n", row->name);
	return GUEST_EXIT_OK;
}
