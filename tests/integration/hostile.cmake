# tests/integration/hostile.cmake: the hostile guest (guests/hostile/), which
# attacks the trap path itself, natively and with the guest kernel in ring 1
# and ring 3. Included by CMakeLists.txt beside this file.
#
# Each row's expected lines are what the architecture fixes (Intel SDM, as
# cited in guests/hostile/ and tests/unit/test_return_rules.c): the bare
# machine must print them, and so must the hypervisor, with its own memory
# unchanged, never a crash, a panic or a hang. Where the two may differ, the
# difference is in docs/guest-contract.md and the row says so below.

# tv_hostile(ROW [DIRECT3] [INLINE] [PUSHF] EXPECT pattern... [NATIVE pattern...] [RING3 pattern...])
# NATIVE and RING3, when given, replace EXPECT for that run. DIRECT3 adds a
# run in ring 3 with --direct, expecting what ring 3 does: for the rows
# whose port I/O the fast trap path answers (fast_trap.cmake). INLINE adds
# runs in ring 1 with --patch inline, with and without --direct, and in
# ring 3 with --patch inline: for the rows about IRET and gates, which the
# inline mode runs on the CPU (deprivilege/inline_patch.c, "IRET").
# PUSHF: the row reads IF with PUSHF, which shows the guest's IF only where
# it is patched: ring 1 and ring 3 run with --patch all.
# DIRECT1: lines (whole-line patterns) the ring1_inline_direct run must also print.
function(tv_hostile row)
  cmake_parse_arguments(H "DIRECT3;INLINE;PUSHF" "" "EXPECT;NATIVE;RING3;DIRECT1" ${ARGN})
  set(sides native ring1 ring3)
  if(H_DIRECT3)
    list(APPEND sides ring3_direct)
  endif()
  if(H_INLINE)
    list(APPEND sides ring1_inline ring1_inline_direct ring3_inline)
  endif()
  foreach(side ${sides})
    set(patterns ${H_EXPECT})
    if(side STREQUAL "native" AND H_NATIVE)
      set(patterns ${H_NATIVE})
    elseif(side MATCHES "^ring3" AND H_RING3)
      set(patterns ${H_RING3})
    endif()
    set(args --status 0 --expect "^guest\\| HOSTILE-DONE: ${row}$" --reject "FAIL:")
    foreach(p ${patterns})
      list(APPEND args --expect "^guest\\| HOSTILE-RESULT: ${row}: ${p}")
    endforeach()
    if(side STREQUAL "native")
      tv_integration_test(NAME native.hostile.${row}
        COMMAND ${TV_EXPECT_RUN} ${args} -- native hostile --timeout 60 -- ${row})
    else()
      set(hv_options --ring 1)
      if(side STREQUAL "ring3")
        set(hv_options --ring 3)
      elseif(side STREQUAL "ring3_direct")
        set(hv_options --ring 3 --direct)
      elseif(side STREQUAL "ring1_inline")
        set(hv_options --ring 1 --patch inline)
      elseif(side STREQUAL "ring1_inline_direct")
        set(hv_options --ring 1 --patch inline --direct)
      elseif(side STREQUAL "ring3_inline")
        set(hv_options --ring 3 --patch inline)
      endif()
      if(H_PUSHF AND (side STREQUAL "ring1" OR side STREQUAL "ring3"))
        list(APPEND hv_options --patch all)
      endif()
      set(side_args ${args})
      if(side STREQUAL "ring1_inline_direct")
        foreach(p ${H_DIRECT1})
          list(APPEND side_args --expect "${p}")
        endforeach()
      endif()
      tv_integration_test(NAME ${side}.hostile.${row}
        COMMAND ${TV_EXPECT_RUN} ${side_args}
          --expect "^hv\\| hypervisor memory unchanged" --reject "panic"
          -- run hostile ${hv_options} --timeout 60 -- ${row})
    endif()
  endforeach()
endfunction()

# The direction flag across every kind of trap: the hypervisor must not
# run on the guest's DF (its string copies would go backwards through its
# memory), and the guest must keep it.
tv_hostile(df-traps DIRECT3 EXPECT
  "after cli: DF=1$" "after out: DF=1$"
  "int 0x40 handler saw DF=1, after iret DF=1$"
  "ud2: #UD error 0x0$" "ud2 frame DF=1$")
