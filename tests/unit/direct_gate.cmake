# Which guest IDT gates may go into the real IDT for direct system calls, and their stack (deprivilege/direct_gate.c).
tv_unit_test(test_direct_gate
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_direct_gate.c
          ${PROJECT_SOURCE_DIR}/deprivilege/direct_gate.c)
