/*
 * tests/unit/test_shadow_mmu.c: the verdict of the shadow MMU on each page
 * fault (shadow_pt/shadow_mmu.c), against a fake guest memory.
 * Runs on: host (Check).
 *
 * The guest's paging is on with one address space: its page directory at
 * GCR3, one page table at GPT mapping the first 4 MiB. Each test sets the
 * guest's entries, takes a fault as the real CPU would report it, and
 * checks the verdict and what it left in the shadow tables:
 *   - mapped by the guest: filled, the fault hidden, the guest's accessed
 *     bit set as the CPU would;
 *   - not mapped, or not allowed: the guest's own #PF with the error code
 *     the bare machine gives (U from the guest's virtual CPL);
 *   - mapped to memory the guest does not have: outside, with the gpa;
 *   - in the switcher's slot: refused, whatever the guest's tables say;
 *   - a write to one of the guest's page tables: stepped once with TF, then
 *     protected again and the shadows built from it dropped.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mmu.h"
#include "lib/x86.h"
#include "shadow_pt/shadow_mmu.h"

#define MEM_BYTES	(16u << 20)
#define HOST_BASE	0x04000000u	/* where the real CPU finds guest-physical 0 */
#define PHYS_BASE	0x00200000u	/* where it finds the shadow tables */
#define SWITCHER_PDX	1023u
#define SWITCHER_PDE	(0x00345000u | PTE_P | PTE_W)

#define GCR3		0x00001000u
#define GPT		0x00002000u
#define DATA_LA		0x00005000u	/* mapped to DATA_GPA by the guest */
#define DATA_GPA	0x00007000u

static struct shadow_mmu *m;
static uint8_t *mem;
static struct shadow_cpu cpu;

static uint32_t *gword(uint32_t gpa)
{
	return (uint32_t *)(mem + gpa);
}

static void setup(void)
{
	mem = calloc(1, MEM_BYTES);
	m = aligned_alloc(4096, sizeof *m);
	ck_assert_ptr_nonnull(mem);
	ck_assert_ptr_nonnull(m);
	memset(m, 0xA5, sizeof *m);
	shadow_mmu_init(m, mem, MEM_BYTES, HOST_BASE, PHYS_BASE, SWITCHER_PDX, SWITCHER_PDE);
	*gword(GCR3) = GPT | PTE_P | PTE_W | PTE_U;
	*gword(GPT + PTX(DATA_LA) * 4) = DATA_GPA | PTE_P | PTE_W | PTE_U;
	cpu = (struct shadow_cpu){ .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = GCR3, .ring = 1,
				   .eip = 0x1234, .cs = 0x9, .eflags = EFLAGS_FIXED | EFLAGS_IF };
	shadow_mmu_switch_cr3(m, GCR3);
}

static void teardown(void)
{
	free(m);
	free(mem);
}

/* The shadow entry the real CPU would use for la now (0 if none). */
static uint32_t shadow_entry(int user_mode, uint32_t la)
{
	uint32_t cr3 = shadow_mmu_cr3(m, user_mode);
	const uint32_t *pd = (const uint32_t *)((const char *)m + (cr3 - PHYS_BASE));
	if (!(pd[PDX(la)] & PTE_P))
		return 0;
	const uint32_t *pt = (const uint32_t *)((const char *)m + ((pd[PDX(la)] & PAGE_MASK) - PHYS_BASE));
	return pt[PTX(la)];
}

START_TEST(mapped_page_is_filled_and_hidden)
{
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA + 0x10, 0);
	ck_assert_int_eq(r.outcome, SHADOW_FILLED);
	uint32_t spte = shadow_entry(0, DATA_LA);
	ck_assert_uint_eq(spte & PAGE_MASK, HOST_BASE + DATA_GPA);
	ck_assert(spte & PTE_P);
	ck_assert(*gword(GPT + PTX(DATA_LA) * 4) & PTE_A);
	ck_assert_uint_eq(m->counters.hidden_faults, 1);
	ck_assert_uint_eq(cpu.eflags & EFLAGS_TF, 0);
}
END_TEST

