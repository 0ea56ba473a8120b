/*
 * guests/paging/paging_fault.c: the guest's own page-fault handler.
 * Runs in: guest.
 *
 * Every #PF is logged (CR2, error code, EIP, CS). A not-present fault in
 * the demand window is then served as an operating system would: a fresh
 * frame, filled with a pattern that names its address, is mapped and the
 * instruction restarts. Any other fault must come from a probe instruction
 * (kernel or user), which is resumed after its access; a fault anywhere
 * else is a bug in the guest (or an unfaithful MMU) and ends the run.
 */
#include <stdarg.h>
#include <stddef.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_test.h"
#include "guests/lib/guest_trap.h"
#include "guests/paging/paging.h"
#include "lib/format.h"
#include "lib/x86.h"

#define PAGING_DEMAND_KEY 0xD3A4D000u

volatile struct paging_fault_log paging_faults;

/* Which register a faulting read probe would have loaded. */
enum paging_probe_dest { PAGING_DEST_NONE, PAGING_DEST_EAX, PAGING_DEST_ECX };

struct paging_probe {
	const char *insn, *next;
	enum paging_probe_dest dest;
};

static const struct paging_probe paging_probes[] = {
	{ paging_probe_read_insn, paging_probe_read_next, PAGING_DEST_EAX },
	{ paging_probe_write_insn, paging_probe_write_next, PAGING_DEST_NONE },
	{ paging_user_read_kernel_insn, paging_user_read_kernel_next, PAGING_DEST_ECX },
	{ paging_user_write_kernel_insn, paging_user_write_kernel_next, PAGING_DEST_NONE },
	{ paging_user_read_unmapped_insn, paging_user_read_unmapped_next, PAGING_DEST_ECX },
};

uint32_t paging_demand_pattern(uint32_t la)
{
	return la ^ PAGING_DEMAND_KEY;
}

static bool paging_in_demand_window(uint32_t la)
{
	return la - PAGING_DEMAND_BASE < PAGING_DEMAND_PAGES * PAGE_SIZE;
}

/*
 * Map a frame at the faulting page. No INVLPG: a CPU never caches a
 * not-present translation (SDM vol. 3, 4.10.2.3), so the restarted access
 * walks the tables again and finds the new entry.
 */
static void paging_demand_map(uint32_t cr2)
{
	uint32_t page = cr2 & PAGE_MASK;
	uint32_t frame = paging_frame_alloc();
	uint32_t *words = (uint32_t *)frame;

	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		words[i] = paging_demand_pattern(page + 4 * i);
	paging_pt_test[PTX(page)] = frame | PTE_P | PTE_W;
}

static void paging_fault_handler(struct guest_trap_frame *frame)
{
	uint32_t cr2 = read_cr2();

	paging_faults.count++;
	paging_faults.cr2 = cr2;
	paging_faults.error = frame->error;
	paging_faults.eip = frame->eip;
	paging_faults.cs = frame->cs & 0xFFFFu;

	if (paging_in_demand_window(cr2) && !(frame->error & PF_ERR_P)) {
		paging_demand_map(cr2);
		return;
	}
	for (size_t i = 0; i < sizeof(paging_probes) / sizeof(paging_probes[0]); i++) {
		const struct paging_probe *p = &paging_probes[i];
		if (frame->eip != (uint32_t)p->insn)
			continue;
		frame->eip = (uint32_t)p->next;
		if (p->dest == PAGING_DEST_EAX)
			frame->eax = PAGING_FAULT_MARK;
		else if (p->dest == PAGING_DEST_ECX)
			frame->ecx = PAGING_FAULT_MARK;
		return;
	}
	guest_printf("FAIL: unexpected page fault: cr2 0x%08x error 0x%x eip 0x%08x cs 0x%x\n",
		     cr2, frame->error, frame->eip, frame->cs & 0xFFFFu);
	guest_exit(GUEST_EXIT_PANIC);
}

void paging_fault_init(void)
{
	guest_trap_set_handler(VEC_PF, paging_fault_handler);
}

bool paging_check_fault(const char *name, unsigned before, uint32_t cr2,
			uint32_t error, uint32_t eip)
{
	const volatile struct paging_fault_log *f = &paging_faults;
	unsigned n = f->count - before;

	if (n == 0)
		return guest_test_check(false, name, "no page fault; want one at cr2 0x%08x error 0x%x",
					cr2, error);
	return guest_test_check(n == 1 && f->cr2 == cr2 && f->error == error && f->eip == eip,
				name,
				"%u fault(s), last cr2 0x%08x error 0x%x eip 0x%08x; want one, cr2 0x%08x error 0x%x eip 0x%08x",
				n, f->cr2, f->error, f->eip, cr2, error, eip);
}

bool paging_check_no_fault(bool ok, const char *name, unsigned before,
			   const char *why_fmt, ...)
{
	unsigned n = paging_faults.count - before;
	char why[120];
	va_list ap;

	if (n != 0)
		return guest_test_check(false, name, "%u unexpected page fault(s), last cr2 0x%08x error 0x%x",
					n, paging_faults.cr2, paging_faults.error);
	va_start(ap, why_fmt);
	tv_vsnprintf(why, sizeof(why), why_fmt, ap);
	va_end(ap);
	return guest_test_check(ok, name, "%s", why);
}
