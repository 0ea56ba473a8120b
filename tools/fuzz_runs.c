/*
 * tools/fuzz_runs.c: the fuzz guest's runs for `trapvisor fuzz` on one
 * machine: sequence runs, started again after each sequence a run ended
 * at, and cut runs in batches; the bare machine's through the results kept
 * from earlier campaigns (tools/fuzz_cache.h). Runs on: host.
 */
#include "tools/fuzz_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli_args.h"
#include "tools/outcome.h"
#include "tools/print.h"
#include "tools/process.h"

/* A run's time limit: a boot, then a generous time per sequence. */
#define FUZZ_TIMEOUT_BASE_S	20.0
#define FUZZ_NATIVE_SEQ_S	0.005
#define FUZZ_HV_SEQ_S		0.05
#define FUZZ_CUTS_PER_RUN	400	/* cut=K.N words on one guest command line */
#define FUZZ_LIST_PER_RUN	400	/* seq=K words likewise */
/*
 * A sequence takes milliseconds (the guest's watchdog ends one after 55
 * ms): a run that prints nothing for this long hangs. Natively that is the
 * bare machine's (counted, and the run goes on after that sequence); under
 * the hypervisor it is a hang of the hypervisor's.
 */
#define FUZZ_IDLE_NATIVE_S	20.0
#define FUZZ_IDLE_HV_S		60.0

const char *const fuzz_patch_names[TV_FUZZ_PATCHES] = { "none", "popf", "all", "inline" };

struct range_ctx {
	struct fuzz_env *env;
	struct fuzz_outcome *out;	/* indexed by k - first, or as ks */
	uint32_t first, count;
	const uint32_t *ks;		/* a list run: the sequences, out[i] is ks[i]'s; else NULL */
	uint32_t next, end;		/* a list run: this run's lines are ks[next..end) */
	long last;			/* the highest k (a list: index) seen in this run, or -1 */
	int ended;			/* FUZZ-END came */
	const char *what;		/* "bare machine" or "hypervisor", for progress */
	uint32_t done;			/* lines over all runs, for progress */
	double since;			/* when the first run began */
	struct tv_printer *echo;	/* replay: print every line as it comes */
};

static void on_line(void *ctx, const struct tv_run_line *line)
{
	struct range_ctx *c = ctx;
	struct tv_fuzz_line l;

	if (c->echo)
		tv_print_line(c->echo, line);
	if (line->source != TV_LINE_GUEST)
		return;
	if (tv_fuzz_parse_line(line->text, line->text_len, &l) == 0 && c->ks) {
		for (uint32_t j = c->next; j < c->end; j++) {
			if (c->ks[j] != l.k)
				continue;
			c->out[j].have = 1;
			c->out[j].line = l;
			c->next = j + 1;
			c->last = (long)j;
			if (++c->done % 100 == 0)
				fprintf(stderr, TV_PROG ": fuzz: %s: %u of %u sequences of the list\n",
					c->what, c->done, c->count);
			break;
		}
	} else if (tv_fuzz_parse_line(line->text, line->text_len, &l) == 0) {
		if (l.k >= c->first && l.k - c->first < c->count) {
			c->out[l.k - c->first].have = 1;
			c->out[l.k - c->first].line = l;
			c->last = l.k;
			if (!c->echo && ++c->done % 1000 == 0)
				fprintf(stderr, TV_PROG ": fuzz: %s: %u of %u sequences (%.1f/s)\n",
					c->what, c->done, c->count,
					c->done / (tv_now() - c->since + 1e-9));
		}
	} else if (!c->env->have_layout &&
		   tv_fuzz_parse_layout(line->text, line->text_len, &c->env->layout) == 0) {
		c->env->have_layout = 1;
	} else if (line->text_len >= 8 && memcmp(line->text, "FUZZ-END", 8) == 0) {
		c->ended = 1;
	}
}

