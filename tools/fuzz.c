/*
 * tools/fuzz.c: `trapvisor fuzz`: the differential fuzzer's campaigns and
 * replays. Runs on: host.
 *
 * 1. Run the fuzz guest (guests/fuzz) on the bare machine with the seed:
 *    one `F` line per sequence. A run that ends before FUZZ-END (the bare
 *    machine reset, or hung) marks the next sequence as not finished and
 *    is started again after it.
 * 2. The same under the hypervisor, in the ring, patch and UMIP mode asked
 *    for; a run it stops, crashes in or lets hang marks that sequence so,
 *    and goes on after it. Both use QEMU's `max` CPU, as classify does, so
 *    the bare machine has what --umip needs and CPUID agrees.
 * 3. For each divergence a row of tools/fuzz_expect.c might explain, run
 *    the sequence again cut before and after each instruction the row
 *    names (the guest's cut=K.N), on both machines, batched: the row holds
 *    only where the first difference comes.
 * 4. Compare sequence by sequence: equal, divergent (expected by a row of
 *    tools/fuzz_expect.c, or not), stopped (a documented stop met at an
 *    instruction of the sequence, or not), crashed, hung. The generator
 *    runs here too (guests/fuzz/fuzz_gen.c), from the layout the guest
 *    reported, so an unexpected one is listed with its bytes and
 *    Capstone's reading of them.
 * --replay K runs sequence K alone, both ways, the hypervisor with its
 * trace, and shows the state each ended in register by register.
 */
#include "tools/fuzz.h"

#include <capstone/capstone.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/cli_args.h"
#include "tools/fuzz_expect.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/print.h"
#include "tools/process.h"
#include "tools/run.h"

#define FUZZ_GUEST		"fuzz"
#define FUZZ_CPU		"max"
#define FUZZ_COUNT_MAX		10000000L
#define FUZZ_LISTED_DEFAULT	20	/* unexpected results shown in full */
/* A run's time limit: a boot, then a generous time per sequence. */
#define FUZZ_TIMEOUT_BASE_S	20.0
#define FUZZ_NATIVE_SEQ_S	0.005
#define FUZZ_HV_SEQ_S		0.05
#define FUZZ_CUTS_PER_RUN	400	/* cut=K.N words on one guest command line */
/*
 * A sequence takes milliseconds (the guest's watchdog ends one after 55
 * ms): a run that prints nothing for this long hangs. Natively that is the
 * bare machine's (counted, and the run goes on after that sequence); under
 * the hypervisor it is a hang of the hypervisor's.
 */
#define FUZZ_IDLE_NATIVE_S	20.0
#define FUZZ_IDLE_HV_S		60.0

/* Exit statuses beyond the shared ones (the help lists them all). */
#define TV_FUZZ_STATUS_FINDINGS	1

const char tv_fuzz_help[] =
	"Each sequence is random bytes, prefixes and the privileged and sensitive\n"
	"instructions with random operands (frames with odd selectors and flags, DF\n"
	"and every EFLAGS bit), run from a known state in the fuzz guest with every\n"
	"exception caught and a watchdog; its end state is one line. The counts:\n"
	"  equal        the same end state on both machines\n"
	"  divergent    not the same: expected when a row of docs/fuzz.md explains\n"
	"               it, unexpected otherwise\n"
	"  stopped      the hypervisor stopped the guest: documented when the stop\n"
	"               is one the guest contract lists, met in the sequence itself\n"
	"  crashed      the hypervisor panicked or QEMU ended without a result\n"
	"  hung         the run under the hypervisor timed out\n"
	"  bare ended   the bare machine did not finish the sequence (reset, hang);\n"
	"               not counted against the hypervisor\n"
	"  unrepeated   divergent and unexplained in the run, but equal when run\n"
	"               again apart: state left by earlier sequences; not a finding\n"
	"Unexpected results are listed with the sequence's number, its bytes and\n"
	"their disassembly; --replay K shows one in detail.\n"
	"\n"
	"options:\n"
	"  --seed S      the campaign's seed, 0 to 4294967295 (default 1)\n"
	"  --count N     sequences to run (default 1000)\n"
	"  --start K     the first sequence's number (default 0)\n"
	"  --ring R      the ring the guest kernel runs in: 1 (default) or 3\n"
	"  --patch P     none (default), popf or all (only the guest's own code is\n"
	"                patched; generated sequences never are)\n"
	"  --umip        the hypervisor sets CR4.UMIP\n"
	"  --list N      list up to N unexpected results in full (default 20)\n"
	"  --replay K    run sequence K alone, both ways, with the hypervisor's trace\n"
	"  --timeout S   the time limit of one run, in seconds (default: 20 plus a\n"
	"                share per sequence)\n"
	"Progress goes to stderr.\n"
	"\n"
	"exit status:\n"
	"  0  no crash, hang, unexpected divergence or unexpected stop\n"
	"  1  an unexpected divergence or stop (listed)\n"
	"  2  usage or set-up error\n"
	"  3  the hypervisor refused the configuration\n"
	"  5  a run under the hypervisor hung (timeout)\n"
	"  6  the hypervisor crashed (panic, or no result)\n";

