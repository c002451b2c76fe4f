#!/bin/bash
# Builds the guest's initramfs for scripts/v2/run.sh: busybox-static, the
# berth binary, the test programs given, the source files the tests read
# (fixtures, themes, scripts, bench), the host tools they call that busybox
# lacks (bash, comm, flock, tmux, GNU du and mktemp), every library `ldd` names, an ld.so.cache,
# and the overlay module (with what it depends on) from the kernel tree.
#   usage: scripts/v2/mkinitramfs.sh OUT.cpio.gz KERNEL_ROOT BERTH_BIN TEST...
set -euo pipefail
out=$1 kroot=$2 berth=$3
shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/berth-v2-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Modules the guest loads at boot: overlay is what berth needs, virtio_blk
# the disk its /tmp is on; the rest serve network tests.
MODULES="overlay virtio_pci virtio_blk veth bridge"
# Host tools the tests call that busybox does not have (or not well
# enough: run-tests.sh and bench/*.sh are bash scripts).  A missing one is
# left out; the tests that need it skip.
TOOLS="bash comm flock tmux du mktemp ldd script"

libs_of() { ldd "$1" 2>/dev/null | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'; }

# Copies a host file to the same path in the stage (following links).
put() { mkdir -p "$stage$(dirname "$2")" && cp -L "$1" "$stage$2"; }

# An ELF with every library it names, at their host paths.
put_elf() {
	put "$1" "$2"
	local lib
	for lib in $(libs_of "$1"); do
		[ -e "$stage$lib" ] || put "$lib" "$lib"
	done
}

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,lib/modules}
put /bin/busybox /bin/busybox
ln -s busybox "$stage/bin/sh"
cp "$src/scripts/v2/init.sh" "$stage/init"
chmod 0755 "$stage/init"

# berth's tree as the tests expect it: /berth with build/berth, the test
# programs under build/tests/integration, and the source files they read.
put_elf "$berth" /berth/build/berth
# The programs to run, in order, for the guest's init.
for t in "$@"; do
	put_elf "$t" "/berth/build/tests/integration/$(basename "$t")"
	echo "build/tests/integration/$(basename "$t")" >>"$stage/berth/v2-tests"
done
(cd "$src" && git ls-files -z -co --exclude-standard -- tests/fixtures themes scripts bench 2>/dev/null ||
	find tests/fixtures themes scripts bench -type f -print0) |
	(cd "$src" && cpio -0 -pdm --quiet "$stage/berth")
# Libraries berth loads with dlopen on first use (libarchive, libnftables,
# libcurl, libmicrohttpd): ldd of the programs does not name them all.
for name in libarchive.so.13 libnftables.so.1 libcurl.so.4 libmicrohttpd.so.12; do
	for l in $(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ {print $NF; exit}'); do
		put_elf "$l" "$l"
	done
done

for tool in $TOOLS; do
	p=$(command -v "$tool" || true)
	[ -n "$p" ] && put_elf "$p" "/usr/bin/$tool" && ln -sf "/usr/bin/$tool" "$stage/bin/$tool"
done
# Terminal descriptions for tmux and the TUI tests.
for ti in t/tmux-256color t/tmux s/screen s/screen-256color v/vt100 x/xterm x/xterm-256color \
	l/linux d/dumb; do
	for d in /usr/share/terminfo /lib/terminfo; do
		[ -e "$d/$ti" ] && put "$d/$ti" "/usr/share/terminfo/$ti" && break
	done
done

# The UTF-8 locale (tmux wants one; the TUI draws Unicode in it).
[ -d /usr/lib/locale/C.utf8 ] && mkdir -p "$stage/usr/lib/locale" &&
	cp -a /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"

# Kernel modules and their dependencies (from each .ko's modinfo section).
rel=$(basename "$(ls -d "$kroot"/lib/modules/*/ | head -n1)")
mdir="$kroot/lib/modules/$rel"
mod_deps() { grep -a -o 'depends=[a-z0-9_,-]*' "$1" | head -n1 | cut -d= -f2 | tr ',' ' '; }
order=""
add_mod() {
	local name=$1 ko dep
	case " $order " in *" $name "*) return ;; esac
	ko=$(find "$mdir/kernel" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n1)
	[ -n "$ko" ] || return 0
	for dep in $(mod_deps "$ko"); do add_mod "$dep"; done
	cp "$ko" "$stage/lib/modules/"
	order="$order $name"
}
for m in $MODULES; do add_mod "$m"; done
echo "$order" >"$stage/lib/modules/order"

cat >"$stage/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$stage/etc/group" <<'GR'
root:x:0:
tty:x:5:
nogroup:x:65534:
GR
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"
echo berth-v2 >"$stage/etc/hostname"
touch "$stage/etc/ld.so.conf"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$stage/etc/ld.so.conf"
ldconfig -r "$stage"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
