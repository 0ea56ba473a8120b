# tests/integration/classify.cmake: `trapvisor classify`, the sensitive_probe
# guest on the bare machine and under the hypervisor, each instruction
# classified as trapped or silent.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# Every expectation below is what the architecture (Intel SDM vol. 2 and 3),
# Robin & Irvine (USENIX Security 2000) and the hypervisor's design
# (ring compression: guest DPL 0 descriptors become DPL 1, CS and SS carry
# the real ring as RPL) predict for a guest kernel in ring 1 or 3 with
# IOPL 0, not a recorded run. Rows are checked in the CSV output, whose
# columns end in ...,trapped,equal_to_native,verdict,name,la,...; a pattern
# matches ",<trapped>,<equal>,<verdict>,<row name>,0x".
#
# Each row: "<row name> <trapped> <equal> <verdict code>", codes:
#   holds      trap-and-emulate holds
#   SILENT     SILENT: equivalence broken
#   equal      not trapped, equal in this run
#   unchecked  trapped; effect not checked here
#   any        only the trapped column is predicted
# (A pattern cannot hold a semicolon, CMake's list separator: "." stands for
# the one in "trapped; effect not checked here".)

set(TV_CLASSIFY_TIMEOUT 180)

# tv_classify_expect(<out-var> rows...): --expect arguments for the rows.
function(tv_classify_expect out)
  set(args "")
  foreach(row ${ARGN})
    string(REPLACE " " ";" f "${row}")
    list(GET f 0 name)
    list(GET f 1 trapped)
    list(GET f 2 equal)
    list(GET f 3 code)
    if(code STREQUAL "holds")
      set(verdict "trap-and-emulate holds")
    elseif(code STREQUAL "SILENT")
      set(verdict "SILENT: equivalence broken")
    elseif(code STREQUAL "equal")
      # A cell holding a comma is quoted (RFC 4180).
      set(verdict "\"not trapped, equal in this run\"")
    elseif(code STREQUAL "unchecked")
      set(verdict "trapped. effect not checked here")
    else()
      set(verdict "(\"[^\"]*\"|[^,]*)")
    endif()
    list(APPEND args --expect ",${trapped},${equal},${verdict},${name},0x")
  endforeach()
  set(${out} ${args} PARENT_SCOPE)
endfunction()

# Privileged instructions: each raises #GP at CPL > 0 (with IOPL 0 for CLI,
# STI, IN and OUT; no I/O bitmap), so each traps and is emulated. "holds"
# is expected only where the probe observes the instruction's effect
# (guests/sensitive_probe/probe_catalog.c): OUT and IN through COM1's scratch
# register, LGDT, LIDT and LLDT by using the table loaded, LTR by the busy
# bit, every write to a control or debug register or MSR by reading it back.
set(TV_CLASSIFY_PRIVILEGED
  "in yes yes holds" "out yes yes holds"
  "lgdt yes yes holds" "lidt yes yes holds" "ltr yes yes holds"
  "mov_from_cr0 yes yes holds" "mov_to_cr0 yes yes holds" "mov_from_cr2 yes yes holds"
  "mov_from_cr3 yes yes holds" "mov_to_cr3 yes yes holds"
  "mov_from_cr4 yes yes holds" "mov_to_cr4 yes yes holds"
  "mov_to_dr7 yes yes holds" "mov_from_dr7 yes yes holds"
  "clts yes yes holds" "lmsw yes yes holds"
  "wrmsr yes yes holds" "rdmsr yes yes holds" "lldt yes yes holds"
  # The probe cannot see these instructions' effect: IF, which a kernel
  # reads only with PUSHF (itself sensitive, a row of its own); the TLB with
  # paging off; caches, invisible to software. Trapped and equal, so an
  # emulation that did nothing would pass: never "holds".
  "cli yes yes unchecked" "sti yes yes unchecked"
  "invlpg yes yes unchecked" "wbinvd yes yes unchecked" "invd yes yes unchecked"
  # RDPMC with CR4.PCE = 0 raises #GP at CPL > 0; what the bare machine does
  # in ring 0 is the emulated CPU's business (QEMU raises #UD), so only the
  # trap is predicted.
  "rdpmc yes [a-z-]+ any")
# Innocuous controls and RDTSC (CR4.TSD = 0: allowed at any CPL): no trap,
# and the same results, CPUID included, since every run uses the same CPU.
set(TV_CLASSIFY_INNOCUOUS
  "rdtsc no yes holds" "add no yes holds" "nop no yes holds"
  "cpuid_0 no yes holds" "cpuid_1 no yes holds")

