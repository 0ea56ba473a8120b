# tests/integration/fastpath.cmake: the hypervisor's fast paths (--direct)
# with the fastpath guest (guests/fastpath/): local APIC reads under the
# guest's paging and system calls from user mode, natively and under the
# hypervisor in ring 1 and ring 3, with and without --direct; and the
# hypervisor's own trap counts, which say whether the fast path was taken.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# The guest reads the APIC's ID register 20,000 times; everything else it
# does to the APIC is a few dozen accesses. Its MMIO instructions are MOVs,
# so the summary's "mov" row counts the APIC accesses that trapped: 20,000
# and more when trapped, a few dozen (the writes) with the read-only copy.

set(TV_FASTPATH_CHECKS
  lapic-id-reads lapic-version lapic-svr-after-write lapic-tpr-after-write
  lapic-timer-counts-down lapic-timer-stopped lapic-isr-follows-interrupt
  syscall-from-user syscall-stack-after-ltr syscall-stack-without-ltr)
list(LENGTH TV_FASTPATH_CHECKS TV_FASTPATH_COUNT)
set(TV_FASTPATH_EXPECT
  --expect "^guest\\| SUMMARY: ${TV_FASTPATH_COUNT} passed, 0 failed$"
  --reject "^guest\\| FAIL:")
tv_expect_passes(TV_FASTPATH_EXPECT ${TV_FASTPATH_CHECKS})
# Trapped: every read of the APIC is a trap.
set(TV_FASTPATH_APIC_TRAPPED --expect "^ +2[0-9][0-9][0-9][0-9] +mov$")
# The read-only copy: fewer than 100 APIC accesses trap (the writes).
set(TV_FASTPATH_APIC_DIRECT
  --reject "^ +[0-9]*[0-9][0-9][0-9] +mov$"
  --expect "^ +[0-9] +shadow: LAPIC page mapped for reads$")

tv_integration_test(NAME native.fastpath
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} -- native fastpath --timeout 60)
foreach(ring 1 3)
  tv_integration_test(NAME fastpath.ring${ring}
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} ${TV_FASTPATH_APIC_TRAPPED}
      -- run fastpath --ring ${ring} --timeout 60)
  tv_integration_test(NAME fastpath.ring${ring}_direct
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} ${TV_FASTPATH_APIC_DIRECT}
      --expect "^hv\\| hypervisor memory unchanged"
      -- run fastpath --ring ${ring} --direct --timeout 60)
endforeach()

# The option is where a reader looks for it.
tv_integration_test(NAME host.help_run_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^ +--direct +the hypervisor's fast paths" -- run --help)
tv_integration_test(NAME host.help_bench_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^ +--direct +the hypervisor's fast paths" -- bench --help)
