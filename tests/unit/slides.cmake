# Unit tests for `trapvisor slides`'s pure half (tools/slides_data.c,
# slides_tables.c, slides_html.c): Popek and Goldberg's sets, the counts the
# slides show, and the deck and data.json written from made-up results.
tv_unit_test(test_slides_data SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_slides_data.c
  LIBS tv_host_core)