/* One run of the fuzz guest on one machine, for n sequences (or cuts) named by argv. */
static void fuzz_run_config(struct tv_run_config *cfg, const struct fuzz_env *env,
			    enum tv_run_mode mode, char *const *argv, int argc, size_t n,
			    struct tv_printer *echo,
			    void (*line_fn)(void *ctx, const struct tv_run_line *line), void *ctx)
{
	const struct fuzz_options *o = env->o;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = mode;
	cfg->guest_path = env->guest;
	cfg->guest_argv = argv;
	cfg->guest_argc = argc;
	cfg->mem_mib = TV_MEM_MIB_DEFAULT;
	cfg->timeout_s = o->timeout_s > 0 ? o->timeout_s
		: FUZZ_TIMEOUT_BASE_S +
		  n * (mode == TV_MODE_NATIVE ? FUZZ_NATIVE_SEQ_S : FUZZ_HV_SEQ_S);
	cfg->idle_timeout_s = mode == TV_MODE_NATIVE ? FUZZ_IDLE_NATIVE_S : FUZZ_IDLE_HV_S;
	cfg->hv_path = env->paths.hv;
	cfg->cpu = FUZZ_CPU;
	cfg->ring = o->mode.ring;
	cfg->trace = echo != NULL;
	cfg->umip = o->mode.umip;
	cfg->direct = o->mode.direct;
	cfg->patch = o->mode.patch != TV_FUZZ_PATCH_NONE ? fuzz_patch_names[o->mode.patch] : NULL;
	cfg->on_line = line_fn;
	cfg->ctx = ctx;
}

/* tv_run, its wall time counted for the campaign's closing line. */
static void timed_run(struct fuzz_env *env, enum fuzz_run_kind kind, const struct tv_run_config *cfg,
		      struct tv_run_record *rec)
{
	double t0 = tv_now();

	tv_run(cfg, rec);
	env->run_s[kind] += tv_now() - t0;
	env->runs[kind]++;
}

/*
 * Sequence k, which a run on machine mode ended at before its line: how,
 * and whether that may be kept. The guest's triple fault under the
 * hypervisor is its end as the bare machine's reset is: a line to compare.
 */
/*
 * After a sequence run: a signal that interrupted it is raised again; a run
 * that never started (refused, or no layout line came) is reported and its
 * host status returned, the record freed; 0 when it ran.
 */
static int run_did_not_start(const struct fuzz_env *env, const struct range_ctx *c,
			     struct tv_run_record *rec)
{
	if (rec->interrupted_by) {
		tv_run_record_free(rec);
		tv_process_reraise(rec->interrupted_by);
	}
	if (rec->end != TV_END_NONE && rec->end != TV_END_REFUSED &&
	    (c->last >= 0 || env->have_layout))
		return 0;
	fprintf(stderr, TV_PROG ": fuzz: the %s's run did not start: %s%s%s\n", c->what,
		tv_end_name(rec->end), rec->message[0] || rec->reason ? ": " : "",
		rec->message[0] ? rec->message : rec->reason ? rec->reason : "");
	int status = rec->host_status ? rec->host_status : TV_STATUS_NO_RESULT;
	tv_run_record_free(rec);
	return status;
}

static void mark_ended(struct fuzz_outcome *f, const struct tv_run_record *rec,
		       enum tv_run_mode mode, uint32_t k)
{
	f->have = 0;
	f->end = rec->end;
	/*
	 * A reset, or no line for the idle time, is the sequence's own; the
	 * whole run's time limit running out is the host's.
	 */
	f->keep = rec->end != TV_END_TIMEOUT || strncmp(rec->message, "no line for", 11) == 0;
	snprintf(f->reason, sizeof(f->reason), "%s%s%s", tv_end_name(rec->end),
		 rec->reason && *rec->reason ? ": " : "", rec->reason ? rec->reason : "");
	if (rec->end == TV_END_GUEST)
		snprintf(f->reason, sizeof(f->reason), "the guest exited with status %lld",
			 (long long)rec->guest_status);
	if (mode == TV_MODE_HV && rec->end == TV_END_STOPPED &&
	    tv_fuzz_shutdown_line(rec->reason, k, &f->line))
		f->have = 1;
}

