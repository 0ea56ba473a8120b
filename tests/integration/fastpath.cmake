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
# From user mode it makes five batches of 500 rounds of INT 0x40 (a DPL-3
# trap gate, as xv6's) and INT 0x41 (a DPL-3 interrupt gate), and INT 0x42
# five times to come home: 5,005 INTs, each trapping and each with an
# IRET that traps, when trapped. With the direct path in ring 1 the 2,500
# INT 0x40 do not trap and no IRET to user mode does: 2,505 INTs trap and
# one IRET (the kernel's return to itself). In ring 3 nothing is direct.
# The fifth batch runs user mode with a data segment of its own in DS,
# based to aim a store at 0xFFD00000 (the inline mode's state page) at a
# page of the kernel's, which must stay untouched.
# Its TSS has a page of its own, so the hypervisor's watch on that page
# steps only the guest's three writes of esp0.

set(TV_FASTPATH_CHECKS
  lapic-id-reads lapic-version lapic-svr-after-write lapic-tpr-after-write
  lapic-timer-counts-down lapic-timer-stopped lapic-isr-follows-interrupt
  syscall-from-user syscall-stack-after-ltr syscall-stack-without-ltr syscall-stack-written-only
  syscall-user-data-segment syscall-user-data-base-untouched)
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

set(TV_FASTPATH_SYSCALL_TRAPPED --expect "^ +5005 +int$" --expect "^ +5006 +iretd$")
set(TV_FASTPATH_SYSCALL_DIRECT --expect "^ +2505 +int$" --expect "^ +1 +iretd$"
  --expect "^ +1 +direct: system call gates in the real IDT$"
  --expect "^ +3 +direct: writes to the TSS's page stepped$"
  --expect "^ +0 +direct: TSS page watch given up$")

tv_integration_test(NAME native.fastpath
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} -- native fastpath --timeout 60)
foreach(ring 1 3)
  tv_integration_test(NAME fastpath.ring${ring}
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} ${TV_FASTPATH_APIC_TRAPPED}
      ${TV_FASTPATH_SYSCALL_TRAPPED}
      -- run fastpath --ring ${ring} --timeout 60)
endforeach()
tv_integration_test(NAME fastpath.ring1_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} ${TV_FASTPATH_APIC_DIRECT}
    ${TV_FASTPATH_SYSCALL_DIRECT} --expect "^hv\\| hypervisor memory unchanged"
    -- run fastpath --ring 1 --direct --timeout 60)
# The inline patch mode keeps the kernel's IF in a page the kernel writes,
# and the kernel returns to user mode with IF 0 there: the direct gates go
# through a stub that makes it 1, so the trap gate's handler sees IF 1
# (syscall-from-user checks it), and the system calls still do not trap.
# (MOV from SS in the guest's trap entry is patched to trap in this mode, so
# the "mov" row says nothing about the APIC here.) The kernel's IRETs are
# patched too: the one that traps with --direct alone (into user mode before
# the direct paths are on) runs on the CPU here.
tv_integration_test(NAME fastpath.ring1_inline_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT}
    --expect "^ +[0-9] +shadow: LAPIC page mapped for reads$" --expect "^ +2505 +int$"
    --reject "iretd$" --expect "^ +1 +direct: system call gates in the real IDT$"
    --expect "^ +3 +direct: writes to the TSS's page stepped$"
    --expect "^ +0 +direct: TSS page watch given up$" --expect "^hv\\| hypervisor memory unchanged"
    -- run fastpath --ring 1 --patch inline --direct --timeout 60)
# Ring 3: the APIC copy, but system calls trap (kernel and user share the CPL).
tv_integration_test(NAME fastpath.ring3_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_FASTPATH_EXPECT} ${TV_FASTPATH_APIC_DIRECT}
    ${TV_FASTPATH_SYSCALL_TRAPPED} --expect "^ +0 +direct: system call gates in the real IDT$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fastpath --ring 3 --direct --timeout 60)

