#!/bin/bash
# Runs every benchmark: compiled ones in $BUILD/bench and scripts bench/*.sh.
# Each prints its own figures.  BENCH=name runs one.
set -u
export BERTH_BIN="${BERTH_BIN:-$PWD/${BUILD:-build}/berth}"
export BERTH_SRC="$PWD"
rc=0
for b in "${BUILD:-build}"/bench/* bench/*.sh; do
	[ -x "$b" ] || continue
	case "$b" in *.o | *.d) continue ;; esac
	name=$(basename "$b" .sh)
	[ -n "${BENCH:-}" ] && [ "$BENCH" != "$name" ] && continue
	echo "=== bench $name"
	"$b" || rc=1
done
exit $rc
