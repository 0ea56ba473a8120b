# tests/integration/fast_trap.cmake: the fast trap path (hv/fast_trap.S):
# in ring 3 with --direct, an IN or OUT to a port nothing owns, a CLI or a
# STI is answered on the guest's own page tables. The fast_trap guest (guests/fast_trap/)
# does port I/O to port 0x80 in every form, natively and under the
# hypervisor, and attacks the fast path's pages; the bench guest's port
# rows run through it too.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).

set(TV_FT_HEX "0x[0-9a-f]+")

# --- its code names nothing outside the switcher's slot ---

add_test(NAME integration.hv.fast_trap_names_only_the_slot
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fast_trap_in_slot.sh $<TARGET_FILE:hv>)
set_tests_properties(integration.hv.fast_trap_names_only_the_slot PROPERTIES LABELS integration)

# --- the same result as the bare machine, row by row ---

# name|the guest's line after "fast_trap: NAME: ". Port 0x80 reads all
# ones (docs/guest-contract.md); EAX is 0x12345678 and EDX 0xabcd0080
# before each access. The first four and the OUTs are answered by the fast
# path; the rest it leaves to the full path (a prefix, a page boundary
# inside the instruction, a based or 16-bit code segment, the guest's own
# single step), which must give the bare machine's result all the same.
foreach(row
    "in-al|eax=0x123456ff edx=0xabcd0080"
    "in-eax|eax=0xffffffff edx=0xabcd0080"
    "in-al-dx|eax=0x123456ff edx=0xabcd0080"
    "in-eax-dx|eax=0xffffffff edx=0xabcd0080"
    "out-al|eax=0x12345678 edx=0xabcd0080"
    "out-dx-eax|eax=0x12345678 edx=0xabcd0080"
    "in-ax-prefix|eax=0x1234ffff edx=0xabcd0080"
    "in-rep-prefix|eax=0x123456ff edx=0xabcd0080"
    "in-cs-prefix|eax=0x123456ff edx=0xabcd0080"
    "in-page-cross|eax=0x123456ff edx=0xabcd0080"
    "in-page-cross-unmapped|vector 14 error 0x0 at the IN, cr2 the next page"
    "in-based-cs|eax=0x123456ff edx=0xabcd0080"
    "in-16bit-cs|eax=0x1234ffff edx=0xabcd0080"
    "in-single-step|vector 1 after the IN, eax=0x123456ff")
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 name)
  list(GET parts 1 result)
  string(REPLACE "." "\\." result_re "${result}")
  tv_integration_test(NAME native.fast_trap.${name}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| fast_trap: ${name}: ${result_re}$"
      -- native fast_trap --timeout 60 -- ${name})
  tv_integration_test(NAME ring3_direct.fast_trap.${name}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| fast_trap: ${name}: ${result_re}$"
      --expect "^hv\\| hypervisor memory unchanged"
      -- run fast_trap --ring 3 --direct --timeout 60 -- ${name})
endforeach()

# LOCK IN is #UD by the SDM; bare QEMU runs it as IN (docs/guest-contract.md,
# the LOCK row). The fast path sees F0 first and leaves it to the full path.
tv_integration_test(NAME native.fast_trap.in-lock-prefix
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| fast_trap: in-lock-prefix: eax=0x123456ff edx=0xabcd0080$"
    -- native fast_trap --timeout 60 -- in-lock-prefix)
tv_integration_test(NAME ring3_direct.fast_trap.in-lock-prefix
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| fast_trap: in-lock-prefix: vector 6 error 0x0 at the IN, eax=0x12345678$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fast_trap --ring 3 --direct --timeout 60 -- in-lock-prefix)

# --- the same trap counts with and without it ---

# The row `count` prints nothing: 250 of each of the four INs and four OUTs
# (checked in the guest: status 0 only if all 2,000 results are the bare
# machine's) and 250 STI-CLI pairs, besides two OUTs that mask the 8259s
# and its exit, one OUT more. So every mode must count exactly 1,000 IN,
# 1,003 OUT, 250 CLI and 250 STI traps, and with the fast path 2,500 of
# them answered there (the 8259s' and the exit's ports are owned).
set(TV_FT_COUNT --status 0 --expect "^ +1000 +in$" --expect "^ +1003 +out$"
  --expect "^ +250 +cli$" --expect "^ +250 +sti$")
tv_integration_test(NAME native.fast_trap.count
  COMMAND ${TV_EXPECT_RUN} --status 0 -- native fast_trap --timeout 60 -- count)
tv_integration_test(NAME ring1.fast_trap.count
  COMMAND ${TV_EXPECT_RUN} ${TV_FT_COUNT} --reject "fast trap path"
    -- run fast_trap --ring 1 --direct --timeout 60 -- count)
tv_integration_test(NAME ring3.fast_trap.count
  COMMAND ${TV_EXPECT_RUN} ${TV_FT_COUNT} --reject "fast trap path"
    -- run fast_trap --ring 3 --timeout 60 -- count)
