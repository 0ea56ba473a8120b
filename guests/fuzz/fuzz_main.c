/*
 * guests/fuzz/fuzz_main.c: the differential fuzzer's guest: runs random
 * instruction sequences (fuzz_gen.c) one by one, each from a known state,
 * and prints the state each ends in, for `trapvisor fuzz` to compare
 * between the bare machine and the hypervisor.
 * Runs in: guest (natively in ring 0, or deprivileged under the hypervisor).
 *
 * 1. Install the tables (fuzz_tables.c), initialise the PICs with only the
 *    timer's line open, turn paging on.
 * 2. For each sequence: generate it, copy it into the arena's code page
 *    (the rest of the page is INT3), fill the scratch page and the stack
 *    from the sequence's seed, undo what the sequence before it (or this
 *    one) may change in debug registers, CR3, the LDTR, the PIC's mask and
 *    COM1's scratch register, arm the watchdog (the PIT's channel 0, FUZZ_WATCHDOG_TICKS one-shot
 *    periods of 55 ms), and run it (fuzz_exec.S).
 * 3. Every sequence ends in the trap handler below: an exception, INT n,
 *    the watchdog's tick (a sequence that loops or halts), or the UD2 at
 *    the end label after the last instruction. The handler stops the
 *    watchdog, records the state, puts back CR0, CR4, the GDT and IDT, and
 *    resumes the harness.
 * 4. One line per sequence.
 *
 * Command line: `seed=S start=K count=N [detail]` (decimal; defaults 1, 0,
 * 1000), or `seed=S seq=K...` (up to FUZZ_CUTS_MAX seq words) to run the
 * sequences named, in that order, or `seed=S cut=K.N...` (as many cut
 * words) to run each sequence K only up to its instruction N (fuzz_cut)
 * instead. Anything else, or seq and cut words together: an error line
 * and exit status 2.
 *
 * Output:
 *   FUZZ-LAYOUT code=0x.. end=0x.. scratch=0x.. stack=0x.. tables=0x.. cr3=0x..
 *     where things are, so the host can build the same sequences;
 *   F <k> <vector> <error> <eflags> <eip> <state> <memory>
 *     one per sequence, all hexadecimal but k: vector 100 is the
 *     watchdog's tick, 101 the end label reached (eflags then as PUSHF
 *     there saw them, eip 0); state hashes the general registers, the
 *     segment registers, CR0, CR2 (after a #PF) and CR4; memory hashes the
 *     scratch page and the stack from the final ESP up;
 *   with `detail`, a D line after each with those registers one by one;
 *   C <k> <n> <vector> ... for a cut run: the same fields as F after them;
 *   FUZZ-END count=N.
 * Exit status 0, 2 for a bad command line, 127 if a trap came outside a
 * sequence.
 */
#include <stdbool.h>

#include "guests/fuzz/fuzz.h"
#include "guests/lib/guest_fifo_console.h"
#include "guests/lib/guest_exit.h"
#include "guests/lib/guest_main.h"
#include "guests/lib/guest_multiboot.h"
#include "guests/lib/guest_trap.h"
#include "lib/string.h"
#include "lib/x86.h"

#define FUZZ_EXIT_USAGE		2
#define FUZZ_CUTS_MAX		512	/* cut=K.N (or seq=K) words in one run */

#define FUZZ_VEC_TICK		0x100
#define FUZZ_VEC_DONE		0x101

#define PIC1_CMD		0x20
#define PIC1_DATA		0x21
#define PIC2_CMD		0xA0
#define PIC2_DATA		0xA1
#define PIC_EOI			0x20
#define PIC_READ_IRR		0x0A
#define PIC_READ_ISR		0x0B
#define PIT_CH0			0x40
#define PIT_CMD			0x43
#define PIT_CH0_ONESHOT		0x30	/* channel 0, low then high byte, mode 0 */
/*
 * Nearly the longest one-shot the PIT has: 65535 ticks of 1.193182 MHz,
 * 55 ms of real time. Under the hypervisor, on a busy host, the few traps
 * between arming it and the sequence's first instruction can take
 * milliseconds; a shorter watchdog would fire in sequences that do not
 * loop. Not 0, which means 65536 to an 8254 but which the hypervisor's
 * timer took as an immediate tick.
 */
