/*
 * guests/pc_probe/pc_probe_mptable.c: finding and checking the Intel
 * MultiProcessor Specification 1.4 tables, as a kernel does before it
 * touches an APIC.
 * Runs in: guest.
 *
 * The floating pointer ("_MP_", 16 bytes, on a 16-byte boundary) is searched
 * where the specification says, in order: the first KiB of the EBDA (its
 * segment at BDA 0x40E), the last KiB of base memory (KiB count at BDA
 * 0x413), and the BIOS ROM 0xF0000-0xFFFFF. Every byte of each structure
 * must sum to zero.
 */
#include "guests/lib/guest_console.h"
#include "guests/lib/guest_test.h"
#include "guests/pc_probe/pc_probe.h"

#define MP_ENTRY_PROCESSOR	0
#define MP_ENTRY_BUS		1
#define MP_ENTRY_IOAPIC		2
#define MP_ENTRY_IOINTR		3
#define MP_ENTRY_LINTR		4

static uint8_t sum(uint32_t pa, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + phys8(pa + i));
	return s;
}

static bool is_signature(uint32_t pa, const char *sig)
{
	for (int i = 0; i < 4; i++)
		if (phys8(pa + (uint32_t)i) != (uint8_t)sig[i])
			return false;
	return true;
}

/* The floating pointer in [pa, pa + len), or 0. */
static uint32_t search(uint32_t pa, uint32_t len)
{
	for (uint32_t p = pa; p + 16 <= pa + len; p += 16)
		if (is_signature(p, "_MP_") && sum(p, 16) == 0)
			return p;
	return 0;
}

static uint32_t find_floating(void)
{
	uint32_t ebda = (uint32_t)phys16(0x40E) << 4;
	uint32_t base_kib = phys16(0x413);
	uint32_t p = 0;

	if (ebda)
		p = search(ebda, 1024);
	if (!p && base_kib)
		p = search(base_kib * 1024 - 1024, 1024);
	if (!p)
		p = search(0xF0000, 0x10000);
	return p;
}

/* The processor, bus, I/O APIC and interrupt entries that matter here. */
static void read_entries(uint32_t table, uint16_t count, struct pc_probe_mp *mp,
			 bool *entries_ok, int *isa_bus)
{
	uint32_t p = table + 44;
	int bus_isa = -1;

	*entries_ok = true;
	/* Buses come before the interrupt entries that name them. */
	for (uint16_t i = 0; i < count; i++) {
		uint8_t type = phys8(p);
		if (type == MP_ENTRY_PROCESSOR) {
			uint8_t flags = phys8(p + 3);
			if (flags & 1) {
				mp->nprocessors++;
				if (flags & 2)
					mp->bsp_apic_id = phys8(p + 1);
			}
			p += 20;
			continue;
		}
		if (type == MP_ENTRY_BUS) {
			if (is_signature(p + 2, "ISA ") || (is_signature(p + 2, "ISA") &&
							    phys8(p + 5) == ' '))
				bus_isa = phys8(p + 1);
		} else if (type == MP_ENTRY_IOAPIC) {
			if ((phys8(p + 3) & 1) && !mp->has_ioapic) {
				mp->has_ioapic = true;
				mp->ioapic_id = phys8(p + 1);
				mp->ioapic_version = phys8(p + 2);
				mp->ioapic_addr = phys32(p + 4);
			}
		} else if (type == MP_ENTRY_IOINTR) {
			/* type 0 = INT (vectored): source bus, IRQ, destination pin */
			if (phys8(p + 1) == 0 && (int)phys8(p + 4) == bus_isa &&
			    phys8(p + 5) == 4)
				mp->com1_pin = phys8(p + 7);
		} else if (type != MP_ENTRY_LINTR) {
			*entries_ok = false;
			guest_printf("pc_probe: MP entry %u has unknown type %u\n", i, type);
			return;
		}
		p += 8;
	}
	*isa_bus = bus_isa;
}

void pc_probe_mptable(struct pc_probe_mp *mp)
{
	uint16_t ebda_seg = phys16(0x40E), base_kib = phys16(0x413);

	mp->com1_pin = -1;
	guest_printf("pc_probe: BDA: EBDA segment 0x%x, base memory %u KiB\n", ebda_seg, base_kib);
	guest_test_check(base_kib >= 512 && base_kib <= 640, "bda-base-memory",
			 "base memory %u KiB at 0x413", base_kib);

	uint32_t fp = find_floating();
	if (!guest_test_check(fp != 0, "mp-floating-pointer-found",
			      "no _MP_ with a zero checksum in the EBDA, base memory or ROM"))
		return;
	guest_printf("pc_probe: _MP_ at 0x%x\n", fp);
	uint32_t table = phys32(fp + 4);
	uint8_t length16 = phys8(fp + 8), specrev = phys8(fp + 9), feature1 = phys8(fp + 11);
	guest_test_check(length16 == 1 && (specrev == 1 || specrev == 4), "mp-floating-fields",
			 "length %u (paragraphs), spec rev %u", length16, specrev);
	if (!guest_test_check(feature1 == 0 && table != 0 && table < 0x100000,
			      "mp-config-table-pointer",
			      "feature byte 1 0x%x (a default configuration), table at 0x%x",
			      feature1, table))
		return;
	if (!guest_test_check(is_signature(table, "PCMP"), "mp-config-signature",
			      "no PCMP at 0x%x", table))
		return;
	uint16_t base_len = phys16(table + 4), count = phys16(table + 34);
	uint16_t ext_len = phys16(table + 40);
	uint8_t version = phys8(table + 6);
	guest_test_check(sum(table, base_len) == 0, "mp-config-checksum",
			 "the %u bytes sum to 0x%x", base_len, sum(table, base_len));
	guest_test_check(version == 1 || version == 4, "mp-config-version", "version %u",
			 version);
	guest_test_check(ext_len == 0 ||
				 (uint8_t)(sum(table + base_len, ext_len) + phys8(table + 42)) == 0,
			 "mp-extended-checksum", "%u extended bytes do not match their checksum",
			 ext_len);
	mp->lapic_addr = phys32(table + 36);
	guest_test_check(mp->lapic_addr == 0xFEE00000u, "mp-lapic-address",
			 "local APIC at 0x%x", mp->lapic_addr);

	bool entries_ok;
	int isa_bus = -1;
	read_entries(table, count, mp, &entries_ok, &isa_bus);
	guest_printf("pc_probe: %u entries, %u processor(s), I/O APIC id %u at 0x%x, "
		     "IRQ 4 on pin %d\n", count, mp->nprocessors, mp->ioapic_id,
		     mp->ioapic_addr, mp->com1_pin);
	guest_test_check(entries_ok, "mp-entries-known-types", "see above");
	guest_test_check(mp->nprocessors == 1, "mp-one-processor", "%u processors listed",
			 mp->nprocessors);
	guest_test_check(isa_bus >= 0, "mp-isa-bus", "no ISA bus entry");
	guest_test_check(mp->has_ioapic && mp->ioapic_addr == 0xFEC00000u, "mp-ioapic",
			 "I/O APIC %s at 0x%x", mp->has_ioapic ? "listed" : "not listed",
			 mp->ioapic_addr);
	guest_test_check(mp->com1_pin >= 0, "mp-isa-irq4-routed",
			 "no I/O interrupt entry for ISA IRQ 4");
	mp->found = true;
}
