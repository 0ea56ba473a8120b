/*
 * tests/fuzz_host/fuzz_descriptor.c: fuzzes ring compression of descriptor
 * tables (deprivilege/descriptor.c) with any guest descriptors, rings and
 * linear tops.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: records of guest ring (u8), linear top (u32, or the hypervisor's
 * own 0xFFC00000), a guest descriptor (two u32), a gate (8 bytes) and a
 * selector (u16); then, with what is left, one table for desc_shadow_table.
 *
 * Properties, from deprivilege/descriptor.h and the SDM:
 *   1. Containment: an installed present descriptor is a code or data
 *      segment whose every byte lies below linear_top, with DPL >= the
 *      guest's ring; a system descriptor is never installed present; a
 *      refusal installs the null descriptor.
 *   2. Faithfulness: only DPL (raised to the ring), the accessed bit, and
 *      (when it reached linear_top) the limit and G change; the limit loses
 *      less than one 4 KiB page; a not-present guest descriptor stays not
 *      present.
 *   3. *why is NULL exactly for an installed descriptor that kept its limit.
 *   4. desc_shadow_table: entry 0 null, each entry as desc_shadow makes it,
 *      stops at the first refusal, writes nothing past it.
 *   5. gate_check accepts only present 32-bit interrupt and trap gates with a
 *      non-null selector; desc_selector_compress raises RPL only.
 */
#include <string.h>

#include "deprivilege/descriptor.h"
#include "tests/fuzz_host/fuzz_input.h"

#define HV_LINEAR_TOP	0xFFC00000u	/* hv/layout.h: GUEST_LINEAR_TOP */
#define TABLE_MAX	64
#define ACCESSED_BIT	(1u << 8)
#define LIMIT_BITS_LO	0x0000FFFFu
#define LIMIT_BITS_HI	0x000F0000u

static int is_expand_down_data(struct x86_desc d)
{
	return !(DESC_TYPE(d) & DESC_TYPE_CODE) && (DESC_TYPE(d) & DESC_TYPE_EXPANDDOWN);
}

static void check_present_segment(struct x86_desc g, struct x86_desc r, unsigned ring,
				  uint32_t top, const char *why)
{
	uint32_t want_dpl = DESC_DPL(g) < ring ? ring : DESC_DPL(g);
	uint32_t base = desc_base(r);
	/* The highest byte the segment reaches, as the CPU computes offsets. */
	uint64_t last = is_expand_down_data(r) ? (uint64_t)base + (DESC_DB(r) ? 0xFFFFFFFFu : 0xFFFFu)
					       : (uint64_t)base + desc_limit(r);

	FUZZ_CHECK(DESC_S(r), "system descriptor installed present");
	FUZZ_CHECK(DESC_DPL(r) == want_dpl, "DPL %u, guest DPL %u in ring %u", DESC_DPL(r),
		   DESC_DPL(g), ring);
	FUZZ_CHECK(last < top, "segment reaches 0x%llx, top 0x%x", (unsigned long long)last, top);
	FUZZ_CHECK(DESC_TYPE(r) & DESC_TYPE_ACCESSED, "accessed bit clear");
	FUZZ_CHECK(base == desc_base(g), "base moved");

	/* Apart from DPL, accessed, limit and G, nothing changes. */
	uint32_t keep_hi = ~(DESC_HI_DPL_MASK | ACCESSED_BIT | LIMIT_BITS_HI | DESC_HI_G);
	FUZZ_CHECK((r.hi & keep_hi) == (g.hi & keep_hi) && (r.lo & ~LIMIT_BITS_LO) ==
		   (g.lo & ~LIMIT_BITS_LO), "bits changed: %08x:%08x -> %08x:%08x", g.hi, g.lo,
		   r.hi, r.lo);
	if (why == NULL || is_expand_down_data(g)) {
		FUZZ_CHECK(why == NULL, "expand-down installed with a note: %s", why);
		FUZZ_CHECK(r.lo == g.lo && DESC_G(r) == DESC_G(g) &&
			   (r.hi & LIMIT_BITS_HI) == (g.hi & LIMIT_BITS_HI), "limit changed silently");
		return;
	}
	/* Truncated: it did reach the top, and keeps all of it below that a limit can say. */
	uint32_t max_limit = top - 1 - base;
	FUZZ_CHECK((uint64_t)base + desc_limit(g) >= top, "truncated though it stayed below the top");
	FUZZ_CHECK(max_limit - desc_limit(r) < 4096, "limit 0x%x, 0x%x would fit",
		   desc_limit(r), max_limit);
}

