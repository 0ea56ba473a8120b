#!/bin/sh
# tests/integration/terminal_run.sh: the host program at a terminal, as a
# person uses it: run in a pseudo-terminal (script(1)), keys typed when the
# guest asks for them, then Ctrl-A x to end a guest that never exits.
# Runs on: host, under CTest.
#
# usage: terminal_run.sh
# The host program is $TRAPVISOR_HOST. It runs `native pc_probe -- input=abc
# stay`; the test types "abc" and Enter once the guest prompts, waits for the
# guest to stay up, then types Ctrl-A x. Checks: the keys reached the guest
# raw (Enter as CR), the hint about Ctrl-A x was shown, the run ended by the
# quit key with status 5, and the terminal's settings came back.
# Exit status: 0 all checks passed, 1 a check failed, 2 the harness failed.
set -u

[ -n "${TRAPVISOR_HOST:-}" ] && [ -x "$TRAPVISOR_HOST" ] || {
	echo "terminal_run.sh: TRAPVISOR_HOST is not set or not executable" >&2
	exit 2
}
command -v script >/dev/null || { echo "terminal_run.sh: script(1) missing" >&2; exit 2; }

out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

# Wait (at most 60 s) until the pseudo-terminal's log holds $1.
wait_for() {
	i=0
	while [ $i -lt 600 ]; do
		grep -q -e "$1" "$out" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stty -g before and after, inside the pseudo-terminal: raw mode must not outlive the run.
{
	wait_for "type 'abc' and Enter" && printf 'abc\r'
	wait_for "staying up" && printf '\001x'
	wait_for "tty-after" || true
} | NO_COLOR=1 script -qefc "echo tty-before: \$(stty -g);
	'$TRAPVISOR_HOST' native pc_probe --timeout 60 -- input=abc stay; echo host-status=\$?;
	echo tty-after: \$(stty -g)" "$out" >/dev/null 2>&1

failed=0
check() {
	grep -q -e "$1" "$out" || { echo "FAIL: no line matches: $1"; failed=1; }
}
check "keys go to the guest's COM1; Ctrl-A x ends the run"
check "guest| pc_probe: COM1 gave 'abc' in [0-9]* interrupts"
check "guest| PASS: com1-input-by-interrupt"
check "run ended: ended with Ctrl-A x"
check "host-status=5"
before=$(sed -n 's/^tty-before: //p' "$out" | tr -d '\r')
after=$(sed -n 's/^tty-after: //p' "$out" | tr -d '\r')
if [ -z "$before" ] || [ "$before" != "$after" ]; then
	echo "FAIL: the terminal's settings changed: before '$before', after '$after'"
	failed=1
fi
echo "--- the pseudo-terminal ---"
tr -d '\r' <"$out"
[ "$failed" -eq 0 ] && echo "--- passed ---" || echo "--- FAILED ---"
exit "$failed"
