/*
 * tests/fuzz_host/fuzz_exception_rules.c: fuzzes the double-fault rule
 * (deprivilege/exception_rules.c), what an exception met while delivering
 * another becomes, against a reference model written from Intel SDM vol. 3,
 * 6.15, "Interrupt 8—Double Fault Exception (#DF)", Tables 6-4 and 6-5.
 * Runs on: host (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer).
 *
 * Input: records of three bytes: the first event's vector (u8), its kind
 * (u8: the value modulo 3 is exception, INT n or INTR; bit 7 asks for the
 * raw vectors below instead of the ones the header allows), the second
 * exception's vector (u8). Each record's second is also the next step of
 * a chain: what the CPU delivers next is the first event of the next record.
 *
 * Properties, from the SDM (not from the implementation's output):
 *   1. Well formed: the result is the second exception itself (its own
 *      error code, if the SDM gives it one), 8 (#DF, whose error code the
 *      SDM fixes at 0) or shutdown; never a third vector, for any
 *      arguments at all.
 *   2. Within the header's contract (an exception's vector below 32, INT n
 *      and INTR any vector, the second below 32), the result is the model's:
 *      Table 6-4's classes, Table 6-5's pairs, and shutdown for any
 *      exception met while delivering a #DF.
 *   3. Shutdown exactly when the first event is the exception #DF; a #DF
 *      only from an exception of the contributory or page-fault class, never
 *      from INT n or INTR whatever their vector.
 *   4. Deterministic: the same arguments give the same answer again, and
 *      after other calls.
 *   5. A chain of deliveries (each result delivered in turn, meeting the
 *      next record's exception) follows the model at every step, and a
 *      page fault met at every step shuts down within three deliveries
 *      (a stack the guest's paging refuses: hv/reflect.c).
 */
#include "deprivilege/exception_rules.h"
#include "lib/x86.h"
#include "tests/fuzz_host/fuzz_input.h"

/*
 * Table 6-4, "Interrupt and Exception Classes", by vector, for events the
 * CPU raised itself. The benign row: 1 #DB, 2 NMI, 3 #BP, 4 #OF, 5 #BR,
 * 6 #UD, 7 #NM, 9 coprocessor segment overrun, 16 #MF, 17 #AC, 18 #MC,
 * 19 #XM; the contributory row: 0 #DE, 10 #TS, 11 #NP, 12 #SS, 13 #GP,
 * 21 #CP (in the editions that describe CET); the page-fault row: 14 #PF,
 * 20 #VE. #DF (8) is in no row: the
 * section's own text says what follows it. The vectors the SDM reserves
 * (15, 22 to 31) no CPU raises; they are taken as benign, the only reading
 * that cannot invent a #DF.
 */
enum model_class { M_BENIGN, M_CONTRIBUTORY, M_PAGE_FAULT, M_DOUBLE_FAULT };

static const enum model_class model_table_6_4[32] = {
	[0] = M_CONTRIBUTORY, [1] = M_BENIGN,	     [2] = M_BENIGN,	  [3] = M_BENIGN,
	[4] = M_BENIGN,	      [5] = M_BENIGN,	     [6] = M_BENIGN,	  [7] = M_BENIGN,
	[8] = M_DOUBLE_FAULT, [9] = M_BENIGN,	     [10] = M_CONTRIBUTORY, [11] = M_CONTRIBUTORY,
	[12] = M_CONTRIBUTORY, [13] = M_CONTRIBUTORY, [14] = M_PAGE_FAULT, [15] = M_BENIGN,
	[16] = M_BENIGN,      [17] = M_BENIGN,	     [18] = M_BENIGN,	  [19] = M_BENIGN,
	[20] = M_PAGE_FAULT,  [21] = M_CONTRIBUTORY, /* 22..31 reserved: M_BENIGN (0) */
};

static enum model_class model_class(unsigned vector, enum exception_event kind)
{
	/* "All INT n" and "All INTR" are in the benign row, whatever n. */
	if (kind != EXCEPTION_EVENT_FAULT)
		return M_BENIGN;
	return model_table_6_4[vector];
}

/*
 * Table 6-5, "Conditions for Generating a Double Fault", first exception
 * down, second across:
 *                  benign      contributory   page fault
 *   benign         serially    serially       serially
 *   contributory   serially    #DF            serially
 *   page fault     serially    #DF            #DF
 * and "If another exception occurs while attempting to call the
 * double-fault handler, the processor enters shutdown mode."
 */
