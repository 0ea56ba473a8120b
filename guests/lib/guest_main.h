/*
 * guests/lib/guest_main.h: the one function every guest defines.
 * Runs in: guest.
 *
 * boot.S calls guest_main with what the multiboot loader left in EAX (magic,
 * MULTIBOOT_BOOTLOADER_MAGIC from a conforming loader) and EBX (the
 * guest-physical address of the multiboot information). Its return value is
 * the guest's exit status (guest_exit.h).
 */
#ifndef TV_GUESTS_LIB_GUEST_MAIN_H
#define TV_GUESTS_LIB_GUEST_MAIN_H

#include <stdint.h>

#include "lib/multiboot.h"

int guest_main(uint32_t magic, const struct multiboot_info *info);

#endif
