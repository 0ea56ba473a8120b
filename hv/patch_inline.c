/*
 * hv/patch_inline.c: the inline patch mode (--patch inline) on the
 * hypervisor's side.
 * Runs in: hypervisor, ring 0: at load (the pages), at the start and end of
 * every trap (the state page), and on the traps the patch code causes.
 *
 * 1. The pages, in the switcher's slot (hv/layout.h): the state page
 *    (writable by the guest kernel), the tables and the patch code
 *    (read-only). Ring 1 reaches supervisor pages, so they stay supervisor;
 *    in ring 3 the guest kernel's page directory entry for the slot, and
 *    these pages alone in it, are user pages (the switcher's stay
 *    supervisor). Nothing else of the hypervisor is on them: what the guest
 *    writes there is two words the hypervisor reads as booleans and a level
 *    (four at a trap on an IRET template's real IRET: the old two too).
 * 2. The state page and the vCPU, at every trap (hv/patch_inline.h); a
 *    trap at an IRET template's real IRET first puts back what the
 *    template changed (deprivilege/inline_patch.c, "IRET"), so that it is
 *    the trap of the guest's own IRET. The tables page also holds the
 *    region map the IRET template reads, filled once after planning.
 * 3. The patch code's own traps: the pending check's INT3, and a stray
 *    jump into a region's replaced bytes.
 * 4. Interrupts: delivered only at a point of the patch code, with the
 *    guest's own address in the frame; between points they wait, and the
 *    patch code is single-stepped (the real TF, as after STI in hv/virq.c)
 *    to the next point, so a waiting interrupt is never late by more than a
 *    few instructions.
 * 5. Guest user code that runs a patched site (code shared by the kernel and
 *    its user programs): the region is undone and its sites trap instead.
 * 6. The entry stubs of direct gates (hv/direct.c), one per vector on the
 *    last patch code page: for a system call gate (DPL 3) the virtual IF
 *    made 1, then the guest's handler; for a kernel gate (DPL 0, INT n from
 *    the kernel or #DE) a jump to one of two bodies just before that page,
 *    which make the frame the bare CPU's (RPL 0, the virtual IF and IOPL)
 *    and the virtual IF the gate's, then return into the handler
 *    (deprivilege/inline_patch.c). Neither holds a point: a tick that
 *    arrives there is single-stepped (4.) to the handler's first
 *    instruction and delivered there, with the frame and the virtual IF
 *    the bare CPU has after the gate (none through an interrupt gate).
 */
#include "hv/patch_inline.h"
#include "hv/address_space.h"
#include "hv/console.h"
#include "hv/guest_access.h"
#include "hv/layout.h"
#include "hv/machine.h"
#include "hv/patch.h"
#include "hv/stats.h"
#include "hv/vdev.h"
#include "lib/mmu.h"
#include "lib/string.h"

/* What the patch code and the hypervisor share, at PATCH_STATE_LA. */
struct inline_state {
	uint32_t vif;		/* EFLAGS_IF or 0 */
	uint32_t viopl;		/* IOPL << 12 */
	uint32_t pending;	/* EFLAGS_IF while an interrupt waits for IF */
	uint32_t vif_saved;	/* the IRET template's: vif before its real IRET */
	uint32_t viopl_saved;	/* and viopl */
	uint32_t eax_saved;	/* the IRET template's scratch: the guest's EAX */
};

static uint8_t state_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t tables_page[PAGE_SIZE / 4] __attribute__((aligned(PAGE_SIZE)));
static uint8_t code_pages[PATCH_CODE_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* 6. The two bodies of the direct kernel gates' entry (trap gate, interrupt gate). */
#define KERNEL_BODIES_BYTES	(2 * INLINE_KERNEL_BODY_MAX)

/* The region map the IRET template reads (read-only), before the bodies. */
#define REGION_MAP_OFFSET	(sizeof code_pages - PAGE_SIZE - KERNEL_BODIES_BYTES - \
				 INLINE_REGION_MAP_BYTES)

static uint32_t kernel_body_offset(int interrupt_gate)
{
	return sizeof code_pages - PAGE_SIZE - KERNEL_BODIES_BYTES +
	       (interrupt_gate ? INLINE_KERNEL_BODY_MAX : 0);
}

static int inline_on;
static unsigned guest_ring;
static int iret_write_refused;	/* this trap came at an IRET template's write into the frame (2.) */