tv_integration_test(NAME ring3_direct.fast_trap.count
  COMMAND ${TV_EXPECT_RUN} ${TV_FT_COUNT}
    --expect "^ +2500 +traps answered on the fast trap path$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fast_trap --ring 3 --direct --timeout 60 -- count)

# CLI and STI change the virtual IF on the fast path's page; the hypervisor
# takes it back at its next trap. With --patch popf, PUSHF traps and shows
# the virtual IF, which must be the bare machine's after each (CLI, STI
# and CLI answered on the fast path: 3). Without it PUSHF shows the real
# IF, always 1 (the Popek-Goldberg problem), fast path or not.
set(TV_FT_IF "^guest\\| fast_trap: cli-sti-flags: IF after cli 0, after sti 1, after cli 0$")
tv_integration_test(NAME native.fast_trap.cli-sti-flags
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "${TV_FT_IF}"
    -- native fast_trap --timeout 60 -- cli-sti-flags)
tv_integration_test(NAME ring3_direct.fast_trap.cli-sti-flags
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "${TV_FT_IF}"
    --expect "^ +3 +traps answered on the fast trap path$" --expect "^hv\\| hypervisor memory unchanged"
    -- run fast_trap --ring 3 --direct --patch popf --timeout 60 -- cli-sti-flags)
tv_integration_test(NAME ring3_direct.fast_trap.cli-sti-flags_unpatched
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| fast_trap: cli-sti-flags: IF after cli 1, after sti 1, after cli 1$"
    -- run fast_trap --ring 3 --direct --timeout 60 -- cli-sti-flags)

# STI's shadow with the guest's timer at 10 kHz: no tick may come at the
# CLI right after STI, as on the bare machine. A host interrupt taken as
# the IRET after the STI (the fast path's or the full path's) returns to
# that CLI must not deliver the guest's tick there
# (deprivilege/interrupt_shadow.c; fast_trap_sync_in in hv/fast_trap.c).
# Unlike hostile's sti-hlt-timer, the instruction in the shadow is one the
# fast path itself answers, thousands of times.
set(TV_FT_SHADOW "^guest\\| fast_trap: sti-shadow-timer: the timer ran, ticks right after STI 0$")
tv_integration_test(NAME native.fast_trap.sti-shadow-timer
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "${TV_FT_SHADOW}"
    -- native fast_trap --timeout 60 -- sti-shadow-timer)
tv_integration_test(NAME ring3_direct.fast_trap.sti-shadow-timer
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "${TV_FT_SHADOW}"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run fast_trap --ring 3 --direct --timeout 60 -- sti-shadow-timer)
foreach(ring 1 3)
  tv_integration_test(NAME ring${ring}.fast_trap.sti-shadow-timer
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "${TV_FT_SHADOW}"
      --expect "^hv\\| hypervisor memory unchanged"
      -- run fast_trap --ring ${ring} --timeout 60 -- sti-shadow-timer)
endforeach()

# Other guests whose port 0x80 accesses and flag instructions it answers
# run through it too: the usermode guest (usermode.cmake, ring3_direct) and
# the hostile rows df-traps, single-step and iret-popped-nt (hostile.cmake,
# DIRECT3: DF and NT kept through it, TF left to the full path).

# The benchmark's port rows, alone: every IN and OUT of their loops (32
# batches of 256) answered there, the rest of the run's port I/O (its
# console) not.
tv_integration_test(NAME ring3_direct.bench_ports
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| BENCH name=in_port80 iterations=256 median=[1-9][0-9]* "
    --expect "^guest\\| BENCH name=out_port80 iterations=256 median=[1-9][0-9]* "
    --expect "^ +16384 +traps answered on the fast trap path$"
    --expect "^ +[1-9][0-9]* +cycles fast trap path median$"
    --expect "^hv\\| hypervisor memory unchanged"
    -- run bench --ring 3 --direct --timeout 60 -- hv in_port80 out_port80)

# --- attacks on its pages: supervisor pages of the slot, out of a ring-3 kernel's reach ---

# Natively nothing is at 0xffe00000: reads and writes get through, and a
# jump there runs into what the bus and the firmware's ROM return until
# something faults in the guest. Under the hypervisor each is
# stopped at that very address as the switcher's slot, the pages mapped
# (ring 3 with --direct) or not (ring 1), with its memory unchanged.
foreach(row
    "read-fast-trap-code|read 0xffe00000"
    "read-fast-trap-state|read 0xffe01000"
    "write-fast-trap-state|wrote 0xffe01000"
    "write-fast-trap-counts|wrote 0xffe02000"
    "jump-fast-trap-code|read 0xffe00000")
  string(REPLACE "|" ";" parts "${row}")
  list(GET parts 0 name)
  list(GET parts 1 stop)
  if(name STREQUAL "jump-fast-trap-code")
    set(native_outcome --expect "^guest\\| ATTACK-TRAPPED: ${name}: vector ")
  else()
    set(native_outcome --expect "^guest\\| ATTACK-SURVIVED: ${name}$")
  endif()
  tv_integration_test(NAME native.fast_trap.${name}
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| ATTACK: ${name}$" ${native_outcome}
      -- native fast_trap --timeout 60 -- ${name})
  foreach(mode "ring3_direct|--ring;3;--direct" "ring1|--ring;1")
    string(REPLACE "|" ";" m "${mode}")
    list(GET m 0 label)
    list(REMOVE_AT m 0)
    tv_integration_test(NAME ${label}.fast_trap.${name}
      COMMAND ${TV_EXPECT_RUN} --status 4
        --expect "^guest\\| ATTACK: ${name}$"
        --expect "^run ended: the hypervisor stopped the guest: forbidden: the guest ${stop}, the hypervisor's switcher"
        --expect "^hv\\| hypervisor memory unchanged"
        --reject "ATTACK-SURVIVED" --reject "ATTACK-TRAPPED"
        -- run fast_trap ${m} --timeout 60 -- ${name})
  endforeach()
endforeach()
