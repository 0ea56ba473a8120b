/*
 * hv/direct.c: direct system calls (direct=1): a system call from the
 * guest's user mode reaches the guest kernel's handler without the
 * hypervisor, as lguest's direct traps and Xen's fast system call did.
 * Runs in: hypervisor, ring 0, at the start and end of every trap.
 *
 * Trapped, a system call costs two traps: the INT (its real gate has DPL 0,
 * so it is a #GP the hypervisor turns into a delivery) and the kernel's
 * IRET back (the user code segment is not present in the kernel's view of
 * the GDT, so it is a #NP the hypervisor completes). Both exist so the
 * hypervisor can switch the GDT view and the address space between the
 * guest's kernel and user modes. With the guest kernel in ring 1 neither
 * switch is needed once
 *   1. user code runs on the kernel's page tables: with the guest's paging
 *      on, its kernel shadow, where ring 3 is user and ring 1 supervisor,
 *      so the guest's U/S bits keep its user code out of its kernel just as
 *      on the bare machine; this holds only with the guest's CR0.WP set
 *      (with it clear the kernel's shadow makes read-only user pages
 *      writable, for the kernel). With its paging off, the physical-mode
 *      tables, which map all of guest memory: only while a user segment
 *      covers all of it (otherwise the user tables are what confine user
 *      code to its segments, which QEMU TCG does not);
 *   2. the kernel's view of the GDT has the user code segments present, so
 *      the kernel's IRET to user mode runs on the CPU;
 *   3. the real IDT holds the guest's DPL-3 trap gates themselves, checked
 *      (deprivilege/direct_gate.c), and the real TSS's ring-1 stack is the
 *      guest's kernel stack (its TSS's ss0:esp0), so the CPU delivers INT n
 *      from ring 3 to the guest's handler in ring 1 on the guest's stack.
 * The hypervisor then learns the guest's mode from the real CPL at its
 * next trap (direct_trap_entry): CPL 3 is user mode, CPL 1 the kernel.
 *
 * What this costs in exactness (docs/guest-contract.md):
 *   - the kernel's IRET to user mode no longer passes the hypervisor, so
 *     the IF and IOPL in its frame are not seen: user code runs with the
 *     virtual IF 1 (set at the first trap from user mode) and the IOPL the
 *     kernel had. Kernels return to user mode with interrupts on;
 *   - the gates and ss0:esp0 are read from the guest's IDT and TSS at LIDT,
 *     LTR, CR3 writes and on the way out of every trap, not at every system
 *     call as the CPU reads them. So that a write to ss0:esp0 makes a trap,
 *     the page holding the guest TSS's esp0 is watched for writes (with its
 *     paging on): mapped read-only, each write stepped. A kernel whose TSS
 *     shares its page with data it writes all the time (xv6's struct cpu
 *     holds the lock nesting counters beside it) would pay a trap for each;
 *     after DIRECT_WATCH_IDLE_MAX writes in a row that left ss0:esp0 alone
 *     the watch is given up for good, and the kernel is taken to announce
 *     its stack with LTR, which traps (xv6 does). A kernel that then changes
 *     them and returns to user mode with no trap in between has its next
 *     system call go by the old ones.
 * Under --patch inline (hv/patch_inline.c) the kernel's untrapped IRET to
 * user mode leaves the state page with the kernel's virtual IF, which the
 * next direct system call's handler would read instead of the 1 the CPU
 * keeps through a trap gate: so each direct gate leads to an entry stub in
 * the patch code that sets the virtual IF to 1 through SS (DS is still the
 * user program's) and jumps to the handler (or, if the stub lies beyond
 * the handler's code segment, or SS does not reach the state page, the
 * gate traps). An interrupt that waits while user code runs is delivered at the
 * next trap, as without the inline mode. The local APIC page
 * (hv/lapic_page.c) works with it as without.
 * Without the inline mode, interrupt gates stay trapping (an interrupt
 * gate would clear the real IF, leaving the hypervisor's timer to the
 * guest until its next trap), as do kernel-mode INT n (the frame would
 * show the real EFLAGS and RPL 1 and its IRET would not restore the
 * virtual IF) and everything in ring 3, where kernel and user share the
 * CPL: the CPU could not tell them apart, and a gate from ring 3 to ring 3
 * switches no stack.
 *
 * Kernel gates (--patch inline, ring 1): the inline mode keeps the virtual
 * IF in the state page and patches the kernel's IRET (deprivilege/
 * inline_patch.c, "IRET"), which answers both objections. A DPL-0
 * interrupt or trap gate at vector 0 (#DE) or 0x31..0xFE that the kernel
 * has used through the hypervisor (reflect.c tells direct_kernel_gate_used
 * of each INT n and exception it delivers) goes into the real IDT, after
 * the system call gates and within DIRECT_GATES_MAX, as
 *   - a TRAP gate, never an interrupt gate: the real IF stays 1;
 *   - of DPL 1: the kernel's INT n reaches it, user mode's faults (#GP
 *     (vector * 8 + 2), reflected as the bare CPU raises it at the guest's
 *     DPL-0 gate);
 *   - to the vector's entry stub (hv/patch_inline.c, 6.), which makes the
 *     frame the bare CPU's at CPL 0 (RPL 0 from the kernel; the virtual IF
 *     and IOPL in its EFLAGS) and the virtual IF the gate's (0 through an
 *     interrupt gate), then enters the guest's handler. A tick that
 *     arrives on the stub waits (no point there) and is stepped to the
 *     handler's first instruction.
 * Only vectors the kernel uses, because every installed gate is read and
 * checked again on the way out of every trap, and a kernel's IDT has a
 * gate at every vector (xv6: 256). #DE is the one vector the real hardware
 * raises that may go so: only the guest's DIV, IDIV and AAM raise it (the
 * hypervisor never reflects a #DE of its own making, and the inline mode
 * never moves those instructions into patch code, so the CPU's frame has
 * the guest's own EIP). A #DE of the hypervisor's own (a division by zero
 * in ring 0) would meet a gate to DPL-1 code from CPL 0, which the CPU
 * refuses with #GP: the hypervisor panics, as on any fault of its own.
 * The figures: divide_error and int80_round_trip in ring 1 with --patch
 * inline --direct (docs/benchmarks.md, "Issue 14's trap path targets").
 *
 * Containment: everything the CPU uses is checked on its way into the real
 * tables: the gate must lead to a DPL-1 code segment of the guest's, within
 * its limit (which ends below the switcher), and the stack must be a DPL-1
 * data segment. A kernel stack pointer that leads nowhere good makes the
 * CPU's push fault, and that #PF reaches the hypervisor as any other
 * (docs/containment.md). The vectors the real hardware raises (0-31 and
 * the hypervisor's own 0x20-0x30 and 0xFF) are never direct, but #DE as a
 * kernel gate (above).
 */
