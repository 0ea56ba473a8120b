/*
 * hv/fast_trap.c: the fast trap path (hv/fast_trap.S) on the hypervisor's
 * side: choosing it, its pages, the state it reads, and its counts.
 * Runs in: hypervisor, ring 0: at boot, and at the start and end of every
 * trap that reaches hv_trap.
 *
 * 1. Chosen at boot in ring 3 with --direct, unless the inline patch mode
 *    (which keeps the kernel's IF and IOPL in a page the guest writes) or
 *    tracing (which writes a line for every trap) is on: in every other
 *    mode the switcher never leaves for it and its pages are not mapped
 *    for the guest.
 * 2. Its pages join the switcher's slot in every guest address space, all
 *    supervisor pages: the code and the state page read-only, the counts
 *    page writable. The guest kernel runs at CPL 3, so paging alone keeps
 *    it from reading, writing or running any of them.
 * 3. The state page is made current at the end of every trap, as
 *    hv/lapic_page.c keeps its page: whether an IN or OUT to a port nothing
 *    owns, a CLI or a STI may be answered without the hypervisor now
 *    (fast_trap_sync_out says when not), whether an interrupt waits, and,
 *    once, which ports nothing owns.
 * 4. The counts page: at the start of every trap the virtual IF is taken
 *    back from it, and the traps answered since are added to the
 *    statistics as the full path would have counted them, before this
 *    trap's own, so the summary's counts and their order are those of a
 *    run without the fast path.
 */
#include "hv/fast_trap.h"
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/decode.h"
#include "hv/guest_mode.h"
#include "hv/hot.h"
#include "hv/machine.h"
#include "hv/shadow.h"
#include "hv/stats.h"
#include "hv/switcher.h"
#include "hv/vdev.h"
#include "lib/mmu.h"
#include "lib/string.h"

int fast_trap_on HV_HOT;

/* The pages as the hypervisor reaches them (hv/address_space.c maps them writable for it). */
static volatile uint32_t *state_word(unsigned offset)
{
	return (volatile uint32_t *)(fast_trap_state_page + offset);
}

static volatile uint32_t *counts_word(unsigned offset)
{
	return (volatile uint32_t *)(fast_trap_counts_page + offset);
}

_Static_assert(FAST_TRAP_PORTS <= 0x10000 && FT_PORTS + FAST_TRAP_PORTS <= PAGE_SIZE,
	       "the port table fits the state page");
_Static_assert(FT_SAMPLES + FAST_TRAP_SAMPLES * 4 <= PAGE_SIZE, "the samples fit the counts page");
_Static_assert((FAST_TRAP_SAMPLES & (FAST_TRAP_SAMPLES - 1)) == 0, "the fast path masks the index");

/* 1. */
void fast_trap_choose(unsigned ring, int direct, int inline_mode, int trace)
{
	fast_trap_on = ring == 3 && direct && !inline_mode && !trace;
}

/* 2. and 3.: the port table, then the pages. */
void fast_trap_init(struct machine *m)
{
	(void)m;
	if (!fast_trap_on)
		return;
	if ((uint32_t)fast_trap_start != FAST_TRAP_CODE_LA ||
	    (uint32_t)fast_trap_state_page != FAST_TRAP_STATE_LA ||
	    (uint32_t)fast_trap_counts_page != FAST_TRAP_COUNTS_LA)
		hv_panic("fast trap path linked at 0x%08x, not 0x%08x (hv/hv.ld, hv/layout.h)",
			 (uint32_t)fast_trap_start, FAST_TRAP_CODE_LA);
	memset(fast_trap_state_page, 0, PAGE_SIZE);
	memset(fast_trap_counts_page, 0, PAGE_SIZE);
	uint8_t *ports = fast_trap_state_page + FT_PORTS;
	for (unsigned port = 0; port < FAST_TRAP_PORTS; port++) {
		uint8_t bits = 0;
		if (!vdev_port_claimed((uint16_t)port, 1, 0))
			bits |= FT_PORT_IN_BYTE;
		if (!vdev_port_claimed((uint16_t)port, 4, 0))
			bits |= FT_PORT_IN_DWORD;
		if (!vdev_port_claimed((uint16_t)port, 1, 1))
			bits |= FT_PORT_OUT_BYTE;
		if (!vdev_port_claimed((uint16_t)port, 4, 1))
			bits |= FT_PORT_OUT_DWORD;
		ports[port] = bits;
	}
	hv_space_map_for_guest(FAST_TRAP_CODE_LA, fast_trap_phys(fast_trap_start), 0);
	hv_space_map_for_guest(FAST_TRAP_STATE_LA, fast_trap_phys(fast_trap_state_page), 0);
	hv_space_map_for_guest(FAST_TRAP_COUNTS_LA, fast_trap_phys(fast_trap_counts_page), PTE_W);
	switcher_fast_trap_on = 1;
}

