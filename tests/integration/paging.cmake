# tests/integration/paging.cmake: a guest kernel on its own page tables, and
# guests whose page tables reach for memory they were not given; natively
# and under the hypervisor's shadow page tables, with the guest kernel in
# ring 1 and in ring 3.
# Included by CMakeLists.txt beside this file (tv_integration_test, TV_EXPECT_RUN).
#
# What each test expects comes from the guests' contracts (guests/paging/,
# guests/pt_attack/): the paging guest passes every check on every side,
# since the architecture fixes every result it looks at; a pt_attack gets
# through natively, and under the hypervisor the guest is stopped at its
# first access, the reason naming where the entry led, with the
# hypervisor's own memory unchanged.

# --- paging: every check, natively and in rings 1 and 3 ---

# Every check the paging guest makes. Listing them means a check that
# silently stops running fails the test.
set(TV_PAGING_CHECKS
  paging-on-4k-pages cr3-reads-back not-present-pde-read-faults
  not-present-pde-read-gets-nothing paging-off-reads-physical paging-on-4m-pages
  4m-page-write-reaches-frame
  map-4k-page-read map-4k-page-write remap-invlpg-sees-new-frame
  unmap-invlpg-read-faults unmap-invlpg-write-faults unmapped-frame-unchanged
  demand-read-not-present-faults demand-read-sees-new-page demand-page-stays-mapped
  demand-write-not-present-faults demand-write-lands-in-new-page
  read-only-page-reads wp1-write-read-only-faults wp1-read-only-page-unchanged
  wp0-kernel-writes-read-only wp1-again-write-faults
  accessed-set-by-read-4k dirty-clear-after-read-4k accessed-set-in-pde-4k
  untouched-page-stays-clean-4k dirty-set-by-write-4k
  accessed-set-by-read-4m dirty-clear-after-read-4m dirty-set-by-write-4m
  space-a-write-lands-in-frame-a cr3-switch-sees-other-space
  cr3-switch-back-keeps-first cr3-switch-round-trips spaces-have-distinct-frames
  user-int-0x80-returns-to-kernel user-int-0x80-from-ring-3 user-touches-own-page
  user-read-kernel-page-faults user-read-kernel-page-gets-nothing
  user-write-kernel-page-faults user-write-kernel-page-changes-nothing
  user-read-not-present-faults)
list(LENGTH TV_PAGING_CHECKS TV_PAGING_CHECK_COUNT)

set(TV_PAGING_EXPECT
  --expect "^guest\\| SUMMARY: ${TV_PAGING_CHECK_COUNT} passed, 0 failed$"
  --reject "^guest\\| FAIL:")
tv_expect_passes(TV_PAGING_EXPECT ${TV_PAGING_CHECKS})

tv_integration_test(NAME native.paging
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_PAGING_EXPECT}
    -- native paging --timeout 60)
tv_integration_test(NAME ring1.paging
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_PAGING_EXPECT}
    -- run paging --ring 1 --timeout 120)
tv_integration_test(NAME ring3.paging
  COMMAND ${TV_EXPECT_RUN} --status 0 ${TV_PAGING_EXPECT}
    -- run paging --ring 3 --timeout 120)

# --- pt_attack: through natively, stopped under the hypervisor ---

# name|linear address touched|guest-physical address the entry leads to.
# The guest is given 32 MiB, so RAM ends at 0x02000000. The 4 GiB target
# of pde-4m-above-4g has no 32-bit form: only the linear address is required.
set(TV_PT_ATTACKS
  "pte-beyond-ram|0x40000000|0x7ff00000"
  "pte-past-ram|0x40000000|0x02000000"
  "pte-high|0x40000000|0xffc00000"
  "pde-table-beyond-ram|0x40000000|0x7ff00000"
  "pde-4m-high|0x40000000|0xffc00000"
  "pde-4m-past-ram|0x40000000|0x02000000"
  "pde-4m-above-4g|0x40000000|"
  "self-map-pde-4m|0x4b000000|0xffc00000"
  "self-map-pde-table|0x4b000000|0x7ff00000"
  "self-map-pte|0x003ff000|0xffc00000"
  # A page written as data, then a page table: the earlier writable mapping
  # must have gone read-only, or the last rewrite of its PTE is never seen.
  "alias-then-table|0x4b000000|0xffc00000"
  # ... mapped at more linear pages than the reverse map keeps, through a
  # 4 MiB page, after having been a page table before, in another address
  # space, or as the next page directory.
  "alias3-then-table|0x4b000000|0xffc00000"
  "alias-4m-then-table|0x4b000000|0xffc00000"
  "alias-table-reused|0x4b000000|0xffc00000"
  "alias-other-space|0x4b000000|0xffc00000"
  "alias-then-directory|0x4b000000|0xffc00000"
  # The guest's own page mapped over the switcher's linear 4 MiB: stopped
  # for the address alone, whatever physical page the entry names.
  "map-switcher|0xffc01000|the hypervisor's switcher")
foreach(row ${TV_PT_ATTACKS})
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 attack)
  list(GET fields 1 la)
  list(GET fields 2 gpa)
  tv_integration_test(NAME native.pt_attack.${attack}
    COMMAND ${TV_EXPECT_RUN} --status 0
      --expect "^guest\\| ATTACK: ${attack} "
      --expect "^guest\\| attack: "
      --expect "^guest\\| ATTACK-SURVIVED: ${attack}$"
      -- native pt_attack --mem 32 --timeout 60 -- ${attack})
  # Stopped by the hypervisor (4), neither survived nor trapped in the guest.
  set(stop_expect --expect "^run ended: the hypervisor stopped the guest: .*${la}")
  if(gpa)
    list(APPEND stop_expect --expect "^run ended: the hypervisor stopped the guest: .*${gpa}")
  endif()
  foreach(ring 1 3)
    tv_integration_test(NAME ring${ring}.pt_attack.${attack}
      COMMAND ${TV_EXPECT_RUN} --status 4
        --expect "^guest\\| ATTACK: ${attack} "
        ${stop_expect}
        --expect "^hv\\| hypervisor memory unchanged"
        --reject "ATTACK-SURVIVED" --reject "ATTACK-TRAPPED"
        -- run pt_attack --ring ${ring} --mem 32 --timeout 60 -- ${attack})
  endforeach()
endforeach()

# A missing or unknown attack name is the guest's usage error: status 2,
# which the host program reports as a nonzero guest status (1).
tv_integration_test(NAME native.pt_attack.no_name
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "usage: pt_attack <name>"
    --reject "ATTACK:" -- native pt_attack --timeout 30)
tv_integration_test(NAME native.pt_attack.unknown_name
  COMMAND ${TV_EXPECT_RUN} --status 1 --expect "unknown attack"
    --reject "ATTACK:" -- native pt_attack --timeout 30 -- frobnicate)
