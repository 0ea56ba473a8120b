/*
 * tools/classify.c: `trapvisor classify`: which instructions trap, which
 * are silent, and which of them break equivalence, measured by running
 * them. Runs on: host.
 *
 * 1. Parse the options (tools/classify.h has the synopsis).
 * 2. Run the sensitive_probe guest on the bare machine: the reference, and
 *    the order and addresses of the rows.
 * 3. Run it under the hypervisor with tracing on, so every trap arrives as
 *    a `tv:trap` line with its EIP. If the hypervisor stops the guest at an
 *    instruction it does not emulate, that row is marked as stopping and
 *    the run is repeated with the row skipped (the guest's skip= option),
 *    until the guest reaches its end. The bare machine then runs again
 *    with the same rows skipped, so that a later row that reads what a
 *    skipped one set (SLDT after LLDT) is compared fairly.
 * 4. Decide each row (tools/classify_table.c), name its bytes with the
 *    host's Capstone, print. --matrix does 3 and 4 for every combination
 *    of ring 1/3, UMIP off/on and patch none/all; a combination whose run
 *    the hypervisor refuses is shown as not run, with its reason.
 * Every run uses QEMU's `max` CPU, which has UMIP: the bare machine and
 * every hypervisor run then execute on the same CPU model, so CPUID and
 * friends are comparable, and only the hypervisor's choices differ.
 */
#include "tools/classify.h"

#include <capstone/capstone.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/classify_table.h"
#include "tools/cli_args.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/process.h"
#include "tools/run.h"

#define PROBE_GUEST	"sensitive_probe"
#define CLASSIFY_CPU	"max"

/* Exit status when a configuration could not be classified (see the help). */
#define TV_CLASSIFY_STATUS_INCOMPLETE	TV_STATUS_NO_RESULT

const char tv_classify_help[] =
	"Each row is one instruction of the sensitive_probe guest's catalog: its class\n"
	"(privileged; sensitive but unprivileged, after Robin & Irvine 2000; or an\n"
	"innocuous control), whether the host's Capstone puts it in its privileged\n"
	"group, whether the hypervisor trapped on it (a trap line at its address),\n"
	"whether the guest observed the same as on the bare machine, and the verdict:\n"
	"  trap-and-emulate holds          trapped and equal, or innocuous and equal\n"
	"  SILENT: equivalence broken      not trapped, and the guest saw something else\n"
	"  trapped but differs             trapped, but emulated into something else\n"
	"  not trapped, equal in this run  sensitive or privileged, yet nothing showed\n"
	"  trapped; effect not checked here\n"
	"                                  equal, but the probe cannot observe what the\n"
	"                                  instruction does (CLI's IF, INVD's caches), so\n"
	"                                  equal proves nothing (also: not trapped; ...)\n"
	"  hypervisor stops the guest      not emulated: the run was repeated without it\n"
	"Every cell comes from this run; docs/classify.md explains how to read them.\n"
	"\n"
	"options:\n"
	"  --ring R      the ring the guest kernel runs in: 1 (default) or 3\n"
	"  --umip        the hypervisor sets CR4.UMIP, so SGDT, SIDT, SLDT, SMSW and\n"
	"                STR trap\n"
	"  --patch P     none (default), popf or all: instructions the hypervisor\n"
	"                rewrites to trap; inline: rewritten into patch code that\n"
	"                runs without a trap\n"
	"  --format F    text (default), md, csv or json\n"
	"  --matrix      verdicts for ring 1 and 3, UMIP off and on, patch none and all\n"
	"                (8 runs under the hypervisor, progress on stderr); --ring,\n"
	"                --umip and --patch are then not allowed\n"
	"  --timeout S   give up on a run after S seconds and kill QEMU (default 30)\n"
	"\n"
	"exit status (SILENT rows are the finding, not an error):\n"
	"  0  every run completed and the table is whole\n"
	"  2  usage or set-up error (bad option, nothing built, QEMU not installed)\n"
	"  3  the hypervisor refused the configuration (without --matrix)\n"
	"  4  the bare machine's run did not complete\n"
	"  5  timeout: a run's QEMU was killed\n"
	"  6  no result: a run ended in a way that could not be classified (e.g. a\n"
	"     stop that no row explains); rows from the other runs are still shown\n";

struct classify_options {
	struct tv_classify_config config;
	int config_given;
	int matrix;
	enum tv_classify_format format;
	double timeout_s;
};

