/*
 * hv/acpi_tables.h: the two things power-off reads in the firmware's ACPI
 * tables: a table's checksum, and the sleep type of the soft-off state
 * (\_S5) in the DSDT's AML. Pure logic, unit-tested on the host.
 * Runs in: hypervisor, ring 0, once, at the end of a run.
 */
#ifndef TV_HV_ACPI_TABLES_H
#define TV_HV_ACPI_TABLES_H

#include <stdint.h>

/* The byte sum of len bytes at p: 0 for a valid table. */
uint8_t acpi_checksum(const void *p, uint32_t len);

/*
 * The SLP_TYPa value of the \_S5 package in a DSDT's AML (its first
 * element: Zero, One or a BytePrefix value below 8), or -1 when there is
 * none. Only that form is recognised: a firmware that computes the value
 * in a method gets no soft-off from us.
 */
int acpi_s5_sleep_type(const uint8_t *aml, uint32_t len);

#endif
