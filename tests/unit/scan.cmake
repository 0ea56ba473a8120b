# Unit tests for `trapvisor scan`'s pure half (tools/scan_table.c,
# tools/scan_print.c): reading the opcode_scan guest's lines, matching trap
# addresses to cases, the verdicts, the grouping and Robin & Irvine's list.
tv_unit_test(test_scan_table SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_scan_table.c
  LIBS tv_host_core)
