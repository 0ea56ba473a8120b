/*
 * hv/machine.c: the one guest machine, and its power-on state.
 * Runs in: hypervisor, ring 0, once at boot (machine_init).
 *
 * The machine is hot data (hv/hot.h): every trap reads its vCPU and, for
 * port I/O and interrupts, its devices. Its large parts are the storage
 * below, in .bss, reached only through the machine's pointers.
 */
#include "hv/machine.h"
#include "hv/console.h"
#include "hv/guest_mode.h"
#include "hv/hot.h"
#include "hv/patch.h"
#include "hv/vdev.h"
#include "lib/string.h"
#include "shadow_pt/shadow_mmu.h"

static struct guest_modes modes_storage;
static struct shadow_mmu shadow_storage;
static struct patch_table patches_storage;
/* A page of its own: the guest may read all of it (hv/lapic_page.c). */
static uint32_t lapic_page_storage[LAPIC_MMIO_SIZE / 4] __attribute__((aligned(4096)));

struct machine the_machine HV_HOT = {
	.modes = &modes_storage,
	.shadow = &shadow_storage,
	.patches = &patches_storage,
	.lapic_page = lapic_page_storage,
};

void machine_init(struct machine *m, unsigned ring, uint8_t *mem, uint32_t mem_bytes)
{
	struct vcpu *v = &m->cpu;

	memset(v, 0, sizeof *v);
	v->ring = ring;
	v->mem = mem;
	v->mem_bytes = mem_bytes;
	v->virt_cr0 = CR0_PE | CR0_ET;
	/* Debug registers as after reset: DR6 and DR7 have bits that always read 1. */
	v->virt_dr[6] = 0xFFFF0FF0u;
	v->virt_dr[7] = 0x00000400u;
	vdev_reset_all(m);
}

void machine_report_screen(const struct machine *m)
{
	const struct vcpu *v = &m->cpu;
	char row[CRTC_COLUMNS + 1], q[2 * CRTC_COLUMNS + 3];

	if (v->mem_bytes < CRTC_TEXT_BASE + CRTC_COLUMNS * CRTC_ROWS * 2)
		return;
	for (unsigned r = 0; r < CRTC_ROWS; r++) {
		const uint8_t *cell = v->mem + CRTC_TEXT_BASE + r * CRTC_COLUMNS * 2;
		unsigned len = 0;
		for (unsigned c = 0; c < CRTC_COLUMNS; c++) {
			uint8_t ch = cell[2 * c];
			row[c] = ch == 0 ? ' ' : ch >= 0x20 && ch < 0x7F ? (char)ch : '.';
			if (row[c] != ' ')
				len = c + 1;
		}
		row[len] = 0;
		console_quote(q, sizeof q, row);
		console_event("screen row=%u text=%s", r, q);
	}
}
