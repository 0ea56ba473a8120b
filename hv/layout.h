/*
 * hv/layout.h: where things live, in the hypervisor's address space and in
 * the guest's.
 * Runs in: hypervisor (and its assembly).
 *
 * Two address spaces (docs/containment.md tells why):
 *   hypervisor space: physical memory identity-mapped with 4 MiB pages, so
 *       the hypervisor reaches its own image and all of guest memory;
 *   guest space:      guest-physical 0..N mapped onto the guest's region of
 *       host memory, and nothing else but the switcher.
 * The switcher (IDT, GDT, TSS, entry code and the trap stack) is linked at
 * SWITCHER_BASE and mapped there in both spaces, because the CPU must reach
 * it while the guest's page tables are still loaded.
 */
#ifndef TV_HV_LAYOUT_H
#define TV_HV_LAYOUT_H

#define SWITCHER_BASE		0xFFC00000	/* the last 4 MiB of linear space */
#define GUEST_LINEAR_TOP	SWITCHER_BASE	/* guest segments end below this */

/*
 * The inline patch mode's pages (hv/patch_inline.c), 1 MiB into the
 * switcher's slot, mapped only under --patch inline: the state page (the
 * guest kernel's virtual IF and IOPL, and the hypervisor's "an interrupt
 * waits" word; writable), the tables the patch code reads (read-only),
 * then the patch code (read-only). The guest kernel's segments then end at
 * PATCH_AREA_END instead of SWITCHER_BASE, so that it can run the patch
 * code with its own CS and reach the state page with its own DS.
 */
#define PATCH_AREA_BASE		(SWITCHER_BASE + 0x100000)
#define PATCH_STATE_LA		PATCH_AREA_BASE
#define PATCH_TABLES_LA		(PATCH_AREA_BASE + 0x1000)
#define PATCH_CODE_LA		(PATCH_AREA_BASE + 0x2000)
#define PATCH_CODE_PAGES	32
#define PATCH_AREA_END		(PATCH_CODE_LA + PATCH_CODE_PAGES * 0x1000)

/*
 * The fast trap path's pages (hv/fast_trap.S, hv/fast_trap.c), 2 MiB into
 * the switcher's slot: its code, the state it reads (which ports nothing
 * owns, and whether a trap may be answered here now) and its counters.
 * Mapped in the guest's address space only in ring 3 with --direct, and
 * there supervisor-only: code and state read-only, the counters writable.
 * hv/hv.ld links the code here.
 */
#define FAST_TRAP_BASE		(SWITCHER_BASE + 0x200000)
#define FAST_TRAP_CODE_LA	FAST_TRAP_BASE
#define FAST_TRAP_STATE_LA	(FAST_TRAP_BASE + 0x1000)
#define FAST_TRAP_COUNTS_LA	(FAST_TRAP_BASE + 0x2000)
#define FAST_TRAP_PAGES		3

/*
 * The real GDT: 8,192 entries, as many as a selector can name. The guest's
 * own descriptors are shadowed at the indices the guest gave them, so its
 * selectors work unchanged; the hypervisor keeps the last six entries for
 * itself, so a guest GDT of more than 8,186 entries has its last ones
 * refused (a load of one is #GP, as beyond the limit).
 */
#define GDT_ENTRIES		8192
#define GDT_GUEST_ENTRIES	8186	/* indices 0..8185 belong to the guest */
#define GDT_GUEST_LDT		8186	/* the real LDT holding the guest's shadowed LDT */
#define GDT_GUEST_BOOT_CODE	8187	/* flat code the guest is entered with */
#define GDT_GUEST_BOOT_DATA	8188	/* flat data the guest is entered with */
#define GDT_HV_CODE		8189
#define GDT_HV_DATA		8190
#define GDT_HV_TSS		8191

#define SEL_HV_CODE		(GDT_HV_CODE << 3)
#define SEL_HV_DATA		(GDT_HV_DATA << 3)
#define SEL_HV_TSS		(GDT_HV_TSS << 3)
#define SEL_GUEST_LDT		(GDT_GUEST_LDT << 3)

/* The guest's LDT is shadowed into the switcher's real LDT of this many entries. */
#define LDT_ENTRIES		256

/* Guest memory: 1 MiB at the least, 1 GiB at the most. */
#define GUEST_MEM_MIN_MIB	1
#define GUEST_MEM_MAX_MIB	1024
#define GUEST_MEM_DEFAULT_MIB	32

/* A guest image file larger than this is refused, whatever it would load. */
#define GUEST_IMAGE_MAX_FILE_BYTES (64u << 20)

/* Offsets into struct trap_frame, for the switcher's assembly. */
#define TF_EDX_OFFSET		36
#define TF_EAX_OFFSET		44
#define TF_VECTOR_OFFSET	48
#define TF_ERROR_OFFSET		52
#define TF_EIP_OFFSET		56
#define TF_CS_OFFSET		60
#define TF_EFLAGS_OFFSET	64

/*
 * EFLAGS for the assembly, which cannot include lib/x86.h: the hypervisor
 * runs with only the always-one bit 1 (DF, AC, IOPL clear, interrupts off);
 * EFLAGS_HV_VM is EFLAGS_VM.
 */
#define EFLAGS_HV		0x00000002
#define EFLAGS_HV_VM		0x00020000
#define EFLAGS_HV_TF		0x00000100
#define EFLAGS_HV_IF		0x00000200
#define EFLAGS_HV_RF		0x00010000
/*
 * The real EFLAGS bits a deprivileged guest keeps as it set them (CF, PF,
 * AF, ZF, SF, TF, DF, OF, NT, RF, AC, ID): hv/trap.c's check_frame and the
 * fast trap path keep these and no others.
 */
#define EFLAGS_HV_GUEST_KEPT	0x00254DD5

#endif