/* snprintf that may cut: notes are for people, a cut one still says enough. */
static void note_set(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note_set(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- 1. options ---- */

/* A usage error here points at classify's own help. */
#define usage_error(...)	tv_cli_usage_error("classify", __VA_ARGS__)

static int parse(int argc, char **argv, struct classify_options *o)
{
	memset(o, 0, sizeof(*o));
	o->config.ring = 1;
	o->config.patch = "none";
	o->timeout_s = TV_TIMEOUT_DEFAULT_S;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		int r;

		if (tv_cli_is_help(a))
			return TV_CLI_WANTS_HELP;
		if (strcmp(a, "--umip") == 0) {
			o->config.umip = 1;
			o->config_given = 1;
		} else if (strcmp(a, "--matrix") == 0) {
			o->matrix = 1;
		} else if (tv_cli_is_option(a, "--ring")) {
			if ((r = tv_cli_ring_option("classify", argc, argv, &i, &o->config.ring)))
				return r;
			o->config_given = 1;
		} else if (tv_cli_is_option(a, "--patch")) {
			if (!(v = tv_cli_option_value(argc, argv, &i, "--patch")))
				return usage_error("--patch needs a value");
			if (strcmp(v, "none") && strcmp(v, "popf") && strcmp(v, "all") &&
			    strcmp(v, "inline"))
				return usage_error("--patch %s: give none, popf, all or inline", v);
			o->config.patch = v;
			o->config_given = 1;
		} else if (tv_cli_is_option(a, "--format")) {
			int f;
			if ((r = tv_cli_format_option("classify", argc, argv, &i,
						      tv_classify_format_from_name,
						      "text, md, csv or json", &f)))
				return r;
			o->format = (enum tv_classify_format)f;
		} else if (tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option("classify", argc, argv, &i, &o->timeout_s)))
				return r;
		} else {
			return tv_cli_word_refused("classify", a);
		}
	}
	if (o->matrix && o->config_given)
		return usage_error("--matrix: --matrix runs every configuration; drop --ring, "
				   "--umip and --patch");
	return 0;
}

/* ---- 2 and 3. runs ---- */

struct classify_env {
	struct tv_paths paths;
	char guest[PATH_MAX];
	double timeout_s;
};

/* What the on_line callback fills while one run goes. */
struct run_ctx {
	struct tv_probe_run *run;
};

static void on_line(void *ctx, const struct tv_run_line *line)
{
	struct run_ctx *c = ctx;

	if (line->source == TV_LINE_GUEST) {
		struct tv_probe_line l;
		enum tv_probe_line_kind k = tv_probe_parse_line(line->text, line->text_len, &l);
		tv_probe_run_add_line(c->run, k, &l);
		return;
	}
	if (line->source == TV_LINE_EVENT && line->ev->kind == TV_EV_TRAP) {
		uint64_t eip;
		const char *action = tv_event_get(line->ev, "action");
		if (tv_event_get_u64(line->ev, "eip", &eip) == 0)
			tv_probe_run_add_trap(c->run, (uint32_t)eip,
					      action && strcmp(action, "stop") == 0);
	}
}

/* The outcome of one QEMU run, kept after its record is freed. */
struct run_outcome {
	enum tv_run_end end;
	int host_status;
	int64_t guest_status;
	char why[TV_CLASSIFY_NOTE_MAX];
	int interrupted_by;
};

static void run_probe(const struct classify_env *env, enum tv_run_mode mode,
		      const struct tv_classify_config *config, char **skips, int nskips,
		      struct tv_probe_run *run, struct run_outcome *out)
{
	struct tv_run_config cfg;
	struct tv_run_record rec;
	struct run_ctx ctx = { .run = run };

	tv_probe_run_init(run);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = mode;
	cfg.guest_path = env->guest;
	cfg.guest_argv = skips;
	cfg.guest_argc = nskips;
	cfg.mem_mib = TV_MEM_MIB_DEFAULT;
	cfg.timeout_s = env->timeout_s;
	cfg.hv_path = env->paths.hv;
	cfg.cpu = CLASSIFY_CPU;
	if (mode == TV_MODE_HV) {
		cfg.ring = config->ring;
		cfg.trace = 1;
		cfg.umip = config->umip;
		/* patch=none is the hypervisor's default: only ask for what differs. */
		cfg.patch = strcmp(config->patch, "none") ? config->patch : NULL;
	}
	cfg.on_line = on_line;
	cfg.ctx = &ctx;

	tv_run(&cfg, &rec);
	out->end = rec.end;
	out->host_status = rec.host_status;
	out->guest_status = rec.end == TV_END_GUEST ? rec.guest_status : -1;
	out->interrupted_by = rec.interrupted_by;
	note_set(out->why, sizeof(out->why), "%s%s%s", tv_end_name(rec.end),
		 (rec.reason && *rec.reason) || rec.message[0] ? ": " : "",
		 rec.reason && *rec.reason ? rec.reason : rec.message);
	tv_run_record_free(&rec);
	if (out->interrupted_by)
		tv_process_reraise(out->interrupted_by);
}

