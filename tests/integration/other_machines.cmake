# tests/integration/other_machines.cmake: beyond QEMU's own loader
# (docs/other-machines.md). The second x86: built-in guests on bare Bochs
# and under the hypervisor on Bochs, compared (on_bochs.sh); the command
# lines GRUB gives (no path first) reaching the hypervisor and the guest;
# --trace on a UART that sends at its baud rate. The GRUB image of
# `trapvisor iso` booted by QEMU; `run --gdb` attached by gdb. Bochs's tests
# are labelled `bochs` as well as `integration`; without Bochs or GRUB's
# tools they are skipped (77), as the gdb test is without gdb.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).

function(tv_bochs_test name)
  tv_integration_test(NAME bochs.${name} ${ARGN} TIMEOUT 300)
  set_tests_properties(integration.bochs.${name} PROPERTIES
    LABELS "integration;bochs" SKIP_RETURN_CODE 77)
endfunction()

set(TV_ON_BOCHS ${CMAKE_CURRENT_SOURCE_DIR}/needs_bochs.sh ${CMAKE_CURRENT_SOURCE_DIR}/on_bochs.sh)
# A run that needs Bochs, through expect_run.sh: skipped (77) without it.
set(TV_NEEDS_BOCHS ${CMAKE_CURRENT_SOURCE_DIR}/needs_bochs.sh)
set(TV_BOCHS_EXPECT ${TV_NEEDS_BOCHS} ${TV_EXPECT_RUN})

# The selftest's checks on bare Bochs and under the hypervisor on Bochs: the
# same, but for two the bare Bochs fails for reasons of its own, named here:
#   multiboot-mem-lower: Bochs's BIOS keeps 4 KiB below 640 KiB for itself
#     (mem_lower 636, QEMU's 639); the hypervisor's virtual PC says 639 on
#     every machine.
#   in-com1-lsr-thre: bare Bochs's UART sends at its baud rate, so right
#     after a line its transmitter is still busy (THRE 0); the hypervisor's
#     virtual UART, like QEMU's, never is.
foreach(ring 1 3)
  tv_bochs_test(selftest.ring${ring}
    COMMAND ${TV_ON_BOCHS} ${ring} selftest
      --differs multiboot-mem-lower --differs in-com1-lsr-thre)
endforeach()
tv_bochs_test(usermode.ring3 COMMAND ${TV_ON_BOCHS} 3 usermode)
# The fast trap path on a CPU that checks segment limits on every fetch and
# access: the fast_trap guest's row `count` in ring 3 with --direct counts
# and answers exactly as on QEMU (fast_trap.cmake; bare Bochs's port 0x80
# reads 0, not the all ones of QEMU's and the hypervisor's, so the row is
# not compared with it).
tv_bochs_test(fast_trap.count_ring3_direct
  COMMAND ${TV_BOCHS_EXPECT} --status 0 --expect "^ +1000 +in$" --expect "^ +1003 +out$"
    --expect "^ +250 +cli$" --expect "^ +250 +sti$"
    --expect "^ +2500 +traps answered on the fast trap path$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fast_trap --on bochs --ring 3 --direct --timeout 100 -- count)

# GRUB's form of the command lines: the guest's argument alone, with no path
# before it, reaches the bare guest and the guest under the hypervisor; the
# hypervisor's own options (ring=3 first) are all read. And where Bochs and
# QEMU legitimately differ: Bochs checks data-segment limits as hardware
# does, and the hypervisor's shadow of the guest's flat data segment ends
# below the switcher, so the read of 0xFFC00000 is the guest's own #GP(0)
# (reflected: ATTACK-TRAPPED, status 3) before paging is asked; QEMU's TCG
# ignores the limit and the page tables stop the guest there (status 4,
# `run attack --ring 3 -- read-switcher`). Contained either way.
tv_bochs_test(attack.native_argument
  COMMAND ${TV_BOCHS_EXPECT} --status 0 --expect "^guest\\| ATTACK-SURVIVED: read-switcher$"
    -- native attack --on bochs --timeout 100 -- read-switcher)
tv_bochs_test(attack.ring3_segment_limit
  COMMAND ${TV_BOCHS_EXPECT} --status 1
    --expect "^hv\\| hypervisor up .* in ring 3, 32 MiB"
    --expect "^guest\\| ATTACK: read-switcher$"
    --expect "^guest\\| ATTACK-TRAPPED: read-switcher: vector 13 error 0x0 "
    --expect "^guest exit status: 3$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run attack --on bochs --ring 3 --timeout 100 -- read-switcher)

# Direct system calls under the inline patch mode on a CPU that checks a
# null DS: the fastpath guest's user mode runs with DS null (IRET cleared
# it), and the gates' entry stub once stored the virtual IF through DS, a
# #GP inside patch code at the first system call that stopped the run.
tv_bochs_test(fastpath.ring1_inline_direct
  COMMAND ${TV_BOCHS_EXPECT} --status 0 ${TV_FASTPATH_EXPECT}
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fastpath --on bochs --ring 1 --patch inline --direct --timeout 240)

# --trace with a 250 Hz guest timer on a UART at 115200 baud: a line takes
# longer than a tick, so trace lines are dropped, counted, and the guest
# finishes (it never did while every line was written inside the trap).
tv_bochs_test(popf_demo.trace
  COMMAND ${TV_BOCHS_EXPECT} --status 0
    --expect "^trap\\| +1 "
    --expect "^guest\\| DEMO-RESULT name=irqsave_lost_update "
    --expect "^ +[1-9][0-9]* +trace lines dropped$"
    -- run popf_demo --on bochs --trace --timeout 200)

# The GRUB image of `trapvisor iso`, booted by QEMU from a CD: the same guest
# output and status as `trapvisor run` (iso_in_qemu.sh). On Bochs the same
# image maker boots every run above.
foreach(ring 1 3)
  tv_bochs_test(iso.selftest_in_qemu.ring${ring}
    COMMAND ${TV_NEEDS_BOCHS} ${CMAKE_CURRENT_SOURCE_DIR}/iso_in_qemu.sh ${ring} selftest)
endforeach()

# Bad input: one line, status 2, nothing made or run.
tv_integration_test(NAME host.iso_needs_output
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "'iso' needs -o FILE.iso"
    -- iso selftest)
tv_integration_test(NAME host.iso_native_without_hv_options
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--native: the guest alone"
    -- iso selftest --native --ring 3 -o ${CMAKE_CURRENT_BINARY_DIR}/never.iso)
tv_integration_test(NAME host.on_unknown_machine
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--on vbox: give qemu or bochs"
    -- run selftest --on vbox)
tv_integration_test(NAME host.gdb_not_on_bochs
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--gdb needs QEMU's gdb stub"
    -- run selftest --gdb --on bochs)
tv_integration_test(NAME host.bochs_missing
  COMMAND ${TV_NEEDS_BOCHS} ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "Bochs not found"
    -- native selftest --on bochs
  ENVIRONMENT TRAPVISOR_BOCHS=${CMAKE_CURRENT_BINARY_DIR}/no-such-bochs)

# run --gdb: gdb attaches, stops in hv_trap at the first trap, reads the
# frame, leaves, and the run finishes (gdb_attach.sh; skipped without gdb).
tv_integration_test(NAME gdb.attach_hv_trap
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gdb_attach.sh ${CMAKE_BINARY_DIR}/hv/hv.elf)
set_tests_properties(integration.gdb.attach_hv_trap PROPERTIES SKIP_RETURN_CODE 77)
