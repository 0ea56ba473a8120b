#!/bin/sh
# tests/structure/docs_names.sh: the documents name only what exists.
# Runs on: host (CTest: structure.docs_names).
#
# docs/tour.md and every folder's README.md send a reader to files and
# functions; after a refactoring they must still be there. Each `quoted`
# name in them is checked:
#   - a path (it has a / or ends in .c .h .S .md .ld .cmake .sh): the file
#     or directory exists, from the top of the tree or from the document's
#     own directory; a bare file name may also be one elsewhere in the tree
#     (build outputs under build/ and names with * or < are patterns, not
#     files, and are skipped);
#   - a C name (lower case, digits and _, with at least one _): it is
#     defined or used as a whole word in some C, header, assembly,
#     linker-script or CMake file.
# Markdown links [text](path) to files in the tree are checked as paths.
#
# usage: docs_names.sh SOURCE_ROOT
# exit status: 0 every name exists; 1 some do not (each is listed); 2 usage.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: docs_names.sh SOURCE_ROOT" >&2
	exit 2
fi
root=$(cd "$1" && pwd)
cd "$root" || exit 2

docs="docs/tour.md $(find . -mindepth 2 -maxdepth 3 -name README.md -not -path './build*' | sed 's|^\./||' | sort)"
# Every word of every source file, once: a name is looked up here.
words=$(mktemp)
find lib deprivilege shadow_pt platform hv guests tools tests cmake CMakeLists.txt -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.ld' -o -name '*.cmake' \
	   -o -name CMakeLists.txt \) 2>/dev/null |
	xargs cat | tr -cs 'A-Za-z0-9_' '\n' | sort -u >"$words"

# A bare file name (no /) may be one in another folder the text names beside it.
files=$(find . -path ./build -prune -o -type f -print | sed 's|.*/||' | sort -u)
bare_name_exists() {
	case $1 in */*) return 1 ;; esac
	case "
$files
" in *"
$1
"*) return 0 ;; esac
	return 1
}

# Shell built-ins only inside the loop: a spawned process per name is slow on a busy machine.
cnames=$(mktemp)
trap 'rm -f "$words" "$cnames"' EXIT
missing=0
checked=0
for doc in $docs; do
	[ -f "$doc" ] || continue
	dir=$(dirname "$doc")
	names=$( (grep -o '`[^`]*`' "$doc" | tr -d '`'; \
		  grep -o '\]([^)#:]*)' "$doc" | sed 's/^](//; s/)$//') | sort -u)
	for name in $names; do
		case $name in
		build/*|*'*'*|*'<'*|*'...'*|-*|http*) continue ;;
		*[!A-Za-z0-9_./\(\)-]*) continue ;;
		esac
		case $name in
		*/*|*.c|*.h|*.S|*.md|*.ld|*.cmake|*.sh)
			case $name in *'('*) continue ;; esac
			checked=$((checked + 1))
			if [ ! -e "$name" ] && [ ! -e "$dir/$name" ] && ! bare_name_exists "$name"; then
				echo "$doc: \`$name\` names a file that does not exist"
				missing=1
			fi
			;;
		[a-z]*_*)
			word=${name%"()"}
			case $word in *[!a-z0-9_]*) continue ;; esac
			checked=$((checked + 1))
			echo "$doc $word" >>"$cnames"
			;;
		esac
	done
done
unknown=$(awk 'NR == FNR { known[$0] = 1; next }
	       !($2 in known) { printf "%s: `%s` names a function or symbol found in no source file\n", $1, $2 }' \
	"$words" "$cnames")
if [ -n "$unknown" ]; then
	echo "$unknown"
	missing=1
fi
if [ "$missing" -ne 0 ]; then
	echo "docs_names: the documents above name what the tree no longer has"
	exit 1
fi
echo "docs_names: all $checked file and function names in docs/tour.md and the READMEs exist"
exit 0
