/*
 * guests/pc_probe/pc_probe_multiboot.c: the modules and command line the
 * multiboot loader hands over.
 * Runs in: guest.
 *
 * The run names how many modules to expect (`mods=N` on the command line).
 * Each module's first line must equal the last word of its string: the
 * test writes files whose content is the STRING it gives in
 * `--module FILE,STRING`, so a module loaded from the wrong file, in the
 * wrong order, or with the wrong string fails.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_test.h"
#include "guests/pc_probe/pc_probe.h"
#include "lib/string.h"

/* The last space-separated word of s. */
static const char *last_word(const char *s)
{
	const char *w = s;

	for (const char *p = s; *p; p++)
		if (*p == ' ' && p[1] && p[1] != ' ')
			w = p + 1;
	return w;
}

/* Whether the module's bytes start with word and then a newline (or end). */
static bool content_is(const struct multiboot_module *m, const char *word)
{
	size_t n = strlen(word);

	if (!n || m->mod_end - m->mod_start < n)
		return false;
	if (memcmp((const void *)m->mod_start, word, n) != 0)
		return false;
	return m->mod_end - m->mod_start == n || ((const char *)m->mod_start)[n] == '\n';
}

static unsigned expected_modules(const struct multiboot_info *info)
{
	char word[32];

	for (unsigned i = 0; guest_mb_arg(info, i, word, sizeof(word)); i++)
		if (memcmp(word, "mods=", 5) == 0 && word[5] >= '0' && word[5] <= '9' && !word[6])
			return (unsigned)(word[5] - '0');
	return 0;
}

void pc_probe_multiboot(uint32_t magic, const struct multiboot_info *info)
{
	char word[64];

	guest_test_check(magic == MULTIBOOT_BOOTLOADER_MAGIC, "multiboot-magic", "EAX 0x%x",
			 magic);
	const char *cmdline = guest_mb_cmdline(info);
	guest_printf("pc_probe: command line '%s'\n", cmdline ? cmdline : "(none)");
	guest_test_check(cmdline != NULL, "multiboot-cmdline-present", "flags 0x%x", info->flags);
	/* QEMU puts the image's path first, GRUB does not (lib/cmdline.h). */
	if (guest_mb_name(info, word, sizeof(word)))
		guest_test_check(guest_mb_word_names(word, "pc_probe"),
				 "multiboot-cmdline-names-guest", "first word '%s'", word);

	unsigned want = expected_modules(info);
	unsigned count = (info->flags & MULTIBOOT_INFO_MODS) ? info->mods_count : 0;
	guest_test_check(count == want, "multiboot-module-count", "%u modules, want %u",
			 count, want);
	if (count != want)
		return;
	const struct multiboot_module *mods = (const struct multiboot_module *)info->mods_addr;
	uint32_t ram_end = guest_mb_ram_end(info);
	for (unsigned i = 0; i < count; i++) {
		const struct multiboot_module *m = &mods[i];
		const char *s = m->string ? (const char *)m->string : "";
		guest_printf("pc_probe: module %u at 0x%x-0x%x, string '%s'\n", i, m->mod_start,
			     m->mod_end, s);
		bool inside = m->mod_start < m->mod_end && m->mod_start >= 0x100000 &&
			      (!ram_end || m->mod_end <= ram_end);
		guest_test_check(inside && content_is(m, last_word(s)), "multiboot-module-content",
				 "module %u: %s", i, inside ? "its first line is not its string's "
				 "last word" : "not within RAM above 1 MiB");
	}
}
