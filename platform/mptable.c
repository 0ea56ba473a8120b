/*
 * platform/mptable.c: the BIOS data area, the EBDA, the MP floating pointer
 * and configuration table (Intel MultiProcessor Specification 1.4, chapter
 * 4), and ACPI 1.0 RSDP/RSDT/MADT, for one processor and one I/O APIC.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * 1. The BDA says where the EBDA is (0x40E) and how much base memory there
 *    is (0x413). A kernel looks for "_MP_" in the first KiB of the EBDA,
 *    then in the last KiB of base memory, then in 0xF0000-0xFFFFF (MP spec
 *    4.1). The floating pointer is written twice, in the EBDA and at
 *    0xF0000, both leading to the one table: kernels read "the last KiB of
 *    base memory" differently (xv6 takes the KiB below the 0x413 value,
 *    638-639 KiB, Linux 639-640 KiB, where the EBDA is), and the copy in
 *    the BIOS area is found by every search order. Guest memory with both
 *    BDA words zero sends xv6 to 0xFFFFFC00, which it has not mapped.
 * 2. The floating pointer leads to the configuration table: one processor
 *    (the bootstrap processor, enabled), one ISA bus, one I/O APIC, an I/O
 *    interrupt entry for each ISA IRQ (IRQ 0, the 8254, is wired to pin 2 as
 *    on every PC with an I/O APIC; the others to the pin of their number;
 *    IRQ 2 is the 8259 cascade and has none), and the local interrupts:
 *    ExtINT on LINT0 (the 8259 in virtual-wire mode) and NMI on LINT1.
 *    IMCRP is clear: there is no IMCR at ports 0x22/0x23 to switch.
 * 3. ACPI says the same in its MADT (with an interrupt source override for
 *    IRQ 0 -> GSI 2), for kernels that prefer ACPI. There is no FADT or
 *    DSDT: nothing here describes power management.
 * All multi-byte fields are little-endian and written byte by byte, so the
 * code is the same on the host and in the hypervisor and needs no packed
 * structs.
 */
#include "platform/mptable.h"

#include "lib/string.h"

#define EBDA_SIZE		1024u
#define BASE_MEMORY_TOP		0xA0000u	/* 640 KiB: video memory above */
#define BIOS_AREA		0xF0000u	/* the BIOS ROM's 64 KiB, here RAM */
#define LOW_MEMORY_END		0x100000u

#define MP_FLOATING_SIZE	16u
#define MP_CONFIG_HEADER_SIZE	44u
#define MP_PROCESSOR_SIZE	20u
#define MP_SMALL_ENTRY_SIZE	8u
#define ISA_IRQS		16u
#define ISA_CASCADE_IRQ		2u	/* the slave 8259 hangs on IRQ 2 */
#define IOAPIC_PIN_OF_IRQ0	2u
#define MP_ISA_BUS_ID		0u

#define ACPI_RSDP_SIZE		20u	/* revision 0 (ACPI 1.0) */
#define ACPI_HEADER_SIZE	36u
#define MADT_PCAT_COMPAT	0x1u	/* dual 8259s present too */
#define MADT_LAPIC		0u
#define MADT_IOAPIC		1u
#define MADT_SOURCE_OVERRIDE	2u
#define MADT_LAPIC_NMI		4u
#define ACPI_ALL_PROCESSORS	0xFFu

static const char oem_id[8] = { 'T', 'R', 'A', 'P', 'V', 'S', 'R', ' ' };
static const char product_id[12] = { 'V', 'I', 'R', 'T', 'U', 'A', 'L',
				      ' ', 'P', 'C', ' ', ' ' };

void firmware_config_default(struct firmware_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base_memory_kib = 639;
	cfg->lapic_id = 0;
	cfg->lapic_version = 0x14;	/* QEMU's local APIC, as platform/lapic.c */
	cfg->lapic_addr = 0xFEE00000u;
	cfg->ioapic_id = 0;
	cfg->ioapic_version = 0x11;
	cfg->ioapic_addr = 0xFEC00000u;
	cfg->cpu_signature = 0x00000663u;	/* family 6, model 6, stepping 3 */
	cfg->cpu_features = 0x00000201u;	/* FPU and APIC */
	cfg->with_acpi = 1;
}

uint8_t firmware_checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

static void put8(uint8_t *p, uint32_t off, uint8_t v)
{
	p[off] = v;
}

static void put16(uint8_t *p, uint32_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

/* Make the n bytes at p sum to 0 by setting the byte at p[at]. */
static void seal(uint8_t *p, uint32_t n, uint32_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0u - firmware_checksum(p, n));
}

static uint32_t align16(uint32_t a)
{
	return (a + 15u) & ~15u;
}

