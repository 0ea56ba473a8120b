/*
 * tests/unit/test_mptable.c: the firmware view of low memory
 * (platform/mptable.c), read back the way a kernel reads it.
 * Runs on: host (Check).
 *
 * The parser below searches as the MP specification 1.4, section 4.1 tells
 * an operating system to (the first KiB of the EBDA, the last KiB of base
 * memory, then 0xF0000-0xFFFFF, on 16-byte boundaries), checks both
 * checksums and walks the entries with the sizes of table 4-3, as a small
 * kernel such as xv6 does. The ACPI tables are found and checked the same
 * way (ACPI 1.0, 5.2.4: the RSDP in the EBDA's first KiB or 0xE0000-0xFFFFF).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/mptable.h"

#define LOW_MEM_SIZE	0x100000u	/* guest-physical 0 .. 1 MiB */

static uint8_t *mem;

static uint16_t rd16(uint32_t a)
{
	return (uint16_t)(mem[a] | (mem[a + 1] << 8));
}

static uint32_t rd32(uint32_t a)
{
	return rd16(a) | ((uint32_t)rd16(a + 2) << 16);
}

static uint8_t sum(uint32_t a, uint32_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + mem[a++]);
	return s;
}

/* A valid "_MP_" at a 16-byte boundary in [a, a+len), or 0. */
static uint32_t mp_search_area(uint32_t a, uint32_t len)
{
	uint32_t p;
	for (p = a; p + 16 <= a + len; p += 16)
		if (memcmp(mem + p, "_MP_", 4) == 0 && sum(p, 16) == 0)
			return p;
	return 0;
}

/* The kernel's search order; *where says which area found it. */
static uint32_t mp_search(const char **where)
{
	uint32_t p, seg = rd16(BDA_EBDA_SEGMENT);
	if (seg && (p = mp_search_area(seg << 4, 1024))) {
		*where = "ebda";
		return p;
	}
	p = (uint32_t)rd16(BDA_BASE_MEMORY_KIB) * 1024;
	if (p >= 1024 && (p = mp_search_area(p - 1024, 1024))) {
		*where = "base";
		return p;
	}
	*where = "bios";
	return mp_search_area(0xF0000, 0x10000);
}

static struct firmware_config cfg;
static struct firmware_layout layout;

static void setup(void)
{
	mem = calloc(1, LOW_MEM_SIZE);
	firmware_config_default(&cfg);
	ck_assert_int_eq(firmware_write_low_memory(mem, LOW_MEM_SIZE, &cfg, &layout), 0);
}

static void teardown(void)
{
	free(mem);
}

START_TEST(bda_words)
{
	/* The values QEMU's BIOS leaves with -m 224: EBDA 0x9FC0, 639 KiB. */
	ck_assert_uint_eq(rd16(0x40E), 0x9FC0);
	ck_assert_uint_eq(rd16(0x413), 639);
	/* The EBDA's first byte is its size in KiB. */
	ck_assert_uint_eq(mem[0x9FC00], 1);
	ck_assert_uint_eq(layout.ebda, 0x9FC00);
}
END_TEST

START_TEST(floating_pointer)
{
	const char *where = "";
	uint32_t fp = mp_search(&where);

	ck_assert_uint_ne(fp, 0);
	ck_assert_str_eq(where, "ebda");
	ck_assert_uint_eq(fp, layout.mp_floating);
	ck_assert_uint_eq(fp % 16, 0);
	ck_assert_uint_eq(sum(fp, 16), 0);
	ck_assert_uint_eq(mem[fp + 8], 1);		/* length: 16 bytes */
	ck_assert_uint_eq(mem[fp + 9], 4);		/* spec 1.4 */
	ck_assert_uint_eq(mem[fp + 11], 0);		/* a table follows */
	ck_assert_uint_eq(mem[fp + 12] & 0x80, 0);	/* no IMCR */
	ck_assert_uint_eq(rd32(fp + 4), layout.mp_config);
	ck_assert_uint_ne(rd32(fp + 4), 0);
}
END_TEST

/*
 * Without the EBDA word, xv6's reading of "the last KiB of base memory"
 * (the KiB below 639 KiB) holds nothing, and the copy at 0xF0000 is found;
 * it points to the same table.
 */
