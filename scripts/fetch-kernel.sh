#!/bin/sh
# Fetches Debian's cloud kernel (the versioned package linux-image-cloud-amd64
# depends on) with `apt-get download` and unpacks it with `dpkg-deb -x` into a
# cache folder; nothing is installed on the host.  Prints the folder, which
# holds boot/vmlinuz-* and lib/modules/<release>/.  A second call reuses it.
#   usage: scripts/fetch-kernel.sh [CACHE_DIR]   (default: build/kernel)
set -eu
cache=${1:-${BERTH_KERNEL_CACHE:-build/kernel}}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
if ls "$cache"/root/boot/vmlinuz-* >/dev/null 2>&1; then
	echo "$cache/root"
	exit 0
fi
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
	apt-get update -q >&2 || true
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$pkg" ] || { echo "fetch-kernel: no linux-image-cloud-amd64 in the apt lists" >&2; exit 1; }
tmp=$(mktemp -d "$cache/dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" >&2)
deb=$(ls "$tmp"/*.deb)
dpkg-deb -x "$deb" "$tmp/root"
rm -rf "$cache/root"
mv "$tmp/root" "$cache/root"
echo "$cache/root"
