#!/bin/sh
# tests/integration/same_as_native.sh: run a guest on the bare machine and
# under the hypervisor, and require the same result lines from both.
# Runs on: host, under CTest.
#
# usage: same_as_native.sh ERE RING GUEST [ARGS...]
#   ERE    the guest's result lines (e.g. "^guest\| HOSTILE-RESULT: ")
#   RING   the ring the guest kernel runs in under the hypervisor (1 or 3)
#   GUEST  a built-in guest's name; ARGS its command line
# Both runs must exit 0, print at least one matching line, and print the
# same matching lines in the same order; the hypervisor's run must also
# report its memory unchanged. The host program is $TRAPVISOR_HOST.
# Exit status: 0 same, 1 not, 2 the harness was called wrongly.
set -u
[ $# -ge 3 ] || { echo "usage: same_as_native.sh ERE RING GUEST [ARGS...]" >&2; exit 2; }
[ -n "${TRAPVISOR_HOST:-}" ] || { echo "same_as_native.sh: TRAPVISOR_HOST is not set" >&2; exit 2; }
ere=$1 ring=$2 guest=$3
shift 3

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
NO_COLOR=1 "$TRAPVISOR_HOST" native "$guest" --timeout 60 -- "$@" >"$dir/native" 2>&1
native_status=$?
NO_COLOR=1 "$TRAPVISOR_HOST" run "$guest" --ring "$ring" --timeout 60 -- "$@" >"$dir/hv" 2>&1
hv_status=$?
grep -E -e "$ere" "$dir/native" >"$dir/native.lines"
grep -E -e "$ere" "$dir/hv" >"$dir/hv.lines"

failed=0
[ "$native_status" -eq 0 ] || { echo "FAIL: native run exited $native_status"; failed=1; }
[ "$hv_status" -eq 0 ] || { echo "FAIL: hypervisor run exited $hv_status"; failed=1; }
[ -s "$dir/native.lines" ] || { echo "FAIL: no result lines natively"; failed=1; }
grep -q "^hv| hypervisor memory unchanged" "$dir/hv" ||
	{ echo "FAIL: the hypervisor did not report its memory unchanged"; failed=1; }
if ! cmp -s "$dir/native.lines" "$dir/hv.lines"; then
	echo "FAIL: the result lines differ (native <, hypervisor >):"
	diff "$dir/native.lines" "$dir/hv.lines"
	failed=1
fi
echo "--- native (exit status $native_status) ---"
cat "$dir/native"
echo "--- ring $ring (exit status $hv_status) ---"
cat "$dir/hv"
[ "$failed" -eq 0 ] || { echo "--- FAILED ---"; exit 1; }
echo "--- passed ---"
exit 0
