/*
 * tools/demo.c: `trapvisor demo`: run the popf_demo guest on the bare
 * machine, under trap-and-emulate, patched and paravirtualized, and show
 * side by side where each run stops being equivalent to the bare machine.
 * Runs on: host.
 *
 * 1. Each run goes through tv_run() (tools/run.h); its guest lines are read
 *    as they arrive into the results of tools/demo_table.h.
 * 2. Progress goes to stderr, so stdout holds only the table (and can be
 *    piped as markdown or JSON).
 * 3. With --step the guest pauses before each experiment: the user's Enter
 *    goes to QEMU's stdin, which is the guest's COM1 (-serial stdio), and
 *    the guest's narration is shown live.
 */
#include "tools/demo.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/demo_guest_text.h"
#include "tools/guests.h"
#include "tools/i18n.h"
#include "tools/outcome.h"
#include "tools/print.h"
#include "tools/process.h"
#include "tools/run.h"

#define PROG		"trapvisor"
#define DEMO_GUEST	"popf_demo"

/*
 * With --step each run may wait for the user before every experiment; the
 * guest gives up waiting after about 30 s, so allow that much per pause.
 */
#define STEP_PAUSES		6
#define STEP_PAUSE_ALLOWANCE_S	40.0

#define C_DIM	"\033[2m"
#define C_HEAD	"\033[1m"
#define C_EQUAL	"\033[32m"
#define C_DIFF	"\033[31m"
#define C_OFF	"\033[0m"

const char tv_demo_help[] =
	"The popf_demo guest runs five times: on the bare machine (QEMU boots it\n"
	"directly), under the hypervisor (ring 1 unless --ring 3) with nothing patched\n"
	"(trap-and-emulate), the same with POPF, PUSHF, PUSH CS, MOV from CS and the\n"
	"other sensitive instructions the patcher knows patched to trap (patch=all),\n"
	"with POPF, PUSHF, PUSH CS, MOV from CS, CLI and STI patched into code the\n"
	"guest runs itself without a trap (patch=inline), and unpatched with the\n"
	"guest told 'paravirt',\n"
	"so that it asks the hypervisor by hypercall instead of running CLI, STI,\n"
	"PUSHF, POPF and MOV from CS. Each column shows the category that run\n"
	"observed, marked '= bare' when the bare machine's run observed the same and\n"
	"'DIFFERS' when not; the bare machine's own column is marked '= arch' when it\n"
	"did what the architecture promises a ring-0 kernel. A short explanation of\n"
	"the differences this run showed, and each run's time and traps, follow.\n"
	"\n"
	"options:\n"
	"  --ring R      the ring of the four runs under the hypervisor: 1 or 3\n"
	"                (default 1)\n"
	"  --step        pause before each experiment until Enter is pressed, and show\n"
	"                the guest's narration as it runs (stdin must be a terminal)\n"
	"  --format F    text (the default), md (a markdown table, e.g. for slides) or\n"
	"                json (one object: runs, experiments, cells)\n"
	"  --lang L      the language of the table, narration and prompts: en\n"
	"                (English) or nb (Norwegian bokmål); default: the locale's\n"
	"                (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English; json\n"
	"                stays English\n"
	"  --mem N       the guest's memory in MiB, 1 to 1024 (default 32)\n"
	"  --timeout S   give up on a run after S seconds and kill QEMU (default 30;\n"
	"                --step adds time for the pauses)\n"
	"\n"
	"exit status (differences from the bare machine are the demonstration, not\n"
	"an error):\n"
	"  0  all five runs completed and the bare machine did what the\n"
	"     architecture promises\n"
	"  1  a run's guest exited with a nonzero status\n"
	"  2  usage or set-up error (bad option, --step without a terminal, nothing\n"
	"     built, QEMU not installed)\n"
	"  3  a run's guest image was refused (e.g. a hypervisor without patch=)\n"
	"  4  a run's guest was stopped before it exited\n"
	"  5  timeout: a run's QEMU was killed\n"
	"  6  no result: a run ended without saying how, or without reporting every\n"
	"     experiment\n"
	"  7  every run completed, but the bare machine itself disagreed with the\n"
	"     architecture (the emulated CPU does not behave as a real one)\n"
	"  For 1 to 6 the status is that of the first run (in column order) that\n"
	"  failed; the others still ran and their columns are shown.\n";

