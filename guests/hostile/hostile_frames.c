/*
 * guests/hostile/hostile_frames.c: returns and encodings whose outcome the
 * architecture fixes, and a hypervisor must reproduce or refuse by name.
 * Runs in: guest.
 *
 *   iret-vm              IRET with VM set in the popped EFLAGS: at CPL 0
 *                        the guest enters virtual-8086 mode, where CLI
 *                        raises #GP(0) (IOPL 0). Virtual-8086 mode is not
 *                        offered under the hypervisor: it must stop the
 *                        guest, however the CPU let it in.
 *   iret-popped-nt       IRET whose popped EFLAGS has NT: an ordinary
 *                        return (only the current NT means a task return),
 *                        after which NT reads 1, even after a trap.
 *   iret-current-nt      NT set by POPF, then IRET: a task return, through
 *                        the back link of the guest's TSS, here null: #TS(0).
 *   iret-rpl3-kernel-cs  IRET to the kernel's code selector with RPL 3:
 *                        #GP(selector), its DPL 0 is not the RPL. (Should
 *                        the return go through, the probe ends there.)
 *   retf-rpl3-kernel-cs  the same with a far RET.
 *   lock-prefix          privileged and sensitive instructions with a LOCK
 *                        prefix, which none of them accepts: #UD.
 *   repne-outs           REPNE OUTSB repeats as REP OUTSB does: ECX to 0.
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_trap.h"
#include "lib/string.h"
#include "lib/x86.h"

/* --- iret-vm --- */

#define HOSTILE_V86_SEG		0x0800	/* real-mode segment: linear 0x8000 */
#define HOSTILE_V86_CODE	0x8000u
#define HOSTILE_V86_STACK	0x7000u

static void hostile_iret_to_v86(void)
{
	__asm__ volatile("pushl $0\n\t"		/* GS */
			 "pushl $0\n\t"		/* FS */
			 "pushl $0\n\t"		/* DS */
			 "pushl $0\n\t"		/* ES */
			 "pushl $0\n\t"		/* SS */
			 "pushl %0\n\t"		/* ESP */
			 "pushl %1\n\t"		/* EFLAGS: VM, IOPL 0 */
			 "pushl %2\n\t"		/* CS */
			 "pushl $0\n\t"		/* EIP */
			 "iretl"
			 : : "i"(HOSTILE_V86_STACK), "i"(EFLAGS_VM | EFLAGS_FIXED),
			   "i"(HOSTILE_V86_SEG) : "memory");
}

void hostile_iret_vm(void)
{
	const char *row = "iret-vm";
	/* CLI, which IOPL 0 makes fault in virtual-8086 mode, then a jump to itself. */
	static const uint8_t v86_code[] = { 0xFA, 0xEB, 0xFE };

	memcpy((void *)HOSTILE_V86_CODE, v86_code, sizeof v86_code);
	hostile_tss_install(0);	/* the fault from virtual-8086 mode needs ss0:esp0 */
	struct hostile_outcome o = hostile_try(hostile_iret_to_v86);
	hostile_report(row, "cli in virtual-8086 mode", &o);
	guest_printf("HOSTILE-RESULT: %s: the fault came from virtual-8086 mode: %s\n", row,
		     o.eflags & EFLAGS_VM ? "yes" : "no");
}

/* --- iret-popped-nt, iret-current-nt --- */

static volatile uint32_t hostile_nt_flags;

/* IRET to the next instruction with the kernel's CS (RPL 0) and `flags`. */
static void hostile_iret_with(uint32_t flags)
{
	__asm__ volatile("pushl %0\n\t"
			 "pushl %1\n\t"
			 "pushl $1f\n\t"
			 "iretl\n"
			 "1:"
			 : : "r"(flags), "i"(GUEST_SEL_CODE) : "memory");
}

static void hostile_iret_nt_popped(void)
{
	hostile_iret_with((read_eflags() & ~EFLAGS_IF) | EFLAGS_NT);
	uint32_t right_after = read_eflags();
	outb(0x80, 0);	/* a trap to the hypervisor and back */
	hostile_nt_flags = (right_after & EFLAGS_NT) | ((read_eflags() & EFLAGS_NT) << 1);
	write_eflags(read_eflags() & ~EFLAGS_NT);	/* before any IRET of the trap path */
}

