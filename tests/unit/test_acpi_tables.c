/*
 * tests/unit/test_acpi_tables.c: the soft-off sleep type in a DSDT's AML
 * and a table's checksum (hv/acpi_tables.c), against ACPI 6.4, 20.2 (AML:
 * NameOp 0x08, RootChar '\', PackageOp 0x12, PkgLength, NumElements, Zero
 * 0x00, One 0x01, BytePrefix 0x0A) and 5.2 (all bytes of a table sum to 0).
 * Runs on: host (Check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "hv/acpi_tables.h"

static const struct {
	const char *what;
	uint8_t aml[24];
	uint32_t len;
	int typ;
} rows[] = {
	/* Name (_S5, Package (4) { Zero, Zero, Zero, Zero }): Bochs's and QEMU's BIOS. */
	{ "Zero, no root char", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 },
	  12, 0 },
	/* Name (\_S5, Package (4) { 5, 5, 0, 0 }), as many PCs have it. */
	{ "BytePrefix 5, root char",
	  { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00 },
	  15, 5 },
	{ "One", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00 }, 12, 1 },
	/* A two-byte PkgLength (bits 7-6 = 1: one more byte follows). */
	{ "two-byte PkgLength",
	  { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x0A, 0x07, 0x0A, 0x07 }, 13, 7 },
	/* Other code before it. */
	{ "after other bytes",
	  { 0x10, 0x20, 0x5F, 0x53, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A, 0x03 }, 14, 3 },
	/* Not a name: the four characters in a string, then nothing. */
	{ "in a string, not a name", { 0x0D, '_', 'S', '5', '_', 0x00 }, 6, -1 },
	/* Named, but not a package (a method would compute it: not recognised). */
	{ "a method, not a package", { 0x08, '_', 'S', '5', '_', 0x14, 0x05, 0x00 }, 8, -1 },
	/* A value no SLP_TYP field holds (3 bits). */
	{ "value too large", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A, 0x09 }, 10, -1 },
	/* Cut short after the package's head: nothing read past the end. */
	{ "truncated", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04 }, 8, -1 },
	{ "truncated in the value", { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A }, 9, -1 },
	{ "empty", { 0 }, 0, -1 },
};

START_TEST(s5_row)
{
	int got = acpi_s5_sleep_type(rows[_i].aml, rows[_i].len);
	ck_assert_msg(got == rows[_i].typ, "%s: %d, expected %d", rows[_i].what, got, rows[_i].typ);
}
END_TEST

START_TEST(checksum)
{
	uint8_t t[36] = { 'F', 'A', 'C', 'P', 36 };
	ck_assert_uint_ne(acpi_checksum(t, sizeof(t)), 0);
	t[9] = (uint8_t)(0x100 - acpi_checksum(t, sizeof(t)));
	ck_assert_uint_eq(acpi_checksum(t, sizeof(t)), 0);
	t[20] ^= 1;
	ck_assert_uint_ne(acpi_checksum(t, sizeof(t)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi_tables");
	TCase *tc = tcase_create("acpi_tables");
	tcase_add_loop_test(tc, s5_row, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, checksum);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
