/*
 * tools/outcome.c: turn the way a run ended into the host program's exit
 * status. Runs on: host.
 */
#include "tools/outcome.h"

#include <string.h>

enum tv_run_end tv_end_from_exit_kind(const char *kind)
{
	if (!kind)
		return TV_END_NO_EXIT;
	if (strcmp(kind, "guest") == 0)
		return TV_END_GUEST;
	if (strcmp(kind, "refused") == 0)
		return TV_END_REFUSED;
	if (strcmp(kind, "stopped") == 0)
		return TV_END_STOPPED;
	if (strcmp(kind, "panic") == 0)
		return TV_END_PANIC;
	return TV_END_NO_EXIT;
}

int tv_host_status(enum tv_run_end end, int64_t guest_status)
{
	switch (end) {
	case TV_END_GUEST:
		return guest_status == 0 ? TV_STATUS_GUEST_OK : TV_STATUS_GUEST_FAILED;
	case TV_END_REFUSED:
		return TV_STATUS_REFUSED;
	case TV_END_STOPPED:
	case TV_END_RESET:	/* the guest died without giving a status */
		return TV_STATUS_STOPPED;
	case TV_END_UNTIL:
		return TV_STATUS_GUEST_OK;
	case TV_END_TIMEOUT:
	case TV_END_QUIT:	/* like a timeout: we ended QEMU before a result */
		return TV_STATUS_TIMEOUT;
	case TV_END_NONE:
		return TV_STATUS_USAGE;
	case TV_END_PANIC:
	case TV_END_NO_EXIT:
	case TV_END_INTERRUPTED:	/* the program dies of the signal instead */
	default:
		return TV_STATUS_NO_RESULT;
	}
}

enum tv_run_end tv_native_end(int exited, int code, int serial_seen, int stderr_seen,
			      int64_t *guest_status)
{
	if (!exited)
		return TV_END_NO_EXIT;
	if (code == 0)
		return TV_END_RESET;	/* -no-reboot turns a reset into a clean exit */
	if ((code & 1) == 0)
		return TV_END_NO_EXIT;	/* not a code debug-exit can produce */
	/* Status 1 is also QEMU refusing the kernel: only silence tells them apart. */
	if (code == 1 && !serial_seen && stderr_seen)
		return TV_END_REFUSED;
	*guest_status = code >> 1;
	return TV_END_GUEST;
}

uint64_t tv_hv_machine_mib(unsigned guest_mib, uint64_t guest_file_bytes)
{
	const uint64_t mib = 1024 * 1024;

	return (uint64_t)guest_mib + 64 + (guest_file_bytes + mib - 1) / mib + 8;
}

const char *tv_end_name(enum tv_run_end end)
{
	switch (end) {
	case TV_END_NONE:	return "did not start";
	case TV_END_GUEST:	return "the guest exited";
	case TV_END_REFUSED:	return "the guest image was refused";
	case TV_END_STOPPED:	return "the hypervisor stopped the guest";
	case TV_END_PANIC:	return "the hypervisor panicked";
	case TV_END_RESET:	return "the machine reset without an exit status";
	case TV_END_TIMEOUT:	return "timed out";
	case TV_END_NO_EXIT:	return "QEMU ended without a result";
	case TV_END_INTERRUPTED: return "interrupted";
	case TV_END_UNTIL:	return "the output matched --until";
	case TV_END_QUIT:	return "ended with Ctrl-A x";
	}
	return "unknown";
}
