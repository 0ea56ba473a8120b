# Ring compression: shadowing the guest's GDT, checking its IDT gates.
tv_unit_test(test_descriptor
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_descriptor.c
          ${PROJECT_SOURCE_DIR}/deprivilege/descriptor.c)
