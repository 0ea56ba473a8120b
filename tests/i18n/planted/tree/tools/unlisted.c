/*
 * tests/i18n/planted/tree/tools/unlisted.c: a file that marks a sentence
 * for translation but is missing from its tree's po/POTFILES.in.
 * Runs on: host (never built; read by tests/i18n/potfiles.sh).
 */
const char *unlisted(void)
{
	return _("a sentence nobody would translate");
}
