/*
 * guests/lib/guest_exit.c: ending a guest's run with a status.
 * Runs in: guest.
 */
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_console.h"
#include "lib/x86.h"

#define BOCHS_SHUTDOWN_PORT	0x8900
#define GUEST_LSR_TEMT		0x40	/* transmitter empty: the last byte is out */
/* A line at 115200 baud is a few ms; a dead UART costs a bounded delay. */
#define GUEST_TEMT_POLLS	1000000

void guest_exit(uint32_t status)
{
	outl(GUEST_DEBUG_EXIT_PORT, status);
	/*
	 * Still here: no debug-exit device, so no QEMU and no hypervisor (both
	 * end the run at that write). On a bare Bochs or a real PC the status
	 * is said on COM1 instead, in the line the host program reads for it
	 * there, and Bochs is asked to end through its shutdown port.
	 */
	guest_printf(GUEST_EXIT_LINE "%u\n", status);
	/* Bochs's UART runs at its baud rate: let the line leave before the machine ends. */
	for (int i = 0; i < GUEST_TEMT_POLLS && !(inb(GUEST_COM1_LSR) & GUEST_LSR_TEMT); i++)
		;
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	for (;;) {
		cli();
		hlt();
	}
}
