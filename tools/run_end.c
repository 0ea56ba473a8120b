/*
 * tools/run_end.c: how a run ended, decided once its output is read: the
 * record's end, the guest's status, the message that explains it.
 * Runs on: host.
 *
 * The result of a run is decided by what the hypervisor says (its `tv:exit`
 * line), never by QEMU's exit status alone: QEMU exits 1 both when the
 * debug-exit port is written with 0 and when it refuses a kernel. Natively
 * there is no hypervisor, so tv_native_end() reads QEMU's status carefully.
 */
#include "tools/run_state.h"

#include <stdio.h>
#include <string.h>

/*
 * The hypervisor's hello line says what it really ran: a run in another
 * ring, patch mode or UMIP setting than asked for is no result, whatever
 * the guest printed (tables and tests must never label one mode's figures
 * with another's name). Returns 0 when they agree.
 */
static int hello_disagrees(const struct tv_run_config *cfg, struct tv_run_record *rec)
{
	char asked[16];
	const char *ring = tv_event_get(rec->hello, "ring");
	const char *patch = tv_event_get(rec->hello, "patch");
	const char *umip = tv_event_get(rec->hello, "umip");
	const char *direct = tv_event_get(rec->hello, "direct");

	snprintf(asked, sizeof(asked), "%d", cfg->ring);
	if (!ring || strcmp(ring, asked) != 0) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran the guest in ring %s, not in ring %d as asked",
			 ring ? ring : "?", cfg->ring);
		return 1;
	}
	if (cfg->patch && (!patch || strcmp(patch, cfg->patch) != 0)) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor patched '%s', not '%s' as asked", patch ? patch : "?",
			 cfg->patch);
		return 1;
	}
	if (!umip || strcmp(umip, cfg->umip ? "1" : "0") != 0) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran with UMIP %s, not %s as asked", umip ? umip : "?",
			 cfg->umip ? "on" : "off");
		return 1;
	}
	if (cfg->direct && (!direct || strcmp(direct, "1") != 0)) {
		snprintf(rec->message, sizeof(rec->message),
			 "the hypervisor ran without its fast paths (direct=1) as asked");
		return 1;
	}
	return 0;
}

/* How an hv-mode run ended, from its exit line. */
static void decide_hv(struct tv_run_record *rec)
{
	if (!rec->exit) {
		rec->end = TV_END_NO_EXIT;
		if (rec->nqemu_lines)
			snprintf(rec->message, sizeof(rec->message), "QEMU: %s",
				 rec->qemu_lines[0].s);
		else if (!rec->hello)
			snprintf(rec->message, sizeof(rec->message),
				 "the hypervisor never spoke (QEMU exit code %d)", rec->qemu_code);
		else
			snprintf(rec->message, sizeof(rec->message),
				 "the hypervisor ended without a tv:exit line");
		return;
	}
	const char *kind = tv_event_get(rec->exit, "kind");
	rec->end = tv_end_from_exit_kind(kind);
	rec->reason = tv_event_get(rec->exit, "reason");
	if (rec->end == TV_END_NO_EXIT)
		snprintf(rec->message, sizeof(rec->message), "unknown exit kind '%s'",
			 kind ? kind : "");
	if (rec->end == TV_END_GUEST) {
		uint64_t status;
		if (tv_event_get_u64(rec->exit, "status", &status) < 0) {
			rec->end = TV_END_NO_EXIT;
			snprintf(rec->message, sizeof(rec->message),
				 "the exit line carries no valid status");
		} else {
			rec->guest_status = (int64_t)status;
		}
	}
}

