/*
 * hv/machine.h: the guest machine: everything the guest can observe or
 * change, in one struct.
 * Runs in: hypervisor, ring 0.
 *
 * The hypervisor runs one machine. Its parts are members here and are
 * reached through the machine a function is given (or through the vCPU it
 * is given: the vCPU is the machine's first member, machine_of()), never
 * through a file's own static. The hypervisor's own state (its heap, its
 * real descriptor tables, its counters, the decode cache) is not the
 * guest's and stays in its files.
 *
 * The small parts every trap touches (the vCPU, the devices) are held by
 * value, so the machine itself lives with the other hot data (hv/hot.h);
 * the large ones (several MiB of page tables) are held by pointer, their
 * storage beside the machine in hv/machine.c.
 */
#ifndef TV_HV_MACHINE_H
#define TV_HV_MACHINE_H

#include <stddef.h>
#include "hv/direct.h"
#include "hv/vcpu.h"
#include "hv/vpic.h"
#include "hv/vpit.h"
#include "platform/cmos_rtc.h"
#include "platform/crtc.h"
#include "platform/fw_cfg.h"
#include "platform/ioapic.h"
#include "platform/kbc.h"
#include "platform/lapic.h"
#include "platform/pci_config.h"
#include "platform/pit8254.h"
#include "platform/uart16550.h"

struct guest_modes;
struct shadow_mmu;
struct patch_table;

struct machine {
	/* The processor, and guest memory (cpu.mem, cpu.mem_bytes). */
	struct vcpu cpu;

	/* Each virtual device's state (the table of devices is hv/vdev.c). */
	struct vpic pic;		/* the two 8259As */
	struct vpit pit;		/* the 8254's channel 0, on the real one */
	struct pit8254 pit2;		/* the 8254's channel 2 and port 0x61, on time */
	struct lapic lapic;		/* the local APIC at 0xFEE00000 */
	struct ioapic ioapic;		/* the I/O APIC at 0xFEC00000 */
	struct uart16550 com1;		/* the serial port */
	struct crtc crtc;		/* the CGA/VGA CRT controller's registers */
	struct kbc kbc;			/* the 8042 keyboard controller */
	struct cmos_rtc cmos;		/* CMOS RAM and the real-time clock */
	struct pci_config pci;		/* PCI configuration space: no device */
	struct fw_cfg fw_cfg;		/* QEMU's firmware configuration ports */
	uint32_t irq_levels;		/* ISA IRQ lines as the devices drive them, bit n = IRQ n */
	/* The local APIC's registers, read-only for the guest (hv/lapic_page.c). */
	uint32_t *lapic_page;
	int lapic_page_mapped, lapic_page_stale;
	/* The guest's system call gates in the real IDT (hv/direct.c). */
	struct direct_paths direct;

	/* The address spaces and GDT views of guest kernel and user mode (hv/guest_mode.c). */
	struct guest_modes *modes;
	/* The shadow page tables while the guest's paging is on (hv/shadow.c). */
	struct shadow_mmu *shadow;
	/* The instructions the patcher rewrote (hv/patch.c). */
	struct patch_table *patches;
};

/* The machine this hypervisor runs: entered from hv/trap.c, reported on at the end. */
extern struct machine the_machine;

/* The machine a vCPU belongs to. */
static inline struct machine *machine_of(struct vcpu *v)
{
	return (struct machine *)((char *)v - offsetof(struct machine, cpu));
}

static inline const struct machine *machine_of_const(const struct vcpu *v)
{
	return (const struct machine *)((const char *)v - offsetof(struct machine, cpu));
}

/* Power on: every member as after reset; guest memory at mem, mem_bytes long. */
void machine_init(struct machine *m, unsigned ring, uint8_t *mem, uint32_t mem_bytes);

/*
 * The guest's 80x25 text screen (guest RAM at 0xB8000) as "tv:screen"
 * lines, one per row, for the host program to show at the end of a run.
 */
void machine_report_screen(const struct machine *m);

#endif
