/* Replaying a recording (`berth record FILE[.gz]`): every stream line read
 * once into frames of samples, then items rebuilt as the monitor built
 * them (be_item_advance: history rings, prev/cur and the same marks) up to
 * the frame asked for.  One step forward advances the items by one frame;
 * any other move rebuilds them from the first frame, so marks and rings are
 * exactly those of a live monitor that had watched until then. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jansson.h>

#include "berth.h"
#include "be_metrics.h"
#include "base/util.h"
#include "stats/stats.h"

#define REPLAY_CPUS 1024

/* One item's sample in one frame. */
struct entry {
	uint32_t key; /* index into keys */
	bool is_vm;
	struct be_vm_info vm;
	uint64_t start_time_unix;
	struct be_sample s;
};

struct frame {
	int64_t time_ms;
	struct be_host host;
	double *each;    /* host.cpu_percent_each's storage */
	size_t first, n; /* its entries */
};

/* An item as replayed: identity from the recording, state rebuilt. */
struct key {
	struct be_item it;
	uint64_t frame; /* last frame it was in, plus one (0: never) */
};

struct be_replay {
	char host_name[256];
	struct frame *frames;
	size_t nframes, cap_frames;
	struct entry *entries;
	size_t nentries, cap_entries;
	struct key *keys;
	size_t nkeys, cap_keys;
	size_t pos; /* the frame the items show; SIZE_MAX before the first seek */
	const struct be_item **shown;
};

static uint32_t key_of(struct be_replay *r, const struct be_item *it)
{
	for (size_t i = 0; i < r->nkeys; i++) {
		const struct be_item *k = &r->keys[i].it;
		if (k->kind == it->kind && strcmp(k->id, it->id) == 0 &&
		    strcmp(k->name, it->name) == 0)
			return (uint32_t)i;
	}
	if (r->nkeys == r->cap_keys) {
		r->cap_keys = r->cap_keys ? 2 * r->cap_keys : 16;
		r->keys = xrealloc(r->keys, r->cap_keys * sizeof(*r->keys));
	}
	struct key *k = &r->keys[r->nkeys];
	memset(k, 0, sizeof(*k));
	k->it = *it;
	memset(&k->it.cur, 0, sizeof(k->it.cur));
	return (uint32_t)r->nkeys++;
}

static void add_entry(struct be_replay *r, const struct be_item *it)
{
	if (r->nentries == r->cap_entries) {
		r->cap_entries = r->cap_entries ? 2 * r->cap_entries : 64;
		r->entries = xrealloc(r->entries, r->cap_entries * sizeof(*r->entries));
	}
	r->entries[r->nentries++] = (struct entry){
	        .key = key_of(r, it),
	        .is_vm = it->is_vm,
	        .vm = it->vm,
	        .start_time_unix = it->start_time_unix,
	        .s = it->cur,
	};
}

/* One stream line into a frame; -1 with a reason in why. */
static int parse_line(struct be_replay *r, const char *line, char *why, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr);
	int rc = -1;
	const json_t *v = json_object_get(o, "v");
	if (o == NULL) {
		snprintf(why, len, "not JSON (%s)", jerr.text);
	} else if (!json_is_integer(v) || json_integer_value(v) != 1) {
		snprintf(why, len, "not a version 1 stream line (\"v\": 1)");
	} else if (!json_is_integer(json_object_get(o, "time_unix_ms")) ||
	           !json_is_array(json_object_get(o, "items"))) {
		snprintf(why, len, "no time_unix_ms or items");
	} else {
		if (r->nframes == r->cap_frames) {
			r->cap_frames = r->cap_frames ? 2 * r->cap_frames : 64;
			r->frames = xrealloc(r->frames, r->cap_frames * sizeof(*r->frames));
		}
		struct frame *f = &r->frames[r->nframes++];
		memset(f, 0, sizeof(*f));
		f->time_ms = json_integer_value(json_object_get(o, "time_unix_ms"));
		f->each = xcalloc(REPLAY_CPUS, sizeof(double));
		stats_host_from_json(json_object_get(o, "host"), &f->host, f->each, REPLAY_CPUS);
		f->host.time_ns = (uint64_t)f->time_ms * 1000000u;
		const char *hn = json_string_value(json_object_get(o, "host_name"));
		if (hn && !r->host_name[0])
			snprintf(r->host_name, sizeof(r->host_name), "%s", hn);
		f->first = r->nentries;
		size_t i;
		json_t *jit;
		struct be_item it;
		json_array_foreach(json_object_get(o, "items"), i, jit)
		{
			if (stats_item_from_json(jit, &it) == 0) {
				it.cur.time_ns = (uint64_t)f->time_ms * 1000000u;
				add_entry(r, &it);
			}
		}
		f->n = r->nentries - f->first;
		rc = 0;
	}
	json_decref(o);
	return rc;
}

/* The next line of gz into *buf (without its newline); 0 at the end, 1 for
 * a line, 2 for a last line cut short (no newline). */
