/*
 * deprivilege/inline_patch.h: the inline mode of the patcher: sensitive
 * instructions (CLI, STI, PUSHF, POPF, PUSH CS, MOV from CS) rewritten into
 * a jump to short patch code that the guest kernel runs itself, against
 * virtual flags kept in a state page, as VirtualBox's patch manager (PATM)
 * did. Only an interrupt that becomes deliverable (STI or POPF setting IF
 * while one is pending, Xen's "upcall pending" check) enters the hypervisor.
 * Runs in: hypervisor, ring 0 (pure logic over bytes the caller hands it),
 * and on the host in unit tests.
 *
 * Placement (deprivilege/README.md, "The inline mode"):
 *   - a JMP rel32 takes 5 bytes, so the site and the instructions after it
 *     (a region of at least 5 bytes) move into the patch code; the jump
 *     replaces the first 5 bytes of the region;
 *   - every moved instruction after the first must start where nothing is
 *     known to jump (no root, branch or call target, return address; the
 *     scan's targets bitmap) and no other reached instruction may start
 *     inside the region: otherwise the site is refused and keeps trapping;
 *   - moved instructions are copied when their meaning does not depend on
 *     where they sit (32-bit code has no EIP-relative operand but branches),
 *     relative branches are re-encoded to their original targets, a CALL
 *     becomes PUSH of its original return address and JMP (it must end the
 *     region), a RET or indirect JMP is copied and ends the region, and an
 *     instruction that could enter the hypervisor (anything privileged,
 *     I/O, INT, segment loads, far transfers, ...) is never moved;
 *   - a region that ends (RET, JMP) short of 5 bytes may cover the
 *     compiler's alignment padding after it (NOPs, INT3, LEA or MOV of a
 *     register onto itself) that no path reaches and nothing jumps to;
 *   - still too short, the region may start up to three instructions
 *     before the site, each movable, falling through to the next and
 *     ending exactly where the next starts, none but the first a known
 *     way in (the site included), and no region planned before among
 *     them; the region's la is then the first of them.
 *
 * The patch code never changes the guest's arithmetic flags or registers
 * outside an instruction's architectural effect: it uses LEA, MOV, a
 * byte-indexed table and JECXZ instead of AND/CMP, so the hypervisor can
 * single-step it (TF) without the flag leaking into a saved copy.
 *
 * Points: each place in the patch code where the guest's state is exactly
 * that of the bare machine at an original instruction boundary is a point
 * (kind and guest address). The hypervisor delivers interrupts only at
 * points, maps a fault's EIP back through them, and sends a return into
 * the middle of a region (an IRET to an address it reported) to the point.
 */
#ifndef TV_DEPRIVILEGE_INLINE_PATCH_H
#define TV_DEPRIVILEGE_INLINE_PATCH_H

#include <stdint.h>
#include <capstone/capstone.h>
#include "deprivilege/patcher.h"

#define INLINE_JUMP_LEN		5	/* E9 rel32 */
#define INLINE_REGION_MAX	32	/* original bytes one region may cover */

/* Every kind the inline mode looks for (enum patch_set bits). */
#define PATCH_INLINE_SET	(PATCH_ALL | PATCH_CLI | PATCH_STI | PATCH_IRET)

/* The state page's words (guest linear addresses), and the patch code's table page. */
struct inline_layout {
	uint32_t vif;		/* the guest's IF: EFLAGS_IF or 0; patch code and hypervisor write it */
	uint32_t viopl;		/* the guest's IOPL << 12 */
	uint32_t pending;	/* EFLAGS_IF while an interrupt waits for IF; the hypervisor writes it */
	uint32_t if_table;	/* 256 words: EFLAGS bits 8..15 -> their IF bit, as EFLAGS_IF or 0 */
	uint32_t iopl_table;	/* 256 words: EFLAGS bits 8..15 -> their IOPL bits, in place */
	unsigned ring;		/* the real ring of the guest kernel: CS's RPL there */
	/* The IRET template's (inline_patch.c, "IRET"): */
	uint32_t vif_saved;	/* the virtual IF before the IRET, while its real IRET may still fault */
	uint32_t viopl_saved;	/* the same for the virtual IOPL */
	uint32_t iret_esp_max;	/* the highest ESP whose frame (5 words) ends below the switcher */
	uint32_t region_map;	/* INLINE_REGION_MAP_BITS bits: a byte is a region's inside */
	uint32_t region_map_base;	/* the guest address of the map's first bit */
	uint32_t eax_saved;	/* the IRET template's scratch: the guest's EAX while it runs */
};

