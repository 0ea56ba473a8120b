#!/bin/sh
# tests/structure/include_direction.sh: the layers below the hypervisor stay
# below it.
# Runs on: host (CTest: structure.include_direction).
#
# lib/, deprivilege/, shadow_pt/ and platform/ are pure logic that the
# hypervisor uses and the host's unit tests compile; none of them may include
# anything of hv/ (the hypervisor) or tools/ (the host program). Every C,
# header and assembly file under each of those directories that exists is
# searched, so a directory added later is covered as soon as it is named here.
#
# platform/ (the virtual PC's devices) is held to more: it sits beside
# deprivilege/ and shadow_pt/, not above them, so its files include nothing
# but lib/ and platform/ (and the compiler's own headers).
#
# usage: include_direction.sh SOURCE_ROOT
# exit status: 0 no upward include; 1 some file includes hv/ or tools/ (each
# is listed); 2 usage error.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: include_direction.sh SOURCE_ROOT" >&2
	exit 2
fi
root=$1
pure_layers="lib deprivilege shadow_pt platform"

found=0
searched=0
for layer in $pure_layers; do
	[ -d "$root/$layer" ] || continue
	for file in $(find "$root/$layer" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) | sort); do
		searched=$((searched + 1))
		# "hv/x.h", <hv/x.h>, "../hv/x.h": any spelling that reaches up.
		upward=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](\.\./)*(hv|tools)/' "$file")
		[ -n "$upward" ] || continue
		echo "$upward" | while IFS= read -r line; do
			echo "${file#"$root"/}:$line: includes the hypervisor or the host program"
		done
		found=1
	done
done
if [ -d "$root/platform" ]; then
	for file in $(find "$root/platform" -type f \( -name '*.c' -o -name '*.h' \) | sort); do
		sideways=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
			grep -vE '#[[:space:]]*include[[:space:]]*"(lib|platform)/')
		[ -n "$sideways" ] || continue
		echo "$sideways" | while IFS= read -r line; do
			echo "${file#"$root"/}:$line: platform/ includes only lib/ and platform/"
		done
		found=1
	done
fi
if [ "$searched" -eq 0 ]; then
	echo "include_direction: no source file found under $root ($pure_layers)" >&2
	exit 2
fi
if [ "$found" -ne 0 ]; then
	echo "include_direction: $pure_layers must depend only on lib/ and on themselves (platform/ not on deprivilege/ or shadow_pt/ either)"
	exit 1
fi
echo "include_direction: $searched files in $pure_layers include nothing of hv/ or tools/; platform/ only lib/ and itself"
exit 0
