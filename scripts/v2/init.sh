#!/bin/sh
# The guest's init for scripts/v2/run.sh (busybox sh, PID 1).
# Stage 1, on the initramfs: copies itself into a tmpfs and switch_roots
# there, since berth pivot_roots and the initramfs's rootfs cannot be.
# Stage 2: mounts what a normal pure cgroup v2 host has (cgroup2 alone at
# /sys/fs/cgroup, with cpu io memory pids enabled in the root as systemd
# does, and init in a leaf group of its own), loads the modules, runs the
# test programs listed in /berth/v2-tests through scripts/run-tests.sh,
# and powers off.  The last lines on the console are
# run-tests.sh's "N passed, N failed" and "berth-v2: exit CODE".
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

if [ "$1" != stage2 ]; then
	/bin/busybox --install -s /bin
	mkdir -p /newroot /proc
	mount -t tmpfs -o mode=0755 root /newroot
	for d in /*; do
		case "$d" in /newroot | /proc | /sys | /dev) continue ;; esac
		cp -a "$d" /newroot/
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	exec switch_root /newroot /init stage2
	echo "berth-v2: switch_root failed"
	poweroff -f
fi

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko" 2>/dev/null || echo "berth-v2: no module $m"
done
# /tmp (where every test root lives) on the ext4 disk run.sh made, as a
# state root sits on a disk filesystem; tmpfs if there is none.
for _ in $(seq 1 50); do
	[ -b /dev/vda ] && break
	sleep 0.1
done
mount -t ext4 -o nosuid,nodev /dev/vda /tmp 2>/dev/null ||
	mount -t tmpfs -o nosuid,nodev tmpfs /tmp
chmod 1777 /tmp
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 /sys/fs/cgroup
hostname "$(cat /etc/hostname)"
ip link set lo up

# What a systemd host has: controllers on in the root, processes in leaves.
for c in cpu io memory pids; do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
		echo "berth-v2: controller $c not available"
done
mkdir -p /sys/fs/cgroup/init.scope
echo $$ >/sys/fs/cgroup/init.scope/cgroup.procs

echo "berth-v2: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"
echo "berth-v2: mounts: $(awk '$2 ~ /^\/(sys\/fs\/cgroup|proc|sys|dev|dev\/pts|run|tmp)$/ {printf "%s(%s) ", $2, $3}' /proc/self/mounts)"
echo "berth-v2: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "berth-v2: cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

export HOME=/root LANG=C.UTF-8 TERM=dumb TMPDIR=/tmp
export BUILD=build BERTH_SRC=/berth BERTH_BIN=/berth/build/berth
cd /berth || poweroff -f
set --
while read -r t; do set -- "$@" "$t"; done <v2-tests
start=$(cut -d. -f1 /proc/uptime)
bash scripts/run-tests.sh "$@" </dev/null 2>&1
code=$?
echo "berth-v2: $(($(cut -d. -f1 /proc/uptime) - start)) s in the guest"
echo "berth-v2: exit $code"
sync
poweroff -f
