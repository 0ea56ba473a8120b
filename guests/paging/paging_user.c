/*
 * guests/paging/paging_user.c: a user task in ring 3 against the U/S bit.
 * Runs in: guest, kernel mode; the task itself is in paging_probes.S.
 *
 * The kernel gives the task user segments (DPL 3), a TSS whose SS0:ESP0 is
 * the stack its traps arrive on, an INT 0x80 gate of DPL 3, and one page of
 * its own (U=1). What each check expects is the architecture's (Intel SDM
 * vol. 3, 4.6 and 4.7): from CPL 3 a supervisor page (U=0) faults even
 * when present, with P=1, U=1 and W telling read from write; a not-present
 * page faults with P=0, U=1; the task's own U=1 page just works.
 */
#include <stdbool.h>

#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/paging/paging.h"
#include "guests/paging/paging_user_abi.h"
#include "lib/x86.h"
#include "lib/x86_desc.h"

#define PAGING_KERNEL_VALUE	0x6E7E1000u	/* what the kernel page holds */
#define PAGING_USER_UNMAPPED	(PAGING_TEST_BASE + 0x3FF000u)	/* never mapped */

#define PAGING_USER_CODE_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
				((DESC_TYPE_CODE | DESC_TYPE_READABLE) << 8))
#define PAGING_USER_DATA_FLAGS (DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(3) | \
				(DESC_TYPE_WRITABLE << 8))
#define PAGING_TSS_FLAGS (DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8))

static struct x86_tss paging_tss __attribute__((aligned(128)));
static uint8_t paging_trap_stack[4096] __attribute__((aligned(16)));
static struct x86_gate paging_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));

/* What the kernel saw at each of the task's INT 0x80s. */
struct paging_user_report {
	bool seen;
	uint32_t ecx;		/* what the step read */
	uint32_t cs;		/* the CS in the trap frame: RPL 3 if it came from ring 3 */
	unsigned faults;	/* paging_faults.count at the report */
	struct paging_fault_log last;	/* the last fault by then */
};

static volatile struct paging_user_report paging_user_reports[PAGING_USER_STEPS];
static volatile bool paging_user_exited;

static void paging_syscall(struct guest_trap_frame *frame)
{
	uint32_t step = frame->eax;

	if (step == PAGING_USER_EXIT) {
		paging_user_exited = true;
		paging_user_return();
	}
	if (step >= PAGING_USER_STEPS)
		return;
	volatile struct paging_user_report *r = &paging_user_reports[step];
	r->seen = true;
	r->ecx = frame->ecx;
	r->cs = frame->cs & 0xFFFFu;
	r->faults = paging_faults.count;
	r->last.cr2 = paging_faults.cr2;
	r->last.error = paging_faults.error;
	r->last.eip = paging_faults.eip;
	r->last.cs = paging_faults.cs;
}

/*
 * The runtime's GDT with user code, user data and a TSS added, and an IDT
 * of our own: the runtime's stubs behind gates of DPL 0, but INT 0x80's of
 * DPL 3 so that ring 3 may call it.
 */
void paging_user_init(void)
{
	guest_gdt_set(PAGING_GDT_USER_CODE, desc_make(0, 0xFFFFFFFFu, PAGING_USER_CODE_FLAGS));
	guest_gdt_set(PAGING_GDT_USER_DATA, desc_make(0, 0xFFFFFFFFu, PAGING_USER_DATA_FLAGS));
	paging_tss.ss0 = GUEST_SEL_DATA;
	paging_tss.esp0 = (uint32_t)paging_trap_stack + sizeof(paging_trap_stack);
	paging_tss.iomap_base = sizeof(paging_tss);	/* no I/O bitmap */
	guest_gdt_set(PAGING_GDT_TSS, desc_make((uint32_t)&paging_tss, sizeof(paging_tss) - 1,
						PAGING_TSS_FLAGS));
	guest_gdt_install();

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		paging_idt[v] = gate_make(GUEST_SEL_CODE, guest_trap_stubs[v], DESC_SYS_INT_GATE,
					  v == PAGING_SYSCALL_VECTOR ? 3 : 0);
	struct x86_pseudo_desc idtr = {
		.limit = sizeof(paging_idt) - 1,
		.base = (uint32_t)paging_idt,
	};
	lidt(&idtr);
	ltr(PAGING_SEL_TSS);
	guest_trap_set_handler(PAGING_SYSCALL_VECTOR, paging_syscall);
}

