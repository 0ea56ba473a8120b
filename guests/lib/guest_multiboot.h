/*
 * guests/lib/guest_multiboot.h: reading what the multiboot loader told the
 * guest: its RAM and its command line.
 * Runs in: guest.
 *
 * The information lives at a guest-physical address; guests run without
 * paging, so that is also the address to read it at.
 */
#ifndef TV_GUESTS_LIB_GUEST_MULTIBOOT_H
#define TV_GUESTS_LIB_GUEST_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/multiboot.h"

/*
 * The first guest-physical address past the RAM above 1 MiB
 * (1 MiB + mem_upper KiB), or 0 if the loader gave no memory information.
 */
uint32_t guest_mb_ram_end(const struct multiboot_info *info);

/* The command line, or NULL if the loader gave none. */
const char *guest_mb_cmdline(const struct multiboot_info *info);

/*
 * Copy word `n` (0 = the first) of the command line, words being separated
 * by spaces, into buf (always NUL-terminated). False if there is no such
 * word or it does not fit.
 */
bool guest_mb_cmdline_word(const struct multiboot_info *info, unsigned n,
			   char *buf, size_t size);

/*
 * Argument `n` (0 = the first) of the command line: the words after the
 * image's path when the loader put it first (QEMU does, GRUB does not; the
 * rule is lib/cmdline.h's), else the words from the first. False if there
 * is no such argument or it does not fit.
 */
bool guest_mb_arg(const struct multiboot_info *info, unsigned n, char *buf, size_t size);

/*
 * The image's path the loader put first on the command line, into buf.
 * False when it gave none (GRUB) or it does not fit.
 */
bool guest_mb_name(const struct multiboot_info *info, char *buf, size_t size);

/*
 * Whether a command-line word names program `name`: a loader may pass the
 * bare name ("selftest") or the path of the image ("dir/selftest.elf").
 */
bool guest_mb_word_names(const char *word, const char *name);

#endif
