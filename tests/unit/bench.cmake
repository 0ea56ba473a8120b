# The `trapvisor bench` table (tools/bench_table.c): reading the benchmark
# guest's lines, the plausibility check, the efficiency targets and the four
# output formats, on synthetic figures.
tv_unit_test(test_bench_table
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bench_table.c LIBS tv_host_core)
