#!/bin/bash
# Cost of the terminal UI: CPU time and memory of `berth` (the TUI) watching
# N containers at a 1 s refresh for D seconds, against htop and top doing
# their own job at the same refresh, on the same host, in the same run.
# Each runs alone in a private tmux server at 160x50 after a 3 s warm-up.
# Root only.  Environment: TUI_BENCH_CONTAINERS (50), TUI_BENCH_SECONDS (20).
set -u
N=${TUI_BENCH_CONTAINERS:-50}
D=${TUI_BENCH_SECONDS:-20}
BERTH=${BERTH_BIN:-$PWD/build/berth}
[ "$(id -u)" = 0 ] || { echo "bench tui: needs root; skipped"; exit 0; }
command -v tmux >/dev/null || { echo "bench tui: needs tmux (scripts/deps.sh)"; exit 1; }
if ! command -v htop >/dev/null; then
	apt-get install -y -q htop >/dev/null 2>&1 || echo "bench tui: htop not installable; compared with top only"
fi

root=$(mktemp -d /tmp/berth-bench-tui.XXXXXX)
sock="berth-bench-tui-$$"
made=()
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # tmux leaves it behind
	for c in "${made[@]}"; do "$BERTH" --root "$root" rm -f "$c" >/dev/null 2>&1; done
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BERTH" --root "$root" image demo -q || exit 1
for i in $(seq "$N"); do
	"$BERTH" --root "$root" run -d --name "c$i" demo sleep 100000 >/dev/null || exit 1
	made+=("c$i")
done

ticks() { # utime + stime of a pid, in clock ticks
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# measure NAME COMMAND: prints "NAME CPU% RSS_KiB"
measure() {
	local name=$1
	shift
	tmux -L "$sock" new-session -d -s "$name" -x 160 -y 50 "exec $*"
	local pid
	pid=$(tmux -L "$sock" display -p -t "$name" '#{pane_pid}')
	sleep 3
	local t0 t1 hz rss
	t0=$(ticks "$pid")
	sleep "$D"
	t1=$(ticks "$pid")
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	hz=$(getconf CLK_TCK)
	tmux -L "$sock" kill-session -t "$name"
	awk -v n="$name" -v a="$t0" -v b="$t1" -v hz="$hz" -v d="$D" -v r="$rss" \
		'BEGIN { printf "%s %.3f %d\n", n, 100 * (b - a) / hz / d, r }'
}

echo "watching $N containers, 1 s refresh, ${D} s each"
results=$(
	measure berth "$BERTH --root $root --delay 1"
	command -v htop >/dev/null && measure htop "htop -d 10"
	measure top "top -d 1"
)
echo "$results" | awk '{ printf "  %-6s %6.2f%% of one CPU   RSS %6.1f MiB\n", $1, $2, $3 / 1024 }'
echo "$results" | awk '
	{ cpu[$1] = $2; rss[$1] = $3 }
	END {
		for (p in cpu) if (p != "berth" && cpu[p] > 0)
			printf "  berth/%s: CPU %.2f, RSS %.2f\n", p, cpu["berth"] / cpu[p], rss["berth"] / rss[p]
	}'
