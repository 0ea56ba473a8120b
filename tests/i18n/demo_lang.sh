#!/bin/sh
# tests/i18n/demo_lang.sh: `trapvisor demo` in Norwegian shows the run's own
# results under Norwegian headings. Runs on: host (CTest: i18n.demo_nb).
#
# Three runs of the demo:
#   1. `demo --lang nb --format json`: the reference. JSON stays English
#      whatever the language: its titles must be sentences of the sources
#      (msgids of the template), not their translations.
#   2. `demo --lang nb --format md`;
#   3. `demo` as text with only LANG=nb_NO.UTF-8 saying the language (the
#      locale need not be installed).
# In 2 and 3 every heading, row title, category and mark must be the
# catalog's Norwegian for what run 1 reported, cell by cell. The Norwegian
# is looked up with gettext(1) in the built catalog, not taken from the
# program, and the categories and verdicts come from the JSON run, not from
# this script: a demo that showed other results than the JSON's, or kept
# an English heading, fails. The explanation must be the catalog's too,
# with numbers where the sentences have them (the lost updates adding up
# as the guest counts them).
#
# usage: demo_lang.sh HOST BUILD_DIR
# exit status: 0 as described; 1 not (each difference is listed); 2 usage.
set -u

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -f "$2/po/trapvisor.pot" ]; then
	echo "usage: demo_lang.sh HOST BUILD_DIR (with po/trapvisor.pot built)" >&2
	exit 2
fi
host=$1 build=$2
pot=$build/po/trapvisor.pot
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# The catalog's Norwegian for an English sentence, by GNU gettext's own tool.
nb() {
	TEXTDOMAINDIR=$build/locale LANGUAGE=nb LC_ALL=C.UTF-8 gettext -d trapvisor -- "$1"
}

# Each run in a locale that says nothing, unless told otherwise.
run_demo() {
	out=$1
	shift
	env -u LANGUAGE -u LC_MESSAGES -u LANG LC_ALL=C NO_COLOR=1 "$@" \
		</dev/null >"$tmp/$out" 2>"$tmp/$out.err"
	status=$?
	[ "$status" -eq 0 ] || { fail "$* exited with $status:"; cat "$tmp/$out.err"; }
}

run_demo en.json "$host" demo --lang nb --format json --timeout 60
run_demo nb.md "$host" demo --lang nb --format md --timeout 60
run_demo nb.txt env -u LC_ALL LANG=nb_NO.UTF-8 "$host" demo --timeout 60
[ "$failed" -eq 0 ] || exit 1

keys="bare trap_and_emulate patched inline paravirt"

# --- 1. the JSON's words are the sources' English ---
for key in $keys; do
	line=$(grep "^    {\"key\": \"$key\"," "$tmp/en.json")
	title=$(echo "$line" | sed -n 's/^.*"title": "\([^"]*\)".*$/\1/p')
	how=$(echo "$line" | sed -n 's/^.*"how": "\([^"]*\)".*$/\1/p')
	[ -n "$title" ] && [ -n "$how" ] || { fail "run $key: no title or how in the JSON"; continue; }
	echo "$key|$title|$how" >>"$tmp/runs"
	for s in "$title" "$how"; do
		grep -qFx "msgid \"$s\"" "$pot" || fail "JSON run $key: \"$s\" is not English from the sources"
	done
done
sed -n 's/^    {"name": "\([a-z0-9_]*\)", "title": "\([^"]*\)", .*$/\1|\2/p' "$tmp/en.json" >"$tmp/exps"
[ "$(wc -l <"$tmp/exps")" -ge 6 ] || fail "the JSON reports $(wc -l <"$tmp/exps") experiments, not 6"
grep -q '"narrative": \[' "$tmp/en.json" || fail "the JSON has no narrative"
# Norwegian letters in the JSON would be a translation that leaked in.
if grep -n '[æøåÆØÅ]' "$tmp/en.json" >"$tmp/leak"; then
	fail "Norwegian in the JSON:"
	cat "$tmp/leak"
fi

# --- 2. the markdown: headings and every cell ---
header="| $(nb experiment) |"
while IFS='|' read -r key title how; do
	header="$header $(nb "$title") ($(nb "$how")) |"
done <"$tmp/runs"
grep -qFx -- "$header" "$tmp/nb.md" || {
	fail "md: no heading line"
	echo "  expected: $header"
	echo "  got:      $(head -n 1 "$tmp/nb.md")"
}
grep -qFx -- "$(nb "= as on the bare machine, ≠ differs from it.")" "$tmp/nb.md" ||
	fail "md: no Norwegian legend"