#include "hv/direct.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/host_timer.h"
#include "hv/layout.h"
#include "hv/machine.h"
#include "hv/shadow.h"
#include "hv/switcher.h"
#include "hv/patch_inline.h"
#include "deprivilege/direct_gate.h"
#include "shadow_pt/shadow_mmu.h"

/* The vectors that may go direct: none the real hardware raises. */
#define DIRECT_VECTOR_FIRST	0x31
#define DIRECT_VECTOR_LAST	0xFE
_Static_assert(HOST_IRQ_VECTOR_BASE + 15 < DIRECT_VECTOR_FIRST &&
	       HOST_LAPIC_TIMER_VECTOR < DIRECT_VECTOR_FIRST,
	       "a direct gate must never take a real interrupt of the hypervisor's");

void direct_enable(struct machine *m)
{
	m->direct.enabled = 1;
}

void direct_trap_entry(struct vcpu *v)
{
	int user = (v->regs.cs & 3) == 3;
	if (user == v->user_mode)
		return;
	v->user_mode = user;
	/* The kernel's IRET to user mode ran on the CPU, which kept the real IF. */
	if (user)
		v->virt_if = 1;
}

/* The real descriptor a guest GDT selector names, or NULL (LDT, or not one of the guest's). */
static const struct x86_desc *guest_gdt_entry(uint16_t sel)
{
	if ((sel & SEL_TI) || SEL_INDEX(sel) == 0 || SEL_INDEX(sel) >= GDT_GUEST_ENTRIES)
		return 0;
	return cpu_tables_gdt_entry(sel);
}

