/* Layer garbage collection: references are computed on demand (image
 * records, containers' heads, snapshots and intent records, with every
 * ancestor), never counted, so they cannot drift.  Only layers that
 * snapshots and squashes made are collected; image layers are the image
 * store's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal/journal.h"
#include "store/store.h"

struct layer_node {
	char id[BE_LAYER_ID_LEN + 1];
	char parent[BE_LAYER_ID_LEN + 1];
	bool collectable; /* made by a snapshot or a squash, record readable */
	bool used;
};

struct snap_graph {
	struct layer_node *v;
	size_t n;
};

static struct layer_node *node_find(const struct snap_graph *g, const char *id)
{
	size_t lo = 0, hi = g->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->v[mid].id, id);
		if (c == 0)
			return &g->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Marks id and its ancestors used.  A layer made after the listing is not
 * in the graph: its record still leads to its (listed) ancestors. */
static void mark(struct be_ctx *ctx, struct snap_graph *g, const char *start)
{
	char id[BE_LAYER_ID_LEN + 1];
	snprintf(id, sizeof(id), "%s", start);
	for (size_t guard = 0; id[0] && guard <= g->n + 1000; guard++) {
		struct layer_node *nd = node_find(g, id);
		if (nd && nd->used)
			return;
		if (nd) {
			nd->used = true;
			memcpy(id, nd->parent, sizeof(id));
			continue;
		}
		struct be_layer_info li;
		if (layer_load(ctx, id, &li, NULL) < 0)
			return;
		memcpy(id, li.parent, sizeof(id));
	}
}

struct mark_args {
	struct be_ctx *ctx;
	struct snap_graph *g;
};

static void mark_id(const char *id, void *data)
{
	struct mark_args *m = data;
	mark(m->ctx, m->g, id);
}

/* Marks every layer id the file names. */
static void mark_file(struct be_ctx *ctx, struct snap_graph *g, const char *path)
{
	struct mark_args m = {ctx, g};
	layer_ids_in_file(path, mark_id, &m);
}

/* Marks what the *.json files of dir reference; skip_op leaves op.json
 * out (the caller's own operation, finished or undone already). */
static void mark_dir(struct be_ctx *ctx, struct snap_graph *g, const char *dir, bool skip_op)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		if (skip_op && strcmp(de->d_name, "op.json") == 0)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);
		mark_file(ctx, g, p);
	}
}

/* Whether a client holds the lock of container name, read without taking
 * it (taking it, even for an instant, would make that client's own
 * non-waiting lock attempt fail): the lock file names its holder's pid
 * while held (store_lock_take writes it, store_lock_release empties it). */
static bool lock_held(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *path = ctx_run_path(ctx, "locks/container.%s.lock", name);
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	int pid = text ? atoi(text) : 0;
	if (pid <= 0 || pid == (int)getpid())
		return false;
	char proc[64];
	snprintf(proc, sizeof(proc), "%s/%d", ctx->proc_root, pid);
	return util_path_exists(proc);
}

/* Whether container name has an op.json that may make a layer: any but a
 * rollback's, which a rollback leaves for the next command to settle (it
 * makes no layer, and the layers it names are marked as used). */
static bool op_pending(struct be_ctx *ctx, const char *name)
{
	struct snap_op op;
	int has = snap_op_load(ctx, name, &op, NULL);
	return has != 0 && !(has == 1 && op.kind == SNAP_OP_ROLLBACK);
}

/* False when a container other than held is busy, or has an interrupted
 * operation not yet repaired (a layer it made may be found by its repair
 * alone).  Every operation that makes a collectable layer writes its
 * op.json first, and layers are listed before this check: a layer made
 * later is no candidate. */
static bool all_idle(struct be_ctx *ctx, const char *held)
{
	cleanup_free char *cdir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!be_name_valid(de->d_name) || (held && strcmp(de->d_name, held) == 0))
			continue;
		if (op_pending(ctx, de->d_name) || lock_held(ctx, de->d_name))
			return false;
	}
	return true;
}

static void load_graph(struct be_ctx *ctx, char **ids, size_t n, struct snap_graph *g)
{
	g->v = xcalloc(n ? n : 1, sizeof(*g->v));
	g->n = n;
	for (size_t i = 0; i < n; i++) {
		struct layer_node *nd = &g->v[i];
		snprintf(nd->id, sizeof(nd->id), "%s", ids[i]);
		struct be_layer_info li;
		if (layer_load(ctx, ids[i], &li, NULL) < 0)
			continue; /* unreadable: never collected */
		snprintf(nd->parent, sizeof(nd->parent), "%s", li.parent);
		nd->collectable =
		        strcmp(li.origin, "snapshot") == 0 || strcmp(li.origin, "squash") == 0;
	}
}

struct snap_graph *snap_graph_load(struct be_ctx *ctx)
{
	char **ids = NULL;
	size_t n = 0;
	struct snap_graph *g = xcalloc(1, sizeof(*g));
	if (layer_list(ctx, &ids, &n, NULL) == 0)
		load_graph(ctx, ids, n, g);
	layer_chain_free(ids, n);
	return g;
}

bool snap_graph_descends(const struct snap_graph *g, const char *id, const char *anc)
{
	for (size_t guard = 0; id && id[0] && guard <= g->n; guard++) {
		if (strcmp(id, anc) == 0)
			return true;
		const struct layer_node *nd = node_find(g, id);
		id = nd ? nd->parent : NULL;
	}
	return false;
}

void snap_graph_free(struct snap_graph *g)
{
	if (g)
		free(g->v);
	free(g);
}

static void mark_references(struct be_ctx *ctx, struct snap_graph *g, const char *held)
{
	cleanup_free char *images = ctx_path(ctx, "images");
	mark_dir(ctx, g, images, false);
	cleanup_free char *cdir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!be_name_valid(de->d_name))
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", cdir, de->d_name);
		mark_dir(ctx, g, sub, held && strcmp(de->d_name, held) == 0);
	}
}

int journal_gc(struct be_ctx *ctx, const char *held, size_t *removed, struct be_error **err)
{
	if (removed)
		*removed = 0;
	if (ctx->read_only)
		return 0;
	/* Listed first: a layer made after this point is not a candidate. */
	char **ids = NULL;
	size_t n = 0;
	if (layer_list(ctx, &ids, &n, err) < 0)
		return -1;
	int r = 0;
	if (n == 0 || !all_idle(ctx, held))
		goto out;
	struct snap_graph g;
	load_graph(ctx, ids, n, &g);
	mark_references(ctx, &g, held);
	for (size_t i = 0; i < g.n; i++) {
		if (g.v[i].used || !g.v[i].collectable)
			continue;
		util_fault("gc.before_remove");
		struct be_error *e2 = NULL;
		if (layer_remove(ctx, g.v[i].id, &e2) < 0 && e2->errnum != ENOENT) {
			r = be_error_set(err, 0, "collecting unused layers: %s", e2->msg);
			be_error_free(e2);
			break;
		}
		be_error_free(e2);
		if (removed)
			++*removed;
	}
	free(g.v);
out:
	layer_chain_free(ids, n);
	return r;
}