START_TEST(found_without_ebda_word)
{
	const char *where = "";
	mem[0x40E] = mem[0x40F] = 0;
	ck_assert_uint_eq(mp_search(&where), layout.mp_floating_bios);
	ck_assert_str_eq(where, "bios");
	ck_assert_uint_eq(layout.mp_floating_bios, 0xF0000);
	ck_assert_int_eq(memcmp(mem + layout.mp_floating_bios,
				mem + layout.mp_floating, 16), 0);
}
END_TEST

/* Linux's second area, 639-640 KiB, is the EBDA itself. */
START_TEST(found_in_639k_to_640k)
{
	ck_assert_uint_eq(mp_search_area(639 * 1024, 1024), layout.mp_floating);
}
END_TEST

/* One flipped byte anywhere in either structure breaks its checksum. */
START_TEST(checksums_catch_corruption)
{
	uint32_t fp = layout.mp_floating, ct = layout.mp_config;
	ck_assert_uint_eq(sum(ct, rd16(ct + 4)), 0);
	mem[fp + 13] ^= 0x40;
	ck_assert_uint_ne(sum(fp, 16), 0);
	mem[fp + 13] ^= 0x40;
	mem[ct + 50] ^= 0x01;
	ck_assert_uint_ne(sum(ct, rd16(ct + 4)), 0);
}
END_TEST

struct mp_seen {
	int processors, buses, ioapics, ioints, lints;
	uint8_t proc_apicid, proc_flags, proc_version;
	uint8_t ioapic_id, ioapic_version, ioapic_flags;
	uint32_t ioapic_addr;
	char bus_type[7];
	int pin_of_irq[16];		/* -1: no entry */
	uint8_t ioint_dest[16];
	uint16_t ioint_flags[16];
	uint8_t lint_type[2];
	uint8_t lint_dest[2];
};

/* Walk the table as a kernel does; fails the test on an unknown type. */
static void mp_walk(uint32_t ct, struct mp_seen *s)
{
	uint32_t p = ct + 44, end = ct + rd16(ct + 4);
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 16; i++)
		s->pin_of_irq[i] = -1;
	while (p < end) {
		switch (mem[p]) {
		case MP_ENTRY_PROCESSOR:
			s->processors++;
			s->proc_apicid = mem[p + 1];
			s->proc_version = mem[p + 2];
			s->proc_flags = mem[p + 3];
			p += 20;
			break;
		case MP_ENTRY_BUS:
			s->buses++;
			memcpy(s->bus_type, mem + p + 2, 6);
			p += 8;
			break;
		case MP_ENTRY_IOAPIC:
			s->ioapics++;
			s->ioapic_id = mem[p + 1];
			s->ioapic_version = mem[p + 2];
			s->ioapic_flags = mem[p + 3];
			s->ioapic_addr = rd32(p + 4);
			p += 8;
			break;
		case MP_ENTRY_IOINT:
			s->ioints++;
			ck_assert_uint_eq(mem[p + 1], MP_INT_INT);
			ck_assert_uint_eq(mem[p + 4], 0);	/* the ISA bus */
			ck_assert_uint_lt(mem[p + 5], 16);
			s->pin_of_irq[mem[p + 5]] = mem[p + 7];
			s->ioint_dest[mem[p + 5]] = mem[p + 6];
			s->ioint_flags[mem[p + 5]] = rd16(p + 2);
			p += 8;
			break;
		case MP_ENTRY_LINT:
			ck_assert_uint_lt(mem[p + 7], 2);
			s->lint_type[mem[p + 7]] = mem[p + 1];
			s->lint_dest[mem[p + 7]] = mem[p + 6];
			s->lints++;
			p += 8;
			break;
		default:
			ck_abort_msg("unknown MP entry type %u at 0x%x", mem[p], p);
		}
	}
	ck_assert_uint_eq(p, end);
}

