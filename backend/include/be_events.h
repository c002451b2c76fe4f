/* What happened to berth's containers, kept in a log under the root
 * (ROOT/events.jsonl, rotated at 1 MiB): create, start, exit (code), oom,
 * update (limits), snapshot, rollback, remove.  `berth events` reads it;
 * the monitor's own marks (be_item.marks: OOM kills, throttling, pids limit
 * reached, limits changed) are seen while something watches. */
#ifndef BE_EVENTS_H
#define BE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct be_ctx;
struct be_error;

struct be_event {
	int64_t time_ns;  /* wall clock */
	char name[65];    /* the container */
	char type[16];    /* "create", "start", "exit", "oom", "update", "snapshot", ... */
	char detail[200]; /* "code 137", "--memory 64m", "snap-1" */
};

/* Events at or after since_ns (0: all), of container name (NULL: all), in
 * order.  Unreadable lines are skipped.  Free *out with free(). */
int be_events_read(struct be_ctx *ctx, int64_t since_ns, const char *name, struct be_event **out,
                   size_t *n, struct be_error **err);
/* "10m", "2h", "30s", "1d" (ago, from now_ns), or unix seconds; -1 with a
 * one-line error on anything else. */
int be_events_parse_since(const char *text, int64_t now_ns, int64_t *out, struct be_error **err);

#endif