static int model_next(unsigned first, enum exception_event kind, unsigned second)
{
	static const int df[3][3] = {
		/* second:      benign contrib. page fault */
		[M_BENIGN] = { 0, 0, 0 },
		[M_CONTRIBUTORY] = { 0, 1, 0 },
		[M_PAGE_FAULT] = { 0, 1, 1 },
	};
	enum model_class a = model_class(first, kind);
	enum model_class b = model_class(second, EXCEPTION_EVENT_FAULT);

	if (a == M_DOUBLE_FAULT)
		return EXCEPTION_SHUTDOWN;
	/* A #DF met while delivering something else is an exception like another: benign. */
	if (b == M_DOUBLE_FAULT)
		b = M_BENIGN;
	return df[a][b] ? VEC_DF : (int)second;
}

static const char *const kind_names[3] = { "exception", "INT n", "INTR" };

/* Properties 1, 3 and 4 for any arguments; 2 within the contract. */
static int check_one(unsigned first, enum exception_event kind, unsigned second, int in_contract)
{
	int r = exception_during_delivery(first, kind, second);

	FUZZ_CHECK(r == (int)second || r == VEC_DF || r == EXCEPTION_SHUTDOWN,
		   "%s %u, then %u: result %d is a third vector", kind_names[kind], first, second, r);
	FUZZ_CHECK((r == EXCEPTION_SHUTDOWN) == (kind == EXCEPTION_EVENT_FAULT && first == VEC_DF),
		   "%s %u, then %u: result %d (shutdown only after the exception #DF)",
		   kind_names[kind], first, second, r);
	if (r == VEC_DF && (int)second != VEC_DF)
		FUZZ_CHECK(kind == EXCEPTION_EVENT_FAULT, "%s %u, then %u: a #DF from %s",
			   kind_names[kind], first, second, kind_names[kind]);
	FUZZ_CHECK(exception_during_delivery(first, kind, second) == r,
		   "%s %u, then %u: a second call answers differently", kind_names[kind], first,
		   second);
	if (in_contract) {
		int m = model_next(first, kind, second);

		FUZZ_CHECK(r == m, "%s %u, then exception %u: %d, the SDM's tables give %d",
			   kind_names[kind], first, second, r, m);
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	/* The chain: what the CPU is delivering now (property 5). */
	unsigned chain_vector = fuzz_u8(&in);
	enum exception_event chain_kind = (enum exception_event)(fuzz_u8(&in) % 3u);
	unsigned pf_steps = 0;
	int pf_vector;

	if (chain_kind == EXCEPTION_EVENT_FAULT)
		chain_vector %= 32u;
	/* A page fault at every step: #PF, #DF, shutdown at the latest. */
	pf_vector = check_one(chain_vector, chain_kind, VEC_PF, 1);
	for (pf_steps = 1; pf_vector != EXCEPTION_SHUTDOWN && pf_steps < 8; pf_steps++)
		pf_vector = check_one((unsigned)pf_vector, EXCEPTION_EVENT_FAULT, VEC_PF, 1);
	FUZZ_CHECK(pf_vector == EXCEPTION_SHUTDOWN && pf_steps <= 3,
		   "%s %u, then a #PF at every delivery: %u deliveries, not shut down",
		   kind_names[chain_kind], chain_vector, pf_steps);

	do {
		uint8_t first = fuzz_u8(&in);
		uint8_t how = fuzz_u8(&in);
		uint8_t second = fuzz_u8(&in);
		enum exception_event kind = (enum exception_event)((how & 0x7Fu) % 3u);

		if (how & 0x80u) {
			/* Outside the contract too: well formed, deterministic, no UB. */
			check_one(first, kind, second, 0);
			check_one((unsigned)first << 24 | second, kind, (unsigned)second << 24 | first, 0);
		}
		check_one(kind == EXCEPTION_EVENT_FAULT ? first % 32u : first, kind, second % 32u, 1);

		/* The chain delivers its current event and meets this record's exception. */
		int next = check_one(chain_vector, chain_kind, second % 32u, 1);
		if (next == EXCEPTION_SHUTDOWN) {
			/* The machine is reset; the next event starts afresh. */
			chain_vector = first;
			chain_kind = kind;
			if (kind == EXCEPTION_EVENT_FAULT)
				chain_vector %= 32u;
		} else {
			chain_vector = (unsigned)next;
			chain_kind = EXCEPTION_EVENT_FAULT;
		}
	} while (in.size > 0);
	return 0;
}
