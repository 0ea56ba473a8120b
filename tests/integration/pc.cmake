# tests/integration/pc.cmake: the PC around a kernel, as the host program
# runs it: the pc_probe guest (guests/pc_probe/) natively with COM1 input fed
# on standard input, two modules and its command line; the text screen with
# --screen; --until ending a guest that never exits; and the options'
# refusals.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).

# Every check pc_probe makes with input and two modules. Listing them means
# a check that silently stops running fails the test.
set(TV_PC_PROBE_CHECKS
  multiboot-magic multiboot-cmdline-present multiboot-cmdline-names-guest multiboot-module-count
  big-gdt-loaded big-gdt-entry-written-after-lgdt big-gdt-entry-rewritten
  big-gdt-beyond-limit-gp
  bda-base-memory mp-floating-pointer-found mp-floating-fields mp-config-table-pointer
  mp-config-signature mp-config-checksum mp-config-version mp-extended-checksum
  mp-lapic-address mp-entries-known-types mp-one-processor mp-isa-bus mp-ioapic
  mp-isa-irq4-routed
  lapic-id-matches-mp lapic-version lapic-svr-enable lapic-tpr-readback lapic-esr-clear
  lapic-lint0-masked lapic-timer-counts-down lapic-timer-periodic lapic-isr-set-in-handler
  lapic-eoi-clears-isr lapic-tpr-holds-back lapic-tpr-lowered-delivers lapic-timer-one-shot
  lapic-self-ipi
  ioapic-id-matches-mp ioapic-24-pins ioapic-version-matches-mp ioapic-redirection-readback ioapic-com1-routed
  com1-input-by-interrupt com1-iir-received-data
  crtc-cursor-in-screen screen-text-readback crtc-cursor-readback)
list(LENGTH TV_PC_PROBE_CHECKS TV_PC_PROBE_CHECK_COUNT)
# Two module checks, one per module, print the same name.
math(EXPR TV_PC_PROBE_PASSES "${TV_PC_PROBE_CHECK_COUNT} + 2")

# Each module's first line is the last word of its string (pc_probe_multiboot.c).
set(TV_PC_MODULE_A ${CMAKE_CURRENT_BINARY_DIR}/pc_probe_module_a.txt)
set(TV_PC_MODULE_B ${CMAKE_CURRENT_BINARY_DIR}/pc_probe_module_b.txt)
file(WRITE ${TV_PC_MODULE_A} "alpha\nthe first module\n")
file(WRITE ${TV_PC_MODULE_B} "bravo\n")

set(TV_PC_PROBE_EXPECT
  --expect "^guest\\| SUMMARY: ${TV_PC_PROBE_PASSES} passed, 0 failed$"
  --expect "^guest\\| pc_probe: COM1 gave 'probe-input' in [0-9]+ interrupts"
  --expect "^guest\\| pc_probe: module 0 at .*, string '.*pc_probe_module_a.txt label alpha'$"
  --expect "^guest\\| pc_probe: module 1 at .*, string '.*pc_probe_module_b.txt bravo'$"
  --reject "^guest\\| FAIL:")
tv_expect_passes(TV_PC_PROBE_EXPECT ${TV_PC_PROBE_CHECKS} multiboot-module-content)

# The input goes through a pipe that ends at once: the run must outlive it.
tv_integration_test(NAME native.pc_probe
  COMMAND ${TV_EXPECT_RUN} --status 0 --stdin "probe-input\\r" ${TV_PC_PROBE_EXPECT}
    -- native pc_probe "--module=${TV_PC_MODULE_A},label alpha" --module ${TV_PC_MODULE_B},bravo
       --timeout 60 -- input=probe-input mods=2)
# Under the hypervisor the same checks must all pass, as natively, in both
# rings and with and without patching: the same machine seen through the
# virtual devices (the first byte on COM1 is there before the hypervisor
# starts; the GDT entry is rewritten with no trap between write and load).
foreach(ring 1 3)
  foreach(patch none all)
    tv_integration_test(NAME ring${ring}.pc_probe_patch_${patch}
      COMMAND ${TV_EXPECT_RUN} --status 0 --stdin "probe-input\\r" ${TV_PC_PROBE_EXPECT}
        --expect "^hv\\| hypervisor memory unchanged"
        -- run pc_probe --ring ${ring} --patch ${patch}
           "--module=${TV_PC_MODULE_A},label alpha" --module ${TV_PC_MODULE_B},bravo
           --timeout 120 -- input=probe-input mods=2)
  endforeach()
