#!/bin/sh
# tests/integration/closed_stdout.sh: when the reader of the host program's
# output goes away (`trapvisor ... | head -n 1`), the host program must kill
# QEMU and leave at once, dying of SIGPIPE as a pipeline expects, rather than
# let QEMU run on unseen until the timeout.
# Runs on: host, under CTest.
#
# usage: closed_stdout.sh SECONDS -- HOST-ARGS...
#   Runs $TRAPVISOR_HOST HOST-ARGS | head -n 1 and checks that a first line
#   came, that the host program died of SIGPIPE (status 141) and that it was
#   all over within SECONDS (give HOST-ARGS a much longer --timeout).
# Exit status: 0 all checks passed, 1 a check failed, 2 called wrongly.
set -u

[ $# -ge 3 ] && [ "$2" = "--" ] || {
	echo "usage: closed_stdout.sh SECONDS -- HOST-ARGS..." >&2
	exit 2
}
limit=$1
shift 2
[ -x "${TRAPVISOR_HOST:-}" ] || { echo "TRAPVISOR_HOST is not set" >&2; exit 2; }

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
start=$(date +%s)
first=$({ "$TRAPVISOR_HOST" "$@" 2>"$dir/stderr"; echo $? >"$dir/status"; } | head -n 1)
elapsed=$(($(date +%s) - start))
status=$(cat "$dir/status")

echo "--- trapvisor $* | head -n 1 ---"
echo "first line: $first"
echo "exit status: $status, after ${elapsed} s; its stderr:"
cat "$dir/stderr"
failed=0
[ -n "$first" ] || { echo "FAIL: no first line"; failed=1; }
[ "$status" = 141 ] || { echo "FAIL: exit status $status, expected 141 (SIGPIPE)"; failed=1; }
[ "$elapsed" -lt "$limit" ] || { echo "FAIL: ${elapsed} s, expected less than $limit"; failed=1; }
exit $failed
