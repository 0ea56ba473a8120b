/*
 * tests/fuzz_host/fuzz_gpt_walk.c: fuzzes the guest page-table walker
 * (shadow_pt/gpt_walk.c) and the shadow entries built from its walks
 * (shadow_pt/spte.c) over page tables made of the fuzzer's bytes.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: guest memory size in pages (u8), CR0/CR4 bits (u8), CR3 (u32),
 * a count of walks (u8), each a linear address (u32) and an access (u8);
 * the rest is guest memory, zero but for words given as (word index u16,
 * value u32), so that a short input can lay tables anywhere in it.
 *
 * Properties, from shadow_pt/gpt_walk.h, spte.h and Intel SDM vol. 3, 4.3-4.8:
 *   1. The walker asks only for aligned words; once guest memory refuses a
 *      read or write, the walk ends GPT_OUTSIDE naming that address.
 *   2. It writes only the PDE and PTE it used, only setting A or D, never
 *      without set_accessed_dirty, never at a leaf that faults.
 *   3. Its verdict, address, error code and permissions are those of a
 *      reference walk written here from the SDM.
 *   4. Walking again changes nothing: the same verdict and address, no write.
 *   5. A shadow entry maps the 4 KiB page the walk found, inside guest
 *      memory, never global; it is writable only if the mode that runs on it
 *      may write and D is set; a user shadow never maps a supervisor page.
 *   6. gpte_check accepts an entry exactly when the walker could use it
 *      without leaving guest memory; pf_error_for_guest sets U from the CPL.
 */
#include <string.h>

#include "lib/x86.h"
#include "shadow_pt/spte.h"
#include "tests/fuzz_host/fuzz_input.h"

#define MEM_PAGES_MAX	32
#define MEM_MAX		(MEM_PAGES_MAX * PAGE_SIZE)
#define MAX_WALKS	8
#define MAX_WRITES	4
#define HOST_BASE	0x40000000u	/* where the hypervisor would keep guest memory */

static uint32_t words[MEM_MAX / 4];

struct fake_mem {
	uint32_t mem_bytes;
	int refused;		/* a read or write outside was asked for */
	uint32_t refused_gpa;
	unsigned nwrites;
	struct { uint32_t gpa, old, v; } writes[MAX_WRITES];
};

static int fake_read32(void *ctx, uint32_t gpa, uint32_t *v)
{
	struct fake_mem *m = ctx;

	FUZZ_CHECK(gpa % 4 == 0, "unaligned read at 0x%x", gpa);
	FUZZ_CHECK(!m->refused, "read at 0x%x after a refused access", gpa);
	if (gpa >= m->mem_bytes) {
		m->refused = 1;
		m->refused_gpa = gpa;
		return -1;
	}
	*v = words[gpa / 4];
	return 0;
}

static int fake_write32(void *ctx, uint32_t gpa, uint32_t v)
{
	struct fake_mem *m = ctx;

	FUZZ_CHECK(gpa % 4 == 0, "unaligned write at 0x%x", gpa);
	FUZZ_CHECK(!m->refused, "write at 0x%x after a refused access", gpa);
	FUZZ_CHECK(m->nwrites < MAX_WRITES, "more than %d writes", MAX_WRITES);
	if (gpa >= m->mem_bytes) {
		m->refused = 1;
		m->refused_gpa = gpa;
		return -1;
	}
	m->writes[m->nwrites].gpa = gpa;
	m->writes[m->nwrites].old = words[gpa / 4];
	m->writes[m->nwrites].v = v;
	m->nwrites++;
	words[gpa / 4] = v;
	return 0;
}

/* The SDM's walk, without A/D updates: what the CPU decides for this access. */
struct ref_walk {
	enum gpt_result result;
	uint32_t gpa;		/* GPT_OK, and GPT_OUTSIDE's address */
	uint32_t error;		/* GPT_FAULT */
	int writable, user;
};

