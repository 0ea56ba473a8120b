# The emulator (hv/emulate*.c, hv/guest_access.c) with the real decoder and
# the real rules of deprivilege/, against a fake guest (fake_machine.c):
# one or more tests per row of the instruction table.
tv_unit_test(test_emulate
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_emulate.c
          ${CMAKE_CURRENT_LIST_DIR}/fake_machine.c
          ${PROJECT_SOURCE_DIR}/hv/emulate.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_flags.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_query.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_io.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_segments.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_system.c
          ${PROJECT_SOURCE_DIR}/hv/emulate_user.c
          ${PROJECT_SOURCE_DIR}/hv/guest_access.c
          ${PROJECT_SOURCE_DIR}/hv/decode.c
          ${PROJECT_SOURCE_DIR}/deprivilege/descriptor.c
          ${PROJECT_SOURCE_DIR}/deprivilege/eflags_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/query_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/return_rules.c
          ${PROJECT_SOURCE_DIR}/deprivilege/sysreg_rules.c
          ${PROJECT_SOURCE_DIR}/platform/lapic.c
  LIBS PkgConfig::CAPSTONE)