int fuzz_run_range(struct fuzz_env *env, enum tv_run_mode mode, uint32_t first, uint32_t count,
		   int detail, struct fuzz_outcome *out, struct tv_printer *echo)
{
	const struct fuzz_options *o = env->o;
	struct range_ctx c = {
		.env = env, .out = out, .first = first, .count = count, .echo = echo,
		.what = mode == TV_MODE_NATIVE ? "bare machine" : "hypervisor",
		.since = tv_now(),
	};
	uint32_t k = first;
	unsigned restarts = 0;

	while (k - first < count) {
		char a_seed[32], a_start[32], a_count[32], a_detail[] = "detail";
		char *argv[] = { a_seed, a_start, a_count, a_detail };
		struct tv_run_config cfg;
		struct tv_run_record rec;
		uint32_t n = count - (k - first);

		snprintf(a_seed, sizeof(a_seed), "seed=%u", o->seed);
		snprintf(a_start, sizeof(a_start), "start=%u", k);
		snprintf(a_count, sizeof(a_count), "count=%u", n);
		fuzz_run_config(&cfg, env, mode, argv, detail ? 4 : 3, n, echo, on_line, &c);
		c.last = -1;
		c.ended = 0;

		timed_run(env, mode == TV_MODE_NATIVE ? FUZZ_RUNS_BARE : FUZZ_RUNS_HV, &cfg, &rec);
		int status = run_did_not_start(env, &c, &rec);
		if (status)
			return status;
		if (c.ended && rec.end == TV_END_GUEST && rec.guest_status == 0) {
			tv_run_record_free(&rec);
			break;
		}
		uint32_t at = c.last < 0 ? k : (uint32_t)c.last + 1;
		if (at - first < count)
			mark_ended(&out[at - first], &rec, mode, at);
		tv_run_record_free(&rec);
		k = at + 1;
		if (!echo && ++restarts % 10 == 0)
			fprintf(stderr, TV_PROG ": fuzz: %s: %u restarts so far, at sequence %u "
				"(%.1f sequences/s)\n", c.what, restarts, k,
				(k - first) / (tv_now() - c.since + 1e-9));
	}
	return 0;
}

/*
 * A list run: FUZZ_LIST_PER_RUN seq=K words to a boot, in the list's
 * order; a sequence a run ended at is marked as fuzz_run_range does, and
 * the next run starts after it.
 */
int fuzz_run_list(struct fuzz_env *env, enum tv_run_mode mode, const uint32_t *ks,
		  uint32_t count, struct fuzz_outcome *out)
{
	const struct fuzz_options *o = env->o;
	struct range_ctx c = {
		.env = env, .out = out, .count = count, .ks = ks,
		.what = mode == TV_MODE_NATIVE ? "bare machine" : "hypervisor",
		.since = tv_now(),
	};
	uint32_t at = 0;

	while (at < count) {
		uint32_t n = count - at < FUZZ_LIST_PER_RUN ? count - at : FUZZ_LIST_PER_RUN;
		char **argv = calloc(n + 1, sizeof(char *));
		char *words = calloc(n + 1, 32);
		struct tv_run_config cfg;
		struct tv_run_record rec;

		if (!argv || !words) {
			free(argv);
			free(words);
			fputs(TV_PROG ": out of memory\n", stderr);
			return TV_STATUS_NO_RESULT;
		}
		argv[0] = words;
		snprintf(argv[0], 32, "seed=%u", o->seed);
		for (uint32_t j = 0; j < n; j++) {
			argv[j + 1] = words + 32 * (j + 1);
			snprintf(argv[j + 1], 32, "seq=%u", ks[at + j]);
		}
		fuzz_run_config(&cfg, env, mode, argv, (int)n + 1, n, NULL, on_line, &c);
		c.next = at;
		c.end = at + n;
		c.last = -1;
		c.ended = 0;
		timed_run(env, mode == TV_MODE_NATIVE ? FUZZ_RUNS_BARE : FUZZ_RUNS_HV, &cfg, &rec);
		free(argv);
		free(words);
		int status = run_did_not_start(env, &c, &rec);
		if (status)
			return status;
		if (c.ended && rec.end == TV_END_GUEST && rec.guest_status == 0) {
			tv_run_record_free(&rec);
			at += n;
			continue;
		}
		uint32_t stop = c.last < 0 ? at : (uint32_t)c.last + 1;
		if (stop < at + n)
			mark_ended(&out[stop], &rec, mode, ks[stop]);
		tv_run_record_free(&rec);
		at = stop + 1;
	}
	return 0;
}

/* ---- cut runs ---- */

struct cuts_ctx {
	struct cut_job *jobs;
	size_t first, count;		/* this run's jobs */
	size_t next;			/* the job the next C line should be */
	long last;			/* the last job a line came for, or -1 */
	int ended, native;
	struct tv_printer *echo;
};