START_TEST(unmapped_page_is_the_guests_fault)
{
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, 0x00009000u, PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(r.la, 0x00009000u);
	ck_assert_uint_eq(r.error, PF_ERR_W);	/* not present, write, kernel */
	ck_assert_uint_eq(shadow_entry(0, 0x00009000u), 0);
	ck_assert_uint_eq(m->counters.delivered_faults, 1);
}
END_TEST

START_TEST(user_code_on_a_kernel_page_faults_with_U)
{
	*gword(GPT + PTX(DATA_LA) * 4) = DATA_GPA | PTE_P | PTE_W;	/* supervisor only */
	cpu.user_mode = 1;
	/* The real CPU ran the user code at ring 3: it reports U and not present. */
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA, PF_ERR_U);
	ck_assert_int_eq(r.outcome, SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(r.error, PF_ERR_P | PF_ERR_U);
}
END_TEST

START_TEST(kernel_fault_in_ring_3_has_no_U)
{
	cpu.ring = 3;
	*gword(GPT + PTX(0x0000A000u) * 4) = 0;
	/* The guest kernel in ring 3: the real CPU says U, the guest's CPL is 0. */
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, 0x0000A000u, PF_ERR_U);
	ck_assert_int_eq(r.outcome, SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(r.error, 0);
}
END_TEST

START_TEST(mapping_beyond_guest_memory_is_outside)
{
	*gword(GPT + PTX(DATA_LA) * 4) = (MEM_BYTES + 0x3000u) | PTE_P | PTE_W;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA, 0);
	ck_assert_int_eq(r.outcome, SHADOW_OUTSIDE);
	ck_assert_uint_eq(r.gpa, MEM_BYTES + 0x3000u);
	ck_assert_uint_eq(shadow_entry(0, DATA_LA), 0);
}
END_TEST

/*
 * A device page read without trapping (hv/lapic_page.c): a read where the
 * guest maps it gets the hypervisor's copy, read-only, with the guest's
 * A set; a write is still outside (emulated); a page table that lies at
 * the device's address is never taken for the page; a user access to a
 * supervisor mapping of it is the guest's own fault.
 */
#define DEVICE_GPA	0xFEE00000u
#define DEVICE_HPA	0x00456000u

START_TEST(device_page_read_maps_the_copy_read_only)
{
	shadow_mmu_map_device_page(m, DEVICE_GPA, DEVICE_HPA);
	*gword(GPT + PTX(DATA_LA) * 4) = DEVICE_GPA | PTE_P | PTE_W | PTE_PCD;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA + 0x20, 0);
	ck_assert_int_eq(r.outcome, SHADOW_FILLED);
	uint32_t spte = shadow_entry(0, DATA_LA);
	ck_assert_uint_eq(spte, DEVICE_HPA | PTE_P);
	ck_assert(*gword(GPT + PTX(DATA_LA) * 4) & PTE_A);
	ck_assert_uint_eq(m->counters.device_fills, 1);

	r = shadow_mmu_fault(m, &cpu, DATA_LA + 0x80, PF_ERR_P | PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_OUTSIDE);
	ck_assert_uint_eq(r.gpa, DEVICE_GPA + 0x80);
	ck_assert_uint_eq(m->counters.device_fills, 1);

	/* Not mapped for user code: its read is the guest's #PF, not a copy. */
	cpu.user_mode = 1;
	r = shadow_mmu_fault(m, &cpu, DATA_LA + 0x20, PF_ERR_U);
	ck_assert_int_eq(r.outcome, SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(r.error, PF_ERR_P | PF_ERR_U);
}
END_TEST

START_TEST(device_page_other_pages_and_tables_stay_outside)
{
	shadow_mmu_map_device_page(m, DEVICE_GPA, DEVICE_HPA);
	/* The page after the device's: outside, as before. */
	*gword(GPT + PTX(DATA_LA) * 4) = (DEVICE_GPA + 0x1000u) | PTE_P | PTE_W;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA, 0);
	ck_assert_int_eq(r.outcome, SHADOW_OUTSIDE);
	/* A directory entry whose page table would be the device page: a table, never mapped. */
	*gword(GCR3 + PDX(0x00800000u) * 4) = DEVICE_GPA | PTE_P | PTE_W;
	r = shadow_mmu_fault(m, &cpu, 0x00800000u, 0);
	ck_assert_int_eq(r.outcome, SHADOW_OUTSIDE);
	ck_assert_uint_eq(shadow_entry(0, DATA_LA), 0);
	ck_assert_uint_eq(m->counters.device_fills, 0);
}
END_TEST