void hostile_iret_popped_nt(void)
{
	const char *row = "iret-popped-nt";
	hostile_nt_flags = 0;
	struct hostile_outcome o = hostile_try(hostile_iret_nt_popped);
	hostile_report(row, "iret", &o);
	guest_printf("HOSTILE-RESULT: %s: NT after the iret %u, after a trap %u\n", row,
		     (hostile_nt_flags & EFLAGS_NT) != 0, (hostile_nt_flags & (EFLAGS_NT << 1)) != 0);
}

static void hostile_iret_nt_current(void)
{
	write_eflags(read_eflags() | EFLAGS_NT);
	hostile_iret_with(read_eflags() & ~(EFLAGS_NT | EFLAGS_IF));
}

void hostile_iret_current_nt(void)
{
	hostile_tss_install(0);
	struct hostile_outcome o = hostile_try(hostile_iret_nt_current);
	hostile_report("iret-current-nt", "iret with NT set, null back link", &o);
}

/* --- iret-rpl3-kernel-cs, retf-rpl3-kernel-cs --- */

static uint8_t hostile_user_stack[4096] __attribute__((aligned(16)));

static void hostile_iret_rpl3(void)
{
	__asm__ volatile("pushl %0\n\t"		/* SS */
			 "pushl %1\n\t"		/* ESP */
			 "pushl %2\n\t"		/* EFLAGS */
			 "pushl %3\n\t"		/* CS: the kernel's, RPL 3 */
			 "pushl $1f\n\t"
			 "iretl\n"
			 "1:\n\t"
			 "jmp hostile_probe_recover"	/* no fault: leave on the probe's stack */
			 : : "i"(GUEST_SEL_DATA | 3),
			   "r"(hostile_user_stack + sizeof hostile_user_stack),
			   "i"(EFLAGS_FIXED), "i"(GUEST_SEL_CODE | 3) : "memory");
}

static void hostile_retf_rpl3(void)
{
	__asm__ volatile("pushl %0\n\t"
			 "pushl %1\n\t"
			 "pushl %2\n\t"
			 "pushl $1f\n\t"
			 "lret\n"
			 "1:\n\t"
			 "jmp hostile_probe_recover"
			 : : "i"(GUEST_SEL_DATA | 3),
			   "r"(hostile_user_stack + sizeof hostile_user_stack),
			   "i"(GUEST_SEL_CODE | 3) : "memory");
}

void hostile_iret_rpl3_kernel_cs(void)
{
	struct hostile_outcome o = hostile_try(hostile_iret_rpl3);
	hostile_report("iret-rpl3-kernel-cs", "iret to cs 0x0b", &o);
}

void hostile_retf_rpl3_kernel_cs(void)
{
	struct hostile_outcome o = hostile_try(hostile_retf_rpl3);
	hostile_report("retf-rpl3-kernel-cs", "lret to cs 0x0b", &o);
}

/* --- lock-prefix --- */

struct hostile_encoding {
	const char *what;
	uint8_t bytes[6];
	uint8_t len;
};

/* Each is harmless should it run: reads, cache and flag operations, the POST port. */
static const struct hostile_encoding hostile_locked[] = {
	{ "lock cli", { 0xF0, 0xFA }, 2 },
	{ "lock sti", { 0xF0, 0xFB }, 2 },
	{ "lock clts", { 0xF0, 0x0F, 0x06 }, 3 },
	{ "lock wbinvd", { 0xF0, 0x0F, 0x09 }, 3 },
	{ "lock mov eax, cr0", { 0xF0, 0x0F, 0x20, 0xC0 }, 4 },
	{ "lock in al, 0x80", { 0xF0, 0xE4, 0x80 }, 3 },
	{ "lock out 0x80, al", { 0xF0, 0xE6, 0x80 }, 3 },
	{ "lock rdmsr", { 0xF0, 0x0F, 0x32 }, 3 },
	{ "lock invlpg [eax]", { 0xF0, 0x0F, 0x01, 0x38 }, 4 },
	{ "mov eax, cr1", { 0x0F, 0x20, 0xC8 }, 3 },
	{ "mov eax, cr5", { 0x0F, 0x20, 0xE8 }, 3 },
};

