/*
 * guests/fuzz/fuzz_tables.c: the fuzz guest's GDT, LDT, TSS and IDT, the
 * pseudo-descriptors the sequences may load, and the paging that keeps a
 * sequence's writes in the arena.
 * Runs in: guest.
 *
 * The GDT has one descriptor of each kind a selector can name (fuzz_gen.h
 * lists them): flat code and data in rings 0, 1 and 3, 16-bit and
 * conforming code, read-only and not-present data, the TSS and an LDT.
 * Every writable data segment is flat: the trap handler runs on whatever
 * stack segment the sequence left, and must find its stack there.
 * Code and data descriptors have their accessed bit set in advance: the
 * CPU would otherwise write it at the first load, into a table a
 * sequence runs read-only.
 *
 * Paging: one page table maps the guest image at its own addresses,
 * supervisor and read-only, except pages 1 to 4 of the arena; everything
 * else is not present. With CR0.WP set while a sequence runs, a write
 * anywhere else is a #PF, on the bare machine as under the hypervisor,
 * so the guest's code, tables and stack outlive any sequence. Accessed
 * and dirty bits are preset so that no sequence leaves a trace in them.
 */
#include "guests/fuzz/fuzz.h"
#include "guests/lib/guest_trap.h"
#include "lib/x86.h"
#include "lib/x86_desc.h"

#define ACC	DESC_TYPE_ACCESSED
#define CODE(dpl, extra) (DESC_HI_P | DESC_HI_S | DESC_HI_DPL(dpl) | \
			  ((DESC_TYPE_CODE | DESC_TYPE_READABLE | ACC | (extra)) << 8))
#define DATA(dpl, extra) (DESC_HI_P | DESC_HI_S | DESC_HI_DPL(dpl) | (((extra) | ACC) << 8))

#define PTE_P	0x001u
#define PTE_W	0x002u
#define PTE_A	0x020u
#define PTE_D	0x040u

extern char guest_image_start[], guest_image_end[];

uint8_t fuzz_arena[FUZZ_ARENA_PAGES * FUZZ_PAGE] __attribute__((aligned(4096)));

static struct x86_desc fuzz_gdt[FUZZ_GDT_ENTRIES] __attribute__((aligned(8)));
static struct x86_desc fuzz_ldt[2] __attribute__((aligned(8)));
static struct x86_gate fuzz_idt[GUEST_TRAP_VECTORS] __attribute__((aligned(8)));
static struct x86_tss fuzz_tss __attribute__((aligned(128)));
static uint32_t fuzz_pd[1024] __attribute__((aligned(4096)));
static uint32_t fuzz_pt[1024] __attribute__((aligned(4096)));

/* FUZZ_ALTS pseudo-descriptors, each in 8 bytes. */
static struct {
	struct x86_pseudo_desc pd;
	uint16_t pad;
} fuzz_alts[FUZZ_ALTS] __attribute__((aligned(8)));
const uint8_t *const fuzz_table_alts = (const uint8_t *)fuzz_alts;

static void alt(enum fuzz_table_alt which, const void *base, uint16_t limit)
{
	fuzz_alts[which].pd.base = (uint32_t)base;
	fuzz_alts[which].pd.limit = limit;
}

