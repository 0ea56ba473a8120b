/*
 * guests/opcode_scan/scan_main.c: the opcode-space scan, the guest kernel.
 * Runs in: guest (natively in ring 0, or deprivileged under the hypervisor).
 *
 * For `trapvisor scan`, which runs it on the bare machine and under the
 * hypervisor (with tracing) and compares the two outputs case by case:
 * a case that ends differently without the hypervisor having trapped at
 * it is a sensitive instruction that is not privileged.
 *
 * 1. Set up the kernel state (scan_state.c) and the case list
 *    (scan_cases.c); print the opcodes not run, and why.
 * 2. For each case: write its instruction into its own slot (so a trap's
 *    EIP names it), refill the memory window and the landing pads, reset
 *    the x87 unit, run it through the harness (scan_stubs.S) twice, and
 *    digest what it left: registers, EFLAGS but IF (which only PUSHF reads,
 *    and PUSHF is itself a case), segment registers (SS without its RPL,
 *    the ring), the window, and the exception taken, if any.
 * 3. One line per case; the same digest twice means the case is
 *    repeatable, two digests (RDTSC, RDRAND) that it varies.
 *
 * Command line: the guest's name, then optionally from=N (start at case N:
 * the host resumes a run the hypervisor stopped). Output:
 *   SCAN-SKIP what="..." why="..."
 *   SCAN-BEGIN cases=N slots=0x<address> slot=<bytes>
 *   C <index> <bytes hex> <- | vector/error> <digest hex | varies>
 *   SCAN-END cases=N
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_fifo_console.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_pic.h"
#include "guests/lib/guest_trap.h"
#include "guests/opcode_scan/scan.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/x86.h"

/* EFLAGS compared: all a kernel can read with PUSHF but IF (and RF, VM, VIF, VIP). */
#define SCAN_FLAGS_SEEN		0x00247DD5u
/* EFLAGS every case starts with: CF, ZF, SF set, so a change shows. */
#define SCAN_FLAGS_IN		0x000000C3u
#define SCAN_FILL_BYTE(i)	((uint8_t)(0xA0u + (i) * 7u))
#define OP_JMP_REL32		0xE9
#define OP_INT3			0xCC

struct scan_regs scan_in, scan_out;
static struct scan_case scan_cases[SCAN_MAX_CASES];

struct scan_fault {
	bool taken;
	uint32_t vector, error, eip, cs;
};
static volatile bool scan_running;
static struct scan_fault scan_fault;

