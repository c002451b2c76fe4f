#!/bin/bash
# Container start vs VM boot, to the first output of the same program
# (busybox `echo`, the demo image in both forms), and the memory each holds
# at rest (a container's cgroup usage; qemu's RSS and its cgroup's usage),
# three runs each in one root.  Ratios are VM / container, measured in the
# same run.  BERTH_VM_ACCEL=kvm|tcg forces the accelerator (default: probe).
#   bench/vm.sh [RUNS]
set -u
RUNS=${1:-3}
BERTH=${BERTH_BIN:-$PWD/build/berth}
SRC=${BERTH_SRC:-$PWD}
ROOT=$(mktemp -d /tmp/berth-test-XXXXXX)
B() { "$BERTH" --root "$ROOT" "$@"; }

cleanup() {
	for f in "$ROOT"/run/vms/*.json; do
		[ -f "$f" ] || continue
		for k in qemu_pid keeper_pid; do
			p=$(sed -n "s/.*\"$k\": *\([0-9]*\).*/\1/p" "$f")
			[ -n "$p" ] && kill -9 "$p" 2>/dev/null
		done
	done
	B rm -f ct-rest >/dev/null 2>&1
	B vm rm -f vm-rest >/dev/null 2>&1
	grep " $ROOT" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$ROOT"
}
trap cleanup EXIT

kdir=$(cd "$SRC" && scripts/fetch-kernel.sh build/kernel) || exit 1
B image demo >/dev/null || exit 1
B vm image demo --kernel-dir "$kdir" >/dev/null || exit 1
B vm probe

ms() { echo $(($(date +%s%N) / 1000000)); }
# Time from the command to its first line of output.
first_line_ms() {
	local t0 t1
	t0=$(ms)
	"$@" | { read -r _; t1=$(ms); echo $((t1 - t0)); cat >/dev/null; }
}
cgroup_mem() { # kind name: bytes charged to its cgroup
	local d
	for d in /sys/fs/cgroup/memory/berth-*"$1"/"$2" /sys/fs/cgroup/berth-*"$1"/"$2"; do
		[ -f "$d/memory.usage_in_bytes" ] && { cat "$d/memory.usage_in_bytes"; return; }
		[ -f "$d/memory.current" ] && { cat "$d/memory.current"; return; }
	done
	echo 0
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

printf '%-4s %14s %14s %8s %14s %14s %14s %8s\n' run "ct start ms" "vm boot ms" ratio \
	"ct mem MiB" "qemu RSS MiB" "vm cg MiB" ratio
for i in $(seq 1 "$RUNS"); do
	c=$(first_line_ms B run --rm demo echo hi)
	v=$(first_line_ms B vm run --rm demo echo hi)
	B run -d --name ct-rest demo sleep 100000 >/dev/null
	B vm run -d --name vm-rest demo >/dev/null
	# At rest: the guest has booted to its shell and idles.
	for _ in $(seq 1 120); do grep -q 'berth-start' "$ROOT/vms/vm-rest/serial.log" 2>/dev/null && break; sleep 0.5; done
	sleep 2
	cm=$(cgroup_mem "" ct-rest)
	qpid=$(B vm inspect vm-rest | sed -n 's/.*"qemu_pid": *\([0-9]*\).*/\1/p')
	rss=$(($(awk '/^VmRSS:/ {print $2}' "/proc/$qpid/status") * 1024))
	vm=$(cgroup_mem "-vm" vm-rest)
	printf '%-4s %14s %14s %8s %14s %14s %14s %8s\n' "$i" "$c" "$v" \
		"$(awk -v a="$v" -v b="$c" 'BEGIN { printf "%.0fx", a / (b ? b : 1) }')" \
		"$(mib "$cm")" "$(mib "$rss")" "$(mib "$vm")" \
		"$(awk -v a="$vm" -v b="$cm" 'BEGIN { printf "%.0fx", a / (b ? b : 1) }')"
	B rm -f ct-rest >/dev/null
	B vm rm -f vm-rest >/dev/null
done
