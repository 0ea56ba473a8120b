#!/bin/sh
# tests/fuzz_host/run.sh: builds the host fuzz targets with clang and runs
# them under libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer.
# Runs on: host. `./trapvisor fuzz-host` calls it after checking the packages
# (clang, libclang-rt-14-dev) and building the project; docs/fuzz-host.md
# says what each target checks.
#
# usage: run.sh [--target NAME] [--runs N | --seconds S] [--smoke] [--list]
#   --target NAME  only fuzz_NAME, in the order given if repeated (default: every target)
#   --runs N       stop each target after N executions
#   --seconds S    stop each target after S seconds (default: 60)
#   --smoke        500 executions per target from the seeds alone, for CTest;
#                  exits 77 (skipped) when clang's fuzzer runtime is missing
#   --list         the targets, one a line
#
# 1. checks that clang links -fsanitize=fuzzer,address,undefined;
# 2. configures tests/fuzz_host in build/fuzz-host with CC=clang, builds it;
# 3. writes the seeds from the built guests (build/guests) with make_seeds;
# 4. runs each target on its corpus (build/fuzz-host/corpus/NAME, kept
#    between runs) and seeds; a failing input is saved under
#    build/fuzz-host/artifacts/ and replays with `build/fuzz-host/fuzz_NAME FILE`;
# 5. prints one line per target: executions, seconds, result.
#
# Exit status: 0 every target ran clean; 1 a target failed (a property, a
# sanitizer report, a crash, a leak or a timeout); 2 usage or set-up error;
# 77 with --smoke when clang cannot build fuzzers here.
set -u

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd) || exit 2
build="${TRAPVISOR_BUILD_DIR:-$root/build}"
fuzz="$build/fuzz-host"
targets="guest_image descriptor eflags_rules exception_rules sysreg_rules gpt_walk shadow_cache shadow_mmu patcher inline_patch protocol"

say() {
	printf 'fuzz-host: %s\n' "$*" >&2
}

usage() {
	say "$1"
	echo "usage: ./trapvisor fuzz-host [--target NAME] [--runs N | --seconds S] [--smoke] [--list]" >&2
	exit 2
}

only="" runs="" seconds="" smoke=0
while [ $# -gt 0 ]; do
	case "$1" in
	--target)
		[ $# -ge 2 ] || usage "--target needs a NAME"
		case " $targets " in
		*" $2 "*) only="$only $2" ;;
		*) usage "unknown target '$2' (one of: $targets)" ;;
		esac
		shift 2 ;;
	--runs | --seconds)
		[ $# -ge 2 ] || usage "$1 needs a number"
		case "$2" in
		'' | *[!0-9]* | 0) usage "$1 needs a whole number above 0, not '$2'" ;;
		esac
		if [ "$1" = --runs ]; then runs="$2"; else seconds="$2"; fi
		shift 2 ;;
	--smoke) smoke=1; shift ;;
	--list)
		for t in $targets; do echo "$t"; done
		exit 0 ;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0 ;;
	*) usage "unknown option '$1'" ;;
	esac
done
[ -n "$runs" ] && [ -n "$seconds" ] && usage "--runs and --seconds exclude each other"
if [ "$smoke" -eq 1 ]; then
	[ -n "$runs" ] || [ -n "$seconds" ] || runs=500
elif [ -z "$runs" ] && [ -z "$seconds" ]; then
	seconds=60
fi

# 1. A fuzzer that links and starts is the only proof the runtime is there.
probe_dir=$(mktemp -d) || exit 2
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$probe_dir/probe.c"
: >"$probe_dir/log"
if ! command -v clang >/dev/null 2>&1 ||
	! clang -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" \
		>"$probe_dir/log" 2>&1 ||
	! "$probe_dir/probe" -runs=1 >>"$probe_dir/log" 2>&1; then
	if [ "$smoke" -eq 1 ]; then
		say "skipped: clang cannot build libFuzzer targets here (./trapvisor fuzz-host installs clang and libclang-rt-14-dev)"
		exit 77
	fi
	tail -n 5 "$probe_dir/log" >&2
	say "clang cannot build libFuzzer targets: install the Debian packages clang and libclang-rt-14-dev (./trapvisor fuzz-host does, as root)"
	exit 2
fi

# 2. Its own build directory, its own compiler.
logs="$fuzz/logs"
[ "$smoke" -eq 1 ] && logs="$fuzz/smoke-logs"
mkdir -p "$logs" "$fuzz/artifacts" || exit 2
log="$logs/build.log"
if [ ! -f "$fuzz/CMakeCache.txt" ]; then
	if ! CC=clang cmake -S "$root/tests/fuzz_host" -B "$fuzz" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		rm -f "$fuzz/CMakeCache.txt"
		say "configuring failed (whole log: $log)"
		exit 2
	fi
fi
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
if ! cmake --build "$fuzz" -j "$jobs" >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	say "the build failed (whole log: $log)"
	exit 2
fi

# 3. Seeds from this build's guests, written afresh each time.
rm -rf "$fuzz/seeds"
if ! "$fuzz/make_seeds" "$build/guests" "$fuzz/seeds"; then
	say "no seeds: build the guests first (./trapvisor list)"
	exit 2
fi

# 4 and 5.
if [ -n "$runs" ]; then limit="-runs=$runs"; else limit="-max_total_time=$seconds"; fi
failed=0
printf '%-14s %12s %9s %10s  %s\n' target executions seconds "exec/s" result
for t in ${only:-$targets}; do
	if [ "$smoke" -eq 1 ]; then
		corpus="$fuzz/smoke-corpus/$t"
		rm -rf "$corpus"
	else
		corpus="$fuzz/corpus/$t"
	fi
	mkdir -p "$corpus" || exit 2
	tlog="$logs/$t.log"
	start=$(date +%s)
	# Longer inputs add time, not paths: the patcher's seeds are 160 bytes of
	# code, the shadow cache's 42 operations refill its pool several times;
	# the guest loader's seeds are whole guests, and libFuzzer sizes its
	# inputs from them.
	case "$t" in
	guest_image) max_len=0 ;;
	patcher | inline_patch) max_len=224 ;;
	shadow_cache) max_len=256 ;;
	shadow_mmu) max_len=1024 ;;
	*) max_len=4096 ;;
	esac
	"$fuzz/fuzz_$t" "$limit" -max_len="$max_len" -print_final_stats=1 -timeout=20 \
		-artifact_prefix="$fuzz/artifacts/$t-" "$corpus" "$fuzz/seeds/$t" >"$tlog" 2>&1
	rc=$?
	elapsed=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tlog" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$tlog" | tail -n 1)
	[ -n "$execs" ] || execs=0
	rate=$((execs / (elapsed > 0 ? elapsed : 1)))
	if [ "$rc" -eq 0 ]; then
		result=clean
	else
		failed=1
		why=$(grep -m 1 -E 'property failed|runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$tlog" |
			sed 's/^.*tests\/fuzz_host\///; s/^==[0-9]*==//')
		artifact=$(sed -n 's/.*Test unit written to //p' "$tlog" | tail -n 1)
		result="FAILED: ${why:-status $rc} (input: ${artifact:-none}; log: $tlog)"
	fi
	printf '%-14s %12s %9s %10s  %s\n' "$t" "$execs" "$elapsed" "$rate" "$result"
done
exit "$failed"
