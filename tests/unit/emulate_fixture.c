/*
 * tests/unit/emulate_fixture.c: the fresh fake machine each emulator test
 * starts on, its memory helpers and the #GP raised as a deprivileged CPU
 * raises it (emulate_fixture.h).
 * Runs on: host (Check).
 */
#include "tests/unit/emulate_fixture.h"

#include <stdlib.h>
#include <string.h>

struct vcpu *v;

static void setup(void)
{
	ck_assert_int_eq(decode_init(), 0);
	fake_reset();
	v = &fake.cpu;
}

void put(uint32_t gpa, const void *bytes, size_t n)
{
	memcpy(fake_mem + gpa, bytes, n);
}

uint32_t word_at(uint32_t gpa)
{
	uint32_t w;
	memcpy(&w, fake_mem + gpa, 4);
	return w;
}

int gp(const void *bytes, size_t n, uint32_t error)
{
	put(EIP0, bytes, n);
	v->regs.eip = EIP0;
	v->regs.error = error;
	return FAKE_RUN(emulate_general_protection(v));
}

TCase *emulate_tcase(Suite *s, const char *name)
{
	TCase *t = tcase_create(name);
	tcase_add_checked_fixture(t, setup, 0);
	suite_add_tcase(s, t);
	return t;
}

int emulate_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
