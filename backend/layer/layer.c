/* Layer directories: building a layer under ROOT/tmp and sealing it into
 * ROOT/layers/<id>, layer.json records, chains, sizes and removal.  (Overlay
 * mounting lives elsewhere.) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "layer/layer.h"
#include "store/store.h"

#define CHAIN_MAX 1000
#define ID_TRIES 8

struct be_layer_tmp {
	char *dir;   /* ROOT/tmp/<random> */
	char *diff;  /* dir/diff */
	int lock_fd; /* the flock on dir that layer_begin took, or -1 (the caller holds it) */
	int64_t size, files; /* from layer_tmp_set_counts, or -1: commit walks diff */
};

static void tmp_free(struct be_layer_tmp *t)
{
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->diff);
	free(t->dir);
	free(t);
}

bool layer_id_valid(const char *id)
{
	if (id == NULL)
		return false;
	for (size_t i = 0; i < BE_LAYER_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return id[BE_LAYER_ID_LEN] == '\0';
}

static int check_id(const char *id, struct be_error **err)
{
	if (layer_id_valid(id))
		return 0;
	return BE_FAIL_CODE(err, EINVAL, "invalid layer id \"%s\": want 12 lowercase hex digits",
	                    id ? id : "");
}

static int check_origin(const char *origin, struct be_error **err)
{
	size_t n = origin ? strlen(origin) : 0;
	bool ok = n > 0 && n < sizeof(((struct be_layer_info *)0)->origin);
	for (size_t i = 0; ok && i < n; i++)
		ok = origin[i] >= 'a' && origin[i] <= 'z';
	if (!ok)
		return BE_FAIL_CODE(err, EINVAL, "invalid layer origin \"%s\"",
		                    origin ? origin : "");
	return 0;
}

/* A parent must be an existing layer; NULL or "" means none. */
static int check_parent(const struct be_ctx *ctx, const char *parent, struct be_error **err)
{
	if (parent == NULL || *parent == '\0')
		return 0;
	struct be_layer_info info;
	if (layer_load(ctx, parent, &info, err) < 0)
		return be_error_wrap(err, "parent layer");
	return 0;
}

int layer_begin(const struct be_ctx *ctx, struct be_layer_tmp **out, struct be_error **err)
{
	/* Born locked, like every work directory of ROOT/tmp: no other
	 * client's repair can take it while it is filled. */
	int fd = -1;
	if (layer_begin_locked(ctx, out, &fd, err) < 0)
		return -1;
	(*out)->lock_fd = fd;
	return 0;
}

/* 1 when a concurrent repair removed the new directory before it was
 * locked (try again).  The directory is locked before anything is made in
 * it, and diff/ is made through the locked descriptor: a repair that took
 * the empty directory first leaves this one failing, never half made. */
static int begin_locked_once(const struct be_ctx *ctx, struct be_layer_tmp **out, int *lock_fd,
                             struct be_error **err)
{
	char rnd[17];
	util_random_hex(rnd, 8);
	cleanup_free char *dir = ctx_path(ctx, "tmp/%s", rnd);
	if (mkdir(dir, 0700) < 0)
		return be_error_set(err, errno, "creating %s", dir);
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	while (fd >= 0 && flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			be_error_set(err, errno, "locking %s", dir);
			rmdir(dir);
			return -1;
		}
	/* Still there now that it is locked? */
	struct stat a, b;
	if (fd < 0 || fstat(fd, &a) < 0 || lstat(dir, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		return 1;
	if (mkdirat(fd, "diff", 0755) < 0) {
		if (errno == ENOENT)
			return 1;
		be_error_set(err, errno, "creating %s/diff", dir);
		util_rm_rf(dir, NULL);
		return -1;
	}
	struct be_layer_tmp *t = xcalloc(1, sizeof(*t));
	t->diff = xasprintf("%s/diff", dir);
	t->dir = steal_pointer(&dir);
	t->lock_fd = -1;
	t->size = t->files = -1;
	*lock_fd = util_steal_fd(&fd);
	*out = t;
	return 0;
}

int layer_begin_locked(const struct be_ctx *ctx, struct be_layer_tmp **out, int *lock_fd,
                       struct be_error **err)
{
	for (int i = 0; i < 3; i++) {
		int r = begin_locked_once(ctx, out, lock_fd, err);
		if (r <= 0)
			return r;
	}
	return be_error_set(err, EAGAIN, "creating a layer under %s/tmp", ctx->root);
}

const char *layer_tmp_diff(const struct be_layer_tmp *t)
{
	return t->diff;
}

void layer_tmp_set_counts(struct be_layer_tmp *t, int64_t size, int64_t files)
{
	t->size = size;
	t->files = files;
}

void layer_abort(struct be_layer_tmp *t)
{
	if (t == NULL)
		return;
	util_rm_rf(t->dir, NULL);
	tmp_free(t);
}

/* ---- layer.json ----------------------------------------------------------- */

static int write_record(const char *path, const struct be_layer_info *info, struct be_error **err)
{
	cleanup_json json_t *o =
	        json_pack("{s:s, s:o, s:I, s:I, s:I, s:s}", "id", info->id, "parent",
	                  info->parent[0] ? json_string(info->parent) : json_null(), "created",
	                  (json_int_t)info->created, "size", (json_int_t)info->size, "files",
	                  (json_int_t)info->files, "origin", info->origin);
	if (o == NULL)
		return be_error_set(err, ENOMEM, "writing %s", path);
	return store_save(path, o, BE_STORE_DURABLE, err);
}

static const struct be_field layer_fields[] = {
        {"id", JSON_STRING, false},       {"parent", JSON_STRING, true},
        {"created", JSON_INTEGER, false}, {"size", JSON_INTEGER, false},
        {"files", JSON_INTEGER, false},   {"origin", JSON_STRING, false},
};

static int parse_record(const char *path, const char *id, json_t *o, struct be_layer_info *out,
                        struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, layer_fields, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	const char *rid = json_string_value(json_object_get(o, "id"));
	const char *parent = json_string_value(json_object_get(o, "parent"));
	const char *origin = json_string_value(json_object_get(o, "origin"));
	if (strcmp(rid, id) != 0)
		return be_error_set(err, 0, "%s: field \"id\" is \"%s\", not %s", path, rid, id);
	if (parent && !layer_id_valid(parent))
		return be_error_set(err, 0, "%s: field \"parent\" is not a layer id", path);
	if (strlen(origin) >= sizeof(out->origin))
		return be_error_set(err, 0, "%s: field \"origin\" is too long", path);
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->parent, sizeof(out->parent), "%s", parent ? parent : "");
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	out->created = json_integer_value(json_object_get(o, "created"));
	out->size = json_integer_value(json_object_get(o, "size"));
	out->files = json_integer_value(json_object_get(o, "files"));
	return 0;
}

int layer_load(const struct be_ctx *ctx, const char *id, struct be_layer_info *out,
               struct be_error **err)
{
	if (check_id(id, err) < 0)
		return -1;
	cleanup_free char *path = ctx_path(ctx, "layers/%s/layer.json", id);
	if (!util_path_exists(path))
		return BE_FAIL_CODE(err, ENOENT, "no such layer: %s", id);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	return parse_record(path, id, o, out, err);
}

char *layer_diff_path(const struct be_ctx *ctx, const char *id)
{
	return ctx_path(ctx, "layers/%s/diff", id);
}

/* ---- sealing -------------------------------------------------------------- */

static void init_info(struct be_layer_info *info, const char *parent, const char *origin)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->parent, sizeof(info->parent), "%s", parent ? parent : "");
	snprintf(info->origin, sizeof(info->origin), "%s", origin);
	info->created = (int64_t)time(NULL);
	info->size = -1;
	info->files = -1;
}

