/*
 * guests/popf_demo/popf_demo_irq_ops.c: the guest's interrupt-flag
 * operations in one place, done one of two ways: with the plain
 * instructions (CLI, STI, PUSHF, POPF, MOV from CS), as a kernel written for
 * the bare machine does, or by asking the hypervisor (lib/hypercall.h), as
 * a paravirtualized kernel does (Xen's and lguest's "pv_irq_ops").
 * Runs in: guest.
 *
 * The hypercalls are used only when the command line asks for them and the
 * loader says it is trapvisor: on the bare machine there is no hypervisor
 * to ask, and INT 0x82 would go to this guest's own IDT.
 */
#include "guests/popf_demo/popf_demo.h"
#include "lib/hypercall.h"
#include "lib/x86.h"

/* ---- the plain instructions ---- */

static void native_irq_disable(void)
{
	cli();
}

static void native_irq_enable(void)
{
	sti();
}

static uint32_t native_save_flags(void)
{
	return read_eflags();
}

static void native_restore_flags(uint32_t flags)
{
	write_eflags(flags);
}

static const struct popf_demo_irq_ops native_irq_ops = {
	.paravirt = false,
	.irq_disable = native_irq_disable,
	.irq_enable = native_irq_enable,
	.save_flags = native_save_flags,
	.restore_flags = native_restore_flags,
	.read_cs = read_cs,
};

/* ---- the hypercalls ---- */

/* One call: INT 0x82, "tv" and the call number in EAX, the argument in EBX. */
static uint32_t hypercall(enum tv_hypercall call, uint32_t arg)
{
	uint32_t result;

	__asm__ volatile("int %[vector]"
			 : "=a"(result)
			 : [vector] "i"(TV_HYPERCALL_VECTOR), "a"(TV_HYPERCALL_MAGIC | call),
			   "b"(arg)
			 : "memory", "cc");
	return result;
}

static void paravirt_irq_disable(void)
{
	hypercall(TV_HC_IRQ_DISABLE, 0);
}

static void paravirt_irq_enable(void)
{
	hypercall(TV_HC_IRQ_ENABLE, 0);
}

static uint32_t paravirt_save_flags(void)
{
	return hypercall(TV_HC_SAVE_FLAGS, 0);
}

static void paravirt_restore_flags(uint32_t flags)
{
	hypercall(TV_HC_RESTORE_FLAGS, flags);
}

static uint16_t paravirt_read_cs(void)
{
	return (uint16_t)hypercall(TV_HC_READ_CS, 0);
}

static const struct popf_demo_irq_ops paravirt_irq_ops = {
	.paravirt = true,
	.irq_disable = paravirt_irq_disable,
	.irq_enable = paravirt_irq_enable,
	.save_flags = paravirt_save_flags,
	.restore_flags = paravirt_restore_flags,
	.read_cs = paravirt_read_cs,
};

/* Until popf_demo_irq_ops_select(), the plain instructions. */
const struct popf_demo_irq_ops *popf_demo_irq = &native_irq_ops;

void popf_demo_irq_ops_select(bool paravirt)
{
	popf_demo_irq = paravirt ? &paravirt_irq_ops : &native_irq_ops;
}
