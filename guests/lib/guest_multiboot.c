/*
 * guests/lib/guest_multiboot.c: the guest's RAM size and command line from
 * the multiboot information.
 * Runs in: guest.
 */
#include "guests/lib/guest_multiboot.h"
#include "lib/cmdline.h"
#include "lib/string.h"

#define GUEST_MB_RAM_BASE	0x100000u	/* mem_upper counts from 1 MiB */

uint32_t guest_mb_ram_end(const struct multiboot_info *info)
{
	if (!(info->flags & MULTIBOOT_INFO_MEMORY))
		return 0;
	return GUEST_MB_RAM_BASE + info->mem_upper * 1024u;
}

const char *guest_mb_cmdline(const struct multiboot_info *info)
{
	if (!(info->flags & MULTIBOOT_INFO_CMDLINE) || !info->cmdline)
		return NULL;
	return (const char *)info->cmdline;
}

/* Word n of s into buf, as guest_mb_cmdline_word says. */
static bool nth_word(const char *s, unsigned n, char *buf, size_t size)
{
	if (!s || size == 0)
		return false;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			return false;
		size_t len = 0;
		while (s[len] && s[len] != ' ')
			len++;
		if (n == 0) {
			if (len >= size)
				return false;
			memcpy(buf, s, len);
			buf[len] = 0;
			return true;
		}
		n--;
		s += len;
	}
}

bool guest_mb_cmdline_word(const struct multiboot_info *info, unsigned n,
			   char *buf, size_t size)
{
	return nth_word(guest_mb_cmdline(info), n, buf, size);
}

bool guest_mb_arg(const struct multiboot_info *info, unsigned n, char *buf, size_t size)
{
	const char *s = guest_mb_cmdline(info);

	return s && nth_word(cmdline_args(s), n, buf, size);
}

bool guest_mb_name(const struct multiboot_info *info, char *buf, size_t size)
{
	const char *s = guest_mb_cmdline(info);
	const char *path;
	unsigned n = s ? cmdline_path(s, &path) : 0;

	if (!n || n >= size)
		return false;
	memcpy(buf, path, n);
	buf[n] = 0;
	return true;
}

bool guest_mb_word_names(const char *word, const char *name)
{
	const char *base = word;

	for (const char *p = word; *p; p++)
		if (*p == '/')
			base = p + 1;
	size_t n = strlen(name);
	if (strncmp(base, name, n) != 0)
		return false;
	return base[n] == 0 || strcmp(base + n, ".elf") == 0;
}