# The cell of one experiment in one run from the JSON: "observed|equal_to_bare|as_architecture".
cell() {
	grep "^    {\"name\": \"$1\"," "$tmp/en.json" |
		sed -n "s/^.*\"$2\": {\"observed\": \"\\([^\"]*\\)\"[^}]*\"equal_to_bare\": \\([a-z]*\\), \"as_architecture\": \\([a-z]*\\)}.*\$/\\1|\\2|\\3/p"
}

while IFS='|' read -r name title; do
	md="| $(nb "$title") |"
	text="$(nb "$title")"
	for key in $keys; do
		c=$(cell "$name" "$key")
		obs=${c%%|*} rest=${c#*|}
		equal=${rest%%|*} arch=${rest#*|}
		[ -n "$c" ] || { fail "JSON: no cell $name/$key"; continue; }
		o=$(nb "$obs")
		if [ "$key" = bare ]; then
			[ "$arch" = true ] || fail "$name: the bare machine not as the architecture"
			md="$md \`$o\` |"
			text="$text $o $(nb "= arch")"
		elif [ "$equal" = true ]; then
			md="$md \`$o\` = |"
			text="$text $o $(nb "= bare")"
		else
			md="$md **\`$o\` ≠** |"
			text="$text $o $(nb DIFFERS)"
		fi
	done
	grep -qFx -- "$md" "$tmp/nb.md" || fail "md: no row \"$md\""
	# The text table pads its columns: compare with the blanks squeezed.
	tr -s ' ' <"$tmp/nb.txt" | grep -qFx -- "$text" || fail "text: no row \"$text\""
done <"$tmp/exps"

# --- 3. the text: headings and legend in Norwegian, nothing English left ---
heading="$(nb experiment)"
while IFS='|' read -r key title how; do
	heading="$heading $(nb "$title")"
done <"$tmp/runs"
tr -s ' ' <"$tmp/nb.txt" | grep -qFx -- "$heading" || fail "text: no heading \"$heading\""
first_legend=$(nb "= bare: as on the bare machine in this demo. DIFFERS: not so.
= arch: as the architecture promises a kernel in ring 0.
" | head -n 1)
grep -qFx -- "$first_legend" "$tmp/nb.txt" || fail "text: no Norwegian legend"
grep -qF -- "$(nb "running %s... " | sed 's/%s.*//')" "$tmp/nb.txt.err" ||
	fail "text: progress on stderr not in Norwegian"
for english in "^experiment " "= bare: as on the bare machine" "^Wall time and traps"; do
	if grep -qE -- "$english" "$tmp/nb.txt" "$tmp/nb.md"; then
		fail "English left in the Norwegian output: $english"
	fi
done

# --- 4. the explanation: the catalog's sentences, with this run's numbers ---
# A translated sentence as an extended regular expression: its text up to
# the first directive, and a number wherever the sentence has %u.
sentence_re() {
	nb "$1" | sed -e 's/[][\\.*^$()+?{}|]/\\&/g' -e 's/%u/[0-9]+/g' -e 's/%s.*$//'
}
for sentence in \
	"POPF is sensitive but not privileged: in ring %d it never traps, and the CPU silently keeps the old IF. So the hypervisor never learned that the guest turned interrupts off and back on (after POPF cleared IF: %s; after POPF set IF: %s)." \
	"%u of %u updates lost (%u sections, %u ticks)" \
	"With patch=all every experiment matched the bare machine: equivalence is restored."; do
	re=$(sentence_re "$sentence" | sed 's/%d/[13]/')
	for out in nb.md nb.txt; do
		tr '\n' ' ' <"$tmp/$out" | grep -qE -- "$re" || fail "$out: no \"$re\""
	done
done
for english in "POPF is sensitive but not privileged" "updates lost" "equivalence is restored"; do
	if grep -qF -- "$english" "$tmp/nb.txt" "$tmp/nb.md"; then
		fail "English narrative left in the Norwegian output: $english"
	fi
done
# The lost updates the Norwegian run counted are its own: the numbers in its
# sentence add up as the guest's do (lost = expected - grown, at least one).
lost_re=$(sentence_re "%u of %u updates lost (%u sections, %u ticks)")
if ! tr '\n' ' ' <"$tmp/nb.md" | grep -oE -- "$lost_re" | head -n 1 | tr -c '0-9\n' ' ' |
	awk '{ if (!($1 >= 1 && $2 == $3 + $4)) exit 1 }'; then
	fail "md: the lost updates do not add up: $(tr '\n' ' ' <"$tmp/nb.md" | grep -oE -- "$lost_re" | head -n 1)"
fi

[ "$failed" -eq 0 ] && echo "demo in Norwegian: $(wc -l <"$tmp/exps") experiments as in the JSON run, headings and marks from the catalog"
exit "$failed"