# Hostile kernels (fastpath_syscall.c): each points the direct path somewhere
# it must not lead after one honest call. The hypervisor refuses the gate or
# the stack (the call then traps and is refused as without --direct) or
# lets the CPU's own push fault, and stops the guest (status 4) with its
# memory unchanged. A stack the guest's own paging does not map (the
# switcher's addresses among them) is the bare CPU's #PF, then #DF, then a
# triple fault.
foreach(row
    "gate-into-switcher|the guest's EIP 0xffc00000 lies beyond its code segment's limit"
    "gate-hv-selector|its IDT gate names no usable code segment"
    "stack-in-switcher|triple fault at 0x[0-9a-f]+ \\(int 0x40\\): the guest's paging refuses the frame of vector 64 at ESP 0xffc15000"
    "stack-user-segment|the kernel stack segment in the guest's TSS is not usable"
    "stack-unmapped|triple fault at 0x[0-9a-f]+: the guest's paging refuses the frame of #PF at ESP 0x00800000 \\(error 0x2\\), and the #DF's$")
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 name)
  list(GET parts 1 reason)
  tv_integration_test(NAME fastpath.hostile_${name}
    COMMAND ${TV_EXPECT_RUN} --status 4
      --expect "^guest\\| fastpath: hostile ${name}: calling \\(first call: 0 wrong\\)$"
      --expect "${reason}" --expect "^hv\\| hypervisor memory unchanged"
      --reject "survived the calls"
      -- run fastpath --direct --timeout 60 -- hostile=${name})
endforeach()

# Under the inline patch mode the kernel's code segment reaches the patch
# pages, and the switcher's below them: a gate into the switcher must still
# not become direct (its entry stub would jump there). The call traps, and
# the guest is stopped when its handler's first instruction, the
# switcher's, faults in ring 1.
tv_integration_test(NAME fastpath.hostile_inline_gate-into-switcher
  COMMAND ${TV_EXPECT_RUN} --status 4
    --expect "^guest\\| fastpath: hostile gate-into-switcher: calling \\(first call: 0 wrong\\)$"
    --expect "^ +0 +direct: system call gates in the real IDT$"
    --expect "stopped the guest: .*0xffc0" --expect "^hv\\| hypervisor memory unchanged"
    --reject "survived the calls"
    -- run fastpath --direct --patch inline --timeout 60 -- hostile=gate-into-switcher)

# A user program's read of the inline patch code (nothing mapped there by
# the guest): the bare machine's #PF at the read, natively and under the
# inline mode; the hypervisor once undid a kernel region for it and moved
# the user's EIP.
set(TV_FASTPATH_USER_READ --status 0
  --expect "^guest\\| fastpath: hostile user-reads-patch-code: #PF error 0x4 at 0x[0-9a-f]+, at the read$")
tv_integration_test(NAME native.fastpath.user_reads_patch_code
  COMMAND ${TV_EXPECT_RUN} ${TV_FASTPATH_USER_READ}
    -- native fastpath --timeout 60 -- hostile=user-reads-patch-code)
# Ring 1 only: in ring 3 the patch pages are user pages, which the guest's
# user code reads as its kernel does (docs/guest-contract.md).
tv_integration_test(NAME fastpath.ring1_inline_user_reads_patch_code
  COMMAND ${TV_EXPECT_RUN} ${TV_FASTPATH_USER_READ} --expect "^hv\\| hypervisor memory unchanged"
    -- run fastpath --ring 1 --patch inline --timeout 60 -- hostile=user-reads-patch-code)

# The option is where a reader looks for it.
tv_integration_test(NAME host.help_run_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^ +--direct +the hypervisor's fast paths" -- run --help)
tv_integration_test(NAME host.help_bench_direct
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^ +--direct +the hypervisor's fast paths" -- bench --help)
