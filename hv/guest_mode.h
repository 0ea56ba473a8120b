/*
 * hv/guest_mode.h: the guest's two modes, kernel (virtual CPL 0) and user
 * (virtual CPL 3), and the switch between them.
 * Runs in: hypervisor, ring 0.
 */
#ifndef TV_HV_GUEST_MODE_H
#define TV_HV_GUEST_MODE_H

#include <stdint.h>
#include "hv/layout.h"
#include "hv/vcpu.h"
#include "lib/x86_desc.h"
#include "shadow_pt/physmode.h"

/* The ranges of guest-linear memory the guest's user segments cover, at most. */
#define USER_RANGES_MAX 16
/* GDT entries the guest has rewritten after LGDT that are watched, at most (the oldest goes first). */
#define VOLATILE_ENTRIES_MAX 16

/* The two of everything (hv/guest_mode.c): a member of struct machine. */
struct guest_modes {
	struct x86_desc kernel_view[GDT_GUEST_ENTRIES], user_view[GDT_GUEST_ENTRIES];
	struct x86_desc guest_copy[GDT_GUEST_ENTRIES];	/* as the guest wrote them */
	unsigned guest_entries;
	unsigned real_entries;		/* real GDT entries 1.. that may hold the guest's */
	uint32_t kernel_cr3, user_cr3;	/* physical mode: the two address spaces */
	uint32_t host_base;		/* 0 until the address spaces are built */
	struct physmode_range user_ranges[USER_RANGES_MAX];
	unsigned user_nranges;
	struct physmode_tables kernel_tables, user_tables;
	/* Entries rewritten since LGDT: absent from the real GDT unless loaded at the last trap. */
	uint16_t volatile_index[VOLATILE_ENTRIES_MAX];
	unsigned nvolatile, volatile_next;
	unsigned reloading;		/* the entry a faulted load runs again on, left present once; 0: none */
	int user_code_present;		/* direct=1: user code segments present in the kernel view */
};

/* Build both views of the guest's GDT (from LGDT); returns a refusal reason or NULL. */
const char *guest_mode_load_gdt(struct vcpu *v, const struct x86_desc *guest_gdt,
				unsigned entries, unsigned *refused_index);

/* Build the guest's address spaces for a guest whose paging is off. */
void guest_mode_init_spaces(struct vcpu *v, uint32_t host_base);

/* Enter the guest's user mode or kernel mode: GDT view and page tables. */
void guest_mode_enter_user(struct vcpu *v);
void guest_mode_enter_kernel(struct vcpu *v);

/*
 * Direct system calls (hv/direct.c) on or off: with on, the kernel's view
 * of the GDT keeps the user code segments present and serves user code
 * too, and the kernel's address space serves both modes.
 */
void guest_mode_set_direct(struct vcpu *v, int on);

/* Load the page tables for the guest's mode and paging state into the switcher. */
void guest_mode_refresh_cr3(struct vcpu *v);

/* The CPL the guest believes it runs at: 0 or 3. */
static inline unsigned guest_virtual_cpl(const struct vcpu *v)
{
	return v->user_mode ? 3 : 0;
}

/* The guest's own descriptor for a GDT selector, as it wrote it at LGDT; -1 beyond its table. */
int guest_mode_guest_gdt_entry(const struct vcpu *v, uint16_t sel, struct x86_desc *d);

/*
 * The guest changed GDT entry index after LGDT (seen at a segment load that
 * faulted on the old shadow): shadow its new descriptor d into both views
 * and the real GDT. Returns a refusal reason or NULL.
 */
const char *guest_mode_update_gdt_entry(struct vcpu *v, unsigned index, struct x86_desc d);

/*
 * On the way back to the guest: each GDT entry the guest rewrote after LGDT
 * is absent from the real GDT, unless a segment register in the frame holds
 * it, so the guest's next load of it faults and its descriptor is read again.
 */
void guest_mode_hide_volatile_entries(struct vcpu *v);

/* A load faulted on GDT entry index while the hypervisor hid it: put it back (1), or 0 if it was not hidden. */
int guest_mode_unhide_entry(struct vcpu *v, unsigned index);

/* Is this selector one of the guest's user code segments (DPL 3 in its own GDT)? */
int guest_mode_is_user_code(const struct vcpu *v, uint16_t sel);

/*
 * Does one of the guest's user segments cover all of guest memory? Then,
 * with its paging off, the user address space is the kernel's.
 */
int guest_mode_user_is_flat(const struct vcpu *v);

/* Is the guest-linear address inside one of the guest's user segments? */
int guest_mode_user_may_touch(const struct vcpu *v, uint32_t la);

#endif