/* Writes dir/layer.json under a fresh random id and renames dir to
 * ROOT/layers/<id>, never over an existing layer (another id is tried). */
static int place_layer(const struct be_ctx *ctx, const char *dir, struct be_layer_info *info,
                       struct be_error **err)
{
	cleanup_free char *rec = xasprintf("%s/layer.json", dir);
	for (int i = 0; i < ID_TRIES; i++) {
		util_random_hex(info->id, BE_LAYER_ID_LEN / 2);
		if (write_record(rec, info, err) < 0)
			return -1;
		util_fault("layer.before_rename");
		cleanup_free char *dest = ctx_path(ctx, "layers/%s", info->id);
		if (renameat2(AT_FDCWD, dir, AT_FDCWD, dest, RENAME_NOREPLACE) == 0) {
			cleanup_free char *layers = ctx_path(ctx, "layers");
			return util_fsync_dir(layers, err);
		}
		if (errno != EEXIST && errno != ENOTEMPTY)
			return be_error_set(err, errno, "renaming %s to %s", dir, dest);
	}
	return BE_FAIL_CODE(err, EEXIST, "no free layer id after %d tries", ID_TRIES);
}

static int sync_tree(const char *dir, struct be_error **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0)
		return be_error_set(err, errno, "syncing %s", dir);
	return 0;
}

