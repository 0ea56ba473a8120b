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
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/fuzz/fuzz_gen.h"
#include "tools/cli_args.h"
#include "tools/fuzz_cache.h"
#include "tools/fuzz_expect.h"
#include "tools/fuzz_runs.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/print.h"
#include "tools/process.h"
#include "tools/run.h"

#define FUZZ_GUEST		"fuzz"
#define FUZZ_COUNT_MAX		10000000L
#define FUZZ_LISTED_DEFAULT	20	/* unexpected results shown in full */
/* Where the bare machine's results are kept, under the build directory. */
#define FUZZ_CACHE_DIR		"fuzz-cache"
/* --only @FILE: the largest file read. */
#define FUZZ_ONLY_FILE_MAX	(16L << 20)

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
	"  looped       timed out too, but only after the machines had parted on a\n"
	"               documented difference (cut runs find where): the guest's\n"
	"               own loop, in a state the bare machine never reached\n"
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
	"  --only LIST   run only the sequences LIST names, instead of --start and\n"
	"                --count: numbers separated by commas (--only 21887,24179),\n"
	"                or @FILE, a file of numbers separated by commas, blanks or\n"
	"                newlines, # to the end of a line a comment; both machines\n"
	"                run them, in ascending order, and each one's verdict is\n"
	"                listed: a campaign's unexpected results checked again\n"
	"  --ring R      the ring the guest kernel runs in: 1 (default) or 3\n"
	"  --patch P     none (default), popf, all or inline (only the guest's own\n"
	"                code is patched; generated sequences never are)\n"
	"  --umip        the hypervisor sets CR4.UMIP\n"
	"  --direct      the hypervisor's fast paths (trapvisor help run)\n"
	"  --list N      list up to N unexpected results in full (default 20)\n"
	"  --replay K    run sequence K alone, both ways, with the hypervisor's trace\n"
	"  --timeout S   the time limit of one run, in seconds (default: 20 plus a\n"
	"                share per sequence)\n"
	"  --no-cache    run the bare machine's side again; by default a campaign\n"
	"                takes each sequence's bare-machine result from an earlier\n"
	"                campaign of the same seed, guest, host program and QEMU\n"
	"                when there is one (kept in the build directory's fuzz-cache)\n"
	"Progress, and where the time went, go to stderr.\n"
	"\n"
	"exit status:\n"
	"  0  no crash, hang, unexpected divergence or unexpected stop\n"
	"  1  an unexpected divergence or stop (listed)\n"
	"  2  usage or set-up error\n"
	"  3  the hypervisor refused the configuration\n"
	"  5  a run under the hypervisor hung (timeout)\n"
	"  6  the hypervisor crashed (panic, or no result)\n";

#define usage_error(...)	tv_cli_usage_error("fuzz", __VA_ARGS__)

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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * --only's numbers, from text: decimal, separated by commas, blanks or
 * newlines, `#` to the end of a line a comment. Sorted and without
 * repeats into o->only, their number into o->count. where names the text
 * in errors: the option's value, or @FILE.
 */
static int only_numbers(const char *text, size_t len, const char *where, struct fuzz_options *o)
{
	size_t cap = 0, n = 0;
	unsigned line = 1;

	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '\n')
			line++;
		if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		size_t j = i;
		uint64_t v = 0;
		while (j < len && text[j] >= '0' && text[j] <= '9' && v <= 0xFFFFFFFFull)
			v = v * 10 + (uint64_t)(text[j++] - '0');
		int sep = j == len || strchr(", \t\r\n#", text[j]) != NULL;
		if (j == i || !sep || v > 0xFFFFFFFFull) {
			size_t e = i;
			while (e < len && e - i < 24 && !strchr(", \t\r\n", text[e]))
				e++;
			free(o->only);
			o->only = NULL;
			if (where[0] == '@')
				return usage_error("--only %s: line %u: '%.*s' is not a sequence number "
						   "(give numbers from 0 to 4294967295)", where, line,
						   (int)(e - i), text + i);
			return usage_error("--only %s: '%.*s' is not a sequence number (give numbers "
					   "from 0 to 4294967295 separated by commas, or @FILE)", where,
					   (int)(e - i), text + i);
		}
		if (n == FUZZ_COUNT_MAX) {
			free(o->only);
			o->only = NULL;
			return usage_error("--only %s: more than %ld sequence numbers", where,
					   FUZZ_COUNT_MAX);
		}
		if (n == cap) {
			cap = cap * 2 + 64;
			uint32_t *more = realloc(o->only, cap * sizeof(*more));
			if (!more) {
				free(o->only);
				o->only = NULL;
				return usage_error("--only %s: out of memory", where);
			}
			o->only = more;
		}
		o->only[n++] = (uint32_t)v;
		i = j;
	}
	if (!n) {
		free(o->only);
		o->only = NULL;
		return usage_error("--only %s: no sequence numbers in it", where);
	}
	qsort(o->only, n, sizeof(*o->only), cmp_u32);
	size_t m = 1;
	for (size_t i = 1; i < n; i++)
		if (o->only[i] != o->only[m - 1])
			o->only[m++] = o->only[i];
	o->count = (uint32_t)m;
	return 0;
}

