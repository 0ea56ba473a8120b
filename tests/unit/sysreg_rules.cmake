# The CPL-0 rules for bad operands to privileged instructions (deprivilege/sysreg_rules.c).
tv_unit_test(test_sysreg_rules
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sysreg_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/sysreg_rules.c)
