# The CPL-0 checks of IRET and far RET on the code selector, and of a task return (deprivilege/return_rules.c).
tv_unit_test(test_return_rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_return_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/return_rules.c)