void fuzz_tables_install(void)
{
	const uint32_t flat = 0xFFFFFFFFu;

	fuzz_gdt[FUZZ_SEL_CODE0 >> 3] = desc_make(0, flat, CODE(0, 0) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_DATA0 >> 3] = desc_make(0, flat, DATA(0, DESC_TYPE_WRITABLE) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_CODE3 >> 3] = desc_make(0, flat, CODE(3, 0) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_DATA3 >> 3] = desc_make(0, flat, DATA(3, DESC_TYPE_WRITABLE) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_CODE16 >> 3] = desc_make(0, flat, CODE(0, 0));
	fuzz_gdt[FUZZ_SEL_CONFORM >> 3] = desc_make(0, flat, CODE(0, DESC_TYPE_CONFORMING) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_RODATA >> 3] = desc_make(0, flat, DATA(0, 0) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_NOTPRESENT >> 3] =
		desc_make(0, flat, (DATA(0, DESC_TYPE_WRITABLE) | DESC_HI_DB) & ~DESC_HI_P);
	fuzz_gdt[FUZZ_SEL_CODE1 >> 3] = desc_make(0, flat, CODE(1, 0) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_DATA1 >> 3] = desc_make(0, flat, DATA(1, DESC_TYPE_WRITABLE) | DESC_HI_DB);
	fuzz_ldt[1] = desc_make(0, flat, DATA(0, DESC_TYPE_WRITABLE) | DESC_HI_DB);
	fuzz_gdt[FUZZ_SEL_LDT >> 3] = desc_make((uint32_t)fuzz_ldt, sizeof(fuzz_ldt) - 1,
						DESC_HI_P | (DESC_SYS_LDT << 8));
	fuzz_tss.ss0 = FUZZ_SEL_DATA0;
	fuzz_tss.esp0 = (uint32_t)FUZZ_STACK0_TOP;
	fuzz_tss.iomap_base = sizeof(fuzz_tss);		/* no I/O permission bitmap */
	fuzz_gdt[FUZZ_SEL_TSS >> 3] = desc_make((uint32_t)&fuzz_tss, sizeof(fuzz_tss) - 1,
						DESC_HI_P | (DESC_SYS_TSS_AVAIL << 8));

	for (unsigned v = 0; v < GUEST_TRAP_VECTORS; v++) {
		unsigned dpl = v >= FUZZ_VEC_USER_FIRST && v <= FUZZ_VEC_USER_LAST ? 3 : 0;
		fuzz_idt[v] = gate_make(FUZZ_SEL_CODE0, guest_trap_stubs[v], DESC_SYS_INT_GATE, dpl);
	}
	fuzz_idt[FUZZ_VEC_NOTPRESENT].type_attr &= 0x7Fu;

	alt(FUZZ_ALT_GDT, fuzz_gdt, sizeof(fuzz_gdt) - 1);
	alt(FUZZ_ALT_GDT_SHORT, fuzz_gdt, 0x17);
	alt(FUZZ_ALT_GDT_MID, fuzz_gdt, 0x3F);
	alt(FUZZ_ALT_IDT, fuzz_idt, sizeof(fuzz_idt) - 1);
	alt(FUZZ_ALT_IDT_SHORT, fuzz_idt, 0xFF);
	alt(FUZZ_ALT_IDT_ODD, fuzz_idt, 0x103);

	fuzz_tables_reload();
	__asm__ volatile("ljmp %0, $1f\n"
			 "1:\n"
			 "movw %w1, %%ds\n"
			 "movw %w1, %%es\n"
			 "movw %w1, %%fs\n"
			 "movw %w1, %%gs\n"
			 "movw %w1, %%ss\n"
			 :
			 : "i"(FUZZ_SEL_CODE0), "r"(FUZZ_SEL_DATA0)
			 : "memory");
	lldt(0);
	ltr(FUZZ_SEL_TSS);
}

/*
 * Load the task register again with the guest's TSS, marked available
 * first. Bare QEMU accepts LTR of a null selector (row qemu-ltr-null) and
 * leaves TR with base 0 and limit 0: a later sequence's STR would read 0
 * and its task return (IRET with NT) fault on linear 0, where on a CPU,
 * and under the hypervisor, TR is still this TSS.
 */
void fuzz_tss_reload(void)
{
	struct x86_desc *d = &fuzz_gdt[FUZZ_SEL_TSS >> 3];

	d->hi = (d->hi & ~(0xFu << 8)) | (DESC_SYS_TSS_AVAIL << 8);
	lgdt(&fuzz_alts[FUZZ_ALT_GDT].pd);
	ltr(FUZZ_SEL_TSS);
}

void fuzz_tables_reload(void)
{
	lgdt(&fuzz_alts[FUZZ_ALT_GDT].pd);
	lidt(&fuzz_alts[FUZZ_ALT_IDT].pd);
}

uint32_t fuzz_paging_enable(void)
{
	uint32_t start = (uint32_t)guest_image_start & ~(FUZZ_PAGE - 1);
	uint32_t end = (uint32_t)guest_image_end;
	uint32_t rw_lo = (uint32_t)FUZZ_SCRATCH_PAGE, rw_hi = (uint32_t)FUZZ_STACK0_TOP;

	for (uint32_t a = start; a < end && a < (4u << 20); a += FUZZ_PAGE) {
		uint32_t w = a >= rw_lo && a < rw_hi ? PTE_W : 0;
		fuzz_pt[a >> 12] = a | PTE_P | PTE_A | PTE_D | w;
	}
	fuzz_pd[0] = (uint32_t)fuzz_pt | PTE_P | PTE_W | PTE_A;
	write_cr3((uint32_t)fuzz_pd);
	write_cr0(read_cr0() | CR0_PG);
	return (uint32_t)fuzz_pd;
}
