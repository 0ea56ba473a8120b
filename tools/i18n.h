/*
 * tools/i18n.h: the host program's sentences for people in the reader's
 * language, English or Norwegian bokmål, through GNU gettext.
 * Runs on: host.
 *
 * A sentence for people is written in English in the source, inside _()
 * (or N_() where it sits in a table and is translated where it is shown);
 * xgettext collects them into po/trapvisor.pot at build time, po/nb.po
 * holds their Norwegian, and msgfmt compiles it into the build tree
 * (BUILD/locale/nb/LC_MESSAGES/trapvisor.mo), where tv_i18n_setup() finds
 * it. po/README.md tells a translator what to do.
 *
 * Only LC_MESSAGES is set from the environment: numbers keep the C
 * locale's '.' and no grouping, so JSON and CSV read the same everywhere,
 * and they stay English (tv_i18n_english() around their writing).
 */
#ifndef TV_TOOLS_I18N_H
#define TV_TOOLS_I18N_H

#include <stddef.h>

#define TV_TEXTDOMAIN	"trapvisor"

/* A sentence translated where it is used, and one only marked for xgettext. */
#define _(msgid)	tv_gettext(msgid)
#define N_(msgid)	msgid

/* The languages there are catalogs for; English is the sources' own. */
enum tv_lang { TV_LANG_EN, TV_LANG_NB };

/*
 * msgid in the chosen language (msgid itself in English, while
 * tv_i18n_english() is on, or when the catalog has no translation).
 * format_arg keeps printf's format checks on _("...") arguments.
 */
const char *tv_gettext(const char *msgid) __attribute__((format_arg(1)));

/* The singular or plural form for n, in the chosen language's own rule. */
const char *tv_ngettext(const char *one, const char *many, unsigned long n)
	__attribute__((format_arg(1), format_arg(2)));

/*
 * The language from lang_option (`--lang`: "en" or "nb"; NULL when not
 * given) or else from the environment as gettext reads it: the first of
 * LANGUAGE's entries that names English or Norwegian, else the first set
 * of LC_ALL, LC_MESSAGES and LANG. Norwegian is "nb" or "no" (bokmål; "nn"
 * too, since a nynorsk reader follows bokmål better than English); every
 * other language is English. Pure: the unit tests call it. Returns -1 for
 * a lang_option that is neither "en" nor "nb".
 */
int tv_i18n_choose(const char *lang_option, const char *language, const char *lc_all,
		   const char *lc_messages, const char *lang);

/*
 * Choose the language (tv_i18n_choose() on this process's environment) and,
 * for Norwegian, open the catalog. Returns 0, or prints a one-line usage
 * error for a bad lang_option and returns TV_STATUS_USAGE. A missing
 * catalog is no error: the program says so once on stderr and speaks
 * English.
 */
int tv_i18n_setup(const char *lang_option);

/* The language chosen by tv_i18n_setup() (English before it). */
enum tv_lang tv_i18n_lang(void);

/* "en" or "nb": the language's code, as --lang takes it. */
const char *tv_i18n_code(enum tv_lang lang);

/*
 * on: every tv_gettext() returns its msgid (for JSON and CSV, which stay
 * English); off: translate again. Returns the previous setting, for
 * restoring it.
 */
int tv_i18n_english(int on);

/* Columns s takes on a terminal: its UTF-8 characters, not its bytes. */
size_t tv_utf8_width(const char *s);

#endif
