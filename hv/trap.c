/*
 * hv/trap.c: where every trap from the guest lands, in C.
 * Runs in: hypervisor, ring 0, called by hv/switcher.S.
 *
 * The policy fits in one switch (as lguest's did):
 *   #GP -> emulate (hv/emulate.c): the guest ran something privileged;
 *   #PF -> a shadow page table to fill, a fault for the guest, or an
 *          access outside its memory that stops it;
 *   any other exception -> the guest's own handler (hv/reflect.c);
 *   a hardware interrupt -> the hypervisor's devices (hv/virq.c).
 * On the way out, a virtual interrupt the guest can take now is delivered.
 * The guest's registers are copied into the vCPU on the way in and back
 * into the trap frame on the way out, after a check that the switcher's
 * IRET can load every selector in it.
 */
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/direct.h"
#include "hv/emulate.h"
#include "hv/fast_trap.h"
#include "hv/guest_mode.h"
#include "hv/lapic_page.h"
#include "hv/layout.h"
#include "hv/machine.h"
#include "hv/mmio.h"
#include "hv/patch_inline.h"
#include "hv/reflect.h"
#include "hv/stats.h"
#include "hv/switcher.h"
#include "hv/trap_cost.h"
#include "hv/vcpu.h"
#include "hv/virq.h"
#include "lib/mmu.h"
#include "hv/shadow.h"

/* Exceptions for which the CPU pushes an error code (Intel SDM vol. 3, 6.13). */
static int has_error_code(unsigned vector)
{
	return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) ||
	       vector == VEC_AC;
}

static void guest_page_fault(struct vcpu *v)
{
	uint32_t la = read_cr2();
	const char *what = v->regs.error & PF_ERR_W ? "wrote" : "read";

	/*
	 * Guest user code outside its segments, inside guest memory: a CPU that
	 * checks segment limits would have raised #GP(0) (#SS(0) for the stack).
	 */
	if (v->user_mode && la < v->mem_bytes && !guest_mode_user_may_touch(v, la)) {
		stats_trap(&v->regs, 0, "reflect");
		reflect_to_guest(v, VEC_GP, 0, v->regs.eip, 0);
		return;
	}
	/* Paging off: linear is guest-physical, and a device may answer there. */
	if (la >= v->mem_bytes && la < SWITCHER_BASE && mmio_access(v, la, la))
		return;
	stats_trap(&v->regs, 0, "stop");
	if (la >= SWITCHER_BASE)
		hv_exit_stopped("forbidden: the guest %s 0x%08x, the hypervisor's switcher, at eip 0x%08x",
				what, la, v->regs.eip);
	hv_exit_stopped("forbidden: the guest %s 0x%08x, outside its %u MiB, at eip 0x%08x",
			what, la, v->mem_bytes >> 20, v->regs.eip);
}

/*
 * A data selector the switcher's ring-0 segment pops would fault on becomes
 * null; the bare CPU keeps a stale descriptor cached instead (a known
 * difference: the guest changed its GDT under a loaded segment). At CPL 0
 * a data or non-conforming code segment needs RPL <= DPL.
 */
static uint32_t loadable_data_selector(uint32_t sel)
{
	const struct x86_desc *d = cpu_tables_gdt_entry((uint16_t)sel);
	/* A null selector loads at any CPL, whatever its RPL, which reads back as written. */
	if ((sel & 0xFFFCu) == 0)
		return sel & 3u;
	if (!d || !DESC_P(*d) || !DESC_S(*d))
		return 0;
	unsigned type = DESC_TYPE(*d);
	if ((type & DESC_TYPE_CODE) && !(type & DESC_TYPE_READABLE))
		return 0;
	int conforming = (type & DESC_TYPE_CODE) && (type & DESC_TYPE_CONFORMING);
	if (!conforming && SEL_RPL(sel) > DESC_DPL(*d))
		return 0;
	return sel;
}

/* The real EFLAGS bits a deprivileged guest keeps as it set them. */
#define GUEST_EFLAGS_KEPT (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | \
			   EFLAGS_TF | EFLAGS_DF | EFLAGS_OF | EFLAGS_NT | EFLAGS_RF | \
			   EFLAGS_AC | EFLAGS_ID)
_Static_assert(GUEST_EFLAGS_KEPT == EFLAGS_HV_GUEST_KEPT,
	       "the fast trap path keeps the same bits (hv/layout.h)");

