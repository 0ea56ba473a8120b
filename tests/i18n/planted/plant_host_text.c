/*
 * tests/i18n/planted/plant_host_text.c: a host list of guest sentences
 * that lacks one the planted guest says and keeps one it never says.
 * Runs on: host (never built; read by tests/i18n/guest_sentences.sh).
 */
static const char *const guest_sentences[] = {
	N_("A title both know"),
	N_("popf_demo: a line both know"),
	N_("A sentence the guest no longer says."),
};
