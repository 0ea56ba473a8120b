# tests/integration/guests.cmake: the guests of guests/ natively and under
# the hypervisor, and the loader's refusal of malformed images.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# What each test expects comes from the guests' contracts (guests/*/): the
# selftest passes every check on both sides; `halt` never wakes (natively a
# timeout, under the hypervisor a stop); an `attack` gets through natively
# and is stopped by the hypervisor; a malformed image is refused before any
# guest code runs.

# --- selftest: every check, natively and in ring 1 ---

# Every check the selftest makes (guests/selftest/). Listing them means a
# check that silently stops running fails the test.
set(TV_SELFTEST_CHECKS
  lgdt-far-jump-reloads-cs lgdt-reloads-ds lgdt-reloads-es lgdt-reloads-fs
  lgdt-reloads-gs lgdt-reloads-ss lidt-own-idt-takes-int
  multiboot-magic multiboot-memory-info multiboot-mem-lower multiboot-mem-upper
  multiboot-cmdline-present multiboot-cmdline-names-guest
  gdt-entry-written-after-lgdt-loads
  cli-continues sti-continues cli-sti-loop sti-nop-takes-waiting-irq-after-nop
  in-byte-unused-port in-word-unused-port in-dword-unused-port in-com1-lsr-thre
  out-unused-port out-debug-exit-neighbours rep-outsb-com1 rep-insb-unused-port
  fs-based-write fs-based-read gs-based-write gs-based-read
  mov-ss-loads-selector stack-works-after-mov-ss push-pop-ds
  ud2-raises-ud div-zero-raises-de int3-raises-bp int-0x40-reaches-vector-0x40
  load-ds-beyond-gdt-raises-gp load-ds-not-present-raises-np)
list(LENGTH TV_SELFTEST_CHECKS TV_SELFTEST_CHECK_COUNT)

set(TV_SELFTEST_EXPECT
  --expect "^guest\\| SUMMARY: ${TV_SELFTEST_CHECK_COUNT} passed, 0 failed$"
  --expect "^guest\\| REP-OUTSB: ok$"
  --reject "^guest\\| FAIL:")
tv_expect_passes(TV_SELFTEST_EXPECT ${TV_SELFTEST_CHECKS})

tv_integration_test(NAME native.selftest
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- native selftest --timeout 60)
# Words after the guest's name must not change what it sees as its name.
tv_integration_test(NAME native.selftest_with_arguments
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- native selftest --timeout 60 -- one two)
# A guest with little RAM: 4 MiB still holds the image and the selftest's
# based segment at 2 MiB, and mem_upper must say 3 MiB of it.
tv_integration_test(NAME native.selftest_4mib
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- native selftest --mem 4 --timeout 60)

tv_integration_test(NAME ring1.selftest
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- run selftest --timeout 120)
tv_integration_test(NAME ring1.selftest_4mib
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_SELFTEST_EXPECT}
    -- run selftest --mem 4 --timeout 120)

# --- halt: CLI then HLT can never wake ---
# (No semicolons in the patterns: CMake would split the argument there.)

tv_integration_test(NAME native.halt_times_out
  COMMAND ${TV_EXPECT_RUN} --status 5 --expect "^guest\\| halt: cli. hlt"
    --reject "woke up" -- native halt --timeout 3)
tv_integration_test(NAME ring1.halt_is_stopped
  COMMAND ${TV_EXPECT_RUN} --status 4 --expect "^guest\\| halt: cli. hlt"
    --expect "halted" --reject "woke up" -- run halt --timeout 30)

# --- attack: through natively, stopped under the hypervisor ---

set(TV_ATTACKS
  read-beyond-ram write-beyond-ram read-switcher write-switcher
  read-sweep write-sweep seg-read-beyond-ram seg-write-beyond-ram
  seg-read-switcher seg-write-switcher)