static void check_one(struct x86_desc g, unsigned ring, uint32_t top)
{
	struct x86_desc r = { 0xDEADBEEFu, 0xDEADBEEFu };
	const char *why = (const char *)1;
	enum desc_verdict v = desc_shadow(g, ring, top, &r, &why);

	FUZZ_CHECK(why == NULL || (why != (const char *)1 && strlen(why) > 0), "why not set");
	if (ring < 1 || ring > 3) {
		FUZZ_CHECK(v == DESC_REFUSE, "ring %u accepted", ring);
	}
	switch (v) {
	case DESC_REFUSE:
		FUZZ_CHECK(r.lo == 0 && r.hi == 0, "refused but installed %08x:%08x", r.hi, r.lo);
		FUZZ_CHECK(why != NULL, "refused without a reason");
		FUZZ_CHECK(ring < 1 || ring > 3 || !DESC_S(g) || is_expand_down_data(g),
			   "refused a segment that can be truncated");
		break;
	case DESC_NOT_PRESENT:
		FUZZ_CHECK(!DESC_P(r), "not-present verdict, present descriptor");
		FUZZ_CHECK(why != NULL, "not present without a reason");
		FUZZ_CHECK(DESC_P(g), "a not-present guest descriptor is installed, not refused");
		if (DESC_S(g))
			FUZZ_CHECK(desc_base(g) >= top, "segment below the top made not present");
		else
			FUZZ_CHECK(DESC_TYPE(g) == DESC_SYS_LDT || DESC_TYPE(g) == DESC_SYS_TSS_AVAIL ||
				   DESC_TYPE(g) == DESC_SYS_TSS_BUSY, "system type %u kept", DESC_TYPE(g));
		break;
	case DESC_INSTALL:
		FUZZ_CHECK(ring >= 1 && ring <= 3, "installed for ring %u", ring);
		if (!DESC_P(g)) {
			FUZZ_CHECK(!DESC_P(r) && why == NULL, "not-present descriptor changed meaning");
			if (DESC_S(g))
				FUZZ_CHECK(DESC_DPL(r) >= ring, "not-present segment keeps DPL %u",
					   DESC_DPL(r));
			break;
		}
		FUZZ_CHECK(DESC_P(r), "present guest segment installed not present");
		check_present_segment(g, r, ring, top, why);
		break;
	default:
		FUZZ_CHECK(0, "verdict %d", (int)v);
	}
}

static void check_gate(struct x86_gate g)
{
	const char *why = (const char *)1;
	int ok = gate_check(g, &why);

	if (ok) {
		FUZZ_CHECK(why == NULL, "usable gate with a reason");
		FUZZ_CHECK(GATE_P(g) && !(g.type_attr & 0x10u) &&
			   (GATE_TYPE(g) == DESC_SYS_INT_GATE || GATE_TYPE(g) == DESC_SYS_TRAP_GATE),
			   "gate type_attr 0x%02x accepted", g.type_attr);
		FUZZ_CHECK((g.selector & ~3u) != 0, "null selector 0x%x accepted", g.selector);
	} else {
		FUZZ_CHECK(why != NULL && why != (const char *)1 && strlen(why) > 0,
			   "refused gate without a reason");
	}
	FUZZ_CHECK(gate_check(g, NULL) == ok, "answer depends on why");
}

static void check_selector(uint16_t sel, unsigned ring)
{
	if (ring > 3)
		return;
	uint16_t s = desc_selector_compress(sel, ring);

	FUZZ_CHECK((s & ~3u) == (sel & ~3u), "index or TI changed: 0x%x -> 0x%x", sel, s);
	FUZZ_CHECK(SEL_RPL(s) == (SEL_RPL(sel) < ring ? ring : SEL_RPL(sel)), "RPL 0x%x -> 0x%x",
		   sel, s);
}

static void check_table(struct fuzz_input *in, unsigned ring, uint32_t top)
{
	struct x86_desc guest[TABLE_MAX], real[TABLE_MAX + 1];
	unsigned n = fuzz_u8(in) % (TABLE_MAX + 1), refused = 0xFFFF;
	const char *why = (const char *)1;

	for (unsigned i = 0; i < n; i++) {
		guest[i].lo = fuzz_u32(in);
		guest[i].hi = fuzz_u32(in);
	}
	memset(real, 0x5A, sizeof(real));
	unsigned got = desc_shadow_table(guest, n, ring, top, real, &refused, &why);

	FUZZ_CHECK(got <= n && refused == got, "returned %u, refused_index %u, n %u", got,
		   refused, n);
	FUZZ_CHECK((got == n) == (why == NULL), "%u of %u, why %s", got, n, why ? why : "NULL");
	if (n > 0)
		FUZZ_CHECK(real[0].lo == 0 && real[0].hi == 0, "entry 0 not null");
	for (unsigned i = 1; i < got; i++) {
		struct x86_desc one;

		FUZZ_CHECK(desc_shadow(guest[i], ring, top, &one, NULL) != DESC_REFUSE &&
			   one.lo == real[i].lo && one.hi == real[i].hi,
			   "entry %u differs from desc_shadow's", i);
	}
	if (got < n && got > 0) {
		struct x86_desc one;

		FUZZ_CHECK(desc_shadow(guest[got], ring, top, &one, NULL) == DESC_REFUSE,
			   "stopped at %u, which desc_shadow installs", got);
		FUZZ_CHECK(real[got].lo == 0 && real[got].hi == 0, "refused entry %u not null", got);
	}
	for (unsigned i = got + (got < n ? 1 : 0); i <= TABLE_MAX; i++)
		FUZZ_CHECK(real[i].lo == 0x5A5A5A5Au && real[i].hi == 0x5A5A5A5Au,
			   "entry %u written past the end", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	unsigned ring = 1, top = HV_LINEAR_TOP;

	while (in.size >= 23) {	/* one record: 1 + 4 + 8 + 8 + 2 bytes */
		uint8_t r = fuzz_u8(&in);
		uint32_t t = fuzz_u32(&in);
		struct x86_desc d;
		struct x86_gate g;

		/* Mostly the rings and top the hypervisor uses; sometimes anything. */
		ring = (r & 0x80) ? (r & 0x7F) : 1 + (r % 3);
		top = (r & 0x40) ? t : HV_LINEAR_TOP;
		d.lo = fuzz_u32(&in);
		d.hi = fuzz_u32(&in);
		memcpy(&g, in.data, sizeof(g));
		in.data += sizeof(g);
		in.size -= sizeof(g);
		check_one(d, ring, top);
		check_gate(g);
		check_selector(fuzz_u16(&in), ring);
	}
	check_table(&in, ring, top);
	return 0;
}
