# The emulator (hv/emulate*.c, hv/guest_access.c) with the real decoder and
# the real rules of deprivilege/, against a fake guest (fake_machine.c):
# one or more tests per row of the instruction table, in one file per area
# of the emulator (test_emulate*.c), all on the fixture emulate_fixture.c.
# The emulator and the fake guest are compiled once, for all of them.
add_library(tv_emulate_host STATIC
  ${CMAKE_CURRENT_LIST_DIR}/emulate_fixture.c
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
  ${PROJECT_SOURCE_DIR}/deprivilege/interrupt_shadow.c
  ${PROJECT_SOURCE_DIR}/deprivilege/query_rules.c
  ${PROJECT_SOURCE_DIR}/deprivilege/return_rules.c
  ${PROJECT_SOURCE_DIR}/deprivilege/sysreg_rules.c
  ${PROJECT_SOURCE_DIR}/platform/lapic.c)
target_include_directories(tv_emulate_host PUBLIC ${PROJECT_SOURCE_DIR})
target_compile_definitions(tv_emulate_host PUBLIC TV_HOSTED=1)
target_compile_options(tv_emulate_host PRIVATE -Wall -Wextra -Wno-unused-parameter)
target_link_libraries(tv_emulate_host PUBLIC PkgConfig::CHECK PkgConfig::CAPSTONE tv_lib_host)

foreach(area "" _io _segments _guest_access _system _patched)
  tv_unit_test(test_emulate${area}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_emulate${area}.c
    LIBS tv_emulate_host)
endforeach()
