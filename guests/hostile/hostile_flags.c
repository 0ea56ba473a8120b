/*
 * guests/hostile/hostile_flags.c: flags a hypervisor must not inherit or
 * lose across a trap.
 * Runs in: guest.
 *
 *   df-traps            STD, then an instruction that traps to the
 *                       hypervisor (CLI, OUT, INT 0x40, UD2): an interrupt
 *                       gate does not clear DF, so the hypervisor's first
 *                       string copy would run backwards through its memory
 *                       unless it sets its own flags. The guest's DF must
 *                       survive each trap, as on the bare machine.
 *   df-rep-movs-timer   a backward REP MOVSB (an overlapping memmove) over
 *                       64 KiB, again and again, with the timer at 10 kHz:
 *                       ticks land in the middle of the copy, with DF set.
 *   cmpxchg8b-flags     POPF, CMP, CMPXCHG8B, then the flags PUSHF sees,
 *                       before and after an INT 0x40 and its IRET (QEMU
 *                       7.2 leaves a stray reserved bit 3 there, which an
 *                       IRET drops, natively and under the hypervisor).
 *   single-step         TF set by POPF, then an instruction the hypervisor
 *                       emulates (CLI, OUT): the #DB must come right after
 *                       it, with EIP at the next instruction.
 *   hlt-single-step     TF set by POPF, then HLT with the timer's longest
 *                       one-shot (55 ms) armed: the #DB comes right after
 *                       the HLT, before the tick.
 */
#include <stdint.h>

#include "guests/hostile/hostile.h"
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"

#define HOSTILE_PORT_UNUSED	0x80	/* the POST port: writes go nowhere */
#define HOSTILE_VEC_SOFT	0x40

/* The flags a guest kernel and the bare machine agree on whatever IF and IOPL are. */
#define HOSTILE_FLAGS_SHOWN	(~(EFLAGS_IF | EFLAGS_IOPL))

static const char *hostile_df(uint32_t eflags)
{
	return eflags & EFLAGS_DF ? "DF=1" : "DF=0";
}

static volatile uint32_t hostile_soft_eflags;

static void hostile_soft_int(struct guest_trap_frame *frame)
{
	hostile_soft_eflags = frame->eflags;
}

/* Each probe sets DF, traps once, and reads EFLAGS right after. */
static uint32_t hostile_std_cli(void)
{
	uint32_t fl;
	__asm__ volatile("std\n\tcli\n\tpushfl\n\tpopl %0\n\tcld" : "=r"(fl) : : "memory");
	return fl;
}

static uint32_t hostile_std_out(void)
{
	uint32_t fl;
	__asm__ volatile("std\n\toutb %%al, %1\n\tpushfl\n\tpopl %0\n\tcld"
			 : "=r"(fl) : "i"(HOSTILE_PORT_UNUSED), "a"(0) : "memory");
	return fl;
}

static uint32_t hostile_std_int(void)
{
	uint32_t fl;
	__asm__ volatile("std\n\tint %1\n\tpushfl\n\tpopl %0\n\tcld"
			 : "=r"(fl) : "i"(HOSTILE_VEC_SOFT) : "memory");
	return fl;
}

static void hostile_std_ud2(void)
{
	__asm__ volatile("std\n\tud2" : : : "memory");
}

void hostile_df_traps(void)
{
	const char *row = "df-traps";

	guest_trap_set_handler(HOSTILE_VEC_SOFT, hostile_soft_int);
	guest_printf("HOSTILE-RESULT: %s: after cli: %s\n", row, hostile_df(hostile_std_cli()));
	guest_printf("HOSTILE-RESULT: %s: after out: %s\n", row, hostile_df(hostile_std_out()));
	uint32_t after = hostile_std_int();
	guest_printf("HOSTILE-RESULT: %s: int 0x40 handler saw %s, after iret %s\n", row,
		     hostile_df(hostile_soft_eflags), hostile_df(after));
	struct hostile_outcome o = hostile_try(hostile_std_ud2);
	hostile_report(row, "ud2", &o);
	guest_printf("HOSTILE-RESULT: %s: ud2 frame %s\n", row, hostile_df(o.eflags));
}

