#!/bin/bash
# Soak: CYCLES cycles of run -d, exec, snapshot, rollback, stop, rm on
# CONTAINERS containers at once (one worker each), in a root of its own.
# Prints, before and after, what a leak would grow: mounts, cgroups,
# processes, open fds, lock files, temp and trash entries, and the root's
# size; exits 1 when anything grew or any command failed.
#   bench/soak.sh [CYCLES [CONTAINERS]]     (default 1000 cycles, 4 containers)
# make test runs a 50-cycle version (tests/integration/test_soak.c).
set -u
CYCLES=${1:-1000}
N=${2:-4}
BERTH=${BERTH_BIN:-$PWD/build/berth}
ROOT=$(mktemp -d /tmp/berth-test-XXXXXX)
[ -n "${BERTH_TEST_ROOTS:-}" ] && echo "$ROOT" >>"$BERTH_TEST_ROOTS" # run-tests.sh checks it
LOG=$(mktemp /tmp/berth-soak-XXXXXX.log)
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for i in $(seq 1 "$N"); do "$BERTH" --root "$ROOT" rm -f "soak$i" >/dev/null 2>&1; done
	# The cgroup parent berth made for this root, once empty.
	for d in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/unified/"$CGP"; do
		[ -n "${CGP:-}" ] && [ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	grep " $ROOT" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ROOT" "$LOG"
}
CGP=""
trap cleanup EXIT

b() { "$BERTH" --root "$ROOT" "$@"; }

# The figures a leak would grow.  Processes and fds are those that name the
# root (keepers, containers) or hold a file below it.
measure() {
	local mounts cgroups procs fds locks tmp size
	mounts=$(grep -c " $ROOT" /proc/self/mounts)
	cgroups=0
	[ -n "$CGP" ] && cgroups=$(find /sys/fs/cgroup -mindepth 2 -path "*/$CGP/*" -type d 2>/dev/null | wc -l)
	procs=$(ps -eo args= | grep -c "[-]-root $ROOT ")
	fds=$(find /proc/[0-9]*/fd -lname "$ROOT/*" 2>/dev/null | wc -l)
	locks=$(ls -A "$ROOT/run/locks" 2>/dev/null | wc -l)
	tmp=$(( $(ls -A "$ROOT/tmp" 2>/dev/null | wc -l) + $(ls -A "$ROOT/trash" 2>/dev/null | wc -l) ))
	size=$(du -sk --exclude=run "$ROOT" | awk '{print $1}')
	echo "$mounts $cgroups $procs $fds $locks $tmp $size"
}

worker() {
	local c=soak$1 i
	for i in $(seq 1 "$CYCLES"); do
		if ! { b run -d --name "$c" demo sleep 600 >/dev/null &&
			b exec "$c" sh -c "echo cycle $i > /etc/cycle" &&
			b snapshot "$c" "s$i" >/dev/null &&
			b exec "$c" rm /etc/cycle &&
			b rollback --restart "$c" "s$i" >/dev/null &&
			b exec "$c" grep -q "cycle $i" /etc/cycle &&
			b stop -t 1 "$c" >/dev/null &&
			b rm "$c" >/dev/null; }; then
			echo "worker $1 cycle $i failed" >&2
			b rm -f "$c" >/dev/null
		fi
	done
}

b image demo -q >/dev/null || { echo "soak: image demo failed" >&2; exit 1; }
# One container made and removed first, so that the root's lasting parts
# (its cgroup parent, lock and run directories) exist before the count.
CGP=$(b run -d --name soak0 demo sleep 60 >/dev/null && b inspect soak0 |
	sed -nE 's|.*:/sys/fs/cgroup/[^/]+/(berth-[0-9a-f]+)/soak0".*|\1|p' | head -1)
b rm -f soak0 >/dev/null
[ -n "$CGP" ] || { echo "soak: cannot find the root's cgroup parent" >&2; exit 1; }
read -r m0 c0 p0 f0 l0 t0 s0 < <(measure)
start=$(date +%s.%N)
for i in $(seq 1 "$N"); do
	worker "$i" 2>>"$LOG" &
	pids+=($!)
done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
pids=()
secs=$(echo "$(date +%s.%N) - $start" | bc)
read -r m1 c1 p1 f1 l1 t1 s1 < <(measure)

printf 'soak: %d cycles x %d containers in %.1f s (%.1f ms a cycle per container)\n' \
	"$CYCLES" "$N" "$secs" "$(echo "$secs * 1000 / $CYCLES" | bc -l)"
echo "root $ROOT, cgroup parent $CGP"
printf '%-12s %8s %8s\n' what before after
printf '%-12s %8d %8d\n' mounts "$m0" "$m1" cgroups "$c0" "$c1" processes "$p0" "$p1" \
	fds "$f0" "$f1" lock-files "$l0" "$l1" temp+trash "$t0" "$t1"
printf '%-12s %7dK %7dK\n' root-size "$s0" "$s1"
grew=""
[ "$m1" -gt "$m0" ] && grew="$grew mounts"
[ "$c1" -gt "$c0" ] && grew="$grew cgroups"
[ "$p1" -gt "$p0" ] && grew="$grew processes"
[ "$f1" -gt "$f0" ] && grew="$grew fds"
[ "$l1" -gt "$l0" ] && grew="$grew lock-files"
[ "$t1" -gt "$t0" ] && grew="$grew temp"
# Snapshots are removed with their container: the root must come back to
# its size, give or take directory blocks.
[ "$s1" -gt $((s0 + 64)) ] && grew="$grew root-size"
if [ -s "$LOG" ]; then
	echo "soak: failures:" >&2
	sort "$LOG" | uniq -c | sort -rn | head -20 >&2
fi
[ -n "$grew" ] && echo "soak: grew:$grew" >&2
[ -z "$grew" ] && [ "$fail" = 0 ] && [ ! -s "$LOG" ]
