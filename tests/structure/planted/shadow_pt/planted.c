/*
 * tests/structure/planted/shadow_pt/planted.c: a file that breaks the rule
 * include_direction.sh enforces, so that its test can show it would fail.
 * Runs on: nowhere (never compiled; only searched).
 */
#include "shadow_pt/shadow_mmu.h"
#include "hv/vcpu.h"
