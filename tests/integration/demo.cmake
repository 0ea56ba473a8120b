# tests/integration/demo.cmake: `trapvisor demo`, the popf_demo guest on the
# bare machine, under trap-and-emulate (ring 1, patch=none), patched
# (ring 1, patch=all), patched inline (ring 1, patch=inline) and
# paravirtualized (ring 1, patch=none, the guest told "paravirt"), compared
# in one table.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# The expectations come from the architecture (Intel SDM vol. 2, POPF,
# PUSHF, CLI; guests/popf_demo/README.md), not from a recorded run:
#   - in ring 0 (the bare machine) POPF may change IF, PUSHF shows IF and CS
#     has RPL 0, so every experiment sees what a ring-0 kernel is promised;
#   - in ring 1 with IOPL 0, CLI and STI trap (the hypervisor's virtual IF
#     keeps the control experiment equal), but POPF silently keeps IF, PUSHF
#     shows the real IF=1 and reading CS shows RPL 1: the other five differ;
#   - patched, POPF, PUSHF, PUSH CS and MOV from CS trap and are emulated:
#     everything is equal to the bare machine again;
#   - patched inline, they and CLI and STI run as patch code against the
#     virtual IF in the state page: equal everywhere, and none of them is
#     counted among the run's traps;
#   - paravirtualized, the guest runs none of them: it asks the hypervisor
#     by hypercall (lib/hypercall.h) for what each would do in ring 0, so
#     everything is equal to the bare machine without patching.
# JSON puts each experiment on one line, so a line pattern can check one
# cell of one experiment: "name", then the cells bare, trap_and_emulate,
# patched, inline, paravirt in that order ([^}]* keeps a pattern inside one cell). A pattern
# must not hold an unbalanced '[': CMake would not split the list there.

set(TV_DEMO_TIMEOUT 240)

# experiment | bare machine's category | trap-and-emulate's category
set(TV_DEMO_ROWS
  "cli_sti|no-ticks|no-ticks"
  "popf_clears_if|no-ticks|ticks"
  "popf_sets_if|ticks|no-ticks"
  "pushf_shows_if|IF=0|IF=1"
  "ring_leak|RPL=0|RPL=1"
  "irqsave_lost_update|no-lost-updates|lost-updates")

set(TV_DEMO_JSON_EXPECT
  --expect "^\\{$" --expect "^  \"runs\": .$" --expect "^  \"experiments\": .$"
  --expect "^  \"bare_as_architecture\": true,$" --expect "^  \"exit_status\": 0$"
  --expect "\"key\": \"bare\".*\"mode\": \"native\""
  --expect "\"key\": \"trap_and_emulate\".*\"ring\": 1, \"patch\": \"none\""
  --expect "\"key\": \"patched\".*\"ring\": 1, \"patch\": \"all\", \"guest_word\": null"
  --expect "\"key\": \"inline\".*\"ring\": 1, \"patch\": \"inline\", \"guest_word\": null"
  --expect "\"key\": \"paravirt\".*\"ring\": 1, \"patch\": \"none\", \"guest_word\": \"paravirt\""
  --expect "^     \"ran\": true, \"completed\": true, \"status\": 0"
  --reject "\"completed\": false"
  --reject "\"equal_to_bare\": null"
  --reject "\"malformed_lines\": [1-9]")
foreach(row ${TV_DEMO_ROWS})
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 name)
  list(GET fields 1 bare)
  list(GET fields 2 naive)
  if(name STREQUAL "cli_sti")
    set(naive_equal true)
  else()
    set(naive_equal false)
  endif()
  list(APPEND TV_DEMO_JSON_EXPECT
    # The bare machine: the architecture's category, and the guest agrees.
    --expect "\"name\": \"${name}\", .*\"architecture\": \"${bare}\", .*\"bare\": \\{\"observed\": \"${bare}\"[^}]*\"as_architecture\": true"
    # Trap-and-emulate: only the control experiment is equal.
    --expect "\"name\": \"${name}\", .*\"trap_and_emulate\": \\{\"observed\": \"${naive}\"[^}]*\"equal_to_bare\": ${naive_equal}"
    # Patched: equal everywhere.
    --expect "\"name\": \"${name}\", .*\"patched\": \\{\"observed\": \"${bare}\"[^}]*\"equal_to_bare\": true"
    # Patched inline: equal everywhere.
    --expect "\"name\": \"${name}\", .*\"inline\": \\{\"observed\": \"${bare}\"[^}]*\"equal_to_bare\": true"
    # Paravirtualized: equal everywhere, nothing patched.
    --expect "\"name\": \"${name}\", .*\"paravirt\": \\{\"observed\": \"${bare}\"[^}]*\"equal_to_bare\": true")
endforeach()

tv_integration_test(NAME demo.json TIMEOUT ${TV_DEMO_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_DEMO_JSON_EXPECT}
    -- demo --format json --timeout 60)

