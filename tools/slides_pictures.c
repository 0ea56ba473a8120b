/*
 * tools/slides_pictures.c: the pictures of `trapvisor slides`, each an SVG
 * file drawn from this run's numbers. Runs on: host.
 *
 * 1. rings.svg: the rings on the bare machine and virtualized (the guest
 *    kernel's ring as the hypervisor reported it), written directly;
 * 2. popek_goldberg.svg: classify's instructions in the sets sensitive and
 *    privileged, the silent ones marked, written directly;
 * 3. trap_path.svg: the path of one trapped CLI with each part's cycles,
 *    laid out by Graphviz's dot from DIR/trap_path.dot;
 * 4. cures.svg: the cures' price as bars, drawn by gnuplot from
 *    DIR/cures.gp and DIR/cures.dat.
 * The sources of 3 and 4 stay in DIR for a teacher to change. Every picture
 * is meant for a projector: large type, dark on light, and the colours
 * (Okabe and Ito's, safe for colour-blind viewers) never carry a meaning
 * alone: shapes, hatching and words carry it too.
 */
#include "tools/slides_data.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/process.h"

/* Okabe-Ito. */
#define OI_ORANGE	"#E69F00"
#define OI_SKY		"#56B4E9"
#define OI_GREEN	"#009E73"
#define OI_BLUE		"#0072B2"
#define OI_VERMILLION	"#D55E00"
#define OI_PURPLE	"#CC79A7"
#define INK		"#000000"
#define FONT		"DejaVu Sans, Verdana, sans-serif"

#define TOOL_DEADLINE_S	60.0

/* Text for XML: the five characters that would end it escaped. */
static void put_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void text(FILE *f, double x, double y, int size, const char *anchor, const char *weight,
		 const char *s)
{
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"%d\" text-anchor=\"%s\" "
		"font-weight=\"%s\">", x, y, size, anchor, weight);
	put_xml(f, s);
	fputs("</text>\n", f);
}

static void svg_open(FILE *f, int w, int h, const char *title)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" font-family=\"%s\" fill=\"" INK "\">\n<title>", w, h, w, h, FONT);
	put_xml(f, title);
	fprintf(f, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#FFFFFF\"/>\n", w, h);
}

static FILE *open_in(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *f = NULL;

	if (tv_slides_path(path, sizeof(path), dir, name) == 0)
		f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "cannot write %s/%s", dir, name);
	return f;
}

static int close_in(FILE *f, const char *name, char *err, size_t errlen)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "writing %s failed", name);
		return -1;
	}
	return 0;
}

/* ---- 1. the rings ---- */

/* One layer's box: a fill, a hatch or not, a label of one or two lines. */
static void layer_box(FILE *f, double x, double y, double w, double h, const char *fill,
		      int hatched, int light_text, const char *line1, const char *line2)
{
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" rx=\"14\" "
		"fill=\"%s\" stroke=\"" INK "\" stroke-width=\"4\"/>\n", x, y, w, h, fill);
	if (hatched)
		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" rx=\"14\" "
			"fill=\"url(#tv-hatch)\"/>\n", x, y, w, h);
	/* On a hatched box the words get a halo of white, so the stripes never cross them. */
	fprintf(f, "<g fill=\"%s\"%s>\n", light_text ? "#FFFFFF" : INK,
		hatched ? " stroke=\"#FFFFFF\" stroke-width=\"7\" paint-order=\"stroke\"" : "");
	/* A long label (a translation, say) in smaller type, so that it stays inside its box. */
	text(f, x + w / 2, y + (line2 ? h / 2 - 6 : h / 2 + 13), strlen(line1) > 18 ? 31 : 38,
	     "middle", "bold", line1);
	if (line2)
		text(f, x + w / 2, y + h / 2 + 34, 28, "middle", "normal", line2);
	fputs("</g>\n", f);
}

