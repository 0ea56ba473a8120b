/*
 * guests/lib/guest_exit.c: ending a guest's run with a status.
 * Runs in: guest.
 */
#include "guests/lib/guest_exit.h"
#include "lib/x86.h"

void guest_exit(uint32_t status)
{
	outl(GUEST_DEBUG_EXIT_PORT, status);
	/*
	 * Without a debug-exit device the write does nothing; stop here rather
	 * than run into whatever follows.
	 */
	for (;;) {
		cli();
		hlt();
	}
}
