# The differential fuzzer on a fixed seed: a sample of random sequences per
# mode, on the bare machine and under the hypervisor (docs/fuzz.md). Label
# `fuzz` (ctest -L fuzz); part of ./trapvisor test.
#
# Each test fails on anything unexpected: a divergence whose first
# difference no row of tools/fuzz_expect.c explains, a stop the guest
# contract does not list (status 1), a hang under the hypervisor (5), a
# crash or panic (6), or a fuzzer that cannot run at all (2, 3).
#
# The counts are small because a run under the hypervisor that stops the
# guest is restarted after that sequence (a boot, about a second), and each
# divergence is run again cut before and after the instruction a row would
# blame: about 15 s a mode on a busy two-core machine.
set(TV_FUZZ_SEED 11)
set(TV_FUZZ_COUNT 200)

function(tv_fuzz_test name)
  tv_integration_test(NAME fuzz.${name} TIMEOUT 400
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/fuzz_sample.sh --seed ${TV_FUZZ_SEED} --count ${TV_FUZZ_COUNT}
      --list 50 ${ARGN})
  set_tests_properties(integration.fuzz.${name} PROPERTIES LABELS "integration;fuzz")
endfunction()

# Ring 1 and 3, patch none and all, UMIP off and on: the eight modes.
foreach(ring 1 3)
  foreach(patch none all)
    tv_fuzz_test(ring${ring}_${patch} --ring ${ring} --patch ${patch})
    tv_fuzz_test(ring${ring}_${patch}_umip --ring ${ring} --patch ${patch} --umip)
  endforeach()
endforeach()
# Patch code the guest runs itself (inline), and the fast paths (direct).
tv_fuzz_test(ring1_inline_umip --ring 1 --patch inline --umip)
tv_fuzz_test(ring3_inline_umip_direct --ring 3 --patch inline --umip --direct)

# The guest's own IRET or far RET to a conforming code segment with RPL 3
# reaches ring 3 without a trap; the next trap must stop it (docs/fuzz.md,
# documented stops). With its code segment taken as checked, a #PF there was
# hidden for ever (a hang, sequences 3754 and 3858) or the timer's delivery
# panicked in the switcher (1842).
foreach(k 1842 3754)
  tv_integration_test(NAME fuzz.replay_conforming_user_${k}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: documented stop$"
      --expect "code segment 0x3b is not usable at ring 1" --reject "panicked"
      -- fuzz --seed 2027 --replay ${k} --ring 1 --patch all --umip)
  set_tests_properties(integration.fuzz.replay_conforming_user_${k} PROPERTIES LABELS "integration;fuzz")
endforeach()

# Sequence 37158 in ring 1 loads ES with a selector the bare CPU refuses (the
# documented sreg-rpl difference), then loops on its own IRET with interrupts
# off: the run under the hypervisor times out, and the cut runs must place the
# parting at that load and name its row, not call it a hang of the hypervisor's.
tv_integration_test(NAME fuzz.replay_looped_37158
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^first difference after instruction 1 .pop-sreg.$"
    --expect "^verdict: timed out after a documented difference .* a DPL-0 data selector with RPL 1"
    --reject "HYPERVISOR HUNG"
    -- fuzz --seed 2027 --replay 37158 --ring 1 --patch all --umip --timeout 10)
set_tests_properties(integration.fuzz.replay_looped_37158 PROPERTIES LABELS "integration;fuzz")

# MOV SS at the guest's CPL 0 of its DPL-3 data selector with RPL 0: the
# bare CPU's #GP(0x28). With the guest kernel in ring 3 that segment's
# shadow has DPL 3, the kernel's real ring, which the check took for 0.
tv_integration_test(NAME fuzz.replay_mov_ss_dpl3_31110
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: equal$"
    -- fuzz --seed 2027 --replay 31110 --ring 3 --patch all --umip)
set_tests_properties(integration.fuzz.replay_mov_ss_dpl3_31110 PROPERTIES LABELS "integration;fuzz")

# --only runs the sequences of a list in one boot, in order: seed 2027's
# LTR of a null selector (1453), then 30345, whose IRET with NT is a task
# return. The fuzz guest loads TR again after a sequence with LTR, so the
# bare machine's #TS there no longer becomes a #PF at linear 0 (bare QEMU
# had left TR null): only the far CALL's pushed CS differs.
tv_integration_test(NAME fuzz.only_list_after_ltr_null
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^  sequence 1453 +expected divergence: qemu-ltr-null$"
    --expect "^  sequence 30345 +expected divergence: selector-rpl$"
    --expect "^fuzz: seed 2027, 2 sequences of a list \\(1453 to 30345\\)"
    -- fuzz --seed 2027 --ring 1 --patch all --umip
      --only @${CMAKE_CURRENT_LIST_DIR}/fuzz_only_list.txt)
set_tests_properties(integration.fuzz.only_list_after_ltr_null PROPERTIES LABELS "integration;fuzz")

