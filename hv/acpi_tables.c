/*
 * hv/acpi_tables.c: a table's checksum and the soft-off sleep type in the
 * DSDT (acpi_tables.h). ACPI 6.4, 5.2 (tables) and 20.2 (AML encoding:
 * NameOp 0x08, PackageOp 0x12, PkgLength, BytePrefix 0x0A).
 * Runs in: hypervisor, ring 0, once, at the end of a run.
 */
#include "hv/acpi_tables.h"
#include "lib/string.h"

#define AML_NAME_OP		0x08
#define AML_PACKAGE_OP		0x12
#define AML_BYTE_PREFIX		0x0A
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01

uint8_t acpi_checksum(const void *p, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + ((const uint8_t *)p)[i]);
	return sum;
}

/* One AML data object that is a small integer: Zero, One or a BytePrefix value. */
static int aml_small_integer(const uint8_t *p, const uint8_t *end, unsigned *used)
{
	if (p >= end)
		return -1;
	if (*p == AML_ZERO_OP || *p == AML_ONE_OP) {
		*used = 1;
		return *p;
	}
	if (*p == AML_BYTE_PREFIX && p + 1 < end) {
		*used = 2;
		return p[1];
	}
	return -1;
}

int acpi_s5_sleep_type(const uint8_t *aml, uint32_t len)
{
	const uint8_t *end = aml + len;

	for (const uint8_t *p = aml; p + 4 <= end; p++) {
		if (memcmp(p, "_S5_", 4) != 0)
			continue;
		/* NameOp "\_S5_" or "_S5_", then PackageOp PkgLength NumElements. */
		int named = p >= aml + 1 && (p[-1] == AML_NAME_OP ||
					     (p >= aml + 2 && p[-1] == '\\' && p[-2] == AML_NAME_OP));
		const uint8_t *q = p + 4;
		if (!named || q >= end || *q != AML_PACKAGE_OP)
			continue;
		q++;
		if (q >= end)
			return -1;
		q += 1 + (*q >> 6);	/* PkgLength: its top two bits count the bytes after the first */
		q++;			/* NumElements */
		unsigned used;
		int typ = aml_small_integer(q, end, &used);
		return typ >= 0 && typ < 8 ? typ : -1;
	}
	return -1;
}