static void arrow(FILE *f, double x, double y1, double y2)
{
	fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"" INK "\" "
		"stroke-width=\"6\" marker-end=\"url(#tv-arrow)\"/>\n", x, y1, x, y2);
}

static void write_rings(FILE *f, const struct tv_slides *s)
{
	const int band = 150, top = 56, bx = 250, vx = 930, bw = 480;
	char ring_line[96];
	int r = s->trap.ring;

	svg_open(f, 1600, 660, _("The rings: a bare machine and a virtualized one"));
	fputs("<defs><pattern id=\"tv-hatch\" width=\"24\" height=\"24\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"8\" height=\"24\" fill=\"#FFFFFF\" opacity=\"0.5\"/></pattern>"
	      "<marker id=\"tv-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\">"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"" INK "\"/></marker></defs>\n", f);
	text(f, bx + bw / 2, 42, 36, "middle", "bold", _("bare machine"));
	text(f, vx + bw / 2 + 40, 42, 36, "middle", "bold", _("virtualized (this run)"));
	/* Ring 3 at the top, ring 0 at the bottom; ring 2 is unused by both. */
	for (int ring = 3; ring >= 0; ring--) {
		double y = top + (3 - ring) * band;
		char label[32];
		snprintf(label, sizeof(label), _("ring %d"), ring);
		fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"1600\" height=\"%d\" fill=\"%s\"/>\n",
			(int)y, band, ring % 2 ? "#EDEDED" : "#FFFFFF");
		text(f, 12, y + band / 2 + 4, 34, "start", "bold", label);
		if (ring == 3)
			text(f, 12, y + band / 2 + 40, 27, "start", "normal", _("user mode"));
		if (ring == 0)
			text(f, 12, y + band / 2 + 40, 27, "start", "normal", _("kernel mode"));
	}
	fprintf(f, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"" INK "\" "
		"stroke-width=\"3\" stroke-dasharray=\"12 8\"/>\n", vx - 90, vx - 90, top + 4 * band);
	/* The bare machine. */
	layer_box(f, bx, top + 15, bw, band - 30, OI_SKY, 0, 0, _("applications"), NULL);
	layer_box(f, bx, top + 3 * band + 15, bw, band - 30, OI_BLUE, 0, 1, _("OS kernel"),
		  _("runs privileged instructions"));
	arrow(f, bx + bw / 2, top + band - 15, top + 3 * band + 12);
	text(f, bx + bw / 2 + 14, top + 2 * band + 10, 30, "start", "normal", _("system call"));
	/* Virtualized: the guest kernel in ring r, the hypervisor in ring 0. */
	double gy = top + (3 - r) * band + 15;
	double gx = r == 3 ? vx + bw / 2 + 10 : vx, gw = r == 3 ? bw / 2 - 10 : bw;
	layer_box(f, vx, top + 15, r == 3 ? bw / 2 - 10 : bw, band - 30, OI_SKY, 0, 0,
		  _("guest applications"), NULL);
	snprintf(ring_line, sizeof(ring_line), _("deprivileged, ring %d"), r);
	layer_box(f, gx, gy, gw, band - 30, OI_BLUE, 0, 1, _("guest OS"), ring_line);
	layer_box(f, vx, top + 3 * band + 15, bw, band - 30, OI_VERMILLION, 1, 0, _("hypervisor"),
		  _("the only one in kernel mode"));
	arrow(f, gx + gw - 40, gy + band - 30, top + 3 * band + 12);
	text(f, vx + bw + 20, top + 3 * band - 4, 32, "start", "bold", _("trap (#GP)"));
	fputs("</svg>\n", f);
}

/* ---- 2. Popek and Goldberg's sets ---- */