#define FUZZ_WATCHDOG_COUNT	0xFFFF
/*
 * Ticks before a sequence counts as looping or halted: the ones before the
 * last are taken and the sequence goes on, so a busy host that delays a
 * sequence under the hypervisor past one period does not end it early.
 */
#define FUZZ_WATCHDOG_TICKS	3
#define COM1_SCRATCH		0x3FF

#define EFLAGS_VM		0x00020000u
#define EFLAGS_VIF_VIP		0x00180000u

struct fuzz_result {
	uint32_t vector, error, eip, eflags;
	uint32_t reg[8];		/* EAX ECX EDX EBX ESP EBP ESI EDI */
	uint32_t cs, ss, ds, es, fs, gs;
	uint32_t cr0, cr2, cr4;
	uint32_t mem;
};

enum fuzz_phase { FUZZ_IDLE, FUZZ_RUNNING, FUZZ_DRAINING };

static volatile enum fuzz_phase fuzz_phase;
static volatile unsigned fuzz_ticks;	/* watchdog ticks in this sequence */
static struct fuzz_result fuzz_res;
static struct fuzz_layout fuzz_lay;
static uint32_t fuzz_cr0_main;		/* CR0 outside sequences: WP clear */
static struct fuzz_seq fuzz_seq;
static struct fuzz_entry fuzz_entry;
static uint32_t fuzz_cut_k[FUZZ_CUTS_MAX], fuzz_cut_n[FUZZ_CUTS_MAX];
static uint32_t fuzz_list_k[FUZZ_CUTS_MAX];	/* seq=K words: a list instead of a range */

/* ---- the watchdog ---- */

static void fuzz_watchdog_arm(void)
{
	fuzz_ticks = 0;
	outb(PIT_CMD, PIT_CH0_ONESHOT);
	outb(PIT_CH0, FUZZ_WATCHDOG_COUNT & 0xFF);
	outb(PIT_CH0, FUZZ_WATCHDOG_COUNT >> 8);
}

/* A control word alone stops channel 0 until a count follows. */
static void fuzz_watchdog_stop(void)
{
	outb(PIT_CMD, PIT_CH0_ONESHOT);
}

static void fuzz_pic_init(void)
{
	outb(PIC1_CMD, 0x11);			/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, FUZZ_VEC_IRQ0);		/* ICW2: vector bases */
	outb(PIC2_DATA, FUZZ_VEC_IRQ0 + 8);
	outb(PIC1_DATA, 0x04);			/* ICW3: slave on line 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);			/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFE);			/* only the timer */
	outb(PIC2_DATA, 0xFF);
}

/*
 * Natively the BIOS left the PIT ticking at 18.2 Hz; under the hypervisor
 * the first count programmed can bring a tick at once. Take one whole
 * watchdog period here, with nothing running, so the first sequence starts
 * like every other.
 */
static void fuzz_watchdog_start(void)
{
	fuzz_phase = FUZZ_DRAINING;
	fuzz_watchdog_arm();
	sti();
	hlt();
	cli();
	fuzz_watchdog_stop();
	fuzz_phase = FUZZ_IDLE;
}

/* A tick that came while a sequence had interrupts off waits in the IRR: take it now, not in the next sequence. */
static void fuzz_drain_tick(void)
{
	for (int i = 0; i < 4; i++) {
		outb(PIC1_CMD, PIC_READ_IRR);
		if (!(inb(PIC1_CMD) & 1))
			return;
		fuzz_phase = FUZZ_DRAINING;
		sti();
		(void)inb(PIC1_DATA);	/* a trap: where the hypervisor delivers */
		cli();
		fuzz_phase = FUZZ_IDLE;
	}
}

/* ---- the trap handler: every sequence ends here ---- */