/*
 * The region map: one bit per byte of guest code from region_map_base,
 * set where some region's bytes after its first lie. An IRET to such an
 * address must not run on the CPU (it would run the jump's displacement or
 * the INT3s): the template sends it to the trapping IRET, and the
 * hypervisor sends it on to the region's point. A return beyond the map
 * traps too.
 */
#define INLINE_REGION_MAP_BITS	(128u * 1024)	/* 16 KiB: 128 KiB of guest code */
#define INLINE_REGION_MAP_BYTES	(INLINE_REGION_MAP_BITS / 8)

enum inline_point_kind {
	INLINE_AT_INSN = 1,	/* an original instruction starts here: interrupts and faults may be taken */
	INLINE_IN_SHADOW,	/* the instruction after STI: faults map here, interrupts wait */
	INLINE_AT_CHECK,	/* the INT3 of a pending check: deliver, then resume at patch_la + 1 */
	INLINE_AT_END,		/* the jump back, at guest_la */
	INLINE_AT_CHECK_RET,	/* a pending check before the RET in STI's shadow: the
				   hypervisor does the RET, then delivers */
	/*
	 * Inside an IRET's template, where only the arithmetic flags differ
	 * from the bare machine's before the IRET (which replaces them all):
	 * faults map to the IRET at guest_la, interrupts wait.
	 */
	INLINE_AT_IRET,
	/*
	 * The template's real IRET, with the virtual IF and IOPL already taken
	 * from the frame (the old ones in vif_saved, viopl_saved) and, for
	 * INLINE_AT_IRET_COMMIT, the frame's CS turned from RPL 0 to the real
	 * ring: whatever traps here, the hypervisor first puts those back
	 * (patch_inline_sync_in), and the trap is then the IRET's at guest_la.
	 */
	INLINE_AT_IRET_COMMIT,
	INLINE_AT_IRET_COMMIT_USER,	/* the same, returning to RPL 3: the frame untouched */
	/*
	 * The template's write of the real ring into the frame's CS word, the
	 * virtual IF and IOPL already the frame's: whatever traps here, the
	 * hypervisor puts them back as at INLINE_AT_IRET_COMMIT; a fault is
	 * the write's (a frame on a page the guest's tables leave read-only),
	 * which the guest's own IRET never makes: that IRET runs instead.
	 */
	INLINE_AT_IRET_WRITE,
};

struct inline_point {
	uint32_t patch_la;	/* where in the patch code */
	uint32_t guest_la;	/* the original instruction boundary it stands for */
	uint8_t kind;		/* enum inline_point_kind */
};

struct inline_region {
	uint32_t la;		/* the site: the first original byte replaced */
	uint8_t len;		/* original bytes moved into the patch code, >= INLINE_JUMP_LEN */
	uint8_t original[INLINE_REGION_MAX];	/* the first len count */
	uint32_t code_la;	/* its patch code: the jump's target */
	uint32_t code_len;
	unsigned first_point, npoints;	/* its points in the plan, in patch code order */
	int undone;		/* its original bytes are back (the hypervisor's business) */
};

/* Patch code and its tables, filled region by region. */
struct inline_plan {
	uint8_t *code;		/* the patch code area as the caller writes it */
	uint32_t code_la;	/* where the guest sees code[0] */
	uint32_t code_size, code_used;
	struct inline_layout layout;
	struct inline_region *regions;
	unsigned max_regions, nregions;	/* sorted by la */
	struct inline_point *points;
	unsigned max_points, npoints;	/* sorted by patch_la */
};

/* Why a site keeps trapping; inline_status_text() says each in one line. */
enum inline_status {
	INLINE_OK = 0,
	INLINE_NOT_EXACT = 1,	/* the site has no exact inline form (16-bit POPF/PUSHF, CS to memory) */
	INLINE_TOO_SHORT = 2,	/* fewer than 5 movable bytes before a path ends or an unmovable instruction */
	INLINE_TARGET_INSIDE = 3,	/* something may jump inside the bytes the region would replace */
	INLINE_NO_ROOM = 4,	/* the patch code area or a table is full */
	INLINE_BAD_SITE = 5,	/* not a reached instruction of the region, or it does not decode */
};

