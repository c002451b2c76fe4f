/* Image commands that go with pull and push but stay on this machine:
 * image save (an OCI image layout tarball or a `docker save` tarball, with
 * the blobs a push makes, written to FILE.tmp and renamed), tag (a second
 * name over the same layers), history (each layer with its origin and its
 * registry blob when known). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

struct save {
	const struct be_ctx *ctx;
	struct be_image_rec *img;
	struct reg_layer_ent *ents;
	size_t n;
	char *tmpdir;
	int tmplock;
	int out;
	struct archive *a;
};

static la_ssize_t on_write(struct archive *a, void *data, const void *buf, size_t n)
{
	(void)a;
	int fd = *(int *)data;
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return (la_ssize_t)n;
}

/* Adds NAME with the bytes of buf, or of the file at path when buf is NULL. */
static int add(struct save *s, const char *name, const void *buf, int64_t len, const char *path,
               struct be_error **err)
{
	struct archive_entry *e = archive_entry_new();
	struct stat st = {.st_mode = S_IFREG | 0644, .st_size = len, .st_nlink = 1};
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, name);
	int rc = archive_write_header(s->a, e) < ARCHIVE_WARN ? -1 : 0;
	archive_entry_free(e);
	if (rc == 0 && buf && archive_write_data(s->a, buf, (size_t)len) < 0)
		rc = -1;
	if (rc == 0 && path) {
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
		char b[65536];
		ssize_t r = fd < 0 ? -1 : 0;
		while (fd >= 0 && (r = read(fd, b, sizeof(b))) > 0)
			if (archive_write_data(s->a, b, (size_t)r) < 0)
				break;
		if (r != 0)
			rc = -1;
	}
	if (rc < 0)
		return be_error_set(err, errno, "writing %s into the archive: %s", name,
		                    archive_error_string(s->a));
	return 0;
}

static int add_json(struct save *s, const char *name, json_t *j, struct be_error **err)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return add(s, name, text, (int64_t)strlen(text), NULL, err);
}

static char *layer_file(const struct save *s, size_t i)
{
	return xasprintf("%s/%zu", s->tmpdir, i);
}

/* Exports every layer (lowest first) into the work directory. */
static int export_all(struct save *s, struct be_error **err)
{
	char chain[DIGEST_STR_MAX] = "";
	for (size_t i = 0; i < s->n; i++) {
		cleanup_free char *path = layer_file(s, i);
		cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return be_error_set(err, errno, "creating %s", path);
		if (reg_export_layer(s->ctx, s->img->layers[s->n - 1 - i], fd, &s->ents[i], err) <
		    0)
			return -1;
		reg_chain_id(chain, s->ents[i].diff_id, s->ents[i].chain);
		snprintf(chain, sizeof(chain), "%s", s->ents[i].chain);
	}
	return 0;
}

static int write_oci(struct save *s, const char *cfg, const char *cd, struct be_error **err)
{
	cleanup_free char *man = reg_manifest_json(s->ents, s->n, cd, strlen(cfg));
	char md[DIGEST_STR_MAX];
	digest_sha256_buf(man, strlen(man), md);
	cleanup_free char *cfg_name = xasprintf("blobs/sha256/%s", cd + 7);
	cleanup_free char *man_name = xasprintf("blobs/sha256/%s", md + 7);
	int rc = add_json(s, "oci-layout", json_pack("{s:s}", "imageLayoutVersion", "1.0.0"), err);
	if (rc == 0)
		rc = add_json(s, "index.json",
		              json_pack("{s:i,s:[{s:s,s:s,s:I,s:{s:s}}]}", "schemaVersion", 2,
		                        "manifests", "mediaType", REG_MT_OCI_MANIFEST, "digest", md,
		                        "size", (json_int_t)strlen(man), "annotations",
		                        "org.opencontainers.image.ref.name", s->img->name),
		              err);
	if (rc == 0)
		rc = add(s, man_name, man, (int64_t)strlen(man), NULL, err);
	if (rc == 0)
		rc = add(s, cfg_name, cfg, (int64_t)strlen(cfg), NULL, err);
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		cleanup_free char *name = xasprintf("blobs/sha256/%s", s->ents[i].blob + 7);
		cleanup_free char *path = layer_file(s, i);
		rc = add(s, name, NULL, s->ents[i].blob_size, path, err);
	}
	return rc;
}

/* docker save's layout: manifest.json, the config, one gzip'd tar a layer
 * (docker load, podman load and berth import read compressed layers). */
static int write_docker(struct save *s, const char *cfg, const char *cd, struct be_error **err)
{
	cleanup_free char *cfg_name = xasprintf("%s.json", cd + 7);
	json_t *layers = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(layers, json_sprintf("%s.tar.gz", s->ents[i].blob + 7));
	cleanup_free char *tag = xasprintf("%s:latest", s->img->name);
	json_t *m = json_pack("[{s:s,s:[s],s:o}]", "Config", cfg_name, "RepoTags", tag, "Layers",
	                      layers);
	int rc = add_json(s, "manifest.json", m, err);
	if (rc == 0)
		rc = add(s, cfg_name, cfg, (int64_t)strlen(cfg), NULL, err);
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		cleanup_free char *name = xasprintf("%s.tar.gz", s->ents[i].blob + 7);
		cleanup_free char *path = layer_file(s, i);
		rc = add(s, name, NULL, s->ents[i].blob_size, path, err);
	}
	return rc;
}

