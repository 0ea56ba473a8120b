/*
 * tools/classify_verdict.c: the comparison: each instruction's row built
 * from the bare machine's run and the hypervisor's, and its verdict
 * (classify_table.h, part 3).
 * Runs on: host (pure: no QEMU, no processes).
 */
#include "tools/classify_table.h"

#include <string.h>

/* ---- 3. the comparison ---- */

enum tv_verdict tv_classify_verdict(const char *category, int effect_checked, int present,
				    int stopped, int trapped, int equal)
{
	if (stopped)
		return TV_VERDICT_STOPPED;
	if (!present)
		return TV_VERDICT_NO_RESULT;
	/* A difference is a finding whatever was observed; sameness only if the effect was. */
	if (!equal)
		return trapped ? TV_VERDICT_TRAPPED_DIFFERS : TV_VERDICT_SILENT;
	if (!effect_checked)
		return trapped ? TV_VERDICT_TRAPPED_UNCHECKED : TV_VERDICT_UNTRAPPED_UNCHECKED;
	if (trapped)
		return TV_VERDICT_HOLDS;
	/*
	 * Running natively and behaving the same is what Popek and Goldberg
	 * want of an innocuous instruction; for one the catalog calls
	 * sensitive or privileged it only means this run could not tell.
	 */
	return strcmp(category, "innocuous") == 0 ? TV_VERDICT_HOLDS : TV_VERDICT_SILENT_EQUAL;
}

const char *tv_verdict_name(enum tv_verdict v)
{
	switch (v) {
	case TV_VERDICT_HOLDS: return "trap-and-emulate holds";
	case TV_VERDICT_SILENT: return "SILENT: equivalence broken";
	case TV_VERDICT_TRAPPED_DIFFERS: return "trapped but differs";
	case TV_VERDICT_SILENT_EQUAL: return "not trapped, equal in this run";
	case TV_VERDICT_TRAPPED_UNCHECKED: return "trapped; effect not checked here";
	case TV_VERDICT_UNTRAPPED_UNCHECKED: return "not trapped; effect not checked here";
	case TV_VERDICT_STOPPED: return "hypervisor stops the guest";
	case TV_VERDICT_NO_RESULT: return "no result";
	}
	return "?";
}

const char *tv_verdict_short(enum tv_verdict v)
{
	switch (v) {
	case TV_VERDICT_HOLDS: return "holds";
	case TV_VERDICT_SILENT: return "SILENT";
	case TV_VERDICT_TRAPPED_DIFFERS: return "differs";
	case TV_VERDICT_SILENT_EQUAL: return "untrapped=";
	case TV_VERDICT_TRAPPED_UNCHECKED: return "trapped?";
	case TV_VERDICT_UNTRAPPED_UNCHECKED: return "untrapped?";
	case TV_VERDICT_STOPPED: return "stops";
	case TV_VERDICT_NO_RESULT: return "-";
	}
	return "?";
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

void tv_classify_decide(struct tv_classify_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		struct tv_classify_row *r = &t->row[i];
		r->verdict = tv_classify_verdict(r->category, r->effect_checked, r->present,
						 r->stopped, r->trapped, r->equal);
	}
}

void tv_classify_build(struct tv_classify_table *t, const struct tv_classify_config *config,
		       const struct tv_probe_run *native, const struct tv_probe_run *virt,
		       const char *const *stopped, const char *const *reason, size_t nstopped)
{
	memset(t, 0, sizeof(*t));
	t->config = *config;
	for (size_t i = 0; i < native->nrows && i < TV_CLASSIFY_ROWS_MAX; i++) {
		const struct tv_probe_line *n = &native->row[i];
		const struct tv_probe_line *v = tv_probe_run_find(virt, n->name);
		struct tv_classify_row *r = &t->row[t->nrows++];

		copy(r->name, sizeof(r->name), n->name);
		copy(r->category, sizeof(r->category), n->category);
		r->la = n->la;
		r->len = n->len;
		copy(r->bytes, sizeof(r->bytes), n->bytes);
		r->capstone_privileged = -1;
		copy(r->native, sizeof(r->native), n->observed);
		/* The bare machine's line speaks for the catalog the guest was built with. */
		r->effect_checked = n->effect_checked;
		for (size_t k = 0; k < nstopped; k++) {
			if (strcmp(stopped[k], n->name) == 0) {
				r->stopped = 1;
				copy(r->stop_reason, sizeof(r->stop_reason), reason ? reason[k] : "");
			}
		}
		if (!v)
			continue;
		copy(r->virt, sizeof(r->virt), v->observed);
		/* A row skipped on either side was not measured there. */
		r->present = !n->skipped && !v->skipped;
		r->trapped = tv_probe_trapped(virt, n->la, n->len);
		r->equal = r->present && strcmp(n->observed, v->observed) == 0;
		r->patched = strcmp(n->bytes, v->bytes) != 0;
	}
	tv_classify_decide(t);
}
