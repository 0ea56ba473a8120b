/*
 * guests/pc_probe/pc_probe_main.c: the PC probe, in a kernel's boot order.
 * Runs in: guest.
 *
 * Command-line words (after the guest's name): `input=WORD` to expect WORD
 * and Enter on COM1 (else input is not checked, and it says so), `mods=N`
 * to expect N modules, and `stay` to keep running after the SUMMARY line
 * instead of exiting, as a kernel that never ends (for `--until` and for
 * reading the screen of a live machine).
 *
 * Output: one PASS/FAIL line per check and a SUMMARY line (guest_test.h);
 * the exit status is the number of failures.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_desc.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_test.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/string.h"
#include "lib/x86.h"

static char input_word[48];

/* The word after `name=` on the command line, or NULL. */
static const char *option(const struct multiboot_info *info, const char *name, char *buf,
			  size_t size)
{
	size_t n = strlen(name);

	for (unsigned i = 0; guest_mb_arg(info, i, buf, size); i++)
		if (memcmp(buf, name, n) == 0 && buf[n] == '=')
			return buf + n + 1;
	return NULL;
}

static bool has_word(const struct multiboot_info *info, const char *w)
{
	char buf[48];

	for (unsigned i = 0; guest_mb_arg(info, i, buf, sizeof(buf)); i++)
		if (strcmp(buf, w) == 0)
			return true;
	return false;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	struct pc_probe_mp mp = { 0 };

	guest_printf("pc_probe: starting\n");
	/* Read before anything could overwrite the loader's information. */
	const char *input = option(info, "input", input_word, sizeof(input_word));
	bool stay = has_word(info, "stay");
	pc_probe_multiboot(magic, info);

	guest_desc_init();
	pc_probe_gdt();
	/* The BIOS leaves the 8254 on the master 8259; this kernel uses the APICs. */
	guest_pic_mask_all();
	pc_probe_mptable(&mp);
	pc_probe_lapic(&mp);
	pc_probe_ioapic(&mp);
	pc_probe_uart(&mp, input);
	pc_probe_screen();
	if (!stay)
		guest_test_finish();
	/* Spinning, not halted: a hypervisor stops a guest halted with nothing to wake it. */
	guest_printf("pc_probe: staying up, %u failed\n", guest_test_failures());
	for (;;)
		__asm__ volatile("pause");
}