tv_hostile(df-rep-movs-timer EXPECT "copies correct, ticks inside the backward copy: many$")
# 82C54 datasheet: a count of 0 is 65,536 ticks; no interrupt before the output rises.
tv_hostile(pit-count-zero EXPECT "interrupts with the output still low: 0$")
# SDM vol. 2B, STI: no interrupt on the boundary after STI, so a tick armed
# just before STI; HLT wakes the HLT, never comes before it (F25: one that
# arrived while the hypervisor carried out the STI was delivered there, and
# the HLT then stopped the guest as one nothing could wake).
# In ring 3 with --direct the fast trap path answers the STI itself and
# leaves its shadow for the hypervisor (hv/fast_trap.S): a tick that comes
# right after must still wait for the HLT.
tv_hostile(sti-hlt-timer DIRECT3 EXPECT "every hlt woke by its tick, ticks taken inside the shadow: 0$")
# SDM vol. 3, 17.3.1.4: the single-step #DB follows the instruction TF was set for.
tv_hostile(single-step DIRECT3 EXPECT
  "tf then cli: #DB error 0x0$" "tf then cli: eip 0 bytes past the cli$"
  "tf then out: #DB error 0x0$" "tf then out: eip 0 bytes past the out$")
# SDM vol. 3, 17.3.1.4 and Table 6-2, and vol. 2A, HLT: a single-stepped HLT
# is followed by its #DB at once (a debug exception resumes a halted CPU),
# before the tick of the 55 ms one-shot armed before it. The hypervisor
# waited for an interrupt first (and stopped the guest as halted when none
# could come). Bare QEMU halts without the #DB: the tick wakes it, and its
# #DB follows the NOP after the HLT (docs/guest-contract.md; fuzz row
# qemu-hlt-step).
tv_hostile(hlt-single-step EXPECT
  "tf then hlt: #DB error 0x0$" "tf then hlt: eip 0 bytes past the hlt, ticks before: 0$"
  NATIVE "tf then hlt: #DB error 0x0$" "tf then hlt: eip 1 bytes past the hlt, ticks before: 1$")
# SDM vol. 2A, IRET: a popped NT is loaded; only the NT held before the IRET is a task return.
tv_hostile(iret-popped-nt DIRECT3 INLINE EXPECT "iret: no trap$" "NT after the iret 1, after a trap 1$")
tv_hostile(iret-current-nt INLINE EXPECT "iret with NT set, null back link: #TS error 0x0$")
# SDM vol. 2A/2B, IRET and RET: a non-conforming DPL 0 code segment with RPL 3
# is #GP(selector). With the guest kernel in ring 3 its own code selector
# already has RPL 3, so the return goes through (docs/guest-contract.md).
tv_hostile(iret-rpl3-kernel-cs INLINE EXPECT "iret to cs 0x0b: #GP error 0x8$"
  RING3 "iret to cs 0x0b: no trap$")
tv_hostile(retf-rpl3-kernel-cs EXPECT "lret to cs 0x0b: #GP error 0x8$"
  RING3 "lret to cs 0x0b: no trap$")
# SDM vol. 3, 4.6.1: with CR0.WP = 0 the kernel writes a read-only user
# page; with WP = 1 it is #PF(present, write).
tv_hostile(wp0-user-ro EXPECT "write with WP=0: no trap$" "the page holds 0x600df00d$"
  "write with WP=1: #PF error 0x3$")
# SDM vol. 3, 4.7 and vol. 2A, LGDT/LIDT/LMSW: an operand the guest's paging
# does not map is #PF at the instruction, CR2 the page; nothing is loaded.
tv_hostile(unmapped-operand EXPECT
  "lgdt: #PF error 0x0$" "lgdt: at the instruction yes, cr2 the absent page$"
  "lgdt across: #PF error 0x0$" "lgdt across: at the instruction yes, cr2 the absent page$"
  "lidt: #PF error 0x0$" "lidt: at the instruction yes, cr2 the absent page$"
  "lmsw: #PF error 0x0$" "lmsw: at the instruction yes, cr2 the absent page$"
  "gdtr unchanged$")