/* One faulting step: exactly one fault, at cr2 with error, from the task's insn. */
static void paging_check_user_fault(const char *name, unsigned step, unsigned faults_before,
				    uint32_t cr2, uint32_t error, const char *insn)
{
	const volatile struct paging_user_report *r = &paging_user_reports[step];

	if (!r->seen) {
		guest_test_fail(name, "the task never reported step %u", step);
		return;
	}
	guest_test_check(r->faults - faults_before == 1 && r->last.cr2 == cr2 &&
				 r->last.error == error && r->last.eip == (uint32_t)insn &&
				 r->last.cs == PAGING_SEL_USER_CODE,
			 name,
			 "%u fault(s), last cr2 0x%08x error 0x%x eip 0x%08x cs 0x%x; want one, cr2 0x%08x error 0x%x eip 0x%08x cs 0x%x",
			 r->faults - faults_before, r->last.cr2, r->last.error, r->last.eip,
			 r->last.cs, cr2, error, (uint32_t)insn, PAGING_SEL_USER_CODE);
}

void paging_checks_user(void)
{
	const volatile struct paging_user_report *rep = paging_user_reports;
	uint32_t kernel_la = (uint32_t)&paging_kernel_page[0];
	unsigned start = paging_faults.count;

	paging_kernel_page[0] = PAGING_KERNEL_VALUE;
	paging_user_page[0] = 0;
	paging_user_run((uint32_t)paging_user_task,
			(uint32_t)paging_user_page + sizeof(paging_user_page),
			(uint32_t)paging_user_page, kernel_la, PAGING_USER_UNMAPPED);

	guest_test_check(paging_user_exited, "user-int-0x80-returns-to-kernel",
			 "the task's last INT 0x80 did not bring the kernel back");
	const volatile struct paging_user_report *own = &rep[PAGING_USER_OWN_PAGE];
	guest_test_check(own->seen && own->cs == PAGING_SEL_USER_CODE,
			 "user-int-0x80-from-ring-3", "seen %d, frame CS 0x%x, want 0x%x",
			 own->seen, own->cs, PAGING_SEL_USER_CODE);
	guest_test_check(own->seen && own->faults == start && own->ecx == PAGING_USER_VALUE &&
				 paging_user_page[0] == PAGING_USER_VALUE,
			 "user-touches-own-page",
			 "%u fault(s), task read 0x%x, page holds 0x%x, want 0x%x",
			 own->faults - start, own->ecx, paging_user_page[0], PAGING_USER_VALUE);

	paging_check_user_fault("user-read-kernel-page-faults", PAGING_USER_READ_KERNEL,
				own->faults, kernel_la, PF_ERR_P | PF_ERR_U,
				paging_user_read_kernel_insn);
	guest_test_check(rep[PAGING_USER_READ_KERNEL].ecx == PAGING_FAULT_MARK,
			 "user-read-kernel-page-gets-nothing", "the task read 0x%x",
			 rep[PAGING_USER_READ_KERNEL].ecx);
	paging_check_user_fault("user-write-kernel-page-faults", PAGING_USER_WRITE_KERNEL,
				rep[PAGING_USER_READ_KERNEL].faults, kernel_la,
				PF_ERR_P | PF_ERR_W | PF_ERR_U, paging_user_write_kernel_insn);
	guest_test_check(paging_kernel_page[0] == PAGING_KERNEL_VALUE,
			 "user-write-kernel-page-changes-nothing", "the kernel page holds 0x%x, want 0x%x",
			 paging_kernel_page[0], PAGING_KERNEL_VALUE);
	paging_check_user_fault("user-read-not-present-faults", PAGING_USER_READ_UNMAPPED,
				rep[PAGING_USER_WRITE_KERNEL].faults, PAGING_USER_UNMAPPED,
				PF_ERR_U, paging_user_read_unmapped_insn);
}
