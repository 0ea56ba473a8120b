/*
 * guests/selftest/selftest_multiboot.c: what the loader handed over.
 * Runs in: guest.
 *
 * The hypervisor loads the guest itself and must hand over what a multiboot
 * loader does: the magic in EAX, memory sizes that match the RAM the guest
 * really has, and a command line naming the guest.
 */
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_test.h"
#include "guests/selftest/selftest.h"

/* Linker symbols (guest.ld): where this image lies in guest-physical memory. */
extern const char guest_image_end[];

void selftest_multiboot(uint32_t magic, const struct multiboot_info *info)
{
	guest_test_check(magic == MULTIBOOT_BOOTLOADER_MAGIC, "multiboot-magic",
			 "EAX was 0x%08x", magic);

	if (!guest_test_check(info->flags & MULTIBOOT_INFO_MEMORY,
			      "multiboot-memory-info", "flags 0x%x", info->flags)) {
		guest_test_fail("multiboot-mem-lower", "no memory information");
		guest_test_fail("multiboot-mem-upper", "no memory information");
	} else {
		/* 640 KiB of conventional memory; 639 if the EBDA's KiB is kept out. */
		guest_test_check(info->mem_lower == 639 || info->mem_lower == 640,
				 "multiboot-mem-lower", "mem_lower is %u KiB",
				 info->mem_lower);

		/*
		 * Consistent with the RAM means: the image itself lies below the
		 * end, and the last word before the end is memory that keeps
		 * what is written to it.
		 */
		uint32_t end = guest_mb_ram_end(info);
		volatile uint32_t *last = (volatile uint32_t *)(end - 4);
		bool fits = end > (uint32_t)guest_image_end;
		if (fits) {
			*last = 0x5E1F7E57u;
			fits = *last == 0x5E1F7E57u;
			*last = ~0x5E1F7E57u;
			fits = fits && *last == ~0x5E1F7E57u;
		}
		guest_test_check(fits, "multiboot-mem-upper",
				 "mem_upper %u KiB: RAM end 0x%x is not usable RAM above 0x%x",
				 info->mem_upper, end, (uint32_t)guest_image_end);
	}

	char word[128];
	if (!guest_test_check(guest_mb_cmdline(info) != NULL, "multiboot-cmdline-present",
			      "flags 0x%x, no command line", info->flags))
		return;
	/* QEMU puts the image's path first, GRUB does not (lib/cmdline.h). */
	if (guest_mb_name(info, word, sizeof(word)))
		guest_test_check(guest_mb_word_names(word, "selftest"),
				 "multiboot-cmdline-names-guest", "first word is \"%s\"", word);
}
