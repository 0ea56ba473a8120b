/*
 * tests/unit/test_i18n.c: choosing the reader's language and reading the
 * built Norwegian catalog (tools/i18n.h). Runs on: host.
 *
 * The guest's sentences (tools/demo_guest_text.c) are checked against
 * printf itself: the host's rewriting of a guest line must equal printf of
 * the sentence's translation with the guest's numbers.
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
#include "tools/demo_guest_text.h"
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

/* ---- the guest's sentences ---- */

/* The guest's line, and what the host makes of it. */
static const char *guest(const char *line)
{
	static char buf[512];
	return tv_demo_guest_text(line, buf, sizeof(buf));
}

START_TEST(test_guest_text_english_untouched)
{
	const char *line = "Counted 3 timer interrupts while IF was off.";

	ck_assert_ptr_eq(guest(line), line);
	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	tv_i18n_english(1);
	ck_assert_ptr_eq(guest(line), line);
}
END_TEST

START_TEST(test_guest_text_numbers_kept)
{
	char want[512];

	ck_assert_int_eq(tv_i18n_setup("nb"), 0);

	snprintf(want, sizeof(want), _("Counted %u timer interrupts while IF was off."), 3u);
	ck_assert_str_ne(want, "Counted 3 timer interrupts while IF was off.");
	ck_assert_str_eq(guest("Counted 3 timer interrupts while IF was off."), want);

	snprintf(want, sizeof(want), _("%s read EFLAGS=0x%08x, so IF=%u."), "PUSHF", 0x202u, 1u);
	ck_assert_str_eq(guest("PUSHF read EFLAGS=0x00000202, so IF=1."), want);

	snprintf(want, sizeof(want), _("%u of %u updates lost (%u sections, %u ticks)"), 79u,
		 479u, 400u, 79u);
	ck_assert_str_eq(guest("79 of 479 updates lost (400 sections, 79 ticks)"), want);

	snprintf(want, sizeof(want), _("mov %%cs 0x%04x, push %%cs 0x%04x"), 9u, 9u);
	ck_assert_str_eq(guest("mov %cs 0x0009, push %cs 0x0009"), want);

	snprintf(want, sizeof(want), _("popf_demo: one tick is %llu TSC cycles"), 12345678ull);
	ck_assert_str_eq(guest("popf_demo: one tick is 12345678 TSC cycles"), want);

	/* A title, and a category as the table shows it. */
	ck_assert_str_eq(guest("CS tells the ring"), _("CS tells the ring"));
	ck_assert_str_ne(_("CS tells the ring"), "CS tells the ring");
	ck_assert_str_eq(_("lost-updates"), guest("lost-updates"));
}
END_TEST

START_TEST(test_guest_text_words_in_sentences)
{
	char want[512];

	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	/* The guest's word for a hypercall is translated inside the sentence... */
	snprintf(want, sizeof(want), _("Then %s turned interrupts back on."), _("the enable call"));
	ck_assert_str_ne(_("the enable call"), "the enable call");
	ck_assert_str_eq(guest("Then the enable call turned interrupts back on."), want);
	/* ... an instruction's name is not. */
	snprintf(want, sizeof(want), _("Then %s turned interrupts back on."), "STI");
	ck_assert_str_eq(guest("Then STI turned interrupts back on."), want);
	snprintf(want, sizeof(want), _("%u ticks in %u ms after %s"), 0u, 40u, _("the disable call"));
	ck_assert_str_eq(guest("0 ticks in 40 ms after the disable call"), want);
	/* The sentence that explains most of the line, not a shorter one whose %s takes the rest. */
	snprintf(want, sizeof(want), _("%u ticks in %u ms after %s cleared IF"), 5u, 80u, "POPF");
	ck_assert_str_eq(guest("5 ticks in 80 ms after POPF cleared IF"), want);
	snprintf(want, sizeof(want), _("%u ticks in %u ms after %s set IF"), 0u, 80u,
		 "restore_flags");
	ck_assert_str_eq(guest("0 ticks in 80 ms after restore_flags set IF"), want);
}
END_TEST

START_TEST(test_guest_text_unknown_lines_stay)
{
	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	/* Cut at the guest's length limit, a number where a word belongs, a new sentence. */
	const char *lines[] = {
		"Counted 3 timer interrupts while IF w",
		"Counted three timer interrupts while IF was off.",
		"Counted 3 timer interrupts while IF was off. And more.",
		"The hypervisor said CS=0x00zz (ring 1).",
		"A sentence a newer guest says.",
		"",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_ptr_eq(guest(lines[i]), lines[i]);
}
END_TEST

START_TEST(test_guest_text_fits_its_buffer)
{
	char small[12];

	ck_assert_int_eq(tv_i18n_setup("nb"), 0);
	const char *out = tv_demo_guest_text("Counted 3 timer interrupts while IF was off.", small,
					     sizeof(small));
	ck_assert_ptr_eq(out, small);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
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
	tcase_add_test(tc, test_guest_text_english_untouched);
	tcase_add_test(tc, test_guest_text_numbers_kept);
	tcase_add_test(tc, test_guest_text_words_in_sentences);
	tcase_add_test(tc, test_guest_text_unknown_lines_stay);
	tcase_add_test(tc, test_guest_text_fits_its_buffer);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