static uint32_t fuzz_mem_hash(uint32_t esp)
{
	uint32_t h = fuzz_hash(FUZZ_HASH_INIT, FUZZ_SCRATCH_PAGE, FUZZ_SCRATCH_SIZE);

	if (esp >= (uint32_t)FUZZ_STACK_LOW && esp < (uint32_t)FUZZ_STACK_HIGH)
		h = fuzz_hash(h, (const void *)esp, (uint32_t)FUZZ_STACK_HIGH - esp);
	return h;
}

static void fuzz_trap(struct guest_trap_frame *f)
{
	uint32_t cr0 = read_cr0();

	/* First: with WP clear the guest's own data is writable again. */
	write_cr0(fuzz_cr0_main);
	if (fuzz_phase == FUZZ_DRAINING && f->vector == FUZZ_VEC_IRQ0) {
		outb(PIC1_CMD, PIC_EOI);
		return;
	}
	if (fuzz_phase != FUZZ_RUNNING) {
		guest_fifo_printf("FAIL: trap outside a sequence: vector %u error 0x%x eip 0x%08x\n",
			    f->vector, f->error, f->eip);
		guest_exit(GUEST_EXIT_PANIC);
	}
	if (f->vector == FUZZ_VEC_IRQ0 && fuzz_ticks + 1 < FUZZ_WATCHDOG_TICKS) {
		outb(PIC1_CMD, PIC_READ_ISR);
		if (inb(PIC1_CMD) & 1) {
			/* Not the last tick: the sequence goes on where it was. */
			outb(PIC1_CMD, PIC_EOI);
			unsigned ticks = fuzz_ticks + 1;
			fuzz_watchdog_arm();
			fuzz_ticks = ticks;
			write_cr0(cr0);
			return;
		}
	}
	fuzz_watchdog_stop();

	struct fuzz_result *r = &fuzz_res;
	const uint32_t *above = &f->eflags + 1;	/* what the CPU pushed before EFLAGS */

	r->vector = f->vector;
	r->error = f->error;
	r->eip = f->eip;
	r->eflags = f->eflags;
	r->cs = f->cs & 0xFFFFu;
	r->ds = f->ds;
	r->es = f->es;
	r->fs = f->fs;
	r->gs = f->gs;
	if (f->vector == FUZZ_VEC_IRQ0) {
		outb(PIC1_CMD, PIC_READ_ISR);
		if (inb(PIC1_CMD) & 1) {
			r->vector = FUZZ_VEC_TICK;
			outb(PIC1_CMD, PIC_EOI);
		}
	}
	r->reg[0] = f->eax;
	r->reg[1] = f->ecx;
	r->reg[2] = f->edx;
	r->reg[3] = f->ebx;
	r->reg[5] = f->ebp;
	r->reg[6] = f->esi;
	r->reg[7] = f->edi;
	if (f->eflags & EFLAGS_VM) {
		/* From virtual-8086 mode: the CPU also saved the data segments. */
		r->reg[4] = above[0];
		r->ss = above[1] & 0xFFFFu;
		r->es = above[2] & 0xFFFFu;
		r->ds = above[3] & 0xFFFFu;
		r->fs = above[4] & 0xFFFFu;
		r->gs = above[5] & 0xFFFFu;
	} else if (f->cs & 3) {
		/* From an outer ring: the CPU switched to the TSS's stack. */
		r->reg[4] = above[0];
		r->ss = above[1] & 0xFFFFu;
	} else {
		r->reg[4] = (uint32_t)above;
		/*
		 * At CPL 0 the RPL of SS is 0 by definition; a deprivileged
		 * guest's MOV from SS would show the real ring here, on every
		 * line. The sequences test that leak themselves (MOV from SS).
		 */
		r->ss = read_ss() & ~3u;
	}
	if (f->vector == 6 && f->eip == (uint32_t)fuzz_seq_end_ud2 && !(f->eflags & EFLAGS_VM)) {
		/* The end label: its PUSHF left EFLAGS on the sequence's stack. */
		r->vector = FUZZ_VEC_DONE;
		r->eflags = *(const uint32_t *)r->reg[4];
		r->reg[4] += 4;
		r->eip = 0;
	}
	/*
	 * QEMU's IRET and POPF at CPL 0 never change VIF and VIP (the SDM's
	 * IRET loads them), so once a sequence has been in virtual-8086 mode
	 * they would stay set for the rest of a run on the bare machine: a
	 * history no other sequence should see. They are left out.
	 */
	r->eflags &= ~EFLAGS_VIF_VIP;
	r->cr0 = cr0;
	r->cr2 = f->vector == 14 ? read_cr2() : 0;
	r->cr4 = read_cr4();
	if (r->cr4)
		write_cr4(0);
	r->mem = fuzz_mem_hash(r->reg[4]);
	fuzz_tables_reload();

	f->eip = (uint32_t)fuzz_resume;
	f->cs = FUZZ_SEL_CODE0;
	f->eflags = 0x2;
	f->ds = f->es = f->fs = f->gs = FUZZ_SEL_DATA0;
}