# In ring 3, MOV SS of the DPL-1 data selector with RPL 3 loads (row
# sreg-rpl; the bare CPU at CPL 0 raises #GP), and the shorter GDT an LGDT
# then installs leaves that SS out: the bare CPU would run on with it
# cached, the hypervisor stops the guest as the guest contract says. It was
# an unexpected stop ("the guest's stack segment 0x63 is not usable").
tv_integration_test(NAME fuzz.replay_stale_ss_7305_ring3
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: documented stop$"
    --expect "stack segment 0x63, cached before its tables changed at 0x[0-9a-f]+, is not usable at ring 3"
    --reject "panicked"
    -- fuzz --seed 2027 --replay 7305 --ring 3 --patch all --umip)
set_tests_properties(integration.fuzz.replay_stale_ss_7305_ring3 PROPERTIES LABELS "integration;fuzz")

# A sequence ends alike on the bare machine whatever ran before it: the
# fuzz guest puts back the LDTR, CR3, the debug registers, the PIC's mask
# and COM1's scratch after a sequence that could change them, not only
# before one (seed 2027: 72135's SLDT stored 72093's LDTR, 44580 read the
# PWT of 44429's MOV to CR3; in a list where one machine ran that LLDT or
# MOV CR3 and the other did not, they were unexpected divergences).
tv_integration_test(NAME fuzz.history_reset_72135_44580
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/fuzz_history.sh)
set_tests_properties(integration.fuzz.history_reset_72135_44580 PROPERTIES LABELS "integration;fuzz")

# A far CALL to the DPL-1 code segment goes through (row far-ring1-code), a
# RET imm16 then loses the stack, and the #PF's frame cannot be pushed: the
# bare CPU would go on to #DF and shut down, and so does the guest (a triple
# fault, its end as the bare machine's reset is), which the row of the first
# difference explains. It was an unexpected stop ("the guest's stack ... is
# outside its memory while delivering #PF").
foreach(ring 1 3)
  tv_integration_test(NAME fuzz.replay_lost_stack_21887_ring${ring}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: expected divergence"
      --expect "triple fault at 0x00000000: the guest's paging refuses the frame of #PF"
      --expect "^first difference after instruction 1 \\(farcall\\)$" --reject "panicked"
      -- fuzz --seed 2027 --replay 21887 --ring ${ring} --patch all --umip)
  set_tests_properties(integration.fuzz.replay_lost_stack_21887_ring${ring} PROPERTIES LABELS "integration;fuzz")
endforeach()

# With the guest kernel in ring 3 its ring is the user's: POP SS of the user
# data selector loads (2872), a far RET or IRET with RPL 3 to the conforming
# segment is a return to the same ring, SS not popped (3406; 24179 then
# loses its stack and ends in a triple fault). Documented rows
# sreg-rpl and ring3-return-rpl3; 24179 was an unexpected stop.
foreach(row "2872|pop-sreg" "3406|retf" "24179|iret")
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 k)
  list(GET parts 1 kind)
  tv_integration_test(NAME fuzz.replay_ring3_collapse_${k}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: expected divergence"
      --expect "^first difference after instruction [0-9]+ \\(${kind}\\)$" --reject "panicked"
      -- fuzz --seed 2027 --replay ${k} --ring 3 --patch all --umip)
  set_tests_properties(integration.fuzz.replay_ring3_collapse_${k} PROPERTIES LABELS "integration;fuzz")
endforeach()

# With --direct the kernel's IRET to user mode runs on the CPU at ring 1,
# which loads neither IF nor IOPL from its frame (docs/guest-contract.md):
# the user's #PF frame shows the kernel's IOPL (F24, row direct-user-flags).
tv_integration_test(NAME fuzz.replay_direct_user_flags_1842
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^verdict: expected divergence: with --direct"
    --reject "panicked"
    -- fuzz --seed 2027 --replay 1842 --ring 1 --patch all --umip --direct)
set_tests_properties(integration.fuzz.replay_direct_user_flags_1842 PROPERTIES LABELS "integration;fuzz")

# The command's own checks, without QEMU.
foreach(bad "word|12,x|'x' is not a sequence number"
            "empty|,|no sequence numbers in it"
            "too_large|99999999999|'99999999999' is not a sequence number"
            "no_file|@${CMAKE_CURRENT_LIST_DIR}/no-such-list.txt|cannot read it: No such file"
            "file_word|@${CMAKE_CURRENT_LIST_DIR}/fuzz_only_bad.txt|line 2: '12x' is not a sequence number")
  string(REPLACE "|" ";" row "${bad}")
  list(GET row 0 id)
  list(GET row 1 value)
  list(GET row 2 message)
  tv_integration_test(NAME fuzz.only_bad_${id}
    COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--only .*${message}"
      -- fuzz --only ${value})
endforeach()
tv_integration_test(NAME fuzz.only_with_start
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1
    --expect "--only names the sequences itself: give it without --start and --count"
    -- fuzz --only 5 --start 5)
tv_integration_test(NAME fuzz.only_with_replay
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "give it without --replay"
    -- fuzz --replay 3 --only 5)
tv_integration_test(NAME fuzz.bad_patch
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--patch some: give none, popf, all or inline"
    -- fuzz --patch some)
tv_integration_test(NAME fuzz.zero_count
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--count 0" -- fuzz --count 0)
tv_integration_test(NAME fuzz.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor fuzz" --expect "--replay K"
    --expect "^ +6 +the hypervisor crashed" -- fuzz --help)
