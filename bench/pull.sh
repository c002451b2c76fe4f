#!/bin/bash
# Pull: a 5-layer image of ~100 MB (each layer half random, half
# compressible text) from Debian's docker-registry on loopback, pulled by
# berth (a fresh root each run), `skopeo copy docker://... oci:DIR` and
# `podman pull` (a fresh private overlay store each run), in the same run;
# prints each run's wall and CPU seconds and the ratios to the peers.
# Goal (issue 12): berth <= 0.8x podman's wall time.
#   bench/pull.sh [RUNS]      (default 3)
set -u
RUNS=${1:-3}
BERTH=${BERTH_BIN:-$PWD/build/berth}
for t in docker-registry skopeo podman; do
	command -v "$t" >/dev/null || { echo "pull: skipped, $t missing"; exit 0; }
done
W=$(mktemp -d /tmp/berth-test-XXXXXX)
REG_PID=""
cleanup() {
	[ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
	for d in "$W"/pod*; do
		[ -d "$d" ] && podman --root "$d/root" --runroot "$d/run" rmi -a -f >/dev/null 2>&1
	done
	grep " $W" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REF=127.0.0.1:$PORT/bench/big:1
cat >"$W/reg.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $W/storage}}
http: {addr: 127.0.0.1:$PORT}
EOF
docker-registry serve "$W/reg.yml" >"$W/reg.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

# The image: 5 layers of 10 MB random + 10 MB of base64 text in 20 files.
mkdir -p "$W/img"
diffs=""
layers=""
for l in 1 2 3 4 5; do
	d=$W/l$l
	mkdir -p "$d/data$l"
	for f in $(seq 10); do
		head -c 1M /dev/urandom >"$d/data$l/rand$f"
		head -c 768K /dev/urandom | base64 >"$d/data$l/text$f"
	done
	tar -C "$d" -cf "$W/img/l$l.tar" .
	diffs="$diffs${diffs:+,}\"sha256:$(sha256sum "$W/img/l$l.tar" | cut -c1-64)\""
	layers="$layers${layers:+,}\"l$l.tar\""
done
echo "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$diffs]}}" >"$W/img/c.json"
echo "[{\"Config\":\"c.json\",\"RepoTags\":[\"big:1\"],\"Layers\":[$layers]}]" >"$W/img/manifest.json"
tar -C "$W/img" -cf "$W/img.tar" .
# Into the registry through berth (skopeo stores docker-archive layers
# without compressing them): gzip'd layers, as registries usually hold.
"$BERTH" --root "$W/src" image import -q big "$W/img.tar" || exit 1
"$BERTH" --root "$W/src" push -q big "$REF" >/dev/null || exit 1
rm -rf "$W/src"
size=$(du -sb "$W/storage" | cut -f1)
echo "image: 5 layers, $(du -sb "$W/img" | cut -f1) bytes of tar, $size bytes in the registry"

# "WALL USER SYS" of a command.
timed() { /usr/bin/time -f "%e %U %S" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; return 1; }; cat "$W/t"; }

printf "%-4s %22s %22s %22s %10s %10s\n" run "berth wall/cpu s" "skopeo wall/cpu s" "podman wall/cpu s" "b/podman" "b/skopeo"
for r in $(seq "$RUNS"); do
	rm -rf "$W/root" "$W/oci"
	b=$(timed "$BERTH" --root "$W/root" pull -q "$REF") || exit 1
	s=$(timed skopeo copy -q --src-tls-verify=false docker://"$REF" oci:"$W/oci") || exit 1
	p=$(timed podman --root "$W/pod$r/root" --runroot "$W/pod$r/run" --storage-driver overlay \
		pull -q --tls-verify=false "$REF") || exit 1
	podman --root "$W/pod$r/root" --runroot "$W/pod$r/run" rmi -a -f >/dev/null 2>&1
	rm -rf "$W/root" "$W/oci" "$W/pod$r"
	read -r bw bu bs <<<"$b"
	read -r sw su ss <<<"$s"
	read -r pw pu ps <<<"$p"
	awk -v r="$r" -v bw="$bw" -v bc="$(echo "$bu + $bs" | bc)" -v sw="$sw" -v sc="$(echo "$su + $ss" | bc)" \
		-v pw="$pw" -v pc="$(echo "$pu + $ps" | bc)" 'BEGIN {
		printf "%-4s %10.2f / %-9.2f %10.2f / %-9.2f %10.2f / %-9.2f %9.2fx %9.2fx\n",
			r, bw, bc, sw, sc, pw, pc, bw / pw, bw / sw }'
done
