#!/bin/sh
# tests/i18n/guest_sentences.sh: the host's list of the popf_demo guest's
# sentences (tools/demo_guest_text.c) holds exactly what the guest says.
# Runs on: host (CTest: i18n.guest_sentences).
#
# The host translates a guest line by recognizing it in that list; a
# sentence the guest says and the list lacks would stay English in
# Norwegian, and one the list keeps after the guest dropped it is dead
# weight for the translator. xgettext reads both sides:
#   - the guest: popf_demo_say() lines, popf_demo_begin() titles,
#     popf_demo_result() details, and guest_printf() lines that start with
#     "popf_demo: " (their newline dropped);
#   - the host: every N_() of the list.
# A host entry the guest does not say as a sentence must be a string the
# guest writes somewhere (a word for a %s, a category).
#
# usage: guest_sentences.sh GUEST_SOURCE_DIR HOST_LIST_FILE
# exit status: 0 the same; 1 not (each sentence is named); 2 usage.
set -u

if [ $# -ne 2 ] || [ ! -d "$1" ] || [ ! -f "$2" ]; then
	echo "usage: guest_sentences.sh GUEST_SOURCE_DIR HOST_LIST_FILE" >&2
	exit 2
fi
guest_dir=$1 host_list=$2
command -v xgettext >/dev/null 2>&1 || {
	echo "guest_sentences: xgettext not found (Debian package gettext)" >&2
	exit 2
}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# msgid "..." lines, one per sentence, as C escapes them.
msgids() {
	xgettext --language=C --from-code=UTF-8 --no-wrap --omit-header --no-location \
		--keyword "$@" -o - | sed -n 's/^msgid \(".*"\)$/\1/p'
}
{
	msgids --keyword=popf_demo_say --keyword=popf_demo_begin:2 --keyword=popf_demo_result:4 \
		"$guest_dir"/*.c
	msgids --keyword=guest_printf "$guest_dir"/*.c | grep '^"popf_demo: ' | sed 's/\\n"$/"/'
} | sort -u >"$tmp/guest"
msgids --keyword=N_ "$host_list" | sort -u >"$tmp/host"

failed=0
[ -s "$tmp/guest" ] || { echo "FAIL: no sentence found in $guest_dir"; failed=1; }
comm -23 "$tmp/guest" "$tmp/host" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
	echo "FAIL: the guest says these, which $host_list does not list:"
	sed 's/^/  /' "$tmp/missing"
	failed=1
fi
comm -13 "$tmp/guest" "$tmp/host" | while read -r word; do
	grep -qF -- "$word" "$guest_dir"/*.c || echo "  $word"
done >"$tmp/stale"
if [ -s "$tmp/stale" ]; then
	echo "FAIL: $host_list lists these, which the guest never writes:"
	cat "$tmp/stale"
	failed=1
fi
[ "$failed" -eq 0 ] &&
	echo "$host_list: the guest's $(wc -l <"$tmp/guest") sentences, and $(comm -13 "$tmp/guest" "$tmp/host" | wc -l) of its words"
exit "$failed"
