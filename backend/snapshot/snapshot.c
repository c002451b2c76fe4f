/* Snapshot commands: create (sealing a stopped container's upper, or
 * copying a running one's), list, rollback, remove.  Each takes the
 * container's lock and repairs what a crash left before it starts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal/journal.h"
#include "store/store.h"
#include "container/container.h"
#include "snapshot/snapshot.h"
#include "record/record.h"

int snap_open_locked(struct be_ctx *ctx, const char *name, struct be_lock **lock,
                     struct be_error **err)
{
	if (be_name_check("container", name, err) < 0 ||
	    store_lock_take(ctx, "container", name, lock, err) < 0)
		return -1;
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	rec_config_clear(&cfg);
	return ct_reconcile(ctx, name, err);
}

static int no_snapshot(const char *name, const char *snap, struct be_error **err)
{
	(void)name;
	return be_error_set(err, 0, "no such snapshot: %s", snap);
}

/* The first free "snap-N". */
static void default_name(const struct snap_list *l, char *out)
{
	for (int64_t n = l->next;; n++) {
		snprintf(out, BE_NAME_MAX + 1, "snap-%lld", (long long)n);
		if (snap_find(l, out) == NULL)
			return;
	}
}

static int create_locked(struct be_ctx *ctx, const char *name, const char *snap,
                         struct be_snapshot_taken *out, struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	char chosen[BE_NAME_MAX + 1];
	if (snap && snap_find(&l, snap)) {
		snap_list_clear(&l);
		return be_error_set(err, 0, "a snapshot named %s exists already", snap);
	}
	if (snap)
		snprintf(chosen, sizeof(chosen), "%s", snap);
	else
		default_name(&l, chosen);
	snap_list_clear(&l);
	unsigned depth;
	if (snap_squash_depth(&depth, err) < 0)
		return -1;
	char layer[BE_LAYER_ID_LEN + 1];
	int64_t frozen_ns = 0;
	bool live = rec_running(ctx, name, NULL);
	if (live) {
		if (snap_capture_live(ctx, name, "snapshot", chosen, NULL, false, layer, &frozen_ns,
		                      err) < 0)
			return -1;
	} else {
		if (snap_capture_stopped(ctx, name, "snapshot", chosen, NULL, false, layer, err) <
		    0)
			return -1;
		if (snap_squash_maybe(ctx, name, err) < 0)
			return be_error_wrap(err, "snapshot %s taken, but", chosen);
	}
	if (out) {
		snprintf(out->name, sizeof(out->name), "%s", chosen);
		out->live = live;
		out->frozen_ns = frozen_ns;
	}
	return 0;
}

