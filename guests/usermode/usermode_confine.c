/*
 * guests/usermode/usermode_confine.c: user code kept inside its segments.
 * Runs in: guest, kernel mode; the probes run in user mode.
 *
 * The user code and data segments are cut down to the guest's image (base
 * 0, limit its last page), and a kernel-only page lies past them, inside
 * RAM. A load or store there through DS is beyond the segment limit: the
 * architecture says #GP(0) (Intel SDM vol. 3, 5.3), and real CPUs and Bochs
 * raise it. QEMU TCG does not check data-segment limits, so on bare QEMU
 * the access succeeds: that is reported as a line of its own,
 * `KNOWN-DIFFERENCE: name: ...`, neither PASS nor FAIL. A hypervisor that
 * confines user code must give the #GP there too.
 *
 * Everything else here (entering user mode with the smaller segments,
 * system calls, a load inside the segment) is the same everywhere.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_test.h"
#include "guests/usermode/usermode.h"
#include "lib/mmu.h"
#include "lib/x86.h"

#define USERMODE_KERNEL_SECRET	0x5EC2E700u
/* Far enough past the image to miss the multiboot information a loader puts after it. */
#define USERMODE_KERNEL_PAGE_GAP	0x10000u

extern char guest_image_end[];	/* guests/lib/guest.ld */

static const uint32_t usermode_inside_value = 0x1A51DE00u;

static void usermode_known_difference(const char *name, const char *what)
{
	guest_printf("KNOWN-DIFFERENCE: %s: %s: this CPU does not check data-segment limits (QEMU TCG does not)\n",
		     name, what);
}

/* A probe's access past the segment: #GP(0) at the instruction, or the known difference. */
static void usermode_confine_probe(const char *name, uint32_t (*probe)(uint32_t),
				   const char *insn, const char *next,
				   volatile uint32_t *kernel_word)
{
	const volatile struct usermode_trap_record *f = &usermode_fault_seen;
	bool is_write = probe == usermode_probe_write;

	*kernel_word = USERMODE_KERNEL_SECRET;
	usermode_expect_fault(next);
	uint32_t ret = usermode_run(probe, (uint32_t)kernel_word);
	uint32_t after = *kernel_word;

	if (f->count == 0) {
		if (is_write && after == USERMODE_PROBE_WRITTEN)
			usermode_known_difference(name, "the store past the limit reached the kernel's page");
		else if (!is_write && ret == USERMODE_KERNEL_SECRET)
			usermode_known_difference(name, "the load past the limit read the kernel's page");
		else
			guest_test_fail(name, "no fault, and the access returned 0x%x, left 0x%x",
					ret, after);
		return;
	}
	guest_test_check(f->count == 1 && f->vector == VEC_GP && f->error == 0 &&
				 f->eip == (uint32_t)insn && f->cs == USERMODE_SEL_USER_CODE &&
				 f->ss == USERMODE_SEL_USER_DATA && f->esp == usermode_probe_esp &&
				 after == USERMODE_KERNEL_SECRET && ret == 0,
			 name,
			 "%u faults, vector 0x%x error 0x%x eip 0x%08x cs 0x%x ss 0x%x esp 0x%08x, kernel word 0x%x, returned 0x%x; want #GP(0) at 0x%08x from cs 0x%x ss 0x%x esp 0x%08x, word 0x%x untouched, 0",
			 f->count, f->vector, f->error, f->eip, f->cs, f->ss, f->esp, after, ret,
			 (uint32_t)insn, USERMODE_SEL_USER_CODE, USERMODE_SEL_USER_DATA,
			 usermode_probe_esp, USERMODE_KERNEL_SECRET);
}

void usermode_checks_confine(const struct multiboot_info *info)
{
	uint32_t user_end = ((uint32_t)guest_image_end + PAGE_SIZE - 1) & PAGE_MASK;
	uint32_t kernel_page = user_end + USERMODE_KERNEL_PAGE_GAP;
	uint32_t ram_end = guest_mb_ram_end(info);

	if (ram_end < kernel_page + PAGE_SIZE) {
		guest_test_fail("confine-setup", "RAM ends at 0x%x, the kernel page needs 0x%x",
				ram_end, kernel_page + PAGE_SIZE);
		return;
	}
	usermode_set_user_limit(user_end - 1);

	uint32_t seen = usermode_run(usermode_user_segments, 0);
	uint32_t want = USERMODE_SEL_USER_CODE | (uint32_t)USERMODE_SEL_USER_DATA << 16;
	guest_test_check(seen == want, "limited-segments-enter-user-mode",
			 "user CS 0x%x SS 0x%x, want CS 0x%x SS 0x%x", seen & 0xFFFFu, seen >> 16,
			 USERMODE_SEL_USER_CODE, USERMODE_SEL_USER_DATA);

	uint32_t wrong = usermode_run(usermode_user_mix_loop, 100);
	guest_test_check(wrong == 0, "limited-segments-int80-round-trips",
			 "%u of 100 answers wrong", wrong);

	uint32_t got = usermode_run(usermode_user_read, (uint32_t)&usermode_inside_value);
	guest_test_check(got == usermode_inside_value, "user-read-inside-segment",
			 "read 0x%x, want 0x%x", got, usermode_inside_value);

	volatile uint32_t *kernel_word = (volatile uint32_t *)kernel_page;
	usermode_confine_probe("user-read-outside-segment-raises-gp", usermode_probe_read,
			       usermode_probe_read_insn, usermode_probe_read_next, kernel_word);
	usermode_confine_probe("user-write-outside-segment-raises-gp", usermode_probe_write,
			       usermode_probe_write_insn, usermode_probe_write_next, kernel_word);
}
