/*
 * hv/guest_mode.c: guest kernel mode and guest user mode.
 * Runs in: hypervisor, ring 0, at LGDT and at every kernel/user transition.
 *
 * The guest kernel runs in ring 1 or 3 and its user code in ring 3, so the
 * real ring does not always tell them apart, and segment limits, which on a
 * bare machine keep user code inside its segments, are not checked by QEMU
 * TCG. The hypervisor therefore keeps two of everything:
 *
 * 1. Two views of the guest's GDT. In the kernel view every descriptor is
 *    compressed to the kernel's ring, and the guest's user code segments
 *    (DPL 3) are marked not present: a kernel's IRET, far RET or far JMP
 *    into user mode then faults (#NP) and the hypervisor sees the switch.
 *    In the user view descriptors keep the guest's own DPL, so user code
 *    loading a kernel segment gets the #GP a bare machine gives.
 * 2. Two address spaces. With the guest's paging off, the kernel's maps all
 *    of guest memory and the user's only the pages inside the guest's user
 *    segments, so user code reaching past them faults as it would on a CPU
 *    that checks limits. With its paging on, they are the kernel and user
 *    shadows of shadow_pt/shadow_mmu.c (hv/shadow.c).
 * Every transition goes through the hypervisor: user to kernel by a trap
 * (INT n, an exception, an interrupt, SYSENTER), kernel to user by the
 * faulting IRET/RET/JMP or SYSEXIT.
 */
#include "hv/guest_mode.h"
#include "hv/address_space.h"
#include "hv/cpu_tables.h"
#include "hv/machine.h"
#include "hv/patch_inline.h"
#include "hv/shadow.h"
#include "hv/switcher.h"
#include "deprivilege/descriptor.h"
#include "lib/mmu.h"
#include "lib/string.h"

_Static_assert(GUEST_MEM_MAX_MIB <= PHYSMODE_MAX_MIB,
	       "physmode tables must map the largest guest");

static int is_user_segment(struct x86_desc d)
{
	return DESC_P(d) && DESC_S(d) && DESC_DPL(d) == 3;
}

int guest_mode_is_user_code(const struct vcpu *v, uint16_t sel)
{
	const struct guest_modes *gm = machine_of_const(v)->modes;
	unsigned i = SEL_INDEX(sel);
	return !(sel & SEL_TI) && i > 0 && i < gm->guest_entries &&
	       is_user_segment(gm->guest_copy[i]) &&
	       (DESC_TYPE(gm->guest_copy[i]) & DESC_TYPE_CODE);
}

int guest_mode_guest_gdt_entry(const struct vcpu *v, uint16_t sel, struct x86_desc *d)
{
	const struct guest_modes *gm = machine_of_const(v)->modes;
	if ((sel & SEL_TI) || SEL_INDEX(sel) >= gm->guest_entries)
		return -1;
	*d = gm->guest_copy[SEL_INDEX(sel)];
	return 0;
}

int guest_mode_user_may_touch(const struct vcpu *v, uint32_t la)
{
	const struct guest_modes *gm = machine_of_const(v)->modes;
	for (unsigned i = 0; i < gm->user_nranges; i++)
		if (la >= gm->user_ranges[i].start &&
		    la - gm->user_ranges[i].start < gm->user_ranges[i].length)
			return 1;
	return 0;
}

int guest_mode_user_is_flat(const struct vcpu *v)
{
	const struct guest_modes *gm = machine_of_const(v)->modes;
	for (unsigned i = 0; i < gm->user_nranges; i++)
		if (gm->user_ranges[i].start == 0 && gm->user_ranges[i].length >= v->mem_bytes)
			return 1;
	return 0;
}

static void build_user_ranges(struct guest_modes *gm, const struct vcpu *v)
{
	gm->user_nranges = 0;
	for (unsigned i = 1; i < gm->guest_entries && gm->user_nranges < USER_RANGES_MAX; i++) {
		struct x86_desc d = gm->guest_copy[i];
		if (!is_user_segment(d))
			continue;
		uint32_t base = desc_base(d), limit = desc_limit(d);
		/* An expand-down segment covers everything above its limit: treat it as all of memory. */
		if (!(DESC_TYPE(d) & DESC_TYPE_CODE) && (DESC_TYPE(d) & DESC_TYPE_EXPANDDOWN))
			base = 0, limit = 0xFFFFFFFFu;
		if (base >= v->mem_bytes)
			continue;
		uint32_t length = limit >= v->mem_bytes - base ? v->mem_bytes - base : limit + 1;
		gm->user_ranges[gm->user_nranges].start = base;
		gm->user_ranges[gm->user_nranges].length = length;
		gm->user_nranges++;
	}
}