# SDM vol. 3, 2.5 (CR0.TS, CR0.EM): x87 instructions raise #NM while either is set.
tv_hostile(fpu-ts EXPECT "fninit with TS=1: #NM error 0x0$" "fninit after clts: no trap$"
  "fninit with EM=1: #NM error 0x0$" "fninit with TS=0 EM=0: no trap$")
# SDM vol. 2A, CLAC and STAC: #UD on a CPU without SMAP (QEMU's default CPU,
# which the native and default runs use); with SMAP (QEMU's -cpu max, which
# --umip brings) they clear and set AC at the guest kernel's CPL 0.
tv_hostile(clac-stac EXPECT "the CPU has SMAP: no$" "stac: #UD error 0x0$" "clac: #UD error 0x0$")
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.hostile.clac-stac_smap
    COMMAND ${TV_EXPECT_RUN} --status 0
      --expect "^guest\\| HOSTILE-RESULT: clac-stac: the CPU has SMAP: yes$"
      --expect "^guest\\| HOSTILE-RESULT: clac-stac: stac: no trap$"
      --expect "^guest\\| HOSTILE-RESULT: clac-stac: AC after stac 1$"
      --expect "^guest\\| HOSTILE-RESULT: clac-stac: clac: no trap$"
      --expect "^guest\\| HOSTILE-RESULT: clac-stac: AC after clac 0$"
      --expect "^hv\\| hypervisor memory unchanged" --reject "panic"
      -- run hostile --ring ${ring} --umip --timeout 60 -- clac-stac)
endforeach()
# SDM vol. 3, 6.13: a vector beyond the IDT limit is #GP(vector * 8 + 2),
# a gate not present #NP(the same) (EXT clear for INT n); 6.15: a #GP met
# while delivering a #GP is a #DF(0).
tv_hostile(idt-limit EXPECT "int 0x46 beyond the limit: #GP error 0x232$"
  "int 0x46, the #GP beyond the limit too: #DF error 0x0$"
  "int 0x46 through a gate not present: #NP error 0x232$")
# A null selector with RPL 3 loads and reads back as 3, also after a trap.
tv_hostile(null-rpl-selector EXPECT "fs 0x3, after a trap 0x3$")
# REPNE repeats OUTS as REP does.
tv_hostile(repne-outs EXPECT "ecx 0, esi moved 4 bytes$")
# SDM vol. 2A, LOCK: #UD with any instruction outside its list. QEMU's bare
# machine runs LOCK CLI and the others as if unprefixed (a leniency of TCG,
# in docs/guest-contract.md); it agrees on control registers that do not exist.
set(TV_HOSTILE_LOCKED cli sti clts wbinvd "mov eax, cr0" "in al, 0x80" "out 0x80, al" rdmsr
  "invlpg \\[eax\\]")
set(TV_HOSTILE_LOCK_UD "mov eax, cr1: #UD error 0x0$" "mov eax, cr5: #UD error 0x0$")
set(TV_HOSTILE_LOCK_NATIVE ${TV_HOSTILE_LOCK_UD})
foreach(insn ${TV_HOSTILE_LOCKED})
  list(APPEND TV_HOSTILE_LOCK_UD "lock ${insn}: #UD error 0x0$")
  list(APPEND TV_HOSTILE_LOCK_NATIVE "lock ${insn}: no trap$")
endforeach()
tv_hostile(lock-prefix EXPECT ${TV_HOSTILE_LOCK_UD} NATIVE ${TV_HOSTILE_LOCK_NATIVE})

# Flags QEMU 7.2 leaves after POPF, CMP, CMPXCHG8B: whatever they are, the
# same under the hypervisor as on the bare machine.
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.hostile.cmpxchg8b-flags_same_as_native
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/same_as_native.sh
      "^guest\\| HOSTILE-RESULT: " ${ring} hostile cmpxchg8b-flags)
endforeach()