/* What the on_line callback needs while one run goes. */
struct demo_ctx {
	struct tv_demo_results *results;
	enum tv_demo_run_id run;
	int step;		/* show the guest's narration live */
	int colour;
};

static const char *col(const struct demo_ctx *c, const char *code)
{
	return c->colour ? code : "";
}

/* The title of an experiment if an earlier run has introduced it, else its name. */
static const char *title_of(const struct tv_demo_results *r, const char *name)
{
	for (size_t i = 0; i < r->nexp; i++)
		if (strcmp(r->exp[i].name, name) == 0 && r->exp[i].title[0])
			return r->exp[i].title;
	return name;
}

/* --step: the guest's report, as a person follows it. */
static void show_live(const struct demo_ctx *c, const struct tv_demo_line *l)
{
	const struct tv_demo_results *r = c->results;
	char said[512];

	switch (l->kind) {
	case TV_DEMO_LINE_PAUSE:
		fputs("\n", stdout);
		fputs(col(c, C_HEAD), stdout);
		printf(_("next: %s. Press Enter to run it."), _(title_of(r, l->name)));
		printf("%s\n", col(c, C_OFF));
		break;
	case TV_DEMO_LINE_BEGIN:
		printf("%s== %s ==%s\n", col(c, C_HEAD), _(l->title), col(c, C_OFF));
		break;
	case TV_DEMO_LINE_SAY:
		printf("   %s\n", tv_demo_guest_text(l->text, said, sizeof(said)));
		break;
	case TV_DEMO_LINE_RESULT: {
		/* Compare as the table will: with the bare machine's run once it exists. */
		const char *ref = l->bare;
		/* TRANSLATORS: the first %s is the category this run observed, the second
		   the reference's, the third the guest's numbers behind it. */
		const char *fmt = _("observed %s (the architecture promises %s): %s");
		for (size_t i = 0; c->run != TV_DEMO_BARE && i < r->nexp; i++) {
			if (strcmp(r->exp[i].name, l->name) == 0 &&
			    r->exp[i].cell[TV_DEMO_BARE].present) {
				ref = r->exp[i].cell[TV_DEMO_BARE].observed;
				fmt = _("observed %s (the bare machine showed %s): %s");
			}
		}
		int same = strcmp(l->observed, ref) == 0;
		char observed[2 * TV_DEMO_CATEGORY_MAX + 16];
		snprintf(observed, sizeof(observed), "%s%s%s", col(c, same ? C_EQUAL : C_DIFF),
			 _(l->observed), col(c, C_OFF));
		fputs("   ", stdout);
		printf(fmt, observed, _(ref), tv_demo_guest_text(l->detail, said, sizeof(said)));
		fputc('\n', stdout);
		break;
	}
	case TV_DEMO_LINE_OTHER:
		printf("   %s%s%s\n", col(c, C_DIM), tv_demo_guest_text(l->text, said, sizeof(said)),
		       col(c, C_OFF));
		break;
	case TV_DEMO_LINE_SUMMARY:
	case TV_DEMO_LINE_MALFORMED:
		printf("   %s%s%s\n", col(c, C_DIM), l->text, col(c, C_OFF));
		break;
	}
	fflush(stdout);
}

