#!/bin/bash
# Runs berth's integration tests on a real pure cgroup v2 kernel: Debian's
# cloud kernel (scripts/fetch-kernel.sh) booted in qemu with an initramfs
# of berth and the test programs (scripts/v2/mkinitramfs.sh) whose init
# (scripts/v2/init.sh) runs them and powers off.  Relays the guest's serial
# console and ends with the summary line "N passed, N failed"; exits 0 only
# when every test program passed.  qemu never outlives this script.
#   usage: scripts/v2/run.sh TEST_PROGRAM...   (paths of built test programs)
# Environment: BUILD (build), BERTH_V2_ACCEL (auto | kvm | tcg),
#   BERTH_V2_TIMEOUT (seconds the guest may run, 2400), BERTH_V2_MEM (MiB,
#   1024), BERTH_V2_SMP (CPUs, 2), BERTH_KERNEL_CACHE (BUILD/kernel).
set -uo pipefail
BUILD=$(realpath -m "${BUILD:-build}")
progs=()
for t in "$@"; do progs+=("$(realpath -m "$t")"); done
set -- "${progs[@]}"
cd "$(dirname "$0")/../.." || exit 1
ACCEL=${BERTH_V2_ACCEL:-auto}
TIMEOUT=${BERTH_V2_TIMEOUT:-2400}
MEM=${BERTH_V2_MEM:-1024}
SMP=${BERTH_V2_SMP:-2}
work=$BUILD/v2
die() {
	echo "test-v2: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}
[ $# -gt 0 ] || die "no test programs given"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (make deps)"
mkdir -p "$work"

kroot=$(scripts/fetch-kernel.sh "${BERTH_KERNEL_CACHE:-$BUILD/kernel}") || die "no kernel"
kernel=$(ls "$kroot"/boot/vmlinuz-* | head -n1)
scripts/v2/mkinitramfs.sh "$work/initramfs.cpio.gz" "$kroot" "$BUILD/berth" "$@" ||
	die "building the initramfs failed"

qpid=""
stop_qemu() { [ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null; qpid=""; }
trap 'stop_qemu; rm -f "$work/tmp.img"' EXIT
trap 'stop_qemu; exit 130' INT TERM

# Boots the kernel with INITRD and ARGS under ACCEL, the console in LOG;
# sets qpid.  --pdeathsig: qemu dies with this script even on SIGKILL.
boot() {
	local accel=$1 initrd=$2 log=$3 args=$4 disk=${5:-} cpu=max
	[ "$accel" = kvm ] && cpu=host
	setpriv --pdeathsig KILL -- qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
		-m "$MEM" -smp "$SMP" -nodefaults -display none -no-reboot \
		-serial "file:$log" -kernel "$kernel" -initrd "$initrd" $disk \
		-append "console=ttyS0 quiet loglevel=2 panic=-1 edd=off no_timer_check cgroup_no_v1=all $args" \
		</dev/null >"$log.qemu" 2>&1 &
	qpid=$!
}

# KVM only where a probe boot reaches init and powers off (nested KVM on
# some hosts hangs early in boot); the answer is kept in BUILD/v2/accel.
probe_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local d=$work/probe
	rm -rf "$d" && mkdir -p "$d/root/bin"
	cp /bin/busybox "$d/root/bin/"
	printf '#!/bin/busybox sh\n/bin/busybox echo berth-probe-ok\n/bin/busybox poweroff -f\n' \
		>"$d/root/init"
	chmod 0755 "$d/root/init"
	(cd "$d/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$d/probe.cpio.gz"
	boot kvm "$d/probe.cpio.gz" "$d/console" ""
	for _ in $(seq 1 150); do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	stop_qemu
	grep -q berth-probe-ok "$d/console"
}
if [ "$ACCEL" = auto ]; then
	if [ -s "$work/accel" ]; then
		ACCEL=$(cat "$work/accel")
	else
		ACCEL=tcg
		# In a subshell of its own: the shell's notice of a crashed
		# qemu is noise here.
		(trap stop_qemu EXIT && probe_kvm) 2>/dev/null && ACCEL=kvm
		echo "$ACCEL" >"$work/accel"
	fi
fi

# A fresh sparse ext4 disk for the guest's /tmp, where the test roots live.
rm -f "$work/tmp.img"
truncate -s 8G "$work/tmp.img" && mkfs.ext4 -q -F "$work/tmp.img" ||
	die "cannot make the guest's disk (mkfs.ext4: e2fsprogs)"
log=$work/console.log
: >"$log"
start=$(date +%s)
boot "$ACCEL" "$work/initramfs.cpio.gz" "$log" "" \
	"-drive file=$work/tmp.img,if=virtio,format=raw,cache=unsafe"
echo "test-v2: $(basename "$kernel") under qemu ($ACCEL, $SMP CPUs, $MEM MiB), $# test programs"
# The summary line is printed once, last, by this script.
tail -n +1 -f --pid="$qpid" "$log" 2>/dev/null |
	sed -u -e 's/\r$//' -e '/^berth-v2: exit /d' -e '/^[0-9]* passed, [0-9]* failed$/d' &
relay=$!
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge "$TIMEOUT" ]; then
		timed_out=1
		stop_qemu
		break
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null
qpid=""
wait "$relay" 2>/dev/null

out=$(tr -d '\r' <"$log")
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
code=$(sed -n 's/^berth-v2: exit \([0-9]*\)$/\1/p' <<<"$out" | tail -n1)
echo "test-v2: $(($(date +%s) - start)) s wall"
if [ "$timed_out" = 1 ]; then
	echo "test-v2: the guest did not finish within $TIMEOUT s: killed" >&2
elif [ -z "$code" ]; then
	echo "test-v2: the guest stopped before the tests ended; qemu said:" >&2
	tail -n 5 "$log.qemu" >&2
fi
if [ -z "$summary" ] || [ "$timed_out" = 1 ] || [ -z "$code" ]; then
	p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$summary")
	f=$(sed -n 's/.* \([0-9]*\) failed$/\1/p' <<<"$summary")
	echo "${p:-0} passed, $((${f:-0} + 1)) failed"
	exit 1
fi
echo "$summary"
[ "$code" = 0 ] && [[ "$summary" == *" 0 failed" ]]
