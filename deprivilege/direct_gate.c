/*
 * deprivilege/direct_gate.c: the rules for a direct system call gate and
 * its stack (see direct_gate.h for each rule's reason).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include <stddef.h>

#include "deprivilege/direct_gate.h"

/* The S bit of a descriptor: set, it is a code or data segment, never a gate. */
#define GATE_NOT_SYSTEM 0x10u

static int refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return 0;
}

/* The gate's code segment: the rules both kinds of direct gate share. */
static int code_check(struct x86_gate g, const struct x86_desc *code, unsigned guest_ring,
		      const char **why)
{
	if ((g.selector & SEL_TI) || SEL_INDEX(g.selector) == 0 || !code)
		return refuse(why, "its selector names no code segment of the guest's GDT");
	if (!DESC_P(*code) || !DESC_S(*code) || !(DESC_TYPE(*code) & DESC_TYPE_CODE))
		return refuse(why, "its selector names no present code segment");
	if (DESC_TYPE(*code) & DESC_TYPE_CONFORMING)
		return refuse(why, "a conforming code segment would run the handler in ring 3");
	if (!DESC_DB(*code))
		return refuse(why, "a 16-bit code segment");
	if (DESC_DPL(*code) != guest_ring)
		return refuse(why, "its code segment is not the guest kernel's ring");
	if (GATE_OFFSET(g) > desc_limit(*code))
		return refuse(why, "its offset lies beyond its code segment's limit");
	if (why)
		*why = NULL;
	return 1;
}

int direct_gate_check(struct x86_gate g, const struct x86_desc *code, unsigned guest_ring,
		      const char **why)
{
	if (guest_ring != 1)
		return refuse(why, "only a guest kernel in ring 1 has a ring of its own to enter");
	if (!GATE_P(g))
		return refuse(why, "gate not present");
	if ((g.type_attr & GATE_NOT_SYSTEM) || GATE_TYPE(g) != DESC_SYS_TRAP_GATE)
		return refuse(why, "not a 32-bit trap gate");
	if (GATE_DPL(g) != 3)
		return refuse(why, "not a gate for user mode (DPL 3)");
	return code_check(g, code, guest_ring, why);
}

int direct_kernel_gate_check(struct x86_gate g, const struct x86_desc *code, unsigned guest_ring,
			     const char **why)
{
	if (guest_ring != 1)
		return refuse(why, "only a guest kernel in ring 1 has a ring of its own to enter");
	if (!GATE_P(g))
		return refuse(why, "gate not present");
	if ((g.type_attr & GATE_NOT_SYSTEM) ||
	    (GATE_TYPE(g) != DESC_SYS_TRAP_GATE && GATE_TYPE(g) != DESC_SYS_INT_GATE))
		return refuse(why, "not a 32-bit interrupt or trap gate");
	if (GATE_DPL(g) != 0)
		return refuse(why, "not a gate for the kernel alone (DPL 0)");
	return code_check(g, code, guest_ring, why);
}

struct x86_gate direct_kernel_gate_make(struct x86_gate g, unsigned guest_ring,
					uint32_t stub_offset)
{
	return gate_make((uint16_t)((g.selector & ~3u) | guest_ring), stub_offset,
			 DESC_SYS_TRAP_GATE, guest_ring);
}

struct x86_gate direct_gate_make(struct x86_gate g, unsigned guest_ring)
{
	return gate_make((uint16_t)((g.selector & ~3u) | guest_ring), GATE_OFFSET(g),
			 DESC_SYS_TRAP_GATE, 3);
}

int direct_stack_check(uint16_t ss0, const struct x86_desc *d, unsigned guest_ring,
		       uint32_t esp0, uint32_t linear_top, const char **why)
{
	if ((ss0 & SEL_TI) || SEL_INDEX(ss0) == 0 || !d)
		return refuse(why, "its stack selector names no data segment of the guest's GDT");
	if (!DESC_P(*d) || !DESC_S(*d) || (DESC_TYPE(*d) & DESC_TYPE_CODE) ||
	    !(DESC_TYPE(*d) & DESC_TYPE_WRITABLE))
		return refuse(why, "its stack segment is not a present writable data segment");
	if (DESC_DPL(*d) != guest_ring)
		return refuse(why, "its stack segment is not the guest kernel's ring");
	if (esp0 > linear_top || esp0 < DIRECT_FRAME_BYTES)
		return refuse(why, "its stack pointer leaves no room for a frame below the switcher");
	if (why)
		*why = NULL;
	return 1;
}
