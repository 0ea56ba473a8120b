# The inline patch mode's placement and patch code (deprivilege/inline_patch.c),
# the patch code run by a small interpreter against the SDM's rules, with the
# patcher's scan (deprivilege/patcher.c) and the POPF rules of the model CPU
# (deprivilege/eflags_rules.c).
tv_unit_test(test_inline_patch
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_inline_patch.c
          ${PROJECT_SOURCE_DIR}/deprivilege/inline_patch.c
          ${PROJECT_SOURCE_DIR}/deprivilege/patcher.c
          ${PROJECT_SOURCE_DIR}/deprivilege/eflags_rules.c
  LIBS PkgConfig::CAPSTONE)
