/*
 * tests/structure/planted/platform/planted.c: a device model that reaches
 * sideways into shadow_pt/, so that include_direction.sh's platform rule
 * can show it would fail.
 * Runs on: nowhere (never compiled; only searched).
 */
#include "platform/lapic.h"
#include "shadow_pt/spte.h"