# IRET into virtual-8086 mode: natively the guest gets there (CLI then
# faults with #GP(0), VM set in the frame). Virtual-8086 mode is not
# offered under the hypervisor; QEMU lets an IRET at CPL 1 or 3 set VM, so
# the guest is in it without a trap, and its first fault must stop it.
tv_integration_test(NAME native.hostile.iret-vm
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| HOSTILE-RESULT: iret-vm: cli in virtual-8086 mode: #GP error 0x0$"
    --expect "^guest\\| HOSTILE-RESULT: iret-vm: the fault came from virtual-8086 mode: yes$"
    -- native hostile --timeout 60 -- iret-vm)
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.hostile.iret-vm
    COMMAND ${TV_EXPECT_RUN} --status 4
      --expect "^run ended: the hypervisor stopped the guest: unemulated: the guest runs in virtual-8086 mode"
      --expect "^hv\\| hypervisor memory unchanged"
      --reject "HOSTILE-RESULT" --reject "panic"
      -- run hostile --ring ${ring} --timeout 60 -- iret-vm)
endforeach()

# The guest kernel's own gates and IRETs (hostile_gates.c): what the handler
# and the code after the IRET see of IF and CS, as the bare CPU at CPL 0
# shows them, in every mode, with the inline mode's IRET on the CPU, and
# with --direct too, where the gates the kernel has used go into the real
# IDT as trap gates to their entry stubs (hv/direct.c): both of this row's
# (0x50, 0x51), never 0x2F, the hypervisor's own (its three INTs trap).
tv_hostile(kernel-gates-if PUSHF INLINE EXPECT
  "interrupt gate: handler IF 0, frame cs 0x8, frame IF 1, after iret IF 1$"
  "trap gate: handler IF 1, frame cs 0x8, frame IF 1, after iret IF 1$"
  "iret clearing IF: handler IF 0, frame cs 0x8, frame IF 1, after iret IF 0$"
  "iret setting IF: handler IF 0, frame cs 0x8, frame IF 0, after iret IF 1$"
  "vector 0x2f: handler IF 0, frame cs 0x8, frame IF 1, after iret IF 1$"
  DIRECT1 "^ +2 +direct: kernel gates in the real IDT$" "^ +5 +int$")
# #DE in the kernel, the frame's EIP the DIV's; with --patch inline --direct
# the later two through the direct gate (one #DE reaches the hypervisor).
tv_hostile(kernel-divide INLINE EXPECT "div by zero: #DE error 0x0$"
  "the frame's eip at the div 3 of 3$"
  DIRECT1 "^ +1 +direct: kernel gates in the real IDT$" "^ +1 +vector 0$")
# A tick waiting while IF is 0 is taken right after the IRET that sets IF,
# at the instruction it returned to: with the inline mode, the template
# leaves such a return to the trapping IRET.
# A gate whose handler starts right after a CLI the inline mode patched,
# under the jump's displacement: the handler runs each time, and the gate
# never goes direct (the CPU would run the jump's bytes).
tv_hostile(gate-inside-region INLINE EXPECT "the handler ran 3 of 3$"
  DIRECT1 "^ +0 +direct: kernel gates in the real IDT$")
# INT from user mode to a DPL-0 gate the kernel uses itself: #GP(0x52 * 8 +
# 2) in every mode, also where that gate is direct (its real DPL is 1).
tv_hostile(user-int-dpl0 INLINE EXPECT "int 0x52 from user mode: #GP error 0x292$"
  "the kernel's own calls 3$" DIRECT1 "^ +1 +direct: kernel gates in the real IDT$")
# Ticks at about 12 kHz through 10,000 rounds of the kernel's INT n and
# IRET: none inside the interrupt gate's handler, none with a frame in the
# hypervisor's patch code or with another CS, each handler with its gate's
# IF, IF 1 after each IRET; with --direct through the gates' entry stubs.
tv_hostile(gates-under-ticks PUSHF INLINE EXPECT
  "ticks taken yes, inside the interrupt gate's handler 0, with an odd frame 0$"
  "handler IF wrong 0, frame wrong 0, IF after the iret wrong 0$"
  DIRECT1 "^ +2 +direct: kernel gates in the real IDT$")
# An IRET that sets TF, returning into a region the inline mode moved: the
# single-step #DB follows the first instruction there.
tv_hostile(iret-single-step INLINE EXPECT "iret with TF set: #DB error 0x0$"
  "#DB's eip the returned-to code \\+ 2$")
