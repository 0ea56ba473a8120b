/*
 * tests/unit/fake_machine.h: what the emulator reaches outside itself,
 * faked on the host, so hv/emulate*.c run against a guest that is only an
 * array of memory, a GDT and recorders.
 * Runs on: host (Check).
 *
 * Guest memory is FAKE_MEM_BYTES at fake_mem; the real GDT holds a flat
 * code segment (index 1) and a flat data segment (index 2) at the guest
 * kernel's ring, as cpu_tables.c would shadow them. A stop of the guest
 * (hv_exit_stopped) jumps back to FAKE_RUN with the reason kept.
 */
#ifndef TV_TESTS_FAKE_MACHINE_H
#define TV_TESTS_FAKE_MACHINE_H

#include <setjmp.h>
#include <stdint.h>
#include "hv/machine.h"

#define FAKE_MEM_BYTES	(1u << 20)
#define FAKE_RING	1
#define FAKE_SEL_CODE	((1 << 3) | FAKE_RING)
#define FAKE_SEL_DATA	((2 << 3) | FAKE_RING)
#define FAKE_GDT_BASE	0xE000u	/* the guest's GDT of 8 entries, in its memory */

extern struct machine fake;
extern uint8_t *fake_mem;

/* What the guest was given or what happened to it. */
struct fake_record {
	int stopped;			/* hv_exit_stopped or hv_panic ran */
	char why[256];
	int reflected;			/* reflect_to_guest / reflect_software_interrupt */
	unsigned vector;
	uint32_t error, return_eip;
	const char *action;		/* the last stats_trap action */
	unsigned port_reads, port_writes;
	uint16_t port;
	unsigned port_size;
	uint32_t port_values[16];	/* written, in order */
	uint32_t port_in_value;		/* what a read returns */
	int wait_answer;		/* virq_wait_for_interrupt's answer */
	unsigned gdt_loads, gdt_entries, gdt_updates;
	unsigned shadow_flushes, shadow_switches, cr3_refreshes;
	uint32_t unmapped_page;		/* with the guest's paging on: a page its tables do not map */
};
extern struct fake_record rec;
extern jmp_buf fake_stop;

/* A fresh machine: guest kernel at ring 1, flat segments, IF off, memory zeroed. */
void fake_reset(void);

/*
 * Entry index of the guest's GDT as it wrote d there (its memory and the
 * hypervisor's copy), and its shadow in the real GDT, DPL 0 to the ring.
 */
void fake_set_gdt_entry(unsigned index, struct x86_desc d);

/* Run the body; nonzero if the guest was stopped instead. */
#define FAKE_RUN(body) (setjmp(fake_stop) ? 1 : ((body), 0))

#endif
