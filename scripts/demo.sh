#!/bin/sh
# `make demo`: the demo image plus three small containers to watch (made
# once; started again when stopped), then the terminal UI.
#   demo-web     busybox httpd, 64 MiB memory limit, a snapshot "fresh",
#                on a bridge with port 8080 published on a free host port
#                (`berth port demo-web` prints it)
#   demo-ticker  prints a numbered line every second (for the log pager)
#   demo-busy    a busy loop held to a tenth of a CPU (throttling shows)
# BERTH_ROOT or --root is honoured as everywhere; stop them with
# `berth stop demo-web demo-ticker demo-busy`, remove with `berth rm -f`.
set -eu
BERTH=${BERTH:-build/berth}
"$BERTH" image demo -q 2>/dev/null || "$BERTH" image demo
have() { "$BERTH" inspect "$1" >/dev/null 2>&1; }
if ! have demo-web; then
	"$BERTH" create --name demo-web --memory 64m --pids-limit 64 --net bridge -p 8080 demo \
		httpd -f -p 8080 -h /etc >/dev/null
	"$BERTH" snapshot demo-web fresh >/dev/null
fi
have demo-ticker || "$BERTH" create --name demo-ticker demo \
	sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 1; done' >/dev/null
have demo-busy || "$BERTH" create --name demo-busy --cpus 0.1 demo \
	sh -c 'while :; do :; done' >/dev/null
for c in demo-web demo-ticker demo-busy; do
	"$BERTH" start "$c" >/dev/null 2>&1 || true
done
exec "$BERTH"