# Sensitive but unprivileged (Robin & Irvine), the same in ring 1 and 3.
set(TV_CLASSIFY_SENSITIVE_ANY_RING
  # PUSHF shows the real IF (1) where the guest kernel had IF=0.
  "pushf no no SILENT"
  # POPF at CPL > IOPL silently keeps IF, at CPL > 0 silently keeps IOPL.
  "popf_if no no SILENT" "popf_iopl no no SILENT"
  # LAR shows the compressed DPL (1 or 3) of a DPL-0 descriptor.
  "lar no no SILENT"
  # LSL shows the limit the hypervisor truncated below its own area.
  "lsl no no SILENT"
  # CS and SS hold the real ring as RPL: PUSH, MOV from them and the CS
  # a far CALL pushes show it.
  "push_cs no no SILENT" "push_ss no no SILENT" "mov_from_cs no no SILENT"
  "mov_from_ss no no SILENT" "far_call no no SILENT"
  # VERR and VERW of a DPL-0 data segment through RPL 1: refused at CPL 0
  # (RPL > DPL), admitted once the DPL is compressed to the real ring.
  "verr no no SILENT" "verw no no SILENT"
  # DS keeps the RPL 0 it was loaded with (a data segment accepts RPL <
  # CPL when DPL >= CPL): equal, though Robin & Irvine list them.
  "push_ds no yes equal" "mov_from_ds no yes equal" "pop_ds no yes equal"
  "mov_to_ds no yes equal"
  # POP DS and MOV to DS load a DPL-0 data selector with RPL 0: allowed at
  # CPL 1 and 3 once its DPL is compressed, so DS:0 reads the same mark.
  # A far JMP to the kernel's code selector: DPL (compressed) equals CPL.
  "far_jmp no yes equal"
  # RETF and IRET to an RPL-0 frame from CPL > 0 raise #GP; INT n through a
  # DPL-0 gate too: all three trap and are emulated or reflected.
  "far_ret yes yes holds" "iret yes yes holds" "int_n yes yes holds")

# Without UMIP, SGDT, SIDT, SLDT and STR store the hypervisor's GDTR, IDTR,
# LDTR and TR without trapping (the probe loaded an LDT and a TR of its own
# first); SMSW stores the real CR0's low word, whose NE the hypervisor keeps
# clear where the probe's kernel set it.
set(TV_CLASSIFY_NO_UMIP
  "sgdt no no SILENT" "sidt no no SILENT" "str no no SILENT"
  "sldt no no SILENT" "smsw no no SILENT")
# With CR4.UMIP, all five raise #GP at CPL > 0 and are emulated.
set(TV_CLASSIFY_UMIP
  "sgdt yes yes holds" "sidt yes yes holds" "str yes yes holds"
  "sldt yes yes holds" "smsw yes yes holds")
# Patched (patch=all), every sensitive instruction that leaks here is
# rewritten to trap and emulated against the virtual CPU: the flags (POPF,
# PUSHF), the selectors holding the ring (PUSH and MOV from CS and SS, the
# CS a far CALL pushes), the system registers (SGDT, SIDT, SLDT, SMSW, STR:
# the virtual ones) and the descriptor queries (LAR, LSL, VERR, VERW: the
# guest's own descriptors at its virtual CPL 0).
set(TV_CLASSIFY_PATCHED
  "pushf yes yes holds" "popf_if yes yes holds" "popf_iopl yes yes holds"
  "push_cs yes yes holds" "mov_from_cs yes yes holds"
  "push_ss yes yes holds" "mov_from_ss yes yes holds" "far_call yes yes holds"
  "sgdt yes yes holds" "sidt yes yes holds" "sldt yes yes holds" "smsw yes yes holds"
  "str yes yes holds" "lar yes yes holds" "lsl yes yes holds" "verr yes yes holds"
  "verw yes yes holds")

set(TV_CLASSIFY_CSV_HEADER
  --expect "^instruction,category,capstone_privileged,trapped,equal_to_native,verdict,name,la,bytes,native,virtualized,note$"
  # Capstone puts CLI in its privileged group.
  --expect "^cli,privileged,yes,"
  --reject "no result")

tv_classify_expect(privileged ${TV_CLASSIFY_PRIVILEGED})
tv_classify_expect(innocuous ${TV_CLASSIFY_INNOCUOUS})
tv_classify_expect(sensitive ${TV_CLASSIFY_SENSITIVE_ANY_RING})
tv_classify_expect(no_umip ${TV_CLASSIFY_NO_UMIP})
tv_classify_expect(umip ${TV_CLASSIFY_UMIP})
tv_classify_expect(patched ${TV_CLASSIFY_PATCHED})

tv_integration_test(NAME classify.ring1 TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_CLASSIFY_CSV_HEADER}
    ${privileged} ${innocuous} ${sensitive} ${no_umip}
    -- classify --format csv --timeout 60)

tv_integration_test(NAME classify.ring1_umip TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_CLASSIFY_CSV_HEADER}
    ${privileged} ${umip}
    -- classify --umip --format csv --timeout 60)

