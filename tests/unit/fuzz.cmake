# Unit tests for the differential fuzzer's pure parts: the generator
# (guests/fuzz/fuzz_gen.c, compiled for the host as `trapvisor fuzz` does)
# and the matching of divergences against the documented list.
tv_unit_test(test_fuzz SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fuzz.c LIBS tv_host_core)
# The bare machine's results kept between campaigns (tools/fuzz_cache.c).
tv_unit_test(test_fuzz_cache SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fuzz_cache.c LIBS tv_host_core)