struct fuzz_options {
	uint32_t seed, count, start;
	struct tv_fuzz_mode mode;
	long replay;			/* -1: a campaign */
	uint32_t list;			/* unexpected results listed in full */
	double timeout_s;		/* 0: from the count */
};

/* What one sequence did on one machine. */
struct fuzz_outcome {
	int have;			/* an F line came */
	struct tv_fuzz_line line;
	enum tv_run_end end;		/* when !have: how the run ended at it */
	char reason[200];
};

#define usage_error(...)	tv_cli_usage_error("fuzz", __VA_ARGS__)

static const char *const patch_names[] = { "none", "popf", "all" };

/* ---- options ---- */

static int parse_u32(const char *opt, const char *v, long max, uint32_t *out)
{
	long n;

	if (!v)
		return usage_error("%s needs a value", opt);
	if (strlen(v) > 10 || (n = tv_cli_parse_long(v, 0, max)) < 0)
		return usage_error("%s %s: give a whole number from 0 to %ld", opt, v, max);
	*out = (uint32_t)n;
	return 0;
}

static int parse(int argc, char **argv, struct fuzz_options *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->count = 1000;
	o->mode.ring = 1;
	o->replay = -1;
	o->list = FUZZ_LISTED_DEFAULT;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		uint32_t n;
		int r;

		if (tv_cli_is_help(a))
			return TV_CLI_WANTS_HELP;
		if (strcmp(a, "--umip") == 0) {
			o->mode.umip = 1;
		} else if (tv_cli_is_option(a, "--seed")) {
			if ((r = parse_u32("--seed", tv_cli_option_value(argc, argv, &i, "--seed"),
					   0xFFFFFFFFL, &o->seed)))
				return r;
		} else if (tv_cli_is_option(a, "--count")) {
			if ((r = parse_u32("--count", tv_cli_option_value(argc, argv, &i, "--count"),
					   FUZZ_COUNT_MAX, &o->count)))
				return r;
			if (o->count == 0)
				return usage_error("--count 0: give at least 1");
		} else if (tv_cli_is_option(a, "--start")) {
			if ((r = parse_u32("--start", tv_cli_option_value(argc, argv, &i, "--start"),
					   0xFFFFFFFFL - FUZZ_COUNT_MAX, &o->start)))
				return r;
		} else if (tv_cli_is_option(a, "--list")) {
			if ((r = parse_u32("--list", tv_cli_option_value(argc, argv, &i, "--list"),
					   FUZZ_COUNT_MAX, &o->list)))
				return r;
		} else if (tv_cli_is_option(a, "--replay")) {
			if ((r = parse_u32("--replay", tv_cli_option_value(argc, argv, &i, "--replay"),
					   0xFFFFFFFFL, &n)))
				return r;
			o->replay = n;
		} else if (tv_cli_is_option(a, "--ring")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--ring")))
				return usage_error("--ring needs a value");
			if (strcmp(v, "1") && strcmp(v, "3"))
				return usage_error("--ring %s: give 1 or 3", v);
			o->mode.ring = v[0] - '0';
		} else if (tv_cli_is_option(a, "--patch")) {
			int p = -1;
			if (!(v = tv_cli_option_value(argc, argv, &i, "--patch")))
				return usage_error("--patch needs a value");
			for (int j = 0; j < 3; j++)
				if (strcmp(v, patch_names[j]) == 0)
					p = j;
			if (p < 0)
				return usage_error("--patch %s: give none, popf or all", v);
			o->mode.patch = (enum tv_fuzz_patch)p;
		} else if (tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option("fuzz", argc, argv, &i, &o->timeout_s)))
				return r;
		} else if (a[0] == '-') {
			return usage_error("unknown option '%s' for 'fuzz'", a);
		} else {
			return usage_error("unexpected argument '%s' for 'fuzz'", a);
		}
	}
	return 0;
}