int be_snapshot_take(struct be_ctx *ctx, const char *name, const char *snap,
                     struct be_snapshot_taken *out, struct be_error **err)
{
	if (snap && be_name_check("snapshot", snap, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (snap_open_locked(ctx, name, &lock, err) < 0 ||
	    create_locked(ctx, name, snap, out, err) < 0)
		return be_error_wrap(err, "snapshot of %s", name);
	store_event(ctx, name, "snapshot", "%s", out->name);
	return 0;
}

int be_snapshot_create(struct be_ctx *ctx, const char *name, const char *snap, char *name_out,
                       struct be_error **err)
{
	struct be_snapshot_taken taken;
	if (be_snapshot_take(ctx, name, snap, &taken, err) < 0)
		return -1;
	if (name_out)
		snprintf(name_out, BE_NAME_MAX + 1, "%s", taken.name);
	return 0;
}

/* ---- list ------------------------------------------------------------------ */

void be_snapshot_list_free(struct be_snapshot_info *list, size_t n)
{
	(void)n;
	free(list);
}

int be_snapshot_list(struct be_ctx *ctx, const char *name, bool sizes,
                     struct be_snapshot_info **out, size_t *n, struct be_error **err)
{
	if (be_name_check("container", name, err) < 0)
		return -1;
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	rec_config_clear(&cfg);
	/* Repair only when nobody else works on the container right now. */
	struct be_lock *lock = NULL;
	if (!ctx->read_only && store_lock_take(ctx, "container", name, &lock, NULL) == 0) {
		ct_reconcile(ctx, name, NULL);
		store_lock_release(lock);
	}
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	struct be_snapshot_info *v = xcalloc(l.n ? l.n : 1, sizeof(*v));
	for (size_t i = 0; i < l.n; i++) {
		const struct snap_rec *r = &l.v[i];
		snprintf(v[i].name, sizeof(v[i].name), "%s", r->name);
		snprintf(v[i].layer, sizeof(v[i].layer), "%s", r->layer);
		snprintf(v[i].parent, sizeof(v[i].parent), "%s", r->parent);
		v[i].created = r->created;
		v[i].size = r->size;
		v[i].current = strcmp(r->name, l.current) == 0;
		int64_t files;
		if (sizes && v[i].size < 0 &&
		    layer_size(ctx, r->layer, &v[i].size, &files, NULL) < 0)
			v[i].size = -1;
	}
	*out = v;
	*n = l.n;
	snap_list_clear(&l);
	return 0;
}

char *be_snapshot_list_json(const struct be_snapshot_info *list, size_t n)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct be_snapshot_info *s = &list[i];
		json_array_append_new(arr,
		                      json_pack("{s:s, s:s, s:o, s:I, s:o, s:b}", "name", s->name,
		                                "layer", s->layer, "parent",
		                                s->parent[0] ? json_string(s->parent) : json_null(),
		                                "created", (json_int_t)s->created, "size",
		                                s->size >= 0 ? json_integer(s->size) : json_null(),
		                                "current", s->current));
	}
	return json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

/* ---- rollback ---------------------------------------------------------------- */

static int rollback_locked(struct be_ctx *ctx, const char *name, const char *snap, bool restart,
                           unsigned timeout_s, bool *was_running, struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	struct snap_rec *rec = snap_find(&l, snap);
	struct snap_rec r = rec ? *rec : (struct snap_rec){0};
	bool head_named = false;
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0) {
		snap_list_clear(&l);
		return -1;
	}
	head_named = snap_find_layer(&l, st.head) != NULL;
	snap_list_clear(&l);
	if (rec == NULL)
		return no_snapshot(name, snap, err);
	struct be_layer_info li;
	if (layer_load(ctx, r.layer, &li, err) < 0)
		return be_error_wrap(err, "snapshot %s", snap);
	*was_running = rec_running(ctx, name, NULL);
	if (*was_running && !restart)
		return be_error_set(
		        err, 0, "container %s is running: stop it first or use --restart", name);
	if (*was_running && ct_stop_locked(ctx, name, timeout_s, true, err) < 0)
		return -1;
	if (rec_running(ctx, name, NULL))
		return be_error_set(err, 0, "container %s did not stop", name);
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	struct snap_op op = {.kind = SNAP_OP_ROLLBACK, .upper_ino = snap_ino(upper)};
	snprintf(op.purpose, sizeof(op.purpose), "snapshot");
	snprintf(op.snap, sizeof(op.snap), "%s", snap);
	snprintf(op.layer, sizeof(op.layer), "%s", r.layer);
	snprintf(op.old_head, sizeof(op.old_head), "%.12s", st.head);
	if (snap_op_save(ctx, name, &op, err) < 0)
		return -1;
	util_fault("rollback.after_intent");
	/* The durable intent is the commit point: the steps write without
	 * fsync and op.json stays, so that a crash (or power cut) at any point
	 * after it ends in the rolled-back state once the next command on this
	 * container (they all repair first, under this lock) has finished it
	 * again durably and removed op.json. */
	if (snap_rollback_finish(ctx, name, &op, false, err) < 0)
		return be_error_wrap(err, "(the next berth command completes it)");
	/* The old head is collectable only when no snapshot names it. */
	if (!head_named && strcmp(st.head, r.layer) != 0)
		journal_gc(ctx, name, NULL, NULL);
	util_fault("rollback.after_done");
	return 0;
}

