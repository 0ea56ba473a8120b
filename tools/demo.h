/*
 * tools/demo.h: `trapvisor demo`, the popf_demo guest run four ways and
 * compared in one table. Runs on: host.
 */
#ifndef TV_TOOLS_DEMO_H
#define TV_TOOLS_DEMO_H

#include "tools/demo_table.h"

struct tv_demo_options {
	int ring;			/* the ring of the three hypervisor runs (1 or 3) */
	int step;			/* pause before each experiment; needs a terminal */
	enum tv_demo_format format;
	unsigned mem_mib;
	double timeout_s;		/* per run, not counting the pauses of --step */
};

/* What `trapvisor help demo` adds to the synopsis: options and exit statuses. */
extern const char tv_demo_help[];

/*
 * Run popf_demo on the bare machine, under trap-and-emulate, patched and
 * paravirtualized, print the table on stdout (progress on stderr) and return the exit status
 * (tv_demo_exit_status(), or TV_STATUS_USAGE if nothing could run).
 */
int tv_demo(const struct tv_demo_options *o);

/*
 * The runs alone, for a command that shows them otherwise (slides): fill
 * *r (progress on stderr) and return the demo's exit status, as tv_demo();
 * r->run[TV_DEMO_BARE].ran is 0 when nothing could run.
 */
int tv_demo_collect(const struct tv_demo_options *o, struct tv_demo_results *r);

#endif
