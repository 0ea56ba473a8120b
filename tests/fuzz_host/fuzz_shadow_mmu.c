/*
 * tests/fuzz_host/fuzz_shadow_mmu.c: fuzzes shadow paging as a whole
 * (shadow_pt/shadow_mmu.c over gpt_walk.c, spte.c and shadow_cache.c): a
 * guest whose page tables are the fuzzer's bytes runs accesses on the
 * shadow tables as the real CPU would, faulting into shadow_mmu_fault(),
 * while it switches CR3, changes modes and has the hypervisor write its
 * memory.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: guest memory in pages (u8), the guest kernel's ring and CR0/CR4
 * bits (u8), CR3 (u16, a page number), a count of operations (u8), the
 * operations of 8 bytes each (op, arg, u16, u32), then guest memory, zero
 * but for words given as (word index u16, value u32).
 *
 * The real CPU is played here: it walks the shadow directory the hypervisor
 * would load (shadow_mmu_cr3), needs U in ring 3 and W for a write (the
 * hypervisor runs with CR0.WP set), and on a miss takes a #PF with the
 * error code it would push. A write that succeeds lands in guest memory.
 *
 * Properties, from shadow_mmu.h, spte.h and shadow_pt/README.md:
 *   1. Containment: every present shadow entry, in every kept context and
 *      mode, maps a page inside guest memory; none maps a tracked guest
 *      page table writable outside a single step.
 *   2. Coherence: every present shadow entry says no more than the guest's
 *      tables say now (a fresh walk gives the same page; writable only if
 *      the mode that runs on it may write and D is set; user-reachable only
 *      if the guest's U allows), whatever the guest wrote since.
 *   3. Progress: after FILLED, or a STEP, the same access goes through (a
 *      hidden fault that comes back forever would hang the guest); no
 *      verdict is NO_ENTRY, NO_TABLE or STEP_TOO_WIDE for a one-word access.
 *   4. A guest fault is the fault a walk of the guest's tables gives, with
 *      the error code for the guest's own CPL.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x86.h"
#include "shadow_pt/shadow_mmu.h"
#include "tests/fuzz_host/fuzz_input.h"

#define MEM_PAGES_MAX	64
#define HOST_BASE	0x04000000u
#define PHYS_BASE	0x00800000u
#define SWITCHER_PDX	1023u
#define SWITCHER_PDE	(0x00345000u | PTE_P | PTE_W)
#define TRIES		4

static struct shadow_mmu *m;
static uint8_t guest_mem[MEM_PAGES_MAX * PAGE_SIZE] __attribute__((aligned(4096)));
static struct shadow_cpu cpu;

/* A host-physical address inside *m, as the real CPU finds a shadow table. */
static uint32_t *at_phys(uint32_t hpa)
{
	FUZZ_CHECK(hpa >= PHYS_BASE && hpa - PHYS_BASE < sizeof(*m), "0x%x outside the shadow MMU", hpa);
	return (uint32_t *)((char *)m + (hpa - PHYS_BASE));
}

/* The shadow entry the real CPU uses for la now, or 0. */
static uint32_t real_pte(uint32_t la)
{
	uint32_t *pd = at_phys(shadow_mmu_cr3(m, cpu.user_mode) & PAGE_MASK);
	uint32_t pde = pd[PDX(la)];

	if (!(pde & PTE_P))
		return 0;
	return at_phys(pde & PAGE_MASK)[PTX(la)];
}

static int real_ring(void)
{
	return cpu.user_mode ? 3 : (int)cpu.ring;
}

/*
 * Where the handler filled entries: the only places a shadow entry can
 * appear. After each operation only these are checked; at the end of the
 * input, and once there are more than FILLED_MAX, every entry.
 */
#define FILLED_MAX	256
static struct { unsigned context, mode; uint32_t la; } filled[FILLED_MAX];
static unsigned nfilled;

static void note_filled(uint32_t la)
{
	if (nfilled < FILLED_MAX) {
		filled[nfilled].context = m->cache.current;
		filled[nfilled].mode = cpu.user_mode ? SHADOW_USER : SHADOW_KERNEL;
		filled[nfilled].la = la;
	}
	if (nfilled <= FILLED_MAX)
		nfilled++;
}

