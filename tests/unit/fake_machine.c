/*
 * tests/unit/fake_machine.c: the hypervisor around the emulator, faked on
 * the host (fake_machine.h).
 * Runs on: host (Check).
 */
#include "tests/unit/fake_machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/console.h"
#include "hv/cpu_tables.h"
#include "hv/guest_mode.h"
#include "hv/patch.h"
#include "hv/patch_inline.h"
#include "hv/real_cpu.h"
#include "hv/reflect.h"
#include "hv/shadow.h"
#include "hv/stats.h"
#include "hv/trap_cost.h"
#include "hv/vdev.h"
#include "hv/virq.h"

struct machine fake;
uint8_t *fake_mem;
struct fake_record rec;
jmp_buf fake_stop;

static struct x86_desc gdt[8];		/* the real GDT's guest part: the shadow */
static struct x86_desc guest_gdt[8];	/* the guest's own copy, as it wrote it */

/* The shadow of a guest descriptor, as guest_mode.c makes it: a DPL below the ring is the ring. */
static struct x86_desc fake_shadow(struct x86_desc d)
{
	if (DESC_S(d) && DESC_DPL(d) < FAKE_RING)
		d.hi = (d.hi & ~DESC_HI_DPL_MASK) | DESC_HI_DPL(FAKE_RING);
	return d;
}

void fake_reset(void)
{
	const uint32_t code = DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(FAKE_RING) |
		(DESC_TYPE_CODE | DESC_TYPE_READABLE | DESC_TYPE_ACCESSED) << 8;
	const uint32_t data = DESC_HI_P | DESC_HI_S | DESC_HI_DB | DESC_HI_DPL(FAKE_RING) |
		(DESC_TYPE_WRITABLE | DESC_TYPE_ACCESSED) << 8;

	if (!fake_mem)
		fake_mem = malloc(FAKE_MEM_BYTES);
	memset(fake_mem, 0, FAKE_MEM_BYTES);
	memset(&fake, 0, sizeof fake);
	memset(&rec, 0, sizeof rec);
	memset(gdt, 0, sizeof gdt);
	gdt[1] = desc_make(0, 0xFFFFFFFFu, code);
	gdt[2] = desc_make(0, 0xFFFFFFFFu, data);

	struct vcpu *v = &fake.cpu;
	v->ring = FAKE_RING;
	v->mem = fake_mem;
	v->mem_bytes = FAKE_MEM_BYTES;
	v->virt_cr0 = CR0_PE | CR0_ET;
	v->regs.cs = FAKE_SEL_CODE;
	v->regs.ss = v->regs.ds = v->regs.es = FAKE_SEL_DATA;
	v->regs.eflags = EFLAGS_FIXED | EFLAGS_IF;
	v->regs.esp = 0x8000;
	v->regs.eip = 0x1000;
	/* The guest's GDT in its memory, as it wrote it (DPL 0), and its GDTR. */
	for (unsigned i = 0; i < 8; i++) {
		struct x86_desc d = gdt[i];
		if (DESC_DPL(d) == FAKE_RING)
			d.hi &= ~DESC_HI_DPL_MASK;
		memcpy(fake_mem + FAKE_GDT_BASE + i * 8, &d, sizeof d);
		guest_gdt[i] = d;
	}
	v->virt_gdtr.base = FAKE_GDT_BASE;
	v->virt_gdtr.limit = 8 * 8 - 1;
}

/* ---- hv/console.h ---- */

static void __attribute__((noreturn)) stop(int how, const char *fmt, va_list ap)
{
	vsnprintf(rec.why, sizeof rec.why, fmt, ap);
	rec.stopped = how;
	longjmp(fake_stop, 1);
}

void hv_exit_stopped(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop(1, fmt, ap);
}

void hv_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	stop(2, fmt, ap);
}

/* ---- hv/stats.h, hv/trap_cost.h ---- */

void stats_trap(const struct trap_frame *f, const struct decoded_insn *insn, const char *action)
{
	rec.action = action;
}

void trap_cost_record(enum trap_cost_part part, uint32_t cycles)
{
}

/* ---- hv/reflect.h: what would be delivered, and where the guest would continue ---- */

uint32_t guest_visible_eflags(const struct vcpu *v)
{
	uint32_t fl = v->regs.eflags & ~(EFLAGS_IF | EFLAGS_IOPL);
	return fl | (v->virt_if ? EFLAGS_IF : 0) | v->virt_iopl << EFLAGS_IOPL_SHIFT;
}

void reflect_to_guest(struct vcpu *v, unsigned vector, uint32_t error, uint32_t return_eip,
		      const char *insn_text)
{
	rec.reflected++;
	v->deliveries++;
	rec.vector = vector;
	rec.error = error;
	rec.return_eip = return_eip;
}

void reflect_software_interrupt(struct vcpu *v, unsigned vector, uint32_t return_eip,
				const char *insn_text)
{
	reflect_to_guest(v, vector, REFLECT_NO_ERROR_CODE, return_eip, insn_text);
}

/* ---- devices and interrupts ---- */

uint32_t vdev_in(struct machine *m, uint16_t port, unsigned size)
{
	rec.port_reads++;
	rec.port = port;
	rec.port_size = size;
	return rec.port_in_value;
}

