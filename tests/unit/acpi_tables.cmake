# The firmware's ACPI tables as power-off reads them (hv/acpi_tables.c).
tv_unit_test(test_acpi_tables
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_acpi_tables.c
          ${PROJECT_SOURCE_DIR}/hv/acpi_tables.c)
