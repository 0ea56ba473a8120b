/*
 * guests/halt/halt.c: a guest that halts with interrupts off, forever.
 * Runs in: guest.
 *
 * Nothing can wake it: natively QEMU just sits there until it is killed;
 * the hypervisor should notice that no interrupt could ever arrive and stop
 * the run, reporting the guest as halted. If it ever does wake, that is
 * reported too and the guest exits with status 1.
 */
#include <stdint.h>

#include "guests/lib/guest_console.h"
#include "guests/lib/guest_main.h"
#include "lib/multiboot.h"
#include "lib/x86.h"

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	guest_printf("halt: cli; hlt with nothing to wake it\n");
	cli();
	hlt();
	guest_printf("halt: woke up\n");
	return 1;
}
