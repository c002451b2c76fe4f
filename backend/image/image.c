/* The image store: image records (ROOT/images/<name>.json) over chains of
 * layers; import, list, inspect and removal with reference checks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/extract.h"
#include "image/image.h"
#include "image/image_archive.h"
#include "store/store.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_LAYERS 1000

/* ---- records ------------------------------------------------------------------ */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void image_rec_free(struct be_image_rec *rec)
{
	if (rec == NULL)
		return;
	free_strv(rec->layers, rec->n_layers);
	free_strv(rec->cmd, rec->n_cmd);
	free_strv(rec->env, rec->n_env);
	free(rec->workdir);
	free(rec->source);
	free(rec);
}

static char **dup_strv(const char *const *v, size_t n)
{
	char **out = xcalloc(n ? n : 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* Reads a JSON array of strings; fails naming the field. */
static int get_strv(const char *path, json_t *o, const char *key, char ***out, size_t *n,
                    struct be_error **err)
{
	json_t *a = json_object_get(o, key);
	size_t len = json_array_size(a);
	char **v = xcalloc(len ? len : 1, sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (s == NULL) {
			free_strv(v, i);
			return be_error_set(err, 0, "%s: field \"%s\" must hold strings only", path,
			                    key);
		}
		v[i] = xstrdup(s);
	}
	*out = v;
	*n = len;
	return 0;
}

static const struct be_field image_fields[] = {
        {"name", JSON_STRING, false},    {"layers", JSON_ARRAY, false},
        {"cmd", JSON_ARRAY, false},      {"env", JSON_ARRAY, false},
        {"workdir", JSON_STRING, false}, {"created", JSON_INTEGER, false},
        {"size", JSON_INTEGER, false},   {"source", JSON_STRING, true},
};

static int parse_image(const char *path, const char *name, json_t *o, struct be_image_rec *r,
                       struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, image_fields, err) < 0)
		return -1;
	if (strcmp(json_string_value(json_object_get(o, "name")), name) != 0)
		return be_error_set(err, 0, "%s: field \"name\" is not %s", path, name);
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (get_strv(path, o, "layers", &r->layers, &r->n_layers, err) < 0 ||
	    get_strv(path, o, "cmd", &r->cmd, &r->n_cmd, err) < 0 ||
	    get_strv(path, o, "env", &r->env, &r->n_env, err) < 0)
		return -1;
	if (r->n_layers == 0 || r->n_layers > MAX_LAYERS)
		return be_error_set(err, 0, "%s: field \"layers\" must hold 1 to %d ids", path,
		                    MAX_LAYERS);
	for (size_t i = 0; i < r->n_layers; i++)
		if (!layer_id_valid(r->layers[i]))
			return be_error_set(err, 0, "%s: \"%s\" in \"layers\" is not a layer id",
			                    path, r->layers[i]);
	const char *src = json_string_value(json_object_get(o, "source"));
	r->workdir = xstrdup(json_string_value(json_object_get(o, "workdir")));
	r->source = xstrdup(src ? src : "");
	r->created = json_integer_value(json_object_get(o, "created"));
	r->size = json_integer_value(json_object_get(o, "size"));
	return 0;
}

static char *image_path(const struct be_ctx *ctx, const char *name)
{
	return ctx_path(ctx, "images/%s.json", name);
}