/* The configuration table at mem[at]; returns its length. */
static uint16_t write_mp_config(uint8_t *mem, uint32_t at,
				const struct firmware_config *cfg,
				uint16_t *entry_count)
{
	uint8_t *t = mem + at;
	uint32_t off = MP_CONFIG_HEADER_SIZE;
	uint16_t entries = 0;
	unsigned irq;

	/* The processor: enabled, and the one the BIOS booted on. */
	put8(t, off + 0, MP_ENTRY_PROCESSOR);
	put8(t, off + 1, cfg->lapic_id);
	put8(t, off + 2, cfg->lapic_version);
	put8(t, off + 3, MP_PROC_ENABLED | MP_PROC_BSP);
	put32(t, off + 4, cfg->cpu_signature);
	put32(t, off + 8, cfg->cpu_features);
	off += MP_PROCESSOR_SIZE;
	entries++;

	put8(t, off + 0, MP_ENTRY_BUS);
	put8(t, off + 1, MP_ISA_BUS_ID);
	memcpy(t + off + 2, "ISA   ", 6);
	off += MP_SMALL_ENTRY_SIZE;
	entries++;

	put8(t, off + 0, MP_ENTRY_IOAPIC);
	put8(t, off + 1, cfg->ioapic_id);
	put8(t, off + 2, cfg->ioapic_version);
	put8(t, off + 3, MP_IOAPIC_ENABLED);
	put32(t, off + 4, cfg->ioapic_addr);
	off += MP_SMALL_ENTRY_SIZE;
	entries++;

	/*
	 * Flags 0: polarity and trigger "conform to the bus", which for ISA
	 * means active high, edge triggered.
	 */
	for (irq = 0; irq < ISA_IRQS; irq++) {
		if (irq == ISA_CASCADE_IRQ)
			continue;
		put8(t, off + 0, MP_ENTRY_IOINT);
		put8(t, off + 1, MP_INT_INT);
		put16(t, off + 2, 0);
		put8(t, off + 4, MP_ISA_BUS_ID);
		put8(t, off + 5, (uint8_t)irq);
		put8(t, off + 6, cfg->ioapic_id);
		put8(t, off + 7, (uint8_t)(irq == 0 ? IOAPIC_PIN_OF_IRQ0 : irq));
		off += MP_SMALL_ENTRY_SIZE;
		entries++;
	}

	/* Destination local APIC 0xFF: every processor's LINT pin. */
	put8(t, off + 0, MP_ENTRY_LINT);
	put8(t, off + 1, MP_INT_EXTINT);
	put16(t, off + 2, 0);
	put8(t, off + 4, MP_ISA_BUS_ID);
	put8(t, off + 5, 0);
	put8(t, off + 6, 0xFF);
	put8(t, off + 7, 0);		/* LINT0 */
	off += MP_SMALL_ENTRY_SIZE;
	entries++;

	put8(t, off + 0, MP_ENTRY_LINT);
	put8(t, off + 1, MP_INT_NMI);
	put16(t, off + 2, 0);
	put8(t, off + 4, MP_ISA_BUS_ID);
	put8(t, off + 5, 0);
	put8(t, off + 6, 0xFF);
	put8(t, off + 7, 1);		/* LINT1 */
	off += MP_SMALL_ENTRY_SIZE;
	entries++;

	/* The header, last, now that length and count are known. */
	memcpy(t, MP_CONFIG_SIGNATURE, 4);
	put16(t, 4, (uint16_t)off);
	put8(t, 6, MP_SPEC_REV_1_4);
	memcpy(t + 8, oem_id, sizeof(oem_id));
	memcpy(t + 16, product_id, sizeof(product_id));
	put32(t, 28, 0);		/* no OEM table */
	put16(t, 32, 0);
	put16(t, 34, entries);
	put32(t, 36, cfg->lapic_addr);
	put16(t, 40, 0);		/* no extended entries */
	put8(t, 42, 0);
	put8(t, 43, 0);
	seal(t, off, 7);

	*entry_count = entries;
	return (uint16_t)off;
}

static void write_mp_floating(uint8_t *mem, uint32_t at, uint32_t config)
{
	uint8_t *f = mem + at;

	memcpy(f, MP_FLOATING_SIGNATURE, 4);
	put32(f, 4, config);
	put8(f, 8, 1);			/* length in 16-byte units */
	put8(f, 9, MP_SPEC_REV_1_4);
	put8(f, 11, 0);			/* 0: a configuration table is present */
	put8(f, 12, 0);			/* IMCRP clear: virtual-wire mode, no IMCR */
	put8(f, 13, 0);
	put8(f, 14, 0);
	put8(f, 15, 0);
	seal(f, MP_FLOATING_SIZE, 10);
}

static void write_acpi_header(uint8_t *t, const char *signature,
			      uint32_t length, uint8_t revision)
{
	memcpy(t, signature, 4);
	put32(t, 4, length);
	put8(t, 8, revision);
	memcpy(t + 10, oem_id, 6);
	memcpy(t + 16, "TVPC    ", 8);	/* OEM table ID */
	put32(t, 24, 1);			/* OEM revision */
	memcpy(t + 28, "TRAP", 4);		/* creator ID */
	put32(t, 32, 1);			/* creator revision */
	seal(t, length, 9);
}

