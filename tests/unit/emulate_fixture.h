/*
 * tests/unit/emulate_fixture.h: what every test of the emulator
 * (tests/unit/test_emulate*.c) starts from, and how each file runs its
 * tests. Runs on: host (Check).
 *
 * The emulator's table and handlers (hv/emulate*.c) are driven as the #GP
 * handler is, against a fake guest (tests/unit/fake_machine.c) and the
 * system's Capstone. Each test puts one instruction's bytes at the guest's
 * EIP, raises the #GP a deprivileged CPU would, and checks the virtual CPU
 * afterwards against the Intel SDM's description of the instruction at
 * CPL 0: the state it changes, where EIP goes, the fault it raises instead,
 * or the stop when the guest names memory it does not have. User-mode traps
 * are checked against what CPL 3 gets on a bare machine.
 */
#ifndef TV_TESTS_EMULATE_FIXTURE_H
#define TV_TESTS_EMULATE_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/unit/fake_machine.h"
#include "hv/emulate.h"
#include "lib/mmu.h"

#define EIP0	0x1000u		/* where the instruction under test stands */
#define DATA	0x4000u		/* guest memory for operands */

/* The fake machine's vCPU, fresh for each test. */
extern struct vcpu *v;

/* Copy bytes into guest memory at gpa. */
void put(uint32_t gpa, const void *bytes, size_t n);
/* The doubleword of guest memory at gpa. */
uint32_t word_at(uint32_t gpa);
/* The #GP of the instruction `bytes` at EIP0; 1 if the guest was stopped. */
int gp(const void *bytes, size_t n, uint32_t error);

#define GP(error, ...) gp((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), error)

/* A test case of suite s whose tests each start on a fresh fake machine. */
TCase *emulate_tcase(Suite *s, const char *name);
/* Run suite s; main's exit status. */
int emulate_run_suite(Suite *s);

#endif