/* ---- runs ---- */

struct fuzz_env {
	struct tv_paths paths;
	char guest[PATH_MAX];
	const struct fuzz_options *o;
	struct fuzz_layout layout;
	int have_layout;
	csh cs;				/* Capstone, 32-bit: where the CPU's instructions begin */
	int have_cs;
};

struct range_ctx {
	struct fuzz_env *env;
	struct fuzz_outcome *out;	/* indexed by k - first */
	uint32_t first, count;
	long last;			/* the highest k seen in this run, or -1 */
	int ended;			/* FUZZ-END came */
	const char *what;		/* "bare machine" or "hypervisor", for progress */
	uint32_t done;			/* lines over all runs, for progress */
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
	if (tv_fuzz_parse_line(line->text, line->text_len, &l) == 0) {
		if (l.k >= c->first && l.k - c->first < c->count) {
			c->out[l.k - c->first].have = 1;
			c->out[l.k - c->first].line = l;
			c->last = l.k;
			if (!c->echo && ++c->done % 1000 == 0)
				fprintf(stderr, TV_PROG ": fuzz: %s: %u of %u sequences\n", c->what,
					c->done, c->count);
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
	cfg->patch = o->mode.patch != TV_FUZZ_PATCH_NONE ? patch_names[o->mode.patch] : NULL;
	cfg->on_line = line_fn;
	cfg->ctx = ctx;
}

/*
 * Run sequences [first, first + count) on one machine into out[],
 * restarting after each sequence a run ended at. Returns 0, or the host
 * status of a run that could not start (set-up error, refusal).
 */
static int run_range(struct fuzz_env *env, enum tv_run_mode mode, uint32_t first, uint32_t count,
		     int detail, struct fuzz_outcome *out, struct tv_printer *echo)
{
	const struct fuzz_options *o = env->o;
	struct range_ctx c = {
		.env = env, .out = out, .first = first, .count = count, .echo = echo,
		.what = mode == TV_MODE_NATIVE ? "bare machine" : "hypervisor",
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

		tv_run(&cfg, &rec);
		if (rec.interrupted_by) {
			tv_run_record_free(&rec);
			tv_process_reraise(rec.interrupted_by);
		}
		if (rec.end == TV_END_NONE || rec.end == TV_END_REFUSED ||
		    (c.last < 0 && !env->have_layout)) {
			fprintf(stderr, TV_PROG ": fuzz: the %s's run did not start: %s%s%s\n", c.what,
				tv_end_name(rec.end), rec.message[0] || rec.reason ? ": " : "",
				rec.message[0] ? rec.message : rec.reason ? rec.reason : "");
			int status = rec.host_status ? rec.host_status : TV_STATUS_NO_RESULT;
			tv_run_record_free(&rec);
			return status;
		}
		if (c.ended && rec.end == TV_END_GUEST && rec.guest_status == 0) {
			tv_run_record_free(&rec);
			break;
		}
		uint32_t at = c.last < 0 ? k : (uint32_t)c.last + 1;
		if (at - first < count) {
			struct fuzz_outcome *f = &out[at - first];
			f->have = 0;
			f->end = rec.end;
			snprintf(f->reason, sizeof(f->reason), "%s%s%s", tv_end_name(rec.end),
				 rec.reason && *rec.reason ? ": " : "", rec.reason ? rec.reason : "");
			if (rec.end == TV_END_GUEST)
				snprintf(f->reason, sizeof(f->reason), "the guest exited with status %lld",
					 (long long)rec.guest_status);
		}
		tv_run_record_free(&rec);
		k = at + 1;
		if (!echo && ++restarts % 10 == 0)
			fprintf(stderr, TV_PROG ": fuzz: %s: %u restarts so far, at sequence %u\n",
				c.what, restarts, k);
	}
	return 0;
}

/* ---- where the CPU's instructions begin ---- */

/*
 * sync[i]: whether seq->insn[i] begins where the CPU, decoding from the
 * sequence's first byte, begins an instruction (tv_fuzz_cuts_needed).
 * Past bytes Capstone does not decode every item counts as whole: the CPU
 * faults there, or reads them its own way.
 */
static void sequence_sync(struct fuzz_env *env, const struct fuzz_seq *seq, uint8_t *sync)
{
	uint8_t starts[FUZZ_CODE_MAX + 1] = { 0 };
	size_t off = 0;

	if (env->have_cs) {
		cs_insn *insn = cs_malloc(env->cs);
		while (insn && off < seq->len) {
			const uint8_t *p = seq->code + off;
			size_t size = seq->len - off;
			uint64_t addr = env->layout.code + off;
			starts[off] = 1;
			if (!cs_disasm_iter(env->cs, &p, &size, &addr, insn))
				break;
			off = (size_t)(p - seq->code);
		}
		if (insn)
			cs_free(insn, 1);
	}
	for (; off <= seq->len; off++)
		starts[off] = 1;
	for (unsigned i = 0; i < seq->ninsn; i++)
		sync[i] = starts[seq->insn[i].off];
}

/* ---- cut runs ---- */

/* One cut run asked for: sequence k up to instruction n, and what each machine gave. */
struct cut_job {
	uint32_t k, n;
	int have_bare, have_virt;
	struct tv_fuzz_line bare, virt;
};

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
static int run_cuts(struct fuzz_env *env, enum tv_run_mode mode, struct cut_job *jobs,
		    size_t njobs, struct tv_printer *echo)
{
	const struct fuzz_options *o = env->o;
	size_t at = 0;

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
		tv_run(&cfg, &rec);
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
	}
	return 0;
}

/* The cuts of one sequence's jobs, for tv_fuzz_expected. */
static unsigned cuts_of(const struct cut_job *jobs, size_t first, unsigned n,
			struct tv_fuzz_cut *out)
{
	for (unsigned j = 0; j < n; j++) {
		const struct cut_job *job = &jobs[first + j];
		out[j].n = job->n;
		out[j].have = job->have_bare && job->have_virt;
		out[j].bare = job->bare;
		out[j].virt = job->virt;
	}
	return n;
}

/* ---- showing a sequence ---- */

static void print_sequence(FILE *f, const struct fuzz_layout *lay, const struct fuzz_seq *seq,
			   const char *indent)
{
	csh cs;
	cs_insn *insn = NULL;
	size_t n = 0, off = 0;

	fprintf(f, "%sbytes:", indent);
	for (unsigned i = 0; i < seq->len; i++)
		fprintf(f, " %02x", seq->code[i]);
	fprintf(f, "\n%sgenerated:", indent);
	for (unsigned i = 0; i < seq->ninsn; i++)
		if (seq->insn[i].kind != FUZZ_K_SETUP)
			fprintf(f, " %s", fuzz_kind_name(seq->insn[i].kind));
	fprintf(f, "\n%sstart: eflags %08x fs %04x gs %04x\n", indent, seq->eflags, seq->fs, seq->gs);
	if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
		return;
	n = cs_disasm(cs, seq->code, seq->len, lay->code, 0, &insn);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s  %08x  %s %s\n", indent, (unsigned)insn[i].address, insn[i].mnemonic,
			insn[i].op_str);
		off = (size_t)(insn[i].address - lay->code) + insn[i].size;
	}
	if (off < seq->len)
		fprintf(f, "%s  %08x  (%zu bytes Capstone does not decode)\n", indent,
			(unsigned)(lay->code + off), seq->len - off);
	if (insn)
		cs_free(insn, n);
	cs_close(&cs);
}

