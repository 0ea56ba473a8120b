#!/bin/sh
# tests/integration/expect_run.sh: run the host program once and check what
# it did. Runs on: host, under CTest.
#
# usage: expect_run.sh --status N [--expect ERE]... [--reject ERE]...
#                      [--lines N] [--stdin TEXT] -- HOST-ARGS...
#   --status N    the host program must exit with status N
#   --expect ERE  some line of its output (stdout and stderr) must match
#   --reject ERE  no line of its output may match
#   --lines N     its output must be exactly N lines long
#   --stdin TEXT  its standard input is TEXT (printf %b: \r, \n), through a
#                 pipe that ends after it; otherwise it reads /dev/null
# The host program is $TRAPVISOR_HOST (tv_integration_test sets it).
# Exit status: 0 all checks passed, 1 a check failed, 2 the harness was
# called wrongly.
set -u
# Patterns are split on newlines below; they must not be taken as globs.
set -f

die() {
	echo "expect_run.sh: $*" >&2
	exit 2
}

status=""
lines=""
stdin_text=""
has_stdin=0
nl='
'
expects=""
rejects=""

# Patterns are kept one per line: an empty one would match every line (and
# vanish from the list), one with a newline would become two.
check_pattern() {
	case "$2" in
	"") die "$1 needs a non-empty pattern" ;;
	*"$nl"*) die "$1 pattern contains a newline (give one pattern per $1)" ;;
	esac
}

while [ $# -gt 0 ]; do
	case "$1" in
	--status) [ $# -ge 2 ] || die "--status needs a value"; status=$2; shift 2 ;;
	--expect)
		[ $# -ge 2 ] || die "--expect needs a value"
		check_pattern "$1" "$2"
		expects="$expects$2$nl"
		shift 2 ;;
	--reject)
		[ $# -ge 2 ] || die "--reject needs a value"
		check_pattern "$1" "$2"
		rejects="$rejects$2$nl"
		shift 2 ;;
	--lines) [ $# -ge 2 ] || die "--lines needs a value"; lines=$2; shift 2 ;;
	--stdin)
		[ $# -ge 2 ] || die "--stdin needs a value"
		stdin_text=$2
		has_stdin=1
		shift 2 ;;
	--) shift; break ;;
	*) die "unknown option '$1'" ;;
	esac
done
[ -n "$status" ] || die "--status is required"
[ -n "${TRAPVISOR_HOST:-}" ] || die "TRAPVISOR_HOST is not set"
[ -x "$TRAPVISOR_HOST" ] || die "not executable: $TRAPVISOR_HOST"

out=$(mktemp) || die "mktemp failed"
trap 'rm -f "$out"' EXIT
# Colours would get in the way of the patterns.
if [ "$has_stdin" -eq 1 ]; then
	# The pipe ends right after the text: the run must outlive its input.
	printf '%b' "$stdin_text" | NO_COLOR=1 "$TRAPVISOR_HOST" "$@" >"$out" 2>&1
	got=$?
else
	NO_COLOR=1 "$TRAPVISOR_HOST" "$@" >"$out" 2>&1 </dev/null
	got=$?
fi

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

[ "$got" = "$status" ] || fail "exit status $got, expected $status"
if [ -n "$lines" ]; then
	n=$(wc -l <"$out")
	[ "$n" -eq "$lines" ] || fail "$n lines of output, expected $lines"
fi
# Patterns are one per line in $expects and $rejects.
old_ifs=$IFS
IFS=$nl
for re in $expects; do
	grep -E -q -e "$re" "$out" || fail "no line matches: $re"
done
for re in $rejects; do
	if grep -E -q -e "$re" "$out"; then
		fail "a line matches what must not appear: $re"
		grep -E -n -e "$re" "$out" | sed 's/^/    /'
	fi
done
IFS=$old_ifs

echo "--- trapvisor $* (exit status $got) ---"
cat "$out"
if [ "$failed" -ne 0 ]; then
	echo "--- FAILED ---"
	exit 1
fi
echo "--- passed ---"
exit 0
