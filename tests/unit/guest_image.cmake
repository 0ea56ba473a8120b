# The guest loader: ELF and multiboot checks, loading, multiboot information.
tv_unit_test(test_guest_image
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_guest_image.c
          ${PROJECT_SOURCE_DIR}/hv/guest_image.c)
