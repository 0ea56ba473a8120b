# Unit tests for `trapvisor classify`'s pure half (tools/classify_table.c):
# reading the sensitive_probe guest's report, matching trap addresses to
# instructions, attributing a stop to a row, the verdicts and the formats.
tv_unit_test(test_classify_table SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_classify_table.c
  LIBS tv_host_core)