static uint8_t hostile_code[16];

static void hostile_run_code(void)
{
	/* RDMSR's ECX is the TSC's MSR; INVLPG's EAX a mapped address. */
	__asm__ volatile("call *%0" : : "r"(hostile_code), "a"(hostile_code), "c"(0x10)
			 : "edx", "memory");
}

void hostile_lock_prefix(void)
{
	for (unsigned i = 0; i < sizeof hostile_locked / sizeof hostile_locked[0]; i++) {
		const struct hostile_encoding *e = &hostile_locked[i];
		memcpy(hostile_code, e->bytes, e->len);
		hostile_code[e->len] = 0xC3;	/* ret */
		struct hostile_outcome o = hostile_try(hostile_run_code);
		hostile_report("lock-prefix", e->what, &o);
	}
}

/* --- repne-outs --- */

void hostile_repne_outs(void)
{
	static const uint8_t bytes[4] = { 1, 2, 3, 4 };
	const uint8_t *esi = bytes;
	uint32_t ecx = sizeof bytes;

	__asm__ volatile("repne outsb" : "+S"(esi), "+c"(ecx) : "d"(0x80) : "memory");
	guest_printf("HOSTILE-RESULT: repne-outs: ecx %u, esi moved %u bytes\n", ecx,
		     (unsigned)(esi - bytes));
}

/* --- idt-limit, idt-not-present --- */

static void hostile_int_0x46(void)
{
	__asm__ volatile("int $0x46" : : : "memory");
}

/*
 * INT 0x46 with an IDT cut short below it: #GP(0x46 * 8 + 2), IDT bit set
 * and EXT clear (SDM vol. 3, 6.13); then with the IDT whole but the gate
 * marked not present: #NP with the same error code. Cut short below the
 * #GP's own gate too, the #GP meets a #GP while it is delivered: a #DF,
 * error 0 (SDM vol. 3, 6.15, Table 6-5: contributory, then contributory).
 */
static struct x86_gate hostile_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));

void hostile_idt_limit(void)
{
	const char *row = "idt-limit";

	/* An IDT of our own, like guests/lib's, that can be cut short or lose a gate. */
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		hostile_idt[v] = gate_make(GUEST_SEL_CODE, guest_trap_stubs[v], DESC_SYS_INT_GATE, 0);
	struct x86_pseudo_desc cut = { 32 * 8 - 1, (uint32_t)hostile_idt };	/* exceptions only */
	lidt(&cut);
	struct hostile_outcome o = hostile_try(hostile_int_0x46);
	hostile_report(row, "int 0x46 beyond the limit", &o);

	struct x86_pseudo_desc below_gp = { VEC_GP * 8 - 1, (uint32_t)hostile_idt };
	lidt(&below_gp);
	o = hostile_try(hostile_int_0x46);
	hostile_report(row, "int 0x46, the #GP beyond the limit too", &o);

	struct x86_pseudo_desc whole = { sizeof hostile_idt - 1, (uint32_t)hostile_idt };
	hostile_idt[0x46].type_attr &= (uint8_t)~0x80;	/* P */
	lidt(&whole);
	o = hostile_try(hostile_int_0x46);
	hostile_report(row, "int 0x46 through a gate not present", &o);
	guest_idt_install();	/* guests/lib's again */
}

/* --- null-rpl-selector --- */

/* A null selector loads with any RPL and reads back as loaded, across a trap too. */
void hostile_null_rpl_selector(void)
{
	uint16_t before, after;

	__asm__ volatile("movw %%fs, %%dx\n\t"
			 "movw $3, %%ax\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%fs, %0\n\t"
			 "outb %%al, $0x80\n\t"
			 "movw %%fs, %1\n\t"
			 "movw %%dx, %%fs"
			 : "=&r"(before), "=&r"(after) : : "eax", "edx", "memory");
	guest_printf("HOSTILE-RESULT: null-rpl-selector: fs 0x%x, after a trap 0x%x\n", before, after);
}
