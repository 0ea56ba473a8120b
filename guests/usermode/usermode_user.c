/*
 * guests/usermode/usermode_user.c: the user programs of the usermode guest.
 * Runs in: guest, user mode (CPL 3).
 *
 * Nothing here may run a privileged instruction or call the kernel's
 * functions (the console's OUT would fault at CPL 3): a user program talks
 * to the kernel only by system calls and its return value.
 */
#include "guests/usermode/usermode.h"
#include "lib/x86.h"

uint32_t usermode_user_mix_loop(uint32_t rounds)
{
	uint32_t wrong = 0;

	for (uint32_t i = 0; i < rounds; i++)
		if (usermode_int80(USERMODE_SYS_MIX, i) != usermode_mix(i))
			wrong++;
	return wrong;
}

uint32_t usermode_user_sysenter_loop(uint32_t rounds)
{
	uint32_t wrong = 0;

	for (uint32_t i = 0; i < rounds; i++)
		if (usermode_sysenter(USERMODE_SYS_MIX, i) != usermode_mix(i))
			wrong++;
	return wrong;
}

uint32_t usermode_user_segments(uint32_t unused)
{
	return read_cs() | (uint32_t)read_ss() << 16;
}

uint32_t usermode_user_sysenter_segments(uint32_t unused)
{
	usermode_sysenter(USERMODE_SYS_MIX, 0);
	return usermode_user_segments(0);
}

uint32_t usermode_user_read(uint32_t address)
{
	return *(volatile uint32_t *)address;
}

uint32_t usermode_user_exit(uint32_t unused)
{
	usermode_int80(USERMODE_SYS_EXIT, 0);
	/* Not reached: the kernel ends the run. */
	for (;;)
		;
}
