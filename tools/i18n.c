/*
 * tools/i18n.c: choosing the reader's language and finding its gettext
 * catalog (tools/i18n.h). Runs on: host.
 *
 * The catalog is looked for in the build tree, BUILD/locale, where CMake's
 * msgfmt puts it (po/CMakeLists.txt); BUILD is TRAPVISOR_BUILD_DIR or else
 * found from this program, as for the hypervisor (tools/guests.c).
 */
#define _GNU_SOURCE	/* setenv */
#include "tools/i18n.h"

#include <libgen.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/exit_status.h"

static enum tv_lang chosen = TV_LANG_EN;
static int english_only;	/* tv_i18n_english(1): JSON and CSV are being written */

const char *tv_gettext(const char *msgid)
{
	/* "" would fetch the catalog's header. */
	if (chosen == TV_LANG_EN || english_only || !*msgid)
		return msgid;
	return dgettext(TV_TEXTDOMAIN, msgid);
}

const char *tv_ngettext(const char *one, const char *many, unsigned long n)
{
	if (chosen == TV_LANG_EN || english_only)
		return n == 1 ? one : many;
	return dngettext(TV_TEXTDOMAIN, one, many, n);
}

enum tv_lang tv_i18n_lang(void)
{
	return chosen;
}

const char *tv_i18n_code(enum tv_lang lang)
{
	return lang == TV_LANG_NB ? "nb" : "en";
}

int tv_i18n_english(int on)
{
	int was = english_only;
	english_only = on;
	return was;
}

size_t tv_utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)	/* not a continuation byte */
			n++;
	return n;
}

/*
 * The language a locale name or a LANGUAGE entry names ("nb_NO.UTF-8",
 * "no", "en_GB@euro"), or -1 when it names neither of ours.
 */
static int lang_of(const char *name, size_t len)
{
	size_t code = 0;

	while (code < len && name[code] != '_' && name[code] != '.' && name[code] != '@')
		code++;
	if (code == 2 && (strncmp(name, "nb", 2) == 0 || strncmp(name, "no", 2) == 0 ||
			  strncmp(name, "nn", 2) == 0))
		return TV_LANG_NB;
	if (code == 2 && strncmp(name, "en", 2) == 0)
		return TV_LANG_EN;
	return -1;
}

int tv_i18n_choose(const char *lang_option, const char *language, const char *lc_all,
		   const char *lc_messages, const char *lang)
{
	const char *locale;

	if (lang_option) {
		if (strcmp(lang_option, "en") == 0)
			return TV_LANG_EN;
		if (strcmp(lang_option, "nb") == 0)
			return TV_LANG_NB;
		return -1;
	}
	/* LANGUAGE is a list of preferences, "nn:nb:en", the first we have wins. */
	while (language && *language) {
		size_t len = strcspn(language, ":");
		int l = lang_of(language, len);
		if (l >= 0)
			return l;
		language += len + (language[len] == ':');
	}
	locale = lc_all && *lc_all ? lc_all : lc_messages && *lc_messages ? lc_messages : lang;
	if (locale && *locale && lang_of(locale, strlen(locale)) == TV_LANG_NB)
		return TV_LANG_NB;
	return TV_LANG_EN;
}

/* BUILD/locale into dir. */
static void locale_dir(char *dir, size_t size)
{
	const char *env = getenv("TRAPVISOR_BUILD_DIR");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(dir, size, "%s/locale", env);
	} else if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		/* <build>/tools/trapvisor-host: two levels up. */
		snprintf(dir, size, "%s/locale", dirname(dirname(self)));
	} else {
		snprintf(dir, size, "locale");
	}
}

int tv_i18n_setup(const char *lang_option)
{
	char dir[PATH_MAX + 16];
	const char *messages;
	int lang = tv_i18n_choose(lang_option, getenv("LANGUAGE"), getenv("LC_ALL"),
				  getenv("LC_MESSAGES"), getenv("LANG"));

	if (lang < 0) {
		fprintf(stderr, "trapvisor: --lang %s: give en (English) or nb (Norwegian "
			"bokmål)\n", lang_option);
		return TV_STATUS_USAGE;
	}
	chosen = TV_LANG_EN;
	if (lang == TV_LANG_EN)
		return 0;

	/*
	 * gettext translates nothing while LC_MESSAGES is "C", which it stays
	 * when the person's locale (nb_NO.UTF-8, say) is not installed; C.UTF-8
	 * is always there and, like C, leaves every other category alone.
	 * LANGUAGE then names the catalog, whatever the locale's own language.
	 */
	messages = setlocale(LC_MESSAGES, "");
	if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	setenv("LANGUAGE", tv_i18n_code((enum tv_lang)lang), 1);
	locale_dir(dir, sizeof(dir));
	bindtextdomain(TV_TEXTDOMAIN, dir);
	/* The catalog's UTF-8 as it is, whatever LC_CTYPE (left as "C") says. */
	bind_textdomain_codeset(TV_TEXTDOMAIN, "UTF-8");

	/* The empty msgid is the catalog's header: empty when there is no catalog. */
	if (!*dgettext(TV_TEXTDOMAIN, "")) {
		fprintf(stderr, "trapvisor: no Norwegian catalog in %s (build the project: "
			"./trapvisor); going on in English\n", dir);
		return 0;
	}
	chosen = (enum tv_lang)lang;
	return 0;
}
