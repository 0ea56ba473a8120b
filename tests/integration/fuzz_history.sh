#!/bin/sh
# tests/integration/fuzz_history.sh: a fuzz sequence ends the same on the
# bare machine whatever sequence ran before it (the fuzz guest puts back
# what the one before may have changed). Seed 2027: 72135 stores the LDTR
# with SLDT, and ran after 72093 (which runs LLDT) it stored that LDTR;
# 44580 reads CR3, and after 44429 (a MOV to CR3 with PWT or PCD) it read
# those bits. Passes when each ends alike alone and after its predecessor.
# Runs on: host.
# usage: fuzz_history.sh   (TRAPVISOR_HOST: the host program)
line() {
	grep "^guest| F $1 "
}
alone=$("$TRAPVISOR_HOST" native fuzz --timeout 60 -- seed=2027 seq=72135 seq=44580) || exit 1
after=$("$TRAPVISOR_HOST" native fuzz --timeout 60 -- seed=2027 seq=72093 seq=72135 seq=44429 seq=44580) || exit 1
status=0
for k in 72135 44580; do
	a=$(echo "$alone" | line $k)
	b=$(echo "$after" | line $k)
	echo "alone:            $a"
	echo "after another:    $b"
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		echo "FAIL: sequence $k ends otherwise after another sequence"
		status=1
	fi
done
exit $status
