#!/bin/sh
# tests/integration/gdb_attach.sh: `trapvisor run GUEST --gdb` waits for gdb,
# gdb in batch mode attaches with the hypervisor's symbols, stops at the
# first trap in hv_trap and reads the frame, and the run then goes on to the
# guest's end. Runs on: host, under CTest.
#
# usage: gdb_attach.sh HV_ELF
# Skipped (77) without gdb. The host program is $TRAPVISOR_HOST.
# Exit status: 0 passed, 1 failed, 2 the harness was called wrongly, 77 skipped.
set -u
[ $# -eq 1 ] || { echo "usage: gdb_attach.sh HV_ELF" >&2; exit 2; }
[ -n "${TRAPVISOR_HOST:-}" ] || { echo "gdb_attach.sh: TRAPVISOR_HOST is not set" >&2; exit 2; }
command -v gdb >/dev/null 2>&1 ||
	{ echo "SKIP: gdb is not installed (Debian package gdb; ./trapvisor installs it as root)"; exit 77; }
hv=$1
# A port of this test's own, so tests running side by side do not meet.
port=$((20000 + $$ % 20000))

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
TRAPVISOR_GDB_PORT=$port NO_COLOR=1 "$TRAPVISOR_HOST" run selftest --gdb --timeout 60 \
	</dev/null >"$dir/run" 2>&1 &
run_pid=$!
# gdb retries a refused connection until QEMU listens (tcp connect-timeout).
timeout 60 gdb -q -batch -nx "$hv" \
	-ex 'set tcp connect-timeout 30' \
	-ex "target remote 127.0.0.1:$port" \
	-ex 'break hv_trap' -ex continue \
	-ex 'print/x frame->vector' -ex 'print frame->cs & 3' \
	-ex 'delete' -ex 'detach' >"$dir/gdb" 2>&1
gdb_status=$?
wait "$run_pid"
run_status=$?

failed=0
grep -q "waits for gdb on port $port" "$dir/run" || { echo "FAIL: no port said"; failed=1; }
[ "$gdb_status" -eq 0 ] || { echo "FAIL: gdb exited $gdb_status"; failed=1; }
grep -q "^Breakpoint 1, hv_trap (frame=" "$dir/gdb" || { echo "FAIL: hv_trap was not hit"; failed=1; }
# The selftest's first trap is its LGDT: #GP (13), from ring 1.
grep -q '^\$1 = 0xd$' "$dir/gdb" || { echo "FAIL: the first trap is not a #GP"; failed=1; }
grep -q '^\$2 = 1$' "$dir/gdb" || { echo "FAIL: the trap did not come from ring 1"; failed=1; }
[ "$run_status" -eq 0 ] || { echo "FAIL: the run exited $run_status after gdb left"; failed=1; }
grep -q "^guest| SUMMARY: [0-9]* passed, 0 failed" "$dir/run" ||
	{ echo "FAIL: the guest did not finish"; failed=1; }
echo "--- gdb (exit status $gdb_status) ---"
cat "$dir/gdb"
echo "--- trapvisor run --gdb (exit status $run_status) ---"
cat "$dir/run"
[ "$failed" -eq 0 ] || { echo "--- FAILED ---"; exit 1; }
echo "--- passed ---"
exit 0
