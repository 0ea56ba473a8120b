/*
 * guests/sensitive_probe/probe_main.c: the sensitive-instruction probe.
 * Runs in: guest (natively in ring 0, or deprivileged under the hypervisor).
 *
 * A guest kernel that executes, one by one, every instruction of its
 * catalog (probe_catalog.c) and prints what it observed. The same file
 * runs on the bare machine and under the hypervisor; `trapvisor classify`
 * compares the two outputs row by row and matches the hypervisor's trap
 * lines to each row's address to tell trapped rows from silent ones.
 *
 * 1. Install its own GDT (with a TSS and an LDT) and IDT, mask the PIC.
 * 2. For each row: fill the scratch memory, compute run-time inputs, run
 *    the probe through the harness (probe_stubs.S) with a handler on every
 *    vector, so an exception (or INT n) is recorded as part of the row and
 *    the run goes on with the next row.
 * 3. Print one PROBE line per row, then PROBE-END.
 *
 * Command line (multiboot): the first word names the guest; then any number
 * of `skip=<name>`: that row is not executed and is reported as skipped
 * (`trapvisor classify` uses this to get past an instruction the
 * hypervisor does not emulate yet). Anything else is refused: one error
 * line and exit status 2.
 *
 * Output (read by `trapvisor classify` and by tests), one line per row:
 *   PROBE name=<id> category=<privileged|sensitive|innocuous> la=0x<address
 *     of the instruction> len=<bytes> bytes=<hex, as in memory when it ran>
 *     effect=<checked|unchecked> observed="<tokens>"
 * effect=unchecked: the observation cannot tell the instruction from one
 * that did nothing (probe.h, struct probe_row.effect_unchecked).
 * then `PROBE-END count=<rows>`. The observed tokens are stable from run to
 * run (probe_report.c lists them); a skipped row has observed="skipped".
 * Exit status 0 when every row ran or was skipped; 2 for a bad command
 * line; 127 if a trap came outside a probe (guests/lib).
 */
#include "guests/lib/guest_fifo_console.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_trap.h"
#include "guests/sensitive_probe/probe.h"
#include "lib/string.h"
#include "lib/x86.h"

#define PROBE_SKIP_MAX	64

uint8_t probe_mem[PROBE_MEM_SIZE] __attribute__((aligned(8)));

/* The row running, for the trap handler; NULL outside a probe. */
static const struct probe_row *volatile probe_running;
static struct probe_observation probe_obs;

static void probe_trap(struct guest_trap_frame *frame)
{
	if (!probe_running) {
		guest_printf("FAIL: unexpected trap outside a probe: vector %u error 0x%x eip 0x%08x\n",
			     frame->vector, frame->error, frame->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	/* A second trap in one row would hide the first: keep the first. */
	if (!probe_obs.faulted) {
		probe_obs.faulted = true;
		probe_obs.vector = frame->vector;
		probe_obs.error = frame->error;
		probe_obs.fault_eip = frame->eip;
		probe_obs.fault_cs = frame->cs & 0xFFFFu;
	}
	frame->eip = (uint32_t)probe_fault_resume;
}

static void probe_run(const struct probe_row *row)
{
	memset(&probe_obs, 0, sizeof(probe_obs));
	memset(probe_mem, PROBE_MEM_FILL, sizeof(probe_mem));
	probe_obs.regs = row->in;
	if (!probe_obs.regs.eflags)
		probe_obs.regs.eflags = PROBE_FLAGS_IN;
	if (row->setup)
		row->setup(&probe_obs.regs);

	probe_running = row;
	probe_exec(row->stub, &probe_obs.regs);
	probe_running = NULL;

	memcpy(probe_obs.mem, probe_mem, sizeof(probe_obs.mem));
	probe_report(row, &probe_obs);
}

static const struct probe_row *probe_find(const char *name)
{
	for (size_t i = 0; i < probe_catalog_len; i++)
		if (strcmp(probe_catalog[i].name, name) == 0)
			return &probe_catalog[i];
	return NULL;
}

/* Read the skip= words; false (after saying why) on anything else. */
static bool probe_parse_options(const struct multiboot_info *info,
				bool skip[], size_t nrows)
{
	char word[64];

	for (size_t i = 0; i < nrows; i++)
		skip[i] = false;
	for (unsigned n = 0; guest_mb_arg(info, n, word, sizeof(word)); n++) {
		const struct probe_row *row = NULL;

		if (strncmp(word, "skip=", 5) == 0)
			row = probe_find(word + 5);
		if (!row) {
			guest_fifo_printf("sensitive_probe: error: unknown option \"%s\" (give skip=<row name>)\n",
				     word);
			return false;
		}
		skip[row - probe_catalog] = true;
	}
	return true;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	static bool skip[PROBE_SKIP_MAX];

	probe_tables_install();
	guest_pic_mask_all();
	guest_fifo_console_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		guest_fifo_printf("sensitive_probe: error: not started by a multiboot loader (EAX 0x%08x)\n",
			     magic);
		return PROBE_EXIT_USAGE;
	}
	if (probe_catalog_len > PROBE_SKIP_MAX) {
		guest_fifo_printf("sensitive_probe: error: the catalog outgrew PROBE_SKIP_MAX\n");
		return GUEST_EXIT_PANIC;
	}
	if (!probe_parse_options(info, skip, probe_catalog_len))
		return PROBE_EXIT_USAGE;

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, probe_trap);

	for (size_t i = 0; i < probe_catalog_len; i++) {
		if (skip[i])
			probe_report(&probe_catalog[i], NULL);
		else
			probe_run(&probe_catalog[i]);
	}
	guest_fifo_printf("PROBE-END count=%u\n", (unsigned)probe_catalog_len);
	return PROBE_EXIT_OK;
}
