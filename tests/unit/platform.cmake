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
tv_unit_test(test_uart16550
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_uart16550.c
  LIBS tv_platform_host)
tv_unit_test(test_cmos_rtc
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cmos_rtc.c
  LIBS tv_platform_host)
tv_unit_test(test_pit8254
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pit8254.c
  LIBS tv_platform_host)
tv_unit_test(test_kbc
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_kbc.c
  LIBS tv_platform_host)
tv_unit_test(test_small_devices
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_small_devices.c
  LIBS tv_platform_host)