static int commit(const struct be_ctx *ctx, struct be_layer_tmp *t, const char *parent,
                  const char *origin, char id_out[BE_LAYER_ID_LEN + 1], struct be_error **err)
{
	if (check_origin(origin, err) < 0 || check_parent(ctx, parent, err) < 0)
		return -1;
	struct be_layer_info info;
	init_info(&info, parent, origin);
	if (t->size >= 0 && t->files >= 0) {
		info.size = t->size;
		info.files = t->files;
	} else if (layer_count_dir(t->diff, &info.size, &info.files, err) < 0) {
		return -1;
	}
	if (sync_tree(t->diff, err) < 0)
		return -1;
	if (place_layer(ctx, t->dir, &info, err) < 0)
		return -1;
	memcpy(id_out, info.id, BE_LAYER_ID_LEN + 1);
	return 0;
}

int layer_commit(const struct be_ctx *ctx, struct be_layer_tmp *t, const char *parent,
                 const char *origin, char id_out[BE_LAYER_ID_LEN + 1], struct be_error **err)
{
	int r = commit(ctx, t, parent, origin, id_out, err);
	if (r < 0) {
		layer_abort(t);
		return be_error_wrap(err, "sealing layer");
	}
	tmp_free(t);
	return 0;
}

static char *parent_dir(const char *path)
{
	char *p = xstrdup(path);
	char *slash = strrchr(p, '/');
	if (slash == p)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(p, ".");
	return p;
}

int layer_seal_dir(const struct be_ctx *ctx, const char *dir, const char *parent,
                   const char *origin, char id_out[BE_LAYER_ID_LEN + 1], struct be_error **err)
{
	if (check_origin(origin, err) < 0 || check_parent(ctx, parent, err) < 0)
		return be_error_wrap(err, "sealing %s", dir);
	struct be_layer_tmp *t = NULL;
	/* Locked: a repair must never remove the temp dir while dir is in it. */
	cleanup_close int lock = -1;
	if (layer_begin_locked(ctx, &t, &lock, err) < 0)
		return be_error_wrap(err, "sealing %s", dir);
	/* begin made an empty diff/: the directory takes its place. */
	if (rmdir(t->diff) < 0 || rename(dir, t->diff) < 0) {
		be_error_set(err, errno, "sealing %s: moving it to %s", dir, t->diff);
		layer_abort(t);
		return -1;
	}
	struct be_layer_info info;
	init_info(&info, parent, origin);
	if (place_layer(ctx, t->dir, &info, err) < 0) {
		if (rename(t->diff, dir) == 0) {
			layer_abort(t);
			return be_error_wrap(err, "sealing %s", dir);
		}
		be_error_wrap(err, "sealing %s (it is left in %s)", dir, t->diff);
		tmp_free(t);
		return -1;
	}
	cleanup_free char *up = parent_dir(dir);
	util_fsync_dir(up, NULL);
	tmp_free(t);
	memcpy(id_out, info.id, BE_LAYER_ID_LEN + 1);
	return 0;
}

/* ---- sizes ---------------------------------------------------------------- */

struct inode_size {
	dev_t dev;
	ino_t ino;
	int64_t size;
};

struct walk {
	int64_t size;
	int64_t files;
	struct inode_size *links; /* regular files with more than one link */
	size_t n_links, cap_links;
	const char *top;
};

static void walk_entry(struct walk *w, const struct stat *st)
{
	w->files++;
	if (S_ISLNK(st->st_mode)) {
		w->size += st->st_size;
	} else if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		if (w->n_links == w->cap_links) {
			w->cap_links = w->cap_links ? 2 * w->cap_links : 64;
			w->links = xrealloc(w->links, w->cap_links * sizeof(*w->links));
		}
		w->links[w->n_links++] = (struct inode_size){st->st_dev, st->st_ino, st->st_size};
	} else if (S_ISREG(st->st_mode)) {
		w->size += st->st_size;
	}
}

/* Walks the directory open at dfd (which it takes over). */
static int walk_at(int dfd, struct walk *w, struct be_error **err)
{
	cleanup_dir DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return be_error_set(err, errno, "counting files in %s", w->top);
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return be_error_set(err, errno, "counting files in %s", w->top);
		walk_entry(w, &st);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || walk_at(sub, w, err) < 0)
				return be_error_set(err, errno, "counting files in %s", w->top);
		}
		errno = 0;
	}
	if (errno)
		return be_error_set(err, errno, "counting files in %s", w->top);
	return 0;
}