/*
 * Shadow guest descriptor g at index i into both views. (An entry the guest
 * fills only after LGDT faults when loaded: #GP or #NP with its selector,
 * and the hypervisor looks again at what the guest has written there,
 * hv/emulate_user.c.)
 */
static const char *shadow_entry(struct vcpu *v, struct guest_modes *gm, unsigned i,
				struct x86_desc g)
{
	const char *why = 0;
	struct x86_desc *kernel = &gm->kernel_view[i], *user = &gm->user_view[i];

	if (desc_shadow(g, v->ring, guest_linear_top(), kernel, &why) == DESC_REFUSE)
		return why;
	*user = *kernel;
	if (DESC_S(g)) {
		/* The user view keeps the guest's own DPL: ring 3 cannot use DPL 0..2. */
		user->hi = (user->hi & ~DESC_HI_DPL_MASK) | DESC_HI_DPL(DESC_DPL(g));
		if (is_user_segment(g) && (DESC_TYPE(g) & DESC_TYPE_CODE) && !gm->user_code_present)
			kernel->hi &= ~DESC_HI_P;
	}
	return 0;
}

const char *guest_mode_load_gdt(struct vcpu *v, const struct x86_desc *guest_gdt,
				unsigned entries, unsigned *refused_index)
{
	struct guest_modes *gm = machine_of(v)->modes;
	struct x86_desc *kernel_view = gm->kernel_view, *user_view = gm->user_view;

	memset(gm->kernel_view, 0, sizeof gm->kernel_view);
	memset(gm->user_view, 0, sizeof gm->user_view);
	memset(gm->guest_copy, 0, sizeof gm->guest_copy);
	memcpy(gm->guest_copy, guest_gdt, entries * sizeof guest_gdt[0]);
	gm->guest_entries = entries;
	gm->nvolatile = gm->volatile_next = gm->reloading = 0;

	for (unsigned i = 1; i < entries; i++) {
		const char *why = shadow_entry(v, gm, i, guest_gdt[i]);
		if (why) {
			*refused_index = i;
			return why;
		}
	}
	build_user_ranges(gm, v);
	if (gm->host_base)
		gm->user_cr3 = physmode_build_user(&gm->user_tables, gm->host_base, v->mem_bytes,
						   gm->user_ranges, gm->user_nranges,
						   PDX(SWITCHER_BASE), switcher_pde_for_guest_user());
	const struct x86_desc *view = v->user_mode && !v->direct_active ? user_view : kernel_view;
	/* Entries of a larger GDT loaded before are cleared with the rest. */
	unsigned real = entries > gm->real_entries ? entries : gm->real_entries;
	for (unsigned i = 1; i < real; i++)
		cpu_tables_set_guest_entry(i, view[i]);
	gm->real_entries = entries;
	return 0;
}

/*
 * A descriptor the guest rewrote after LGDT may be rewritten again, and the
 * real CPU loads a present shadow without trapping: from now on the entry is
 * absent from the real GDT between traps (guest_mode_hide_volatile_entries),
 * so every load of it after a trap faults and finds what the guest wrote.
 */
static void mark_volatile(struct guest_modes *gm, const struct x86_desc *view, unsigned index)
{
	for (unsigned i = 0; i < gm->nvolatile; i++)
		if (gm->volatile_index[i] == index)
			return;
	if (!DESC_S(gm->guest_copy[index]))
		return;	/* system descriptors are read by the emulated LTR and LLDT */
	if (gm->nvolatile < VOLATILE_ENTRIES_MAX) {
		gm->volatile_index[gm->nvolatile++] = (uint16_t)index;
		return;
	}
	/* The oldest stays present in the real GDT from now on, as every unwatched entry. */
	unsigned old = gm->volatile_index[gm->volatile_next];
	cpu_tables_set_guest_entry(old, view[old]);
	gm->volatile_index[gm->volatile_next] = (uint16_t)index;
	gm->volatile_next = (gm->volatile_next + 1) % VOLATILE_ENTRIES_MAX;
}

/* The view in the real GDT now: the user view in user mode, unless --direct keeps one view. */
static const struct x86_desc *current_view(const struct vcpu *v)
{
	const struct guest_modes *gm = machine_of_const(v)->modes;
	return v->user_mode && !v->direct_active ? gm->user_view : gm->kernel_view;
}

