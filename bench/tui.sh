#!/bin/bash
# Cost of the terminal UI at 10, 200 and 1,000 containers: CPU per 1 s
# refresh and resident memory of `berth` (the TUI) against `top -b`, htop
# and systemd-cgtop, all four watching the same host over the same period
# (they run at once, D seconds after a 3 s warm-up).  CPU is each process's
# own run time (/proc/PID/schedstat, ns); htop refreshes every 1 s too.
# The containers are real berth containers (`run -d ... sleep`), made
# two at a time and removed at the end.  Root only.  Environment:
# TUI_BENCH_SIZES ("10 200 1000"), TUI_BENCH_SECONDS (20), TUI_BENCH_REPEAT
# (periods per size, 1).  Every berth container on the host is watched, not
# only these: run it where no other root has many running.
set -u
SIZES=${TUI_BENCH_SIZES:-10 200 1000}
D=${TUI_BENCH_SECONDS:-20}
REPEAT=${TUI_BENCH_REPEAT:-1}
BERTH=${BERTH_BIN:-$PWD/build/berth}
[ "$(id -u)" = 0 ] || { echo "bench tui: needs root; skipped"; exit 0; }
for t in tmux htop systemd-cgtop top; do
	command -v $t >/dev/null || { echo "bench tui: needs $t (scripts/deps.sh)"; exit 1; }
done

root=$(mktemp -d /tmp/berth-bench-tui.XXXXXX)
sock="berth-bench-tui-$$"
made=0
bg=()
cleanup() {
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # tmux leaves it behind
	seq "$made" | xargs -r -P 2 -I{} "$BERTH" --root "$root" rm -f c{} >/dev/null 2>&1
	flock -w 60 "$root/trash" true 2>/dev/null
	for d in /sys/fs/cgroup/*/"$cgp"; do [ -n "${cgp:-}" ] && rmdir "$d" 2>/dev/null; done
	rm -rf "$root"
}
cgp=""
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BERTH" --root "$root" image demo -q || exit 1

grow_to() { # containers c1..cN running
	[ "$1" -le "$made" ] && return
	seq $((made + 1)) "$1" | xargs -P 2 -I{} "$BERTH" --root "$root" run -d --name c{} demo \
		sleep 100000 >/dev/null || exit 1
	made=$1
	cgp=$(sed -nE 's|.*/sys/fs/cgroup/memory/(berth-[0-9a-f]+)/c1".*|\1|p' \
		<("$BERTH" --root "$root" inspect c1) | head -1)
}

runtime_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# One period: the four watchers at once; prints "name ms_per_refresh rss_kib".
measure() {
	tmux -L "$sock" new-session -d -s berth -x 160 -y 50 "exec $BERTH --root $root --delay 1"
	tmux -L "$sock" new-session -d -s htop -x 160 -y 50 "exec htop -d 10"
	top -b -d 1 >/dev/null &
	local top=$!
	systemd-cgtop -b -d 1 -n 1000000 >/dev/null &
	local cgtop=$!
	bg=("$top" "$cgtop")
	local pb ph
	pb=$(tmux -L "$sock" display -p -t berth '#{pane_pid}')
	ph=$(tmux -L "$sock" display -p -t htop '#{pane_pid}')
	sleep 3
	local names=(berth top htop systemd-cgtop) pids=("$pb" "$top" "$ph" "$cgtop") t0=() i
	for i in 0 1 2 3; do t0[i]=$(runtime_ns "${pids[i]}"); done
	sleep "$D"
	for i in 0 1 2 3; do
		echo "${names[i]} $((($(runtime_ns "${pids[i]}") - t0[i]) / 1000 / D)) $(rss_kib "${pids[i]}")"
	done
	kill "$top" "$cgtop" 2>/dev/null
	wait "$top" "$cgtop" 2>/dev/null
	bg=()
	tmux -L "$sock" kill-server 2>/dev/null
}

echo "monitors watching N berth containers, 1 s refresh, ${D} s at once (CPU: ms per refresh)"
printf "  %6s  %-14s %10s %10s\n" N tool "CPU ms" "RSS MiB"
for n in $SIZES; do
	grow_to "$n"
	for _ in $(seq "$REPEAT"); do
		out=$(measure)
		echo "$out" | awk -v n="$n" '{ printf "  %6d  %-14s %10.2f %10.1f\n", n, $1, $2 / 1000, $3 / 1024 }'
		echo "$out" | awk -v n="$n" '
			{ cpu[$1] = $2; rss[$1] = $3 }
			END {
				printf "  %6d  berth/htop: CPU %.2f (goal <= 0.5), RSS %.2f; berth RSS %.1f MiB (goal <= 8), CPU %.1f us a container\n",
					n, cpu["berth"] / cpu["htop"], rss["berth"] / rss["htop"], rss["berth"] / 1024,
					cpu["berth"] / n
			}'
	done
done
