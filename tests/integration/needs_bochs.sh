#!/bin/sh
# tests/integration/needs_bochs.sh: run the command given when Bochs and
# GRUB's image tools are installed; otherwise skip, saying why, with CTest's
# skip status 77. Runs on: host, under CTest.
#
# usage: needs_bochs.sh COMMAND [ARGS...]
set -u
[ $# -ge 1 ] || { echo "usage: needs_bochs.sh COMMAND [ARGS...]" >&2; exit 2; }
for tool in bochs grub-mkrescue xorriso mformat; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed (Debian packages bochs bochsbios vgabios" \
			"grub-pc-bin grub-common xorriso mtools; ./trapvisor installs them as root)"
		exit 77
	fi
done
exec "$@"