static void remove_gates(struct direct_paths *d)
{
	for (unsigned i = 0; i < d->ngates; i++)
		cpu_tables_set_gate(d->gate[i].vector, 0);
	d->ngates = 0;
}

static void switch_mode(struct machine *m, int on)
{
	struct vcpu *v = &m->cpu;

	remove_gates(&m->direct);
	m->direct.scanned = 0;
	m->direct.stack_ok = 0;
	v->direct_active = on;
	if (!on)
		shadow_mmu_watch_page(m->shadow, 0, 0);
	guest_mode_set_direct(v, on);
	/* Kernel-only shadow entries must not serve user code, nor the other way round. */
	shadow_flush_all(v);
	guest_mode_refresh_cr3(v);
	m->direct.mode_switches++;
}

/*
 * Keep the page of the guest TSS's esp0 watched, and count the writes to it
 * since the last trap that changed nothing of ss0:esp0.
 */
static void watch_stack(struct machine *m, uint32_t esp0, uint32_t ss0)
{
	struct vcpu *v = &m->cpu;
	struct direct_paths *d = &m->direct;
	struct shadow_mmu *shadow = m->shadow;
	uint32_t writes = shadow->watch_writes - d->watch_writes_seen;
	uint32_t gpa, pf_error;

	d->watch_writes_seen = shadow->watch_writes;
	d->watch_writes_total += writes;
	if (esp0 != d->esp0 || ss0 != d->ss0)
		d->watch_idle = 0;
	else
		d->watch_idle += writes;
	d->esp0 = esp0;
	d->ss0 = ss0;
	if (d->watch_given_up)
		return;
	if (d->watch_idle >= DIRECT_WATCH_IDLE_MAX) {
		d->watch_given_up = 1;
		shadow_mmu_watch_page(shadow, 0, 0);
		return;
	}
	if (!shadow_paging_on(v) ||
	    shadow_translate(v, v->virt_tss_base + 4, 0, 1, &gpa, &pf_error) != SHADOW_TRANSLATED)
		return;
	if (!shadow->watching || (gpa & PAGE_MASK) != shadow->watch_gpa)
		shadow_mmu_watch_page(shadow, 1, gpa);
}

/* The guest TSS's ss0:esp0 as the real TSS's ring-1 stack. */
static int sync_stack(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	uint32_t esp_ss[2];	/* esp0, ss0 */

	if (!v->virt_tr || guest_read_system(v, v->virt_tss_base + 4, esp_ss, sizeof esp_ss))
		return 0;
	uint16_t ss = (uint16_t)((esp_ss[1] & ~3u) | v->ring);
	if (!direct_stack_check(ss, guest_gdt_entry(ss), v->ring, esp_ss[0], GUEST_LINEAR_TOP, 0))
		return 0;
	/*
	 * Under the inline mode the gates' entry stub stores the virtual IF
	 * through this SS (the user's DS is the user's to aim): it must be the
	 * state page itself, so the segment is based at 0 and reaches it.
	 */
	const struct x86_desc *sd = guest_gdt_entry(ss);
	if (patch_inline_active() &&
	    (desc_base(*sd) != 0 || (DESC_TYPE(*sd) & DESC_TYPE_EXPANDDOWN) ||
	     desc_limit(*sd) < PATCH_TABLES_LA + PAGE_SIZE - 1))
		return 0;
	if (switcher_tss.esp1 != esp_ss[0] || switcher_tss.ss1 != ss) {
		switcher_tss.esp1 = esp_ss[0];
		switcher_tss.ss1 = ss;
	}
	watch_stack(m, esp_ss[0], esp_ss[1]);
	return 1;
}

static int eligible(const struct vcpu *v, struct x86_gate g)
{
	return direct_gate_check(g, guest_gdt_entry(g.selector), v->ring, 0);
}

/* A vector a kernel gate may take: never one the real hardware raises, but #DE. */
static int kernel_vector(unsigned vec)
{
	return vec == VEC_DE || (vec >= DIRECT_VECTOR_FIRST && vec <= DIRECT_VECTOR_LAST);
}

