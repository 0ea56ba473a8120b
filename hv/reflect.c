/*
 * hv/reflect.c: exceptions and interrupts the guest should handle itself.
 * Runs in: hypervisor, ring 0.
 *
 * Every exception the guest causes reaches the hypervisor first (all real
 * IDT gates lead to the switcher). Those that are the guest's own business
 * (#DE, #UD, #NP, a #GP that is a real protection fault, INT n, ...) are
 * passed on here, through the guest's virtual IDT, with the frame a ring-0
 * kernel expects. The frame holds the guest's virtual CS (RPL 0) and
 * virtual EFLAGS, so the guest's IRET traps too (returning to RPL 0 from
 * ring 1 is a #GP) and the hypervisor can restore the virtual IF that the
 * real IRET would silently ignore.
 */
#include "hv/reflect.h"
#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/guest_access.h"
#include "hv/guest_mode.h"
#include "hv/layout.h"
#include "hv/trap_cost.h"
#include "hv/direct.h"
#include "hv/patch_inline.h"
#include "deprivilege/descriptor.h"
#include "deprivilege/exception_rules.h"
#include "lib/format.h"

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "vector 9", "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *vector_name(unsigned vector, char buf[16])
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	tv_snprintf(buf, 16, "vector %u", vector);
	return buf;
}

uint32_t guest_visible_eflags(const struct vcpu *v)
{
	uint32_t fl = v->regs.eflags & ~(EFLAGS_IF | EFLAGS_IOPL);
	if (v->virt_if)
		fl |= EFLAGS_IF;
	return fl | v->virt_iopl << EFLAGS_IOPL_SHIFT;
}

static void __attribute__((noreturn)) no_handler(const struct vcpu *v, unsigned vector,
						 const char *why, const char *insn_text)
{
	char buf[16];
	hv_exit_stopped("unhandled exception %s at 0x%08x (%s): %s",
			vector_name(vector, buf), v->regs.eip,
			insn_text ? insn_text : "?", why);
}

/*
 * A #DF the bare CPU could not deliver either: it shuts down, and QEMU
 * resets the machine, as it does natively (`native: the machine reset`).
 */
static void __attribute__((noreturn)) triple_fault(const struct vcpu *v, const char *how,
						   const char *insn_text)
{
	hv_exit_stopped("triple fault at 0x%08x%s%s%s: %s", v->regs.eip, insn_text ? " (" : "",
			insn_text ? insn_text : "", insn_text ? ")" : "", how);
}

static void deliver(struct vcpu *v, unsigned vector, uint32_t error, uint32_t return_eip,
		    const char *insn_text, enum exception_event kind);

/*
 * Delivering vector (an event of kind), the bare CPU met exception second:
 * it delivers second, or a #DF, or shuts down (SDM vol. 3, 6.15, Table
 * 6-5: deprivilege/exception_rules.c). Nothing of the first delivery has
 * changed the guest's state yet.
 */
static void deliver_nested(struct vcpu *v, unsigned vector, enum exception_event kind,
			   unsigned second, uint32_t error, const char *how, const char *insn_text)
{
	int next = exception_during_delivery(vector, kind, second);
	if (next == EXCEPTION_SHUTDOWN)
		triple_fault(v, how, insn_text);
	deliver(v, (unsigned)next, next == VEC_DF ? 0 : error, v->regs.eip, insn_text,
		EXCEPTION_EVENT_FAULT);
}

/*
 * kind: an exception, INT n (INT3, INTO), or an external interrupt; faults
 * met while delivering INT n have EXT clear in their error code, the
 * others set it.
 */