/* ---- one sequence ---- */

static bool fuzz_has(const struct fuzz_seq *s, unsigned kind)
{
	for (unsigned i = 0; i < s->ninsn; i++)
		if (s->insn[i].kind == kind)
			return true;
	return false;
}

#define WRITE_DR(n, v) __asm__ volatile("movl %0, %%db" #n : : "r"(v))

/* What a sequence may change and the handler does not put back, by the items that can. */
struct fuzz_changes {
	bool dr, ldtr, cr3, pic_com1;
};

static struct fuzz_changes fuzz_changes_of(const struct fuzz_seq *s)
{
	return (struct fuzz_changes){
		.dr = fuzz_has(s, FUZZ_K_MOVDR_WRITE),
		.ldtr = fuzz_has(s, FUZZ_K_LLDT),
		.cr3 = fuzz_has(s, FUZZ_K_MOVCR_WRITE),
		.pic_com1 = fuzz_has(s, FUZZ_K_OUT) || fuzz_has(s, FUZZ_K_STRIO),
	};
}

/*
 * Put back what the sequence run before s (before: its changes) or s
 * itself may have changed, before s runs: each sequence starts from the
 * same state whatever ran before it. Only the sequence's own changes were
 * undone once, so the one after a sequence with LLDT read that LDTR with
 * SLDT, and the one after a MOV to CR3 read CR3's PWT and PCD: the bare
 * machine's seed 2027, 72135 stored another LDTR after 72053 or 72093 than
 * alone, and an earlier sequence that ran its LLDT or MOV CR3 on one
 * machine only (after a documented difference) made a later SLDT or MOV
 * from CR3 differ (72135; 44580 in ring 3).
 */
static void fuzz_reset_state(const struct fuzz_seq *s, struct fuzz_changes before)
{
	struct fuzz_changes own = fuzz_changes_of(s);

	/*
	 * FNINIT only marks the x87 registers empty; bare QEMU's FCOMI of an
	 * empty register compares what it still holds (a CPU reports a stack
	 * underflow, unordered), so an earlier sequence's values leaked into
	 * a later one's flags (seed 2027, 105409 in ring 3, after the
	 * sequences before it in a campaign). Eight zeros loaded, then
	 * FNINIT: every register holds +0.0, whatever ran before.
	 */
	__asm__ volatile("fninit\n\tfldz\n\tfldz\n\tfldz\n\tfldz\n\t"
			 "fldz\n\tfldz\n\tfldz\n\tfldz\n\tfninit");
	if (before.dr || own.dr || fuzz_has(s, FUZZ_K_MOVDR_READ)) {
		uint32_t zero = 0;
		WRITE_DR(7, zero);
		WRITE_DR(0, zero);
		WRITE_DR(1, zero);
		WRITE_DR(2, zero);
		WRITE_DR(3, zero);
		WRITE_DR(6, zero);
	}
	if (before.ldtr || own.ldtr)
		lldt(0);
	if ((before.cr3 || own.cr3) && read_cr3() != fuzz_lay.cr3)
		write_cr3(fuzz_lay.cr3);
	/* CR2 keeps the last #PF's address: a read of it must not see an earlier sequence's. */
	if (fuzz_has(s, FUZZ_K_MOVCR_READ))
		__asm__ volatile("movl %0, %%cr2" : : "r"(0u));
	if (before.pic_com1 || own.pic_com1) {
		outb(PIC1_DATA, 0xFE);
		outb(PIC2_DATA, 0xFF);
		outb(COM1_SCRATCH, 0);
	}
}

