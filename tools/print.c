/*
 * tools/print.c: turn the lines and the record of a run into text for a
 * person. Runs on: host.
 *
 * Every line says whose it is: "guest| " for the guest's output, "hv| " for
 * the hypervisor's events, "trap| " for traced traps, "qemu| " for QEMU.
 * Text from the guest is re-escaped so control bytes cannot drive the
 * terminal.
 */
#include "tools/print.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/disasm.h"
#include "tools/escape.h"

#define C_GUEST	"\033[32m"	/* green */
#define C_HV	"\033[36m"	/* cyan */
#define C_TRAP	"\033[33m"	/* yellow */
#define C_BAD	"\033[31m"	/* red */
#define C_BOLD	"\033[1m"
#define C_OFF	"\033[0m"

void tv_printer_init(struct tv_printer *p, FILE *out, FILE *err)
{
	const char *no_colour = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	p->out = out;
	p->err = err;
	p->colour = isatty(fileno(out)) && !(no_colour && *no_colour) &&
		    !(term && strcmp(term, "dumb") == 0);
}

static const char *col(const struct tv_printer *p, const char *code)
{
	return p->colour ? code : "";
}

static void tag(const struct tv_printer *p, FILE *f, const char *code, const char *name)
{
	fprintf(f, "%s%s|%s ", col(p, code), name, col(p, C_OFF));
}

/* One line of bytes, escaped so that nothing in it can drive the terminal. */
static void put_line(FILE *f, const char *s, size_t len)
{
	tv_put_text(f, s, len);
	fputc('\n', f);
}

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *tv_vector_name(unsigned vec, char *buf, size_t len)
{
	if (vec < 32)
		return exception_names[vec];
	snprintf(buf, len, "INT 0x%02x", vec);
	return buf;
}

static const char *field_or(const struct tv_event *ev, const char *key, const char *dflt)
{
	const char *v = tv_event_get(ev, key);
	return v ? v : dflt;
}

static void print_trap(const struct tv_printer *p, const struct tv_event *ev)
{
	char vbuf[16], insn_buf[128], bytes_buf[64];
	uint64_t vec = 0, eip = 0;
	const char *vname = "?";
	const char *bytes = field_or(ev, "bytes", "");
	const char *insn = tv_event_get(ev, "insn");

	if (tv_event_get_u64(ev, "vec", &vec) == 0)
		vname = tv_vector_name((unsigned)vec, vbuf, sizeof(vbuf));
	tv_event_get_u64(ev, "eip", &eip);
	if ((!insn || !*insn) && *bytes &&
	    tv_disasm_hex(bytes, (uint32_t)eip, insn_buf, sizeof(insn_buf)) == 0)
		insn = insn_buf;

	/* "0f01c8" -> "0f 01 c8", which a reader can match against a listing. */
	size_t w = 0;
	for (size_t i = 0; bytes[i] && bytes[i + 1] && w + 4 < sizeof(bytes_buf); i += 2) {
		if (w)
			bytes_buf[w++] = ' ';
		bytes_buf[w++] = bytes[i];
		bytes_buf[w++] = bytes[i + 1];
	}
	bytes_buf[w] = '\0';

	tag(p, p->out, C_TRAP, "trap");
	fprintf(p->out, "%6s  %-3s err=%-6s eip=%-10s %-20s %-24s -> %s\n",
		field_or(ev, "seq", "?"), vname, field_or(ev, "err", "?"),
		field_or(ev, "eip", "?"), bytes_buf, insn ? insn : "(unknown)",
		field_or(ev, "action", "?"));
}

/*
 * The event as a person may see it: a copy whose values are escaped for the
 * terminal, since a quoted value may carry any byte (\xNN on the wire: a
 * guest's file name with a newline, say). The copy's values live in *buf,
 * which the caller frees; on failure the copy has no fields.
 */
static struct tv_event shown_event(const struct tv_event *ev, char **buf)
{
	struct tv_event shown = *ev;
	size_t size = 0, used = 0;

	for (unsigned i = 0; i < ev->nfields; i++)
		size += 4 * strlen(ev->field[i].value) + 1;
	*buf = malloc(size ? size : 1);
	if (!*buf) {
		shown.nfields = 0;
		return shown;
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		shown.field[i].value = tv_escape_text(*buf + used, size - used, ev->field[i].value);
		used += strlen(shown.field[i].value) + 1;
	}
	return shown;
}