# Why each is stopped (hv/trap.c, guest_page_fault), from where it reaches first:
# past the guest's 32 MiB nothing is mapped; at ring 1 the switcher's 21
# pages are readable (docs/containment.md), so a read is stopped just past
# them, at 0xFFC15000, while a write is stopped at the first, read-only page.
set(TV_OUTSIDE_RAM "the guest %s 0x[0-9a-f]+, outside its 32 MiB")
string(REPLACE "%s" "read" TV_ATTACK_STOP_read-beyond-ram "${TV_OUTSIDE_RAM}")
string(REPLACE "%s" "wrote" TV_ATTACK_STOP_write-beyond-ram "${TV_OUTSIDE_RAM}")
set(TV_ATTACK_STOP_read-sweep "${TV_ATTACK_STOP_read-beyond-ram}")
set(TV_ATTACK_STOP_write-sweep "${TV_ATTACK_STOP_write-beyond-ram}")
set(TV_ATTACK_STOP_seg-read-beyond-ram "${TV_ATTACK_STOP_read-beyond-ram}")
set(TV_ATTACK_STOP_seg-write-beyond-ram "${TV_ATTACK_STOP_write-beyond-ram}")
set(TV_ATTACK_STOP_read-switcher "the guest read 0xffc15000, the hypervisor's switcher")
set(TV_ATTACK_STOP_write-switcher "the guest wrote 0xffc00000, the hypervisor's switcher")
set(TV_ATTACK_STOP_seg-read-switcher "${TV_ATTACK_STOP_read-switcher}")
set(TV_ATTACK_STOP_seg-write-switcher "${TV_ATTACK_STOP_write-switcher}")
foreach(attack ${TV_ATTACKS})
  tv_integration_test(NAME native.attack.${attack}
    COMMAND ${TV_EXPECT_RUN} --status 0
      --expect "^guest\\| ATTACK: ${attack}$"
      --expect "^guest\\| ATTACK-SURVIVED: ${attack}$"
      -- native attack --timeout 60 -- ${attack})
  # Stopped by the hypervisor (4) for that very access, and its memory unchanged.
  tv_integration_test(NAME ring1.attack.${attack}
    COMMAND ${TV_EXPECT_RUN} --status 4
      --expect "^guest\\| ATTACK: ${attack}$"
      --expect "^run ended: the hypervisor stopped the guest: forbidden: ${TV_ATTACK_STOP_${attack}}"
      --expect "^hv\\| hypervisor memory unchanged"
      --reject "ATTACK-SURVIVED" --reject "ATTACK-TRAPPED"
      -- run attack --timeout 60 -- ${attack})
endforeach()
# A missing or unknown attack name is the guest's usage error: status 2,
# which the host program reports as a nonzero guest status (1).
tv_integration_test(NAME native.attack.no_name
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "usage: attack <name>"
    --reject "ATTACK:" -- native attack --timeout 30)
tv_integration_test(NAME native.attack.unknown_name
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "unknown attack"
    --reject "ATTACK:" -- native attack --timeout 30 -- frobnicate)

# --- malformed images: generated at build time, never committed ---