/* --- df-rep-movs-timer --- */

/* 8259A and 8254 as a kernel programs them on a bare PC (as popf_demo does). */
#define HOSTILE_PIC_MASTER_CMD	0x20
#define HOSTILE_PIC_MASTER_DATA	0x21
#define HOSTILE_PIC_SLAVE_CMD	0xA0
#define HOSTILE_PIC_SLAVE_DATA	0xA1
#define HOSTILE_PIC_EOI		0x20
#define HOSTILE_VEC_TIMER	0x20
#define HOSTILE_PIT_CHANNEL0	0x40
#define HOSTILE_PIT_COMMAND	0x43
#define HOSTILE_PIT_MODE2	0x34
#define HOSTILE_PIT_COUNT	119	/* about 10 kHz, the fastest the hypervisor gives */

#define HOSTILE_COPY_BYTES	0x10000u
#define HOSTILE_COPY_ROUNDS_MAX	3000u
#define HOSTILE_MID_COPY_WANTED	20u

static uint8_t hostile_copy_buf[HOSTILE_COPY_BYTES + HOSTILE_COPY_ROUNDS_MAX];
static volatile uint32_t hostile_ticks, hostile_mid_copy_ticks;
extern char hostile_rep_movs_insn[];

static void hostile_timer(struct guest_trap_frame *frame)
{
	hostile_ticks++;
	if (frame->eip == (uint32_t)hostile_rep_movs_insn && (frame->eflags & EFLAGS_DF))
		hostile_mid_copy_ticks++;
	outb(HOSTILE_PIC_MASTER_CMD, HOSTILE_PIC_EOI);
}