static void on_line(void *ctx, const struct tv_run_line *line)
{
	struct demo_ctx *c = ctx;
	struct tv_demo_run *run = &c->results->run[c->run];
	struct tv_demo_line l;

	if (line->source == TV_LINE_GUEST) {
		tv_demo_parse_line(line->text, line->text_len, &l);
		if (c->step)
			show_live(c, &l);
		tv_demo_record_line(c->results, c->run, &l);
		return;
	}
	if (line->source == TV_LINE_EVENT && line->ev->kind == TV_EV_STAT) {
		const char *insn = tv_event_get(line->ev, "insn");
		const char *what = tv_event_get(line->ev, "what");
		uint64_t count;

		if (tv_event_get_u64(line->ev, "count", &count) < 0)
			return;
		if (insn)
			tv_demo_record_insn(run, insn, count);
		else if (what && strcmp(what, "traps") == 0)
			run->traps = (int64_t)count;
	}
}

/* Where each run is going, in words for the progress line. */
static const char *const doing[TV_DEMO_RUNS] = {
	[TV_DEMO_BARE] = N_("on the bare machine"),
	[TV_DEMO_TRAP_EMULATE] = N_("under trap-and-emulate (patch=none)"),
	[TV_DEMO_PATCHED] = N_("patched (patch=all)"),
	[TV_DEMO_INLINE] = N_("patched inline (patch=inline)"),
	[TV_DEMO_PARAVIRT] = N_("paravirtualized (hypercalls, patch=none)"),
};

/*
 * One run into r->run[id]. Returns the signal that interrupted it, or 0.
 */
static int run_one(const struct tv_demo_options *o, const struct tv_paths *paths,
		   const char *guest_path, struct tv_demo_results *r, enum tv_demo_run_id id,
		   int colour)
{
	static char step_word[] = "step";
	char *guest_argv[3];
	int guest_argc = 0;
	struct tv_demo_run *run = &r->run[id];
	struct demo_ctx ctx = { .results = r, .run = id, .step = o->step, .colour = colour };
	struct tv_run_config cfg;
	struct tv_run_record rec;

	if (o->step)
		guest_argv[guest_argc++] = step_word;
	if (run->guest_word)
		guest_argv[guest_argc++] = (char *)run->guest_word;
	guest_argv[guest_argc] = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = id == TV_DEMO_BARE ? TV_MODE_NATIVE : TV_MODE_HV;
	cfg.guest_path = guest_path;
	cfg.guest_argv = guest_argc ? guest_argv : NULL;
	cfg.guest_argc = guest_argc;
	cfg.mem_mib = o->mem_mib;
	cfg.timeout_s = o->timeout_s + (o->step ? STEP_PAUSES * STEP_PAUSE_ALLOWANCE_S : 0);
	cfg.hv_path = paths->hv;
	cfg.ring = o->ring;
	cfg.patch = run->patch;
	cfg.forward_stdin = o->step;
	cfg.on_line = on_line;
	cfg.ctx = &ctx;

	if (o->step)
		printf("\n%s=== %d/%d: %s (%s) ===%s\n", colour ? C_HEAD : "", (int)id + 1,
		       TV_DEMO_RUNS, _(run->title), _(run->how), colour ? C_OFF : "");
	else {
		fputs(PROG ": ", stderr);
		/* TRANSLATORS: %s is where the run goes, e.g. "on the bare machine". */
		fprintf(stderr, _("running %s... "), _(doing[id]));
	}
	fflush(stdout);
	fflush(stderr);

	tv_run(&cfg, &rec);
	run->ran = 1;
	run->host_status = rec.host_status;
	snprintf(run->end, sizeof(run->end), "%s", tv_end_name(rec.end));
	run->guest_status = rec.end == TV_END_GUEST ? rec.guest_status : -1;
	/* The hypervisor's own reason (e.g. for a refusal) says the most. */
	snprintf(run->message, sizeof(run->message), "%s",
		 rec.reason && *rec.reason ? rec.reason : rec.message);
	run->wall_s = rec.wall_s;

	if (o->step)
		fprintf(stderr, PROG ": %s: %.2f s", _(run->title), rec.wall_s);
	else
		fprintf(stderr, "%.2f s", rec.wall_s);
	if (rec.host_status != TV_STATUS_GUEST_OK)
		fprintf(stderr, _(", failed: %s%s%s"), run->end, run->message[0] ? ": " : "",
			run->message);
	else if (!tv_demo_run_complete(r, id))
		fputs(_(", but not every experiment reported"), stderr);
	fputc('\n', stderr);
	for (size_t i = 0; rec.host_status != TV_STATUS_GUEST_OK && i < rec.nqemu_lines; i++)
		fprintf(stderr, "qemu| %s\n", rec.qemu_lines[i].s);

	int sig = rec.interrupted_by;
	tv_run_record_free(&rec);
	return sig;
}

