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

# What berth had on this host before the tests (the user's own containers,
# `make demo`'s among them): only what the tests add counts as theirs.
berth_cgroups() { find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'berth*' 2>/dev/null | sort; }
berth_procs() { ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/ && $3 ~ /berth/ && $3 !~ /run-tests/ {print $1}' | sort; }
cg_before=$(berth_cgroups)
procs_before=$(berth_procs)
for t in "$@"; do
	[ -x "$t" ] || continue
	echo "=== $t"
	t0=$(date +%s)
	if "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures $t"
	fi
	echo "--- $t: $(($(date +%s) - t0)) s"
done

# Leftovers: every test root lives under /tmp/berth-test-*; every cgroup
# berth makes is named berth or berth-*; a test's processes name berth or
# its root.  What was there before the tests is the user's, not a leftover.
left=$(awk '$2 ~ /berth-test/ {print $2}' /proc/self/mounts)
cg=$(comm -13 <(echo "$cg_before") <(berth_cgroups))
# A zombie is dead already: a keeper killed by a test is the host init's to
# reap, and some inits (in containers, VMs) reap late.
new_pids=$( (comm -13 <(echo "$procs_before") <(berth_procs)
	ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/ && /berth-test-/ && !/run-tests/ {print $1}') | sort -u)
procs=$(for p in $new_pids; do ps -o pid=,args= -p "$p" 2>/dev/null; done)
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