static void fuzz_prepare(const struct fuzz_seq *s, struct fuzz_entry *e)
{
	uint64_t st = s->fill;
	uint32_t *w;

	memcpy(FUZZ_CODE_PAGE, s->code, s->len);
	memset(FUZZ_CODE_PAGE + s->len, 0xCC, FUZZ_PAGE - s->len);	/* INT3 */
	w = (uint32_t *)FUZZ_SCRATCH_PAGE;
	for (unsigned i = 0; i < FUZZ_SCRATCH_SIZE / 4; i++)
		w[i] = fuzz_fill_next(&st);
	memset(FUZZ_STACK_LOW, 0, (uint32_t)(FUZZ_STACK_TOP - FUZZ_STACK_LOW));
	w = (uint32_t *)FUZZ_STACK_TOP;
	for (unsigned i = 0; i < FUZZ_STACK_FILL / 4; i++)
		w[i] = fuzz_fill_next(&st);
	memset(FUZZ_STACK0_TOP - FUZZ_PAGE, 0, FUZZ_PAGE);

	for (unsigned i = 0; i < 8; i++)
		e->reg[i] = s->reg[i];
	e->reg[4] = (uint32_t)FUZZ_STACK_TOP;
	e->eflags = s->eflags;
	e->eip = fuzz_lay.code;
	e->fs = s->fs;
	e->gs = s->gs;
}

/* The F line of sequence k, or its C line when it was cut after n instructions (cut: true). */
static void fuzz_report(uint32_t k, bool cut, uint32_t n, const struct fuzz_result *r, bool detail)
{
	uint32_t h = fuzz_hash(FUZZ_HASH_INIT, r->reg, sizeof(r->reg));

	h = fuzz_hash(h, &r->cs, 9 * sizeof(uint32_t));	/* cs ss ds es fs gs cr0 cr2 cr4 */
	if (cut)
		guest_fifo_printf("C %u %u %x %x %08x %08x %08x %08x\n", k, n, r->vector, r->error,
				  r->eflags, r->eip, h, r->mem);
	else
		guest_fifo_printf("F %u %x %x %08x %08x %08x %08x\n", k, r->vector, r->error,
				  r->eflags, r->eip, h, r->mem);
	if (detail)
		guest_fifo_printf("D eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x "
			    "edi=%08x cs=%04x ss=%04x ds=%04x es=%04x fs=%04x gs=%04x cr0=%08x "
			    "cr2=%08x cr4=%08x\n",
			    r->reg[0], r->reg[1], r->reg[2], r->reg[3], r->reg[4], r->reg[5],
			    r->reg[6], r->reg[7], r->cs, r->ss, r->ds, r->es, r->fs, r->gs, r->cr0,
			    r->cr2, r->cr4);
}

/*
 * One empty sequence (a jump to the end label) through the whole path,
 * its result dropped: under the hypervisor the first count written to the
 * timer after boot can tick at once, and that must not land in sequence
 * `start` of a run and not in the same sequence of another.
 */
static void fuzz_warm_up(void)
{
	static const struct fuzz_seq empty;

	fuzz_prepare(&empty, &fuzz_entry);
	uint32_t rel = fuzz_lay.end - (fuzz_lay.code + 5);
	FUZZ_CODE_PAGE[0] = 0xE9;
	memcpy(FUZZ_CODE_PAGE + 1, &rel, 4);
	fuzz_entry.eflags = 0x202;
	for (int i = 0; i < 2; i++) {
		fuzz_drain_tick();
		fuzz_watchdog_arm();
		fuzz_phase = FUZZ_RUNNING;
		fuzz_exec(&fuzz_entry);
		fuzz_phase = FUZZ_IDLE;
	}
}