static int kernel_eligible(const struct vcpu *v, const struct direct_paths *d, unsigned vec,
			   struct x86_gate g)
{
	return patch_inline_active() && kernel_vector(vec) &&
	       (d->kernel_used[vec / 32] >> (vec % 32) & 1) &&
	       direct_kernel_gate_check(g, guest_gdt_entry(g.selector), v->ring, 0);
}

void direct_kernel_gate_used(struct vcpu *v, unsigned vector)
{
	struct direct_paths *d = &machine_of(v)->direct;
	if (!d->enabled || !patch_inline_active() || vector > 255 ||
	    !kernel_vector(vector) || (d->kernel_used[vector / 32] >> (vector % 32) & 1))
		return;
	d->kernel_used[vector / 32] |= 1u << (vector % 32);
	d->scanned = 0;	/* the next sync looks at the IDT again */
}

/*
 * The real gate for an eligible kernel gate: a trap gate of DPL 1 to the
 * vector's entry stub, which must lie within the same code segment, as the
 * handler must lie below the switcher (see real_gate). Returns 0 if there is none.
 */
static int real_kernel_gate(const struct vcpu *v, unsigned vec, struct x86_gate g,
			    struct x86_gate *real)
{
	const struct x86_desc *code = guest_gdt_entry(g.selector);
	uint32_t base = desc_base(*code), handler = base + GATE_OFFSET(g);
	/* A handler inside a region's replaced bytes would have the CPU run them: it traps. */
	if (handler < base || handler >= GUEST_LINEAR_TOP || patch_inline_in_replaced_bytes(v, handler))
		return 0;
	uint32_t stub = patch_inline_kernel_entry_stub(vec, GATE_OFFSET(g),
						       GATE_TYPE(g) == DESC_SYS_INT_GATE) - base;
	if (stub > desc_limit(*code))
		return 0;
	*real = direct_kernel_gate_make(g, v->ring, stub);
	return 1;
}

static int install(struct direct_paths *d, unsigned vec, struct x86_gate g, int kernel,
		   const struct x86_gate *real)
{
	if (d->ngates == DIRECT_GATES_MAX)
		return 0;
	d->gate[d->ngates].vector = (uint8_t)vec;
	d->gate[d->ngates].kernel = (uint8_t)kernel;
	d->gate[d->ngates].guest = g;
	d->ngates++;
	cpu_tables_set_gate(vec, real);
	return 1;
}

/*
 * The real gate for an eligible guest gate at vector vec; under the inline
 * mode through the vector's entry stub, which must lie within the same code
 * segment. Returns 0 if there is none.
 */
static int real_gate(const struct vcpu *v, unsigned vec, struct x86_gate g, struct x86_gate *real)
{
	*real = direct_gate_make(g, v->ring);
	if (!patch_inline_active())
		return 1;
	const struct x86_desc *code = guest_gdt_entry(g.selector);
	uint32_t base = desc_base(*code), handler = base + GATE_OFFSET(g);
	/*
	 * Here the segment's limit reaches the patch pages, and so the
	 * switcher's below them: direct_gate_check let a handler there through,
	 * and the stub ran the switcher's own trap entry in ring 1.
	 */
	if (handler < base || handler >= GUEST_LINEAR_TOP || patch_inline_in_replaced_bytes(v, handler))
		return 0;
	uint32_t stub = patch_inline_entry_stub(v, vec, handler) - base;
	if (stub > desc_limit(*code))
		return 0;
	*real = gate_make(real->selector, stub, DESC_SYS_TRAP_GATE, 3);
	return 1;
}

