/*
 * tools/demo_guest_text.h: the popf_demo guest's sentences, titles,
 * details and categories in the reader's language, with the guest's own
 * numbers (how: tools/demo_guest_text.c). Runs on: host.
 */
#ifndef TV_TOOLS_DEMO_GUEST_TEXT_H
#define TV_TOOLS_DEMO_GUEST_TEXT_H

#include <stddef.h>

/*
 * text as the reader reads it: when text is one of the guest's sentences
 * (a SAY line's narration, a "popf_demo: " line, a title, a detail, a
 * category) and the chosen language translates it, the translation with
 * the guest's numbers and words put in, written into buf (size bytes,
 * cut if longer) and returned; otherwise text itself.
 */
const char *tv_demo_guest_text(const char *text, char *buf, size_t size);

#endif