/* Properties 1 and 2 for one shadow entry. */
static void check_spte(unsigned c, unsigned mode, uint32_t la, uint32_t spte)
{
	struct shadow_cache *sc = &m->cache;
	struct gpt_walk w;

	if (!(spte & PTE_P))
		return;
	uint32_t gpa = (spte & PAGE_MASK) - HOST_BASE;
	FUZZ_CHECK(gpa < m->mem_bytes, "context %u mode %u: la 0x%x maps 0x%x", c, mode, la, spte);
	enum gpt_result r = gpt_walk(&m->phys, sc->contexts[c].gcr3, cpu.cr0, cpu.cr4, la,
				     mode == SHADOW_USER ? PF_ERR_U : 0, 0, &w);
	FUZZ_CHECK(r == GPT_OK && (w.gpa & PAGE_MASK) == gpa,
		   "context %u (CR3 0x%x) mode %u: la 0x%x shadowed as 0x%x, the guest's tables say %d 0x%x",
		   c, sc->contexts[c].gcr3, mode, la, spte, r, w.gpa);
	if (spte & PTE_U)
		FUZZ_CHECK(w.user || (mode == SHADOW_KERNEL && cpu.ring == 3),
			   "la 0x%x user-reachable, the guest's U is 0", la);
	if (!(spte & PTE_W))
		return;
	FUZZ_CHECK(!shadow_cache_is_tracked(sc, gpa), "la 0x%x maps tracked page 0x%x writable", la, gpa);
	/* Only the guest kernel runs on a kernel shadow: it may write what CR0.WP lets it. */
	int may = mode == SHADOW_USER ? w.writable : w.supervisor_writable;
	FUZZ_CHECK(may && w.dirty, "la 0x%x writable: the guest's tables allow %d, D %d", la, may, w.dirty);
}

static void check_filled(void)
{
	struct shadow_cache *sc = &m->cache;

	for (unsigned i = 0; i < nfilled && nfilled <= FILLED_MAX; i++) {
		uint32_t pde = sc->dir[filled[i].context][filled[i].mode][PDX(filled[i].la)];

		if (sc->contexts[filled[i].context].valid && (pde & PTE_P))
			check_spte(filled[i].context, filled[i].mode, filled[i].la & PAGE_MASK,
				   at_phys(pde & PAGE_MASK)[PTX(filled[i].la)]);
	}
}

/* Property 1 and 2, over every kept context and both modes. */
static void check_shadows(void)
{
	struct shadow_cache *sc = &m->cache;

	for (unsigned c = 0; c < SHADOW_CONTEXTS; c++) {
		if (!sc->contexts[c].valid)
			continue;
		for (unsigned mode = 0; mode < 2; mode++) {
			const uint32_t *pd = sc->dir[c][mode];

			for (unsigned pdx = 0; pdx < 1024; pdx++) {
				if (pdx == SWITCHER_PDX || !(pd[pdx] & PTE_P))
					continue;
				const uint32_t *pt = at_phys(pd[pdx] & PAGE_MASK);

				for (unsigned ptx = 0; ptx < 1024; ptx++)
					check_spte(c, mode, pdx << 22 | ptx << 12, pt[ptx]);
			}
		}
	}
}

