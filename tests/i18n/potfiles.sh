#!/bin/sh
# tests/i18n/potfiles.sh: po/POTFILES.in lists exactly the source files that
# mark sentences for translation, so the template xgettext builds from it
# holds every sentence the program can show translated.
# Runs on: host (CTest: i18n.potfiles).
#
# A file marks a sentence with _("...") or N_("...") or tv_ngettext(; a
# file that does so and is not listed would speak English in Norwegian
# without any test noticing, and a listed file that no longer marks
# anything, or no longer exists, is a stale entry.
#
# usage: potfiles.sh SOURCE_ROOT
# exit status: 0 as it should be; 1 not (each file is named); 2 usage.
set -u

if [ $# -ne 1 ] || [ ! -f "$1/po/POTFILES.in" ]; then
	echo "usage: potfiles.sh SOURCE_ROOT (with po/POTFILES.in)" >&2
	exit 2
fi
cd "$1" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort >"$tmp/listed"
# tools/i18n.h and i18n.c define the markers; they mark nothing themselves.
grep -rlE '(^|[^A-Za-z0-9_])N?_\("|tv_ngettext\(' --include='*.c' --include='*.h' \
	tools guests lib hv 2>/dev/null | grep -vE '^tools/i18n\.[ch]$' | sort >"$tmp/marking"

failed=0
comm -13 "$tmp/listed" "$tmp/marking" | while read -r f; do
	echo "FAIL: $f marks sentences with _() or N_() but po/POTFILES.in does not list it"
done | tee "$tmp/missing"
comm -23 "$tmp/listed" "$tmp/marking" | while read -r f; do
	if [ -f "$f" ]; then
		echo "FAIL: po/POTFILES.in lists $f, which marks no sentence"
	else
		echo "FAIL: po/POTFILES.in lists $f, which does not exist"
	fi
done | tee "$tmp/stale"
[ -s "$tmp/missing" ] || [ -s "$tmp/stale" ] && failed=1
[ "$failed" -eq 0 ] && echo "po/POTFILES.in: the $(wc -l <"$tmp/listed") files that mark sentences"
exit "$failed"
