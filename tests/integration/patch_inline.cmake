# tests/integration/patch_inline.cmake: the inline patch mode (--patch inline,
# deprivilege/inline_patch.c, hv/patch_inline.c): the guest kernel's CLI,
# STI, PUSHF, POPF, PUSH CS and MOV from CS rewritten into jumps to patch
# code it runs itself against the state page. Included by CMakeLists.txt
# beside this file, after guests.cmake (TV_SELFTEST_EXPECT) and paging.cmake
# (TV_PAGING_EXPECT); usermode.cmake has the usermode guest's row.
#
# What is expected comes from the bare machine, not from the mode: every
# check the guests make passes as natively, in ring 1 and in ring 3, and
# popf_demo's six experiments all equal the bare machine (rings.cmake's
# rows). What the mode adds: the flag instructions no longer reach the
# hypervisor, so none of them is in the run's traps by instruction, and the
# run says how many regions it made.

set(TV_INLINE_HELLO --expect "^hv\\| hypervisor up .* patch inline,")
set(TV_INLINE_EXPECT ${TV_INLINE_HELLO} --expect "^ +[1-9][0-9]*  inline regions$")
# A trapped CLI, STI, POPF, PUSHF or PUSH CS would be counted under its name in the summary.
set(TV_INLINE_NO_FLAG_TRAPS
  --reject "^ +[0-9]+  (cli|sti|popfd|pushfd|push)$")

foreach(ring 1 3)
  set(popf_expect ${TV_INLINE_EXPECT} ${TV_INLINE_NO_FLAG_TRAPS}
    --expect "^guest\\| SUMMARY: 6 passed, 0 failed$" --reject "verdict=FAIL")
  foreach(row ${TV_RING3_POPF_ROWS})
    string(REPLACE "|" ";" fields "${row}")
    list(GET fields 0 name)
    list(GET fields 1 bare)
    list(APPEND popf_expect
      --expect "^guest\\| DEMO-RESULT name=${name} bare=\"${bare}\" observed=\"${bare}\" .*verdict=PASS$")
  endforeach()
  tv_integration_test(NAME ring${ring}.inline.popf_demo TIMEOUT 180
    COMMAND ${TV_EXPECT_RUN} --status 0 ${popf_expect}
      -- run popf_demo --ring ${ring} --patch inline --timeout 120)
  tv_integration_test(NAME ring${ring}.inline.selftest
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT} ${TV_INLINE_EXPECT}
      -- run selftest --ring ${ring} --patch inline --timeout 120)
  # The paging guest has no flag instruction to patch: its segments and
  # shadow tables under the mode's raised segment limits and extra pages.
  tv_integration_test(NAME ring${ring}.inline.paging
    COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_PAGING_EXPECT} ${TV_INLINE_HELLO}
      -- run paging --ring ${ring} --patch inline --timeout 120)
  # The trap path's attacks with patch code in the slot: the same lines as natively.
  foreach(row df-traps single-step iret-popped-nt)
    tv_integration_test(NAME ring${ring}.inline.hostile.${row}
      COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| HOSTILE-DONE: ${row}$"
        --reject "FAIL:" --reject "panic" --expect "^hv\\| hypervisor memory unchanged"
        -- run hostile --ring ${ring} --patch inline --timeout 60 -- ${row})
  endforeach()
endforeach()

# Classified under the inline mode, the patched sensitive instructions neither
# trap nor differ from the bare machine, and CLI and STI no longer trap.
tv_integration_test(NAME classify.ring1_inline TIMEOUT 180
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^pushfd,sensitive,no,no,yes,\"not trapped, equal in this run\",pushf,.*,patched by the hypervisor$"
    --expect "^popfd,sensitive,no,no,yes,\"not trapped, equal in this run\",popf_if,.*,patched by the hypervisor$"
    --expect "^push cs,sensitive,no,no,yes,\"not trapped, equal in this run\",push_cs,"
    --expect "^cli,privileged,yes,no,yes,[^,]*,cli,.*,patched by the hypervisor$"
    --expect "^sti,privileged,yes,no,yes,[^,]*,sti,.*,patched by the hypervisor$"
    -- classify --patch inline --format csv --timeout 60)