static struct ref_walk ref_walk(uint32_t mem_bytes, uint32_t cr3, uint32_t cr0, uint32_t cr4,
				uint32_t la, unsigned access)
{
	struct ref_walk r = { GPT_OK, la, 0, 1, 1 };
	unsigned wu = access & (PF_ERR_W | PF_ERR_U);
	uint32_t pde_gpa, pde, pte_gpa, pte;
	uint64_t page;

	if (!(cr0 & CR0_PG)) {
		if (la >= mem_bytes)
			r.result = GPT_OUTSIDE;
		return r;
	}
	pde_gpa = (cr3 & 0xFFFFF000u) + ((la >> 22) << 2);
	if (pde_gpa >= mem_bytes)
		return (struct ref_walk){ GPT_OUTSIDE, pde_gpa, 0, 0, 0 };
	pde = words[pde_gpa / 4];
	if (!(pde & 1))
		return (struct ref_walk){ GPT_FAULT, 0, wu, 0, 0 };
	if ((pde & 0x80) && (cr4 & CR4_PSE)) {
		if (pde & (1u << 21))	/* reserved in a 4 MiB PDE (PSE-36) */
			return (struct ref_walk){ GPT_FAULT, 0, wu | PF_ERR_RSVD, 0, 0 };
		/* Bits 20:13 are physical address bits 39:32. */
		page = ((uint64_t)((pde >> 13) & 0xFF) << 32) | (pde & 0xFFC00000u);
		page += la & 0x3FFFFFu;
		r.writable = (pde >> 1) & 1;
		r.user = (pde >> 2) & 1;
	} else {
		pte_gpa = (pde & 0xFFFFF000u) + (((la >> 12) & 0x3FF) << 2);
		if (pte_gpa >= mem_bytes)
			return (struct ref_walk){ GPT_OUTSIDE, pte_gpa, 0, 0, 0 };
		pte = words[pte_gpa / 4];
		if (!(pte & 1))
			return (struct ref_walk){ GPT_FAULT, 0, wu, 0, 0 };
		page = (pte & 0xFFFFF000u) | (la & 0xFFFu);
		r.writable = (pde >> 1) & (pte >> 1) & 1;
		r.user = (pde >> 2) & (pte >> 2) & 1;
	}
	int allowed = (access & PF_ERR_U) ? r.user && (!(access & PF_ERR_W) || r.writable)
					  : !(access & PF_ERR_W) || r.writable || !(cr0 & CR0_WP);
	if (!allowed)
		return (struct ref_walk){ GPT_FAULT, 0, wu | PF_ERR_P, 0, 0 };
	if (page >= mem_bytes)
		return (struct ref_walk){ GPT_OUTSIDE, page > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)page,
					  0, 0, 0 };
	r.gpa = (uint32_t)page;
	return r;
}

static void check_spte(const struct gpt_walk *w, uint32_t mem_bytes, unsigned ring, int user_shadow,
		       unsigned access)
{
	uint32_t spte = spte_from_gpte(w, HOST_BASE, ring, user_shadow, access);
	int may_write;

	if (user_shadow)
		may_write = w->writable;
	else if (ring == 3)
		may_write = w->supervisor_writable;
	else	/* only the guest kernel runs on a ring-1 kernel shadow */
		may_write = w->supervisor_writable;

	if (!spte) {
		/* Refused only for the reasons spte.h gives. */
		FUZZ_CHECK((user_shadow && !w->user) || ((access & PF_ERR_W) && !(may_write && w->dirty)) ||
			   (!user_shadow && ring != 3 && !w->user && (access & PF_ERR_U)),
			   "no entry for ring %u, user shadow %d, access %u", ring, user_shadow, access);
		return;
	}
	FUZZ_CHECK(spte & PTE_P, "entry 0x%08x not present", spte);
	FUZZ_CHECK((spte & PAGE_MASK) == HOST_BASE + (w->gpa & PAGE_MASK),
		   "entry 0x%08x for gpa 0x%x", spte, w->gpa);
	FUZZ_CHECK((spte & PAGE_MASK) - HOST_BASE < mem_bytes, "entry 0x%08x outside guest memory", spte);
	FUZZ_CHECK(!(spte & (PTE_G | PTE_PS | PTE_PWT | PTE_PCD)), "entry 0x%08x has G/PS/PWT/PCD", spte);
	FUZZ_CHECK(!(spte & PTE_W) || (may_write && w->dirty), "entry 0x%08x writable: may %d, dirty %d",
		   spte, may_write, w->dirty);
	if (user_shadow)
		FUZZ_CHECK(w->user && (spte & PTE_U), "user shadow maps 0x%08x", spte);
	if (!user_shadow && ring != 3)
		FUZZ_CHECK(!!(spte & PTE_U) == w->user, "ring-1 shadow U 0x%08x, guest user %d", spte,
			   w->user);
	if (access & PF_ERR_W)
		FUZZ_CHECK(spte & PTE_W, "entry 0x%08x for a write is read-only", spte);
}

