/*
 * tests/unit/test_i18n.c: choosing the reader's language and reading the
 * built Norwegian catalog (tools/i18n.h). Runs on: host.
 *
 * The catalog is the one the build compiled from po/nb.po
 * (TRAPVISOR_BUILD_DIR/locale, set by CTest); each test runs in its own
 * process (Check forks), so the language one test chooses does not leak
 * into the next.
 */
#define _GNU_SOURCE
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exit_status.h"
#include "tools/i18n.h"

/* ---- the choice, from --lang and the environment ---- */

START_TEST(test_option_wins)
{
	ck_assert_int_eq(tv_i18n_choose("en", "nb", "nb_NO.UTF-8", NULL, "nb_NO.UTF-8"),
			 TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose("nb", NULL, "C", NULL, "en_US.UTF-8"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose("no", NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(tv_i18n_choose("", NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(tv_i18n_choose("nb_NO", NULL, NULL, NULL, NULL), -1);
}
END_TEST

START_TEST(test_environment_as_gettext_reads_it)
{
	/* Nothing set, C, POSIX: English. */
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, NULL), TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "C"), TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "POSIX"), TV_LANG_EN);
	/* LANG alone, in its usual spellings. */
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "nb_NO.UTF-8"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "no_NO"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "nn_NO.UTF-8@euro"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "nb"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "nbx_NO"), TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, NULL, "de_DE.UTF-8"), TV_LANG_EN);
	/* LC_ALL before LC_MESSAGES before LANG; an empty one counts as unset. */
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, "en_US.UTF-8", "nb_NO.UTF-8", "nb_NO"),
			 TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, "", "nb_NO.UTF-8", "en_US"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, NULL, NULL, "C", "nb_NO"), TV_LANG_EN);
	/* LANGUAGE first: its first entry that is ours, else the locale. */
	ck_assert_int_eq(tv_i18n_choose(NULL, "nn:en", NULL, NULL, "en_US"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, "sv:en_GB:nb", NULL, NULL, "nb_NO"), TV_LANG_EN);
	ck_assert_int_eq(tv_i18n_choose(NULL, "sv:da", NULL, NULL, "nb_NO"), TV_LANG_NB);
	ck_assert_int_eq(tv_i18n_choose(NULL, "", NULL, NULL, "nb_NO"), TV_LANG_NB);
}
END_TEST

START_TEST(test_utf8_width)
{
	ck_assert_uint_eq(tv_utf8_width(""), 0);
	ck_assert_uint_eq(tv_utf8_width("experiment"), 10);
	ck_assert_uint_eq(tv_utf8_width("rett på maskinvaren"), 19);
	ck_assert_uint_eq(tv_utf8_width("≠ æøå"), 5);
}
END_TEST

/* ---- the catalog ---- */

START_TEST(test_english_by_default)
{
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_EN);
	ck_assert_str_eq(_("experiment"), "experiment");
	ck_assert_str_eq(tv_ngettext("one trap", "%lu traps", 2), "%lu traps");
	ck_assert_str_eq(tv_ngettext("one trap", "%lu traps", 1), "one trap");
}
END_TEST

START_TEST(test_norwegian_from_the_catalog)
{
	char number[32];

	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_NB);
	ck_assert_str_eq(tv_i18n_code(tv_i18n_lang()), "nb");
	/* po/nb.po's words, through the compiled catalog. */
	ck_assert_str_eq(_("experiment"), "eksperiment");
	ck_assert_str_eq(_("on the bare machine"), "rett på maskinvaren");
	/* A sentence no catalog has, and the empty one (the catalog's header). */
	ck_assert_str_eq(_("no such sentence"), "no such sentence");
	ck_assert_str_eq(_(""), "");

	/* JSON and CSV: English while asked, Norwegian again after. */
	ck_assert_int_eq(tv_i18n_english(1), 0);
	ck_assert_str_eq(_("experiment"), "experiment");
	ck_assert_int_eq(tv_i18n_english(0), 1);
	ck_assert_str_eq(_("experiment"), "eksperiment");

	/* Only LC_MESSAGES changed: numbers keep the C locale's '.'. */
	ck_assert_str_eq(setlocale(LC_NUMERIC, NULL), "C");
	ck_assert_str_eq(setlocale(LC_CTYPE, NULL), "C");
	snprintf(number, sizeof(number), "%.2f", 1.5);
	ck_assert_str_eq(number, "1.50");
}
END_TEST

START_TEST(test_norwegian_from_lang_without_its_locale)
{
	/* nb_NO.UTF-8 need not be installed for its catalog to be used. */
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "nb_NO.UTF-8", 1);
	ck_assert_int_eq(tv_i18n_setup(NULL), 0);
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_NB);
	ck_assert_str_eq(_("experiment"), "eksperiment");
}
END_TEST

START_TEST(test_english_asked_for)
{
	setenv("LANG", "nb_NO.UTF-8", 1);
	ck_assert_int_eq(tv_i18n_setup("en"), 0);
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_EN);
	ck_assert_str_eq(_("experiment"), "experiment");
}
END_TEST

START_TEST(test_bad_lang_is_a_usage_error)
{
	ck_assert_int_eq(tv_i18n_setup("de"), TV_STATUS_USAGE);
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_EN);
}
END_TEST

START_TEST(test_missing_catalog_speaks_english)
{
	setenv("TRAPVISOR_BUILD_DIR", "/nonexistent-build-dir", 1);
	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	ck_assert_int_eq(tv_i18n_lang(), TV_LANG_EN);
	ck_assert_str_eq(_("experiment"), "experiment");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("i18n");

	tcase_add_test(tc, test_option_wins);
	tcase_add_test(tc, test_environment_as_gettext_reads_it);
	tcase_add_test(tc, test_utf8_width);
	tcase_add_test(tc, test_english_by_default);
	tcase_add_test(tc, test_norwegian_from_the_catalog);
	tcase_add_test(tc, test_norwegian_from_lang_without_its_locale);
	tcase_add_test(tc, test_english_asked_for);
	tcase_add_test(tc, test_bad_lang_is_a_usage_error);
	tcase_add_test(tc, test_missing_catalog_speaks_english);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