static int run_ok(const struct run_outcome *o, const struct tv_probe_run *run,
		  const struct tv_probe_run *reference)
{
	return o->end == TV_END_GUEST && o->guest_status == 0 &&
	       tv_probe_run_complete(run, reference);
}

/* skip=<name> words for the guest, owned. */
struct skip_list {
	char *word[TV_CLASSIFY_ROWS_MAX];
	const char *name[TV_CLASSIFY_ROWS_MAX];	/* into word, past "skip=" */
	char reason[TV_CLASSIFY_ROWS_MAX][TV_CLASSIFY_NOTE_MAX];
	const char *reason_ptr[TV_CLASSIFY_ROWS_MAX];
	int n;
};

static void skips_free(struct skip_list *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->word[i]);
	s->n = 0;
}

/*
 * Classify one configuration into t. native_full is the bare machine's
 * complete run. Returns 0, TV_STATUS_REFUSED when the hypervisor refused
 * the configuration (note says why), or another status with note set.
 */
static int classify_config(const struct classify_env *env,
			   const struct tv_classify_config *config,
			   const struct tv_probe_run *native_full, struct tv_classify_table *t,
			   char *note, size_t notelen)
{
	static struct tv_probe_run virt, native_same;
	struct run_outcome out;
	struct skip_list skips = { .n = 0 };
	char name[96];
	int status = 0;

	tv_classify_config_name(config, name, sizeof(name));
	for (;;) {
		fprintf(stderr, TV_PROG ": running the probe under the hypervisor (%s)%s...\n",
			name, skips.n ? ", without the rows it stopped at" : "");
		run_probe(env, TV_MODE_HV, config, skips.word, skips.n, &virt, &out);
		if (run_ok(&out, &virt, native_full))
			break;
		if (out.end == TV_END_REFUSED) {
			note_set(note, notelen, "the hypervisor refused it (%s)", out.why);
			skips_free(&skips);
			return TV_STATUS_REFUSED;
		}
		int row = out.end == TV_END_STOPPED ? tv_classify_stopped_row(native_full, &virt) : -1;
		int again = 0;
		for (int k = 0; row >= 0 && k < skips.n; k++)
			again |= strcmp(skips.name[k], native_full->row[row].name) == 0;
		if (row < 0 || again || skips.n >= TV_CLASSIFY_ROWS_MAX) {
			note_set(note, notelen, "the run under the hypervisor %s", out.why);
			skips_free(&skips);
			return out.host_status != TV_STATUS_GUEST_OK ? out.host_status
								      : TV_STATUS_NO_RESULT;
		}
		fprintf(stderr, TV_PROG ":   stopped at %s: %s\n", native_full->row[row].name,
			out.why);
		char *w = malloc(strlen(native_full->row[row].name) + 6);
		if (!w) {
			fputs(TV_PROG ": out of memory\n", stderr);
			exit(TV_STATUS_NO_RESULT);
		}
		sprintf(w, "skip=%s", native_full->row[row].name);
		skips.word[skips.n] = w;
		skips.name[skips.n] = w + 5;
		note_set(skips.reason[skips.n], TV_CLASSIFY_NOTE_MAX, "%s", out.why);
		skips.reason_ptr[skips.n] = skips.reason[skips.n];
		skips.n++;
	}

	const struct tv_probe_run *native = native_full;
	if (skips.n) {
		fputs(TV_PROG ": running the probe on the bare machine without the same rows...\n",
		      stderr);
		run_probe(env, TV_MODE_NATIVE, config, skips.word, skips.n, &native_same, &out);
		if (!run_ok(&out, &native_same, native_full)) {
			note_set(note, notelen, "the bare machine's run without the stopped rows %s",
				 out.why);
			status = out.host_status != TV_STATUS_GUEST_OK ? out.host_status
								    : TV_STATUS_NO_RESULT;
		}
		native = &native_same;
	}
	tv_classify_build(t, config, native, &virt, skips.name, skips.reason_ptr,
			  (size_t)skips.n);
	skips_free(&skips);
	return status;
}

/* ---- 4. Capstone ---- */

/* Name each row's bytes and tell whether Capstone groups it as privileged. */
static void add_capstone(struct tv_classify_table *t)
{
	csh cs;

	if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
		return;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	for (size_t i = 0; i < t->nrows; i++) {
		struct tv_classify_row *r = &t->row[i];
		uint8_t bytes[16];
		size_t n = 0;
		cs_insn *insn;

		for (const char *h = r->bytes; h[0] && h[1] && n < sizeof(bytes); h += 2)
			bytes[n++] = (uint8_t)(tv_hex_digit(h[0]) << 4 | tv_hex_digit(h[1]));
		if (cs_disasm(cs, bytes, n, r->la, 1, &insn) != 1)
			continue;
		note_set(r->insn, sizeof(r->insn), "%s%s%s", insn->mnemonic,
			 insn->op_str[0] ? " " : "", insn->op_str);
		r->capstone_privileged = cs_insn_group(cs, insn, X86_GRP_PRIVILEGE) ? 1 : 0;
		cs_free(insn, 1);
	}
	cs_close(&cs);
}

