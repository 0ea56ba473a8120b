#!/bin/sh
# tests/integration/on_bochs.sh: run a guest on bare Bochs and under the
# hypervisor on Bochs, and require the same guest output from both, except
# for the checks named as legitimate differences of the bare machine.
# Runs on: host, under CTest.
#
# usage: on_bochs.sh RING GUEST [--differs CHECK]... [-- ARGS...]
#   RING     the ring the guest kernel runs in under the hypervisor (1 or 3)
#   GUEST    a built-in guest's name; ARGS its command line
#   --differs CHECK  a check the bare Bochs fails and the hypervisor's
#            virtual PC passes, each for a reason the test that names it
#            gives (its FAIL and PASS lines, and the SUMMARY, are then left
#            out of the comparison)
# Both runs must print guest lines; the hypervisor's run must exit 0 and
# report its memory unchanged; the bare guest must exit with the number of
# --differs checks as its status (the host program then exits 1). Run it
# through needs_bochs.sh, which skips (77) without Bochs. The host program
# is $TRAPVISOR_HOST.
# Exit status: 0 same, 1 not, 2 the harness was called wrongly.
set -u
[ $# -ge 2 ] || { echo "usage: on_bochs.sh RING GUEST [--differs CHECK]... [-- ARGS...]" >&2; exit 2; }
[ -n "${TRAPVISOR_HOST:-}" ] || { echo "on_bochs.sh: TRAPVISOR_HOST is not set" >&2; exit 2; }
ring=$1 guest=$2
shift 2
differs=""
ndiffers=0
while [ $# -gt 0 ]; do
	case "$1" in
	--differs) [ $# -ge 2 ] || { echo "on_bochs.sh: --differs needs a CHECK" >&2; exit 2; }
		differs="$differs $2"; ndiffers=$((ndiffers + 1)); shift 2 ;;
	--) shift; break ;;
	*) echo "on_bochs.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
NO_COLOR=1 "$TRAPVISOR_HOST" native "$guest" --on bochs --timeout 100 -- "$@" >"$dir/native" 2>&1
native_status=$?
NO_COLOR=1 "$TRAPVISOR_HOST" run "$guest" --on bochs --ring "$ring" --timeout 100 -- "$@" \
	>"$dir/hv" 2>&1
hv_status=$?

# The guest's lines, without those of the named checks and the summary.
keep() {
	grep '^guest|' "$1" | grep -v '^guest| SUMMARY: ' >"$1.all"
	cp "$1.all" "$1.lines"
	for check in $differs; do
		grep -v -E "^guest\\| (PASS|FAIL): $check(:|$)" "$1.lines" >"$1.tmp"
		mv "$1.tmp" "$1.lines"
	done
}
keep "$dir/native"
keep "$dir/hv"

failed=0
[ "$hv_status" -eq 0 ] || { echo "FAIL: the hypervisor's run on Bochs exited $hv_status"; failed=1; }
# The bare guest's own status is its failure count: one per --differs check.
want_status=0
[ "$ndiffers" -eq 0 ] || want_status=1
[ "$native_status" -eq "$want_status" ] ||
	{ echo "FAIL: the bare Bochs run exited $native_status, not $want_status"; failed=1; }
grep -q "^guest exit status: $ndiffers$" "$dir/native" ||
	{ echo "FAIL: the bare guest's status is not $ndiffers"; failed=1; }
[ -s "$dir/native.lines" ] || { echo "FAIL: no guest lines on bare Bochs"; failed=1; }
grep -q "^hv| hypervisor memory unchanged" "$dir/hv" ||
	{ echo "FAIL: the hypervisor did not report its memory unchanged"; failed=1; }
for check in $differs; do
	grep -q -E "^guest\\| FAIL: $check(:|$)" "$dir/native" ||
		{ echo "FAIL: bare Bochs no longer fails $check: drop --differs $check"; failed=1; }
	grep -q -E "^guest\\| PASS: $check$" "$dir/hv" ||
		{ echo "FAIL: the hypervisor's run does not pass $check"; failed=1; }
done
if ! cmp -s "$dir/native.lines" "$dir/hv.lines"; then
	echo "FAIL: the guest's lines differ (bare Bochs <, hypervisor on Bochs >):"
	diff "$dir/native.lines" "$dir/hv.lines"
	failed=1
fi
echo "--- bare Bochs (exit status $native_status) ---"
cat "$dir/native"
echo "--- ring $ring on Bochs (exit status $hv_status) ---"
cat "$dir/hv"
[ "$failed" -eq 0 ] || { echo "--- FAILED ---"; exit 1; }
echo "--- passed ---"
exit 0
