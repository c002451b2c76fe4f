/* Squash: when a container's chain is deeper than the squash depth, the
 * layers above its image are merged into one layer built aside (ROOT/tmp),
 * which then replaces the head (and the snapshot on it) through op.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "image/image.h"
#include "journal/journal.h"
#include "store/store.h"

#define DEPTH_MIN 2
#define DEPTH_MAX 400

int snap_squash_depth(unsigned *out, struct be_error **err)
{
	const char *v = getenv("BERTH_SQUASH_DEPTH");
	*out = BE_SQUASH_DEPTH_DEFAULT;
	if (v == NULL || *v == '\0')
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n < DEPTH_MIN || n > DEPTH_MAX)
		return be_error_set(err, 0, "invalid BERTH_SQUASH_DEPTH \"%s\": want %d to %d", v,
		                    DEPTH_MIN, DEPTH_MAX);
	*out = (unsigned)n;
	return 0;
}

/* How many layers from the top of chain lie above the container's image
 * (those may be merged).  Without a readable image record, the leading
 * layers that snapshots or squashes made. */
static size_t own_layers(const struct be_ctx *ctx, const char *image, char **ids, size_t n)
{
	struct be_image_rec *img = NULL;
	size_t k = 0;
	if (image_load(ctx, image, &img, NULL) == 0) {
		for (; k < n; k++)
			for (size_t i = 0; i < img->n_layers; i++)
				if (strcmp(ids[k], img->layers[i]) == 0)
					goto out;
	} else {
		for (; k < n; k++) {
			struct be_layer_info li;
			if (layer_load(ctx, ids[k], &li, NULL) < 0 ||
			    (strcmp(li.origin, "snapshot") != 0 &&
			     strcmp(li.origin, "squash") != 0))
				break;
		}
	}
out:
	image_rec_free(img);
	return k;
}

int snap_squash_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                       struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	struct snap_rec *r = snap_find_layer(&l, op->old_head);
	int rc = 0;
	if (r) {
		snprintf(r->layer, sizeof(r->layer), "%s", op->layer);
		r->size = -1;
		rc = snap_list_save(ctx, name, &l, err);
	}
	snap_list_clear(&l);
	if (rc < 0)
		return -1;
	util_fault("squash.after_snapshots");
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	if (strcmp(st.head, op->old_head) != 0)
		return 0;
	snprintf(st.head, sizeof(st.head), "%s", op->layer);
	if (rec_state_save(ctx, name, &st, err) < 0)
		return -1;
	util_fault("squash.after_state");
	return 0;
}

/* Builds the merged layer of ids[0..k) (top first) on parent base. */
static int build(struct be_ctx *ctx, char **ids, size_t k, const char *base, char *id_out,
                 struct be_error **err)
{
	struct be_layer_tmp *t = NULL;
	/* Born locked: no other client's repair can take it (a lock taken
	 * after mkdir left a window where one did). */
	if (layer_begin(ctx, &t, err) < 0)
		return -1;
	for (size_t i = k; i-- > 0;) {
		cleanup_free char *diff = layer_diff_path(ctx, ids[i]);
		if (snap_merge_layer(diff, layer_tmp_diff(t), err) < 0) {
			layer_abort(t);
			return be_error_wrap(err, "merging layer %s", ids[i]);
		}
	}
	util_fault("squash.after_merge");
	return layer_commit(ctx, t, base, "squash", id_out, err);
}

static int squash(struct be_ctx *ctx, const char *name, const char *head, char **ids, size_t k,
                  const char *base, struct be_error **err)
{
	struct snap_op op = {.kind = SNAP_OP_SQUASH};
	snprintf(op.purpose, sizeof(op.purpose), "snapshot");
	snprintf(op.old_head, sizeof(op.old_head), "%.12s", head);
	if (snap_op_save(ctx, name, &op, err) < 0)
		return -1;
	util_fault("squash.after_intent");
	if (build(ctx, ids, k, base, op.layer, err) < 0)
		goto undo;
	util_fault("squash.after_commit");
	if (snap_op_save(ctx, name, &op, err) < 0)
		goto undo;
	util_fault("squash.after_layer");
	if (snap_squash_finish(ctx, name, &op, err) < 0)
		return be_error_wrap(err, "(the next berth command completes it)");
	if (journal_gc(ctx, name, NULL, err) < 0 || snap_op_remove(ctx, name, err) < 0)
		return -1;
	util_fault("squash.after_done");
	return 0;
undo:
	journal_gc(ctx, name, NULL, NULL);
	snap_op_remove(ctx, name, NULL);
	return -1;
}

int snap_squash_maybe(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	unsigned depth;
	if (snap_squash_depth(&depth, err) < 0)
		return -1;
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	if (layer_chain(ctx, st.head, &ids, &n, err) < 0)
		return -1;
	int r = 0;
	if (n > depth) {
		struct rec_config cfg;
		if (rec_config_load(ctx, name, &cfg, err) < 0) {
			layer_chain_free(ids, n);
			return -1;
		}
		size_t k = own_layers(ctx, cfg.image, ids, n);
		rec_config_clear(&cfg);
		/* One layer alone gains nothing; the image's layers stay shared. */
		if (k >= 2)
			r = squash(ctx, name, st.head, ids, k, k < n ? ids[k] : NULL, err);
	}
	layer_chain_free(ids, n);
	return r < 0 ? be_error_wrap(err, "squashing the layers of %s", name) : 0;
}