/* ---- the command ---- */

static int native_reference(const struct classify_env *env, struct tv_probe_run *native)
{
	struct run_outcome out;
	struct tv_classify_config none = { .ring = 0, .patch = "none" };

	fprintf(stderr, TV_PROG ": running the probe on the bare machine...\n");
	run_probe(env, TV_MODE_NATIVE, &none, NULL, 0, native, &out);
	if (run_ok(&out, native, NULL))
		return 0;
	fprintf(stderr, TV_PROG ": the bare machine's run did not complete: %s\n", out.why);
	if (out.host_status == TV_STATUS_USAGE || out.host_status == TV_STATUS_TIMEOUT)
		return out.host_status;
	return TV_STATUS_STOPPED;
}

/* The probe guest found, for the runs of env. Returns 0 or the status to leave with. */
static int classify_env_init(struct classify_env *env, double timeout_s)
{
	char err[PATH_MAX + 128];
	int r;

	tv_paths_init(&env->paths);
	env->timeout_s = timeout_s;
	if ((r = tv_resolve_guest(&env->paths, PROBE_GUEST, env->guest, sizeof(env->guest), err,
			     sizeof(err))) != 0)
		tv_cli_error("%s", err);
	return r;
}

int tv_classify_collect(const struct tv_classify_config *config, double timeout_s,
			struct tv_classify_table *t, char *note, size_t notelen)
{
	static struct tv_probe_run native;
	struct classify_env env;
	int r;

	memset(t, 0, sizeof(*t));
	note[0] = '\0';
	if ((r = classify_env_init(&env, timeout_s)) != 0)
		return r;
	tv_process_watch_signals();
	if ((r = native_reference(&env, &native)) != 0)
		return r;
	r = classify_config(&env, config, &native, t, note, notelen);
	if (r == 0 || (t->nrows && r != TV_STATUS_REFUSED))
		add_capstone(t);
	return r;
}

int tv_classify_command(int argc, char **argv)
{
	static struct tv_probe_run native;
	struct classify_options o;
	struct classify_env env;
	char note[TV_CLASSIFY_NOTE_MAX];
	int r = parse(argc, argv, &o);

	if (r)
		return r;
	if (!o.matrix) {
		struct tv_classify_table *t = calloc(1, sizeof(*t));
		if (!t) {
			fputs(TV_PROG ": out of memory\n", stderr);
			return TV_STATUS_NO_RESULT;
		}
		r = tv_classify_collect(&o.config, o.timeout_s, t, note, sizeof(note));
		if (r == 0 || (t->nrows && r != TV_STATUS_REFUSED))
			tv_classify_print(stdout, t, o.format);
		if (note[0])
			fprintf(stderr, TV_PROG ": %s\n", note);
		free(t);
		return r;
	}

	if ((r = classify_env_init(&env, o.timeout_s)) != 0)
		return r;
	tv_process_watch_signals();
	if ((r = native_reference(&env, &native)) != 0)
		return r;

	struct tv_classify_matrix *m = calloc(1, sizeof(*m));
	if (!m) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	static const int rings[] = { 1, 3 };
	static const char *const patches[] = { "none", "all" };
	int status = 0;
	for (int ri = 0; ri < 2; ri++) {
		for (int umip = 0; umip < 2; umip++) {
			for (int pi = 0; pi < 2; pi++) {
				size_t c = m->nconfigs++;
				struct tv_classify_config cfg = {
					.ring = rings[ri], .umip = umip, .patch = patches[pi],
				};
				fprintf(stderr, TV_PROG ": [%zu/%d] ", c + 1,
					TV_CLASSIFY_CONFIGS_MAX);
				m->table[c].config = cfg;
				r = classify_config(&env, &cfg, &native, &m->table[c], m->note[c],
						    sizeof(m->note[c]));
				m->table[c].config = cfg;
				m->ran[c] = r == 0;
				if (r == 0) {
					add_capstone(&m->table[c]);
					continue;
				}
				fprintf(stderr, TV_PROG ":   not run: %s\n", m->note[c]);
				/* A refusal is the hypervisor's answer, not a failure. */
				if (r != TV_STATUS_REFUSED && !status)
					status = r;
			}
		}
	}
	tv_classify_print_matrix(stdout, m, o.format);
	free(m);
	return status;
}
