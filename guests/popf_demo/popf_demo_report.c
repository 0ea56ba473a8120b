/*
 * guests/popf_demo/popf_demo_report.c: the DEMO-BEGIN, SAY and DEMO-RESULT
 * lines (their rules are at the top of popf_demo_main.c).
 * Runs in: guest.
 */
#include <stdarg.h>

#include "guests/lib/guest_console.h"
#include "guests/popf_demo/popf_demo.h"
#include "lib/format.h"
#include "lib/string.h"

/*
 * Longer text is cut, never wrapped. The detail is kept short so a whole
 * DEMO-RESULT line fits guest_printf's buffer.
 */
#define POPF_DEMO_SAY_MAX	160
#define POPF_DEMO_DETAIL_MAX	112

void popf_demo_begin(const char *name, const char *title)
{
	guest_printf("DEMO-BEGIN name=%s title=\"%s\"\n", name, title);
}

void popf_demo_say(const char *fmt, ...)
{
	char line[POPF_DEMO_SAY_MAX];
	va_list ap;

	va_start(ap, fmt);
	tv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	guest_printf("SAY %s\n", line);
}

bool popf_demo_result(const char *name, const char *bare, const char *observed,
		      const char *detail_fmt, ...)
{
	char detail[POPF_DEMO_DETAIL_MAX];
	va_list ap;
	bool equal = strcmp(bare, observed) == 0;

	va_start(ap, detail_fmt);
	tv_vsnprintf(detail, sizeof(detail), detail_fmt, ap);
	va_end(ap);
	guest_printf("DEMO-RESULT name=%s bare=\"%s\" observed=\"%s\" detail=\"%s\" verdict=%s\n",
		     name, bare, observed, detail, equal ? "PASS" : "FAIL");
	return equal;
}
