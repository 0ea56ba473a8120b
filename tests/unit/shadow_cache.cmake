# Kept shadow contexts, the pool of shadow page tables and the tracking of
# guest page-table pages (shadow_pt/shadow_cache.c), rule by rule from
# shadow_pt/README.md, section 3.
tv_unit_test(test_shadow_cache
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_shadow_cache.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/shadow_cache.c)
