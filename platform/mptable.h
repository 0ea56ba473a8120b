/*
 * platform/mptable.h: the firmware's view of low memory that a 32-bit PC
 * kernel reads before it trusts anything else: the BIOS data area, an
 * extended BIOS data area (EBDA), an Intel MultiProcessor Specification 1.4
 * floating pointer and configuration table, and ACPI 1.0 RSDP, RSDT and MADT
 * describing the same uniprocessor machine.
 * Runs on: host and hypervisor (pure logic, no hardware: ring 0 in the
 * hypervisor, Check unit tests on the host).
 *
 * The builder writes into a byte buffer that stands for guest-physical
 * memory from address 0; it touches nothing else.
 */
#ifndef TV_PLATFORM_MPTABLE_H
#define TV_PLATFORM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

/* BIOS data area words a kernel reads (MP spec 1.4, 4.1). */
#define BDA_EBDA_SEGMENT	0x40Eu	/* 16-bit: EBDA address >> 4 */
#define BDA_BASE_MEMORY_KIB	0x413u	/* 16-bit: conventional memory in KiB */

#define MP_FLOATING_SIGNATURE	"_MP_"
#define MP_CONFIG_SIGNATURE	"PCMP"
#define MP_SPEC_REV_1_4		4

/* Configuration table entry types (MP spec 1.4, table 4-3) and sizes. */
#define MP_ENTRY_PROCESSOR	0	/* 20 bytes */
#define MP_ENTRY_BUS		1	/* the other four are 8 bytes */
#define MP_ENTRY_IOAPIC		2
#define MP_ENTRY_IOINT		3
#define MP_ENTRY_LINT		4

/* Interrupt types of I/O and local interrupt entries (table 4-8). */
#define MP_INT_INT	0	/* vectored, from the APIC's redirection entry */
#define MP_INT_NMI	1
#define MP_INT_SMI	2
#define MP_INT_EXTINT	3	/* the 8259's vector */

#define MP_PROC_ENABLED		0x01
#define MP_PROC_BSP		0x02
#define MP_IOAPIC_ENABLED	0x01

/* The machine the tables describe. */
struct firmware_config {
	uint16_t base_memory_kib;	/* 639: conventional memory below the EBDA */
	uint8_t lapic_id;		/* the one processor's local APIC ID */
	uint8_t lapic_version;		/* its version register's low byte */
	uint32_t lapic_addr;		/* 0xFEE00000 */
	uint8_t ioapic_id;
	uint8_t ioapic_version;		/* 0x11 */
	uint32_t ioapic_addr;		/* 0xFEC00000 */
	uint32_t cpu_signature;		/* CPUID(1).EAX: family, model, stepping */
	uint32_t cpu_features;		/* CPUID(1).EDX */
	int with_acpi;			/* also write RSDP, RSDT and MADT */
};

/* Where the builder put everything, as guest-physical addresses. */
struct firmware_layout {
	uint32_t ebda;			/* start of the EBDA (1 KiB) */
	uint32_t mp_floating;		/* the "_MP_" structure, 16 bytes, in the EBDA */
	uint32_t mp_floating_bios;	/* its copy in the BIOS area, 0xF0000 */
	uint32_t mp_config;		/* the "PCMP" table */
	uint16_t mp_config_length;
	uint16_t mp_entry_count;
	uint32_t acpi_rsdp;		/* 0 without ACPI */
	uint32_t acpi_rsdt;
	uint32_t acpi_madt;
	uint32_t end;			/* first byte after the last table */
};

/* The values a QEMU PC with one CPU presents; the caller may change them. */
void firmware_config_default(struct firmware_config *cfg);

/*
 * Write the BDA words, the EBDA, the tables and the floating pointer's copy
 * at 0xF0000 into low_mem, which is guest-physical memory from 0 and
 * low_mem_size bytes long (at least 1 MiB). Returns 0, or -1 (and writes
 * nothing) when the buffer is too small or the config impossible (base
 * memory under 64 KiB or over 639 KiB, so the EBDA would not fit below
 * 640 KiB).
 */
int firmware_write_low_memory(uint8_t *low_mem, size_t low_mem_size,
			      const struct firmware_config *cfg,
			      struct firmware_layout *layout);

/* The byte sum of n bytes, modulo 256: a valid table sums to 0. */
uint8_t firmware_checksum(const uint8_t *p, size_t n);

#endif