START_TEST(config_table_header)
{
	uint32_t ct = layout.mp_config;
	uint16_t len = rd16(ct + 4);

	ck_assert_int_eq(memcmp(mem + ct, "PCMP", 4), 0);
	ck_assert_uint_eq(mem[ct + 6], 4);		/* version 1.4 */
	ck_assert_uint_eq(sum(ct, len), 0);
	ck_assert_uint_eq(len, layout.mp_config_length);
	/* 44 header + 20 processor + bus + I/O APIC + 15 IRQs + 2 LINTs, 8 each. */
	ck_assert_uint_eq(len, 44 + 20 + 8 * (1 + 1 + 15 + 2));
	ck_assert_uint_eq(rd16(ct + 34), 20);		/* entry count */
	ck_assert_uint_eq(rd32(ct + 36), 0xFEE00000u);	/* local APIC */
	ck_assert_uint_eq(rd16(ct + 40), 0);		/* no extended table */
	ck_assert_uint_eq(rd32(ct + 28), 0);		/* no OEM table */
	/* The whole table lies in the EBDA's first KiB. */
	ck_assert_uint_le(ct + len, layout.ebda + 1024);
}
END_TEST

START_TEST(config_table_entries)
{
	struct mp_seen s;
	int irq;

	mp_walk(layout.mp_config, &s);
	ck_assert_int_eq(s.processors, 1);
	ck_assert_uint_eq(s.proc_apicid, 0);
	ck_assert_uint_eq(s.proc_flags, MP_PROC_ENABLED | MP_PROC_BSP);
	ck_assert_uint_eq(s.proc_version, 0x14);
	ck_assert_int_eq(s.buses, 1);
	ck_assert_str_eq(s.bus_type, "ISA   ");
	ck_assert_int_eq(s.ioapics, 1);
	ck_assert_uint_eq(s.ioapic_id, 0);
	ck_assert_uint_eq(s.ioapic_version, 0x11);
	ck_assert_uint_eq(s.ioapic_flags, MP_IOAPIC_ENABLED);
	ck_assert_uint_eq(s.ioapic_addr, 0xFEC00000u);
	ck_assert_int_eq(s.ioints, 15);
	/* IRQ 0 on pin 2, IRQ 2 (the cascade) absent, the rest identity. */
	ck_assert_int_eq(s.pin_of_irq[0], 2);
	ck_assert_int_eq(s.pin_of_irq[2], -1);
	for (irq = 1; irq < 16; irq++) {
		if (irq == 2)
			continue;
		ck_assert_int_eq(s.pin_of_irq[irq], irq);
	}
	for (irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		ck_assert_uint_eq(s.ioint_dest[irq], s.ioapic_id);
		ck_assert_uint_eq(s.ioint_flags[irq], 0);	/* ISA: edge, high */
	}
	ck_assert_int_eq(s.lints, 2);
	ck_assert_uint_eq(s.lint_type[0], MP_INT_EXTINT);
	ck_assert_uint_eq(s.lint_type[1], MP_INT_NMI);
	ck_assert_uint_eq(s.lint_dest[0], 0xFF);
	ck_assert_uint_eq(s.lint_dest[1], 0xFF);
}
END_TEST

/* The config is honoured, not hard-coded: other IDs and addresses show. */
START_TEST(config_is_honoured)
{
	struct mp_seen s;
	const char *where;
	uint32_t fp;

	memset(mem, 0, LOW_MEM_SIZE);
	cfg.base_memory_kib = 600;
	cfg.lapic_id = 3;
	cfg.ioapic_id = 5;
	cfg.ioapic_addr = 0xFEC01000u;
	ck_assert_int_eq(firmware_write_low_memory(mem, LOW_MEM_SIZE, &cfg, &layout), 0);
	ck_assert_uint_eq(rd16(0x40E), 600 * 1024 / 16);
	fp = mp_search(&where);
	ck_assert_str_eq(where, "ebda");
	ck_assert_uint_eq(fp, 600 * 1024 + 16);
	mp_walk(rd32(fp + 4), &s);
	ck_assert_uint_eq(s.proc_apicid, 3);
	ck_assert_uint_eq(s.ioapic_id, 5);
	ck_assert_uint_eq(s.ioint_dest[4], 5);
	ck_assert_uint_eq(s.ioapic_addr, 0xFEC01000u);
}
END_TEST

START_TEST(refuses_what_does_not_fit)
{
	static uint8_t small[0xFFFF0];
	memset(mem, 0, LOW_MEM_SIZE);
	/* The EBDA would end past 640 KiB. */
	cfg.base_memory_kib = 640;
	ck_assert_int_eq(firmware_write_low_memory(mem, LOW_MEM_SIZE, &cfg, NULL), -1);
	cfg.base_memory_kib = 32;
	ck_assert_int_eq(firmware_write_low_memory(mem, LOW_MEM_SIZE, &cfg, NULL), -1);
	ck_assert_uint_eq(rd16(0x40E), 0);	/* nothing written */
	/* The buffer ends before the BIOS area does. */
	cfg.base_memory_kib = 639;
	ck_assert_int_eq(firmware_write_low_memory(small, sizeof(small), &cfg, NULL), -1);
}
END_TEST

