# Unit tests for the differential fuzzer's pure parts: the generator
# (guests/fuzz/fuzz_gen.c, compiled for the host as `trapvisor fuzz` does)
# and the matching of divergences against the documented list.
tv_unit_test(test_fuzz SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fuzz.c LIBS tv_host_core)