static int write_archive(struct save *s, bool docker, struct be_error **err)
{
	cleanup_free char *cfg = reg_config_json(s->img, s->ents, s->n);
	char cd[DIGEST_STR_MAX];
	digest_sha256_buf(cfg, strlen(cfg), cd);
	s->a = archive_write_new();
	if (s->a == NULL)
		return be_error_set(err, 0, "cannot load libarchive");
	int rc = 0;
	if (archive_write_set_format_pax_restricted(s->a) != ARCHIVE_OK ||
	    archive_write_open(s->a, &s->out, NULL, on_write, NULL) != ARCHIVE_OK)
		rc = be_error_set(err, 0, "starting the archive: %s", archive_error_string(s->a));
	if (rc == 0)
		rc = docker ? write_docker(s, cfg, cd, err) : write_oci(s, cfg, cd, err);
	if (rc == 0 && archive_write_close(s->a) != ARCHIVE_OK)
		rc = be_error_set(err, errno, "finishing the archive: %s",
		                  archive_error_string(s->a));
	archive_write_free(s->a);
	return rc;
}

static int save(struct save *s, const char *file, bool docker, struct be_error **err)
{
	s->n = s->img->n_layers;
	s->ents = xcalloc(s->n, sizeof(*s->ents));
	s->tmpdir = store_mkdtemp(s->ctx, "save", &s->tmplock, err);
	if (s->tmpdir == NULL || export_all(s, err) < 0)
		return -1;
	cleanup_free char *tmp = xasprintf("%s.tmp%d", file, (int)getpid());
	s->out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->out < 0)
		return be_error_set(err, errno, "creating %s", tmp);
	int rc = write_archive(s, docker, err);
	if (rc == 0 && fsync(s->out) < 0)
		rc = be_error_set(err, errno, "writing %s", tmp);
	close(s->out);
	if (rc == 0 && rename(tmp, file) < 0)
		rc = be_error_set(err, errno, "renaming %s to %s", tmp, file);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int be_registry_save(const struct be_ctx *ctx, const char *image, const char *file,
                     const char *format, struct be_error **err)
{
	bool docker = format && strcmp(format, "docker-archive") == 0;
	if (format && !docker && strcmp(format, "oci-archive") != 0)
		return BE_FAIL_CODE(err, EINVAL,
		                    "saving %s: format %s: want oci-archive or docker-archive",
		                    image, format);
	struct save s = {.ctx = ctx, .tmplock = -1, .out = -1};
	int rc = image_load(ctx, image, &s.img, err);
	if (rc == 0)
		rc = save(&s, file, docker, err);
	if (s.tmpdir)
		util_rm_rf(s.tmpdir, NULL);
	if (s.tmplock >= 0)
		close(s.tmplock);
	free(s.tmpdir);
	free(s.ents);
	if (s.img)
		image_rec_free(s.img);
	if (rc < 0)
		return be_error_wrap(err, "saving %s to %s", image, file);
	return 0;
}

/* ---- tag, history ------------------------------------------------------------------ */

int be_registry_tag(const struct be_ctx *ctx, const char *image, const char *name,
                    struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	struct be_image_rec *rec = NULL;
	if (image_load(ctx, image, &rec, err) < 0)
		return be_error_wrap(err, "tagging %s", image);
	cleanup_free char *source =
	        xasprintf("tag of %s (%s)", image, rec->source ? rec->source : "");
	int rc = image_register_chain(ctx, name, rec->layers, rec->n_layers, rec, source, false,
	                              err);
	image_rec_free(rec);
	if (rc < 0)
		return be_error_wrap(err, "tagging %s as %s", image, name);
	return 0;
}

void be_registry_history_free(struct be_reg_layer *v, size_t n)
{
	(void)n;
	free(v);
}

int be_registry_history(const struct be_ctx *ctx, const char *image, struct be_reg_layer **out,
                        size_t *n, struct be_error **err)
{
	struct be_image_rec *rec = NULL;
	if (image_load(ctx, image, &rec, err) < 0)
		return -1;
	struct be_reg_layer *v = xcalloc(rec->n_layers + 1, sizeof(*v));
	int rc = 0;
	for (size_t i = 0; i < rec->n_layers && rc == 0; i++) {
		struct be_layer_info li;
		int64_t files;
		rc = layer_load(ctx, rec->layers[i], &li, err);
		if (rc == 0)
			rc = layer_size(ctx, rec->layers[i], &v[i].size, &files, err);
		if (rc < 0)
			break;
		snprintf(v[i].id, sizeof(v[i].id), "%s", li.id);
		snprintf(v[i].origin, sizeof(v[i].origin), "%s", li.origin);
		v[i].created = li.created;
		struct reg_layer_ent *e = NULL;
		size_t k = 0;
		reg_index_for_layer(ctx, li.id, &e, &k);
		if (k > 0) {
			snprintf(v[i].blob, sizeof(v[i].blob), "%s", e[k - 1].blob);
			snprintf(v[i].diff_id, sizeof(v[i].diff_id), "%s", e[k - 1].diff_id);
		}
		free(e);
	}
	size_t count = rec->n_layers;
	image_rec_free(rec);
	if (rc < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}
