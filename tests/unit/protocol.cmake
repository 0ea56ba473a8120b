# Unit tests for the host program's pure logic (tools/): the console-protocol
# parser and the mapping from how a run ended to the exit status.
tv_unit_test(test_protocol SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_protocol.c LIBS tv_host_core)
tv_unit_test(test_outcome SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_outcome.c LIBS tv_host_core)
tv_unit_test(test_run_inputs SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_run_inputs.c LIBS tv_host_core)
# The key=value grammar every reader shares, and each output format's escaping.
tv_unit_test(test_fields_escape SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fields_escape.c
  LIBS tv_host_core)