static int read_line(gzFile gz, char **buf, size_t *cap)
{
	size_t n = 0;
	for (;;) {
		if (*cap - n < 4096) {
			*cap = *cap * 2 + 4096;
			*buf = xrealloc(*buf, *cap);
		}
		if (gzgets(gz, *buf + n, (int)(*cap - n)) == NULL)
			return n ? 2 : 0;
		n += strlen(*buf + n);
		if (n && (*buf)[n - 1] == '\n') {
			(*buf)[n - 1] = '\0';
			return 1;
		}
	}
}

static int read_all(struct be_replay *r, gzFile gz, const char *path, struct be_error **err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 0;
	int kind;
	for (unsigned long no = 1; (kind = read_line(gz, &buf, &cap)) != 0; no++) {
		char why[200];
		if (buf[strspn(buf, " \t\r")] == '\0')
			continue;
		/* A recording cut by a crash ends in half a line: the rest plays. */
		if (parse_line(r, buf, why, sizeof(why)) < 0 && kind != 2)
			return be_error_set(err, EINVAL, "recording %s, line %lu: %s", path, no,
			                    why);
	}
	int zerr = Z_OK;
	const char *msg = gzerror(gz, &zerr);
	if (zerr != Z_OK && zerr != Z_BUF_ERROR)
		return be_error_set(err, zerr == Z_ERRNO ? errno : EIO, "reading recording %s: %s",
		                    path, msg);
	if (r->nframes == 0)
		return be_error_set(err, EINVAL, "recording %s holds no samples", path);
	return 0;
}

int be_replay_open(const char *path, struct be_replay **out, struct be_error **err)
{
	/* gzopen reads a plain file as it is. */
	gzFile gz = gzopen(path, "rb");
	if (gz == NULL)
		return be_error_set(err, errno ? errno : ENOMEM, "opening recording %s", path);
	struct be_replay *r = xcalloc(1, sizeof(*r));
	r->pos = SIZE_MAX;
	int rc = read_all(r, gz, path, err);
	gzclose(gz);
	if (rc < 0) {
		be_replay_free(r);
		return -1;
	}
	size_t most = 1;
	for (size_t i = 0; i < r->nframes; i++)
		most = r->frames[i].n > most ? r->frames[i].n : most;
	r->shown = xcalloc(most, sizeof(*r->shown));
	be_replay_seek(r, 0);
	*out = r;
	return 0;
}

void be_replay_free(struct be_replay *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nframes; i++)
		free(r->frames[i].each);
	free(r->frames);
	free(r->entries);
	free(r->keys);
	free(r->shown);
	free(r);
}

/* Items of frame i take its samples; those absent are gone (a monitor
 * drops them, and one that comes back starts afresh). */
static void advance(struct be_replay *r, size_t i)
{
	const struct frame *f = &r->frames[i];
	for (size_t e = f->first; e < f->first + f->n; e++) {
		const struct entry *en = &r->entries[e];
		struct key *k = &r->keys[en->key];
		if (k->frame == 0 || k->frame != i) { /* not in the frame before: new */
			struct be_item id = k->it;
			memset(&k->it, 0, sizeof(k->it));
			memcpy(&k->it, &id, offsetof(struct be_item, pids));
			memcpy(k->it.root, id.root, sizeof(k->it.root));
			k->it.first_seen_ns = (uint64_t)f->time_ms * 1000000u;
		}
		k->it.is_vm = en->is_vm;
		k->it.vm = en->vm;
		k->it.start_time_unix = en->start_time_unix;
		be_item_advance(&k->it, &en->s, f->time_ms * 1000000);
		k->frame = i + 1;
	}
}

size_t be_replay_seek(struct be_replay *r, size_t i)
{
	if (i >= r->nframes)
		i = r->nframes - 1;
	if (r->pos != SIZE_MAX && i == r->pos + 1) {
		advance(r, i);
	} else if (i != r->pos) {
		for (size_t k = 0; k < r->nkeys; k++)
			r->keys[k].frame = 0;
		for (size_t j = 0; j <= i; j++)
			advance(r, j);
	}
	r->pos = i;
	return i;
}

size_t be_replay_frames(const struct be_replay *r)
{
	return r->nframes;
}

size_t be_replay_pos(const struct be_replay *r)
{
	return r->pos;
}

int64_t be_replay_time_ms(const struct be_replay *r, size_t i)
{
	return i < r->nframes ? r->frames[i].time_ms : 0;
}

const char *be_replay_host_name(const struct be_replay *r)
{
	return r->host_name;
}

const struct be_host *be_replay_host(const struct be_replay *r)
{
	return &r->frames[r->pos].host;
}

size_t be_replay_items(struct be_replay *r, const struct be_item *const **out)
{
	const struct frame *f = &r->frames[r->pos];
	for (size_t e = 0; e < f->n; e++)
		r->shown[e] = &r->keys[r->entries[f->first + e].key].it;
	*out = r->shown;
	return f->n;
}