const char *guest_mode_update_gdt_entry(struct vcpu *v, unsigned index, struct x86_desc d)
{
	struct guest_modes *gm = machine_of(v)->modes;

	if (index == 0 || index >= gm->guest_entries)
		return "beyond the guest's GDT";
	const char *why = shadow_entry(v, gm, index, d);
	if (why)
		return why;
	gm->guest_copy[index] = d;
	/* A new user segment changes where guest user code may reach. */
	build_user_ranges(gm, v);
	if (gm->host_base)
		gm->user_cr3 = physmode_build_user(&gm->user_tables, gm->host_base, v->mem_bytes,
						   gm->user_ranges, gm->user_nranges,
						   PDX(SWITCHER_BASE), switcher_pde_for_guest_user());
	cpu_tables_set_guest_entry(index, current_view(v)[index]);
	guest_mode_refresh_cr3(v);
	mark_volatile(gm, current_view(v), index);
	gm->reloading = index;
	return 0;
}


static int frame_holds(const struct trap_frame *f, unsigned index)
{
	const uint32_t sel[6] = { f->cs, f->ss, f->ds, f->es, f->fs, f->gs };
	for (unsigned i = 0; i < 6; i++)
		if (!(sel[i] & SEL_TI) && SEL_INDEX(sel[i]) == index)
			return 1;
	return 0;
}

void guest_mode_hide_volatile_entries(struct vcpu *v)
{
	struct guest_modes *gm = machine_of(v)->modes;
	const struct x86_desc *view = current_view(v);

	for (unsigned i = 0; i < gm->nvolatile; i++) {
		unsigned index = gm->volatile_index[i];
		struct x86_desc d = view[index];
		/*
		 * A register the switcher reloads must find its entry (the bare CPU
		 * would keep it cached), and the load that faulted runs again on it.
		 */
		if (!frame_holds(&v->regs, index) && index != gm->reloading)
			d.hi &= ~DESC_HI_P;
		cpu_tables_set_guest_entry(index, d);
	}
	gm->reloading = 0;
}

int guest_mode_unhide_entry(struct vcpu *v, unsigned index)
{
	struct guest_modes *gm = machine_of(v)->modes;
	const struct x86_desc *real = cpu_tables_gdt_entry((uint16_t)(index << 3));
	const struct x86_desc *view = current_view(v);

	for (unsigned i = 0; i < gm->nvolatile; i++) {
		if (gm->volatile_index[i] != index)
			continue;
		if (!real || DESC_P(*real) || !DESC_P(view[index]))
			return 0;	/* absent in the guest's own descriptor: its fault */
		cpu_tables_set_guest_entry(index, view[index]);
		gm->reloading = index;
		return 1;
	}
	return 0;
}

void guest_mode_init_spaces(struct vcpu *v, uint32_t host_base)
{
	struct guest_modes *gm = machine_of(v)->modes;

	gm->host_base = host_base;
	gm->kernel_cr3 = physmode_build(&gm->kernel_tables, host_base, v->mem_bytes,
					PDX(SWITCHER_BASE), switcher_pde_for_guest());
	gm->user_cr3 = physmode_build_user(&gm->user_tables, host_base, v->mem_bytes,
					   gm->user_ranges, gm->user_nranges, PDX(SWITCHER_BASE),
					   switcher_pde_for_guest_user());
	shadow_init(v, host_base);
	guest_mode_refresh_cr3(v);
}

void guest_mode_refresh_cr3(struct vcpu *v)
{
	const struct guest_modes *gm = machine_of(v)->modes;

	if (shadow_paging_on(v))
		switcher_guest_cr3 = shadow_cr3(v);
	else
		switcher_guest_cr3 = v->user_mode && !v->direct_active ? gm->user_cr3 : gm->kernel_cr3;
}

static void load_view(const struct guest_modes *gm, const struct x86_desc *view)
{
	for (unsigned i = 1; i < gm->real_entries; i++)
		cpu_tables_set_guest_entry(i, view[i]);
}

void guest_mode_set_direct(struct vcpu *v, int on)
{
	struct guest_modes *gm = machine_of(v)->modes;

	gm->user_code_present = on;
	/* Every entry was accepted at LGDT; only the user code segments' P changes. */
	for (unsigned i = 1; i < gm->guest_entries; i++)
		shadow_entry(v, gm, i, gm->guest_copy[i]);
	load_view(gm, v->user_mode && !on ? gm->user_view : gm->kernel_view);
	guest_mode_refresh_cr3(v);
}

void guest_mode_enter_user(struct vcpu *v)
{
	if (v->user_mode)
		return;
	v->user_mode = 1;
	if (v->direct_active)
		return;		/* one view, one address space */
	load_view(machine_of(v)->modes, machine_of(v)->modes->user_view);
	guest_mode_refresh_cr3(v);
}

void guest_mode_enter_kernel(struct vcpu *v)
{
	if (!v->user_mode)
		return;
	v->user_mode = 0;
	if (v->direct_active)
		return;
	load_view(machine_of(v)->modes, machine_of(v)->modes->kernel_view);
	guest_mode_refresh_cr3(v);
}
