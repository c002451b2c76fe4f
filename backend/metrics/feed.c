/* A live stream read line by line (`berth stats --stream --json` of a
 * remote berth, over ssh): each line replaces the items and host meters,
 * and each item is advanced as the monitor advances its own (history
 * rings, prev/cur, the same marks), so a remote item's graphs and events
 * look like a local one's.  Unlike a replay nothing is kept but the latest
 * state: memory stays flat however long the stream runs. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "berth.h"
#include "be_metrics.h"
#include "base/util.h"
#include "stats/stats.h"

#define FEED_CPUS 1024

struct feed_key {
	struct be_item it;
	uint64_t line; /* the line it was last in */
};

struct be_feed {
	char host_name[256];
	struct feed_key **keys; /* stable addresses: items are pointed at */
	size_t nkeys, cap;
	const struct be_item **shown;
	size_t nshown;
	struct be_host host;
	double each[FEED_CPUS];
	uint64_t lines;
};

struct be_feed *be_feed_new(void)
{
	return xcalloc(1, sizeof(struct be_feed));
}

void be_feed_free(struct be_feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nkeys; i++)
		free(f->keys[i]);
	free(f->keys);
	free(f->shown);
	free(f);
}

/* The key of it (kind, id and name), made when new. */
static struct feed_key *key_of(struct be_feed *f, const struct be_item *it)
{
	for (size_t i = 0; i < f->nkeys; i++) {
		const struct be_item *k = &f->keys[i]->it;
		if (k->kind == it->kind && strcmp(k->id, it->id) == 0 &&
		    strcmp(k->name, it->name) == 0)
			return f->keys[i];
	}
	if (f->nkeys == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->keys = xrealloc(f->keys, f->cap * sizeof(*f->keys));
		f->shown = xrealloc(f->shown, f->cap * sizeof(*f->shown));
	}
	struct feed_key *k = xcalloc(1, sizeof(*k));
	f->keys[f->nkeys++] = k;
	return k;
}

/* Drops the keys that the last line did not name (a monitor drops them). */
static void drop_gone(struct be_feed *f)
{
	size_t w = 0;
	f->nshown = 0;
	for (size_t i = 0; i < f->nkeys; i++) {
		if (f->keys[i]->line != f->lines) {
			free(f->keys[i]);
			continue;
		}
		f->keys[w++] = f->keys[i];
		f->shown[f->nshown++] = &f->keys[i]->it;
	}
	f->nkeys = w;
}

static void take_item(struct be_feed *f, const json_t *o, int64_t ms)
{
	struct be_item it;
	if (stats_item_from_json(o, &it) < 0)
		return;
	struct feed_key *k = key_of(f, &it);
	if (k->line == f->lines) /* named twice in one line */
		return;
	if (k->line + 1 != f->lines || k->it.samples == 0) { /* new, or back */
		memcpy(&k->it, &it, offsetof(struct be_item, pids));
		memcpy(k->it.root, it.root, sizeof(k->it.root));
		memset(k->it.hist, 0, sizeof(k->it.hist));
		k->it.samples = 0;
		k->it.nmarks = 0;
		k->it.first_seen_ns = (uint64_t)ms * 1000000u;
	}
	k->it.is_vm = it.is_vm;
	k->it.vm = it.vm;
	k->it.start_time_unix = it.start_time_unix;
	it.cur.time_ns = (uint64_t)ms * 1000000u;
	be_item_advance(&k->it, &it.cur, ms * 1000000);
	k->line = f->lines;
}

int be_feed_line(struct be_feed *f, const char *line, struct be_error **err)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr);
	const json_t *v = json_object_get(o, "v"), *items = json_object_get(o, "items");
	const json_t *t = json_object_get(o, "time_unix_ms");
	if (o == NULL || !json_is_integer(v) || json_integer_value(v) != 1 ||
	    !json_is_array(items) || !json_is_integer(t)) {
		json_decref(o);
		return be_error_set(err, EINVAL, "not a version 1 stream line: %.60s", line);
	}
	f->lines++;
	int64_t ms = json_integer_value(t);
	const char *hn = json_string_value(json_object_get(o, "host_name"));
	if (hn)
		snprintf(f->host_name, sizeof(f->host_name), "%s", hn);
	stats_host_from_json(json_object_get(o, "host"), &f->host, f->each, FEED_CPUS);
	f->host.time_ns = (uint64_t)ms * 1000000u;
	size_t i;
	json_t *jit;
	json_array_foreach(items, i, jit)
	{
		take_item(f, jit, ms);
	}
	drop_gone(f);
	json_decref(o);
	return 0;
}

size_t be_feed_items(const struct be_feed *f, const struct be_item *const **out)
{
	*out = f->shown;
	return f->nshown;
}

const struct be_host *be_feed_host(const struct be_feed *f)
{
	return &f->host;
}

const char *be_feed_host_name(const struct be_feed *f)
{
	return f->host_name;
}

uint64_t be_feed_lines(const struct be_feed *f)
{
	return f->lines;
}