int be_snapshot_rollback(struct be_ctx *ctx, const char *name, const char *snap, bool restart,
                         unsigned timeout_s, struct be_error **err)
{
	if (be_name_check("snapshot", snap, err) < 0)
		return -1;
	bool was_running = false;
	{
		cleanup_lock struct be_lock *lock = NULL;
		if (snap_open_locked(ctx, name, &lock, err) < 0 ||
		    rollback_locked(ctx, name, snap, restart, timeout_s, &was_running, err) < 0)
			return be_error_wrap(err, "rolling %s back to %s", name, snap);
	}
	store_event(ctx, name, "rollback", "to %s", snap);
	/* start takes the lock itself. */
	if (was_running && be_container_start(ctx, name, NULL, err) < 0)
		return be_error_wrap(err, "rolled %s back to %s, but", name, snap);
	return 0;
}

int be_snapshot_cleanup(struct be_ctx *ctx, struct be_error **err)
{
	return store_trash_reap(ctx, err);
}

/* ---- remove ------------------------------------------------------------------ */

/* Names of the other snapshots whose chain holds layer id, ", "-joined
 * (caller frees), or NULL when none. */
static char *dependents(struct be_ctx *ctx, const struct snap_list *l, const char *snap,
                        const char *id)
{
	struct snap_graph *g = snap_graph_load(ctx);
	char *names = NULL;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, snap) == 0 || !snap_graph_descends(g, l->v[i].layer, id))
			continue;
		char *more =
		        names ? xasprintf("%s, %s", names, l->v[i].name) : xstrdup(l->v[i].name);
		free(names);
		names = more;
	}
	snap_graph_free(g);
	return names;
}

static int remove_locked(struct be_ctx *ctx, const char *name, const char *snap, bool merge,
                         char *kept_by, struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	struct snap_rec *rec = snap_find(&l, snap);
	cleanup_free char *deps = rec ? dependents(ctx, &l, snap, rec->layer) : NULL;
	snap_list_clear(&l);
	if (rec == NULL)
		return no_snapshot(name, snap, err);
	if (deps && !merge)
		return be_error_set(err, 0,
		                    "snapshot %s is the base of %s: remove those first, or use "
		                    "--merge to remove only the name (its layer stays in theirs)",
		                    snap, deps);
	if (kept_by) {
		const char *comma = deps ? strchr(deps, ',') : NULL;
		snprintf(kept_by, BE_NAME_MAX + 1, "%.*s",
		         comma ? (int)(comma - deps) : BE_NAME_MAX, deps ? deps : "");
	}
	struct snap_op op = {.kind = SNAP_OP_SNAPRM};
	snprintf(op.purpose, sizeof(op.purpose), "snapshot");
	snprintf(op.snap, sizeof(op.snap), "%s", snap);
	if (snap_op_save(ctx, name, &op, err) < 0)
		return -1;
	util_fault("snaprm.after_intent");
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	snap_list_del(&l, snap);
	int r = snap_list_save(ctx, name, &l, err);
	snap_list_clear(&l);
	if (r < 0)
		return be_error_wrap(err, "(the next berth command completes it)");
	util_fault("snaprm.after_save");
	if (journal_gc(ctx, name, NULL, err) < 0 || snap_op_remove(ctx, name, err) < 0)
		return -1;
	util_fault("snaprm.after_done");
	return 0;
}

int be_snapshot_remove(struct be_ctx *ctx, const char *name, const char *snap, bool merge,
                       char *kept_by, struct be_error **err)
{
	if (kept_by)
		kept_by[0] = '\0';
	if (be_name_check("snapshot", snap, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (snap_open_locked(ctx, name, &lock, err) < 0 ||
	    remove_locked(ctx, name, snap, merge, kept_by, err) < 0)
		return be_error_wrap(err, "removing snapshot %s of %s", snap, name);
	return 0;
}
