# The double-fault rule: what an exception met while delivering another becomes (deprivilege/exception_rules.c).
tv_unit_test(test_exception_rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_exception_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/exception_rules.c)