/*
 * Bare QEMU never clears VIF and VIP at CPL 0 (its IRET and POPF keep them)
 * once a sequence has left them set in virtual-8086 mode, and a later
 * sequence's PUSHF would store them: a history no sequence should see. An
 * IRET into virtual-8086 mode loads them from its image: one with both
 * clear, to 0:0, comes straight back through a fault (the page is not
 * mapped, or not writable), its result dropped. Under the hypervisor they
 * are never set: there an IRET to virtual-8086 mode stops the guest.
 */
static void fuzz_clear_vif_vip(void)
{
	static const uint8_t to_v86[] = {
		0x6A, 0, 0x6A, 0, 0x6A, 0, 0x6A, 0,	/* GS FS DS ES: 0 */
		0x6A, 0, 0x6A, 0,			/* SS:ESP 0:0 */
		0x68, 0x02, 0x00, 0x02, 0x00,		/* EFLAGS: VM, VIF and VIP clear */
		0x6A, 0, 0x6A, 0,			/* CS:EIP 0:0 */
		0xCF,					/* IRET */
	};
	static const struct fuzz_seq empty;
	uint32_t fl;

	__asm__ volatile("pushfl; popl %0" : "=r"(fl));
	if (!(fl & EFLAGS_VIF_VIP))
		return;
	fuzz_prepare(&empty, &fuzz_entry);
	memcpy(FUZZ_CODE_PAGE, to_v86, sizeof(to_v86));
	fuzz_entry.eflags = 0x2;
	fuzz_drain_tick();
	fuzz_watchdog_arm();
	fuzz_phase = FUZZ_RUNNING;
	fuzz_exec(&fuzz_entry);
	fuzz_phase = FUZZ_IDLE;
}

/* Run fuzz_seq from its start state; the result is in fuzz_res. */
static void fuzz_run(void)
{
	/*
	 * After a sequence with LTR, whatever comes next may read TR (STR, a
	 * task return, a stack switch): bare QEMU may have loaded it null.
	 */
	static bool ltr_ran;
	static struct fuzz_changes before;	/* the last sequence's, since the boot */

	if (ltr_ran)
		fuzz_tss_reload();
	ltr_ran = fuzz_has(&fuzz_seq, FUZZ_K_LTR);
	fuzz_clear_vif_vip();
	fuzz_reset_state(&fuzz_seq, before);
	before = fuzz_changes_of(&fuzz_seq);
	fuzz_prepare(&fuzz_seq, &fuzz_entry);
	memset(&fuzz_res, 0, sizeof(fuzz_res));
	fuzz_drain_tick();
	fuzz_watchdog_arm();
	fuzz_phase = FUZZ_RUNNING;
	fuzz_exec(&fuzz_entry);
	fuzz_phase = FUZZ_IDLE;
}

/* ---- the command line ---- */

static bool fuzz_number(const char *word, const char *key, uint32_t *out)
{
	size_t n = strlen(key);
	uint64_t v = 0;

	if (strncmp(word, key, n) != 0 || !word[n])
		return false;
	for (const char *p = word + n; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xFFFFFFFFull)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Decimal digits up to `stop` (a character, or 0 for the end of the word) into *out. */
static const char *fuzz_digits(const char *p, char stop, uint32_t *out)
{
	uint64_t v = 0;
	const char *first = p;

	for (; *p && *p != stop; p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xFFFFFFFFull)
			return NULL;
	}
	if (p == first || *p != stop)
		return NULL;
	*out = (uint32_t)v;
	return p;
}

/* "cut=K.N": sequence K up to its instruction N. */
static bool fuzz_cut_word(const char *word, uint32_t *k, uint32_t *n)
{
	const char *dot;

	if (strncmp(word, "cut=", 4) != 0 || !(dot = fuzz_digits(word + 4, '.', k)))
		return false;
	return fuzz_digits(dot + 1, 0, n) != NULL;
}