void vdev_out(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
	if (rec.port_writes < 16)
		rec.port_values[rec.port_writes] = value;
	rec.port_writes++;
	rec.port = port;
	rec.port_size = size;
}

int virq_wait_for_interrupt(struct machine *m)
{
	return rec.wait_answer;
}

const struct patch_site *patch_site_at(const struct vcpu *v, uint32_t la)
{
	return 0;
}

/* No inline patch mode here: nothing is patch code, segments end below the switcher. */
int patch_inline_int3(struct vcpu *v, uint32_t la)
{
	return 0;
}

int patch_inline_read(uint32_t la, void *dst, uint32_t len)
{
	return -1;
}

uint32_t guest_linear_top(void)
{
	return GUEST_LINEAR_TOP;
}

/* ---- the real tables: the two flat segments ---- */

const struct x86_desc *cpu_tables_gdt_entry(uint16_t sel)
{
	if (sel & SEL_TI)
		return 0;
	return SEL_INDEX(sel) < 8 ? &gdt[SEL_INDEX(sel)] : 0;
}

void cpu_tables_load_ldt(const struct x86_desc *entries, unsigned n)
{
}

int cpu_tables_stack_ok(uint16_t sel, unsigned cpl)
{
	const struct x86_desc *d = cpu_tables_gdt_entry(sel);
	return d && SEL_RPL(sel) == cpl && DESC_P(*d) && DESC_DPL(*d) == cpl;
}

/* ---- guest modes and shadow paging (identity when a test turns the guest's paging on) ---- */

const char *guest_mode_load_gdt(struct vcpu *v, const struct x86_desc *guest_gdt,
				unsigned entries, unsigned *refused_index)
{
	rec.gdt_loads++;
	rec.gdt_entries = entries;
	return 0;
}

void guest_mode_enter_user(struct vcpu *v)
{
	v->user_mode = 1;
}

void guest_mode_enter_kernel(struct vcpu *v)
{
	v->user_mode = 0;
}

void guest_mode_refresh_cr3(struct vcpu *v)
{
	rec.cr3_refreshes++;
}

int guest_mode_is_user_code(const struct vcpu *v, uint16_t sel)
{
	return 0;
}

/* An entry the guest wrote after LGDT, shadowed as guest_mode.c would (its DPL 0 as the ring). */
const char *guest_mode_update_gdt_entry(struct vcpu *v, unsigned index, struct x86_desc d)
{
	rec.gdt_updates++;
	if (index == 0 || index >= 8)
		return "beyond the guest's GDT";
	guest_gdt[index] = d;
	gdt[index] = fake_shadow(d);
	return 0;
}

void fake_set_gdt_entry(unsigned index, struct x86_desc d)
{
	memcpy(fake_mem + FAKE_GDT_BASE + index * 8, &d, sizeof d);
	guest_gdt[index] = d;
	gdt[index] = fake_shadow(d);
}

/* The fake never hides an entry it shadowed (hv/guest_mode.c does, between traps). */
int guest_mode_unhide_entry(struct vcpu *v, unsigned index)
{
	return 0;
}

/* The guest's own descriptors, as it wrote them (guest_mode.c keeps a copy). */
int guest_mode_guest_gdt_entry(const struct vcpu *v, uint16_t sel, struct x86_desc *d)
{
	if ((sel & SEL_TI) || SEL_INDEX(sel) >= 8)
		return -1;
	*d = guest_gdt[SEL_INDEX(sel)];
	return 0;
}

void shadow_switch_cr3(struct vcpu *v)
{
	rec.shadow_switches++;
}

void shadow_flush_all(struct vcpu *v)
{
	rec.shadow_flushes++;
}

/* What hv/shadow.h's inline accessors call: identity, since the tests turn paging on only to watch the flush. */
void shadow_mmu_guest_wrote(struct shadow_mmu *m, uint32_t gpa, uint32_t len)
{
}

/*
 * Identity, but for the one page a test marks unmapped in the guest's
 * tables (rec.unmapped_page): its accesses get the #PF error code a walk
 * would give for a page not present (P clear; W and U as asked).
 */
enum shadow_translation shadow_mmu_translate(struct shadow_mmu *m, uint32_t gcr0, uint32_t gcr3,
					     uint32_t gcr4, int user_mode, uint32_t la, int write,
					     int system, uint32_t *gpa, uint32_t *pf_error)
{
	if (rec.unmapped_page && (la & ~0xFFFu) == rec.unmapped_page) {
		*pf_error = (write ? PF_ERR_W : 0) | (user_mode && !system ? PF_ERR_U : 0);
		return SHADOW_TRANSLATION_FAULT;
	}
	*gpa = la;
	return SHADOW_TRANSLATED;
}

/* ---- the real CPU ---- */

int cpu_has_umip(void)
{
	return 0;
}

int cpu_has_smap(void)
{
	return 0;
}

void real_cpu_set_fpu_bits(uint32_t cr0)
{
}

void real_cpu_set_tsd(int on)
{
}

uint64_t real_cpu_apic_base(void)
{
	return 0xFEE00900u;
}