static void on_cut_line(void *ctx, const struct tv_run_line *line)
{
	struct cuts_ctx *c = ctx;
	struct tv_fuzz_line l;
	uint32_t n;

	if (c->echo)
		tv_print_line(c->echo, line);
	if (line->source != TV_LINE_GUEST)
		return;
	if (tv_fuzz_parse_cut_line(line->text, line->text_len, &l, &n) == 0) {
		for (size_t j = c->next; j < c->first + c->count; j++) {
			struct cut_job *job = &c->jobs[j];
			if (job->k != l.k || job->n != n)
				continue;
			if (c->native)
				job->have_bare = 1, job->bare = l;
			else
				job->have_virt = 1, job->virt = l;
			c->next = j + 1;
			c->last = (long)j;
			break;
		}
	} else if (line->text_len >= 8 && memcmp(line->text, "FUZZ-END", 8) == 0) {
		c->ended = 1;
	}
}

/*
 * Run every cut job on one machine, FUZZ_CUTS_PER_RUN to a boot; a job a
 * run ended at is left without a line and the next run starts after it.
 */
int fuzz_run_cuts(struct fuzz_env *env, enum tv_run_mode mode, struct cut_job *jobs,
		  size_t njobs, struct tv_printer *echo)
{
	const struct fuzz_options *o = env->o;
	size_t at = 0;
	unsigned runs = 0;

	while (at < njobs) {
		size_t n = njobs - at < FUZZ_CUTS_PER_RUN ? njobs - at : FUZZ_CUTS_PER_RUN;
		char **argv = calloc(n + 2, sizeof(char *));
		char *words = calloc(n + 2, 32);
		struct cuts_ctx c = { .jobs = jobs, .first = at, .count = n, .next = at, .last = -1,
				      .native = mode == TV_MODE_NATIVE, .echo = echo };
		struct tv_run_config cfg;
		struct tv_run_record rec;

		if (!argv || !words) {
			free(argv);
			free(words);
			fputs(TV_PROG ": out of memory\n", stderr);
			return TV_STATUS_NO_RESULT;
		}
		argv[0] = words;
		snprintf(argv[0], 32, "seed=%u", o->seed);
		for (size_t j = 0; j < n; j++) {
			argv[j + 1] = words + 32 * (j + 1);
			snprintf(argv[j + 1], 32, "cut=%u.%u", jobs[at + j].k, jobs[at + j].n);
		}
		fuzz_run_config(&cfg, env, mode, argv, (int)n + 1, n, echo, on_cut_line, &c);
		timed_run(env, mode == TV_MODE_NATIVE ? FUZZ_RUNS_BARE_CUTS : FUZZ_RUNS_HV_CUTS, &cfg,
			  &rec);
		free(argv);
		free(words);
		if (rec.interrupted_by) {
			tv_run_record_free(&rec);
			tv_process_reraise(rec.interrupted_by);
		}
		int done = c.ended && rec.end == TV_END_GUEST && rec.guest_status == 0;
		if (!done && c.last < 0 && (rec.end == TV_END_NONE || rec.end == TV_END_REFUSED)) {
			fprintf(stderr, TV_PROG ": fuzz: a cut run did not start: %s\n",
				tv_end_name(rec.end));
			int status = rec.host_status ? rec.host_status : TV_STATUS_NO_RESULT;
			tv_run_record_free(&rec);
			return status;
		}
		tv_run_record_free(&rec);
		/* Past the job the run ended at (it has no line), or past the whole batch. */
		at = done ? at + n : (c.last < 0 ? at : (size_t)c.last + 1) + 1;
		if (!echo && ++runs % 10 == 0 && at < njobs)
			fprintf(stderr, TV_PROG ": fuzz: %s: %zu of %zu cut runs\n",
				mode == TV_MODE_NATIVE ? "bare machine" : "hypervisor", at, njobs);
	}
	return 0;
}


/* ---- the bare machine's kept results ---- */

static void take_layout(struct fuzz_env *env)
{
	struct tv_fuzz_cache *cache = env->cache;

	if (cache->have_layout && !env->have_layout) {
		env->layout = cache->layout;
		env->have_layout = 1;
	}
}

static void keep_layout(struct fuzz_env *env)
{
	const struct fuzz_layout *l = &env->layout;
	char line[200];

	if (env->cache->have_layout || !env->have_layout)
		return;
	int n = snprintf(line, sizeof(line),
			 "FUZZ-LAYOUT code=0x%x end=0x%x scratch=0x%x stack=0x%x tables=0x%x cr3=0x%x",
			 l->code, l->end, l->scratch, l->stack_top, l->tables, l->cr3);
	tv_fuzz_cache_put_layout(env->cache, line, (size_t)n);
}