# The text table: headings, five rows that differ under trap-and-emulate and
# one that does not, patched, inline and paravirt equal everywhere, the bare column
# as the architecture everywhere, the narrative and the times; progress on
# stderr.
tv_integration_test(NAME demo.text TIMEOUT ${TV_DEMO_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^experiment +bare machine +trap-and-emulate +patched +patched inline +paravirt$"
    --expect "^ +\\(native QEMU\\) +\\(ring 1, patch=none\\) +\\(ring 1, patch=all\\) +\\(ring 1, patch=inline\\) +\\(ring 1, hypercalls\\)$"
    --expect "no-ticks += arch +no-ticks += bare +no-ticks += bare +no-ticks += bare +no-ticks += bare$"
    --expect "no-ticks += arch +ticks +DIFFERS +no-ticks += bare +no-ticks += bare +no-ticks += bare$"
    --expect " ticks += arch +no-ticks +DIFFERS +ticks += bare +ticks += bare +ticks += bare$"
    --expect "IF=0 += arch +IF=1 +DIFFERS +IF=0 += bare +IF=0 += bare +IF=0 += bare$"
    --expect "RPL=0 += arch +RPL=1 +DIFFERS +RPL=0 += bare +RPL=0 += bare +RPL=0 += bare$"
    --expect "no-lost-updates += arch +lost-updates +DIFFERS +no-lost-updates += bare +no-lost-updates += bare +no-lost-updates += bare$"
    --expect "^Patched inline, as VirtualBox's patch manager did"
    --expect "The flag instructions trapped 0 times \\(patch=all: [1-9][0-9]*\\)"
    --expect "patched inline [0-9.]+ s, [0-9]+ traps"
    --expect "^POPF is sensitive but not privileged"
    --expect "^CLI and STI are privileged"
    --expect "equivalence is( restored|$)"
    --expect "^Paravirtualized, the guest"
    --expect "^Wall time and traps: bare machine [0-9.]+ s"
    --expect "^trapvisor: running on the bare machine\\.\\.\\. [0-9.]+ s$"
    --expect "^trapvisor: running under trap-and-emulate .*\\.\\.\\. [0-9.]+ s$"
    --expect "^trapvisor: running patched \\(patch=all\\)\\.\\.\\. [0-9.]+ s$"
    --expect "^trapvisor: running patched inline \\(patch=inline\\)\\.\\.\\. [0-9.]+ s$"
    --expect "^trapvisor: running paravirtualized .*\\.\\.\\. [0-9.]+ s$"
    --reject "NOT ARCH" --reject "WARNING" --reject "no result" --reject "no reference"
    --reject "matched the bare machine in every experiment this time"
    -- demo --timeout 60)

# Markdown for slides: a table header and separator, differences marked.
tv_integration_test(NAME demo.markdown TIMEOUT ${TV_DEMO_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^\\| experiment \\| bare machine .*\\| trap-and-emulate .*\\| patched .*\\| patched inline .*\\| paravirt .*\\|$"
    --expect "^\\|---\\|---\\|---\\|---\\|---\\|---\\|$"
    --expect "^\\| .* \\| `IF=0` \\| \\*\\*`IF=1` ≠\\*\\* \\| `IF=0` = \\| `IF=0` = \\| `IF=0` = \\|$"
    -- demo --format md --timeout 60)

# --- what the demo refuses, and how it fails ---

tv_integration_test(NAME demo.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor demo"
    --expect "--step" --expect "--format F" --expect "^ +7 +every run completed"
    -- demo --help)
tv_integration_test(NAME demo.bad_format
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--format html"
    -- demo --format html)
# A language there is no catalog for is refused before anything runs (tests/i18n/ has the rest).
tv_integration_test(NAME demo.bad_lang
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--lang de: give en \\(English\\) or nb"
    -- demo --lang de)
tv_integration_test(NAME demo.lang_without_value
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--lang needs en or nb" -- demo --lang)
# Ring 2 is no ring a guest kernel is run in: refused before anything runs.
tv_integration_test(NAME demo.bad_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--ring 2"
    -- demo --ring 2)
tv_integration_test(NAME demo.no_trace
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "unknown option '--trace'"
    -- demo --trace)
# --step waits for the user's Enter: without a terminal it must refuse at
# once, not wait (stdin is made /dev/null even when ctest runs on a terminal).
tv_integration_test(NAME demo.step_needs_terminal
  COMMAND sh -c "exec \"$0\" \"$@\" </dev/null" ${TV_EXPECT_RUN} --status 2 --lines 1
    --expect "--step .*terminal" -- demo --step)
# A hypervisor that is not there: the bare machine still runs, the four other
# runs fail with a set-up error, and the demo's status is theirs (2).
tv_integration_test(NAME demo.hypervisor_missing TIMEOUT ${TV_DEMO_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 2
    --expect "running on the bare machine\\.\\.\\. [0-9.]+ s$"
    --expect "failed: .*the hypervisor is not built"
    --expect "^  \"exit_status\": 2$"
    --expect "\"key\": \"bare\""
    -- demo --format json --timeout 60
  ENVIRONMENT TRAPVISOR_HV=${CMAKE_CURRENT_BINARY_DIR}/no-such-hv.elf)

# --- the guest's paravirt word on its own ---

# On the bare machine there is no hypervisor to ask: the guest says so once
# and uses the plain instructions, which in ring 0 do what they promise.
tv_integration_test(NAME demo.paravirt_native TIMEOUT 120
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| SAY .*no hypervisor to ask"
    --expect "^guest\\| SUMMARY: 6 passed, 0 failed$"
    --reject "verdict=FAIL" --reject "hypercall"
    -- native popf_demo --timeout 60 -- paravirt)
# In ring 3 the hypercalls work as in ring 1: every experiment as on the
# bare machine, and the guest says it asks the hypervisor.
tv_integration_test(NAME demo.paravirt_ring3 TIMEOUT 180
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| SAY Paravirtualized: the guest asks the hypervisor"
    --expect "^guest\\| DEMO-RESULT name=ring_leak bare=\"RPL=0\" observed=\"RPL=0\" detail=\"read_cs hypercall"
    --expect "^guest\\| SUMMARY: 6 passed, 0 failed$"
    --reject "verdict=FAIL"
    -- run popf_demo --ring 3 --timeout 120 -- paravirt)