int image_load(const struct be_ctx *ctx, const char *name, struct be_image_rec **out,
               struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	cleanup_free char *path = image_path(ctx, name);
	if (!util_path_exists(path))
		return BE_FAIL_CODE(err, ENOENT, "no such image: %s", name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	struct be_image_rec *r = xcalloc(1, sizeof(*r));
	if (parse_image(path, name, o, r, err) < 0) {
		image_rec_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int save_image(const struct be_ctx *ctx, const struct be_image_rec *r, struct be_error **err)
{
	cleanup_free char *path = image_path(ctx, r->name);
	cleanup_json json_t *o =
	        json_pack("{s:s, s:o, s:o, s:o, s:s, s:I, s:I, s:s}", "name", r->name, "layers",
	                  strv_json(r->layers, r->n_layers), "cmd", strv_json(r->cmd, r->n_cmd),
	                  "env", strv_json(r->env, r->n_env), "workdir", r->workdir, "created",
	                  (json_int_t)r->created, "size", (json_int_t)r->size, "source",
	                  r->source ? r->source : "");
	if (o == NULL)
		return BE_FAIL_CODE(err, EINVAL, "writing %s: a value is not valid UTF-8", path);
	return store_save(path, o, BE_STORE_DURABLE, err);
}

/* A new record with the default cmd, env and workdir, or those of from. */
static struct be_image_rec *new_rec(const char *name, const struct be_image_rec *from)
{
	static const char *const def_cmd[] = {"/bin/sh"};
	static const char *const def_env[] = {DEFAULT_PATH};
	struct be_image_rec *r = xcalloc(1, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->cmd =
	        from ? dup_strv((const char *const *)from->cmd, from->n_cmd) : dup_strv(def_cmd, 1);
	r->n_cmd = from ? from->n_cmd : 1;
	r->env =
	        from ? dup_strv((const char *const *)from->env, from->n_env) : dup_strv(def_env, 1);
	r->n_env = from ? from->n_env : 1;
	r->workdir = xstrdup(from && from->workdir ? from->workdir : "/");
	r->created = (int64_t)time(NULL);
	return r;
}

/* ---- which layers are in use ---------------------------------------------------- */

struct idset {
	char (*ids)[BE_LAYER_ID_LEN + 1];
	size_t n, cap;
};

static bool idset_has(const struct idset *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return true;
	return false;
}

static void idset_add(struct idset *s, const char *id)
{
	if (idset_has(s, id))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->ids = xrealloc(s->ids, s->cap * sizeof(*s->ids));
	}
	memcpy(s->ids[s->n++], id, BE_LAYER_ID_LEN + 1);
}

static void add_id(const char *id, void *data)
{
	idset_add(data, id);
}

/* Adds every layer id the file names. */
static void scan_ids(const char *path, struct idset *s)
{
	layer_ids_in_file(path, add_id, s);
}

static bool json_file_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Scans the *.json files of one directory. */
static void scan_dir(const char *dir, struct idset *s)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!json_file_name(de->d_name))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);
		scan_ids(p, s);
	}
}

/* Layers used by any image or container (snapshots live in containers'
 * files), with every layer below them. */
static void used_layers(const struct be_ctx *ctx, struct idset *s)
{
	cleanup_free char *images = ctx_path(ctx, "images");
	scan_dir(images, s);
	cleanup_free char *cdir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", cdir, de->d_name);
		scan_dir(sub, s);
	}
	for (size_t i = 0; i < s->n; i++) {
		char **chain = NULL;
		size_t n = 0;
		if (layer_chain(ctx, s->ids[i], &chain, &n, NULL) < 0)
			continue;
		for (size_t k = 1; k < n; k++)
			idset_add(s, chain[k]);
		layer_chain_free(chain, n);
	}
}

/* Removes the layers of ids that nothing uses any more (best effort: a
 * layer that stays is only disk space). */
static void drop_layers(const struct be_ctx *ctx, char *const *ids, size_t n)
{
	struct idset used = {0};
	used_layers(ctx, &used);
	for (size_t i = 0; i < n; i++)
		if (!idset_has(&used, ids[i]))
			layer_remove(ctx, ids[i], NULL);
	free(used.ids);
}

