#!/bin/sh
# tests/i18n/check_catalog.sh: a translation is complete and consistent with
# the sentences of the sources. Runs on: host (CTest: i18n.catalog_*).
#
# usage: check_catalog.sh POT PO
#   POT  the template xgettext wrote from the sources at build time
#   PO   one language's translations (po/LANG.po)
# Checks, each reported on its own line:
#   - every sentence of POT is in PO, translated and not fuzzy (msgcmp, and
#     msgfmt's count of the merged catalog against POT's count);
#   - every translation's printf format has the directives of its English
#     (msgfmt --check on PO merged with POT, so the c-format flags come from
#     the sources, not from the translator's file);
#   - PO holds no sentence the sources no longer have (obsolete entries);
#   - a plural sentence has every form the language's Plural-Forms asks for.
# exit status: 0 complete and consistent; 1 not (what is wrong is listed);
# 2 usage or a gettext tool missing.
set -u

if [ $# -ne 2 ] || [ ! -f "$1" ] || [ ! -f "$2" ]; then
	echo "usage: check_catalog.sh POT PO" >&2
	exit 2
fi
pot=$1 po=$2
for tool in msgmerge msgfmt msgcmp msgattrib; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "check_catalog: $tool not found (Debian package gettext)" >&2
		exit 2
	}
done
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
	echo "FAIL: $po: $*"
	failed=1
}

# The sources' own count: msgfmt counts the template's entries as untranslated.
total=$(msgfmt --statistics -o /dev/null "$pot" 2>&1 | sed -n 's/^.*[^0-9]\([0-9][0-9]*\) untranslated message.*$/\1/p')
[ -n "$total" ] || total=0
[ "$total" -gt 0 ] || fail "the template $pot holds no sentence"

if ! msgcmp "$po" "$pot" >"$tmp/msgcmp" 2>&1; then
	fail "sentences of the sources without a (non-fuzzy) translation:"
	sed 's/^/  /' "$tmp/msgcmp"
fi

if ! msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$po" "$pot" 2>"$tmp/merge"; then
	fail "msgmerge could not merge it with the template:"
	sed 's/^/  /' "$tmp/merge"
else
	# msgmerge marks a translation whose format does not match fuzzy: check those too.
	if ! msgfmt --check --use-fuzzy -o /dev/null "$tmp/merged.po" >"$tmp/fmt" 2>&1; then
		fail "msgfmt --check (formats, plural forms, header):"
		sed 's/^/  /' "$tmp/fmt"
	fi
	stats=$(msgfmt --statistics -o /dev/null "$tmp/merged.po" 2>&1 | grep 'translated message')
	translated=$(echo "$stats" | sed -n 's/^\([0-9][0-9]*\) translated message.*$/\1/p')
	[ -n "$translated" ] || translated=0
	[ "$translated" -eq "$total" ] ||
		fail "$translated of the template's $total sentences translated ($stats)"
	case $stats in
	*fuzzy*|*untranslated*) fail "not finished: $stats" ;;
	esac
	msgattrib --only-obsolete --no-wrap "$tmp/merged.po" | sed -n 's/^#~ msgid \(".*"\)$/  \1/p' \
		>"$tmp/obsolete"
	if [ -s "$tmp/obsolete" ]; then
		fail "$(wc -l <"$tmp/obsolete") sentence(s) no source uses any more (remove them):"
		cat "$tmp/obsolete"
	fi
fi

[ "$failed" -eq 0 ] && echo "$po: $total of $total sentences translated, formats as in English"
exit "$failed"
