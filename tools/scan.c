/*
 * tools/scan.c: `trapvisor scan`: the opcode space run on the bare machine
 * and under the hypervisor, compared case by case. Runs on: host.
 *
 * 1. Parse the options (tools/scan.h has the synopsis).
 * 2. Run the opcode_scan guest on the bare machine: the reference, the
 *    cases and their bytes. Should a case end the run (a reset, a hang), it
 *    is left out and the run resumed after it (the guest's from=N).
 * 3. Run it under the hypervisor with tracing, so every trap's EIP names
 *    the case it hit (each case runs from a slot of its own). A stop at a
 *    case marks it and the run resumes after it.
 * 4. Name each case's bytes with Capstone (its group: the mnemonic, and the
 *    segment register it moves), judge, group, match Robin & Irvine's list
 *    (tools/scan_table.c), print (tools/scan_print.c).
 * Both runs use QEMU's `max` CPU (it has UMIP), as classify does, so the
 * machines differ only by the hypervisor.
 */
#include "tools/scan.h"

#include <capstone/capstone.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli_args.h"
#include "tools/guests.h"
#include "tools/outcome.h"
#include "tools/process.h"
#include "tools/run.h"
#include "tools/scan_table.h"

#define SCAN_GUEST	"opcode_scan"
#define SCAN_CPU	"max"
#define SCAN_TIMEOUT_DEFAULT_S	300.0
#define SCAN_RESUMES_MAX	64
#define SCAN_PROGRESS_EVERY	1000

const char tv_scan_help[] =
	"The opcode_scan guest runs every one- and two-byte opcode, in each ModRM form\n"
	"that selects a different instruction and with and without the operand-size\n"
	"prefix, from one register and memory state in which the guest kernel's own\n"
	"state differs from the hypervisor's (its LDT, TR, CR0.NE and IF; selectors\n"
	"with RPL 1 in its registers and memory). Each case runs once on the bare\n"
	"machine and once under the hypervisor; a case that ends otherwise (registers,\n"
	"flags, memory, the fault taken) without the hypervisor trapping on it is\n"
	"SILENT: sensitive but unprivileged. The report lists those instructions,\n"
	"Robin & Irvine's list found or missed (and why), what the scan found beyond\n"
	"it, the opcodes not run and why (HLT, MWAIT, LGDT/LIDT, prefixes), and the\n"
	"time taken (about a minute or two; progress on stderr).\n"
	"\n"
	"options:\n"
	"  --ring R      the ring the guest kernel runs in: 1 (default) or 3\n"
	"  --umip        the hypervisor sets CR4.UMIP (SGDT, SIDT, SLDT, SMSW, STR trap)\n"
	"  --format F    text (default), md, csv (one row per instruction) or json\n"
	"  --timeout S   give up on one run after S seconds (default 300)\n"
	"\n"
	"exit status (SILENT instructions are the finding, not an error):\n"
	"  0  both runs completed (cases a run stopped at are reported, not errors)\n"
	"  2  usage or set-up error (bad option, nothing built, QEMU not installed)\n"
	"  3  the hypervisor refused the configuration\n"
	"  4  the bare machine's run did not complete\n"
	"  5  timeout: a run's QEMU was killed and the run could not be resumed\n"
	"  6  no result: a run ended in a way that could not be resumed\n";