int fuzz_native_range(struct fuzz_env *env, uint32_t first, uint32_t count,
		      struct fuzz_outcome *out)
{
	struct tv_fuzz_cache *cache = env->cache;
	int r = 0;

	if (!cache || tv_fuzz_cache_lock(cache) != 0)
		return fuzz_run_range(env, TV_MODE_NATIVE, first, count, 0, out, NULL);
	take_layout(env);
	for (uint32_t i = 0; i < count; i++) {
		const struct tv_fuzz_cached *kept = &cache->seq[first - cache->first + i];
		if (kept->state == TV_FUZZ_CACHED_LINE) {
			out[i].have = 1;
			out[i].line = kept->line;
		} else if (kept->state == TV_FUZZ_CACHED_ENDED) {
			out[i].end = (enum tv_run_end)kept->end;
			out[i].keep = 1;
			snprintf(out[i].reason, sizeof(out[i].reason), "%s", kept->reason);
		} else {
			continue;
		}
		env->bare_kept++;
	}
	/* Each stretch of sequences not kept runs as a range of its own. */
	for (uint32_t i = 0; i < count && r == 0;) {
		uint32_t j = i;
		if (cache->seq[first - cache->first + i].state) {
			i++;
			continue;
		}
		while (j < count && !cache->seq[first - cache->first + j].state)
			j++;
		r = fuzz_run_range(env, TV_MODE_NATIVE, first + i, j - i, 0, out + i, NULL);
		for (uint32_t m = i; m < j && r == 0; m++) {
			if (out[m].have)
				tv_fuzz_cache_put_line(cache, &out[m].line);
			else if (out[m].end != TV_END_NONE && out[m].keep)
				tv_fuzz_cache_put_ended(cache, first + m, out[m].end, out[m].reason);
		}
		i = j;
	}
	keep_layout(env);
	tv_fuzz_cache_unlock(cache);
	if (env->bare_kept)
		fprintf(stderr, TV_PROG ": fuzz: bare machine: %u of %u sequences as an earlier "
			"campaign ran them (--no-cache runs them again)\n", env->bare_kept, count);
	return r;
}

int fuzz_native_cuts(struct fuzz_env *env, struct cut_job *jobs, size_t njobs)
{
	struct tv_fuzz_cache *cache = env->cache;
	struct cut_job *todo;
	size_t *todo_of, ntodo = 0;
	int r;

	if (!cache || tv_fuzz_cache_lock(cache) != 0)
		return fuzz_run_cuts(env, TV_MODE_NATIVE, jobs, njobs, NULL);
	todo = calloc(njobs, sizeof(*todo));
	todo_of = calloc(njobs, sizeof(*todo_of));
	if (!todo || !todo_of) {
		free(todo);
		free(todo_of);
		tv_fuzz_cache_unlock(cache);
		return fuzz_run_cuts(env, TV_MODE_NATIVE, jobs, njobs, NULL);
	}
	for (size_t j = 0; j < njobs; j++) {
		const struct tv_fuzz_cached_cut *kept = tv_fuzz_cache_cut(cache, jobs[j].k, jobs[j].n);
		if (kept) {
			jobs[j].have_bare = kept->have;
			jobs[j].bare = kept->line;
			env->cuts_kept++;
			continue;
		}
		todo_of[ntodo] = j;
		todo[ntodo++] = (struct cut_job){ .k = jobs[j].k, .n = jobs[j].n };
	}
	r = ntodo ? fuzz_run_cuts(env, TV_MODE_NATIVE, todo, ntodo, NULL) : 0;
	for (size_t t = 0; t < ntodo && r == 0; t++) {
		struct cut_job *job = &jobs[todo_of[t]];
		job->have_bare = todo[t].have_bare;
		job->bare = todo[t].bare;
		/* A cut that did not finish explains nothing: keeping it hides no finding. */
		tv_fuzz_cache_put_cut(cache, job->k, job->n, job->have_bare ? &job->bare : NULL);
	}
	tv_fuzz_cache_unlock(cache);
	free(todo);
	free(todo_of);
	return r;
}
