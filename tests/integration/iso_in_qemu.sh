#!/bin/sh
# tests/integration/iso_in_qemu.sh: make a GRUB image with `trapvisor iso`,
# boot it in QEMU from a CD (GRUB, not QEMU's own multiboot loader), and
# require the same guest output and exit as `trapvisor run` of the same
# guest. Runs on: host, under CTest (through needs_bochs.sh for GRUB's tools).
#
# usage: iso_in_qemu.sh RING GUEST
# One difference is expected and left out: GRUB gives no path before the
# guest's arguments, so the guest cannot check that its first word names
# it (multiboot-cmdline-names-guest runs only under QEMU's loader), and the
# SUMMARY's count is one lower. The host program is $TRAPVISOR_HOST.
# Exit status: 0 same, 1 not, 2 the harness was called wrongly.
set -u
[ $# -eq 2 ] || { echo "usage: iso_in_qemu.sh RING GUEST" >&2; exit 2; }
[ -n "${TRAPVISOR_HOST:-}" ] || { echo "iso_in_qemu.sh: TRAPVISOR_HOST is not set" >&2; exit 2; }
ring=$1 guest=$2
qemu=${TRAPVISOR_QEMU:-qemu-system-i386}

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
failed=0
NO_COLOR=1 "$TRAPVISOR_HOST" iso "$guest" --ring "$ring" -o "$dir/run.iso" >"$dir/iso" 2>&1 ||
	{ echo "FAIL: trapvisor iso exited $?"; cat "$dir/iso"; exit 1; }
timeout 60 "$qemu" -accel tcg -m 128 -cdrom "$dir/run.iso" -display none -serial stdio \
	-no-reboot -nodefaults -device isa-debug-exit,iobase=0xf4,iosize=0x01 \
	</dev/null >"$dir/qemu" 2>&1
qemu_status=$?
NO_COLOR=1 "$TRAPVISOR_HOST" run "$guest" --ring "$ring" >"$dir/run" 2>&1
run_status=$?

skip='(multiboot-cmdline-names-guest$|SUMMARY: )'
grep '^tv:out ' "$dir/qemu" | sed 's/^tv:out //' | grep -v -E "$skip" >"$dir/iso.lines"
grep '^guest| ' "$dir/run" | sed 's/^guest| //' | grep -v -E "$skip" >"$dir/run.lines"

[ "$run_status" -eq 0 ] || { echo "FAIL: trapvisor run exited $run_status"; failed=1; }
# The debug-exit port: QEMU exits (1 << 1) | 1 = 3 for the host status 1, and 1 for 0.
[ "$qemu_status" -eq 1 ] || { echo "FAIL: QEMU exited $qemu_status, not 1 (status 0)"; failed=1; }
grep -q "^tv:hello version=1 ring=$ring " "$dir/qemu" ||
	{ echo "FAIL: no hello line for ring $ring (the options GRUB passed were not read)"; failed=1; }
[ "$(grep '^tv:' "$dir/qemu" | tail -n 1)" = "tv:exit kind=guest status=0" ] ||
	{ echo "FAIL: the image's run did not end with the guest's status 0"; failed=1; }
[ -s "$dir/iso.lines" ] || { echo "FAIL: no guest lines from the image"; failed=1; }
if ! cmp -s "$dir/run.lines" "$dir/iso.lines"; then
	echo "FAIL: the guest's lines differ (run <, image >):"
	diff "$dir/run.lines" "$dir/iso.lines"
	failed=1
fi
echo "--- trapvisor iso ---"
cat "$dir/iso"
echo "--- the image in QEMU (exit status $qemu_status) ---"
cat "$dir/qemu"
[ "$failed" -eq 0 ] || { echo "--- FAILED ---"; exit 1; }
echo "--- passed ---"
exit 0