static void print_line(FILE *f, const char *who, const struct fuzz_outcome *o)
{
	char vb[32];

	if (!o->have) {
		fprintf(f, "    %-13s %s\n", who, o->reason);
		return;
	}
	const char *vec = o->line.vector == TV_FUZZ_VEC_DONE ? "end reached"
			: o->line.vector == TV_FUZZ_VEC_TICK ? "watchdog tick"
			: tv_vector_name(o->line.vector, vb, sizeof(vb));
	fprintf(f, "    %-13s %-13s error %x eflags %08x eip %08x state %08x memory %08x\n", who,
		vec, o->line.error, o->line.eflags, o->line.eip, o->line.state, o->line.mem);
}

/* ---- the campaign ---- */

enum verdict {
	V_EQUAL, V_EXPECTED, V_UNEXPECTED, V_STOP_DOC, V_STOP_UNEXPECTED, V_CRASHED, V_HUNG,
	V_BARE_ENDED,
	V_UNREPEATED,	/* an unexpected divergence that is gone when the sequence runs again apart */
	V_VERDICTS
};

static enum verdict judge(const struct fuzz_env *env, const struct fuzz_seq *seq,
			  const uint8_t *sync,
			  const struct fuzz_outcome *bare, const struct fuzz_outcome *virt,
			  const struct tv_fuzz_cut *cuts, unsigned ncuts,
			  const struct tv_fuzz_rule **rule, int *first)
{
	*rule = NULL;
	*first = -1;
	if (virt->have) {
		if (!bare->have)
			return V_BARE_ENDED;
		if (!tv_fuzz_diff(&bare->line, &virt->line))
			return V_EQUAL;
		struct tv_fuzz_mode mode = env->o->mode;
		mode.lay = &env->layout;
		*rule = tv_fuzz_expected(&mode, seq, sync, &bare->line, &virt->line, cuts, ncuts,
					 first);
		return *rule ? V_EXPECTED : V_UNEXPECTED;
	}
	switch (virt->end) {
	case TV_END_PANIC:
	case TV_END_NO_EXIT:
		return V_CRASHED;
	case TV_END_TIMEOUT:
		return bare->have ? V_HUNG : V_BARE_ENDED;
	case TV_END_STOPPED:
		if (!bare->have)
			return V_BARE_ENDED;
		return tv_fuzz_expected_stop(virt->reason, env->layout.code) ? V_STOP_DOC
									      : V_STOP_UNEXPECTED;
	default:
		return bare->have ? V_STOP_UNEXPECTED : V_BARE_ENDED;
	}
}

