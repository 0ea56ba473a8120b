# tests/integration/scan.cmake: `trapvisor scan`, every one- and two-byte
# opcode of the opcode_scan guest on the bare machine and under the
# hypervisor, and Robin & Irvine's list matched against what was silent.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# The expectations are what the architecture (Intel SDM vol. 2 and 3) and
# ring compression predict from the scan's state (guests/opcode_scan/scan.h:
# selectors with RPL 1 naming DPL-0 segments, the kernel's own LDT, TR,
# CR0.NE and IF), not a recorded run. A whole scan takes a minute or two,
# so the two that run it carry the label "scan" as well.

# Without UMIP, in ring 1: every listed instruction but INT n runs without
# trapping and ends otherwise: the stores show the hypervisor's registers,
# PUSHF the real IF, POPF keeps IOPL, LAR/LSL/VERR/VERW see the compressed
# descriptors, PUSH and MOV from CS and SS the real RPL, and loads of an
# RPL-1 selector of a DPL-0 segment (POP and MOV to a segment register, far
# CALL, JMP and RET) succeed where CPL 0 refuses them. INT n goes through
# the hypervisor's DPL-0 gates: it traps and is reflected.
set(TV_SCAN_FOUND SGDT SIDT SLDT SMSW PUSHF POPF LAR LSL VERR VERW POP PUSH CALL JMP RET STR MOV)
set(found "")
foreach(name ${TV_SCAN_FOUND})
  list(APPEND found --expect "^  ${name} +found ")
endforeach()

tv_integration_test(NAME scan.ring1 TIMEOUT 900
  COMMAND ${TV_EXPECT_RUN} --status 0 ${found}
    --expect "^  INT n  MISSED  traps deprivileged in all [0-9]+ forms run"
    --expect "^17 of the 18 found\\.$"
    --expect "^  push cs .* PUSH$" --expect "^  mov ss, r/m .*#GP\\(0x3010\\) +no fault +MOV$"
    --expect "^  lar .* LAR$" --expect "^  sgdt .* SGDT$"
    --expect "^  f4: HLT" --expect "^Time: bare machine [0-9.]+ s, hypervisor [0-9.]+ s"
    -- scan --timeout 300)
# With UMIP, in ring 3: SGDT, SIDT, SLDT, SMSW and STR now trap at CPL > 0
# and are emulated from the virtual registers; the rest stay silent.
tv_integration_test(NAME scan.ring3_umip TIMEOUT 900
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^  SGDT +MISSED +traps deprivileged" --expect "^  SIDT +MISSED +traps deprivileged"
    --expect "^  SLDT +MISSED +traps deprivileged" --expect "^  STR +MISSED +traps deprivileged"
    --expect "^  SMSW +MISSED +traps deprivileged"
    --expect "^  PUSHF +found " --expect "^  LAR +found " --expect "^  MOV +found "
    -- scan --ring 3 --umip --timeout 300)
set_tests_properties(integration.scan.ring1 integration.scan.ring3_umip
  PROPERTIES LABELS "integration;scan")

tv_integration_test(NAME scan.bad_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--ring 2: give 1 or 3"
    -- scan --ring 2)
tv_integration_test(NAME scan.bad_format
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--format xml: give text, md, csv or json"
    -- scan --format xml)
tv_integration_test(NAME scan.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor scan"
    --expect "SILENT" -- help scan)

# The guest boots on the bare machine and runs every case; a bad option is refused.
tv_integration_test(NAME scan.guest_native
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| SCAN-SKIP what=\"f4\" why=\"HLT"
    --expect "^guest\\| SCAN-BEGIN cases=[0-9]+ slots=0x00400000 slot=32$"
    # SGDT at CPL 0 stores without a fault; LTR of the RPL-1 data selector is
    # #GP(selector): not a TSS.
    --expect "^guest\\| C [0-9]+ 0f010500003000 - [0-9a-f]{8}$"
    --expect "^guest\\| C [0-9]+ 0f00d8 0d/3010 [0-9a-f]{8}$"
    --expect "^guest\\| SCAN-END cases=[0-9]+$"
    -- native opcode_scan --cpu max --timeout 120)
tv_integration_test(NAME scan.guest_bad_option
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "unknown option \"frobnicate\""
    -- native opcode_scan -- frobnicate)
