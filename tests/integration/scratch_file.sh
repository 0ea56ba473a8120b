#!/bin/sh
# tests/integration/scratch_file.sh: run expect_run.sh on a guest file with a
# name no build would make (a newline or an escape character in it).
# Runs on: host, under CTest.
#
# usage: scratch_file.sh SOURCE NAME -- EXPECT-RUN-ARGS...
#   Copies SOURCE into a fresh scratch directory as NAME, where NAME is a
#   printf format (so '\n' and '\033' stand for those bytes), then runs
#   expect_run.sh with EXPECT-RUN-ARGS, every word "@FILE@" replaced by the
#   copy's path. The scratch directory is removed afterwards.
# Exit status: expect_run.sh's; 2 if the copy could not be made.
set -u

[ $# -ge 3 ] && [ "$3" = "--" ] || {
	echo "usage: scratch_file.sh SOURCE NAME -- EXPECT-RUN-ARGS..." >&2
	exit 2
}
source_file=$1
# The name is ours, from the test's own CMake file: a format on purpose.
# shellcheck disable=SC2059
name=$(printf "$2")
shift 3

dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT
file="$dir/$name"
cp "$source_file" "$file" || exit 2

n=$#
for word in "$@"; do
	[ "$word" = "@FILE@" ] && word=$file
	set -- "$@" "$word"
done
shift "$n"
"$(dirname "$0")/expect_run.sh" "$@"