/* "mov_from_cr0" as "MOV FROM CR0": the probe's name, which tells the rows apart. */
static void pg_label(const struct tv_classify_row *r, char *buf, size_t len)
{
	size_t i = 0;
	for (; r->name[i] && i + 1 < len; i++) {
		char c = r->name[i];
		buf[i] = c == '_' ? ' ' : (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	buf[i] = '\0';
}

/* The names of one set in columns from (x, y); silent ones bold with a triangle. */
static void pg_names(FILE *f, const struct tv_classify_table *t, enum tv_pg_set set, double x,
		     double y, int columns, double column_w, int rows_max)
{
	int n = 0;

	for (size_t i = 0; i < t->nrows && n < rows_max * columns; i++) {
		const struct tv_classify_row *r = &t->row[i];
		char label[TV_CLASSIFY_NAME_MAX + 8];
		if (!r->present || tv_slides_pg_set(r) != set)
			continue;
		double cx = x + (n / rows_max) * column_w, cy = y + (n % rows_max) * 30;
		n++;
		pg_label(r, label, sizeof(label));
		if (tv_slides_pg_silent(r)) {
			fprintf(f, "<path d=\"M%.0f,%.0f l10,-19 l10,19 z\" fill=\"" OI_VERMILLION "\" "
				"stroke=\"" INK "\" stroke-width=\"2\"/>\n", cx, cy);
			text(f, cx + 26, cy, 25, "start", "bold", label);
		} else {
			fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"6\" fill=\"" INK "\"/>\n",
				cx + 10, cy - 8);
			text(f, cx + 26, cy, 25, "start", "normal", label);
		}
	}
}

static void write_pg(FILE *f, const struct tv_slides *s)
{
	const struct tv_classify_table *t = &s->classify;
	char heading[128];
	size_t silent, n;

	svg_open(f, 1600, 660, _("Popek and Goldberg: sensitive and privileged instructions"));
	fputs("<defs><pattern id=\"tv-pg-hatch\" width=\"22\" height=\"22\" "
	      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"22\" fill=\"" OI_ORANGE "\" opacity=\"0.4\"/>"
	      "</pattern></defs>\n", f);
	/* Sensitive on the left (hatched, solid line), privileged on the right (dashed). */
	fputs("<ellipse cx=\"560\" cy=\"335\" rx=\"470\" ry=\"300\" fill=\"url(#tv-pg-hatch)\" "
	      "stroke=\"" INK "\" stroke-width=\"5\"/>\n", f);
	fputs("<ellipse cx=\"1040\" cy=\"335\" rx=\"470\" ry=\"300\" fill=\"" OI_SKY "\" "
	      "fill-opacity=\"0.3\" stroke=\"" OI_BLUE "\" stroke-width=\"5\" "
	      "stroke-dasharray=\"20 10\"/>\n", f);
	n = tv_slides_pg_count(t, TV_PG_SENSITIVE, &silent);
	snprintf(heading, sizeof(heading), _("sensitive only: %zu"), n);
	text(f, 330, 112, 30, "middle", "bold", heading);
	snprintf(heading, sizeof(heading), _("silent: %zu"), silent);
	text(f, 330, 146, 28, "middle", "normal", heading);
	pg_names(f, t, TV_PG_SENSITIVE, 120, 196, 2, 215, 12);
	n = tv_slides_pg_count(t, TV_PG_BOTH, NULL);
	snprintf(heading, sizeof(heading), _("both: %zu"), n);
	text(f, 800, 82, 30, "middle", "bold", heading);
	text(f, 800, 114, 26, "middle", "normal", _("trapped, emulated"));
	pg_names(f, t, TV_PG_BOTH, 585, 156, 2, 225, 15);
	n = tv_slides_pg_count(t, TV_PG_PRIVILEGED, NULL);
	snprintf(heading, sizeof(heading), _("privileged only: %zu"), n);
	text(f, 1290, 300, 30, "middle", "bold", heading);
	pg_names(f, t, TV_PG_PRIVILEGED, 1150, 350, 1, 200, 8);
	n = tv_slides_pg_count(t, TV_PG_NEITHER, NULL);
	snprintf(heading, sizeof(heading), _("neither: %zu"), n);
	text(f, 1590, 32, 28, "end", "bold", heading);
	pg_names(f, t, TV_PG_NEITHER, 1390, 70, 1, 200, 6);
	text(f, 10, 650, 34, "start", "bold", _("sensitive"));
	text(f, 1590, 650, 34, "end", "bold", _("privileged: trapped here"));
	/* The legend: the marks, in words. */
	fputs("<path d=\"M10,34 l10,-19 l10,19 z\" fill=\"" OI_VERMILLION "\" stroke=\"" INK "\" "
	      "stroke-width=\"2\"/>\n", f);
	text(f, 36, 34, 25, "start", "normal", _("silent: no trap, the guest saw a difference"));
	fputs("</svg>\n", f);
}

/* ---- running dot and gnuplot ---- */

struct tool_output {
	char last[256];
};

static void keep_last(void *ctx, enum tv_stream stream, const char *line, size_t len)
{
	struct tool_output *o = ctx;
	(void)stream;
	if (len)
		snprintf(o->last, sizeof(o->last), "%.*s", (int)len, line);
}

/* Run argv to its end; 0, or -1 with a one-line reason. */
static int run_tool(char *const argv[], char *err, size_t errlen)
{
	struct tv_process p;
	struct tool_output out = { "" };
	int e = tv_process_spawn(&p, argv, tv_now() + TOOL_DEADLINE_S);

	if (e) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(e));
		return -1;
	}
	enum tv_pump_result r = tv_process_pump(&p, keep_last, &out);
	if (r != TV_PUMP_EXITED || !WIFEXITED(p.wait_status) || WEXITSTATUS(p.wait_status)) {
		snprintf(err, errlen, "%s failed%s%s", argv[0], out.last[0] ? ": " : "", out.last);
		return -1;
	}
	return 0;
}