static void deliver(struct vcpu *v, unsigned vector, uint32_t error, uint32_t return_eip,
		    const char *insn_text, enum exception_event kind)
{
	struct x86_gate gate;
	const char *why = 0;

	if (!v->idt_loaded)
		no_handler(v, vector, "the guest has no handler for it", insn_text);
	/*
	 * A vector beyond the IDT's limit is #GP(vector * 8 + 2 + EXT), and a
	 * gate marked not present #NP(the same), at the instruction or event
	 * that needed it (SDM vol. 3, 6.13, "Error Code"), delivered in turn,
	 * or turned into a #DF or a triple fault by the double-fault rule.
	 */
	uint32_t idt_error = vector * 8 + 2 + (kind == EXCEPTION_EVENT_SOFTWARE ? 0 : 1);
	if (vector * 8 + 7 > v->virt_idtr.limit) {
		deliver_nested(v, vector, kind, VEC_GP, idt_error,
			       "#DF lies beyond the guest's IDT limit", insn_text);
		return;
	}
	if (guest_read_system(v, v->virt_idtr.base + vector * 8, &gate, sizeof gate))
		no_handler(v, vector, "the guest's IDT lies outside its memory", insn_text);
	if (!GATE_P(gate)) {
		deliver_nested(v, vector, kind, VEC_NP, idt_error,
			       "the #DF's gate is not present", insn_text);
		return;
	}
	if (!gate_check(gate, &why))
		no_handler(v, vector, why, insn_text);

	const struct x86_desc *code = cpu_tables_gdt_entry(gate.selector);
	if (!code || SEL_INDEX(gate.selector) >= GDT_GUEST_ENTRIES || !DESC_P(*code) ||
	    !(DESC_TYPE(*code) & DESC_TYPE_CODE) || !DESC_S(*code))
		no_handler(v, vector, "its IDT gate names no usable code segment", insn_text);

	/*
	 * From guest kernel mode the frame goes on the kernel's own stack; from
	 * guest user mode onto the stack its TSS names, with the user's SS:ESP
	 * first, as the bare CPU does on a change of privilege.
	 */
	uint32_t frame[6];
	unsigned n = 0;
	if (error != REFLECT_NO_ERROR_CODE)
		frame[n++] = error;
	frame[n++] = patch_inline_guest_eip(v, return_eip);	/* never a patch code address */
	frame[n++] = v->user_mode ? v->regs.cs : v->regs.cs & ~3u;
	frame[n++] = guest_visible_eflags(v);
	if (v->user_mode) {
		uint32_t tss[3];	/* link, esp0, ss0 */
		if (!v->virt_tr || guest_read_system(v, v->virt_tss_base, tss, sizeof tss))
			no_handler(v, vector, "it came from user mode and the guest has no usable TSS",
				   insn_text);
		frame[n++] = v->regs.esp;
		frame[n++] = v->regs.ss;
		guest_mode_enter_kernel(v);
		v->regs.ss = (tss[2] & ~3u) | v->ring;
		v->regs.esp = tss[1];
		if (!cpu_tables_stack_ok((uint16_t)v->regs.ss, v->ring))
			no_handler(v, vector, "the kernel stack segment in the guest's TSS is not usable",
				   insn_text);
	}
	/*
	 * frame[] is already in memory order (the error code lowest, where ESP
	 * ends), so the pushes are one write: one translation instead of one a
	 * word. A write that cannot be made whole writes nothing, and the guest
	 * is stopped as it was after a failed push.
	 */
	uint32_t esp = v->regs.esp - n * 4, fault_la, fault_error;
	int refused = guest_write_frame(v, guest_segment_base((uint16_t)v->regs.ss) + esp, frame,
					n * 4, &fault_la, &fault_error);
	if (refused < 0) {
		char buf[16];
		hv_exit_stopped("the guest's stack at 0x%08x is outside its memory while delivering %s",
				v->regs.esp, vector_name(vector, buf));
	}
	if (refused) {
		/*
		 * The guest's paging refuses the frame: the bare CPU raises #PF
		 * (SDM vol. 3, 6.15: serially after a benign or contributory
		 * event, a #DF after a #PF), whose frame goes on the same stack
		 * and is no smaller, so it is refused too, and so is the #DF's
		 * after it: the CPU shuts down within three deliveries
		 * (test_exception_rules, refused_frames_end_in_shutdown). Seen
		 * with a stack lost by a RET imm16: `fuzz --seed 2027 --replay
		 * 21887`.
		 */
		char how[128], buf[16];
		v->virt_cr2 = fault_la;	/* SDM vol. 3, 4.7: the page fault's address */
		tv_snprintf(how, sizeof how, "the guest's paging refuses the frame of %s at ESP 0x%08x (error 0x%x)%s",
			    vector_name(vector, buf), v->regs.esp, fault_error,
			    vector == VEC_DF ? "" : vector == VEC_PF ? ", and the #DF's"
								       : ", the #PF's and the #DF's");
		triple_fault(v, how, insn_text);
	}
	v->regs.esp = esp;
	v->regs.cs = (gate.selector & ~3u) | v->ring;	/* the CPU ignores a gate's RPL */
	v->regs.eip = GATE_OFFSET(gate);
	if (GATE_TYPE(gate) == DESC_SYS_INT_GATE)
		v->virt_if = 0;
	v->regs.eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF);
	v->deliveries++;
	/* The guest's own INT n and exceptions may find its gate direct next time (hv/direct.c). */
	if (kind != EXCEPTION_EVENT_EXTERNAL)
		direct_kernel_gate_used(v, vector);
}

void reflect_to_guest(struct vcpu *v, unsigned vector, uint32_t error,
		      uint32_t return_eip, const char *insn_text)
{
	uint32_t started = trap_cost_now();
	deliver(v, vector, error, return_eip, insn_text, EXCEPTION_EVENT_FAULT);
	trap_cost_record(COST_REFLECT, trap_cost_now() - started);
}

void reflect_external_interrupt(struct vcpu *v, unsigned vector)
{
	uint32_t started = trap_cost_now();
	deliver(v, vector, REFLECT_NO_ERROR_CODE, v->regs.eip, 0, EXCEPTION_EVENT_EXTERNAL);
	trap_cost_record(COST_REFLECT, trap_cost_now() - started);
}

void reflect_software_interrupt(struct vcpu *v, unsigned vector, uint32_t return_eip,
				const char *insn_text)
{
	struct x86_gate gate;
	/* INT n checks the gate's DPL against the CPL: the guest's, not the real one. */
	if (v->idt_loaded && vector * 8 + 7 <= v->virt_idtr.limit &&
	    !guest_read_system(v, v->virt_idtr.base + vector * 8, &gate, sizeof gate) &&
	    GATE_DPL(gate) < guest_virtual_cpl(v)) {
		reflect_to_guest(v, VEC_GP, vector * 8 + 2, v->regs.eip, insn_text);
		return;
	}
	uint32_t started = trap_cost_now();
	deliver(v, vector, REFLECT_NO_ERROR_CODE, return_eip, insn_text, EXCEPTION_EVENT_SOFTWARE);
	trap_cost_record(COST_REFLECT, trap_cost_now() - started);
}