static volatile struct inline_state *state(void)
{
	return (volatile struct inline_state *)state_page;
}

void patch_inline_choose(int on, unsigned ring)
{
	inline_on = on;
	guest_ring = ring;
}

int patch_inline_active(void)
{
	return inline_on;
}

uint32_t guest_linear_top(void)
{
	return inline_on ? PATCH_AREA_END : GUEST_LINEAR_TOP;
}

static struct inline_plan *plan_of(const struct vcpu *v)
{
	return &machine_of_const(v)->patches->inline_plan;
}

/* 1. The pages. */
void patch_inline_start(struct patch_table *t, uint32_t region_map_base)
{
	struct inline_plan *p = &t->inline_plan;

	memset(p, 0, sizeof *p);
	memset(code_pages, 0xCC, sizeof code_pages);	/* anything unplanned traps */
	p->code = code_pages;
	p->code_la = PATCH_CODE_LA;
	/* The last page: 6.; the two kernel gate bodies before it, the region map before them. */
	p->code_size = REGION_MAP_OFFSET;
	p->regions = t->regions;
	p->max_regions = PATCH_MAX_SITES;
	p->points = t->points;
	p->max_points = PATCH_INLINE_MAX_POINTS;
	p->layout = (struct inline_layout){
		.vif = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, vif),
		.viopl = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, viopl),
		.pending = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, pending),
		.if_table = PATCH_TABLES_LA,
		.iopl_table = PATCH_TABLES_LA + 256 * 4,
		.ring = guest_ring,
		.vif_saved = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, vif_saved),
		.viopl_saved = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, viopl_saved),
		.iret_esp_max = SWITCHER_BASE - 5 * 4,
		.region_map = PATCH_CODE_LA + REGION_MAP_OFFSET,
		.region_map_base = region_map_base,
		.eax_saved = PATCH_STATE_LA + __builtin_offsetof(struct inline_state, eax_saved),
	};
	inline_fill_tables(tables_page, tables_page + 256);
	t->inline_refused = 0;
	for (int interrupt_gate = 0; interrupt_gate < 2; interrupt_gate++) {
		uint32_t off = kernel_body_offset(interrupt_gate);
		if (!inline_kernel_entry_body(code_pages + off, INLINE_KERNEL_BODY_MAX,
					      PATCH_CODE_LA + off, &p->layout, interrupt_gate))
			hv_panic("inline patch code: a kernel gate body does not fit");
	}
}

void patch_inline_map(struct patch_table *t)
{
	inline_fill_region_map(&t->inline_plan, code_pages + REGION_MAP_OFFSET);
	uint32_t user = guest_ring == 3 ? PTE_U : 0;

	memset(state_page, 0, sizeof state_page);	/* virtual IF 0, as the guest is entered */
	hv_space_map_for_guest(PATCH_STATE_LA, (uint32_t)state_page, PTE_W | user);
	hv_space_map_for_guest(PATCH_TABLES_LA, (uint32_t)tables_page, user);
	for (uint32_t i = 0; i < PATCH_CODE_PAGES; i++)
		hv_space_map_for_guest(PATCH_CODE_LA + i * PAGE_SIZE,
				       (uint32_t)code_pages + i * PAGE_SIZE, user);
	if (user)
		hv_space_switcher_user_pde();
}

/* 2. The state page and the vCPU. */
static int in_code(uint32_t la);
static void iret_commit_undo(struct vcpu *v);

