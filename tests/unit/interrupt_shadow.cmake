# The one-instruction interrupt shadow of STI and MOV SS, by address (deprivilege/interrupt_shadow.c).
tv_unit_test(test_interrupt_shadow
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_interrupt_shadow.c
          ${PROJECT_SOURCE_DIR}/deprivilege/interrupt_shadow.c)
