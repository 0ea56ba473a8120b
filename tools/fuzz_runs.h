/*
 * tools/fuzz_runs.h: the fuzz guest's runs on one machine, for
 * `trapvisor fuzz` (tools/fuzz.c): sequence runs and cut runs, and the
 * state a campaign or replay shares between them. Runs on: host.
 */
#ifndef TV_TOOLS_FUZZ_RUNS_H
#define TV_TOOLS_FUZZ_RUNS_H

#include <capstone/capstone.h>
#include <limits.h>
#include <stdint.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/fuzz_cache.h"
#include "tools/fuzz_expect.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/print.h"
#include "tools/run.h"

#define FUZZ_CPU		"max"

/* The --patch names, by enum tv_fuzz_patch. */
extern const char *const fuzz_patch_names[TV_FUZZ_PATCHES];

struct fuzz_options {
	uint32_t seed, count, start;
	uint32_t *only;			/* --only: count sequence numbers, ascending; else NULL */
	struct tv_fuzz_mode mode;
	long replay;			/* -1: a campaign */
	uint32_t list;			/* unexpected results listed in full */
	double timeout_s;		/* 0: from the count */
	int no_cache;			/* run the bare machine again, keep nothing */
};

/* What one sequence did on one machine. */
struct fuzz_outcome {
	int have;			/* an F line came */
	struct tv_fuzz_line line;
	enum tv_run_end end;		/* when !have: how the run ended at it */
	int keep;			/* !have: the end may be kept (not a run's time limit) */
	char reason[200];
};

/* Where the time of a campaign went, by kind of run (for the closing line). */
enum fuzz_run_kind { FUZZ_RUNS_BARE, FUZZ_RUNS_HV, FUZZ_RUNS_BARE_CUTS, FUZZ_RUNS_HV_CUTS,
		     FUZZ_RUN_KINDS };

struct fuzz_env {
	struct tv_paths paths;
	char guest[PATH_MAX];
	const struct fuzz_options *o;
	struct fuzz_layout layout;
	int have_layout;
	csh cs;				/* Capstone, 32-bit: where the CPU's instructions begin */
	int have_cs;
	struct tv_fuzz_cache *cache;	/* the bare machine's kept results, or NULL */
	double run_s[FUZZ_RUN_KINDS];	/* QEMU's wall time */
	unsigned runs[FUZZ_RUN_KINDS];	/* boots */
	uint32_t bare_kept, cuts_kept;	/* results taken from the cache */
};

/* One cut run asked for: sequence k up to instruction n, and what each machine gave. */
struct cut_job {
	uint32_t k, n;
	int have_bare, have_virt;
	struct tv_fuzz_line bare, virt;
};

/*
 * Run sequences [first, first + count) on one machine into out[],
 * restarting after each sequence a run ended at; detail asks for the D
 * lines, echo prints every line (a replay). Returns 0, or the host status
 * of a run that could not start (set-up error, refusal).
 */
int fuzz_run_range(struct fuzz_env *env, enum tv_run_mode mode, uint32_t first, uint32_t count,
		   int detail, struct fuzz_outcome *out, struct tv_printer *echo);

/*
 * Run the sequences ks[0..count) (any numbers, in that order) on one
 * machine into out[i], in batches, as fuzz_run_range does a range.
 */
int fuzz_run_list(struct fuzz_env *env, enum tv_run_mode mode, const uint32_t *ks,
		  uint32_t count, struct fuzz_outcome *out);

/* Run every cut job on one machine, in batches; 0, or the host status as above. */
int fuzz_run_cuts(struct fuzz_env *env, enum tv_run_mode mode, struct cut_job *jobs,
		  size_t njobs, struct tv_printer *echo);

/*
 * The same on the bare machine for a campaign: what env->cache kept is
 * taken from it, only the rest runs, and what ran is kept.
 */
int fuzz_native_range(struct fuzz_env *env, uint32_t first, uint32_t count,
		      struct fuzz_outcome *out);

int fuzz_native_cuts(struct fuzz_env *env, struct cut_job *jobs, size_t njobs);

#endif
