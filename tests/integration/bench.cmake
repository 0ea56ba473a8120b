# tests/integration/bench.cmake: the benchmark guest (guests/bench) natively
# and under the hypervisor, and `trapvisor bench`, which runs both.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# These tests check that every figure is there and plausible, never how fast
# anything is: timings under QEMU's TCG depend on the machine and its load.
# A figure is a positive whole number of cycles; min <= median <= max is
# checked by `trapvisor bench` itself, which exits 6 when it does not hold,
# so its status 0 below asserts it.

# Every benchmark the guest times; the last six run with the guest's paging
# on (under the hypervisor: on shadow page tables). None is n/a any more.
set(TV_BENCH_TIMED
  empty_loop int3_round_trip cli_sti in_port80 out_port80 pushf_popf call_ret
  compute_loop divide_error int80_round_trip user_syscall
  spinlock_irqsave syscall_round_trip
  mov_cr3_same invlpg page_fault pte_write context_switch address_space_fill)

set(TV_BENCH_NUM "[1-9][0-9]*")

# The inline patch mode's rows: cli_sti, pushf_popf, divide_error and
# int80_round_trip once more under patch=inline (an extra run), beside the
# native run's figures.
set(TV_BENCH_INLINE_ROWS cli_sti_inline pushf_popf_inline divide_error_inline
  int80_round_trip_inline)

# --- the guest alone: its BENCH lines, natively and in ring 1 ---

foreach(where native hv)
  set(expect
    --expect "^guest\\| BENCH-START where=${where} batches=${TV_BENCH_NUM}$"
    --expect "^guest\\| BENCH-END$"
    --reject "na=\""
    --reject "FAIL:")
  foreach(name ${TV_BENCH_TIMED})
    list(APPEND expect --expect
      "^guest\\| BENCH name=${name} iterations=${TV_BENCH_NUM} median=${TV_BENCH_NUM} min=${TV_BENCH_NUM} max=${TV_BENCH_NUM}$")
  endforeach()
  if(where STREQUAL "native")
    tv_integration_test(NAME native.bench
      COMMAND ${TV_EXPECT_RUN} --status 0 ${expect} -- native bench --timeout 60 -- native)
  else()
    tv_integration_test(NAME ring1.bench
      COMMAND ${TV_EXPECT_RUN} --status 0 ${expect} -- run bench --timeout 60 -- hv)
  endif()
endforeach()

# Without the word saying where it runs, the guest refuses (its status 2,
# which the host program reports as a nonzero guest status, 1).
tv_integration_test(NAME native.bench_no_word
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "usage: bench native\\|hv"
    --reject "BENCH" -- native bench --timeout 30)
tv_integration_test(NAME native.bench_unknown_word
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "usage: bench native\\|hv"
    --reject "BENCH" -- native bench --timeout 30 -- elsewhere)

# --- trapvisor bench: both runs, one table ---

# Text: every row with six figures and a ratio, none n/a; every target with a
# verdict; the hypervisor's counters.
set(TV_BENCH_TEXT_EXPECT
  --reject "^[a-z0-9_]+ +n/a "
  --expect "^benchmark +median +min +max +median +min +max +hv/native$"
  --expect "^Targets "
  --expect "^Hypervisor counters"
  --expect "^  traps +${TV_BENCH_NUM}$"
  --expect "^bench: native +empty_loop"
  --expect "^bench: hv +empty_loop")
foreach(name ${TV_BENCH_TIMED} ${TV_BENCH_INLINE_ROWS})
  list(APPEND TV_BENCH_TEXT_EXPECT --expect
    "^${name} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +[0-9]+\\.[0-9]{3}$")
endforeach()
list(APPEND TV_BENCH_TEXT_EXPECT --expect "^bench: hv run: deprivileged under the hypervisor, patch inline$")
foreach(name compute_loop cli_sti in_port80 out_port80 divide_error
    spinlock_irqsave syscall_round_trip context_switch address_space_fill
    ${TV_BENCH_INLINE_ROWS})
  list(APPEND TV_BENCH_TEXT_EXPECT --expect "^  ${name} .*target <= .*: (met|not met)$")
endforeach()
tv_integration_test(NAME bench.text
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_BENCH_TEXT_EXPECT} -- bench --timeout 60)

