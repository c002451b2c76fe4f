#!/bin/bash
# Runs each test program given, keeps going after a failure, then checks that
# nothing berth made outlived the tests (mounts, cgroups, processes) and
# prints one closing line: "N passed, N failed".
set -u
export BERTH_BIN="${BERTH_BIN:-$PWD/${BUILD:-build}/berth}"
export BERTH_SRC="$PWD"
passed=0
failed=0
failures=""
for t in "$@"; do
	[ -x "$t" ] || continue
	echo "=== $t"
	if "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures $t"
	fi
done

# Leftovers: every test root lives under /tmp/berth-test-*; every cgroup
# berth makes is named berth or berth-*.
left=$(awk '$2 ~ /berth-test/ {print $2}' /proc/self/mounts)
cg=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name 'berth*' 2>/dev/null)
# A zombie is dead already: a keeper killed by a test is the host init's to
# reap, and some inits (in containers, VMs) reap late.
procs=$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/ && $3 ~ /berth/ && $3 !~ /run-tests/ {print}')
if [ -n "$left$cg$procs" ]; then
	echo "leftovers after the tests:" >&2
	[ -n "$left" ] && echo "mounts: $left" >&2
	[ -n "$cg" ] && echo "cgroups: $cg" >&2
	[ -n "$procs" ] && echo "processes: $procs" >&2
	failed=$((failed + 1))
	failures="$failures leftovers"
fi
[ -n "$failures" ] && echo "failed:$failures" >&2
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
