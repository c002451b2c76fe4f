/* commit and clone: a container's state becomes an image, or a new
 * container, sharing its layers.  A non-empty upper is first captured into
 * a layer (sealed when stopped, copied when running) under op.json, which
 * stays until the image or the clone exists. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "journal/journal.h"
#include "store/store.h"
#include "container/container.h"
#include "snapshot/snapshot.h"
#include "record/record.h"

/* The layer that holds NAME's current state: its head when the upper is
 * empty, else a new layer captured from the upper (op.json left behind:
 * *captured is then true and the caller removes it). */
static int state_layer(struct be_ctx *ctx, const char *name, const char *purpose,
                       const char *target, char *layer, bool *captured, struct be_error **err)
{
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	cleanup_free char *upper = rec_path(ctx, name, "upper");
	*captured = false;
	if (snap_dir_empty(upper)) {
		snprintf(layer, BE_LAYER_ID_LEN + 1, "%.12s", st.head);
		return 0;
	}
	if (rec_running(ctx, name, NULL)) {
		/* Clones of a running container share one capture while its
		 * upper stays as it was then. */
		if (strcmp(purpose, "clone") == 0 && snap_live_reusable(ctx, name, layer))
			return 0;
		*captured = true;
		return snap_capture_live(ctx, name, purpose, NULL, target, true, layer, NULL, err);
	}
	*captured = true;
	return snap_capture_stopped(ctx, name, purpose, NULL, target, true, layer, err);
}

/* Ends a capture: the intent goes; on failure so does an unused layer.  A
 * stopped container's head moved: its chain may want a squash (best
 * effort: the next snapshot squashes otherwise). */
static int end_capture(struct be_ctx *ctx, const char *name, bool captured, bool ok,
                       struct be_error **err)
{
	if (!captured)
		return 0;
	if (!ok) {
		journal_gc(ctx, name, NULL, NULL);
		snap_op_remove(ctx, name, NULL);
		return 0;
	}
	if (snap_op_remove(ctx, name, err) < 0)
		return -1;
	if (!rec_running(ctx, name, NULL))
		snap_squash_maybe(ctx, name, NULL);
	return 0;
}

/* ---- commit -------------------------------------------------------------------- */

/* The image's defaults: the container's command, environment (without its
 * HOSTNAME) and working directory. */
static void defaults_from(const struct rec_config *cfg, struct be_image_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->cmd = cfg->cmd;
	while (cfg->cmd && cfg->cmd[rec->n_cmd])
		rec->n_cmd++;
	rec->env = xcalloc(1, sizeof(char *));
	for (size_t i = 0; cfg->env && cfg->env[i]; i++) {
		if (strncmp(cfg->env[i], "HOSTNAME=", 9) == 0)
			continue;
		rec->env = xrealloc(rec->env, (rec->n_env + 2) * sizeof(char *));
		rec->env[rec->n_env++] = cfg->env[i];
	}
	rec->workdir = cfg->workdir;
}

static int commit_locked(struct be_ctx *ctx, const char *name, const char *image,
                         struct be_error **err)
{
	struct be_image_rec *old = NULL;
	cleanup_error struct be_error *lerr = NULL;
	if (image_load(ctx, image, &old, &lerr) == 0 || (lerr && lerr->errnum != ENOENT)) {
		image_rec_free(old);
		return be_error_set(err, 0, "image %s already exists", image);
	}
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	char layer[BE_LAYER_ID_LEN + 1];
	bool captured = false;
	char **ids = NULL;
	size_t n = 0;
	int r = state_layer(ctx, name, "commit", image, layer, &captured, err);
	if (r == 0)
		util_fault("commit.after_capture");
	if (r == 0)
		r = layer_chain(ctx, layer, &ids, &n, err);
	if (r == 0) {
		struct be_image_rec rec;
		defaults_from(&cfg, &rec);
		r = image_save_chain(ctx, image, ids, n, &rec, err);
		free(rec.env);
	}
	if (r == 0)
		util_fault("commit.after_image");
	layer_chain_free(ids, n);
	rec_config_clear(&cfg);
	if (end_capture(ctx, name, captured, r == 0, err) < 0)
		return -1;
	return r;
}