tv_integration_test(NAME classify.ring1_patched TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_CLASSIFY_CSV_HEADER}
    ${privileged} ${patched} --reject "SILENT"
    # The patched instructions' bytes differ from the bare machine's.
    --expect ",pushf,0x[0-9a-f]+,9c,.*,patched by the hypervisor$"
    -- classify --patch all --format csv --timeout 60)
tv_integration_test(NAME classify.ring3_patched_umip TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_CLASSIFY_CSV_HEADER}
    ${privileged} ${patched} --reject "SILENT"
    -- classify --ring 3 --umip --patch all --format csv --timeout 60)

tv_integration_test(NAME classify.ring3 TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_CLASSIFY_CSV_HEADER}
    ${privileged} ${innocuous} ${sensitive} ${no_umip}
    -- classify --ring 3 --format csv --timeout 60)

# The matrix: eight configurations as columns (ring 1 then 3; in each, UMIP
# off then on; in each, patch none then all). SGDT is silent only without
# UMIP and unpatched: UMIP makes it trap, and so does patching; PUSHF is silent unpatched and holds
# patched, UMIP or not; CLI traps everywhere but its effect is not observed;
# OUT traps everywhere and its write reads back. In both rings.
tv_integration_test(NAME classify.matrix TIMEOUT 600
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^instruction,category,capstone_privileged,r1 umip- none,r1 umip- all,r1 umip\\+ none,r1 umip\\+ all,r3 umip- none,r3 umip- all,r3 umip\\+ none,r3 umip\\+ all$"
    --expect "^sgdt [^,]*,sensitive,[a-z?]+,SILENT: equivalence broken,trap-and-emulate holds,trap-and-emulate holds,trap-and-emulate holds,SILENT: equivalence broken,trap-and-emulate holds,trap-and-emulate holds,trap-and-emulate holds$"
    --expect "^pushfd,sensitive,[a-z?]+,SILENT: equivalence broken,trap-and-emulate holds,SILENT: equivalence broken,trap-and-emulate holds,"
    --expect "^cli,privileged,yes(,trapped. effect not checked here){8}$"
    --expect "^\"out dx, al\",privileged,no(,trap-and-emulate holds){8}$"
    --expect "\\[8/8\\]"
    -- classify --matrix --format csv --timeout 60)

# The text table names the verdicts; bad options are usage errors.
tv_integration_test(NAME classify.text TIMEOUT ${TV_CLASSIFY_TIMEOUT}
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^row +instruction +category +capstone +trapped += native +verdict$"
    --expect "^sgdt +sgdt .*SILENT: equivalence broken$"
    --expect "^cli +cli +privileged +yes +yes +yes +trapped. effect not checked here$"
    --expect "^out +out dx, al +privileged +no +yes +yes +trap-and-emulate holds$"
    --expect "^ +bare machine: .*mem="
    --expect "^55 instructions:"
    -- classify --timeout 60)
tv_integration_test(NAME classify.bad_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--ring 2: give 1 or 3"
    -- classify --ring 2)
tv_integration_test(NAME classify.bad_format
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--format xml: give text, md, csv or json"
    -- classify --format xml)
tv_integration_test(NAME classify.matrix_with_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "drop --ring, --umip and --patch"
    -- classify --matrix --ring 3)
tv_integration_test(NAME classify.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor classify"
    --expect "SILENT: equivalence broken" -- help classify)

# The guest itself boots on the bare machine, reports every row and exits 0;
# an unknown option is refused with status 2.
tv_integration_test(NAME classify.probe_native
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^guest\\| PROBE name=sgdt category=sensitive la=0x[0-9a-f]{8} len=7 bytes=0f01[0-9a-f]+ effect=checked "
    --expect "^guest\\| PROBE name=cli .* effect=unchecked "
    # What the rows that use their instruction's effect must see on the
    # bare machine (the values are the catalog's): the scratch register
    # reads back what OUT wrote (0xa5) and what the IN row's set-up wrote
    # (0x5a); INT 0x41 through the IDT LIDT loaded reaches vector 0x42's
    # handler; CR0 read back after MOV sets TS (bit 3) has it.
    --expect "^guest\\| PROBE name=out .* observed=\"eax=0x000000a5 flags=0x[0-9a-f]+ exc=none\""
    --expect "^guest\\| PROBE name=in .* observed=\"eax=0x0000005a flags=0x[0-9a-f]+ exc=none\""
    --expect "^guest\\| PROBE name=lidt .* observed=\"flags=0x[0-9a-f]+ exc=INT0x42/"
    --expect "^guest\\| PROBE name=mov_to_cr0 .* observed=\"eax=0x[0-9a-f]{7}[89a-f] "
    --expect "^guest\\| PROBE-END count=55$" --reject "skipped"
    -- native sensitive_probe)
tv_integration_test(NAME classify.probe_bad_option
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "unknown option \"frobnicate\""
    -- native sensitive_probe -- frobnicate)