static int cmp_inode(const void *a, const void *b)
{
	const struct inode_size *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

int layer_count_dir(const char *dir, int64_t *size, int64_t *files, struct be_error **err)
{
	struct walk w = {.top = dir};
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "counting files in %s", dir);
	int r = walk_at(fd, &w, err);
	if (w.n_links)
		qsort(w.links, w.n_links, sizeof(*w.links), cmp_inode);
	for (size_t i = 0; i < w.n_links; i++)
		if (i == 0 || cmp_inode(&w.links[i - 1], &w.links[i]) != 0)
			w.size += w.links[i].size;
	free(w.links);
	if (r < 0)
		return -1;
	*size = w.size;
	*files = w.files;
	return 0;
}

int layer_size(const struct be_ctx *ctx, const char *id, int64_t *size, int64_t *files,
               struct be_error **err)
{
	struct be_layer_info info;
	if (layer_load(ctx, id, &info, err) < 0)
		return -1;
	if (info.size < 0 || info.files < 0) {
		cleanup_free char *diff = layer_diff_path(ctx, id);
		if (layer_count_dir(diff, &info.size, &info.files, err) < 0)
			return be_error_wrap(err, "layer %s", id);
		/* The cache is an optimisation: a read-only root still answers. */
		cleanup_free char *rec = ctx_path(ctx, "layers/%s/layer.json", id);
		if (!ctx->read_only && write_record(rec, &info, err) < 0)
			return -1;
	}
	*size = info.size;
	*files = info.files;
	return 0;
}

/* ---- chains, lists, removal ------------------------------------------------ */

void layer_chain_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int layer_chain(const struct be_ctx *ctx, const char *top, char ***ids, size_t *n,
                struct be_error **err)
{
	char **v = NULL;
	size_t k = 0;
	char cur[BE_LAYER_ID_LEN + 1];
	snprintf(cur, sizeof(cur), "%s", top ? top : "");
	if (check_id(top, err) < 0)
		return -1;
	for (;;) {
		struct be_layer_info info;
		if (k >= CHAIN_MAX) {
			BE_FAIL_CODE(err, ELOOP, "layer chain from %s is deeper than %d", top,
			             CHAIN_MAX);
			goto fail;
		}
		for (size_t i = 0; i < k; i++)
			if (strcmp(v[i], cur) == 0) {
				BE_FAIL_CODE(err, ELOOP, "layer chain from %s has a cycle at %s",
				             top, cur);
				goto fail;
			}
		if (layer_load(ctx, cur, &info, err) < 0)
			goto fail;
		v = xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = xstrdup(cur);
		if (info.parent[0] == '\0')
			break;
		memcpy(cur, info.parent, sizeof(cur));
	}
	*ids = v;
	*n = k;
	return 0;
fail:
	layer_chain_free(v, k);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int layer_list(const struct be_ctx *ctx, char ***ids, size_t *n, struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "layers");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL && errno != ENOENT)
		return be_error_set(err, errno, "reading %s", dir);
	char **v = NULL;
	size_t k = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!layer_id_valid(de->d_name))
			continue;
		v = xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = xstrdup(de->d_name);
	}
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	*ids = v;
	*n = k;
	return 0;
}

int layer_remove(const struct be_ctx *ctx, const char *id, struct be_error **err)
{
	if (check_id(id, err) < 0)
		return -1;
	cleanup_free char *dir = ctx_path(ctx, "layers/%s", id);
	if (!util_path_exists(dir))
		return BE_FAIL_CODE(err, ENOENT, "no such layer: %s", id);
	if (store_trash(ctx, dir, err) < 0)
		return -1;
	return store_trash_reap(ctx, err);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

void layer_ids_in_file(const char *path, void (*fn)(const char *id, void *data), void *data)
{
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	for (const char *p = text; p && *p;) {
		if (!is_hex(*p)) {
			p++;
			continue;
		}
		const char *start = p;
		while (is_hex(*p))
			p++;
		if (p - start == BE_LAYER_ID_LEN) {
			char id[BE_LAYER_ID_LEN + 1];
			memcpy(id, start, BE_LAYER_ID_LEN);
			id[BE_LAYER_ID_LEN] = '\0';
			fn(id, data);
		}
	}
}
