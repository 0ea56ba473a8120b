# The decoder and decode cache (hv/decode.c) against the system's Capstone,
# which is the same 4.0.2 the hypervisor builds from Debian's source; and the
# hypervisor's heap (hv/heap.c), which Capstone allocates from in the
# hypervisor.
tv_unit_test(test_decode
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode.c
          ${PROJECT_SOURCE_DIR}/hv/decode.c
          ${PROJECT_SOURCE_DIR}/hv/heap.c
  LIBS PkgConfig::CAPSTONE)
