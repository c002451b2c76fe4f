#!/bin/bash
# Stress: CLIENTS clients for SECONDS seconds on 2 containers, each client
# picking start, stop, snapshot, rollback or exec at random.  Commands may
# fail (busy, not running, already running), but every failure must be one
# clear line on stderr with exit status 125 (or the container's own code
# for exec), never a crash, a signal or a lost work directory; afterwards
# every record in the root must parse and every container must inspect.
#   bench/stress.sh [CLIENTS [SECONDS]]    (default 8 clients, 60 s)
set -u
CLIENTS=${1:-8}
SECONDS_RUN=${2:-60}
BERTH=${BERTH_BIN:-$PWD/build/berth}
ROOT=$(mktemp -d /tmp/berth-test-XXXXXX)
OUT=$(mktemp -d /tmp/berth-stress-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in st1 st2; do "$BERTH" --root "$ROOT" rm -f "$c" >/dev/null 2>&1; done
	grep " $ROOT" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	[ -n "${KEEP:-}" ] && { echo "kept $OUT"; rm -rf "$ROOT"; return; }
	rm -rf "$ROOT" "$OUT"
}
trap cleanup EXIT
b() { "$BERTH" --root "$ROOT" "$@"; }

b image demo -q >/dev/null || exit 1
for c in st1 st2; do b run -d --name "$c" demo sleep 100000 >/dev/null || exit 1; done
b snapshot st1 base >/dev/null && b snapshot st2 base >/dev/null || exit 1

client() {
	local k=$1 end=$(($(date +%s) + SECONDS_RUN)) n=0 c op rc
	local ops=(start stop snapshot rollback exec exec)
	while [ "$(date +%s)" -lt "$end" ]; do
		c=st$((RANDOM % 2 + 1))
		op=${ops[$((RANDOM % ${#ops[@]}))]}
		case $op in
		start) b start "$c" ;;
		stop) b stop -t 1 "$c" ;;
		snapshot) b snapshot "$c" ;;
		rollback) b rollback --restart "$c" base ;;
		exec) b exec "$c" sh -c 'echo x > /tmp/x; cat /tmp/x' ;;
		esac >/dev/null 2>"$OUT/err.$k.$n"
		rc=$?
		echo "$op $rc $(wc -l <"$OUT/err.$k.$n")" >>"$OUT/log.$k"
		[ "$rc" = 0 ] && rm -f "$OUT/err.$k.$n"
		n=$((n + 1))
	done
}
for k in $(seq 1 "$CLIENTS"); do
	client "$k" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
pids=()

total=$(cat "$OUT"/log.* | wc -l)
ok=$(awk '$2 == 0' "$OUT"/log.* | wc -l)
# A bad failure: berth's own (exit 125) not in exactly one line, any other
# status except exec's (the command's own, or 137/143 when a stop killed
# it, as docker), or a message of the lost-work-directory kind.
bad=$(awk '$2 != 0 && !($2 == 125 && $3 == 1) && !($1 == "exec" && ($2 < 125 || $2 == 137 || $2 == 143) && $3 == 0)' "$OUT"/log.* | wc -l)
lost=$(cat "$OUT"/err.* 2>/dev/null | grep -c '/tmp/[0-9a-f]*/.*No such file')
crash=$(cat "$OUT"/err.* 2>/dev/null | grep -ciE 'sanitizer|segmentation|abort|assert')
echo "stress: $CLIENTS clients, ${SECONDS_RUN} s, 2 containers: $total commands, $ok succeeded"
echo "failures by message:"
cat "$OUT"/err.* 2>/dev/null | sed -E 's/s[0-9a-f-]*snap-[0-9]+/SNAP/g; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -15
# Every JSON record of the root parses; every container inspects.
badjson=0
while IFS= read -r -d '' f; do
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null || {
		echo "unparsable record: $f"
		badjson=$((badjson + 1))
	}
done < <(find "$ROOT" -path "$ROOT/layers/*/diff" -prune -o -path '*/upper' -prune -o \
	-path '*/merged' -prune -o -name '*.json' -type f -print0)
insp=0
for c in st1 st2; do b inspect "$c" >/dev/null || insp=$((insp + 1)); done
b ps -a >/dev/null || insp=$((insp + 1))
echo "bad failures: $bad, lost work directories: $lost, crashes: $crash," \
	"unparsable records: $badjson, failed inspects: $insp"
[ "$bad" = 0 ] && [ "$lost" = 0 ] && [ "$crash" = 0 ] && [ "$badjson" = 0 ] && [ "$insp" = 0 ]