/*
 * Plans the region starting at site_la: checks placement, writes its patch
 * code at plan->code + plan->code_used, appends the region and its points.
 * code, visited and targets are the scan's (patcher_scan_targets), the code
 * as the guest wrote it. Sites must be planned in increasing address order,
 * each outside every region planned before (a site inside one is already
 * emulated by that region's code). Nothing is written to the guest's code:
 * that is inline_apply. Returns INLINE_OK or a refusal; a refusal leaves
 * the plan as it was.
 */
int inline_plan_site(csh handle, const struct patch_region *code, const uint8_t *visited,
		     const uint8_t *targets, uint32_t site_la, struct inline_plan *plan);

/* Writes the region's JMP rel32 over its first bytes; code is at guest address code_la. */
void inline_apply(uint8_t *code, uint32_t code_la, const struct inline_region *r);

/* Puts the region's original bytes back. */
void inline_restore(uint8_t *code, uint32_t code_la, const struct inline_region *r);

/* The point exactly at patch address la, or NULL. */
const struct inline_point *inline_point_at(const struct inline_plan *plan, uint32_t la);

/*
 * For a point of an IRET template's commit (INLINE_AT_IRET_WRITE,
 * _COMMIT or _COMMIT_USER) at patch address commit_la: the template's
 * trapping IRET, the guest's own (its next INLINE_AT_IRET point, for the
 * same guest_la); 0 if commit_la is no such point.
 */
uint32_t inline_iret_own_at(const struct inline_plan *plan, uint32_t commit_la);

/* The region whose replaced bytes hold guest_la after their first (la < guest_la < la + len), or NULL. */
const struct inline_region *inline_region_inside(const struct inline_plan *plan, uint32_t guest_la);

/* The region whose patch code starts at code_la, or NULL. */
const struct inline_region *inline_region_by_code(const struct inline_plan *plan, uint32_t code_la);

/*
 * Where the guest resumes for original boundary guest_la inside region r:
 * the patch address of its first INLINE_AT_INSN point, or 0 if guest_la is
 * no boundary of r.
 */
uint32_t inline_resume_at(const struct inline_plan *plan, const struct inline_region *r,
			  uint32_t guest_la);

/*
 * The entry stub of a direct system call gate (hv/direct.c): the CPU takes
 * INT n from user mode through a trap gate, which keeps IF, so the guest
 * kernel's handler starts with IF 1 as on the bare machine; but the state
 * page may still hold the virtual IF the kernel had when it returned to
 * user mode, which it does without a trap. The stub sets the virtual IF to
 * 1 and jumps to the handler: MOV SS:[vif], IF; JMP handler_la (through
 * SS, the checked ring-1 stack based at 0, never the user's DS). Writes
 * INLINE_ENTRY_STUB_LEN bytes at out, which the guest sees at stub_la.
 */
#define INLINE_ENTRY_STUB_LEN	16
void inline_entry_stub(uint8_t *out, uint32_t stub_la, const struct inline_layout *l,
		       uint32_t handler_la);

/*
 * A direct kernel gate's entry (hv/direct.c; inline_patch.c says what the
 * body does): the per-vector stub of INLINE_KERNEL_STUB_LEN bytes at out
 * (seen at stub_la) goes to the body at body_la with the handler's offset
 * in its code segment; inline_kernel_entry_body writes one of the two
 * bodies (for an interrupt gate or a trap gate) into out (size bytes) and
 * returns its length, 0 if it does not fit.
 */
#define INLINE_KERNEL_STUB_LEN	11
#define INLINE_KERNEL_BODY_MAX	160
void inline_kernel_entry_stub(uint8_t *out, uint32_t stub_la, uint32_t body_la,
			      uint32_t handler_offset);
uint32_t inline_kernel_entry_body(uint8_t *out, uint32_t size, uint32_t body_la,
				  const struct inline_layout *l, int interrupt_gate);

/* Fills the region map (INLINE_REGION_MAP_BYTES) for the plan's regions. */
void inline_fill_region_map(const struct inline_plan *plan, uint8_t *map);

/* Fills the two 256-word tables the patch code reads (inline_layout's if_table, iopl_table). */
void inline_fill_tables(uint32_t *if_table, uint32_t *iopl_table);

/* One line saying why a site keeps trapping. */
const char *inline_status_text(int status);

#endif