/* A watched page (hv/direct.c's TSS page): read-only, its writes stepped and counted apart. */
START_TEST(watched_page_write_is_stepped)
{
	shadow_mmu_watch_page(m, 1, DATA_GPA + 0x40);
	*gword(GPT + PTX(DATA_LA) * 4) |= PTE_D;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, DATA_LA, 0);
	ck_assert_int_eq(r.outcome, SHADOW_FILLED);
	ck_assert_uint_eq(shadow_entry(0, DATA_LA) & PTE_W, 0);
	r = shadow_mmu_fault(m, &cpu, DATA_LA + 4, PF_ERR_P | PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_STEP);
	ck_assert(cpu.eflags & EFLAGS_TF);
	ck_assert_uint_eq(m->watch_writes, 1);
	ck_assert_uint_eq(m->counters.pt_write_traps, 0);
	ck_assert_int_eq(shadow_mmu_step_end(m, VEC_DB, cpu.eip + 2, cpu.cs, &cpu.eflags), 1);
	ck_assert_uint_eq(shadow_entry(0, DATA_LA) & PTE_W, 0);
	/* Not watched any more: the next write fill makes the entry writable. */
	shadow_mmu_watch_page(m, 0, 0);
	r = shadow_mmu_fault(m, &cpu, DATA_LA + 4, PF_ERR_P | PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_FILLED);
	ck_assert(shadow_entry(0, DATA_LA) & PTE_W);
}
END_TEST

START_TEST(switcher_slot_is_refused)
{
	uint32_t la = (uint32_t)SWITCHER_PDX << 22;
	*gword(GCR3 + SWITCHER_PDX * 4) = GPT | PTE_P | PTE_W;	/* the guest maps it anyway */
	*gword(GPT + PTX(la + 0x1000) * 4) = 0x5000u | PTE_P | PTE_W;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, la + 0x1000, PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_SWITCHER);
	ck_assert_uint_eq(r.la, la + 0x1000);
}
END_TEST

/* Where the guest's own tables map nothing in that slot, the bare CPU's #PF is the answer. */
START_TEST(switcher_slot_unmapped_is_the_guests_fault)
{
	uint32_t la = (uint32_t)SWITCHER_PDX << 22;
	*gword(GCR3 + SWITCHER_PDX * 4) = 0;
	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, la + 0x1000, 0);
	ck_assert_int_eq(r.outcome, SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(r.error, 0);	/* not present, read, supervisor */
}
END_TEST

START_TEST(write_to_a_guest_page_table_is_stepped)
{
	/* The guest maps its own page table at la 0x3000 and writes through it. */
	uint32_t la = 0x00003000u;
	*gword(GPT + PTX(la) * 4) = GPT | PTE_P | PTE_W;
	ck_assert_int_eq(shadow_mmu_fault(m, &cpu, DATA_LA, 0).outcome, SHADOW_FILLED);

	struct shadow_verdict r = shadow_mmu_fault(m, &cpu, la, PF_ERR_W);
	ck_assert_int_eq(r.outcome, SHADOW_STEP);
	ck_assert(cpu.eflags & EFLAGS_TF);
	ck_assert(shadow_entry(0, la) & PTE_W);
	ck_assert_uint_eq(m->counters.pt_write_traps, 1);

	/* The same instruction faulting again continues the step. */
	ck_assert_int_eq(shadow_mmu_step_end(m, VEC_PF, cpu.eip, cpu.cs, &cpu.eflags), 0);
	ck_assert(cpu.eflags & EFLAGS_TF);
	/* The guest's write lands, the step's #DB comes. */
	*gword(GPT + PTX(DATA_LA) * 4) = 0;
	ck_assert_int_eq(shadow_mmu_step_end(m, VEC_DB, cpu.eip + 3, cpu.cs, &cpu.eflags), 1);
	ck_assert_uint_eq(cpu.eflags & EFLAGS_TF, 0);
	/* The table built from the changed page is gone: the data page is no longer shadowed. */
	ck_assert_uint_eq(shadow_entry(0, DATA_LA), 0);
	/* Any later trap has no step to end. */
	ck_assert_int_eq(shadow_mmu_step_end(m, VEC_DB, 0, 0, &cpu.eflags), 0);
}
END_TEST