/* The MADT at mem[at]; returns its length. */
static uint32_t write_madt(uint8_t *mem, uint32_t at,
			   const struct firmware_config *cfg)
{
	uint8_t *t = mem + at;
	uint32_t off = ACPI_HEADER_SIZE;

	put32(t, off, cfg->lapic_addr);
	put32(t, off + 4, MADT_PCAT_COMPAT);
	off += 8;

	put8(t, off + 0, MADT_LAPIC);
	put8(t, off + 1, 8);
	put8(t, off + 2, 0);			/* ACPI processor ID */
	put8(t, off + 3, cfg->lapic_id);
	put32(t, off + 4, 1);			/* enabled */
	off += 8;

	put8(t, off + 0, MADT_IOAPIC);
	put8(t, off + 1, 12);
	put8(t, off + 2, cfg->ioapic_id);
	put8(t, off + 3, 0);
	put32(t, off + 4, cfg->ioapic_addr);
	put32(t, off + 8, 0);			/* its pin 0 is GSI 0 */
	off += 12;

	/* ISA IRQ 0 is GSI 2; flags 0: conforms to ISA (edge, high). */
	put8(t, off + 0, MADT_SOURCE_OVERRIDE);
	put8(t, off + 1, 10);
	put8(t, off + 2, 0);			/* bus: ISA */
	put8(t, off + 3, 0);			/* source: IRQ 0 */
	put32(t, off + 4, IOAPIC_PIN_OF_IRQ0);
	put16(t, off + 8, 0);
	off += 10;

	put8(t, off + 0, MADT_LAPIC_NMI);
	put8(t, off + 1, 6);
	put8(t, off + 2, ACPI_ALL_PROCESSORS);
	put16(t, off + 3, 0);
	put8(t, off + 5, 1);			/* LINT1 */
	off += 6;

	write_acpi_header(t, "APIC", off, 1);
	return off;
}

int firmware_write_low_memory(uint8_t *low_mem, size_t low_mem_size,
			      const struct firmware_config *cfg,
			      struct firmware_layout *layout)
{
	struct firmware_layout l;
	uint32_t rsdt_length, madt_length;

	if (cfg->base_memory_kib < 64 ||
	    (uint32_t)cfg->base_memory_kib * 1024u + EBDA_SIZE > BASE_MEMORY_TOP)
		return -1;
	memset(&l, 0, sizeof(l));
	l.ebda = (uint32_t)cfg->base_memory_kib * 1024u;
	if (low_mem_size < LOW_MEMORY_END)
		return -1;

	memset(low_mem + l.ebda, 0, EBDA_SIZE);
	put16(low_mem, BDA_EBDA_SEGMENT, (uint16_t)(l.ebda >> 4));
	put16(low_mem, BDA_BASE_MEMORY_KIB, cfg->base_memory_kib);
	put8(low_mem, l.ebda, EBDA_SIZE / 1024u);	/* the EBDA's size in KiB */

	/* The EBDA's first 16 bytes are its own; the tables follow. */
	l.mp_floating = l.ebda + 16u;
	l.mp_config = l.mp_floating + MP_FLOATING_SIZE;
	l.mp_config_length = write_mp_config(low_mem, l.mp_config, cfg,
					     &l.mp_entry_count);
	write_mp_floating(low_mem, l.mp_floating, l.mp_config);
	l.mp_floating_bios = BIOS_AREA;
	write_mp_floating(low_mem, l.mp_floating_bios, l.mp_config);
	l.end = l.mp_config + l.mp_config_length;

	if (cfg->with_acpi) {
		/* An RSDP is found on a 16-byte boundary in the EBDA's first KiB. */
		l.acpi_rsdp = align16(l.end);
		l.acpi_rsdt = align16(l.acpi_rsdp + ACPI_RSDP_SIZE);
		rsdt_length = ACPI_HEADER_SIZE + 4u;
		l.acpi_madt = align16(l.acpi_rsdt + rsdt_length);
		madt_length = write_madt(low_mem, l.acpi_madt, cfg);

		put32(low_mem, l.acpi_rsdt + ACPI_HEADER_SIZE, l.acpi_madt);
		write_acpi_header(low_mem + l.acpi_rsdt, "RSDT", rsdt_length, 1);

		memcpy(low_mem + l.acpi_rsdp, "RSD PTR ", 8);
		memcpy(low_mem + l.acpi_rsdp + 9, oem_id, 6);
		put8(low_mem, l.acpi_rsdp + 15, 0);	/* revision 0: ACPI 1.0 */
		put32(low_mem, l.acpi_rsdp + 16, l.acpi_rsdt);
		seal(low_mem + l.acpi_rsdp, ACPI_RSDP_SIZE, 8);
		l.end = l.acpi_madt + madt_length;
	}
	if (layout)
		*layout = l;
	return 0;
}
