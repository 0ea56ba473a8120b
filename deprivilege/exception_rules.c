/*
 * deprivilege/exception_rules.c: the double-fault rule (see
 * exception_rules.h).
 * Runs in: hypervisor, ring 0 (pure logic, no hardware), and on the host in
 * unit tests.
 */
#include "deprivilege/exception_rules.h"

#include "lib/x86.h"

/*
 * The SDM's three classes (Table 6-4); #DF, which no table names, apart.
 * The table puts #VE (20) beside the page fault and, in the editions that
 * describe CET, #CP (21) among the contributory exceptions; the vectors it reserves are in no class, and
 * count as benign here, since no CPU raises them.
 */
enum exception_class { BENIGN, CONTRIBUTORY, PAGE_FAULT, DOUBLE_FAULT };

static enum exception_class class_of(unsigned vector, enum exception_event kind)
{
	/* "All INT n" and "INTR" are in the benign column, whatever the vector. */
	if (kind != EXCEPTION_EVENT_FAULT)
		return BENIGN;
	switch (vector) {
	case VEC_DE: case VEC_TS: case VEC_NP: case VEC_SS: case VEC_GP: case VEC_CP:
		return CONTRIBUTORY;
	case VEC_PF: case VEC_VE:
		return PAGE_FAULT;
	case VEC_DF:
		return DOUBLE_FAULT;
	default:
		return BENIGN;
	}
}

int exception_during_delivery(unsigned first, enum exception_event kind, unsigned second)
{
	enum exception_class a = class_of(first, kind);
	enum exception_class b = class_of(second, EXCEPTION_EVENT_FAULT);

	/* "If another exception occurs while attempting to call the double-fault handler, the processor enters shutdown mode." */
	if (a == DOUBLE_FAULT)
		return EXCEPTION_SHUTDOWN;
	/* Table 6-5: contributory then contributory, page fault then contributory or page fault. */
	if ((a == CONTRIBUTORY && b == CONTRIBUTORY) ||
	    (a == PAGE_FAULT && (b == CONTRIBUTORY || b == PAGE_FAULT)))
		return VEC_DF;
	/* Every other pair: "Handle Exceptions Serially". */
	return (int)second;
}
