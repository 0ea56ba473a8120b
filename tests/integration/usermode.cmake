# tests/integration/usermode.cmake: the usermode guest (guests/usermode/), a
# kernel with a user mode of its own, natively and under the hypervisor with
# the guest kernel in ring 1 and in ring 3.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# The expectations come from the architecture (Intel SDM vol. 2, INT n,
# IRET, SYSENTER, SYSEXIT, CLI, OUT; vol. 3, 6.12.1), which the guest
# checks itself: every crossing between the guest's kernel and user mode
# must build the frame the bare CPU builds, in every ring the hypervisor can
# put the guest kernel in. One exception, also the architecture's: a user
# access past its data segment's limit is #GP(0), which QEMU TCG does not
# raise. The bare machine under TCG therefore reports those two checks as
# KNOWN-DIFFERENCE lines, while the hypervisor, which confines user code
# with its own page tables, must PASS them.

# Every check that is the same everywhere. Listing them means a check that
# silently stops running fails the test.
set(TV_USERMODE_CHECKS
  iret-enters-user-mode int80-returns-kernel-value int80-frame-from-user
  int80-round-trips sysexit-returns-to-user-segments
  sysenter-enters-kernel-segments sysenter-round-trips
  user-int-0x81-dpl0-gate-raises-gp user-cli-raises-gp user-out-raises-gp
  user-divide-error-raises-de user-load-kernel-ds-raises-gp
  limited-segments-enter-user-mode limited-segments-int80-round-trips
  user-read-inside-segment exit-syscall-reaches-kernel)
# The checks of a limit on data segments, which QEMU TCG does not enforce.
set(TV_USERMODE_LIMIT_CHECKS
  user-read-outside-segment-raises-gp user-write-outside-segment-raises-gp)

list(LENGTH TV_USERMODE_CHECKS TV_USERMODE_NATIVE_COUNT)
list(LENGTH TV_USERMODE_LIMIT_CHECKS TV_USERMODE_LIMIT_COUNT)
math(EXPR TV_USERMODE_HV_COUNT "${TV_USERMODE_NATIVE_COUNT} + ${TV_USERMODE_LIMIT_COUNT}")

set(TV_USERMODE_COMMON_EXPECT --expect "^guest\\| usermode: starting$" --reject "^guest\\| FAIL:")
tv_expect_passes(TV_USERMODE_COMMON_EXPECT ${TV_USERMODE_CHECKS})

# Natively (bare QEMU, TCG): the limit checks are known differences, never PASS or FAIL.
set(TV_USERMODE_NATIVE_EXPECT ${TV_USERMODE_COMMON_EXPECT}
  --expect "^guest\\| SUMMARY: ${TV_USERMODE_NATIVE_COUNT} passed, 0 failed$")
foreach(check ${TV_USERMODE_LIMIT_CHECKS})
  list(APPEND TV_USERMODE_NATIVE_EXPECT
    --expect "^guest\\| KNOWN-DIFFERENCE: ${check}: .*data-segment limits"
    --reject "^guest\\| PASS: ${check}$")
endforeach()
tv_integration_test(NAME native.usermode
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_USERMODE_NATIVE_EXPECT}
    -- native usermode --timeout 60)

# Under the hypervisor: everything passes, the limit checks included.
set(TV_USERMODE_HV_EXPECT ${TV_USERMODE_COMMON_EXPECT}
  --expect "^guest\\| SUMMARY: ${TV_USERMODE_HV_COUNT} passed, 0 failed$"
  --reject "KNOWN-DIFFERENCE")
tv_expect_passes(TV_USERMODE_HV_EXPECT ${TV_USERMODE_LIMIT_CHECKS})
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.usermode
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_USERMODE_HV_EXPECT}
      -- run usermode --ring ${ring} --timeout 120)
endforeach()
# Ring 3 with --direct: the fast trap path (fast_trap.cmake) answers the
# kernel's CLI and STI and its port 0x80 accesses; the user code's OUT with
# IOPL 0 it leaves to the full path, which gives the kernel its #GP.
tv_integration_test(NAME ring3_direct.usermode
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_USERMODE_HV_EXPECT}
    --expect "^ +[1-9][0-9]* +traps answered on the fast trap path$"
    -- run usermode --ring 3 --direct --timeout 120)
# The inline patch mode (patch_inline.cmake): user code that runs a site of
# the kernel's patch code gets it back as trapping code, and passes as well.
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.inline.usermode
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_USERMODE_HV_EXPECT}
      -- run usermode --ring ${ring} --patch inline --timeout 120)
endforeach()
# Little memory: the user address space is built for 4 MiB, the kernel's page still fits.
tv_integration_test(NAME ring3.usermode_4mib
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_USERMODE_HV_EXPECT}
    -- run usermode --ring 3 --mem 4 --timeout 120)