/*
 * 3. What the way out of a full trap does that the fast path does not,
 * and when it would matter to a trap the fast path answered instead:
 *   - a virtual interrupt the guest can take is delivered (virq_deliver):
 *     so not while one waits with the virtual IF set (one waits after a
 *     delivery through a trap gate, or while a single step to deliver it
 *     runs); with IF clear none can be taken until a STI, which the fast
 *     path answers only while none waits at all (FT_NOTHING_WAITS);
 *   - a single step of the hypervisor's own ends at the #DB that follows
 *     the next instruction (an interrupt after STI, a page-table write):
 *     its TF is in the frame, which the fast path refuses anyway;
 *   - a GDT entry the guest rewrote is hidden again, except the one a load
 *     just ran on: so not while any entry is watched;
 *   - the local APIC's copy gets the timer's current count: so not while
 *     the guest's APIC timer runs, since a kernel may time a delay of
 *     port 0x80 accesses against the count (the fastpath guest's
 *     lapic-timer-counts-down does), which would stand still;
 *   - output backed up behind the UART goes out: it waits for the next
 *     full trap, at the latest the next timer interrupt.
 * And the IN, OUT, CLI or STI itself is the guest's #GP unless its virtual
 * CPL may run it (all four are IOPL-sensitive): its kernel always, its
 * user code only with IOPL 3.
 */
void fast_trap_sync_out(struct machine *m)
{
	const struct vcpu *v = &m->cpu;
	const struct vdev *controller;
	int waits = vdev_pending_vector(m, &controller) >= 0;
	int may = (!v->user_mode || v->virt_iopl == 3) && !v->irq_step &&
		  v->sti_shadow.state == INTERRUPT_SHADOW_NONE &&
		  !m->shadow->step.npages && !m->modes->nvolatile &&
		  !(m->lapic_page_mapped && m->lapic.timer_armed) && !(v->virt_if && waits);
	*state_word(FT_MAY_ANSWER) = (uint32_t)may;
	*state_word(FT_NOTHING_WAITS) = (uint32_t)!waits;
	*counts_word(FT_VIF) = v->virt_if ? EFLAGS_IF : 0;
}

/*
 * 4. The virtual IF: the fast path's CLI and STI write it on the counts
 * page, which the guest can neither read nor write (a supervisor page),
 * so what is there is the hypervisor's own word or its code's.
 */
void fast_trap_sync_in(struct vcpu *v)
{
	v->virt_if = (*counts_word(FT_VIF) & EFLAGS_IF) != 0;
	if (*counts_word(FT_SHADOW)) {
		*counts_word(FT_SHADOW) = 0;
		interrupt_shadow_hold_at(&v->sti_shadow, *counts_word(FT_SHADOW_CS),
					 *counts_word(FT_SHADOW_EIP));
	}
}

/* 4. */
static void fold(unsigned offset, unsigned id)
{
	uint32_t n = *counts_word(offset);
	if (n) {
		stats_fast_traps(VEC_GP, id, decode_insn_name(id), n);
		*counts_word(offset) = 0;
	}
}

void fast_trap_fold(void)
{
	fold(FT_INS, X86_INS_IN);
	fold(FT_OUTS, X86_INS_OUT);
	fold(FT_CLIS, X86_INS_CLI);
	fold(FT_STIS, X86_INS_STI);
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

void fast_trap_report(void)
{
	static uint32_t sorted[FAST_TRAP_SAMPLES];

	if (!fast_trap_on)
		return;
	uint32_t answered = *counts_word(FT_ANSWERED);
	console_event("stat what=\"traps answered on the fast trap path\" count=%u", answered);
	uint32_t n = answered < FAST_TRAP_SAMPLES ? answered : FAST_TRAP_SAMPLES;
	if (!n)
		return;
	for (uint32_t i = 0; i < n; i++)
		sorted[i] = *counts_word(FT_SAMPLES + 4 * i);
	qsort(sorted, n, sizeof sorted[0], compare_u32);
	console_event("stat what=\"cycles fast trap path median\" count=%u", sorted[n / 2]);
}
