# MMU virtualization (shadow_pt/): the guest page-table walker against the
# SDM's rules, on synthetic page tables in a fake guest memory; and shadow
# entries, error codes and the guest-entry check built from its walks.
tv_unit_test(test_gpt_walk
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpt_walk.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/gpt_walk.c)
tv_unit_test(test_spte
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_spte.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/gpt_walk.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/spte.c)
# The shadow MMU's verdict on each page fault (shadow_pt/shadow_mmu.c), with
# the walker, the entries and the cache it decides with.
tv_unit_test(test_shadow_mmu
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_shadow_mmu.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/shadow_mmu.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/shadow_cache.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/gpt_walk.c
          ${PROJECT_SOURCE_DIR}/shadow_pt/spte.c)