/* One access by the guest through the real CPU, faulting into the handler as often as needed. */
static void guest_access(uint32_t la, int write, uint32_t value)
{
	la &= ~3u;
	if (PDX(la) == SWITCHER_PDX) {
		/* The hypervisor's, whatever the guest's tables say; where they map nothing, the guest's #PF. */
		struct gpt_walk w;
		unsigned a = (write ? PF_ERR_W : 0) | (cpu.user_mode ? PF_ERR_U : 0);
		int guest_fault = gpt_walk(&m->phys, cpu.cr3, cpu.cr0, cpu.cr4, la, a, 0, &w) == GPT_FAULT;
		struct shadow_verdict v = shadow_mmu_fault(m, &cpu, la, a);

		FUZZ_CHECK(v.outcome == (guest_fault ? SHADOW_GUEST_FAULT : SHADOW_SWITCHER) &&
			   (!guest_fault || v.error == w.error_code),
			   "la 0x%x in the switcher's slot: verdict %d", la, v.outcome);
		return;
	}
	for (int tries = 0;; tries++) {
		uint32_t spte = real_pte(la);
		int user = real_ring() == 3;

		if ((spte & PTE_P) && (!user || (spte & PTE_U)) && (!write || (spte & PTE_W))) {
			uint32_t gpa = (spte & PAGE_MASK) - HOST_BASE + (la & ~PAGE_MASK);

			FUZZ_CHECK(gpa < m->mem_bytes, "the CPU reaches 0x%x outside guest memory", gpa);
			if (write)
				memcpy(guest_mem + gpa, &value, 4);
			/* The instruction completes: a single step ends with #DB. */
			shadow_mmu_step_end(m, VEC_DB, cpu.eip, cpu.cs, &cpu.eflags);
			FUZZ_CHECK(m->step.npages == 0 && !(cpu.eflags & EFLAGS_TF), "step not over");
			return;
		}
		FUZZ_CHECK(tries < TRIES, "la 0x%x (write %d) still faults after %d fills", la, write,
			   tries);
		uint32_t error = (spte & PTE_P ? PF_ERR_P : 0) | (write ? PF_ERR_W : 0) |
				 (user ? PF_ERR_U : 0);
		struct shadow_verdict v = shadow_mmu_fault(m, &cpu, la, error);
		struct gpt_walk w;
		unsigned guest_access = (write ? PF_ERR_W : 0) | (cpu.user_mode ? PF_ERR_U : 0);

		switch (v.outcome) {
		case SHADOW_FILLED:
		case SHADOW_STEP:
			note_filled(la);
			continue;
		case SHADOW_GUEST_FAULT:
			FUZZ_CHECK(gpt_walk(&m->phys, cpu.cr3, cpu.cr0, cpu.cr4, la, guest_access, 0, &w) ==
				   GPT_FAULT && w.error_code == v.error,
				   "guest fault 0x%x at 0x%x, a walk says 0x%x", v.error, la, w.error_code);
			return;
		case SHADOW_OUTSIDE:
			FUZZ_CHECK(gpt_walk(&m->phys, cpu.cr3, cpu.cr0, cpu.cr4, la, guest_access, 0, &w) ==
				   GPT_OUTSIDE && w.gpa == v.gpa, "outside at 0x%x", v.gpa);
			return;
		default:
			FUZZ_CHECK(0, "verdict %d for la 0x%x (write %d)", v.outcome, la, write);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint32_t pages = 1 + fuzz_u8(&in) % MEM_PAGES_MAX;
	uint8_t bits = fuzz_u8(&in);
	uint32_t gcr3 = (fuzz_u16(&in) % (pages + 1)) * PAGE_SIZE;
	const uint8_t *ops;
	size_t nops;

	if (!m) {
		m = aligned_alloc(PAGE_SIZE, sizeof(*m));
		FUZZ_CHECK(m != NULL, "no memory");
	}
	nops = fuzz_u8(&in) % 64;
	ops = in.data;
	if (in.size < nops * 8)
		nops = in.size / 8;
	in.data += nops * 8;
	in.size -= nops * 8;
	memset(guest_mem, 0, sizeof(guest_mem));
	while (in.size >= 6) {
		uint16_t index = fuzz_u16(&in);
		uint32_t value = fuzz_u32(&in);

		memcpy(guest_mem + (index % (pages * PAGE_SIZE / 4)) * 4, &value, 4);
	}
	nfilled = 0;

	memset(&cpu, 0, sizeof(cpu));
	cpu.cr0 = CR0_PE | CR0_PG | ((bits & 1) ? CR0_WP : 0);
	cpu.cr4 = ((bits & 2) ? CR4_PSE : 0) | ((bits & 4) ? CR4_PGE : 0);
	cpu.ring = (bits & 8) ? 3 : 1;
	cpu.cr3 = gcr3;
	cpu.cs = 0x08;
	cpu.eflags = EFLAGS_FIXED | EFLAGS_IF;
	shadow_mmu_init(m, guest_mem, pages * PAGE_SIZE, HOST_BASE, PHYS_BASE, SWITCHER_PDX,
			SWITCHER_PDE);
	shadow_mmu_switch_cr3(m, gcr3);

	for (size_t i = 0; i < nops; i++) {
		struct fuzz_input op = { ops + i * 8, 8 };
		uint8_t kind = fuzz_u8(&op), arg = fuzz_u8(&op);
		uint16_t h = fuzz_u16(&op);
		uint32_t v = fuzz_u32(&op);

		cpu.eip = 0x1000 + (uint32_t)i;
		switch (kind % 6) {
		case 0:		/* the guest loads CR3 */
			cpu.cr3 = (h % (pages + 1)) * PAGE_SIZE;
			shadow_mmu_switch_cr3(m, cpu.cr3);
			break;
		case 1:		/* a read */
		case 2:		/* a write of v */
			/* Mostly the first 16 MiB, where small tables map; with bit 7 anywhere. */
			guest_access((arg & 0x80) ? v : (uint32_t)(arg & 3) << 22 | ((uint32_t)h << 2 & 0x3FFFFCu),
				     kind % 6 == 2, v);
			break;
		case 3: {	/* the hypervisor writes guest memory for the guest */
			uint32_t gpa = v % (pages * PAGE_SIZE) & ~3u;

			memcpy(guest_mem + gpa, &h, 2);
			shadow_mmu_guest_wrote(m, gpa, 2);
			break;
		}
		case 4:		/* the guest changes CR0.WP, CR4.PSE or CR4.PGE */
			cpu.cr0 = (cpu.cr0 & ~CR0_WP) | ((arg & 1) ? CR0_WP : 0);
			cpu.cr4 = ((arg & 2) ? CR4_PSE : 0) | ((arg & 4) ? CR4_PGE : 0);
			shadow_mmu_flush_all(m);
			break;
		default:	/* to user code or back to the kernel */
			cpu.user_mode = arg & 1;
			break;
		}
		if (nfilled > FILLED_MAX)
			check_shadows();
		else
			check_filled();
	}
	check_shadows();
	return 0;
}