int be_container_commit(struct be_ctx *ctx, const char *name, const char *image,
                        struct be_error **err)
{
	if (be_name_check("image", image, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (snap_open_locked(ctx, name, &lock, err) < 0 || commit_locked(ctx, name, image, err) < 0)
		return be_error_wrap(err, "committing %s to image %s", name, image);
	return 0;
}

/* ---- clone ----------------------------------------------------------------------- */

/* A hostname from a container name: characters a hostname may not hold
 * become '-'. */
static char *hostname_of(const char *name)
{
	char *h = xstrdup(name);
	for (char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			*p = '-';
	return h;
}

/* The source's config, renamed: name, hostname (and HOSTNAME=), created. */
static int clone_config(struct be_ctx *ctx, const char *name, const char *new_name,
                        struct rec_config *cfg, struct be_error **err)
{
	if (rec_config_load(ctx, name, cfg, err) < 0)
		return -1;
	snprintf(cfg->name, sizeof(cfg->name), "%s", new_name);
	free(cfg->hostname);
	cfg->hostname = hostname_of(new_name);
	for (size_t i = 0; cfg->env && cfg->env[i]; i++)
		if (strncmp(cfg->env[i], "HOSTNAME=", 9) == 0) {
			free(cfg->env[i]);
			cfg->env[i] = xasprintf("HOSTNAME=%s", cfg->hostname);
		}
	cfg->created = util_wall_ns() / 1000000000;
	return 0;
}

static int snapshot_layer(struct be_ctx *ctx, const char *name, const char *snap, char *layer,
                          struct be_error **err)
{
	struct snap_list l;
	if (snap_list_load(ctx, name, &l, err) < 0)
		return -1;
	struct snap_rec *r = snap_find(&l, snap);
	if (r)
		snprintf(layer, BE_LAYER_ID_LEN + 1, "%s", r->layer);
	snap_list_clear(&l);
	if (r == NULL)
		return be_error_set(err, 0, "no such snapshot: %s", snap);
	struct be_layer_info li;
	return layer_load(ctx, layer, &li, err);
}

static int clone_locked(struct be_ctx *ctx, const char *name, const char *new_name,
                        const char *from, struct be_error **err)
{
	cleanup_lock struct be_lock *nlock = NULL;
	if (store_lock_take(ctx, "container", new_name, &nlock, err) < 0)
		return -1;
	cleanup_free char *dest = rec_path(ctx, new_name, NULL);
	if (util_path_exists(dest))
		return be_error_set(err, 0, "container %s already exists", new_name);
	struct rec_config cfg;
	if (clone_config(ctx, name, new_name, &cfg, err) < 0)
		return -1;
	char layer[BE_LAYER_ID_LEN + 1];
	bool captured = false;
	int r = from ? snapshot_layer(ctx, name, from, layer, err)
	             : state_layer(ctx, name, "clone", new_name, layer, &captured, err);
	if (r == 0)
		util_fault("clone.after_capture");
	if (r == 0)
		r = ct_write_container_dir(ctx, &cfg, layer, NULL, NULL, err);
	if (r == 0)
		util_fault("clone.after_create");
	rec_config_clear(&cfg);
	if (end_capture(ctx, name, captured, r == 0, err) < 0)
		return -1;
	if (r == 0)
		util_fault("clone.after_done");
	return r;
}

int be_container_clone(struct be_ctx *ctx, const char *name, const char *new_name,
                       const char *from_snap, struct be_error **err)
{
	if (be_name_check("container", new_name, err) < 0 ||
	    (from_snap && be_name_check("snapshot", from_snap, err) < 0))
		return -1;
	if (strcmp(name, new_name) == 0)
		return be_error_set(err, 0, "cloning %s: the clone needs another name", name);
	cleanup_lock struct be_lock *lock = NULL;
	if (snap_open_locked(ctx, name, &lock, err) < 0 ||
	    clone_locked(ctx, name, new_name, from_snap, err) < 0)
		return be_error_wrap(err, "cloning %s to %s", name, new_name);
	return 0;
}
