/*
 * guests/sensitive_probe/probe.h: what the parts of the sensitive-instruction
 * probe share: the catalog row, the register state a probe runs with and
 * leaves, the observation, and the guest's own descriptor tables.
 * Runs in: guest.
 *
 * The catalog is data: one struct probe_row per instruction, naming a stub
 * of probe_stubs.S that holds exactly that one instruction between two
 * labels (_insn and _next), the inputs the stub runs with and which parts of
 * the state after it make up the observation. One loop (probe_main.c) runs
 * every row through the same harness, so rows differ only in their data.
 */
#ifndef TV_GUESTS_SENSITIVE_PROBE_PROBE_H
#define TV_GUESTS_SENSITIVE_PROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/x86_desc.h"

/* Exit statuses. */
#define PROBE_EXIT_OK		0	/* every row ran or was skipped as asked */
#define PROBE_EXIT_USAGE	2	/* bad command line */

/* Selectors of the probe's GDT (probe_tables.c); 0x08 and 0x10 as guests/lib. */
#define PROBE_SEL_CODE		0x08	/* flat ring-0 code */
#define PROBE_SEL_DATA		0x10	/* flat ring-0 data: the DPL-0 selector LAR & co. read */
#define PROBE_SEL_TSS		0x18	/* a 32-bit available TSS, for LTR */
#define PROBE_SEL_LDT		0x20	/* a one-entry LDT, for LLDT */
#define PROBE_SEL_MARK		0x28	/* data whose base is probe_marks[PROBE_MARK_SEG] */
#define PROBE_SEL_LGDT_MARK	0x30	/* the same at probe_marks[PROBE_MARK_LGDT]: only in the
					 * GDT the LGDT row loads (the first one ends before it) */
#define PROBE_SEL_LDT_MARK	0x0C	/* entry 1 of the LDT (TI=1), at probe_marks[PROBE_MARK_LDT] */

/*
 * What a data segment of the probe's tables holds at offset 0: the rows that
 * load a segment register read it through the new selector, so a load that
 * did not happen (or used the wrong table) reads something else or faults.
 */
enum { PROBE_MARK_SEG, PROBE_MARK_LGDT, PROBE_MARK_LDT, PROBE_MARKS };
extern const uint32_t probe_marks[PROBE_MARKS];

/* Vector the LIDT row raises; the IDT it loads sends it to the handler of the next one. */
#define PROBE_LIDT_VECTOR	0x41

/* Popek & Goldberg's classes, as the catalog (not the run) states them. */
enum probe_category {
	PROBE_PRIVILEGED,	/* traps when run outside ring 0 */
	PROBE_SENSITIVE,	/* sensitive but unprivileged (Robin & Irvine 2000) */
	PROBE_INNOCUOUS,	/* neither: a control */
};

/* The registers a stub starts with and ends with, and EFLAGS. */
struct probe_regs {
	uint32_t eax, ecx, edx, ebx, esi, edi;	/* offsets 0..20: probe_stubs.S relies on them */
	uint32_t eflags;			/* offset 24 */
	uint32_t want_if;			/* offset 28: in only: STI before the stub */
};

/* Which output registers make up the observation (struct probe_row.out). */
#define PROBE_OUT_EAX	(1u << 0)
#define PROBE_OUT_ECX	(1u << 1)
#define PROBE_OUT_EDX	(1u << 2)
#define PROBE_OUT_EBX	(1u << 3)
#define PROBE_OUT_AX	(1u << 4)	/* only the low 16 bits of EAX (a selector) */
#define PROBE_OUT_DX	(1u << 5)	/* only the low 16 bits of EDX */
#define PROBE_OUT_EAX_FLAGS (1u << 6)	/* EAX holds an EFLAGS image: masked as flags_mask */

/*
 * The EFLAGS bits every row observes: the arithmetic flags and DF. IF and
 * IOPL are left out except in the rows about them, because the only way to
 * read them is PUSHF, which is itself sensitive (it has its own row) and
 * would otherwise make every row differ for PUSHF's sake.
 */
#define PROBE_FLAGS_ARITH	0x00000CD5u	/* CF PF AF ZF SF OF DF */
#define PROBE_FLAGS_WITH_IF	(PROBE_FLAGS_ARITH | 0x00003200u)	/* + IF, IOPL */
/* The arithmetic flags most rows start with: CF, ZF and SF set, so a change shows. */
#define PROBE_FLAGS_IN		(0x00000002u | 0x000000C1u)

/* Scratch memory a row's instruction may write (SGDT's 6 bytes, ...); refilled per row. */
#define PROBE_MEM_SIZE		8
#define PROBE_MEM_FILL		0x5A
extern uint8_t probe_mem[PROBE_MEM_SIZE];

struct probe_row {
	const char *name;		/* the row's id in PROBE lines: "sgdt" */
	enum probe_category category;
	void (*stub)(void);		/* probe_stubs.S: probe_<name> */
	const char *insn;		/* label at the instruction: probe_<name>_insn */
	const char *next;		/* label after it: probe_<name>_next */
	struct probe_regs in;		/* inputs (EFLAGS: PROBE_FLAGS_IN unless said) */
	/* Inputs only known at run time (CR0's value, ...); may be NULL. */
	void (*setup)(struct probe_regs *in);
	unsigned out;			/* PROBE_OUT_* */
	uint32_t flags_mask;		/* PROBE_FLAGS_ARITH or PROBE_FLAGS_WITH_IF */
	unsigned mem_len;		/* bytes of probe_mem observed (0..PROBE_MEM_SIZE) */
	const char *records;		/* what the observation means, for a reader */
	/*
	 * The observation cannot tell the instruction from one that did
	 * nothing (CLI's IF is only readable through PUSHF, INVD's caches not
	 * at all): the PROBE line says effect=unchecked, and classify never
	 * calls such a row's emulation correct. records says why.
	 */
	bool effect_unchecked;
};

extern const struct probe_row probe_catalog[];
extern const size_t probe_catalog_len;

/* What one row left behind. */
struct probe_observation {
	struct probe_regs regs;		/* after the stub (or at the fault) */
	uint8_t mem[PROBE_MEM_SIZE];
	bool faulted;			/* an exception or INT n reached the guest's handler */
	uint32_t vector, error, fault_eip, fault_cs;
};

/* ---- probe_stubs.S ---- */

/*
 * Run stub with the registers and EFLAGS of *io, then store the registers
 * and EFLAGS it left in *io. If the stub faults, the handler resumes at
 * probe_fault_resume, which rebuilds the harness's stack and stores the
 * registers as they were at the fault.
 */
void probe_exec(void (*stub)(void), struct probe_regs *io);
extern const char probe_fault_resume[];

/* ---- probe_tables.c ---- */

/*
 * Install the probe's GDT (code, data, TSS, LDT, marks; its limit ends
 * before PROBE_SEL_LGDT_MARK) and IDT; every vector goes to guests/lib.
 */
void probe_tables_install(void);
/* The GDT in use after the LGDT row, read by the LTR row for the TSS's busy bit. */
extern struct x86_desc probe_gdt[];


/* ---- probe_report.c ---- */

/* Print the PROBE line of a row that ran, or of one skipped on request (obs NULL). */
void probe_report(const struct probe_row *row, const struct probe_observation *obs);

#endif