int guest_main(uint32_t magic, const struct multiboot_info *info)
{
	uint32_t seed = 1, start = 0, count = 1000, ncuts = 0, nlist = 0;
	bool detail = false;
	char word[64];

	fuzz_tables_install();
	guest_fifo_console_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		guest_fifo_printf("fuzz: error: not started by a multiboot loader\n");
		return FUZZ_EXIT_USAGE;
	}
	for (unsigned n = 0; guest_mb_arg(info, n, word, sizeof(word)); n++) {
		if (strcmp(word, "detail") == 0) {
			detail = true;
		} else if (strncmp(word, "cut=", 4) == 0) {
			if (ncuts == FUZZ_CUTS_MAX ||
			    !fuzz_cut_word(word, &fuzz_cut_k[ncuts], &fuzz_cut_n[ncuts])) {
				guest_fifo_printf("fuzz: error: bad or too many cut words at \"%s\" (give cut=K.N, at most %u)\n",
						  word, FUZZ_CUTS_MAX);
				return FUZZ_EXIT_USAGE;
			}
			ncuts++;
		} else if (strncmp(word, "seq=", 4) == 0) {
			if (nlist == FUZZ_CUTS_MAX || !fuzz_number(word, "seq=", &fuzz_list_k[nlist])) {
				guest_fifo_printf("fuzz: error: bad or too many seq words at \"%s\" (give seq=K, at most %u)\n",
						  word, FUZZ_CUTS_MAX);
				return FUZZ_EXIT_USAGE;
			}
			nlist++;
		} else if (!fuzz_number(word, "seed=", &seed) && !fuzz_number(word, "start=", &start) &&
			 !fuzz_number(word, "count=", &count)) {
			guest_fifo_printf("fuzz: error: unknown option \"%s\" (give seed=S start=K count=N detail)\n",
				    word);
			return FUZZ_EXIT_USAGE;
		}
	}
	if (ncuts && nlist) {
		guest_fifo_printf("fuzz: error: seq and cut words in one run (give one kind)\n");
		return FUZZ_EXIT_USAGE;
	}
	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++)
		guest_trap_set_handler(v, fuzz_trap);

	fuzz_lay.code = (uint32_t)FUZZ_CODE_PAGE;
	fuzz_lay.end = (uint32_t)fuzz_seq_end;
	fuzz_lay.scratch = (uint32_t)FUZZ_SCRATCH_PAGE;
	fuzz_lay.stack_top = (uint32_t)FUZZ_STACK_TOP;
	fuzz_lay.tables = (uint32_t)fuzz_table_alts;
	fuzz_lay.cr3 = fuzz_paging_enable();
	fuzz_cr0_main = read_cr0() & ~CR0_WP;
	fuzz_pic_init();
	fuzz_watchdog_start();
	guest_fifo_printf("FUZZ-LAYOUT code=0x%x end=0x%x scratch=0x%x stack=0x%x tables=0x%x cr3=0x%x\n",
		    fuzz_lay.code, fuzz_lay.end, fuzz_lay.scratch, fuzz_lay.stack_top,
		    fuzz_lay.tables, fuzz_lay.cr3);

	fuzz_warm_up();
	if (ncuts) {
		for (uint32_t i = 0; i < ncuts; i++) {
			fuzz_generate(seed, fuzz_cut_k[i], &fuzz_lay, &fuzz_seq);
			fuzz_cut(&fuzz_seq, fuzz_cut_n[i], &fuzz_lay);
			fuzz_run();
			fuzz_report(fuzz_cut_k[i], true, fuzz_cut_n[i], &fuzz_res, detail);
		}
		guest_fifo_printf("FUZZ-END count=%u\n", ncuts);
		return GUEST_EXIT_OK;
	}
	if (nlist)
		count = nlist;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t k = nlist ? fuzz_list_k[i] : start + i;

		fuzz_generate(seed, k, &fuzz_lay, &fuzz_seq);
		fuzz_run();
		fuzz_report(k, false, 0, &fuzz_res, detail);
	}
	guest_fifo_printf("FUZZ-END count=%u\n", count);
	return GUEST_EXIT_OK;
}
