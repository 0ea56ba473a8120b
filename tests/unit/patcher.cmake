# The patcher (deprivilege/patcher.c) against the system's Capstone, the same
# 4.0.2 the hypervisor builds from Debian's source.
tv_unit_test(test_patcher
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_patcher.c
          ${PROJECT_SOURCE_DIR}/deprivilege/patcher.c
  LIBS PkgConfig::CAPSTONE)