START_TEST(guests_own_tf_survives_the_step)
{
	uint32_t la = 0x00003000u;
	*gword(GPT + PTX(la) * 4) = GPT | PTE_P | PTE_W;
	cpu.eflags |= EFLAGS_TF;
	ck_assert_int_eq(shadow_mmu_fault(m, &cpu, la, PF_ERR_W).outcome, SHADOW_STEP);
	/* The #DB is the guest's too: it goes on to its handler, TF as it had it. */
	ck_assert_int_eq(shadow_mmu_step_end(m, VEC_DB, cpu.eip + 3, cpu.cs, &cpu.eflags), 0);
	ck_assert(cpu.eflags & EFLAGS_TF);
}
END_TEST

START_TEST(read_of_a_guest_page_table_is_mapped_read_only)
{
	uint32_t la = 0x00003000u;
	*gword(GPT + PTX(la) * 4) = GPT | PTE_P | PTE_W;
	ck_assert_int_eq(shadow_mmu_fault(m, &cpu, la, 0).outcome, SHADOW_FILLED);
	uint32_t spte = shadow_entry(0, la);
	ck_assert(spte & PTE_P);
	ck_assert_uint_eq(spte & PTE_W, 0);
}
END_TEST

START_TEST(translate_walks_and_sets_dirty)
{
	uint32_t gpa = 0, error = 0xFF;
	ck_assert_int_eq(shadow_mmu_translate(m, cpu.cr0, cpu.cr3, cpu.cr4, 0, DATA_LA + 0x44, 1, 0,
					      &gpa, &error), SHADOW_TRANSLATED);
	ck_assert_uint_eq(gpa, DATA_GPA + 0x44);
	ck_assert(*gword(GPT + PTX(DATA_LA) * 4) & PTE_D);
	/* Not mapped: the guest's #PF, not present, a write from its user mode. */
	ck_assert_int_eq(shadow_mmu_translate(m, cpu.cr0, cpu.cr3, cpu.cr4, 1, 0x00009000u, 1, 0,
					      &gpa, &error), SHADOW_TRANSLATION_FAULT);
	ck_assert_uint_eq(error, PF_ERR_W | PF_ERR_U);
	/* The same as the CPU's own system access: supervisor, so U is clear. */
	ck_assert_int_eq(shadow_mmu_translate(m, cpu.cr0, cpu.cr3, cpu.cr4, 1, 0x00009000u, 0, 1,
					      &gpa, &error), SHADOW_TRANSLATION_FAULT);
	ck_assert_uint_eq(error, 0);
}
END_TEST

static Suite *shadow_mmu_suite(void)
{
	Suite *s = suite_create("shadow_mmu");
	TCase *t = tcase_create("verdicts");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, mapped_page_is_filled_and_hidden);
	tcase_add_test(t, unmapped_page_is_the_guests_fault);
	tcase_add_test(t, user_code_on_a_kernel_page_faults_with_U);
	tcase_add_test(t, kernel_fault_in_ring_3_has_no_U);
	tcase_add_test(t, mapping_beyond_guest_memory_is_outside);
	tcase_add_test(t, device_page_read_maps_the_copy_read_only);
	tcase_add_test(t, device_page_other_pages_and_tables_stay_outside);
	tcase_add_test(t, watched_page_write_is_stepped);
	tcase_add_test(t, switcher_slot_is_refused);
	tcase_add_test(t, switcher_slot_unmapped_is_the_guests_fault);
	tcase_add_test(t, write_to_a_guest_page_table_is_stepped);
	tcase_add_test(t, guests_own_tf_survives_the_step);
	tcase_add_test(t, read_of_a_guest_page_table_is_mapped_read_only);
	tcase_add_test(t, translate_walks_and_sets_dirty);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shadow_mmu_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
