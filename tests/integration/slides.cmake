# tests/integration/slides.cmake: `trapvisor slides`, the lecture's deck,
# checked as a person would see it (tests/integration/slides_check.py).
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# Two decks are made once, in English and in Norwegian (CTest fixtures), with
# the pc_probe guest standing in for a teacher's kernel (its screen and its
# SUMMARY line under --patch none and --patch inline), and
# every check reads them: the pictures as XML, the tables as CSV, the deck
# in headless Chromium (each slide's title and numbers against data.json,
# data.json's verdicts against an independent demo and classify, a
# screenshot of each slide), and the two decks' slides against each other.
# Chromium is Debian's `chromium`, which `./trapvisor test` installs; the
# browser checks are skipped (77) where it is missing.

set(TV_SLIDES_EN ${CMAKE_CURRENT_BINARY_DIR}/slides-en)
set(TV_SLIDES_NB ${CMAKE_CURRENT_BINARY_DIR}/slides-nb)
set(TV_SLIDES_CHECK python3 ${CMAKE_CURRENT_SOURCE_DIR}/slides_check.py)

foreach(lang en nb)
  string(TOUPPER ${lang} LANG)
  tv_integration_test(NAME slides.make_${lang} TIMEOUT 400
    COMMAND ${TV_EXPECT_RUN} --status 0 --expect "index.html written in"
      --expect "^${TV_SLIDES_${LANG}}/index.html$"
      -- slides -o ${TV_SLIDES_${LANG}} --lang ${lang} --timeout 120
         --kernel pc_probe --kernel-mem 32 --kernel-until "SUMMARY: .* passed, 0 failed")
  set_tests_properties(integration.slides.make_${lang} PROPERTIES
    FIXTURES_SETUP tv_slides_${lang})
endforeach()

tv_integration_test(NAME slides.files TIMEOUT 60
  COMMAND ${TV_SLIDES_CHECK} files ${TV_SLIDES_EN})
tv_integration_test(NAME slides.files_nb TIMEOUT 60
  COMMAND ${TV_SLIDES_CHECK} files ${TV_SLIDES_NB})
tv_integration_test(NAME slides.numbers TIMEOUT 400
  COMMAND ${TV_SLIDES_CHECK} numbers ${TV_SLIDES_EN})
tv_integration_test(NAME slides.screens TIMEOUT 300
  COMMAND ${TV_SLIDES_CHECK} screens ${TV_SLIDES_EN})
tv_integration_test(NAME slides.same_slides TIMEOUT 60
  COMMAND ${TV_SLIDES_CHECK} same ${TV_SLIDES_EN} ${TV_SLIDES_NB})
set_tests_properties(integration.slides.files integration.slides.numbers
  integration.slides.screens PROPERTIES FIXTURES_REQUIRED tv_slides_en)
set_tests_properties(integration.slides.files_nb PROPERTIES FIXTURES_REQUIRED tv_slides_nb)
set_tests_properties(integration.slides.same_slides PROPERTIES
  FIXTURES_REQUIRED "tv_slides_en;tv_slides_nb")
set_tests_properties(integration.slides.numbers integration.slides.screens PROPERTIES
  SKIP_RETURN_CODE 77)

# Bad words: one line, status 2, before any run and before DIR is made.
tv_integration_test(NAME slides.bad_lang
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--lang de: give en \\(English\\) or nb"
    -- slides --lang de)
tv_integration_test(NAME slides.bad_ring
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "--ring 2: give 1 or 3"
    -- slides --ring 2)
tv_integration_test(NAME slides.unknown_option
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "unknown option '--frob' for 'slides'"
    -- slides --frob)
tv_integration_test(NAME slides.missing_kernel
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "no such guest file"
    -- slides -o ${CMAKE_CURRENT_BINARY_DIR}/slides-none --kernel
       ${CMAKE_CURRENT_BINARY_DIR}/no-such-kernel.elf)
tv_integration_test(NAME slides.dir_is_a_file
  COMMAND ${TV_EXPECT_RUN} --status 2 --lines 1 --expect "-o .*CMakeLists.txt: not a directory"
    -- slides -o ${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.txt)
tv_integration_test(NAME slides.help
  COMMAND ${TV_EXPECT_RUN} --status 0 --expect "^usage: trapvisor slides"
    --expect "--lang L" --expect "--kernel K" --expect "^ +7 +the bare machine disagreed"
    -- help slides)
