# LAR, LSL, VERR and VERW as a CPU at a given CPL answers them (deprivilege/query_rules.c).
tv_unit_test(test_query_rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_query_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/query_rules.c)
