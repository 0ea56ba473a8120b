# The virtual PC's devices (platform/): each model driven through its
# registers as a guest would, with time passed in, against the datasheets.
tv_unit_test(test_mptable
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_mptable.c
  LIBS tv_platform_host)
tv_unit_test(test_lapic
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lapic.c
  LIBS tv_platform_host)
tv_unit_test(test_ioapic
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ioapic.c
  LIBS tv_platform_host)
