/*
 * tests/unit/test_exception_rules.c: what an exception met while another
 * is delivered becomes (deprivilege/exception_rules.c), against Intel SDM
 * vol. 3, 6.15, "Interrupt 8—Double Fault Exception (#DF)".
 * Runs on: host (Check).
 *
 * Table 6-4 sorts the events into classes:
 *   benign: #DB, NMI, #BP, #OF, #BR, #UD, #NM, coprocessor segment
 *   overrun, #MF, #AC, #MC, #XM, "All INT n", "INTR";
 *   contributory: #DE, #TS, #NP, #SS, #GP, #CP (21);
 *   page faults: #PF, #VE (20).
 * Table 6-5, first exception down, second across:
 *   benign, then anything: "Handle Exceptions Serially";
 *   contributory, then benign or page fault: serially;
 *   contributory, then contributory: "Generate a Double Fault";
 *   page fault, then benign: serially;
 *   page fault, then contributory or page fault: a double fault.
 * And: "If another exception occurs while attempting to call the
 * double-fault handler, the processor enters shutdown mode."
 */
#include <check.h>
#include <stdlib.h>

#include "deprivilege/exception_rules.h"
#include "lib/x86.h"

struct row {
	const char *rule;
	unsigned first;
	enum exception_event kind;
	unsigned second;
	int next;
};

#define F EXCEPTION_EVENT_FAULT
#define S EXCEPTION_EVENT_SOFTWARE
#define X EXCEPTION_EVENT_EXTERNAL

static const struct row rows[] = {
	/* Benign first: the second is delivered as it is. */
	{ "#UD, then #PF: serially", VEC_UD, F, VEC_PF, VEC_PF },
	{ "#DB, then #GP: serially", VEC_DB, F, VEC_GP, VEC_GP },
	{ "#BP, then #NP: serially", VEC_BP, F, VEC_NP, VEC_NP },
	{ "#AC, then #PF: serially", VEC_AC, F, VEC_PF, VEC_PF },
	{ "INT 0x40, then #GP (beyond the IDT): serially", 0x40, S, VEC_GP, VEC_GP },
	/* INT n is benign whatever n: INT 13 and INT 8 are not #GP or #DF. */
	{ "INT 13, then #GP: serially", VEC_GP, S, VEC_GP, VEC_GP },
	{ "INT 14, then #PF: serially", VEC_PF, S, VEC_PF, VEC_PF },
	{ "INT 8, then #PF: serially, no shutdown", VEC_DF, S, VEC_PF, VEC_PF },
	/* INTR: an external interrupt, even at a vector below 32 (a PIC left at the BIOS's 8). */
	{ "INTR at 0x20, then #PF: serially", 0x20, X, VEC_PF, VEC_PF },
	{ "INTR at 8, then #GP: serially", VEC_DF, X, VEC_GP, VEC_GP },
	{ "INTR at 13, then #NP: serially", VEC_GP, X, VEC_NP, VEC_NP },
	/* Contributory first. */
	{ "#GP, then #GP: #DF", VEC_GP, F, VEC_GP, VEC_DF },
	{ "#GP, then #NP: #DF", VEC_GP, F, VEC_NP, VEC_DF },
	{ "#NP, then #GP: #DF", VEC_NP, F, VEC_GP, VEC_DF },
	{ "#DE, then #SS: #DF", VEC_DE, F, VEC_SS, VEC_DF },
	{ "#TS, then #NP: #DF", VEC_TS, F, VEC_NP, VEC_DF },
	{ "#GP, then #PF: serially", VEC_GP, F, VEC_PF, VEC_PF },
	{ "#SS, then #PF: serially", VEC_SS, F, VEC_PF, VEC_PF },
	{ "#GP, then #UD: serially", VEC_GP, F, VEC_UD, VEC_UD },
	/* Page fault first. */
	{ "#PF, then #PF: #DF", VEC_PF, F, VEC_PF, VEC_DF },
	{ "#PF, then #GP: #DF", VEC_PF, F, VEC_GP, VEC_DF },
	{ "#PF, then #NP: #DF", VEC_PF, F, VEC_NP, VEC_DF },
	{ "#PF, then #DB: serially", VEC_PF, F, VEC_DB, VEC_DB },
	/* Table 6-4's later rows: #CP is contributory, #VE a page fault (the fuzz target found both benign here). */
	{ "#CP, then #GP: #DF", VEC_CP, F, VEC_GP, VEC_DF },
	{ "#GP, then #CP: #DF", VEC_GP, F, VEC_CP, VEC_DF },
	{ "#PF, then #CP: #DF", VEC_PF, F, VEC_CP, VEC_DF },
	{ "#CP, then #PF: serially", VEC_CP, F, VEC_PF, VEC_PF },
	{ "#VE, then #PF: #DF", VEC_VE, F, VEC_PF, VEC_DF },
	{ "#VE, then #NP: #DF", VEC_VE, F, VEC_NP, VEC_DF },
	{ "#PF, then #VE: #DF", VEC_PF, F, VEC_VE, VEC_DF },
	{ "#GP, then #VE: serially", VEC_GP, F, VEC_VE, VEC_VE },
	{ "#VE, then #UD: serially", VEC_VE, F, VEC_UD, VEC_UD },
	{ "INT 21, then #GP: serially", VEC_CP, S, VEC_GP, VEC_GP },
	/* A double fault first: shutdown, whatever comes. */
	{ "#DF, then #PF: shutdown", VEC_DF, F, VEC_PF, EXCEPTION_SHUTDOWN },
	{ "#DF, then #GP: shutdown", VEC_DF, F, VEC_GP, EXCEPTION_SHUTDOWN },
	{ "#DF, then #NP: shutdown", VEC_DF, F, VEC_NP, EXCEPTION_SHUTDOWN },
	{ "#DF, then #UD: shutdown", VEC_DF, F, VEC_UD, EXCEPTION_SHUTDOWN },
};

START_TEST(rule)
{
	const struct row *r = &rows[_i];
	int got = exception_during_delivery(r->first, r->kind, r->second);

	ck_assert_msg(got == r->next, "%s: %d, expected %d", r->rule, got, r->next);
}
END_TEST

/*
 * A frame the guest's paging refuses is refused again for every exception
 * that follows on the same stack (hv/reflect.c): from any first event, a
 * #PF for each frame ends in shutdown within three deliveries.
 */
START_TEST(refused_frames_end_in_shutdown)
{
	for (unsigned first = 0; first < 256; first++) {
		for (int kind = F; kind <= X; kind++) {
			int e = exception_during_delivery(first, (enum exception_event)kind, VEC_PF);
			unsigned steps = 1;
			while (e != EXCEPTION_SHUTDOWN && steps < 10) {
				e = exception_during_delivery((unsigned)e, F, VEC_PF);
				steps++;
			}
			ck_assert_msg(e == EXCEPTION_SHUTDOWN && steps <= 3,
				      "vector %u kind %d: %u deliveries", first, kind, steps);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exception_rules");
	TCase *t = tcase_create("double_fault");
	tcase_add_loop_test(t, rule, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(t, refused_frames_end_in_shutdown);
	suite_add_tcase(s, t);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