static void decide_native(struct tv_run_record *rec, int serial_seen)
{
	rec->end = tv_native_end(rec->qemu_exited, rec->qemu_code, serial_seen,
				 rec->nqemu_lines > 0, &rec->guest_status);
	if (rec->end == TV_END_REFUSED) {
		snprintf(rec->message, sizeof(rec->message), "QEMU: %s", rec->qemu_lines[0].s);
		rec->reason = rec->message + strlen("QEMU: ");
	} else if (rec->end == TV_END_NO_EXIT) {
		if (rec->qemu_exited)
			snprintf(rec->message, sizeof(rec->message),
				 "QEMU exited with code %d, which the debug-exit port cannot produce",
				 rec->qemu_code);
		else
			snprintf(rec->message, sizeof(rec->message), "QEMU died of a signal");
	} else if (rec->end == TV_END_GUEST && rec->qemu_code == 1 && !serial_seen) {
		snprintf(rec->message, sizeof(rec->message),
			 "QEMU exit code 1 and no output: taken as guest status 0");
	}
}

/*
 * A bare guest on Bochs: its exit line says its status (there is no
 * debug-exit device, so Bochs's own status says nothing).
 */
static void decide_bochs_native(struct run_state *st, struct tv_run_record *rec)
{
	if (st->bochs_exit_seen) {
		rec->end = TV_END_GUEST;
		rec->guest_status = st->bochs_exit_status;
	} else if (st->grub_failed) {
		rec->end = TV_END_REFUSED;
		snprintf(rec->message, sizeof(rec->message), "GRUB could not load the guest image");
		rec->reason = rec->message;
	} else {
		rec->end = TV_END_NO_EXIT;
		snprintf(rec->message, sizeof(rec->message), "Bochs ended without the guest's exit "
			 "line%s%s", st->bochs_message[0] ? ": " : "", st->bochs_message);
	}
}

/*
 * After the pump: why it stopped comes first (the user, --until, a signal,
 * the deadline), then what the run itself said.
 */
void tv_run_decide_end(struct run_state *st, enum tv_pump_result pumped)
{
	const struct tv_run_config *cfg = st->cfg;
	struct tv_run_record *rec = st->rec;
	const char *emulator = cfg->on == TV_ON_BOCHS ? "Bochs" : "QEMU";

	if (pumped == TV_PUMP_STOPPED && st->proc->quit_typed) {
		rec->end = TV_END_QUIT;
		snprintf(rec->message, sizeof(rec->message), "QEMU was ended before a result");
	} else if (pumped == TV_PUMP_STOPPED) {
		rec->end = TV_END_UNTIL;
		rec->guest_status = -1;
	} else if (pumped == TV_PUMP_INTERRUPTED) {
		rec->interrupted_by = tv_process_interrupted();
		rec->end = TV_END_INTERRUPTED;
		snprintf(rec->message, sizeof(rec->message), "QEMU was killed");
	} else if (pumped == TV_PUMP_DEADLINE && !rec->exit && !st->bochs_exit_seen) {
		rec->end = TV_END_TIMEOUT;
		if (st->idle)
			snprintf(rec->message, sizeof(rec->message),
				 "no line for %g s: the guest stopped making progress; %s was killed",
				 cfg->idle_timeout_s, emulator);
		else
			snprintf(rec->message, sizeof(rec->message),
				 "no result within %g s: the guest never exited%s; %s was killed",
				 cfg->timeout_s, cfg->until ? " and --until never matched" : "", emulator);
	} else if (cfg->mode == TV_MODE_HV) {
		decide_hv(rec);
		if (rec->hello && hello_disagrees(cfg, rec))
			rec->end = TV_END_NO_EXIT;
		if (!rec->exit && st->grub_failed)
			snprintf(rec->message, sizeof(rec->message),
				 "GRUB could not load the hypervisor or the guest");
		else if (!rec->exit && st->bochs_message[0])
			snprintf(rec->message, sizeof(rec->message), "Bochs: %s", st->bochs_message);
		if (pumped == TV_PUMP_DEADLINE && rec->message[0] == '\0')
			snprintf(rec->message, sizeof(rec->message),
				 "%s lingered after the exit line and was killed", emulator);
	} else if (cfg->on == TV_ON_BOCHS) {
		decide_bochs_native(st, rec);
	} else {
		decide_native(rec, st->serial_seen);
	}
	rec->host_status = tv_host_status(rec->end, rec->guest_status);
}