endforeach()
# Modules in the other order: each check sees the wrong content for its string.
tv_integration_test(NAME native.pc_probe_modules_swapped
  COMMAND ${TV_EXPECT_RUN} --status 1
    --expect "^guest\\| FAIL: multiboot-module-content: module 0"
    --expect "^guest\\| FAIL: multiboot-module-content: module 1"
    -- native pc_probe --module ${TV_PC_MODULE_A},bravo --module ${TV_PC_MODULE_B},alpha
       --timeout 60 -- mods=2)
# No input: the word never comes, and the check says so after its wait.
tv_integration_test(NAME native.pc_probe_no_input
  COMMAND ${TV_EXPECT_RUN} --status 1
    --expect "^guest\\| FAIL: com1-input-by-interrupt: got '' and no Enter, want 'never'$"
    -- native pc_probe --timeout 60 -- input=never)

# A guest that never exits: --until ends it with success, and the screen is
# read from the live machine then (natively through QEMU's monitor).
tv_integration_test(NAME native.pc_probe_screen_until
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| pc_probe: staying up, 0 failed$"
    --expect "^--- screen, 80x25 text at 0xb8000 \\(at the end of the run\\) ---$"
    --expect "^screen\\| pc_probe: text screen, row 1$"
    --expect "^screen\\| pc_probe: text screen, row 25$"
    --expect "^run ended: the output matched --until$"
    --expect "^trapvisor: --until matched: pc_probe: staying up, 0 failed$"
    --reject "^guest\\| SUMMARY"
    -- native pc_probe --screen --until "staying up, [0-9]+ failed" --timeout 60 -- stay)
# The same under the hypervisor: the screen comes from guest memory through
# QEMU's monitor at the host's end of the run.
tv_integration_test(NAME ring1.pc_probe_screen_until
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| pc_probe: staying up, 0 failed$"
    --expect "^--- screen, 80x25 text at 0xb8000 \\(at the end of the run, read from QEMU's memory\\) ---$"
    --expect "^screen\\| pc_probe: text screen, row 1$"
    --expect "^screen\\| pc_probe: text screen, row 25$"
    --expect "^run ended: the output matched --until$"
    --reject "^guest\\| SUMMARY"
    -- run pc_probe --screen --until "staying up, [0-9]+ failed" --timeout 120 -- stay)
# --until on the screen's text: row 25 is written only there, never on COM1.
tv_integration_test(NAME native.pc_probe_until_screen_row
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^trapvisor: --until matched: pc_probe: text screen, row 25$"
    -- native pc_probe --until "text screen, row 25" --timeout 60 -- stay)
# A guest that never exits and never matches: the timeout, said plainly, and
# the screen as it was (the BIOS's words: halt writes nothing there).
tv_integration_test(NAME native.halt_timeout_screen
  COMMAND ${TV_EXPECT_RUN} --status 5
    --expect "^--- screen, 80x25 text at 0xb8000 \\(at the end of the run\\) ---$"
    --expect "^screen\\| Booting from ROM"
    --expect "timed out after 5 s: the guest never exited and --until never matched"
    -- native halt --screen --until "no such line" --timeout 5)

# --- the options' refusals: one line, status 2, nothing run ---

tv_integration_test(NAME host.module_missing_file
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "no such module file: nowhere.bin"
    -- native selftest --module nowhere.bin)
tv_integration_test(NAME host.module_comma_in_string
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1
    --expect "--module x.bin: the string must not contain ','"
    -- native selftest --module x.bin,a,b)
tv_integration_test(NAME host.until_bad_regex
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--until \\(: not a valid"
    -- native selftest --until "(")
tv_integration_test(NAME host.mem_above_1024
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--mem 1025: give whole MiB from 1 to 1024"
    -- native selftest --mem 1025)
tv_integration_test(NAME native.selftest_1024mib
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| SUMMARY: [0-9]+ passed, 0 failed$"
    --expect "QEMU with 1024 MiB"
    -- native selftest --mem 1024 --cpu max --timeout 60)

# --umip names the model it needs: without --cpu it says it runs max; with a
# model that lacks UMIP the hypervisor refuses and the host says why.
tv_integration_test(NAME ring1.umip_says_model
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^trapvisor: --umip: QEMU runs with --cpu max"
    -- run selftest --umip --timeout 120)
tv_integration_test(NAME ring1.umip_model_without_umip
  COMMAND ${TV_EXPECT_RUN} --status 3
    --expect "--umip needs a CPU model with UMIP \\(--cpu qemu32 has none"
    -- run selftest --umip --cpu qemu32 --timeout 120)

# At a terminal: keys reach the guest raw, Ctrl-A x ends the run (5) and the
# terminal's settings come back (script(1), from the essential bsdutils).
tv_integration_test(NAME native.pc_probe_terminal
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/terminal_run.sh)
