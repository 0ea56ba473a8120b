# Runs on Bochs and GRUB images: grub.cfg, bochsrc and a bare guest's exit line
# (tools/boot_image.c, tools/bochs.c).
tv_unit_test(test_boot_image
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_boot_image.c
  LIBS tv_host_core)