/* snprintf that may cut: notes and names are for people, a cut one still says enough. */
static void text_set(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void text_set(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

struct scan_options {
	int ring, umip;
	enum tv_scan_format format;
	double timeout_s;
};

static int parse(int argc, char **argv, struct scan_options *o)
{
	memset(o, 0, sizeof(*o));
	o->ring = 1;
	o->timeout_s = SCAN_TIMEOUT_DEFAULT_S;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (tv_cli_is_help(a))
			return TV_CLI_WANTS_HELP;
		if (strcmp(a, "--umip") == 0) {
			o->umip = 1;
		} else if (tv_cli_is_option(a, "--ring")) {
			if ((r = tv_cli_ring_option("scan", argc, argv, &i, &o->ring)))
				return r;
		} else if (tv_cli_is_option(a, "--format")) {
			int f;
			if ((r = tv_cli_format_option("scan", argc, argv, &i, tv_scan_format_from_name,
						      "text, md, csv or json", &f)))
				return r;
			o->format = (enum tv_scan_format)f;
		} else if (tv_cli_is_option(a, "--timeout")) {
			if ((r = tv_cli_timeout_option("scan", argc, argv, &i, &o->timeout_s)))
				return r;
		} else {
			return tv_cli_word_refused("scan", a);
		}
	}
	return 0;
}

/* ---- 2 and 3. runs ---- */

struct scan_env {
	struct tv_paths paths;
	char guest[PATH_MAX];
	const struct scan_options *o;
	struct tv_scan *scan;
};

struct run_ctx {
	struct tv_scan *scan;
	int virt;
	int end_seen;
	unsigned lines;
};

static void on_line(void *ctx, const struct tv_run_line *line)
{
	struct run_ctx *c = ctx;

	if (line->source == TV_LINE_GUEST) {
		struct tv_scan_line l;
		enum tv_scan_line_kind k = tv_scan_parse_line(line->text, line->text_len, &l);
		tv_scan_add_line(c->scan, c->virt, k, &l);
		c->end_seen |= k == TV_SCAN_LINE_END;
		if (k == TV_SCAN_LINE_CASE && ++c->lines % SCAN_PROGRESS_EVERY == 0)
			fprintf(stderr, TV_PROG ":   case %u of %u\n", l.index, c->scan->ncases);
		return;
	}
	if (line->source == TV_LINE_EVENT && line->ev->kind == TV_EV_TRAP) {
		uint64_t eip;
		if (tv_event_get_u64(line->ev, "eip", &eip) == 0)
			tv_scan_add_trap(c->scan, (uint32_t)eip, tv_event_get(line->ev, "action"));
	}
}

/* One QEMU run from case `from`; *why says how it ended. Returns the host's status. */
static int run_once(const struct scan_env *env, int virt, unsigned from, int *end_seen,
		    double *wall_s, char *why, size_t whylen)
{
	struct tv_run_config cfg;
	struct tv_run_record rec;
	struct run_ctx ctx = { .scan = env->scan, .virt = virt };
	char word[32], *argv[1] = { word };

	text_set(word, sizeof(word), "from=%u", from);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = virt ? TV_MODE_HV : TV_MODE_NATIVE;
	cfg.guest_path = env->guest;
	cfg.guest_argv = from ? argv : NULL;
	cfg.guest_argc = from ? 1 : 0;
	cfg.mem_mib = TV_MEM_MIB_DEFAULT;
	cfg.timeout_s = env->o->timeout_s;
	cfg.hv_path = env->paths.hv;
	cfg.cpu = SCAN_CPU;
	if (virt) {
		cfg.ring = env->o->ring;
		cfg.trace = 1;
		cfg.umip = env->o->umip;
	}
	cfg.on_line = on_line;
	cfg.ctx = &ctx;

	int status = tv_run(&cfg, &rec);
	*end_seen = ctx.end_seen && rec.end == TV_END_GUEST && rec.guest_status == 0;
	*wall_s += rec.wall_s;
	text_set(why, whylen, "%s%s%s", tv_end_name(rec.end),
		 (rec.reason && *rec.reason) || rec.message[0] ? ": " : "",
		 rec.reason && *rec.reason ? rec.reason : rec.message);
	int interrupted = rec.interrupted_by;
	tv_run_record_free(&rec);
	if (interrupted)
		tv_process_reraise(interrupted);
	return status;
}

/*
 * Run one side to the end, resuming after any case that ends a run. A
 * case a run ended at is marked stopped (under the hypervisor) or left
 * without a line (on the bare machine: not compared).
 */
static int run_side(const struct scan_env *env, int virt)
{
	struct tv_scan *s = env->scan;
	unsigned from = 0;
	double *wall = virt ? &s->virt_s : &s->native_s;
	char why[TV_SCAN_TEXT_MAX];

	for (int attempt = 0; attempt < SCAN_RESUMES_MAX; attempt++) {
		int end_seen;
		fprintf(stderr, TV_PROG ": running the scan %s%s...\n",
			virt ? "under the hypervisor" : "on the bare machine",
			from ? ", resumed after the case that ended the last run" : "");
		int status = run_once(env, virt, from, &end_seen, wall, why, sizeof(why));
		if (virt)
			s->virt_runs++;
		if (end_seen)
			return 0;
		if (status == TV_STATUS_USAGE || status == TV_STATUS_REFUSED) {
			fprintf(stderr, TV_PROG ": %s\n", why);
			return status;
		}
		if (!s->ncases) {
			fprintf(stderr, TV_PROG ": the %s run ended before the scan began: %s\n",
				virt ? "hypervisor's" : "bare machine's", why);
			return virt ? (status ? status : TV_STATUS_NO_RESULT) : TV_STATUS_STOPPED;
		}
		unsigned k = tv_scan_first_missing(s, virt, from);
		if (k >= s->ncases) {
			fprintf(stderr, TV_PROG ": the run ended after its last case: %s\n", why);
			return status ? status : TV_STATUS_NO_RESULT;
		}
		fprintf(stderr, TV_PROG ":   case %u (%s) ended the run: %s\n", k,
			s->c[k].bytes[0] ? s->c[k].bytes : "?", why);
		if (virt) {
			s->c[k].stopped = 1;
			if (s->nstop_notes < sizeof(s->stop_note) / sizeof(s->stop_note[0]))
				text_set(s->stop_note[s->nstop_notes++], TV_SCAN_TEXT_MAX, "case %u (%s): %s",
					 k, s->c[k].bytes, why);
		}
		from = k + 1;
		if (from >= s->ncases)
			return 0;
	}
	fprintf(stderr, TV_PROG ": more than %d runs ended early; giving up\n", SCAN_RESUMES_MAX);
	return TV_STATUS_NO_RESULT;
}

/* ---- 4. Capstone ---- */

/* A segment, control or debug register among the operands: its name, and whether it is written. */
static const char *special_register(csh cs, const cs_insn *insn, int *is_dst)
{
	const cs_x86 *x = &insn->detail->x86;
	const char *name = NULL;

	for (unsigned i = 0; i < x->op_count; i++) {
		if (x->operands[i].type != X86_OP_REG)
			continue;
		x86_reg r = x->operands[i].reg;
		if (r == X86_REG_CS || r == X86_REG_SS || r == X86_REG_DS || r == X86_REG_ES ||
		    r == X86_REG_FS || r == X86_REG_GS || (r >= X86_REG_CR0 && r <= X86_REG_CR15) ||
		    (r >= X86_REG_DR0 && r <= X86_REG_DR15)) {
			name = cs_reg_name(cs, r);
			*is_dst = i == 0;
		}
	}
	return name;
}

/* Robin & Irvine's instruction this one is (tv_scan_ri[]), or -1; sreg: a segment register operand. */
static int ri_of(const cs_insn *insn, const char *sreg)
{
	switch (insn->id) {
	case X86_INS_SGDT: return 0;
	case X86_INS_SIDT: return 1;
	case X86_INS_SLDT: return 2;
	case X86_INS_SMSW: return 3;
	case X86_INS_PUSHF: case X86_INS_PUSHFD: return 4;
	case X86_INS_POPF: case X86_INS_POPFD: return 5;
	case X86_INS_LAR: return 6;
	case X86_INS_LSL: return 7;
	case X86_INS_VERR: return 8;
	case X86_INS_VERW: return 9;
	case X86_INS_POP: return sreg ? 10 : -1;
	case X86_INS_PUSH: return sreg ? 11 : -1;
	case X86_INS_LCALL: return 12;
	case X86_INS_LJMP: return 13;
	case X86_INS_INT: return 14;
	case X86_INS_RETF: return 15;
	case X86_INS_STR: return 16;
	case X86_INS_MOV: return sreg ? 17 : -1;
	}
	return -1;
}

static void name_cases(struct tv_scan *s)
{
	csh cs;
	int have = cs_open(CS_ARCH_X86, CS_MODE_32, &cs) == CS_ERR_OK;

	if (have)
		cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	for (unsigned n = 0; n < s->ncases; n++) {
		struct tv_scan_case *c = &s->c[n];
		uint8_t bytes[16];
		size_t len = 0;
		cs_insn *insn;

		c->ri = -1;
		for (const char *h = c->bytes; h[0] && h[1] && len < sizeof(bytes); h += 2)
			bytes[len++] = (uint8_t)(tv_hex_digit(h[0]) << 4 | tv_hex_digit(h[1]));
		int o16 = len > 1 && bytes[0] == 0x66;
		if (!have || cs_disasm(cs, bytes, len, s->slots + n * s->slot_bytes, 1, &insn) != 1) {
			/* Capstone does not know it: group by the opcode bytes. */
			text_set(c->insn, sizeof(c->insn), "(%.*s)", (int)(2 + 2 * (len > 1 && bytes[o16] == 0x0F) + 2 * o16), c->bytes);
			text_set(c->group, sizeof(c->group), "%s", c->insn);
			continue;
		}
		int dst = 0;
		const char *reg = special_register(cs, insn, &dst);
		const char *sreg = reg && strlen(reg) == 2 && reg[1] == 's' ? reg : NULL;
		c->ri = ri_of(insn, sreg);
		text_set(c->insn, sizeof(c->insn), "%s%s%s", insn->mnemonic,
			 insn->op_str[0] ? " " : "", insn->op_str);
		int one = insn->detail->x86.op_count == 1;
		if (reg)
			text_set(c->group, sizeof(c->group), "%s%s %s%s%s", o16 ? "66 " : "",
				 insn->mnemonic, dst ? reg : "r/m, ", dst ? (one ? "" : ", r/m") : reg, "");
		else
			text_set(c->group, sizeof(c->group), "%s%s", o16 ? "66 " : "", insn->mnemonic);
		cs_free(insn, 1);
	}
	if (have)
		cs_close(&cs);
}

/* ---- the command ---- */

int tv_scan_command(int argc, char **argv)
{
	struct scan_options o;
	struct scan_env env;
	char err[PATH_MAX + 128];
	int r = parse(argc, argv, &o);

	if (r)
		return r;
	tv_paths_init(&env.paths);
	env.o = &o;
	if ((r = tv_resolve_guest(&env.paths, SCAN_GUEST, env.guest, sizeof(env.guest), err,
				  sizeof(err))) != 0) {
		tv_cli_error("%s", err);
		return r;
	}
	struct tv_scan *s = calloc(1, sizeof(*s));
	struct tv_scan_report *rep = calloc(1, sizeof(*rep));
	if (!s || !rep) {
		fputs(TV_PROG ": out of memory\n", stderr);
		return TV_STATUS_NO_RESULT;
	}
	tv_scan_init(s, o.ring, o.umip);
	env.scan = s;
	tv_process_watch_signals();

	int status = run_side(&env, 0);
	if (status == 0)
		status = run_side(&env, 1);
	if (s->ncases && status != TV_STATUS_USAGE && status != TV_STATUS_REFUSED) {
		name_cases(s);
		tv_scan_judge(s);
		tv_scan_report_build(s, rep);
		tv_scan_print(stdout, s, rep, o.format);
	}
	if (s->nmalformed)
		fprintf(stderr, TV_PROG ": %u malformed lines from the guest were ignored\n",
			s->nmalformed);
	free(rep);
	free(s);
	return status;
}