# CSV: the fixed leading columns, then one row per benchmark.
set(TV_BENCH_CSV_EXPECT
  --expect "^name,native_cycles,hv_cycles,ratio,native_min,native_max,hv_min,hv_max,")
foreach(name ${TV_BENCH_TIMED})
  list(APPEND TV_BENCH_CSV_EXPECT --expect
    "^${name},${TV_BENCH_NUM},${TV_BENCH_NUM},[0-9]+\\.[0-9]{3},${TV_BENCH_NUM},${TV_BENCH_NUM},${TV_BENCH_NUM},${TV_BENCH_NUM},${TV_BENCH_NUM},")
endforeach()
tv_integration_test(NAME bench.csv
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_BENCH_CSV_EXPECT} -- bench --format csv --timeout 60)

# JSON and Markdown: the shape, not the numbers again. (No unbalanced square
# bracket in a pattern: CMake would not split its argument list inside one.)
tv_integration_test(NAME bench.json
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^  \"benchmarks\": .$"
    --expect "^    \\{\"name\": \"compute_loop\", \"native\": \\{\"iterations\": ${TV_BENCH_NUM}, \"median\": ${TV_BENCH_NUM}, "
    --expect "\"name\": \"invlpg\", \"native\": \\{\"iterations\": ${TV_BENCH_NUM}, \"median\": ${TV_BENCH_NUM}, "
    --expect "\"cycle_counters_available\": (true|false)$"
    -- bench --format json --timeout 60)
tv_integration_test(NAME bench.md
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^\\| benchmark \\| native median \\|"
    --expect "^\\| int3_round_trip \\| ${TV_BENCH_NUM} \\| ${TV_BENCH_NUM} \\| ${TV_BENCH_NUM} \\| ${TV_BENCH_NUM} \\| "
    -- bench --format md --timeout 60)

# With POPF and PUSHF patched to trap, the same table comes out complete and
# the hypervisor says it patched.
tv_integration_test(NAME bench.patch_popf
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "\\(ring 1, patch popf\\)"
    --expect "^pushf_popf +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} "
    -- bench --patch popf --timeout 60)

# The whole hypervisor run under patch=inline: cli_sti and pushf_popf are
# themselves the inline rows (no extra run), judged against 3 x native.
set(TV_BENCH_INLINE_EXPECT --expect "\\(ring 1, patch inline\\)"
  --reject "_inline " --reject "patch inline$"
  --expect "^  cli_sti +hv/native .*target <= 3: (met|not met)$"
  --expect "^  pushf_popf +hv/native .*target <= 3: (met|not met)$")
foreach(name ${TV_BENCH_TIMED})
  list(APPEND TV_BENCH_INLINE_EXPECT --expect
    "^${name} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +[0-9]+\\.[0-9]{3}$")
endforeach()
tv_integration_test(NAME bench.patch_inline
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_BENCH_INLINE_EXPECT} -- bench --patch inline --timeout 60)

# Ring 3: the same guest, deprivileged further, gives a complete table too,
# the paging rows included (its kernel on the kernel shadow, whose pages are
# all user pages to the real CPU).
set(TV_BENCH_RING3_EXPECT --expect "\\(ring 3, patch none\\)" --reject "^[a-z0-9_]+ +n/a ")
foreach(name ${TV_BENCH_TIMED})
  list(APPEND TV_BENCH_RING3_EXPECT --expect
    "^${name} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +${TV_BENCH_NUM} +[0-9]+\\.[0-9]{3}$")
endforeach()
tv_integration_test(NAME bench.ring3
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_BENCH_RING3_EXPECT} -- bench --ring 3 --timeout 60)

# --- usage errors: one line, status 2, nothing run ---

tv_integration_test(NAME bench.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor bench "
    --expect "--format F" --expect "^  6  no result" -- help bench)
tv_integration_test(NAME bench.bad_format
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--format xml" -- bench --format xml)
tv_integration_test(NAME bench.bad_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--ring 2" -- bench --ring 2)
tv_integration_test(NAME bench.bad_patch
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--patch sideways" -- bench --patch sideways)
tv_integration_test(NAME bench.bad_timeout
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--timeout" -- bench --timeout 0)
tv_integration_test(NAME bench.extra_argument
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "unexpected argument 'selftest'"
    -- bench selftest)
