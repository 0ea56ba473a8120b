# The hypervisor's and guests' memcpy, memmove, memset and memcmp, sixteen bytes a pass (lib/mem_words.h).
tv_unit_test(test_mem_words
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_mem_words.c)
