/*
 * lib/cmdline.h: a multiboot command line, with or without the image's path
 * in front, as different loaders give it.
 * Runs in: hypervisor and guest (and on the host, for the unit tests).
 *
 * QEMU's -kernel and -initrd put the file's path first ("build/hv/hv.elf
 * ring=3"); GRUB gives only the words after the file name ("ring=3"). One
 * rule tells them apart, for the hypervisor's own line, its guest module's
 * string and a guest's command line alike: the first word is the image's
 * path when it contains a '/' or ends in ".elf". No option or argument of
 * trapvisor's has either, so none is taken for a path and lost; a guest
 * argument that has one must come after the path (the host program and
 * `trapvisor iso` always put the path first for guests).
 */
#ifndef TV_LIB_CMDLINE_H
#define TV_LIB_CMDLINE_H

/* Whether the word of len bytes at w is an image's path by the rule above. */
int cmdline_word_is_path(const char *w, unsigned len);

/* The length of the first word of s (words are separated by spaces). */
unsigned cmdline_first_word_len(const char *s);

/*
 * The path's length if s starts with an image's path (after any spaces,
 * which are skipped in *path_start), else 0.
 */
unsigned cmdline_path(const char *s, const char **path_start);

/* The arguments of s: s after its path and the spaces behind it, or all of s. */
const char *cmdline_args(const char *s);

#endif
