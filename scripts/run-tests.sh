#!/bin/bash
# Runs each test program given, keeps going after a failure, then checks that
# nothing the tests made outlived them (mounts, cgroups, processes) and
# prints one closing line: "N passed, N failed".
#
# Only the tests' own leftovers count: every root a test makes or uses is
# logged in $BERTH_TEST_ROOTS (tests/lib: tu_root_new, tu_berth; bench/soak.sh),
# and what is checked is what belongs to those roots: mounts below them,
# their cgroups (berth-<FNV-1a of the root>, as backend/store/ctx.c names
# them) and processes naming them.  The user's own containers (`make demo`'s
# among them) and other runs on the same host are not the tests'.
set -u
# Tests run with stdin on /dev/null: when the caller has none (CI), fd 0
# would be the first file a test opens, and a child would read from it.
exec </dev/null
export BERTH_BIN="${BERTH_BIN:-$PWD/${BUILD:-build}/berth}"
export BERTH_SRC="$PWD"
BERTH_TEST_ROOTS=$(mktemp /tmp/berth-roots-XXXXXX)
export BERTH_TEST_ROOTS
trap 'rm -f "$BERTH_TEST_ROOTS"' EXIT
passed=0
failed=0
failures=""

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

# The cgroup parent of root $1: "berth-" and the FNV-1a hash of its path.
cgroup_parent() {
	local h=2166136261 b
	for b in $(printf '%s' "$1" | od -An -tu1 -v); do
		h=$(( ((h ^ b) * 16777619) & 0xffffffff ))
	done
	printf 'berth-%08x\n' "$h"
}

left=""
cg=""
procs=""
roots=$(sort -u "$BERTH_TEST_ROOTS")
mounts=$(awk '{print $2}' /proc/self/mounts)
cgdirs=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'berth-*' 2>/dev/null)
# A zombie is dead already: a keeper killed by a test is the host init's to
# reap, and some inits (in containers, VMs) reap late.
pslist=$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -v run-tests)
while IFS= read -r root; do
	case "$root" in /tmp/berth-test-?*) ;; *) continue ;; esac
	m=$(printf '%s\n' "$mounts" | grep -F -- "$root/")
	[ -n "$m" ] && left="$left $m"
	parent=$(cgroup_parent "$root")
	c=$(printf '%s\n' "$cgdirs" | grep -E -- "/$parent(-vm)?(/|$)")
	[ -n "$c" ] && cg="$cg $c"
	p=$(printf "%s\n" "$pslist" | grep -F -- "$root")
	[ -n "$p" ] && procs="$procs
$p"
done <<<"$roots"
procs=$(printf '%s\n' "$procs" | sed '/^$/d' | sort -u)
if [ -n "$left$cg$procs" ]; then
	echo "leftovers after the tests (of $(echo "$roots" | wc -l) test roots):" >&2
	[ -n "$left" ] && echo "mounts:$left" >&2
	[ -n "$cg" ] && echo "cgroups:$cg" >&2
	[ -n "$procs" ] && echo "processes: $procs" >&2
	failed=$((failed + 1))
	failures="$failures leftovers"
fi
[ -n "$failures" ] && echo "failed:$failures" >&2
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
