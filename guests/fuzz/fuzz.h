/*
 * guests/fuzz/fuzz.h: what the parts of the fuzz guest share: its memory
 * arena, its tables, the harness that runs one sequence and the state a
 * sequence ends in.
 * Runs in: guest.
 */
#ifndef TV_GUESTS_FUZZ_FUZZ_H
#define TV_GUESTS_FUZZ_FUZZ_H

#include <stdint.h>

#include "guests/fuzz/fuzz_gen.h"

#define FUZZ_PAGE	4096u
#define CR0_WP		0x00010000u
#define CR0_PG		0x80000000u

/*
 * The arena: the only memory a sequence may write (fuzz_tables.c maps the
 * rest of the guest read-only, and CR0.WP makes that hold at ring 0).
 *   page 0: the sequence's code (read-only while it runs)
 *   page 1: the scratch page of every memory operand
 *   pages 2-3: the sequence's stack; ESP starts FUZZ_STACK_FILL below the top
 *   page 4: the stack the TSS gives for a trap from an outer ring
 */
#define FUZZ_ARENA_PAGES	5
extern uint8_t fuzz_arena[FUZZ_ARENA_PAGES * FUZZ_PAGE];
#define FUZZ_CODE_PAGE		(fuzz_arena)
#define FUZZ_SCRATCH_PAGE	(fuzz_arena + 1 * FUZZ_PAGE)
#define FUZZ_STACK_LOW		(fuzz_arena + 2 * FUZZ_PAGE)
#define FUZZ_STACK_HIGH		(fuzz_arena + 4 * FUZZ_PAGE)
#define FUZZ_STACK_TOP		(FUZZ_STACK_HIGH - FUZZ_STACK_FILL)
#define FUZZ_STACK0_TOP		(fuzz_arena + 5 * FUZZ_PAGE)

/* ---- fuzz_tables.c ---- */

/* GDT, LDT, TSS (loaded with LTR), IDT, and the pseudo-descriptors the sequences may load. */
void fuzz_tables_install(void);
/* LGDT and LIDT of the tables as installed. */
void fuzz_tables_reload(void);
/* TR back to the guest's TSS, after a sequence that ran LTR. */
void fuzz_tss_reload(void);
/* Identity paging over the guest image, read-only but for the arena; returns CR3. */
uint32_t fuzz_paging_enable(void);
/* The FUZZ_ALTS pseudo-descriptors, 8 bytes apart (struct fuzz_layout.tables). */
extern const uint8_t *const fuzz_table_alts;

/* ---- fuzz_exec.S ---- */

/* The start state the harness loads (offsets are written out in fuzz_exec.S). */
struct fuzz_entry {
	uint32_t reg[8];	/* EAX ECX EDX EBX ESP EBP ESI EDI: ESP is where the frame goes */
	uint32_t eflags;	/* loaded by IRET, IF and IOPL included */
	uint32_t eip;		/* the sequence's first byte */
	uint32_t fs, gs;
};

/*
 * Set CR0.WP, load the state of *e and IRET into the sequence. Returns
 * when the trap handler sends the guest to fuzz_resume, which every
 * sequence ends in: an exception, an interrupt, or the UD2 at the end label.
 */
void fuzz_exec(const struct fuzz_entry *e);
extern const char fuzz_seq_end[];	/* where a completed sequence jumps: PUSHF, then UD2 */
extern const char fuzz_seq_end_ud2[];
extern const char fuzz_resume[];

#endif