void patch_inline_sync_in(struct vcpu *v)
{
	iret_write_refused = 0;
	v->virt_if = (state()->vif & EFLAGS_IF) != 0;
	v->virt_iopl = (state()->viopl & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	if (in_code(guest_segment_base((uint16_t)v->regs.cs) + v->regs.eip))
		iret_commit_undo(v);
}

void patch_inline_sync_out(struct machine *m)
{
	const struct vdev *controller;

	iret_write_refused = 0;
	state()->vif = m->cpu.virt_if ? EFLAGS_IF : 0;
	state()->viopl = (m->cpu.virt_iopl << EFLAGS_IOPL_SHIFT) & EFLAGS_IOPL;
	state()->pending = vdev_pending_vector(m, &controller) >= 0 ? EFLAGS_IF : 0;
}

static int in_code(uint32_t la)
{
	return la >= PATCH_CODE_LA && la < PATCH_AREA_END;
}

static uint32_t code_base(const struct vcpu *v)
{
	return guest_segment_base((uint16_t)v->regs.cs);
}

/* A region not undone whose replaced bytes hold la after their first. */
static const struct inline_region *live_region_inside(const struct vcpu *v, uint32_t la)
{
	const struct inline_region *r = inline_region_inside(plan_of(v), la);
	return r && !r->undone ? r : NULL;
}

int patch_inline_in_replaced_bytes(const struct vcpu *v, uint32_t la)
{
	return inline_on && live_region_inside(v, la) != NULL;
}

/* 3. The patch code's own traps. */
int patch_inline_int3(struct vcpu *v, uint32_t la)
{
	if (!inline_on)
		return 0;
	if (in_code(la)) {
		const struct inline_point *p = inline_point_at(plan_of(v), la);
		if (!p || (p->kind != INLINE_AT_CHECK && p->kind != INLINE_AT_CHECK_RET))
			return 0;
		stats_trap(&v->regs, 0, "inline-check");
		/* virq_deliver delivers on the way out, the frame saying p->guest_la... */
		if (p->kind == INLINE_AT_CHECK) {
			v->regs.eip++;
			return 1;
		}
		/*
		 * ... or, for a RET in STI's shadow, the RET done first, as the bare
		 * CPU does. Should its pop fault, the guest sees the fault on the RET.
		 */
		const struct inline_region *r = live_region_inside(v, p->guest_la);
		uint32_t at_ret = r ? inline_resume_at(plan_of(v), r, p->guest_la) : 0, ret;
		if (!at_ret)
			hv_panic("inline patch code: no point for the RET at 0x%08x", p->guest_la);
		v->regs.eip = at_ret - code_base(v);
		if (!guest_pop_or_fault(v, 4, &ret, 0))
			v->regs.eip = ret;
		return 1;
	}
	const struct inline_region *r = live_region_inside(v, la);
	if (!r)
		return 0;
	uint32_t resume = inline_resume_at(plan_of(v), r, la);
	if (!resume)
		hv_exit_stopped("the guest jumped to 0x%08x, inside an instruction moved into patch code",
				la);
	stats_trap(&v->regs, 0, "inline-redirect");
	v->regs.eip = resume - code_base(v);
	return 1;
}

/*
 * A trap at an IRET template's commit (its write into the frame's CS word,
 * or its real IRET: a fault of the IRET's own, a tick, a single step, a
 * hidden page fault on the frame's last words): the template had already
 * taken the virtual IF and IOPL from the frame and, returning to the
 * kernel, perhaps turned the frame's CS from RPL 0 to the real ring. Put
 * back, and the EIP moved to the template's trapping IRET (the guest's own,
 * at the same guest_la), the state is the guest's at its IRET and the trap
 * is that IRET's; whatever resumes there runs it trapped and emulated.
 * Only the IF bit and IOPL's two bits of the saved words are taken, and
 * the frame is written only where it still holds what the template wrote:
 * guest memory, through the guest's pages.
 */
static void iret_commit_undo(struct vcpu *v)
{
	uint32_t la = code_base(v) + v->regs.eip;
	const struct inline_point *p = inline_point_at(plan_of(v), la);
	if (!p || (p->kind != INLINE_AT_IRET_WRITE && p->kind != INLINE_AT_IRET_COMMIT &&
		   p->kind != INLINE_AT_IRET_COMMIT_USER))
		return;
	uint32_t own = inline_iret_own_at(plan_of(v), la);
	if (!own)
		hv_panic("inline patch code: no trapping IRET after the commit at 0x%08x", la);
	v->regs.eip = own - code_base(v);
	v->virt_if = (state()->vif_saved & EFLAGS_IF) != 0;
	v->virt_iopl = (state()->viopl_saved & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
	if (p->kind == INLINE_AT_IRET_WRITE) {
		iret_write_refused = 1;	/* the write did not happen: nothing to put back */
		return;
	}
	if (p->kind != INLINE_AT_IRET_COMMIT)
		return;
	uint32_t cs_la = guest_segment_base((uint16_t)v->regs.ss) + v->regs.esp + 4;
	uint16_t cs;
	if (!guest_read(v, cs_la, &cs, sizeof cs) && SEL_RPL(cs) == guest_ring) {
		cs &= (uint16_t)~3u;
		guest_write(v, cs_la, &cs, sizeof cs);
	}
}

int patch_inline_iret_write_refused(void)
{
	return iret_write_refused;
}

/* 4. Interrupts and frames. */
int patch_inline_may_deliver(const struct vcpu *v)
{
	uint32_t la = code_base(v) + v->regs.eip;
	if (!inline_on || !in_code(la))
		return 1;
	const struct inline_point *p = inline_point_at(plan_of(v), la);
	return p && (p->kind == INLINE_AT_INSN || p->kind == INLINE_AT_END);
}

uint32_t patch_inline_guest_eip(const struct vcpu *v, uint32_t eip)
{
	uint32_t base = code_base(v), la = base + eip;
	if (!inline_on || !in_code(la))
		return eip;
	const struct inline_point *p = inline_point_at(plan_of(v), la);
	if (!p || p->kind == INLINE_AT_CHECK || p->kind == INLINE_AT_CHECK_RET)
		hv_exit_stopped("unemulated: an exception inside inline patch code at 0x%08x", la);
	return p->guest_la - base;
}

void patch_inline_leave(struct vcpu *v)
{
	if (!inline_on || v->user_mode)
		return;
	uint32_t base = code_base(v), la = base + v->regs.eip;
	const struct inline_region *r = live_region_inside(v, la);
	if (!r)
		return;
	uint32_t resume = inline_resume_at(plan_of(v), r, la);
	if (!resume)
		hv_exit_stopped("the guest returns to 0x%08x, inside an instruction moved into patch code",
				la);
	v->regs.eip = resume - base;
}

/* 5. User code at a patched site. */
int patch_inline_user_entry(struct vcpu *v, uint32_t cr2)
{
	if (!inline_on || !v->user_mode || !in_code(cr2))
		return 0;
	struct patch_table *t = machine_of(v)->patches;
	const struct inline_region *found = inline_region_by_code(&t->inline_plan, cr2);
	/*
	 * Only user code that ran the region's own JMP: the fetch of the first
	 * byte of its patch code. A user read of the patch pages, or a jump
	 * into their middle, undid a kernel region and moved the user's EIP.
	 */
	if (!found || found->undone || cr2 != found->code_la || cr2 != code_base(v) + v->regs.eip)
		return 0;
	unsigned i = (unsigned)(found - t->regions);
	struct inline_region *r = &t->regions[i];
	uint8_t *code = v->mem + t->region_gpa[i];

	inline_restore(code, r->la, r);
	for (unsigned k = 0; k < t->nsites; k++)
		if (t->sites[k].la - r->la < r->len)
			patcher_apply(code, r->la, &t->sites[k]);
	r->undone = 1;
	stats_trap(&v->regs, 0, "inline-undone");
	v->regs.eip -= cr2 - r->la;	/* back to the site, now the guest's own bytes */
	return 1;
}

uint32_t patch_inline_kernel_entry_stub(unsigned vector, uint32_t handler_offset, int interrupt_gate)
{
	uint32_t offset = sizeof code_pages - PAGE_SIZE + (vector & 0xFF) * INLINE_ENTRY_STUB_LEN;
	uint32_t stub_la = PATCH_CODE_LA + offset;

	_Static_assert(INLINE_KERNEL_STUB_LEN <= INLINE_ENTRY_STUB_LEN, "a kernel stub fits a vector's slot");
	memset(code_pages + offset, 0xCC, INLINE_ENTRY_STUB_LEN);
	inline_kernel_entry_stub(code_pages + offset, stub_la,
				 PATCH_CODE_LA + kernel_body_offset(interrupt_gate), handler_offset);
	return stub_la;
}

int patch_inline_read(uint32_t la, void *dst, uint32_t len)
{
	if (!inline_on || !in_code(la) || len > PATCH_AREA_END - la)
		return -1;
	memcpy(dst, code_pages + (la - PATCH_CODE_LA), len);
	return 0;
}

/* 6. Entry stubs: 256 of INLINE_ENTRY_STUB_LEN bytes fill the last page. */
_Static_assert(256 * INLINE_ENTRY_STUB_LEN == PAGE_SIZE, "one entry stub per vector on a page");

uint32_t patch_inline_entry_stub(const struct vcpu *v, unsigned vector, uint32_t handler_la)
{
	uint32_t offset = sizeof code_pages - PAGE_SIZE + (vector & 0xFF) * INLINE_ENTRY_STUB_LEN;
	uint32_t stub_la = PATCH_CODE_LA + offset;

	inline_entry_stub(code_pages + offset, stub_la, &plan_of(v)->layout, handler_la);
	return stub_la;
}