tv_hostile(iret-sets-if-tick INLINE EXPECT
  "ticks waiting 20 of 20, taken right after the iret 20 of 20$")
# IRET only reads its frame: a read-only page below it or under it changes
# nothing, also where the inline mode runs the kernel's IRET on the CPU.
tv_hostile(iret-frame-edge INLINE EXPECT "iret, the page below read-only: no trap$"
  "iret, the frame's page read-only: no trap$")
# IRET to user mode whose frame's ESP and SS are on a page the shadow does
# not hold yet: the user program runs with the frame's IF 1.
tv_hostile(iret-user-frame-split INLINE EXPECT "ud2 in user mode: #UD error 0x0$"
  "IF 1 in the #UD's frame 3 of 3$")
tv_hostile(iret-forged-cs INLINE EXPECT "iret to cs 0x10: #GP error 0x10$")
# ESP in the switcher's slot, then IRET (natively no memory is there: no
# native run). QEMU TCG's IRET at CPL 1 reads the frame from the switcher's
# read-only page and enters virtual-8086 mode (FACTS.md), and the
# hypervisor stops the guest at its next trap; the inline mode's IRET
# leaves such a stack to the guest's own IRET and ends the same way.
foreach(side ring1 ring1_inline ring1_inline_direct ring3_inline)
  set(hv_options --ring 1)
  if(side STREQUAL "ring1_inline")
    set(hv_options --ring 1 --patch inline)
  elseif(side STREQUAL "ring1_inline_direct")
    set(hv_options --ring 1 --patch inline --direct)
  elseif(side STREQUAL "ring3_inline")
    set(hv_options --ring 3 --patch inline)
  endif()
  tv_integration_test(NAME ${side}.hostile.iret-esp-in-slot
    COMMAND ${TV_EXPECT_RUN} --status 4
      --expect "^run ended: the hypervisor stopped the guest: unemulated: the guest runs in virtual-8086 mode"
      --expect "^hv\\| hypervisor memory unchanged" --reject "panic" --reject "HOSTILE-DONE"
      -- run hostile ${hv_options} --timeout 60 -- iret-esp-in-slot)
endforeach()

# INT n to a DPL-0 gate the kernel uses, with ESP in the switcher's slot:
# the frame cannot go there. Trapped (ring 1, ring 1 inline), the
# hypervisor's delivery finds the stack outside guest memory; through the
# direct gate (ring 1 inline with --direct) the CPU's own push faults on
# the switcher's read-only page, and the hypervisor stops the guest for
# that write. Either way the guest is stopped, the hypervisor unchanged.
foreach(side ring1 ring1_inline ring1_inline_direct)
  set(hv_options --ring 1)
  set(reason "the guest's stack at 0xffc01000 is outside its memory while delivering")
  if(side STREQUAL "ring1_inline")
    set(hv_options --ring 1 --patch inline)
  elseif(side STREQUAL "ring1_inline_direct")
    set(hv_options --ring 1 --patch inline --direct)
    set(reason "forbidden: the guest wrote 0xffc00ffc, the hypervisor.s switcher")
  endif()
  tv_integration_test(NAME ${side}.hostile.int-esp-in-slot
    COMMAND ${TV_EXPECT_RUN} --status 4
      --expect "^run ended: the hypervisor stopped the guest: .*${reason}"
      --expect "^hv\\| hypervisor memory unchanged" --reject "panic" --reject "HOSTILE-DONE"
      -- run hostile ${hv_options} --timeout 60 -- int-esp-in-slot)
endforeach()

tv_integration_test(NAME native.hostile.unknown_row
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "unknown row"
    --reject "HOSTILE:" -- native hostile --timeout 30 -- frobnicate)

# The hypervisor never uses the FPU, MMX or SSE (-mgeneral-regs-only), so it
# runs safely on whatever the guest left there (docs/containment.md): not
# one such instruction in its image, Capstone included.
add_test(NAME integration.hv.no_fpu_instructions
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/no_fpu_instructions.sh $<TARGET_FILE:hv>)
set_tests_properties(integration.hv.no_fpu_instructions PROPERTIES LABELS integration)