/*
 * What the trap came in with: a selector the real CPU held at the guest's
 * ring, with the real tables as they still are, passes every check below
 * again (the CPU checked it as strictly when it loaded it, and the
 * switcher's IRET checks no more at ring 0), so only selectors the
 * hypervisor changed, or all of them after a change to the tables or the
 * guest's mode, are checked. Under TCG each check costs calls and table
 * reads on every trap.
 */
struct frame_at_entry {
	uint32_t cs, ss, ds, es, fs, gs;
	uint32_t tables;	/* cpu_tables_generation */
	int user_mode;
};

static void check_frame(struct vcpu *v, const struct frame_at_entry *in)
{
	struct trap_frame *f = &v->regs;
	unsigned cpl = v->user_mode ? 3 : v->ring;
	/*
	 * The CPU held them at that ring only if CS came in with its RPL: the
	 * guest's own IRET or far RET through a conforming or LDT code segment
	 * reaches ring 3 without a trap, and must stop at the next one (`fuzz
	 * --seed 2027 --replay 1842`: with the check skipped, a #PF there was
	 * hidden for ever and the timer's delivery panicked in the switcher).
	 */
	int same = in->tables == cpu_tables_generation && in->user_mode == v->user_mode &&
		   (in->cs & 3) == cpl;

	/*
	 * A CS or SS the guest held when its tables changed (LGDT, LLDT, an
	 * entry rewritten) stays cached in the bare CPU until reloaded; the
	 * switcher's IRET reloads it from the new table (docs/guest-contract.md).
	 */
	int stale = in->tables != cpu_tables_generation;

	if ((!same || f->cs != in->cs) && !cpu_tables_code_ok((uint16_t)f->cs, cpl)) {
		if (stale && f->cs == in->cs)
			hv_exit_stopped("unemulated: the guest's code segment 0x%x, cached before its tables changed at 0x%08x, is not usable at ring %u under them",
					f->cs, f->eip, cpl);
		hv_exit_stopped("the guest's code segment 0x%x is not usable at ring %u", f->cs, cpl);
	}
	/* QEMU TCG would IRET there anyway; a real CPU faults in the switcher. */
	if (f->eip > desc_limit(*cpu_tables_gdt_entry((uint16_t)f->cs)))
		hv_exit_stopped("the guest's EIP 0x%08x lies beyond its code segment's limit", f->eip);
	if ((!same || f->ss != in->ss) && !cpu_tables_stack_ok((uint16_t)f->ss, cpl)) {
		if (stale && f->ss == in->ss)
			hv_exit_stopped("unemulated: the guest's stack segment 0x%x, cached before its tables changed at 0x%08x, is not usable at ring %u under them",
					f->ss, f->eip, cpl);
		hv_exit_stopped("the guest's stack segment 0x%x is not usable at ring %u", f->ss, cpl);
	}
	if (!same || f->ds != in->ds)
		f->ds = loadable_data_selector(f->ds);
	if (!same || f->es != in->es)
		f->es = loadable_data_selector(f->es);
	if (!same || f->fs != in->fs)
		f->fs = loadable_data_selector(f->fs);
	if (!same || f->gs != in->gs)
		f->gs = loadable_data_selector(f->gs);
	/*
	 * Whatever the guest did, it runs with interrupts really on, IOPL 0 and
	 * no virtual-8086 mode. NT is the guest's to keep (POPF sets it at any
	 * CPL): the switcher's IRET runs with NT clear, so only the guest's own
	 * next IRET is a task return, which faults with #TS through the
	 * hypervisor's TSS and is redone by emulate_task_return.
	 */
	f->eflags = (f->eflags & GUEST_EFLAGS_KEPT) | EFLAGS_IF | EFLAGS_FIXED;
}

/*
 * The frame word by word, unrolled. GCC copies a struct this size with REP
 * MOVSL, and under TCG each repetition of a string instruction is a
 * translated block run again: 19 blocks each way, on every trap.
 */
static inline __attribute__((always_inline)) void copy_frame(struct trap_frame *dst,
							    const struct trap_frame *src)
{
	uint32_t *d = (uint32_t *)dst;
	const uint32_t *s = (const uint32_t *)src;
	_Static_assert(sizeof *dst % 4 == 0, "a trap frame is whole words");
#pragma GCC unroll 32
	for (unsigned i = 0; i < sizeof *dst / 4; i++)
		d[i] = s[i];
}