/* --only K,K,... or --only @FILE. */
static int parse_only(const char *v, struct fuzz_options *o)
{
	if (!v)
		return usage_error("--only needs a value");
	free(o->only);
	o->only = NULL;
	if (v[0] != '@')
		return only_numbers(v, strlen(v), v, o);

	FILE *f = fopen(v + 1, "rb");
	char *buf = NULL;
	size_t len = 0;
	int r;
	if (!f)
		return usage_error("--only %s: cannot read it: %s", v, strerror(errno));
	buf = malloc(FUZZ_ONLY_FILE_MAX + 1);
	if (buf)
		len = fread(buf, 1, FUZZ_ONLY_FILE_MAX + 1, f);
	if (!buf || ferror(f)) {
		r = usage_error("--only %s: cannot read it: %s", v, buf ? strerror(errno) : "out of memory");
	} else if (len > FUZZ_ONLY_FILE_MAX) {
		r = usage_error("--only %s: larger than %ld MiB", v, FUZZ_ONLY_FILE_MAX >> 20);
	} else {
		r = only_numbers(buf, len, v, o);
	}
	free(buf);
	fclose(f);
	return r;
}

static int parse_options(int argc, char **argv, struct fuzz_options *o, int *range);

static int parse(int argc, char **argv, struct fuzz_options *o)
{
	int range = 0;	/* --start or --count given */
	int r;

	o->only = NULL;
	r = parse_options(argc, argv, o, &range);
	if (r == 0 && o->only && (range || o->replay >= 0))
		r = usage_error("--only names the sequences itself: give it without %s",
				o->replay >= 0 ? "--replay" : "--start and --count");
	if (r) {
		free(o->only);
		o->only = NULL;
	}
	return r;
}

