# Unit tests for the host program's languages (tools/i18n.c): the choice
# from --lang and the locale, and the Norwegian catalog the build compiled
# (po/), found through TRAPVISOR_BUILD_DIR.
tv_unit_test(test_i18n SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_i18n.c LIBS tv_host_core)
add_dependencies(test_i18n tv_translations)
set_tests_properties(unit.test_i18n PROPERTIES LABELS "unit;i18n"
  ENVIRONMENT "TRAPVISOR_BUILD_DIR=${CMAKE_BINARY_DIR};LANGUAGE=;LC_ALL=;LC_MESSAGES=;LANG=C")
