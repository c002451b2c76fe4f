#!/bin/bash
# TCP throughput from the host into a container through a published port
# (-p 127.0.0.1:PORT:5201: kernel DNAT over the root's bridge), against the
# same client talking to an iperf3 server on the host's loopback, in the
# same run.  NET_BENCH_ROUNDS (5, odd) rounds of each, alternated (the
# container first in odd rounds, the host first in even ones); prints each
# figure, the median of each side and their ratio (goal: >= 0.9).
#   bench/net.sh [SECONDS]    (default 5 s per measurement)
# Everything (root, containers, bridge, table) is removed on exit.
set -u
SECS=${1:-5}
ROUNDS=${NET_BENCH_ROUNDS:-5}
BERTH=${BERTH_BIN:-$PWD/build/berth}
ROOT=$(mktemp -d /tmp/berth-test-XXXXXX)
IMG=$(mktemp -d /tmp/berth-netbench-XXXXXX)
HOSTPID=""
CGP=""
command -v iperf3 >/dev/null || { echo "bench/net: iperf3 is not installed" >&2; exit 1; }

cleanup() {
	[ -n "$HOSTPID" ] && kill "$HOSTPID" 2>/dev/null
	"$BERTH" --root "$ROOT" rm -f netbench >/dev/null 2>&1
	for d in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/unified/"$CGP"; do
		[ -n "$CGP" ] && [ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	grep " $ROOT" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ROOT" "$IMG"
}
trap cleanup EXIT

# An image holding iperf3 and the libraries ldd names.
mkdir -p "$IMG/bin" "$IMG/tmp" "$IMG/etc"
cp /bin/busybox "$IMG/bin/busybox"
for a in sh sleep; do ln -s busybox "$IMG/bin/$a"; done
cp "$(command -v iperf3)" "$IMG/bin/iperf3"
for lib in $(ldd "$(command -v iperf3)" | grep -o '/[^ ]*'); do
	mkdir -p "$IMG$(dirname "$lib")"
	cp -L "$lib" "$IMG$lib"
done
echo "root:x:0:0:root:/:/bin/sh" > "$IMG/etc/passwd"
"$BERTH" --root "$ROOT" image import -q netbench "$IMG" >/dev/null || exit 1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
CPORT=$(free_port)
HPORT=$(free_port)
"$BERTH" --root "$ROOT" run -d --name netbench --net bridge -p "127.0.0.1:$CPORT:5201" \
	netbench iperf3 -s >/dev/null || exit 1
CGP=$("$BERTH" --root "$ROOT" inspect netbench |
	sed -nE 's|.*:/sys/fs/cgroup/[^/]+/(berth-[0-9a-f]+)/netbench".*|\1|p' | head -1)
iperf3 -s -p "$HPORT" -B 127.0.0.1 >/dev/null 2>&1 &
HOSTPID=$!

# Waits until a server answers on port $1.
ready() {
	for _ in $(seq 50); do
		timeout 5 iperf3 -c 127.0.0.1 -p "$1" -n 1K >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench/net: no iperf3 server on port $1" >&2
	exit 1
}
ready "$CPORT"
ready "$HPORT"

# Gbit/s of one measurement against port $1.
measure() {
	timeout $((SECS + 30)) iperf3 -c 127.0.0.1 -p "$1" -t "$SECS" -J |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

C=() H=()
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then
		c=$(measure "$CPORT")
		h=$(measure "$HPORT")
	else
		h=$(measure "$HPORT")
		c=$(measure "$CPORT")
	fi
	C+=("$c") H+=("$h")
	printf "round %d: container via -p %6s Gbit/s   host loopback %6s Gbit/s   ratio %.2f\n" \
		"$round" "$c" "$h" "$(echo "$c / $h" | bc -l)"
done
median() { printf "%s\n" "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
mc=$(median "${C[@]}")
mh=$(median "${H[@]}")
printf "median: container %s Gbit/s, host %s Gbit/s, ratio %.2f (goal >= 0.9)\n" \
	"$mc" "$mh" "$(echo "$mc / $mh" | bc -l)"