void hv_trap(struct trap_frame *frame)
{
	struct machine *m = &the_machine;
	struct vcpu *v = &m->cpu;
	unsigned vector = frame->vector;
	uint32_t began = trap_cost_now();
	int inline_mode = patch_inline_active();	/* chosen at boot */

	trap_cost_trap_begins();
	/*
	 * The virtual IF as the fast trap path's CLI and STI left it, and the
	 * traps it answered since the last one here, counted before this one.
	 */
	if (fast_trap_on) {
		fast_trap_sync_in(v);
		fast_trap_fold();
	}
	/*
	 * QEMU TCG lets IRET set VM at CPL 1 or 3, where a real CPU ignores
	 * it; at the guest's virtual ring 0 it would mean virtual-8086 mode,
	 * which the virtual CPU does not offer. The frame is longer (the CPU
	 * pushed ES, DS, FS and GS too) and never goes back.
	 */
	if (frame->eflags & EFLAGS_VM)
		hv_exit_stopped("unemulated: the guest runs in virtual-8086 mode (eip 0x%08x, cs 0x%x)",
				frame->eip, frame->cs & 0xFFFF);
	copy_frame(&v->regs, frame);
	if (v->direct_active)
		direct_trap_entry(v);
	/* Under --patch inline the guest kernel changed its IF and IOPL in the state page. */
	if (inline_mode && !v->user_mode)
		patch_inline_sync_in(v);
	struct frame_at_entry in = {
		frame->cs, frame->ss, frame->ds, frame->es, frame->fs, frame->gs,
		cpu_tables_generation, v->user_mode,
	};
	if (virq_step_done(m, vector)) {
		stats_trap(&v->regs, 0, "hidden");	/* the guest never sees this step */
		goto back_to_guest;
	}
	if (shadow_single_step(v, vector))
		goto back_to_guest;
	switch (vector) {
	case VEC_GP:
		emulate_general_protection(v);
		break;
	case VEC_PF:
		if (patch_inline_user_entry(v, read_cr2()))
			break;
		if (shadow_paging_on(v))
			shadow_page_fault(v, read_cr2(), v->regs.error);
		else
			guest_page_fault(v);
		break;
	case VEC_NP:
		emulate_segment_not_present(v);
		break;
	case VEC_SS:
		/* A stack segment the guest rewrote after LGDT, or one the hypervisor hid. */
		if (v->regs.error && emulate_gdt_entry_changed(v, v->regs.error)) {
			stats_trap(&v->regs, 0, "emulate");
			break;
		}
		stats_trap(&v->regs, 0, "reflect");
		reflect_to_guest(v, vector, v->regs.error, v->regs.eip, 0);
		break;
	case VEC_UD:
		if (!emulate_invalid_opcode(v)) {
			stats_trap(&v->regs, 0, "reflect");
			reflect_to_guest(v, vector, REFLECT_NO_ERROR_CODE, v->regs.eip, 0);
		}
		break;
	case VEC_TS:
		if (!emulate_task_return(v)) {
			stats_trap(&v->regs, 0, "reflect");
			reflect_to_guest(v, vector, v->regs.error, v->regs.eip, 0);
		}
		break;
	default:
		if (vector < 32) {
			stats_trap(&v->regs, 0, "reflect");
			reflect_to_guest(v, vector,
					 has_error_code(vector) ? v->regs.error
								: REFLECT_NO_ERROR_CODE,
					 v->regs.eip, 0);
		} else {
			stats_trap(&v->regs, 0, "interrupt");
			virq_host_interrupt(m, vector);
		}
		break;
	}
back_to_guest:;
	uint32_t way_out = trap_cost_now();
	virq_deliver(m);
	/*
	 * Tested here rather than first thing in the callee: under TCG a call
	 * and its return are blocks looked up afresh after each CR3 switch.
	 */
	if (m->lapic_page_mapped)
		lapic_page_sync(m);
	if (m->direct.enabled)
		direct_sync(m);
	if (inline_mode) {
		patch_inline_leave(v);
		patch_inline_sync_out(m);
	}
	if (m->modes->nvolatile)
		guest_mode_hide_volatile_entries(v);
	check_frame(v, &in);
	/* Output backed up behind a slow UART goes out as the UART takes it, never waited for. */
	if (console_pending())
		console_drain();
	copy_frame(frame, &v->regs);
	if (fast_trap_on)
		fast_trap_sync_out(m);
	uint32_t done = trap_cost_now();
	trap_cost_record(COST_WAY_OUT, done - way_out);
	trap_cost_record(COST_HANDLING, done - began);
}

/* A trap taken while the hypervisor itself was running: a bug, never the guest's doing. */
void hv_fault(const struct trap_frame *frame)
{
	char buf[16];
	hv_panic("%s in the hypervisor at 0x%08x (error 0x%x, cr2 0x%08x)",
		 vector_name(frame->vector, buf), frame->eip, frame->error, read_cr2());
}