static int campaign(struct fuzz_env *env)
{
	const struct fuzz_options *o = env->o;
	struct fuzz_outcome *bare = calloc(o->count, sizeof(*bare));
	struct fuzz_outcome *virt = calloc(o->count, sizeof(*virt));
	static struct fuzz_seq seq;
	unsigned counts[V_VERDICTS] = { 0 };
	unsigned *by_rule = calloc(tv_fuzz_nrules, sizeof(unsigned));
	/* Documented stops by what the guest contract calls them (tv_fuzz_expected_stop). */
	const char *stop_names[16] = { 0 };
	unsigned stop_counts[16] = { 0 }, nstop_names = 0;
	unsigned listed = 0;
	int r;

	if (!bare || !virt || !by_rule) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	if ((r = run_range(env, TV_MODE_NATIVE, o->start, o->count, 0, bare, NULL)) ||
	    (r = run_range(env, TV_MODE_HV, o->start, o->count, 0, virt, NULL))) {
		free(bare);
		free(virt);
		free(by_rule);
		return r;
	}

	/* The cut runs the divergences need: each sequence's jobs together, from first_job[i]. */
	size_t njobs = 0, cap = 0;
	struct cut_job *jobs = NULL;
	size_t *first_job = calloc(o->count, sizeof(size_t));
	unsigned char *ncut = calloc(o->count, 1);
	if (!first_job || !ncut) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	struct tv_fuzz_mode mode = o->mode;
	mode.lay = &env->layout;
	for (uint32_t i = 0; i < o->count; i++) {
		uint32_t want[TV_FUZZ_CUTS_MAX];
		uint8_t sync[FUZZ_INSNS_MAX];
		if (!bare[i].have || !virt[i].have || !tv_fuzz_diff(&bare[i].line, &virt[i].line))
			continue;
		fuzz_generate(o->seed, o->start + i, &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		unsigned n = tv_fuzz_cuts_needed(&mode, &seq, sync, &bare[i].line, &virt[i].line,
						 want);
		if (njobs + n > cap) {
			cap = (njobs + n) * 2 + 64;
			struct cut_job *more = realloc(jobs, cap * sizeof(*jobs));
			if (!more) {
				fputs(TV_PROG ": out of memory\n", stderr);
				return TV_STATUS_NO_RESULT;
			}
			jobs = more;
		}
		first_job[i] = njobs;
		ncut[i] = (unsigned char)n;
		for (unsigned j = 0; j < n; j++)
			jobs[njobs++] = (struct cut_job){ .k = o->start + i, .n = want[j] };
	}
	if (njobs) {
		fprintf(stderr, TV_PROG ": fuzz: %zu cut runs for the divergences\n", njobs);
		if ((r = run_cuts(env, TV_MODE_NATIVE, jobs, njobs, NULL)) ||
		    (r = run_cuts(env, TV_MODE_HV, jobs, njobs, NULL))) {
			free(bare);
			free(virt);
			free(by_rule);
			free(jobs);
			free(first_job);
			free(ncut);
			return r;
		}
	}

	/*
	 * Each unexpected divergence runs again, whole, in runs of their own:
	 * one that is then equal carried something from the sequences before
	 * it in the campaign's run (bare QEMU's history, or the harness's
	 * reset), and is counted apart, not as a finding.
	 */
	struct cut_job *again = calloc(o->count, sizeof(*again));
	size_t *again_of = calloc(o->count, sizeof(size_t));
	size_t nagain = 0;
	if (!again || !again_of) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	for (uint32_t i = 0; i < o->count; i++) {
		const struct tv_fuzz_rule *rule;
		struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
		unsigned nc = cuts_of(jobs, first_job[i], ncut[i], cuts);
		uint8_t sync[FUZZ_INSNS_MAX];
		int first;
		again_of[i] = (size_t)-1;
		if (!bare[i].have || !virt[i].have || !tv_fuzz_diff(&bare[i].line, &virt[i].line))
			continue;
		fuzz_generate(o->seed, o->start + i, &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		if (judge(env, &seq, sync, &bare[i], &virt[i], cuts, nc, &rule, &first) != V_UNEXPECTED)
			continue;
		again_of[i] = nagain;
		/* A cut past the last instruction leaves the sequence whole. */
		again[nagain++] = (struct cut_job){ .k = o->start + i, .n = FUZZ_INSNS_MAX };
	}
	if (nagain) {
		fprintf(stderr, TV_PROG ": fuzz: %zu unexpected divergences run again alone\n", nagain);
		if ((r = run_cuts(env, TV_MODE_NATIVE, again, nagain, NULL)) ||
		    (r = run_cuts(env, TV_MODE_HV, again, nagain, NULL))) {
			free(bare);
			free(virt);
			free(by_rule);
			free(jobs);
			free(first_job);
			free(ncut);
			free(again);
			free(again_of);
			return r;
		}
	}

	printf("fuzz: seed %u, sequences %u to %u, ring %d, patch %s, umip %s\n", o->seed, o->start,
	       o->start + o->count - 1, o->mode.ring, patch_names[o->mode.patch],
	       o->mode.umip ? "on" : "off");
	for (uint32_t i = 0; i < o->count; i++) {
		const struct tv_fuzz_rule *rule;
		struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
		unsigned nc = cuts_of(jobs, first_job[i], ncut[i], cuts);
		uint8_t sync[FUZZ_INSNS_MAX];
		int first;
		fuzz_generate(o->seed, o->start + i, &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		enum verdict v = judge(env, &seq, sync, &bare[i], &virt[i], cuts, nc, &rule, &first);
		if (v == V_UNEXPECTED && again_of[i] != (size_t)-1) {
			const struct cut_job *a = &again[again_of[i]];
			if (a->have_bare && a->have_virt && !tv_fuzz_diff(&a->bare, &a->virt))
				v = V_UNREPEATED;
		}
		counts[v]++;
		if (rule)
			by_rule[rule - tv_fuzz_rules]++;
		if (v == V_STOP_DOC) {
			const char *name = tv_fuzz_expected_stop(virt[i].reason, env->layout.code);
			unsigned j = 0;
			while (j < nstop_names && strcmp(stop_names[j], name) != 0)
				j++;
			if (j == nstop_names && nstop_names < 16)
				stop_names[nstop_names++] = name;
			if (j < nstop_names)
				stop_counts[j]++;
		}
		if (v != V_UNEXPECTED && v != V_STOP_UNEXPECTED && v != V_CRASHED && v != V_HUNG)
			continue;
		if (listed++ >= o->list)
			continue;
		static const char *const what[V_VERDICTS] = {
			[V_UNEXPECTED] = "unexpected divergence", [V_STOP_UNEXPECTED] = "unexpected stop",
			[V_CRASHED] = "HYPERVISOR CRASHED", [V_HUNG] = "HYPERVISOR HUNG",
		};
		printf("\nsequence %u: %s (replay: trapvisor fuzz --seed %u --replay %u --ring %d "
		       "--patch %s%s)\n", o->start + i, what[v], o->seed, o->start + i, o->mode.ring,
		       patch_names[o->mode.patch], o->mode.umip ? " --umip" : "");
		print_line(stdout, "bare machine", &bare[i]);
		print_line(stdout, "hypervisor", &virt[i]);
		print_sequence(stdout, &env->layout, &seq, "    ");
	}
	if (listed > o->list)
		printf("\n(%u more unexpected results not listed; --list N shows more)\n",
		       listed - o->list);

	printf("\n  %-12s %8u\n", "equal", counts[V_EQUAL]);
	printf("  %-12s %8u  (expected %u, unexpected %u)\n", "divergent",
	       counts[V_EXPECTED] + counts[V_UNEXPECTED], counts[V_EXPECTED], counts[V_UNEXPECTED]);
	printf("  %-12s %8u  (documented %u, unexpected %u)\n", "stopped",
	       counts[V_STOP_DOC] + counts[V_STOP_UNEXPECTED], counts[V_STOP_DOC],
	       counts[V_STOP_UNEXPECTED]);
	printf("  %-12s %8u\n", "crashed", counts[V_CRASHED]);
	printf("  %-12s %8u\n", "hung", counts[V_HUNG]);
	printf("  %-12s %8u\n", "bare ended", counts[V_BARE_ENDED]);
	printf("  %-12s %8u  (divergent in the run, equal when run again alone)\n", "unrepeated",
	       counts[V_UNREPEATED]);
	for (size_t i = 0; i < tv_fuzz_nrules; i++)
		if (by_rule[i])
			printf("  expected %-14s %8u  %s\n", tv_fuzz_rules[i].id, by_rule[i],
			       tv_fuzz_rules[i].why);
	for (unsigned j = 0; j < nstop_names; j++)
		printf("  stop: %-18s %8u\n", stop_names[j], stop_counts[j]);

	free(bare);
	free(virt);
	free(by_rule);
	free(jobs);
	free(first_job);
	free(ncut);
	free(again);
	free(again_of);
	if (counts[V_CRASHED])
		return TV_STATUS_NO_RESULT;
	if (counts[V_HUNG])
		return TV_STATUS_TIMEOUT;
	if (counts[V_UNEXPECTED] || counts[V_STOP_UNEXPECTED])
		return TV_FUZZ_STATUS_FINDINGS;
	return 0;
}

/* ---- one sequence, in detail ---- */

static int replay(struct fuzz_env *env)
{
	const struct fuzz_options *o = env->o;
	uint32_t k = (uint32_t)o->replay;
	struct fuzz_outcome bare = { 0 }, virt = { 0 };
	struct tv_printer p;
	static struct fuzz_seq seq;
	const struct tv_fuzz_rule *rule;
	int r;

	tv_printer_init(&p, stdout, stderr);
	printf("--- sequence %u of seed %u on the bare machine ---\n", k, o->seed);
	if ((r = run_range(env, TV_MODE_NATIVE, k, 1, 1, &bare, &p)))
		return r;
	printf("--- under the hypervisor (ring %d, patch %s, umip %s) ---\n", o->mode.ring,
	       patch_names[o->mode.patch], o->mode.umip ? "on" : "off");
	if ((r = run_range(env, TV_MODE_HV, k, 1, 1, &virt, &p)))
		return r;
	fuzz_generate(o->seed, k, &env->layout, &seq);

	/* Where the first difference comes: the cut runs a row would need, both ways. */
	struct cut_job jobs[TV_FUZZ_CUTS_MAX];
	struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
	uint32_t want[TV_FUZZ_CUTS_MAX];
	struct tv_fuzz_mode mode = o->mode;
	uint8_t sync[FUZZ_INSNS_MAX];
	mode.lay = &env->layout;
	sequence_sync(env, &seq, sync);
	unsigned n = bare.have && virt.have
		? tv_fuzz_cuts_needed(&mode, &seq, sync, &bare.line, &virt.line, want) : 0;
	for (unsigned j = 0; j < n; j++)
		jobs[j] = (struct cut_job){ .k = k, .n = want[j] };
	if (n) {
		printf("--- %u cut runs: the sequence up to instructions", n);
		for (unsigned j = 0; j < n; j++)
			printf(" %u", want[j]);
		printf(" ---\n");
		if ((r = run_cuts(env, TV_MODE_NATIVE, jobs, n, NULL)) ||
		    (r = run_cuts(env, TV_MODE_HV, jobs, n, NULL)))
			return r;
	}
	printf("--- sequence %u ---\n", k);
	print_sequence(stdout, &env->layout, &seq, "");
	print_line(stdout, "bare machine", &bare);
	print_line(stdout, "hypervisor", &virt);
	for (unsigned j = 0; j < n; j++) {
		struct fuzz_outcome cb = { .have = jobs[j].have_bare, .line = jobs[j].bare };
		struct fuzz_outcome cv = { .have = jobs[j].have_virt, .line = jobs[j].virt };
		char who[32];
		if (!cb.have)
			snprintf(cb.reason, sizeof(cb.reason), "did not finish");
		if (!cv.have)
			snprintf(cv.reason, sizeof(cv.reason), "did not finish");
		printf("  cut after %u instructions:\n", jobs[j].n);
		snprintf(who, sizeof(who), "bare machine");
		print_line(stdout, who, &cb);
		print_line(stdout, "hypervisor", &cv);
	}
	int first;
	enum verdict v = judge(env, &seq, sync, &bare, &virt, cuts, cuts_of(jobs, 0, n, cuts),
			       &rule, &first);
	if (first >= 0)
		printf("first difference after instruction %d (%s)\n", first,
		       fuzz_kind_name(seq.insn[first].kind));
	static const char *const verdicts[V_VERDICTS] = {
		"equal", "expected divergence", "UNEXPECTED divergence", "documented stop",
		"UNEXPECTED stop", "HYPERVISOR CRASHED", "HYPERVISOR HUNG",
		"the bare machine did not finish it", "equal when run again alone",
	};
	printf("verdict: %s%s%s\n", verdicts[v], rule ? ": " : "", rule ? rule->why : "");
	return v == V_CRASHED ? TV_STATUS_NO_RESULT : v == V_HUNG ? TV_STATUS_TIMEOUT
	       : v == V_UNEXPECTED || v == V_STOP_UNEXPECTED ? TV_FUZZ_STATUS_FINDINGS : 0;
}

int tv_fuzz_command(int argc, char **argv)
{
	struct fuzz_options o;
	struct fuzz_env env;
	char err[PATH_MAX + 128];
	int r = parse(argc, argv, &o);

	if (r)
		return r;
	memset(&env, 0, sizeof(env));
	env.o = &o;
	tv_paths_init(&env.paths);
	if ((r = tv_resolve_guest(&env.paths, FUZZ_GUEST, env.guest, sizeof(env.guest), err,
			     sizeof(err))) != 0) {
		fprintf(stderr, TV_PROG ": %s\n", err);
		return r;
	}
	tv_process_watch_signals();
	env.have_cs = cs_open(CS_ARCH_X86, CS_MODE_32, &env.cs) == CS_ERR_OK;
	r = o.replay >= 0 ? replay(&env) : campaign(&env);
	if (env.have_cs)
		cs_close(&env.cs);
	return r;
}
