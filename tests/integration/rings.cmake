# tests/integration/rings.cmake: guests run with the guest kernel in ring 3,
# where the hypervisor must keep them working as in ring 1.
# Included by CMakeLists.txt beside this file (tv_integration_test,
# TV_EXPECT_RUN), after guests.cmake, whose selftest expectations it reuses.
#
# What ring 3 changes, by the architecture (Intel SDM vol. 2, POPF, PUSHF,
# CLI; vol. 3, 5.5): the guest kernel shares its ring with user code, so
# its segments are compressed to DPL 3 and CS and SS read with RPL 3. With
# IOPL 0 everything that traps in ring 1 traps in ring 3 too (CLI, STI, I/O,
# LGDT, ...), and POPF and PUSHF still do not: the selftest must pass as in
# ring 1, and popf_demo must show the same five differences, with the ring
# leak now showing RPL=3. Patched (patch=all), POPF, PUSHF, PUSH CS and MOV
# from CS trap as well, and every experiment equals the bare machine again.

if(NOT DEFINED TV_SELFTEST_EXPECT)
  message(FATAL_ERROR "rings.cmake needs TV_SELFTEST_EXPECT from guests.cmake")
endif()

tv_integration_test(NAME ring3.selftest
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- run selftest --ring 3 --timeout 120)
tv_integration_test(NAME ring3.selftest_4mib
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- run selftest --ring 3 --mem 4 --timeout 120)

# popf_demo: experiment | bare machine's category | ring 3, nothing patched.
set(TV_RING3_POPF_ROWS
  "cli_sti|no-ticks|no-ticks"
  "popf_clears_if|no-ticks|ticks"
  "popf_sets_if|ticks|no-ticks"
  "pushf_shows_if|IF=0|IF=1"
  "ring_leak|RPL=0|RPL=3"
  "irqsave_lost_update|no-lost-updates|lost-updates")

set(TV_RING3_POPF_NAIVE_EXPECT
  --expect "^hv\\| hypervisor up .* in ring 3,"
  --expect "^guest\\| SUMMARY: 1 passed, 5 failed$")
set(TV_RING3_POPF_PATCHED_EXPECT
  --expect "^hv\\| hypervisor up .* in ring 3,"
  --expect "^guest\\| SUMMARY: 6 passed, 0 failed$"
  --reject "verdict=FAIL")
foreach(row ${TV_RING3_POPF_ROWS})
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 name)
  list(GET fields 1 bare)
  list(GET fields 2 naive)
  list(APPEND TV_RING3_POPF_NAIVE_EXPECT
    --expect "^guest\\| DEMO-RESULT name=${name} bare=\"${bare}\" observed=\"${naive}\" ")
  list(APPEND TV_RING3_POPF_PATCHED_EXPECT
    --expect "^guest\\| DEMO-RESULT name=${name} bare=\"${bare}\" observed=\"${bare}\" .*verdict=PASS$")
endforeach()

# Exit status 0: all six experiments ran (a FAIL verdict is the demonstration, not an error).
tv_integration_test(NAME ring3.popf_demo TIMEOUT 180
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_RING3_POPF_NAIVE_EXPECT}
    -- run popf_demo --ring 3 --timeout 120)
tv_integration_test(NAME ring3.popf_demo_patched TIMEOUT 180
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_RING3_POPF_PATCHED_EXPECT}
    -- run popf_demo --ring 3 --patch all --timeout 120)

# The host program refuses a patch mode the hypervisor does not have, before anything runs.
tv_integration_test(NAME host.run_bad_patch
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--patch sometimes"
    -- run popf_demo --patch sometimes)