static int parse_options(int argc, char **argv, struct fuzz_options *o, int *range)
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
		} else if (strcmp(a, "--direct") == 0) {
			o->mode.direct = 1;
		} else if (strcmp(a, "--no-cache") == 0) {
			o->no_cache = 1;
		} else if (tv_cli_is_option(a, "--seed")) {
			if ((r = parse_u32("--seed", tv_cli_option_value(argc, argv, &i, "--seed"),
					   0xFFFFFFFFL, &o->seed)))
				return r;
		} else if (tv_cli_is_option(a, "--only")) {
			if ((r = parse_only(tv_cli_option_value(argc, argv, &i, "--only"), o)))
				return r;
		} else if (tv_cli_is_option(a, "--count")) {
			*range = 1;
			if ((r = parse_u32("--count", tv_cli_option_value(argc, argv, &i, "--count"),
					   FUZZ_COUNT_MAX, &o->count)))
				return r;
			if (o->count == 0)
				return usage_error("--count 0: give at least 1");
		} else if (tv_cli_is_option(a, "--start")) {
			*range = 1;
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
			for (int j = 0; j < TV_FUZZ_PATCHES; j++)
				if (strcmp(v, fuzz_patch_names[j]) == 0)
					p = j;
			if (p < 0)
				return usage_error("--patch %s: give none, popf, all or inline", v);
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

/*
 * The decoder rows use to follow the CPU into bytes that begin no item
 * (tv_fuzz_mode.insn_len): the command's Capstone handle, opened once.
 */
static csh insn_len_cs;
static int insn_len_have_cs;

static unsigned host_insn_len(const uint8_t *code, unsigned len, uint32_t addr)
{
	cs_insn *insn;
	unsigned n = 0;

	if (!insn_len_have_cs)
		return 0;
	if (cs_disasm(insn_len_cs, code, len, addr, 1, &insn) == 1) {
		n = insn->size;
		cs_free(insn, 1);
	}
	return n;
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

	if (!o->have || o->line.vector == TV_FUZZ_VEC_SHUTDOWN) {
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

/* Where a campaign's time went: QEMU's wall time by kind of run, and the rate. */
static void print_time(const struct fuzz_env *env, double total_s)
{
	static const char *const what[FUZZ_RUN_KINDS] = {
		"bare machine", "hypervisor", "bare-machine cuts", "hypervisor cuts",
	};

	fprintf(stderr, TV_PROG ": fuzz: %u sequences in %.0f s (%.1f/s):", env->o->count, total_s,
		env->o->count / (total_s + 1e-9));
	for (int i = 0; i < FUZZ_RUN_KINDS; i++)
		fprintf(stderr, "%s %s %.0f s in %u runs", i ? ";" : "", what[i], env->run_s[i],
			env->runs[i]);
	fprintf(stderr, "; kept from earlier campaigns: %u sequences, %u cuts\n", env->bare_kept,
		env->cuts_kept);
}

#define FUZZ_VERSION_MAX	256

static void version_line(void *ctx, enum tv_stream stream, const char *line, size_t len)
{
	char *buf = ctx;

	if (stream == TV_STREAM_STDOUT && !buf[0] && len > 0)
		snprintf(buf, FUZZ_VERSION_MAX, "%.*s", (int)len, line);
}

/* QEMU's --version line (the native side's results depend on it), or "". */
static void qemu_version(char buf[FUZZ_VERSION_MAX])
{
	const char *qemu = getenv("TRAPVISOR_QEMU");
	char *argv[] = { (char *)(qemu && *qemu ? qemu : "qemu-system-i386"), "--version", NULL };
	struct tv_process p;

	buf[0] = '\0';
	if (tv_process_spawn(&p, argv, tv_now() + 20) != 0)
		return;
	tv_process_pump(&p, version_line, buf);
}

/*
 * The bare machine's kept results for this campaign (fuzz_cache.h): keyed
 * by everything they depend on, so a new guest, generator, host program
 * or QEMU never reads another's. NULL when there are none to be had.
 */
static struct tv_fuzz_cache *open_cache(struct fuzz_env *env, struct tv_fuzz_cache *c)
{
	const struct fuzz_options *o = env->o;
	char version[FUZZ_VERSION_MAX], dir[PATH_MAX + 32], mem[32], timeout[32], key[17];
	const char *files[] = { env->guest, "/proc/self/exe" };

	if (o->no_cache)
		return NULL;
	qemu_version(version);
	snprintf(mem, sizeof(mem), "mem=%u", TV_MEM_MIB_DEFAULT);
	snprintf(timeout, sizeof(timeout), "timeout=%g", o->timeout_s);
	const char *strings[] = { "trapvisor fuzz: the bare machine's results, 1", version,
				  FUZZ_CPU, mem, timeout };
	snprintf(dir, sizeof(dir), "%s/" FUZZ_CACHE_DIR, env->paths.build);
	if (!version[0] ||
	    tv_fuzz_cache_key(files, 2, strings, sizeof(strings) / sizeof(strings[0]), key) != 0 ||
	    tv_fuzz_cache_open(c, dir, key, o->seed, o->start, o->count) != 0) {
		fprintf(stderr, TV_PROG ": fuzz: the bare machine's results are not kept "
			"(%s): each run is new\n", version[0] ? dir : "no QEMU version");
		tv_fuzz_cache_close(c);
		return NULL;
	}
	return c;
}

/* The number of the campaign's i-th sequence: of the --only list, or of the range. */
static uint32_t seq_k(const struct fuzz_options *o, uint32_t i)
{
	return o->only ? o->only[i] : o->start + i;
}

enum verdict {
	V_EQUAL, V_EXPECTED, V_UNEXPECTED, V_STOP_DOC, V_STOP_UNEXPECTED, V_CRASHED, V_HUNG,
	V_BARE_ENDED,
	V_UNREPEATED,	/* an unexpected divergence that is gone when the sequence runs again apart */
	V_LOOPED,	/* timed out under the hypervisor after a documented difference (loop_after_difference) */
	V_VERDICTS
};

static const char *const verdict_names[V_VERDICTS] = {
	"equal", "expected divergence", "UNEXPECTED divergence", "documented stop",
	"UNEXPECTED stop", "HYPERVISOR CRASHED", "HYPERVISOR HUNG",
	"the bare machine did not finish it", "equal when run again alone",
	"timed out after a documented difference (the guest's own loop, not a hang of "
	"the hypervisor's)",
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

/*
 * A run under the hypervisor that timed out where the bare machine finished
 * the sequence. Either the hypervisor hung, or the guest is looping in a
 * state the bare machine never reached: after a documented difference (a
 * load the bare CPU refuses, say) the sequence's own LOOP or IRET may come
 * back over its start with interrupts off, which the guest's watchdog
 * cannot break and the bare machine, in that state, would not leave either.
 * To tell them apart, run the sequence cut after each of its instructions,
 * the bare machine's cuts first, then the hypervisor's one at a time, up to
 * the first cut at which the two differ: when a row of tools/fuzz_expect.c
 * explains that difference (judged as the divergence of the sequence cut
 * there), the timeout follows it and the row is returned, with *first the
 * instruction it blames. NULL (a hang of the hypervisor's) when a cut up to
 * there did not finish on either machine, when no cut differs, or when no
 * row explains the first difference. Cuts stop where the CPU does not begin
 * an instruction (random bytes run into the next item): nothing is claimed
 * past them. The hypervisor's cuts past the difference, which would loop
 * too, are never run.
 */
static const struct tv_fuzz_rule *loop_after_difference(struct fuzz_env *env, uint32_t k,
							 int *first)
{
	static struct fuzz_seq seq, part;
	struct cut_job jobs[FUZZ_INSNS_MAX];
	struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
	uint8_t sync[FUZZ_INSNS_MAX], part_sync[FUZZ_INSNS_MAX];
	struct tv_fuzz_mode mode = env->o->mode;
	unsigned n = 0;

	*first = -1;
	mode.lay = &env->layout;
	fuzz_generate(env->o->seed, k, &env->layout, &seq);
	sequence_sync(env, &seq, sync);
	for (unsigned c = 1; c + 1 < seq.ninsn && sync[c]; c++)
		jobs[n++] = (struct cut_job){ .k = k, .n = c };
	if (!n || fuzz_native_cuts(env, jobs, n))
		return NULL;
	for (unsigned j = 0; j < n; j++) {
		if (!jobs[j].have_bare || fuzz_run_cuts(env, TV_MODE_HV, &jobs[j], 1, NULL) ||
		    !jobs[j].have_virt)
			return NULL;
		if (!tv_fuzz_diff(&jobs[j].bare, &jobs[j].virt))
			continue;
		part = seq;
		fuzz_cut(&part, jobs[j].n, &env->layout);
		sequence_sync(env, &part, part_sync);
		return tv_fuzz_expected(&mode, &part, part_sync, &jobs[j].bare, &jobs[j].virt, cuts,
					cuts_of(jobs, 0, j, cuts), first);
	}
	return NULL;
}

static int campaign(struct fuzz_env *env)
{
	const struct fuzz_options *o = env->o;
	struct fuzz_outcome *bare = calloc(o->count, sizeof(*bare));
	struct fuzz_outcome *virt = calloc(o->count, sizeof(*virt));
	static struct fuzz_seq seq;
	unsigned counts[V_VERDICTS] = { 0 };
	unsigned *by_rule = calloc(tv_fuzz_nrules, sizeof(unsigned));
	/* --only: each sequence's verdict and row, listed at the end. */
	unsigned char *verdicts = o->only ? calloc(o->count, 1) : NULL;
	const struct tv_fuzz_rule **rules = o->only ? calloc(o->count, sizeof(*rules)) : NULL;
	/* Documented stops by what the guest contract calls them (tv_fuzz_expected_stop). */
	const char *stop_names[16] = { 0 };
	unsigned stop_counts[16] = { 0 }, nstop_names = 0;
	unsigned listed = 0;
	/* The cut runs the divergences need: each sequence's jobs together, from first_job[i]. */
	size_t njobs = 0, cap = 0;
	struct cut_job *jobs = NULL;
	size_t *first_job = NULL;
	unsigned char *ncut = NULL;
	/* Unexpected divergences run again alone; again_of[i] is sequence i's job there. */
	struct cut_job *again = NULL;
	size_t *again_of = NULL;
	int r;

	double since = tv_now();

	if (!bare || !virt || !by_rule || (o->only && (!verdicts || !rules)))
		goto out_of_memory;
	if (o->only) {
		if ((r = fuzz_run_list(env, TV_MODE_NATIVE, o->only, o->count, bare)) ||
		    (r = fuzz_run_list(env, TV_MODE_HV, o->only, o->count, virt)))
			goto out;
	} else if ((r = fuzz_native_range(env, o->start, o->count, bare)) ||
		   (r = fuzz_run_range(env, TV_MODE_HV, o->start, o->count, 0, virt, NULL))) {
		goto out;
	}

	first_job = calloc(o->count, sizeof(size_t));
	ncut = calloc(o->count, 1);
	if (!first_job || !ncut)
		goto out_of_memory;
	struct tv_fuzz_mode mode = o->mode;
	mode.lay = &env->layout;
	for (uint32_t i = 0; i < o->count; i++) {
		uint32_t want[TV_FUZZ_CUTS_MAX];
		uint8_t sync[FUZZ_INSNS_MAX];
		if (!bare[i].have || !virt[i].have || !tv_fuzz_diff(&bare[i].line, &virt[i].line))
			continue;
		fuzz_generate(o->seed, seq_k(o, i), &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		unsigned n = tv_fuzz_cuts_needed(&mode, &seq, sync, &bare[i].line, &virt[i].line,
						 want);
		if (njobs + n > cap) {
			cap = (njobs + n) * 2 + 64;
			struct cut_job *more = realloc(jobs, cap * sizeof(*jobs));
			if (!more)
				goto out_of_memory;
			jobs = more;
		}
		first_job[i] = njobs;
		ncut[i] = (unsigned char)n;
		for (unsigned j = 0; j < n; j++)
			jobs[njobs++] = (struct cut_job){ .k = seq_k(o, i), .n = want[j] };
	}
	if (njobs) {
		fprintf(stderr, TV_PROG ": fuzz: %zu cut runs for the divergences\n", njobs);
		if ((r = fuzz_native_cuts(env, jobs, njobs)) ||
		    (r = fuzz_run_cuts(env, TV_MODE_HV, jobs, njobs, NULL)))
			goto out;
	}

	/*
	 * Each unexpected divergence runs again, whole, in runs of their own:
	 * one that is then equal carried something from the sequences before
	 * it in the campaign's run (bare QEMU's history, or the harness's
	 * reset), and is counted apart, not as a finding.
	 */
	again = calloc(o->count, sizeof(*again));
	again_of = calloc(o->count, sizeof(size_t));
	size_t nagain = 0;
	if (!again || !again_of)
		goto out_of_memory;
	for (uint32_t i = 0; i < o->count; i++) {
		const struct tv_fuzz_rule *rule;
		struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
		unsigned nc = cuts_of(jobs, first_job[i], ncut[i], cuts);
		uint8_t sync[FUZZ_INSNS_MAX];
		int first;
		again_of[i] = (size_t)-1;
		if (!bare[i].have || !virt[i].have || !tv_fuzz_diff(&bare[i].line, &virt[i].line))
			continue;
		fuzz_generate(o->seed, seq_k(o, i), &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		if (judge(env, &seq, sync, &bare[i], &virt[i], cuts, nc, &rule, &first) != V_UNEXPECTED)
			continue;
		again_of[i] = nagain;
		/* A cut past the last instruction leaves the sequence whole. */
		again[nagain++] = (struct cut_job){ .k = seq_k(o, i), .n = FUZZ_INSNS_MAX };
	}
	if (nagain) {
		fprintf(stderr, TV_PROG ": fuzz: %zu unexpected divergences run again alone\n", nagain);
		if ((r = fuzz_native_cuts(env, again, nagain)) ||
		    (r = fuzz_run_cuts(env, TV_MODE_HV, again, nagain, NULL)))
			goto out;
	}

	if (o->only)
		printf("fuzz: seed %u, %u sequences of a list (%u to %u), ring %d, patch %s, umip %s%s\n",
		       o->seed, o->count, o->only[0], o->only[o->count - 1], o->mode.ring,
		       fuzz_patch_names[o->mode.patch], o->mode.umip ? "on" : "off",
		       o->mode.direct ? ", direct" : "");
	else
		printf("fuzz: seed %u, sequences %u to %u, ring %d, patch %s, umip %s%s\n", o->seed,
		       o->start, o->start + o->count - 1, o->mode.ring,
		       fuzz_patch_names[o->mode.patch], o->mode.umip ? "on" : "off",
		       o->mode.direct ? ", direct" : "");
	for (uint32_t i = 0; i < o->count; i++) {
		const struct tv_fuzz_rule *rule;
		struct tv_fuzz_cut cuts[TV_FUZZ_CUTS_MAX];
		unsigned nc = cuts_of(jobs, first_job[i], ncut[i], cuts);
		uint8_t sync[FUZZ_INSNS_MAX];
		int first;
		fuzz_generate(o->seed, seq_k(o, i), &env->layout, &seq);
		sequence_sync(env, &seq, sync);
		enum verdict v = judge(env, &seq, sync, &bare[i], &virt[i], cuts, nc, &rule, &first);
		if (v == V_HUNG) {
			fprintf(stderr, TV_PROG ": fuzz: sequence %u timed out under the hypervisor: "
				"cut runs for where the machines part\n", seq_k(o, i));
			if ((rule = loop_after_difference(env, seq_k(o, i), &first)))
				v = V_LOOPED;
			fuzz_generate(o->seed, seq_k(o, i), &env->layout, &seq);
		}
		if (v == V_UNEXPECTED && again_of[i] != (size_t)-1) {
			const struct cut_job *a = &again[again_of[i]];
			if (a->have_bare && a->have_virt && !tv_fuzz_diff(&a->bare, &a->virt))
				v = V_UNREPEATED;
		}
		counts[v]++;
		if (rule && v != V_LOOPED)
			by_rule[rule - tv_fuzz_rules]++;
		if (o->only) {
			verdicts[i] = (unsigned char)v;
			rules[i] = rule;
		}
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
		if (v != V_UNEXPECTED && v != V_STOP_UNEXPECTED && v != V_CRASHED && v != V_HUNG &&
		    v != V_LOOPED)
			continue;
		if (listed++ >= o->list)
			continue;
		static const char *const what[V_VERDICTS] = {
			[V_UNEXPECTED] = "unexpected divergence", [V_STOP_UNEXPECTED] = "unexpected stop",
			[V_CRASHED] = "HYPERVISOR CRASHED", [V_HUNG] = "HYPERVISOR HUNG",
			[V_LOOPED] = "timed out after a documented difference",
		};
		printf("\nsequence %u: %s (replay: trapvisor fuzz --seed %u --replay %u --ring %d "
		       "--patch %s%s%s)\n", seq_k(o, i), what[v], o->seed, seq_k(o, i),
		       o->mode.ring, fuzz_patch_names[o->mode.patch], o->mode.umip ? " --umip" : "",
		       o->mode.direct ? " --direct" : "");
		print_line(stdout, "bare machine", &bare[i]);
		print_line(stdout, "hypervisor", &virt[i]);
		if (v == V_LOOPED)
			printf("    the machines part after instruction %d (%s): %s\n", first,
			       fuzz_kind_name(seq.insn[first].kind), rule->why);
		print_sequence(stdout, &env->layout, &seq, "    ");
	}
	if (listed > o->list)
		printf("\n(%u more unexpected results not listed; --list N shows more)\n",
		       listed - o->list);
	/* A list's sequences one by one, to set against what an earlier campaign said of them. */
	if (o->only) {
		printf("\n");
		for (uint32_t i = 0; i < o->count; i++)
			printf("  sequence %-10u %s%s%s\n", o->only[i], verdict_names[verdicts[i]],
			       rules[i] ? ": " : "", rules[i] ? rules[i]->id : "");
	}

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
	printf("  %-12s %8u  (timed out under the hypervisor after a documented difference: "
	       "the guest's own loop)\n", "looped", counts[V_LOOPED]);
	for (size_t i = 0; i < tv_fuzz_nrules; i++)
		if (by_rule[i])
			printf("  expected %-14s %8u  %s\n", tv_fuzz_rules[i].id, by_rule[i],
			       tv_fuzz_rules[i].why);
	for (unsigned j = 0; j < nstop_names; j++)
		printf("  stop: %-18s %8u\n", stop_names[j], stop_counts[j]);
	print_time(env, tv_now() - since);

	if (counts[V_CRASHED])
		r = TV_STATUS_NO_RESULT;
	else if (counts[V_HUNG])
		r = TV_STATUS_TIMEOUT;
	else if (counts[V_UNEXPECTED] || counts[V_STOP_UNEXPECTED])
		r = TV_FUZZ_STATUS_FINDINGS;
	else
		r = 0;
	goto out;

out_of_memory:
	fputs(TV_PROG ": out of memory\n", stderr);
	r = TV_STATUS_NO_RESULT;
out:
	free(bare);
	free(virt);
	free(by_rule);
	free(verdicts);
	free(rules);
	free(jobs);
	free(first_job);
	free(ncut);
	free(again);
	free(again_of);
	return r;
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
	if ((r = fuzz_run_range(env, TV_MODE_NATIVE, k, 1, 1, &bare, &p)))
		return r;
	printf("--- under the hypervisor (ring %d, patch %s, umip %s%s) ---\n", o->mode.ring,
	       fuzz_patch_names[o->mode.patch], o->mode.umip ? "on" : "off",
	       o->mode.direct ? ", direct" : "");
	if ((r = fuzz_run_range(env, TV_MODE_HV, k, 1, 1, &virt, &p)))
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
		if ((r = fuzz_run_cuts(env, TV_MODE_NATIVE, jobs, n, NULL)) ||
		    (r = fuzz_run_cuts(env, TV_MODE_HV, jobs, n, NULL)))
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
	if (v == V_HUNG) {
		printf("--- timed out: the sequence cut after each instruction, up to where the "
		       "machines part ---\n");
		if ((rule = loop_after_difference(env, k, &first)))
			v = V_LOOPED;
	}
	if (first >= 0)
		printf("first difference after instruction %d (%s)\n", first,
		       fuzz_kind_name(seq.insn[first].kind));
	printf("verdict: %s%s%s\n", verdict_names[v], rule ? ": " : "", rule ? rule->why : "");
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
		free(o.only);
		return r;
	}
	tv_process_watch_signals();
	env.have_cs = cs_open(CS_ARCH_X86, CS_MODE_32, &env.cs) == CS_ERR_OK;
	insn_len_cs = env.cs;
	insn_len_have_cs = env.have_cs;
	o.mode.insn_len = host_insn_len;
	if (o.replay >= 0) {
		r = replay(&env);
	} else {
		static struct tv_fuzz_cache cache;
		/*
		 * A list runs both machines: the kept results were run in a
		 * campaign's order, after sequences the list leaves out.
		 */
		env.cache = o.only ? NULL : open_cache(&env, &cache);
		r = campaign(&env);
		if (env.cache)
			tv_fuzz_cache_close(env.cache);
	}
	if (env.have_cs)
		cs_close(&env.cs);
	free(o.only);
	return r;
}
