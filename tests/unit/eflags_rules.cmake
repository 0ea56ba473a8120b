# POPF and PUSHF as a CPU at a given CPL does them (deprivilege/eflags_rules.c).
tv_unit_test(test_eflags_rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_eflags_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/eflags_rules.c)