add_executable(make-bad-images ${CMAKE_CURRENT_LIST_DIR}/make_bad_images.c)
target_include_directories(make-bad-images PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(make-bad-images PRIVATE -Wall -Wextra)
set(TV_BAD_IMAGES_DIR ${CMAKE_BINARY_DIR}/bad_images)
add_custom_command(OUTPUT ${TV_BAD_IMAGES_DIR}/good.elf
  COMMAND make-bad-images ${TV_BAD_IMAGES_DIR}
  DEPENDS make-bad-images
  COMMENT "Writing malformed guest images into bad_images/")
add_custom_target(bad-images ALL DEPENDS ${TV_BAD_IMAGES_DIR}/good.elf)

# The tests write the images again themselves, so they never depend on a
# build that skipped the ALL target.
add_test(NAME integration.bad_images.generate
  COMMAND make-bad-images ${TV_BAD_IMAGES_DIR})
set_tests_properties(integration.bad_images.generate PROPERTIES
  LABELS integration FIXTURES_SETUP tv_bad_images)

# The control: identical to the malformed images but for their one defect,
# it must run on both sides, else their refusals prove nothing.
tv_integration_test(NAME native.bad_images.good
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| good-image$"
    -- native ${TV_BAD_IMAGES_DIR}/good.elf --timeout 30)
tv_integration_test(NAME ring1.bad_images.good
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^guest\\| good-image$"
    -- run ${TV_BAD_IMAGES_DIR}/good.elf --timeout 30)
set_tests_properties(integration.native.bad_images.good integration.ring1.bad_images.good
  PROPERTIES FIXTURES_REQUIRED tv_bad_images)

# Refused by the loader (3) before any guest code runs, each for the reason
# its one defect (make_bad_images.c) meets first among the checks of
# hv/guest_image.c, in their order; the run uses the default 32 MiB of guest
# memory. Each entry is "<image>=<the reason, as an ERE>".
set(TV_BAD_IMAGES_REFUSED
  # 24 bytes: shorter than the 52-byte ELF header.
  "truncated-header=not an ELF file"
  "elf64=ELF64 image: only 32-bit guests"
  "big-endian=big-endian ELF: only little-endian i386 guests"
  "wrong-machine=machine is not i386"
  # e_type ET_REL (1).
  "not-executable=not an executable \\(e_type 1\\)"
  # e_phnum 0: the header is fine, the multiboot header is there, but
  # nothing is loaded.
  "no-segments=no loadable segment"
  # e_phentsize 16, half an Elf32_Phdr.
  "bad-phentsize=program header size is 16, not 32"
  # Segment 0 (one page, p_memsz 0x1000, or 0x2000 where it is made to
  # straddle or wrap) against the guest's 32 MiB.
  "load-outside-512m=segment 0 at 0x20000000 \\+ 0x1000 lies outside the guest's 32 MiB"
  "load-straddles-512m=segment 0 at 0x1ffff000 \\+ 0x2000 lies outside the guest's 32 MiB"
  "load-wraps=segment 0 at 0xfffff000 \\+ 0x2000 lies outside the guest's 32 MiB"
  # The entry 2 MiB past the start of the one segment, at 1 MiB.
  "entry-outside-segments=entry point 0x300000 is not inside a loaded segment"
  "filesz-gt-memsz=filesz > memsz in segment 0"
  "phdrs-past-eof=program headers lie past the end of the file"
  "segment-past-eof=segment data lies past the end of the file"
  "no-multiboot-header=no multiboot header in the first 8 KiB"
  # 600 MiB (sparse): hv/main.c refuses it before reading it as an ELF.
  "huge=the guest image is larger than 64 MiB")
foreach(entry ${TV_BAD_IMAGES_REFUSED})
  string(FIND "${entry}" "=" eq)
  string(SUBSTRING "${entry}" 0 ${eq} image)
  math(EXPR eq "${eq} + 1")
  string(SUBSTRING "${entry}" ${eq} -1 reason)
  tv_integration_test(NAME ring1.bad_images.${image}
    COMMAND ${TV_EXPECT_RUN} --status 3 --expect "refused: ${reason}$"
      --reject "^guest\\|" --reject "panic"
      -- run ${TV_BAD_IMAGES_DIR}/${image}.elf --timeout 30)
  set_tests_properties(integration.ring1.bad_images.${image}
    PROPERTIES FIXTURES_REQUIRED tv_bad_images)
endforeach()

# Not even an ELF: the host program refuses these itself, before QEMU starts,
# and says so with the refusal's status (3) on either side, as the
# hypervisor would.
foreach(image empty not-elf)
  tv_integration_test(NAME ring1.bad_images.${image}
    COMMAND ${TV_EXPECT_RUN} --status 3 --lines 1
      --expect "^trapvisor: the guest image was refused: not an ELF file"
      -- run ${TV_BAD_IMAGES_DIR}/${image}.elf --timeout 30)
  tv_integration_test(NAME native.bad_images.${image}
    COMMAND ${TV_EXPECT_RUN} --status 3 --lines 1
      --expect "^trapvisor: the guest image was refused: not an ELF file"
      -- native ${TV_BAD_IMAGES_DIR}/${image}.elf --timeout 30)
  set_tests_properties(integration.ring1.bad_images.${image}
    integration.native.bad_images.${image} PROPERTIES FIXTURES_REQUIRED tv_bad_images)
endforeach()
