# The virtual PC's devices (platform/): each model driven through its
# registers as a guest would, with time passed in, against the datasheets.
foreach(model mptable lapic ioapic uart16550 cmos_rtc pit8254 kbc small_devices)
  tv_unit_test(test_${model}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_${model}.c
    LIBS tv_platform_host)
endforeach()