int tv_slides_tools_present(char *err, size_t errlen)
{
	static const struct { const char *program, *package; } tools[] = {
		{ "dot", "graphviz" }, { "gnuplot", "gnuplot-nox" },
	};
	char path[PATH_MAX];
	const char *env = getenv("PATH");

	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		int found = 0;
		for (const char *p = env ? env : "/usr/bin:/bin"; *p && !found;) {
			size_t n = strcspn(p, ":");
			snprintf(path, sizeof(path), "%.*s/%s", (int)n, p, tools[t].program);
			found = access(path, X_OK) == 0;
			p += n + (p[n] == ':');
		}
		if (!found) {
			snprintf(err, errlen, "%s not found: the pictures need the Debian package %s "
				 "(./trapvisor installs it)", tools[t].program, tools[t].package);
			return -1;
		}
	}
	return 0;
}

/* ---- 3. the trap's path ---- */

/* A string for dot, quotes and backslashes escaped. */
static void put_dot(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void dot_node(FILE *f, const char *id, const char *shape, const char *fill,
		     const char *label)
{
	fprintf(f, "  %s [shape=%s, style=\"filled,rounded,bold\", fillcolor=\"%s\", label=", id,
		shape, fill);
	put_dot(f, label);
	fputs("];\n", f);
}

static void write_trap_dot(FILE *f, const struct tv_slides *s)
{
	const struct tv_slides_trap *t = &s->trap;
	char label[512];

	fputs("digraph trap_path {\n  rankdir=LR; bgcolor=white; pad=0.2; nodesep=0.35; "
	      "ranksep=0.45;\n"
	      "  node [fontname=\"DejaVu Sans\", fontsize=26, penwidth=3, margin=\"0.2,0.1\"];\n"
	      "  edge [fontname=\"DejaVu Sans\", fontsize=26, penwidth=3, arrowsize=1.4];\n", f);
	/* The guest's two moments at the ends of the row, the hypervisor's parts boxed between. */
	snprintf(label, sizeof(label), _("guest OS, ring %d:\n%s at 0x%08llx\n(bytes %s)"), t->ring,
		 t->insn, (unsigned long long)t->eip, t->bytes);
	dot_node(f, "insn", "box", OI_SKY, label);
	snprintf(label, sizeof(label),
		 _("guest OS, ring %d:\nthe next instruction,\nIF=0 in the virtual CPU"), t->ring);
	dot_node(f, "back", "box", OI_SKY, label);
	fputs("  subgraph cluster_hv {\n  label=", f);
	put_dot(f, _("hypervisor, ring 0"));
	fputs("; fontname=\"DejaVu Sans\"; fontsize=26; style=bold; penwidth=3;\n", f);
	snprintf(label, sizeof(label), _("switcher in:\n%lld cycles"), (long long)t->part[TV_PART_ENTRY]);
	dot_node(f, "entry", "box", OI_ORANGE, label);
	snprintf(label, sizeof(label),
		 _("hv_trap: %lld cycles\nfetch %lld\ndecode %lld\nemulate %lld\ncheck on the way out %lld"),
		 (long long)t->part[TV_PART_HANDLING], (long long)t->part[TV_PART_FETCH],
		 (long long)t->part[TV_PART_DECODE], (long long)t->part[TV_PART_EMULATE],
		 (long long)t->part[TV_PART_WAY_OUT]);
	dot_node(f, "emulate", "box", OI_ORANGE, label);
	snprintf(label, sizeof(label), _("switcher out:\n%lld cycles"), (long long)t->part[TV_PART_EXIT]);
	dot_node(f, "exit", "box", OI_ORANGE, label);
	fputs("  }\n", f);
	snprintf(label, sizeof(label), _("CPU: #GP\n(vector %llu, error %llu)"),
		 (unsigned long long)t->vec, (unsigned long long)t->err);
	dot_node(f, "gp", "hexagon", "#E6E6E6", label);
	fputs("  insn -> gp [label=", f);
	put_dot(f, _("traps"));
	fputs("];\n  gp -> entry;\n  entry -> emulate;\n  emulate -> exit;\n  exit -> back [label=", f);
	put_dot(f, "iret");
	fputs("];\n}\n", f);
}

/* ---- 4. the cures' chart ---- */

/* A label for gnuplot's double quotes, a line break written as \n. */
static void put_gnuplot(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_cures_chart(const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	char dat[PATH_MAX], svg[PATH_MAX], gp[PATH_MAX];
	FILE *f;
	int n = 0;

	if (tv_slides_path(dat, sizeof(dat), dir, "cures.dat") < 0 ||
	    tv_slides_path(svg, sizeof(svg), dir, "cures.svg") < 0 ||
	    tv_slides_path(gp, sizeof(gp), dir, "cures.gp") < 0) {
		snprintf(err, errlen, "%s: the path is too long", dir);
		return -1;
	}
	/* x native hv: two bars per case, three units apart. */
	if (!(f = open_in(dir, "cures.dat", err, errlen)))
		return -1;
	fputs("# x native_cycles hv_cycles traps\n", f);
	for (int c = 0; c < TV_CASES; c++)
		if (s->cases[c].ran)
			fprintf(f, "%d %llu %llu %lld\n", 3 * n++,
				(unsigned long long)s->cases[c].native.median,
				(unsigned long long)s->cases[c].hv.median,
				(long long)s->cases[c].traps);
	if (close_in(f, "cures.dat", err, errlen) < 0)
		return -1;

	if (!(f = open_in(dir, "cures.gp", err, errlen)))
		return -1;
	fputs("set encoding utf8\n"
	      "set terminal svg size 1600,700 font 'DejaVu Sans,28' background rgb 'white'\n", f);
	fputs("set output ", f);
	put_gnuplot(f, svg);
	fputs("\nset logscale y\nset yrange [1:*]\nset ylabel ", f);
	put_gnuplot(f, _("TSC cycles per iteration (log scale)"));
	fputs("\nset border 3 lw 3\nset grid ytics lw 2 lc rgb '#BBBBBB'\n"
	      "set key outside top center horizontal box lw 2 font ',28'\nset tics nomirror\n"
	      "set bmargin 7\nset boxwidth 0.9\nset style fill pattern border lc rgb 'black'\n"
	      "set xrange [-1:", f);
	fprintf(f, "%d]\nset xtics rotate by 0 font ',18' (", 3 * n - 1);
	n = 0;
	for (int c = 0; c < TV_CASES; c++) {
		char label[160];
		if (!s->cases[c].ran)
			continue;
		/* The label's parts a line each ("CLI+STI, trapped"), the run's traps under them. */
		size_t len = 0;
		for (const char *l = tv_slides_case_label((enum tv_slides_case_id)c);
		     *l && len + 2 < sizeof(label); l++) {
			if (l[0] == ',' && l[1] == ' ') {
				label[len++] = '\n';
				l++;
			} else {
				label[len++] = *l;
			}
		}
		label[len++] = '\n';
		snprintf(label + len, sizeof(label) - len, _("%lld traps"),
			 (long long)s->cases[c].traps);
		fprintf(f, "%s", n ? ", " : "");
		put_gnuplot(f, label);
		fprintf(f, " %d.5", 3 * n++);
	}
	fputs(")\nplot ", f);
	put_gnuplot(f, dat);
	fputs(" using 1:2 with boxes fill solid 1.0 lc rgb '" OI_BLUE "' title ", f);
	put_gnuplot(f, _("bare machine"));
	fputs(", \\\n  '' using ($1+1):3 with boxes fill pattern 4 lc rgb '" OI_VERMILLION "' lw 3 "
	      "title ", f);
	put_gnuplot(f, _("under the hypervisor"));
	fputs(", \\\n  '' using 1:2:(sprintf('%d', $2)) with labels offset 0,0.9 font ',22' notitle, "
	      "\\\n  '' using ($1+1):3:(sprintf('%d', $3)) with labels offset 0,0.9 font ',22' "
	      "notitle\n", f);
	if (close_in(f, "cures.gp", err, errlen) < 0)
		return -1;
	char *argv[] = { "gnuplot", gp, NULL };
	return run_tool(argv, err, errlen);
}

int tv_slides_write_pictures(const struct tv_slides *s, const char *dir, char *err, size_t errlen)
{
	char dot_path[PATH_MAX], svg_path[PATH_MAX], out_arg[PATH_MAX + 4];
	FILE *f;

	if (!(f = open_in(dir, "rings.svg", err, errlen)))
		return -1;
	write_rings(f, s);
	if (close_in(f, "rings.svg", err, errlen) < 0)
		return -1;
	if (!(f = open_in(dir, "popek_goldberg.svg", err, errlen)))
		return -1;
	write_pg(f, s);
	if (close_in(f, "popek_goldberg.svg", err, errlen) < 0)
		return -1;
	if (!(f = open_in(dir, "trap_path.dot", err, errlen)))
		return -1;
	write_trap_dot(f, s);
	if (close_in(f, "trap_path.dot", err, errlen) < 0)
		return -1;
	if (tv_slides_path(dot_path, sizeof(dot_path), dir, "trap_path.dot") < 0 ||
	    tv_slides_path(svg_path, sizeof(svg_path), dir, "trap_path.svg") < 0) {
		snprintf(err, errlen, "%s: the path is too long", dir);
		return -1;
	}
	snprintf(out_arg, sizeof(out_arg), "-o%s", svg_path);
	char *argv[] = { "dot", "-Tsvg", out_arg, dot_path, NULL };
	if (run_tool(argv, err, errlen) < 0)
		return -1;
	return write_cures_chart(s, dir, err, errlen);
}
