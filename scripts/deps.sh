#!/bin/sh
# Installs the Debian packages berth needs to build and test, if any is
# missing.  As root it runs apt-get (one `apt-get update` first); otherwise it
# prints the exact command and fails.  BERTH_DEPS_EXTRA adds packages.
set -eu

PACKAGES="build-essential pkg-config libncurses-dev libcgroup-dev libjansson-dev
libcmocka-dev libarchive-dev libseccomp-dev libcap-dev busybox-static tmux
qemu-system-x86 crun hyperfine zstd bzip2 xz-utils clang-format clang procps nettle-dev gettext locales
zlib1g-dev libcurl4-openssl-dev docker-registry skopeo podman runc apache2-utils openssl
libnl-route-3-dev libnftables-dev nftables iproute2 iperf3 curl
libfuzzer-14-dev libclang-rt-14-dev
prometheus libmicrohttpd-dev systemd-container openssh-server openssh-client
${BERTH_DEPS_EXTRA:-}"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "berth: missing packages:$missing" >&2
	echo "berth: run as root: apt-get update && $cmd" >&2
	exit 1
fi
echo "berth: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