/* Fails when a container's config.json names the image. */
static int check_no_container(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *cdir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		cleanup_free char *cfg = xasprintf("%s/%s/config.json", cdir, de->d_name);
		if (!util_path_exists(cfg))
			continue;
		cleanup_json json_t *o = store_load(cfg, NULL);
		const char *img = json_string_value(json_object_get(o, "image"));
		if (img && strcmp(img, name) == 0)
			return BE_FAIL_CODE(err, EBUSY,
			                    "image %s is used by container %s (remove the "
			                    "container first)",
			                    name, de->d_name);
	}
	return 0;
}

/* ---- registering ------------------------------------------------------------------- */

/* Records image NAME over the chain top-first ids, with cmd, env and
 * workdir from from (NULL: the defaults); see image_register_layer. */
static int register_chain(const struct be_ctx *ctx, const char *name, char *const *ids, size_t n,
                          const struct be_image_rec *from, const char *source, bool replace,
                          struct be_error **err)
{
	struct be_image_rec *old = NULL;
	cleanup_error struct be_error *lerr = NULL;
	if (image_load(ctx, name, &old, &lerr) == 0 && !replace) {
		image_rec_free(old);
		return BE_FAIL_CODE(err, EEXIST, "image %s already exists (--force replaces it)",
		                    name);
	}
	if (lerr && lerr->errnum != ENOENT && !replace)
		return BE_FAIL_CODE(err, EEXIST, "image %s already exists (%s)", name, lerr->msg);
	struct be_image_rec *r = new_rec(name, from);
	r->layers = dup_strv((const char *const *)ids, n);
	r->n_layers = n;
	r->source = xstrdup(source);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t size, files;
		rc = layer_size(ctx, ids[i], &size, &files, err);
		r->size += size;
	}
	if (rc == 0)
		rc = save_image(ctx, r, err);
	image_rec_free(r);
	if (rc == 0 && old)
		drop_layers(ctx, old->layers, old->n_layers);
	image_rec_free(old);
	return rc;
}

int image_register_layer(const struct be_ctx *ctx, const char *name, const char *id,
                         const char *source, bool replace, struct be_error **err)
{
	char *ids[] = {(char *)id};
	return register_chain(ctx, name, ids, 1, NULL, source, replace, err);
}

int image_register_chain(const struct be_ctx *ctx, const char *name, char *const *ids, size_t n,
                         const struct be_image_rec *from, const char *source, bool replace,
                         struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "image", name, &lock, err) < 0)
		return -1;
	return register_chain(ctx, name, ids, n, from, source, replace, err);
}

/* A description of the source for the record: its absolute path, with
 * bytes that are not UTF-8 shown as '?'. */