/* Every vector of the guest's IDT looked at again: its table or address space changed. */
static void scan_idt(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	struct direct_paths *d = &m->direct;
	static struct x86_gate idt[256];

	remove_gates(d);
	d->scanned = 1;
	d->scanned_idt_base = v->virt_idtr.base;
	d->scanned_idt_limit = v->virt_idtr.limit;
	d->scanned_cr3 = v->virt_cr3;
	d->scans++;
	if (!v->idt_loaded)
		return;
	unsigned n = ((uint32_t)v->virt_idtr.limit + 1) / 8;
	if (n > 256)
		n = 256;
	if (guest_read_system(v, v->virt_idtr.base, idt, n * sizeof idt[0]))
		return;
	/* The system call gates first: they go direct whether or not used yet. */
	for (unsigned vec = DIRECT_VECTOR_FIRST; vec <= DIRECT_VECTOR_LAST && vec < n; vec++) {
		struct x86_gate real;
		if (eligible(v, idt[vec]) && real_gate(v, vec, idt[vec], &real) &&
		    !install(d, vec, idt[vec], 0, &real))
			return;
	}
	for (unsigned vec = 0; vec <= DIRECT_VECTOR_LAST && vec < n; vec++) {
		struct x86_gate real;
		if (kernel_eligible(v, d, vec, idt[vec]) && real_kernel_gate(v, vec, idt[vec], &real) &&
		    !install(d, vec, idt[vec], 1, &real))
			return;
	}
}

/* The installed gates, each read again and checked again (the GDT may have changed too). */
static void recheck_gates(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	struct direct_paths *d = &m->direct;

	for (unsigned i = 0; i < d->ngates;) {
		struct x86_gate g, real;
		unsigned vec = d->gate[i].vector;
		int changed = 0;
		int kernel = d->gate[i].kernel;
		/* A gate that changed its kind (DPL, interrupt or trap) goes: a scan may take it again. */
		if (guest_read_system(v, v->virt_idtr.base + vec * 8, &g, sizeof g) ||
		    g.type_attr != d->gate[i].guest.type_attr ||
		    !(kernel ? kernel_eligible(v, d, vec, g) : eligible(v, g)) ||
		    ((changed = g.offset_lo != d->gate[i].guest.offset_lo ||
				g.offset_hi != d->gate[i].guest.offset_hi ||
				g.selector != d->gate[i].guest.selector) &&
		     !(kernel ? real_kernel_gate(v, vec, g, &real) : real_gate(v, vec, g, &real)))) {
			cpu_tables_set_gate(vec, 0);
			d->gate[i] = d->gate[--d->ngates];
			continue;
		}
		if (changed) {
			d->gate[i].guest = g;
			cpu_tables_set_gate(vec, &real);
		}
		i++;
	}
}

void direct_sync(struct machine *m)
{
	struct vcpu *v = &m->cpu;
	struct direct_paths *d = &m->direct;

	if (!d->enabled)
		return;
	int want = v->ring == 1 &&
		   (shadow_paging_on(v) ? (v->virt_cr0 & CR0_WP) != 0 : guest_mode_user_is_flat(v));
	if (want != v->direct_active)
		switch_mode(m, want);
	if (!v->direct_active)
		return;
	d->stack_ok = sync_stack(m);
	if (!d->stack_ok) {
		/* No good kernel stack: every system call traps, and is refused as before. */
		remove_gates(d);
		d->scanned = 0;
		return;
	}
	if (!d->scanned || d->scanned_idt_base != v->virt_idtr.base ||
	    d->scanned_idt_limit != v->virt_idtr.limit || d->scanned_cr3 != v->virt_cr3)
		scan_idt(m);
	else
		recheck_gates(m);
}

void direct_report(const struct machine *m)
{
	const struct direct_paths *d = &m->direct;

	if (!d->enabled)
		return;
	unsigned kernel = 0;
	for (unsigned i = 0; i < d->ngates; i++)
		kernel += d->gate[i].kernel;
	console_event("stat what=\"direct: system call gates in the real IDT\" count=%u",
		      d->ngates - kernel);
	if (patch_inline_active())
		console_event("stat what=\"direct: kernel gates in the real IDT\" count=%u", kernel);
	console_event("stat what=\"direct: guest IDT scans\" count=%u", d->scans);
	console_event("stat what=\"direct: shared address space switched on or off\" count=%u",
		      d->mode_switches);
	console_event("stat what=\"direct: writes to the TSS's page stepped\" count=%u",
		      d->watch_writes_total);
	console_event("stat what=\"direct: TSS page watch given up\" count=%u", d->watch_given_up);
}