/* The 8259s at vectors 0x20-0x2F with only IRQ 0 unmasked; handler on the timer's vector. */
static void hostile_pic_only_timer(void (*handler)(struct guest_trap_frame *))
{
	guest_trap_set_handler(HOSTILE_VEC_TIMER, handler);
	outb(HOSTILE_PIC_MASTER_CMD, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(HOSTILE_PIC_SLAVE_CMD, 0x11);
	outb(HOSTILE_PIC_MASTER_DATA, HOSTILE_VEC_TIMER);	/* ICW2 */
	outb(HOSTILE_PIC_SLAVE_DATA, HOSTILE_VEC_TIMER + 8);
	outb(HOSTILE_PIC_MASTER_DATA, 0x04);	/* ICW3 */
	outb(HOSTILE_PIC_SLAVE_DATA, 0x02);
	outb(HOSTILE_PIC_MASTER_DATA, 0x01);	/* ICW4: 8086 */
	outb(HOSTILE_PIC_SLAVE_DATA, 0x01);
	outb(HOSTILE_PIC_MASTER_DATA, 0xFE);	/* only IRQ0 */
	outb(HOSTILE_PIC_SLAVE_DATA, 0xFF);
}

static void hostile_timer_start(void)
{
	hostile_pic_only_timer(hostile_timer);
	outb(HOSTILE_PIT_COMMAND, HOSTILE_PIT_MODE2);
	outb(HOSTILE_PIT_CHANNEL0, HOSTILE_PIT_COUNT & 0xFF);
	outb(HOSTILE_PIT_CHANNEL0, HOSTILE_PIT_COUNT >> 8);
}

/* memmove(buf + 1, buf, n) the way an overlapping move must go: backwards. */
static __attribute__((noinline)) void hostile_shift_up(uint8_t *buf, uint32_t n)
{
	const uint8_t *src = buf + n - 1;
	uint8_t *dst = buf + n;
	__asm__ volatile("std\n"
			 ".globl hostile_rep_movs_insn\n"
			 "hostile_rep_movs_insn:\n\t"
			 "rep movsb\n\t"
			 "cld"
			 : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
}

static uint8_t hostile_pattern(uint32_t i)
{
	return (uint8_t)(i * 7u + (i >> 8));
}

void hostile_df_rep_movs_timer(void)
{
	const char *row = "df-rep-movs-timer";
	uint32_t rounds = 0;

	for (uint32_t i = 0; i < HOSTILE_COPY_BYTES; i++)
		hostile_copy_buf[i] = hostile_pattern(i);
	hostile_timer_start();
	sti();
	while (rounds < HOSTILE_COPY_ROUNDS_MAX && hostile_mid_copy_ticks < HOSTILE_MID_COPY_WANTED)
		hostile_shift_up(hostile_copy_buf + rounds++, HOSTILE_COPY_BYTES);
	cli();
	outb(HOSTILE_PIC_MASTER_DATA, 0xFF);

	/* After r shifts by one, byte i + r holds what byte i held. */
	uint32_t wrong = 0;
	for (uint32_t i = 0; i < HOSTILE_COPY_BYTES; i++)
		if (hostile_copy_buf[i + rounds] != hostile_pattern(i))
			wrong++;
	guest_printf("HOSTILE-RESULT: %s: copies %s, ticks inside the backward copy: %s\n", row,
		     wrong ? "corrupted" : "correct",
		     hostile_mid_copy_ticks >= HOSTILE_MID_COPY_WANTED ? "many" : "too few");
	guest_printf("hostile: %u rounds, %u ticks, %u inside the copy, %u bytes wrong\n", rounds,
		     hostile_ticks, hostile_mid_copy_ticks, wrong);
}

/* --- pit-count-zero --- */

#define HOSTILE_PIT_MODE0		0x30	/* channel 0, low then high byte, mode 0 */
#define HOSTILE_PIT_READ_BACK_STATUS0	0xE2	/* read-back: channel 0's status only */
#define HOSTILE_PIT_STATUS_OUT		0x80
#define HOSTILE_PIT_ZERO_SPINS		20000u

static volatile uint32_t hostile_zero_ticks, hostile_zero_early;

/* A genuine terminal count has raised channel 0's output; a tick with it low came too soon. */
static void hostile_zero_timer(struct guest_trap_frame *frame)
{
	(void)frame;
	outb(HOSTILE_PIT_COMMAND, HOSTILE_PIT_READ_BACK_STATUS0);
	if (!(inb(HOSTILE_PIT_CHANNEL0) & HOSTILE_PIT_STATUS_OUT))
		hostile_zero_early++;
	hostile_zero_ticks++;
	outb(HOSTILE_PIC_MASTER_CMD, HOSTILE_PIC_EOI);
}

/*
 * 82C54 datasheet: a count of 0 is 65,536 ticks (55 ms); in mode 0 the
 * output stays low until the count runs out, and IRQ 0 rises with it. An
 * interrupt taken while the output is still low was not this count's.
 */
void hostile_pit_count_zero(void)
{
	const char *row = "pit-count-zero";

	hostile_pic_only_timer(hostile_zero_timer);
	outb(HOSTILE_PIT_COMMAND, HOSTILE_PIT_MODE0);
	outb(HOSTILE_PIT_CHANNEL0, 0);
	outb(HOSTILE_PIT_CHANNEL0, 0);
	sti();
	for (uint32_t i = 0; i < HOSTILE_PIT_ZERO_SPINS && !hostile_zero_ticks; i++)
		__asm__ volatile("pause");
	cli();
	outb(HOSTILE_PIC_MASTER_DATA, 0xFF);
	guest_printf("HOSTILE-RESULT: %s: interrupts with the output still low: %u\n", row,
		     hostile_zero_early);
	guest_printf("hostile: %u ticks in %u spins\n", hostile_zero_ticks, HOSTILE_PIT_ZERO_SPINS);
}

/* --- sti-hlt-timer --- */

/*
 * STI; HLT, with the timer's one-shot armed just before: the interrupt may
 * come only once HLT has begun (SDM vol. 2B, STI: interrupts stay inhibited
 * on the boundary after it), and then wakes it. Under the hypervisor the
 * STI traps; a tick that arrives while it is carried out is taken by the
 * real CPU as soon as the guest runs again, before the HLT. Delivered
 * there, it was gone when the HLT came, and the hypervisor stopped the
 * guest: "halted: ... no interrupt can come" (the fuzzer's F25). The
 * shortest count (100 us) and a wait before the STI that grows each round
 * sweep the tick across the STI's trap.
 */
#define HOSTILE_HLT_ROUNDS	400u
#define HOSTILE_HLT_SPIN_STEP	64u	/* PAUSEs more each round */

__asm__(".text\n"
	"hostile_sti_hlt:\n\t"
	"sti\n"
	".globl hostile_hlt_insn\n"
	"hostile_hlt_insn:\n\t"
	"hlt\n\t"
	"cli\n\t"
	"ret\n");
void hostile_sti_hlt(void);
extern char hostile_hlt_insn[];

static volatile uint32_t hostile_hlt_ticks, hostile_hlt_at_hlt;

static void hostile_hlt_timer(struct guest_trap_frame *frame)
{
	if (frame->eip == (uint32_t)hostile_hlt_insn)
		hostile_hlt_at_hlt++;	/* taken before the HLT, inside STI's shadow */
	hostile_hlt_ticks++;
	outb(HOSTILE_PIC_MASTER_CMD, HOSTILE_PIC_EOI);
}

void hostile_sti_hlt_timer(void)
{
	const char *row = "sti-hlt-timer";

	hostile_pic_only_timer(hostile_hlt_timer);
	for (uint32_t i = 0; i < HOSTILE_HLT_ROUNDS; i++) {
		outb(HOSTILE_PIT_COMMAND, HOSTILE_PIT_MODE0);
		outb(HOSTILE_PIT_CHANNEL0, (uint8_t)HOSTILE_PIT_COUNT);
		outb(HOSTILE_PIT_CHANNEL0, (uint8_t)(HOSTILE_PIT_COUNT >> 8));
		for (uint32_t spin = 0; spin < i * HOSTILE_HLT_SPIN_STEP; spin++)
			__asm__ volatile("pause");
		hostile_sti_hlt();
	}
	outb(HOSTILE_PIC_MASTER_DATA, 0xFF);
	guest_printf("HOSTILE-RESULT: %s: %s, ticks taken inside the shadow: %u\n", row,
		     hostile_hlt_ticks == HOSTILE_HLT_ROUNDS ? "every hlt woke by its tick" : "ticks lost",
		     hostile_hlt_at_hlt);
}

/* --- cmpxchg8b-flags --- */

static void hostile_cmpxchg8b_once(const char *row, uint32_t popped, int equal)
{
	uint64_t mem = 0x0000000100000002ull;
	uint32_t lo = equal ? 2 : 5, hi = 1, fl_after, fl_trap;

	__asm__ volatile("pushl %[p]\n\t"
			 "popfl\n\t"
			 "cmpl %%ecx, %%ebx\n\t"
			 "cmpxchg8b %[m]\n\t"
			 "pushfl\n\t"
			 "popl %[after]\n\t"
			 "int %[vec]\n\t"
			 "pushfl\n\t"
			 "popl %[trap]\n\t"
			 "cld\n\t"
			 "pushfl\n\t"
			 "andl $~0x00044d00, (%%esp)\n\t"	/* NT AC OF DF TF */
			 "popfl"
			 : [after] "=m"(fl_after), [trap] "=m"(fl_trap), [m] "+m"(mem),
			   "+a"(lo), "+d"(hi)
			 : [p] "m"(popped), "b"(7u), "c"(9u), [vec] "i"(HOSTILE_VEC_SOFT)
			 : "memory", "cc");
	guest_printf("HOSTILE-RESULT: %s: popped 0x%08x, %s: flags 0x%08x, after a trap 0x%08x\n",
		     row, popped, equal ? "equal" : "unequal", fl_after & HOSTILE_FLAGS_SHOWN,
		     fl_trap & HOSTILE_FLAGS_SHOWN);
}

void hostile_cmpxchg8b_flags(void)
{
	const char *row = "cmpxchg8b-flags";

	guest_trap_set_handler(HOSTILE_VEC_SOFT, hostile_soft_int);
	const uint32_t popped[] = { EFLAGS_FIXED, EFLAGS_FIXED | 0x8D5, EFLAGS_FIXED | EFLAGS_DF | 0x8D5 };

	for (unsigned i = 0; i < sizeof popped / sizeof popped[0]; i++) {
		hostile_cmpxchg8b_once(row, popped[i], 1);
		hostile_cmpxchg8b_once(row, popped[i], 0);
	}
}

/* --- single-step --- */

/* TF from POPF takes effect after the next instruction: the first #DB follows the one after it. */
__asm__(".text\n"
	"hostile_step_cli:\n\t"
	"pushfl\n\t"
	"orl $0x100, (%esp)\n\t"
	"popfl\n\t"
	"cli\n"
	".globl hostile_step_cli_next\n"
	"hostile_step_cli_next:\n\t"
	"nop\n\t"
	"nop\n\t"
	"ret\n"
	"hostile_step_out:\n\t"
	"pushfl\n\t"
	"orl $0x100, (%esp)\n\t"
	"popfl\n\t"
	"outb %al, $0x80\n"
	".globl hostile_step_out_next\n"
	"hostile_step_out_next:\n\t"
	"nop\n\t"
	"nop\n\t"
	"ret\n");
void hostile_step_cli(void);
void hostile_step_out(void);
extern char hostile_step_cli_next[], hostile_step_out_next[];

void hostile_single_step(void)
{
	const char *row = "single-step";
	struct hostile_outcome o = hostile_try(hostile_step_cli);
	hostile_report(row, "tf then cli", &o);
	guest_printf("HOSTILE-RESULT: %s: tf then cli: eip %d bytes past the cli\n", row,
		     (int)(o.eip - (uint32_t)hostile_step_cli_next));
	o = hostile_try(hostile_step_out);
	hostile_report(row, "tf then out", &o);
	guest_printf("HOSTILE-RESULT: %s: tf then out: eip %d bytes past the out\n", row,
		     (int)(o.eip - (uint32_t)hostile_step_out_next));
}

/* --- hlt-single-step --- */

/*
 * TF from POPF, then HLT, the first instruction to run with it (none
 * follows the POPF itself). The single-step trap follows every
 * instruction begun with TF (SDM vol. 3, 17.3.1.4), HLT too, and comes
 * before a maskable interrupt (Table 6-2); a debug exception resumes a
 * halted CPU (vol. 2A, HLT). So the #DB for the HLT comes at once, EIP
 * after the HLT, and no tick has come by then: the timer's one-shot is the
 * longest the 8254 has. The hypervisor waited for an interrupt first (and
 * stopped the guest, "halted", when none could come). Bare QEMU halts
 * without the #DB: the tick wakes it, and its #DB follows the NOP after.
 */
__asm__(".text\n"
	"hostile_step_hlt:\n\t"
	"pushfl\n\t"
	"orl $0x100, (%esp)\n\t"
	"popfl\n\t"
	"hlt\n"
	".globl hostile_step_hlt_next\n"
	"hostile_step_hlt_next:\n\t"
	"nop\n\t"
	"nop\n\t"
	"ret\n");
void hostile_step_hlt(void);
extern char hostile_step_hlt_next[];

static volatile uint32_t hostile_hlt_step_ticks;

static void hostile_hlt_step_timer(struct guest_trap_frame *frame)
{
	(void)frame;
	hostile_hlt_step_ticks++;
	outb(HOSTILE_PIC_MASTER_CMD, HOSTILE_PIC_EOI);
}

void hostile_hlt_single_step(void)
{
	const char *row = "hlt-single-step";

	hostile_pic_only_timer(hostile_hlt_step_timer);
	outb(HOSTILE_PIT_COMMAND, HOSTILE_PIT_MODE0);
	outb(HOSTILE_PIT_CHANNEL0, 0xFF);
	outb(HOSTILE_PIT_CHANNEL0, 0xFF);
	sti();
	struct hostile_outcome o = hostile_try(hostile_step_hlt);
	uint32_t ticks = hostile_hlt_step_ticks;	/* by the #DB, or by the end of the HLT */
	hostile_report(row, "tf then hlt", &o);
	guest_printf("HOSTILE-RESULT: %s: tf then hlt: eip %d bytes past the hlt, ticks before: %u\n",
		     row, (int)(o.eip - (uint32_t)hostile_step_hlt_next), ticks);
	/* The tick still to come is taken here (STI's shadow covers the HLT), not in the next row. */
	cli();
	if (!hostile_hlt_step_ticks)
		__asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
	outb(HOSTILE_PIC_MASTER_DATA, 0xFF);
}
