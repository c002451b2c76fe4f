/* Named volumes: ROOT/volumes/NAME/{volume.json,_data/}, made whole in
 * ROOT/tmp and renamed into place; listing with the containers that mount
 * each; removal (refused while used) and prune.  A volume's data is never
 * part of a container's layers, snapshots, commits or clones. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volume/volume.h"
#include "record/record.h"
#include "store/store.h"

static const struct be_field volume_fields[] = {
        {"name", JSON_STRING, false},
        {"created", JSON_INTEGER, false},
};

char *vol_data_path(const struct be_ctx *ctx, const char *name)
{
	return ctx_path(ctx, "volumes/%s/_data", name);
}

static int make_volume(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "volumes/%s", name);
	if (util_path_exists(dir))
		return 0;
	cleanup_free char *vols = ctx_path(ctx, "volumes");
	if (util_mkdir_p(vols, 0700, err) < 0)
		return -1;
	cleanup_close int lock_fd = -1;
	cleanup_free char *tmp = store_mkdtemp(ctx, "vol", &lock_fd, err);
	if (tmp == NULL)
		return -1;
	cleanup_free char *data = xasprintf("%s/_data", tmp);
	cleanup_free char *rec = xasprintf("%s/volume.json", tmp);
	cleanup_json json_t *o = json_pack("{s:s,s:I}", "name", name, "created",
	                                   (json_int_t)(util_wall_ns() / 1000000000));
	if (mkdir(data, 0755) < 0 || chmod(data, 0755) < 0) {
		be_error_set(err, errno, "making %s", data);
		goto undo;
	}
	if (store_save(rec, o, BE_STORE_DURABLE, err) < 0)
		goto undo;
	if (rename(tmp, dir) < 0) {
		be_error_set(err, errno, "renaming %s to %s", tmp, dir);
		goto undo;
	}
	return util_fsync_dir(vols, err);
undo:
	util_rm_rf(tmp, NULL);
	return -1;
}

int vol_ensure(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("volume", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "volume", name, &lock, err) < 0)
		return -1;
	if (make_volume(ctx, name, err) < 0)
		return be_error_wrap(err, "creating volume %s", name);
	return 0;
}

int be_volume_create(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	return vol_ensure(ctx, name, err);
}

/* Names of the containers whose config mounts volume name. */
static char **volume_users(struct be_ctx *ctx, const char *name, size_t *n)
{
	*n = 0;
	char **v = xcalloc(1, sizeof(char *));
	cleanup_free char *dir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!be_name_valid(e->d_name))
			continue;
		struct rec_config cfg;
		if (rec_config_load(ctx, e->d_name, &cfg, NULL) < 0)
			continue;
		for (size_t i = 0; i < cfg.n_mounts; i++)
			if (cfg.mounts[i].type == BE_MOUNT_VOLUME &&
			    strcmp(cfg.mounts[i].source, name) == 0) {
				v = xrealloc(v, (*n + 2) * sizeof(char *));
				v[(*n)++] = xstrdup(cfg.name);
				v[*n] = NULL;
				break;
			}
		rec_config_clear(&cfg);
	}
	return v;
}

static int load_info(struct be_ctx *ctx, const char *name, struct be_volume_info *out,
                     struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (be_name_check("volume", name, err) < 0)
		return -1;
	cleanup_free char *path = ctx_path(ctx, "volumes/%s/volume.json", name);
	if (!util_path_exists(path))
		return be_error_set(err, 0, "no such volume: %s", name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, volume_fields, err) < 0)
		return -1;
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->path = vol_data_path(ctx, name);
	out->created = json_integer_value(json_object_get(o, "created"));
	out->containers = volume_users(ctx, name, &out->n_containers);
	return 0;
}

static void info_clear(struct be_volume_info *v)
{
	free(v->path);
	rec_strv_free(v->containers);
	memset(v, 0, sizeof(*v));
}

void be_volume_list_free(struct be_volume_info *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		info_clear(&list[i]);
	free(list);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct be_volume_info *)a)->name,
	              ((const struct be_volume_info *)b)->name);
}

int be_volume_list(struct be_ctx *ctx, struct be_volume_info **out, size_t *n,
                   struct be_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_path(ctx, "volumes");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct be_volume_info *list = NULL;
	size_t k = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!be_name_valid(e->d_name))
			continue;
		list = xrealloc(list, (k + 1) * sizeof(*list));
		struct be_error *e2 = NULL;
		if (load_info(ctx, e->d_name, &list[k], &e2) < 0) {
			be_error_free(e2); /* half made or removed meanwhile */
			continue;
		}
		k++;
	}
	if (k)
		qsort(list, k, sizeof(*list), cmp_info);
	*out = list;
	*n = k;
	return 0;
}

static int remove_locked(struct be_ctx *ctx, const char *name, bool force, bool *in_use,
                         struct be_error **err)
{
	struct be_volume_info info;
	if (load_info(ctx, name, &info, err) < 0)
		return -1;
	*in_use = info.n_containers > 0;
	if (*in_use && !force) {
		be_error_set(err, EBUSY, "volume %s is in use by container %s (remove it first)",
		             name, info.containers[0]);
		info_clear(&info);
		return -1;
	}
	info_clear(&info);
	cleanup_free char *dir = ctx_path(ctx, "volumes/%s", name);
	if (store_trash(ctx, dir, err) < 0)
		return be_error_wrap(err, "removing volume %s", name);
	store_empty_trash(ctx, NULL);
	return 0;
}

int be_volume_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err)
{
	if (be_name_check("volume", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "volume", name, &lock, err) < 0)
		return -1;
	bool in_use = false;
	int r = remove_locked(ctx, name, force, &in_use, err);
	if (r == 0)
		store_lock_drop_file(lock);
	return r;
}

int be_volume_inspect_json(struct be_ctx *ctx, const char *name, char **out, struct be_error **err)
{
	struct be_volume_info info;
	if (load_info(ctx, name, &info, err) < 0)
		return -1;
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:o}", "name", info.name, "driver", "local",
	                      "mountpoint", info.path, "created", (json_int_t)info.created,
	                      "containers", rec_strv_json(info.containers));
	info_clear(&info);
	*out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return 0;
}

int be_volume_prune(struct be_ctx *ctx, char ***removed, size_t *n_removed, struct be_error **err)
{
	struct be_volume_info *list = NULL;
	size_t n = 0;
	if (be_volume_list(ctx, &list, &n, err) < 0)
		return -1;
	char **names = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (list[i].n_containers > 0)
			continue;
		struct be_error *e2 = NULL;
		if (be_volume_remove(ctx, list[i].name, false, &e2) == 0)
			names[k++] = xstrdup(list[i].name);
		else if (e2 && e2->errnum == EBUSY)
			be_error_free(e2); /* taken meanwhile: keep it */
		else if (r == 0 && (r = -1) < 0 && err && *err == NULL)
			*err = e2;
		else
			be_error_free(e2);
	}
	be_volume_list_free(list, n);
	if (removed)
		*removed = names;
	else
		rec_strv_free(names);
	if (n_removed)
		*n_removed = k;
	return r;
}