static char *describe_source(const char *source)
{
	if (strcmp(source, "-") == 0)
		return xstrdup("standard input");
	char *p = realpath(source, NULL);
	if (p == NULL)
		p = xstrdup(source);
	json_t *probe = json_string(p);
	if (probe == NULL)
		for (char *c = p; *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
	json_decref(probe);
	return p;
}

/* Fills the temporary layer from the source, with its size and file
 * count when the extraction knows them; *origin gets "import" or "dir". */
static int fill_layer(const char *source, struct be_layer_tmp *t, const struct be_import_opts *opts,
                      const char **origin, struct be_error **err)
{
	const char *diff = layer_tmp_diff(t);
	struct be_extract_counts counts = {-1, -1};
	struct be_extract_opts xo = {.counts = &counts};
	if (opts) {
		xo.progress = opts->progress;
		xo.progress_data = opts->progress_data;
	}
	*origin = "import";
	cleanup_close int fd = -1;
	if (strcmp(source, "-") == 0)
		fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(source, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s", source);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return be_error_set(err, errno, "reading %s", source);
	int r;
	if (S_ISDIR(st.st_mode)) {
		*origin = "dir";
		r = extract_copy_dir(source, diff, &xo, err);
	} else {
		if (S_ISREG(st.st_mode))
			xo.total = (uint64_t)st.st_size;
		r = extract_fd(fd, diff, &xo, err);
	}
	if (r == 0)
		layer_tmp_set_counts(t, counts.size, counts.files);
	return r;
}

/* Builds the layers of the image archive extracted in dir and registers
 * them as image NAME; on failure the new layers are removed. */
static int import_archive(const struct be_ctx *ctx, const char *name, const char *dir,
                          enum be_archive_kind kind, const char *source, bool replace,
                          struct be_error **err)
{
	struct be_image_rec *rec = xcalloc(1, sizeof(*rec));
	int rc = image_archive_build(ctx, dir, kind, rec, err);
	if (rc == 0) {
		cleanup_free char *desc = describe_source(source);
		rc = register_chain(ctx, name, rec->layers, rec->n_layers, rec, desc, replace, err);
		for (size_t i = 0; rc < 0 && i < rec->n_layers; i++)
			layer_remove(ctx, rec->layers[i], NULL);
	}
	image_rec_free(rec);
	return rc;
}

static int import_locked(const struct be_ctx *ctx, const char *name, const char *source,
                         const struct be_import_opts *opts, struct be_error **err)
{
	bool replace = opts && opts->replace;
	cleanup_free char *path = image_path(ctx, name);
	if (!replace && util_path_exists(path))
		return BE_FAIL_CODE(err, EEXIST, "image %s already exists (--force replaces it)",
		                    name);
	struct be_layer_tmp *t = NULL;
	cleanup_close int lock = -1;
	if (layer_begin_locked(ctx, &t, &lock, err) < 0)
		return -1;
	const char *origin;
	if (fill_layer(source, t, opts, &origin, err) < 0) {
		layer_abort(t);
		return -1;
	}
	enum be_archive_kind kind = BE_ARCHIVE_ROOTFS;
	if (strcmp(origin, "import") == 0 &&
	    image_archive_kind(layer_tmp_diff(t), &kind, err) < 0) {
		layer_abort(t);
		return -1;
	}
	if (kind != BE_ARCHIVE_ROOTFS) {
		int rc = import_archive(ctx, name, layer_tmp_diff(t), kind, source, replace, err);
		layer_abort(t); /* the archive's files: only its layers are kept */
		return rc;
	}
	char id[BE_LAYER_ID_LEN + 1];
	if (layer_commit(ctx, t, NULL, origin, id, err) < 0)
		return -1;
	cleanup_free char *desc = describe_source(source);
	if (image_register_layer(ctx, name, id, desc, replace, err) < 0) {
		layer_remove(ctx, id, NULL);
		return -1;
	}
	return 0;
}

int be_image_import(const struct be_ctx *ctx, const char *name, const char *source,
                    const struct be_import_opts *opts, struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	if (source == NULL || *source == '\0')
		return BE_FAIL_CODE(err, EINVAL, "importing %s: no source given", name);
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "image", name, &lock, err) < 0 ||
	    import_locked(ctx, name, source, opts, err) < 0)
		return be_error_wrap(err, "importing %s", name);
	return 0;
}

/* ---- listing -------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the images on disk, sorted. */
static int list_names(const struct be_ctx *ctx, char ***out, size_t *n, struct be_error **err)
{
	cleanup_free char *dir = ctx_path(ctx, "images");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL && errno != ENOENT)
		return be_error_set(err, errno, "reading %s", dir);
	char **v = NULL;
	size_t k = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (!json_file_name(de->d_name))
			continue;
		char *name = xstrdup(de->d_name);
		name[strlen(name) - 5] = '\0';
		if (!be_name_valid(name)) {
			free(name);
			continue;
		}
		v = xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = name;
	}
	if (k)
		qsort(v, k, sizeof(*v), cmp_name);
	*out = v;
	*n = k;
	return 0;
}

/* Entries in all the image's layers, or -1 when a layer cannot be read. */
static int64_t count_files(const struct be_ctx *ctx, const struct be_image_rec *r)
{
	int64_t total = 0;
	for (size_t i = 0; i < r->n_layers; i++) {
		int64_t size, files;
		if (layer_size(ctx, r->layers[i], &size, &files, NULL) < 0)
			return -1;
		total += files;
	}
	return total;
}

