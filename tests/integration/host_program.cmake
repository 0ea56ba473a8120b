# tests/integration/host_program.cmake: the host program's own promises
# (README, docs/console-protocol.md): what it prints keeps to one line per
# line whatever a file name holds.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).

set(TV_SCRATCH_FILE ${CMAKE_CURRENT_LIST_DIR}/scratch_file.sh)
string(ASCII 27 TV_ESC)

# --- control characters in a guest's file name ---

# The hypervisor names the guest in its hello line from the module's path;
# a newline there must arrive as \x0a inside the quoted name, not end the
# protocol line (whose rest would then show as a foreign line), and an
# escape sequence must reach the terminal as text. The guest is the good
# image of guests.cmake, which prints one line and exits 0 whatever its name.
tv_integration_test(NAME ring1.guest_name_with_control_characters
  COMMAND ${TV_SCRATCH_FILE} ${TV_BAD_IMAGES_DIR}/good.elf "odd\\nname\\033c.elf" --
    --status 0 --expect "^guest\\| good-image$"
    --expect "^hv\\| hypervisor up \\(protocol 1\\): guest \"odd\\\\x0aname\\\\x1bc\" in ring 1,"
    --reject "^name" --reject "^malformed" --reject "${TV_ESC}"
    -- run @FILE@ --timeout 60)
set_tests_properties(integration.ring1.guest_name_with_control_characters
  PROPERTIES FIXTURES_REQUIRED tv_bad_images)

# The host's own messages: a missing file's name with a newline is still one line.
tv_integration_test(NAME host.missing_guest_name_with_newline
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1
    --expect "^trapvisor: no such guest file: no\\\\x0asuch/guest\\.elf$"
    -- native "no\nsuch/guest.elf")

# --- each command's help lists the options it takes, and only those ---

# `native` boots the bare machine: no ring, trace, patch or UMIP to choose
# (parse_options refuses them), so its help must not offer them.
tv_integration_test(NAME host.help_native_lists_its_options
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^  --mem N " --expect "^  --timeout S " --expect "^  -- ARGS "
    --reject "--ring" --reject "--trace" --reject "--patch" --reject "--umip"
    -- help native)
tv_integration_test(NAME host.native_refuses_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "unknown option '--ring' for 'native'"
    -- native selftest --ring 3)
tv_integration_test(NAME host.help_run_lists_its_options
  COMMAND ${TV_EXPECT_RUN} --status 0
    --expect "^  --ring R " --expect "^  --trace " --expect "^  --umip "
    --expect "^  --patch P " --expect "^  --mem N " --expect "^  --timeout S "
    -- help run)

# --- a reader that goes away ---

# The halt guest prints one line and then never ends on the bare machine:
# with the reader gone after that line, QEMU must be killed at once, not
# after the 100 s timeout.
tv_integration_test(NAME native.closed_stdout_ends_the_run
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/closed_stdout.sh 30 -- native halt --timeout 100)
