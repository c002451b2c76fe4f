#!/bin/bash
# Runs each libFuzzer target given (names in BUILD/tests/fuzz/) for
# $FUZZ_SECONDS seconds from its seeds in tests/fuzz/corpus/<target>/ (what
# it finds goes to BUILD/fuzz-corpus/, never into the seeds), one line per
# target; a crash, leak, sanitizer report or timeout fails the run and
# leaves its input in BUILD/fuzz-artifacts/.
set -u
build=$1
shift
secs=${FUZZ_SECONDS:-30}
failed=""
mkdir -p "$build/fuzz-artifacts"
for t in "$@"; do
	name=${t#fuzz_}
	bin="$build/tests/fuzz/$t"
	seeds="tests/fuzz/corpus/$name"
	work="$build/fuzz-corpus/$name"
	log="$build/fuzz-artifacts/$t.log"
	mkdir -p "$work" "$seeds"
	start=$(date +%s)
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 \
		"$work" "$seeds" >"$log" 2>&1; then
		runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
		echo "$t: ${runs:-?} runs in $(($(date +%s) - start)) s, clean"
	else
		echo "$t: FAILED (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -5
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz-smoke failed:$failed" >&2
	exit 1
fi