static void check_gpte_check(uint32_t entry, int large, uint32_t mem_bytes)
{
	const char *why = (const char *)1;
	int ok = gpte_check(entry, large, mem_bytes, &why);
	int inside = !(entry & PTE_P) ||
		     (large ? !(entry & 0x001FE000u) && (entry & 0xFFC00000u) < mem_bytes
			    : (entry & PAGE_MASK) < mem_bytes);

	FUZZ_CHECK(ok == inside, "gpte_check(0x%08x, large %d, mem 0x%x) = %d", entry, large,
		   mem_bytes, ok);
	FUZZ_CHECK(ok ? why == NULL : why && why != (const char *)1 && strlen(why) > 0,
		   "gpte_check reason");
}

static void one_walk(struct fake_mem *m, uint32_t cr3, uint32_t cr0, uint32_t cr4, uint32_t la,
		     unsigned access, int set_ad)
{
	struct guest_phys mem = { m, fake_read32, fake_write32, m->mem_bytes };
	struct ref_walk ref = ref_walk(m->mem_bytes, cr3, cr0, cr4, la, access);
	struct gpt_walk w;

	m->refused = 0;
	m->nwrites = 0;
	enum gpt_result got = gpt_walk(&mem, cr3, cr0, cr4, la, access, set_ad, &w);

	FUZZ_CHECK(got == ref.result, "la 0x%08x access %u: result %d, SDM %d", la, access, got,
		   ref.result);
	FUZZ_CHECK(!m->refused || got == GPT_OUTSIDE, "refused access, yet result %d", got);
	if (m->refused)
		FUZZ_CHECK(w.gpa == m->refused_gpa, "outside at 0x%x, refused 0x%x", w.gpa,
			   m->refused_gpa);
	FUZZ_CHECK(set_ad || m->nwrites == 0, "%u writes without set_accessed_dirty", m->nwrites);
	for (unsigned i = 0; i < m->nwrites; i++) {
		uint32_t set = m->writes[i].v & ~m->writes[i].old;

		/*
		 * A write never clears a bit and sets none but A and D. It may set
		 * nothing new: when the PDE is its own PTE (a directory mapped as
		 * its own page table), A set in the PDE is already in the PTE.
		 */
		FUZZ_CHECK((m->writes[i].v & m->writes[i].old) == m->writes[i].old &&
			   (set & ~(PTE_A | PTE_D)) == 0, "write 0x%08x over 0x%08x", m->writes[i].v,
			   m->writes[i].old);
		FUZZ_CHECK(set || w.gpde_gpa == w.gpte_gpa, "write of 0x%08x changes nothing",
			   m->writes[i].v);
		FUZZ_CHECK(m->writes[i].gpa == w.gpde_gpa || (!w.large && m->writes[i].gpa == w.gpte_gpa),
			   "write at 0x%x, PDE 0x%x, PTE 0x%x", m->writes[i].gpa, w.gpde_gpa, w.gpte_gpa);
		FUZZ_CHECK(!(set & PTE_D) || (access & PF_ERR_W), "D set by a read");
	}

	switch (got) {
	case GPT_OK:
		FUZZ_CHECK(w.gpa == ref.gpa && w.gpa < m->mem_bytes, "gpa 0x%x, SDM 0x%x", w.gpa, ref.gpa);
		FUZZ_CHECK(!(cr0 & CR0_PG) || (w.writable == ref.writable && w.user == ref.user),
			   "permissions W%d U%d, SDM W%d U%d", w.writable, w.user, ref.writable, ref.user);
		FUZZ_CHECK(w.supervisor_writable == (w.writable || !(cr0 & CR0_WP) || !(cr0 & CR0_PG)),
			   "supervisor_writable %d", w.supervisor_writable);
		if (cr0 & CR0_PG) {
			uint32_t leaf = w.large ? w.gpde : w.gpte;
			uint32_t leaf_gpa = w.large ? w.gpde_gpa : w.gpte_gpa;

			FUZZ_CHECK(leaf == words[leaf_gpa / 4], "leaf 0x%08x, memory 0x%08x", leaf,
				   words[leaf_gpa / 4]);
			if (set_ad)
				FUZZ_CHECK((leaf & PTE_A) && (!(access & PF_ERR_W) || (leaf & PTE_D)),
					   "leaf 0x%08x after a walk that sets A/D", leaf);
			FUZZ_CHECK(w.dirty == !!(leaf & PTE_D), "dirty %d, leaf 0x%08x", w.dirty, leaf);
			FUZZ_CHECK(w.global == ((leaf & PTE_G) && (cr4 & CR4_PGE)), "global %d", w.global);
			check_gpte_check(w.gpde, w.large, m->mem_bytes);
			if (!w.large)
				check_gpte_check(w.gpte, 0, m->mem_bytes);
		}
		for (unsigned ring = 1; ring <= 3; ring += 2)
			for (int user_shadow = 0; user_shadow <= 1; user_shadow++)
				check_spte(&w, m->mem_bytes, ring, user_shadow, access & (PF_ERR_W | PF_ERR_U));
		break;
	case GPT_FAULT:
		FUZZ_CHECK(w.error_code == ref.error, "error 0x%x, SDM 0x%x", w.error_code, ref.error);
		for (unsigned i = 0; i < m->nwrites; i++)
			FUZZ_CHECK(!w.large && m->writes[i].gpa == w.gpde_gpa && m->writes[i].v ==
				   (m->writes[i].old | PTE_A), "write at a leaf that faults");
		break;
	case GPT_OUTSIDE:
		FUZZ_CHECK(w.outside && w.gpa == ref.gpa, "outside at 0x%x, SDM 0x%x", w.gpa, ref.gpa);
		FUZZ_CHECK(m->refused || w.gpa >= m->mem_bytes, "outside at 0x%x inside memory", w.gpa);
		if (w.large)
			check_gpte_check(w.gpde, 1, m->mem_bytes);
		break;
	}

	/* Again: the same answer, and nothing left to write. */
	struct gpt_walk again;
	m->refused = 0;
	m->nwrites = 0;
	enum gpt_result got2 = gpt_walk(&mem, cr3, cr0, cr4, la, access, set_ad, &again);
	FUZZ_CHECK(got2 == got && again.gpa == w.gpa && again.error_code == w.error_code,
		   "second walk: %d 0x%x, first %d 0x%x", got2, again.gpa, got, w.gpa);
	FUZZ_CHECK(got != GPT_OK || m->nwrites == 0, "second walk wrote %u times", m->nwrites);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fake_mem m = { 0 };
	uint8_t pages = fuzz_u8(&in), bits = fuzz_u8(&in);
	uint32_t cr3 = fuzz_u32(&in);
	unsigned nwalks = 1 + fuzz_u8(&in) % MAX_WALKS;
	uint32_t la[MAX_WALKS];
	uint8_t access[MAX_WALKS];
	uint32_t cr0 = CR0_PE | ((bits & 1) ? CR0_PG : 0) | ((bits & 2) ? CR0_WP : 0);
	uint32_t cr4 = ((bits & 4) ? CR4_PSE : 0) | ((bits & 8) ? CR4_PGE : 0);

	m.mem_bytes = (1 + pages % MEM_PAGES_MAX) * PAGE_SIZE;
	for (unsigned i = 0; i < nwalks; i++) {
		la[i] = fuzz_u32(&in);
		access[i] = fuzz_u8(&in);
	}
	memset(words, 0, sizeof(words));
	while (in.size >= 6) {
		uint16_t index = fuzz_u16(&in);

		words[index % (m.mem_bytes / 4)] = fuzz_u32(&in);
	}

	for (unsigned i = 0; i < nwalks; i++) {
		unsigned a = access[i] & (PF_ERR_W | PF_ERR_U | GPT_ACCESS_FETCH);

		one_walk(&m, cr3, cr0, cr4, la[i], a, (access[i] >> 7) & 1);
		uint32_t error = la[i];
		uint32_t e = pf_error_for_guest(error, access[i] & 3);
		FUZZ_CHECK((e & ~PF_ERR_U) == (error & ~PF_ERR_U) &&
			   !!(e & PF_ERR_U) == ((access[i] & 3) == 3), "error 0x%x at CPL %u: 0x%x",
			   error, access[i] & 3, e);
	}
	return 0;
}