static void scan_trap(struct guest_trap_frame *frame)
{
	if (!scan_running) {
		guest_printf("FAIL: trap outside a case: vector %u error 0x%x eip 0x%08x\n",
			     frame->vector, frame->error, frame->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	if (!scan_fault.taken) {
		scan_fault.taken = true;
		scan_fault.vector = frame->vector;
		scan_fault.error = frame->error;
		scan_fault.eip = frame->eip;
		scan_fault.cs = frame->cs & 0xFFFFu;
	}
	frame->eip = (uint32_t)scan_fault_resume;
}

/* A near jump at `at` to scan_after. */
static void put_jump_back(uint8_t *at)
{
	uint32_t rel = (uint32_t)scan_after - ((uint32_t)at + 5);

	at[0] = OP_JMP_REL32;
	memcpy(at + 1, &rel, 4);
}

static void scan_prepare(unsigned n)
{
	uint8_t *slot = (uint8_t *)(SCAN_SLOTS + n * SCAN_SLOT_BYTES);
	uint8_t *mem = (uint8_t *)SCAN_MEM;
	const struct scan_case *c = &scan_cases[n];

	/* INT3 after the jump: an instruction longer than the table said ends in a breakpoint. */
	memset(slot, OP_INT3, SCAN_SLOT_BYTES);
	memcpy(slot, c->bytes, c->len);
	put_jump_back(slot + c->len);
	put_jump_back((uint8_t *)SCAN_PAD32);
	put_jump_back((uint8_t *)SCAN_PAD16);

	for (unsigned i = 0; i < SCAN_FILL; i++)
		(mem - SCAN_FILL_BELOW)[i] = SCAN_FILL_BYTE(i);
	uint32_t words[] = {
		SCAN_WORD,		/* [M]: pad, selector, EFLAGS image */
		SCAN_FAR_SEL,		/* [M+4]: far pointers' selector, RETF's CS */
		0x00000002u,		/* [M+8]: IRET's EFLAGS */
		SCAN_MEM,		/* [M+12]: an outer return's ESP */
		SCAN_SEL_RPL1_DATA,	/* [M+16]: its SS */
	};
	memcpy(mem, words, sizeof(words));

	scan_in = (struct scan_regs){
		.eax = SCAN_WORD, .ecx = 3, .edx = SCAN_IMM, .ebx = SCAN_MEM,
		.esp = SCAN_MEM, .ebp = SCAN_MEM, .esi = SCAN_MEM, .edi = SCAN_MEM + 8,
		.eflags = SCAN_FLAGS_IN,
	};
	memset(&scan_fault, 0, sizeof(scan_fault));
	__asm__ volatile("fninit");
}

/* FNV-1a, 32 bits. */
static uint32_t digest_add(uint32_t h, const void *p, unsigned len)
{
	const uint8_t *b = p;

	for (unsigned i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t scan_digest(void)
{
	uint32_t h = 2166136261u;
	struct scan_regs r = scan_out;

	r.eflags &= SCAN_FLAGS_SEEN;
	r.ss &= (uint16_t)~3u;
	r.pad = 0;
	h = digest_add(h, &r, sizeof(r));
	h = digest_add(h, (const uint8_t *)SCAN_MEM - SCAN_WINDOW_BELOW, SCAN_WINDOW);
	h = digest_add(h, &scan_fault, sizeof(scan_fault));
	return h;
}

static uint32_t scan_run_once(unsigned n)
{
	const struct scan_case *c = &scan_cases[n];

	scan_prepare(n);
	scan_running = true;
	scan_exec(SCAN_SLOTS + n * SCAN_SLOT_BYTES);
	scan_running = false;
	if (c->restore & SCAN_RESTORE_IF)
		cli();
	if (c->restore & SCAN_RESTORE_SYSREGS)
		scan_state_restore_sysregs();
	return scan_digest();
}

static void scan_case(unsigned n)
{
	const struct scan_case *c = &scan_cases[n];
	char bytes[2 * SCAN_INSN_MAX + 1], exc[24];

	uint32_t first = scan_run_once(n);
	struct scan_fault fault = scan_fault;
	uint32_t second = scan_run_once(n);

	for (unsigned i = 0; i < c->len; i++)
		tv_snprintf(bytes + 2 * i, 3, "%02x", c->bytes[i]);
	bytes[2 * c->len] = '\0';
	if (fault.taken)
		tv_snprintf(exc, sizeof(exc), "%02x/%x", fault.vector, fault.error);
	else
		tv_snprintf(exc, sizeof(exc), "-");
	if (first == second)
		guest_fifo_printf("C %u %s %s %08x\n", n, bytes, exc, first);
	else
		guest_fifo_printf("C %u %s %s varies\n", n, bytes, exc);
}

/* from=N, or nothing; false after saying why on anything else. */
static bool scan_parse(const struct multiboot_info *info, unsigned *from)
{
	char word[64];

	*from = 0;
	for (unsigned n = 1; guest_mb_cmdline_word(info, n, word, sizeof(word)); n++) {
		const char *p = word + 5;
		unsigned v = 0;

		if (strncmp(word, "from=", 5) != 0 || !*p) {
			guest_fifo_printf("opcode_scan: error: unknown option \"%s\" (give from=N)\n", word);
			return false;
		}
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || v > 100000) {
				guest_fifo_printf("opcode_scan: error: from= needs a case number, not \"%s\"\n",
						  word + 5);
				return false;
			}
			v = v * 10 + (unsigned)(*p - '0');
		}
		*from = v;
	}
	return true;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	unsigned from;

	guest_pic_mask_all();
	guest_fifo_console_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		guest_fifo_printf("opcode_scan: error: not started by a multiboot loader\n");
		return SCAN_EXIT_USAGE;
	}
	if (!scan_parse(info, &from))
		return SCAN_EXIT_USAGE;
	scan_state_install();
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, scan_trap);

	unsigned ncases = scan_cases_build(scan_cases, SCAN_MAX_CASES);
	if (ncases == SCAN_MAX_CASES) {
		guest_fifo_printf("opcode_scan: error: the case list outgrew SCAN_MAX_CASES\n");
		return GUEST_EXIT_PANIC;
	}
	for (unsigned i = 0; i < scan_nskips; i++)
		guest_fifo_printf("SCAN-SKIP what=\"%s\" why=\"%s\"\n", scan_skips[i].what,
				  scan_skips[i].why);
	guest_fifo_printf("SCAN-BEGIN cases=%u slots=0x%08x slot=%u\n", ncases, SCAN_SLOTS,
			  SCAN_SLOT_BYTES);
	for (unsigned n = from; n < ncases; n++)
		scan_case(n);
	guest_fifo_printf("SCAN-END cases=%u\n", ncases);
	return SCAN_EXIT_OK;
}
