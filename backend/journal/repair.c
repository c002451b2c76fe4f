/* Crash repair of snapshot operations: reads a container's intent record
 * (op.json) and rolls the operation forward when its decisive step was
 * taken, back otherwise; thaws what a live snapshot froze; then collects
 * the layers nothing uses any more. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "journal/journal.h"
#include "store/store.h"
#include "record/record.h"

/* The layer whose diff is the inode ino (the upper sealed before a crash),
 * into id; false when none. */
static bool find_sealed(struct be_ctx *ctx, uint64_t ino, char *id)
{
	char **ids = NULL;
	size_t n = 0;
	bool found = false;
	if (layer_list(ctx, &ids, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++) {
		cleanup_free char *diff = layer_diff_path(ctx, ids[i]);
		if (snap_ino(diff) == ino) {
			snprintf(id, BE_LAYER_ID_LEN + 1, "%s", ids[i]);
			found = true;
		}
	}
	layer_chain_free(ids, n);
	return found;
}

/* Stopped capture: forward once the upper was exchanged into a layer (the
 * upper's old inode is then that layer's diff), else back. */
static int repair_capture(struct be_ctx *ctx, const char *name, struct snap_op *op,
                          struct be_error **err)
{
	cleanup_free char *seal = rec_path(ctx, name, "seal");
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	rmdir(seal);
	if (snap_ino(upper) == op->upper_ino || !find_sealed(ctx, op->upper_ino, op->layer))
		return 0;
	return snap_capture_finish(ctx, name, op, err);
}

/* Live capture: the copy is in ROOT/tmp (the store's repair removed it) or
 * a committed layer (recorded or collected); only the freeze matters. */
static int repair_live(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                       struct be_error **err)
{
	if (!op->frozen)
		return 0;
	struct cg_state cs = {0};
	if (cg_state(ctx, name, &cs, err) < 0)
		return -1;
	if (cs.exists && cs.frozen && cg_freeze(ctx, name, false, err) < 0)
		return be_error_wrap(err, "thawing %s after an interrupted snapshot", name);
	return 0;
}

static int repair_snaprm(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                         struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	int r = 0;
	if (snap_find(&l, op->snap)) {
		snap_list_del(&l, op->snap);
		r = snap_list_save(ctx, name, &l, err);
	}
	snap_list_clear(&l);
	return r;
}

static int repair_squash(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                         struct be_error **err)
{
	struct be_layer_info li;
	if (op->layer[0] == '\0' || layer_load(ctx, op->layer, &li, NULL) < 0)
		return 0;
	return snap_squash_finish(ctx, name, op, err);
}

static int repair_op(struct be_ctx *ctx, const char *name, struct snap_op *op,
                     struct be_error **err)
{
	switch (op->kind) {
	case SNAP_OP_SNAPSHOT: return repair_capture(ctx, name, op, err);
	case SNAP_OP_LIVE: return repair_live(ctx, name, op, err);
	case SNAP_OP_ROLLBACK: return snap_rollback_finish(ctx, name, op, true, err);
	case SNAP_OP_SNAPRM: return repair_snaprm(ctx, name, op, err);
	case SNAP_OP_SQUASH: return repair_squash(ctx, name, op, err);
	}
	return 0;
}

int journal_repair(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (ctx->read_only)
		return 0;
	struct snap_op op;
	int has = snap_op_load(ctx, name, &op, err);
	if (has <= 0)
		return has < 0 ? be_error_wrap(err, "repairing container %s", name) : 0;
	/* Then what the interrupted operation made and nothing uses. */
	if (repair_op(ctx, name, &op, err) < 0 || journal_gc(ctx, name, NULL, err) < 0 ||
	    snap_op_remove(ctx, name, err) < 0)
		return be_error_wrap(err, "repairing the interrupted %s of container %s",
		                     snap_op_kind_name(op.kind), name);
	return 0;
}