int tv_demo_collect(const struct tv_demo_options *o, struct tv_demo_results *r)
{
	struct tv_paths paths;
	struct tv_printer printer;
	char guest_path[PATH_MAX], err[PATH_MAX + 128];
	int status;

	tv_demo_results_init(r);
	tv_printer_init(&printer, stdout, stderr);
	if (o->step && !isatty(0)) {
		fprintf(stderr, PROG ": %s\n", _("--step waits for Enter before each experiment, "
						  "so stdin must be a terminal"));
		return TV_STATUS_USAGE;
	}
	tv_paths_init(&paths);
	if ((status = tv_resolve_guest(&paths, DEMO_GUEST, guest_path, sizeof(guest_path), err,
			     sizeof(err))) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return status;
	}
	static const char *const ring3_how[TV_DEMO_RUNS] = {
		[TV_DEMO_TRAP_EMULATE] = N_("ring 3, patch=none"),
		[TV_DEMO_PATCHED] = N_("ring 3, patch=all"),
		[TV_DEMO_INLINE] = N_("ring 3, patch=inline"),
		[TV_DEMO_PARAVIRT] = N_("ring 3, hypercalls"),
	};
	for (int i = 0; i < TV_DEMO_RUNS; i++) {
		if (!r->run[i].ring || o->ring == 1)
			continue;
		r->run[i].ring = o->ring;
		r->run[i].how = ring3_how[i];
	}

	tv_process_watch_signals();
	for (int i = 0; i < TV_DEMO_RUNS; i++) {
		int sig = run_one(o, &paths, guest_path, r, (enum tv_demo_run_id)i,
				  printer.colour);
		if (sig) {
			tv_process_reraise(sig);
			return TV_STATUS_NO_RESULT;
		}
		/* Nothing can run without QEMU; do not say so five times. */
		if (r->run[i].host_status == TV_STATUS_USAGE && strstr(r->run[i].message, "QEMU"))
			break;
	}
	return tv_demo_exit_status(r);
}

int tv_demo(const struct tv_demo_options *o)
{
	struct tv_printer printer;
	struct tv_demo_results r;
	int status;

	tv_printer_init(&printer, stdout, stderr);
	status = tv_demo_collect(o, &r);
	/* Nothing ran: a usage or set-up error already said why. */
	if (!r.run[TV_DEMO_BARE].ran)
		return status;
	if (o->step)
		putchar('\n');
	switch (o->format) {
	case TV_DEMO_TEXT:
		tv_demo_print_text(stdout, &r, printer.colour);
		break;
	case TV_DEMO_MARKDOWN:
		tv_demo_print_markdown(stdout, &r);
		break;
	case TV_DEMO_JSON:
		tv_demo_print_json(stdout, &r, status);
		break;
	}
	fflush(stdout);
	if (r.run[TV_DEMO_BARE].ran && r.nexp && !tv_demo_bare_as_architecture(&r) &&
	    tv_demo_run_complete(&r, TV_DEMO_BARE))
		fprintf(stderr, PROG ": %s\n", _("WARNING: on the bare machine the guest did not "
						  "see what the architecture promises a ring-0 "
						  "kernel; see the table"));
	return status;
}