/* ACPI 1.0: RSDP in the EBDA's first KiB, RSDT -> MADT. */
START_TEST(acpi_tables)
{
	uint32_t p, rsdp = 0, rsdt, madt, len, e;
	int lapics = 0, ioapics = 0, overrides = 0, nmis = 0;

	for (p = layout.ebda; p < layout.ebda + 1024; p += 16)
		if (memcmp(mem + p, "RSD PTR ", 8) == 0 && sum(p, 20) == 0) {
			rsdp = p;
			break;
		}
	ck_assert_uint_eq(rsdp, layout.acpi_rsdp);
	ck_assert_uint_eq(mem[rsdp + 15], 0);		/* revision 0 */
	rsdt = rd32(rsdp + 16);
	ck_assert_int_eq(memcmp(mem + rsdt, "RSDT", 4), 0);
	ck_assert_uint_eq(rd32(rsdt + 4), 40);
	ck_assert_uint_eq(sum(rsdt, 40), 0);
	madt = rd32(rsdt + 36);
	ck_assert_int_eq(memcmp(mem + madt, "APIC", 4), 0);
	len = rd32(madt + 4);
	ck_assert_uint_eq(sum(madt, len), 0);
	ck_assert_uint_eq(rd32(madt + 36), 0xFEE00000u);
	ck_assert_uint_eq(rd32(madt + 40) & 1, 1);	/* PC-AT compatible 8259s */
	for (e = madt + 44; e < madt + len; e += mem[e + 1]) {
		ck_assert_uint_ge(mem[e + 1], 2);
		switch (mem[e]) {
		case 0:
			lapics++;
			ck_assert_uint_eq(mem[e + 3], 0);	/* APIC ID */
			ck_assert_uint_eq(rd32(e + 4) & 1, 1);	/* enabled */
			break;
		case 1:
			ioapics++;
			ck_assert_uint_eq(mem[e + 2], 0);
			ck_assert_uint_eq(rd32(e + 4), 0xFEC00000u);
			ck_assert_uint_eq(rd32(e + 8), 0);	/* GSI base */
			break;
		case 2:
			overrides++;
			ck_assert_uint_eq(mem[e + 3], 0);	/* IRQ 0 */
			ck_assert_uint_eq(rd32(e + 4), 2);	/* -> GSI 2 */
			break;
		case 4:
			nmis++;
			ck_assert_uint_eq(mem[e + 5], 1);	/* LINT1 */
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", mem[e]);
		}
	}
	ck_assert_uint_eq(e, madt + len);
	ck_assert_int_eq(lapics, 1);
	ck_assert_int_eq(ioapics, 1);
	ck_assert_int_eq(overrides, 1);
	ck_assert_int_eq(nmis, 1);
	ck_assert_uint_le(layout.end, layout.ebda + 1024);
}
END_TEST

START_TEST(acpi_optional)
{
	memset(mem, 0, LOW_MEM_SIZE);
	cfg.with_acpi = 0;
	ck_assert_int_eq(firmware_write_low_memory(mem, LOW_MEM_SIZE, &cfg, &layout), 0);
	ck_assert_uint_eq(layout.acpi_rsdp, 0);
	for (uint32_t p = 0; p < LOW_MEM_SIZE; p += 16)
		ck_assert_int_ne(memcmp(mem + p, "RSD PTR ", 8), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mptable");
	TCase *tc = tcase_create("firmware");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bda_words);
	tcase_add_test(tc, floating_pointer);
	tcase_add_test(tc, found_without_ebda_word);
	tcase_add_test(tc, found_in_639k_to_640k);
	tcase_add_test(tc, checksums_catch_corruption);
	tcase_add_test(tc, config_table_header);
	tcase_add_test(tc, config_table_entries);
	tcase_add_test(tc, config_is_honoured);
	tcase_add_test(tc, refuses_what_does_not_fit);
	tcase_add_test(tc, acpi_tables);
	tcase_add_test(tc, acpi_optional);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
