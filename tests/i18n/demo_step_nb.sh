#!/bin/sh
# tests/i18n/demo_step_nb.sh: `demo --step --lang nb` at a terminal, as a
# teacher runs it in class: in a pseudo-terminal (script(1)), with Enter
# typed as the pauses come. Runs on: host (CTest: i18n.demo_step_nb).
#
# Checks, in the terminal's log: the prompts, the experiments' headings, the
# guest's narration and the live results are the catalog's Norwegian (looked
# up with gettext(1), not taken from the program), the guest's numbers are
# in its sentences, no English sentence of the guest is left, and the demo
# ends with status 0.
#
# usage: demo_step_nb.sh HOST BUILD_DIR
# exit status: 0 as described; 1 not; 2 usage or script(1) missing.
set -u

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -d "$2/locale" ]; then
	echo "usage: demo_step_nb.sh HOST BUILD_DIR (with the catalog built)" >&2
	exit 2
fi
host=$1 build=$2
command -v script >/dev/null || { echo "demo_step_nb.sh: script(1) missing" >&2; exit 2; }
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

nb() {
	TEXTDOMAINDIR=$build/locale LANGUAGE=nb LC_ALL=C.UTF-8 gettext -d trapvisor -- "$1"
}
# A translated sentence as an extended regular expression, a number for each %u.
to_re() {
	sed -e 's/[][\.*^$()+?{}|]/\\&/g' -e 's/%u/[0-9]+/g'
}

# Enter every 0.3 s until the demo ends (at most 5 minutes): a key that
# comes before a pause waits in the guest's UART until the pause reads it.
{
	i=0
	while [ $i -lt 1000 ] && ! grep -q "host-status=[0-9]" "$out" 2>/dev/null; do
		printf '\r'
		sleep 0.3
		i=$((i + 1))
	done
} | env -u LC_ALL -u LANGUAGE NO_COLOR=1 script -qefc \
	"'$host' demo --step --lang nb --format md --timeout 60; echo host-status=\$?" \
	"$out" >/dev/null 2>&1

log=$(tr -d '\r' <"$out")
failed=0
check() {
	echo "$log" | grep -qE -- "$1" || { echo "FAIL: no line matches: $1"; failed=1; }
}
reject() {
	if echo "$log" | grep -qE -- "$1"; then
		echo "FAIL: a line matches: $1"
		failed=1
	fi
}

check "host-status=0"
title=$(nb "CLI keeps the timer out")
# shellcheck disable=SC2059 # the catalog's sentence is the format
check "$(printf "$(nb "next: %s. Press Enter to run it.")" "$title" | to_re)"
check "^== $(printf '%s' "$title" | to_re) ==$"
check "^=== 1/5: $(nb "bare machine" | to_re) \\($(nb "native QEMU" | to_re)\\) ===$"
check "^   $(nb "Counted %u timer interrupts while IF was off." | to_re)$"
check "^   $(nb "Counted %u timer interrupts while this kernel believed IF was off." | to_re)$"
check "^   $(nb "The %s vanished into thin air: the hypervisor never saw it." | sed 's/%s/POPF/' | to_re)$"
# A live result: this run's category against the bare machine's, with the guest's numbers.
# shellcheck disable=SC2059
result=$(printf "$(nb "observed %s (the bare machine showed %s): %s")" "$(nb ticks)" "$(nb no-ticks)" "@" | to_re)
detail=$(nb "%u ticks in %u ms after %s cleared IF" | sed 's/%s/POPF/' | to_re)
check "^   $(echo "$result" | sed "s/@\$//")$detail$"
check "$(nb "popf_demo: one tick is %llu TSC cycles" | to_re | sed 's/%llu/[0-9]+/')"
reject "Press Enter"
reject "^   Counted [0-9]+ timer interrupts"
reject "vanished into thin air"
reject "^   observed "
reject "$(nb "popf_demo: no key after %u s, going on" | to_re)"

echo "--- the pseudo-terminal ---"
echo "$log"
[ "$failed" -eq 0 ] && echo "--- passed ---" || echo "--- FAILED ---"
exit "$failed"