void be_image_list_free(struct be_image_info *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i].source);
	free(list);
}

void be_image_info_origin(struct be_image_info *info)
{
	info->repository[0] = info->tag[0] = info->digest[0] = '\0';
	const char *p = info->source;
	if (p == NULL || strncmp(p, "pulled from ", 12) != 0)
		return;
	p += 12;
	size_t reflen = strcspn(p, " ");
	const char *m = strstr(p + reflen, "(manifest ");
	if (m) {
		m += 10;
		snprintf(info->digest, sizeof(info->digest), "%.*s", (int)strcspn(m, ")"), m);
	}
	/* REF is host[:port]/path[:tag][@digest]: the tag is after the last
	 * ':' that follows the last '/'. */
	char ref[512];
	snprintf(ref, sizeof(ref), "%.*s", (int)reflen, p);
	char *at = strchr(ref, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(ref, '/');
	char *colon = strrchr(slash ? slash : ref, ':');
	if (colon) {
		snprintf(info->tag, sizeof(info->tag), "%s", colon + 1);
		*colon = '\0';
	}
	snprintf(info->repository, sizeof(info->repository), "%.255s", ref);
}

int be_image_list(const struct be_ctx *ctx, struct be_image_info **out, size_t *n,
                  struct be_error **err)
{
	char **names = NULL;
	size_t k = 0;
	if (list_names(ctx, &names, &k, err) < 0)
		return -1;
	struct be_image_info *v = xcalloc(k ? k : 1, sizeof(*v));
	for (size_t i = 0; i < k; i++) {
		struct be_image_rec *r = NULL;
		if (image_load(ctx, names[i], &r, err) < 0) {
			be_error_wrap(err, "(`berth image rm %s` removes it)", names[i]);
			be_image_list_free(v, i);
			free_strv(names, k);
			return -1;
		}
		snprintf(v[i].name, sizeof(v[i].name), "%s", r->name);
		snprintf(v[i].top, sizeof(v[i].top), "%s", r->layers[0]);
		v[i].n_layers = r->n_layers;
		v[i].size = r->size;
		v[i].files = count_files(ctx, r);
		v[i].created = r->created;
		v[i].source = xstrdup(r->source);
		be_image_info_origin(&v[i]);
		image_rec_free(r);
	}
	free_strv(names, k);
	*out = v;
	*n = k;
	return 0;
}

static char *dump(json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		abort(); /* jansson fails only when out of memory */
	return text;
}

int be_image_list_json(const struct be_ctx *ctx, char **json_out, struct be_error **err)
{
	char **names = NULL;
	size_t k = 0;
	if (list_names(ctx, &names, &k, err) < 0)
		return -1;
	cleanup_json json_t *a = json_array();
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++) {
		struct be_image_rec *r = NULL;
		rc = image_load(ctx, names[i], &r, err);
		if (rc < 0)
			break;
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:s}", "name",
		                                   r->name, "id", r->layers[0], "layers",
		                                   strv_json(r->layers, r->n_layers), "size",
		                                   (json_int_t)r->size, "files",
		                                   (json_int_t)count_files(ctx, r), "created",
		                                   (json_int_t)r->created, "source", r->source));
		image_rec_free(r);
	}
	free_strv(names, k);
	if (rc == 0)
		*json_out = dump(a);
	return rc;
}

static json_t *layer_json(const struct be_ctx *ctx, const char *id)
{
	struct be_layer_info li;
	int64_t size = -1, files = -1;
	if (layer_load(ctx, id, &li, NULL) < 0)
		return json_pack("{s:s, s:b}", "id", id, "missing", 1);
	layer_size(ctx, id, &size, &files, NULL);
	return json_pack("{s:s, s:o, s:I, s:I, s:I, s:s}", "id", li.id, "parent",
	                 li.parent[0] ? json_string(li.parent) : json_null(), "created",
	                 (json_int_t)li.created, "size", (json_int_t)size, "files",
	                 (json_int_t)files, "origin", li.origin);
}

