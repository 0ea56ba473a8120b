# A multiboot command line with and without the image's path first (lib/cmdline.c).
tv_unit_test(test_cmdline
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_cmdline.c)