static void print_event(const struct tv_printer *p, const struct tv_event *raw)
{
	char *buf;
	struct tv_event shown = shown_event(raw, &buf);
	const struct tv_event *ev = &shown;

	switch (ev->kind) {
	case TV_EV_HELLO:
		tag(p, p->out, C_HV, "hv");
		fprintf(p->out,
			"hypervisor up (protocol %s): guest \"%s\" in ring %s, %s MiB, trace %s, "
			"patch %s, UMIP %s\n",
			field_or(ev, "version", "?"), field_or(ev, "guest", "?"),
			field_or(ev, "ring", "?"), field_or(ev, "mem_mib", "?"),
			strcmp(field_or(ev, "trace", "0"), "1") == 0 ? "on" : "off",
			field_or(ev, "patch", "none"),
			strcmp(field_or(ev, "umip", "0"), "1") == 0 ? "on" : "off");
		break;
	case TV_EV_LOAD:
		tag(p, p->out, C_HV, "hv");
		fprintf(p->out, "guest loaded: entry %s, %s segment(s), multiboot info at %s\n",
			field_or(ev, "entry", "?"), field_or(ev, "segments", "?"),
			field_or(ev, "info", "?"));
		break;
	case TV_EV_TRAP:
		print_trap(p, ev);
		break;
	case TV_EV_IO:
		tag(p, p->out, C_TRAP, "io");
		fprintf(p->out, "%s port %s, %s byte(s), value %s (no device: ignored)\n",
			field_or(ev, "dir", "?"), field_or(ev, "port", "?"),
			field_or(ev, "size", "?"), field_or(ev, "value", "?"));
		break;
	case TV_EV_PATCH:
		tag(p, p->out, C_HV, "patch");
		fprintf(p->out, "%s  %s (%s byte(s)) now traps\n", field_or(ev, "la", "?"),
			field_or(ev, "insn", "?"), field_or(ev, "len", "?"));
		break;
	case TV_EV_NOTE:
		tag(p, p->out, C_HV, "hv");
		fprintf(p->out, "%s\n", field_or(ev, "text", "?"));
		break;
	default:
		/* stat and exit belong to the summary; unknown events are ignored. */
		break;
	}
	free(buf);
}

void tv_print_line(void *ctx, const struct tv_run_line *line)
{
	const struct tv_printer *p = ctx;

	switch (line->source) {
	case TV_LINE_GUEST:
		tag(p, p->out, C_GUEST, "guest");
		put_line(p->out, line->text, line->text_len);
		break;
	case TV_LINE_EVENT:
		print_event(p, line->ev);
		break;
	case TV_LINE_FOREIGN:
		put_line(p->out, line->raw, line->raw_len);
		break;
	case TV_LINE_MALFORMED:
		tag(p, p->out, C_BAD, "malformed");
		put_line(p->out, line->raw, line->raw_len);
		break;
	case TV_LINE_QEMU:
		tag(p, p->err, C_BAD, "qemu");
		put_line(p->err, line->raw, line->raw_len);
		break;
	}
	fflush(p->out);
}

struct stat_row {
	const char *name;
	uint64_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct stat_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Print the stat lines that carry key ("insn" or "what"), largest first. */
static size_t print_stats(const struct tv_printer *p, const struct tv_run_record *rec,
			  const char *key, const char *title)
{
	struct stat_row *rows = calloc(rec->nevents + 1, sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return 0;
	for (size_t i = 0; i < rec->nevents; i++) {
		const struct tv_event *ev = &rec->events[i];
		if (ev->kind != TV_EV_STAT || !tv_event_get(ev, key))
			continue;
		rows[n].name = tv_event_get(ev, key);
		if (tv_event_get_u64(ev, "count", &rows[n].count) == 0)
			n++;
	}
	qsort(rows, n, sizeof(*rows), by_count);
	if (n)
		fprintf(p->out, "%s\n", title);
	for (size_t i = 0; i < n; i++) {
		fprintf(p->out, "  %10" PRIu64 "  ", rows[i].count);
		put_line(p->out, rows[i].name, strlen(rows[i].name));
	}
	free(rows);
	return n;
}

void tv_print_summary(const struct tv_printer *p, const struct tv_run_record *rec)
{
	FILE *f = p->out;
	int bad = rec->host_status != TV_STATUS_GUEST_OK;

	const char *emulator = rec->on == TV_ON_BOCHS ? "Bochs" : "QEMU";

	fprintf(f, "%s--- summary (%s%s) ---%s\n", col(p, C_BOLD),
		rec->mode == TV_MODE_HV ? "under the hypervisor" : "native, bare ",
		rec->mode == TV_MODE_HV ? (rec->on == TV_ON_BOCHS ? ", on Bochs" : "") : emulator,
		col(p, C_OFF));
	if (rec->mode == TV_MODE_HV) {
		if (print_stats(p, rec, "insn", "traps by instruction:") == 0)
			fprintf(f, "traps by instruction: none reported\n");
		print_stats(p, rec, "what", "other counters:");
	}
	if (rec->nmalformed)
		fprintf(f, "malformed protocol lines: %zu\n", rec->nmalformed);

	fprintf(f, "run ended: %s%s", col(p, bad ? C_BAD : C_GUEST),
		rec->on == TV_ON_BOCHS && rec->end == TV_END_NO_EXIT ? "Bochs ended without a result"
								     : tv_end_name(rec->end));
	if (rec->reason && *rec->reason) {
		fputs(": ", f);
		tv_put_text(f, rec->reason, strlen(rec->reason));
	}
	fprintf(f, "%s\n", col(p, C_OFF));
	if (rec->message[0] && !(rec->reason && strstr(rec->message, rec->reason))) {
		fputs("note: ", f);
		put_line(f, rec->message, strlen(rec->message));
	}
	if (rec->end == TV_END_GUEST)
		fprintf(f, "guest exit status: %" PRId64 "\n", rec->guest_status);
	else
		fprintf(f, "guest exit status: none\n");
	fprintf(f, "wall time: %.2f s (%s with %" PRIu64 " MiB)\n", rec->wall_s, emulator,
		rec->machine_mib);
	fflush(f);
}
