# Unit tests for `trapvisor demo`'s pure half (tools/demo_table.c): reading
# the popf_demo guest's report, comparing runs, the narrative and the text,
# markdown and JSON output.
tv_unit_test(test_demo_table SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_demo_table.c
  LIBS tv_host_core)