int be_image_inspect_json(const struct be_ctx *ctx, const char *name, char **json_out,
                          struct be_error **err)
{
	struct be_image_rec *r = NULL;
	if (image_load(ctx, name, &r, err) < 0)
		return -1;
	cleanup_free char *path = image_path(ctx, name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL) {
		image_rec_free(r);
		return -1;
	}
	json_t *info = json_array();
	for (size_t i = 0; i < r->n_layers; i++)
		json_array_append_new(info, layer_json(ctx, r->layers[i]));
	json_object_set_new(o, "layer_info", info);
	image_rec_free(r);
	*json_out = dump(o);
	return 0;
}

/* ---- removing and registering chains -------------------------------------------- */

static int remove_locked(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *path = image_path(ctx, name);
	if (!util_path_exists(path))
		return BE_FAIL_CODE(err, ENOENT, "no such image: %s", name);
	if (check_no_container(ctx, name, err) < 0)
		return -1;
	/* An unreadable record is removed too; its layers are then unknown. */
	struct be_image_rec *r = NULL;
	image_load(ctx, name, &r, NULL);
	if (unlink(path) < 0) {
		image_rec_free(r);
		return be_error_set(err, errno, "removing %s", path);
	}
	cleanup_free char *dir = ctx_path(ctx, "images");
	util_fsync_dir(dir, NULL);
	if (r)
		drop_layers(ctx, r->layers, r->n_layers);
	image_rec_free(r);
	return 0;
}

int be_image_remove(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "image", name, &lock, err) < 0)
		return -1;
	int r = remove_locked(ctx, name, err);
	if (r == 0)
		store_lock_drop_file(lock);
	return r;
}

/* Each layer exists and has the next one as its parent; adds up sizes. */
static int check_chain(const struct be_ctx *ctx, char **layers, size_t n, int64_t *size,
                       struct be_error **err)
{
	*size = 0;
	for (size_t i = 0; i < n; i++) {
		struct be_layer_info li;
		int64_t bytes, files;
		if (layer_load(ctx, layers[i], &li, err) < 0 ||
		    layer_size(ctx, layers[i], &bytes, &files, err) < 0)
			return -1;
		const char *want = i + 1 < n ? layers[i + 1] : "";
		if (strcmp(li.parent, want) != 0)
			return BE_FAIL_CODE(err, EINVAL,
			                    "layers do not form a chain: the parent of %s is %s, "
			                    "not %s",
			                    layers[i], li.parent[0] ? li.parent : "none",
			                    *want ? want : "none");
		*size += bytes;
	}
	return 0;
}

int image_save_chain(const struct be_ctx *ctx, const char *name, char **layers, size_t n,
                     const struct be_image_rec *defaults_from, struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	if (n == 0 || n > MAX_LAYERS)
		return BE_FAIL_CODE(err, EINVAL, "saving image %s: want 1 to %d layers", name,
		                    MAX_LAYERS);
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "image", name, &lock, err) < 0)
		return -1;
	cleanup_free char *path = image_path(ctx, name);
	if (util_path_exists(path))
		return BE_FAIL_CODE(err, EEXIST, "image %s already exists", name);
	int64_t size;
	if (check_chain(ctx, layers, n, &size, err) < 0)
		return be_error_wrap(err, "saving image %s", name);
	struct be_image_rec *r = new_rec(name, defaults_from);
	r->layers = dup_strv((const char *const *)layers, n);
	r->n_layers = n;
	r->size = size;
	r->source = xasprintf("layer %s", layers[0]);
	int rc = save_image(ctx, r, err);
	image_rec_free(r);
	return rc;
}
