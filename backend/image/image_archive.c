/* Image archives: reads a docker-save manifest.json or an OCI layout's
 * index, manifest and config, and builds the image's layers from the layer
 * tarballs with whiteouts turned into overlay whiteouts. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/digest.h"
#include "image/extract.h"
#include "image/image_archive.h"
#include "store/store.h"

#define MAX_IMAGE_LAYERS 500 /* overlayfs' limit on lower layers */
#define MAX_JSON_BYTES (16u << 20)
#define MAX_INDEX_DEPTH 4
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void image_archive_plan_free(struct be_archive_plan *p)
{
	free(p->config);
	for (size_t i = 0; i < p->n_layers; i++)
		free(p->layers[i]);
	free(p->layers);
	for (size_t i = 0; p->digests && i < p->n_layers; i++)
		free(p->digests[i]);
	free(p->digests);
	*p = (struct be_archive_plan){0};
}

/* ---- reading files of the archive ------------------------------------------ */

/* Opens rel below the archive's top; symlinks the archive made may be
 * followed (docker save links identical layers) but never out of it. */
static int open_beneath(int dfd, const char *rel, struct be_error **err)
{
	struct open_how how = {
	        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == EXDEV || errno == ELOOP))
		return be_error_set(err, 0, "%s: a symlink leads out of the archive", rel);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s in the archive", rel);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return be_error_set(err, 0, "%s in the archive is not a regular file", rel);
	}
	return fd;
}

/* Reads the JSON file rel of the archive (at most 16 MiB, no NUL byte);
 * caller frees. */
static char *read_text(int dfd, const char *rel, struct be_error **err)
{
	cleanup_close int fd = open_beneath(dfd, rel, err);
	if (fd < 0)
		return NULL;
	size_t n = 0, cap = 4096;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_JSON_BYTES) {
				free(buf);
				be_error_set(err, 0, "%s: larger than %u MiB", rel,
				             MAX_JSON_BYTES >> 20);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			be_error_set(err, errno, "reading %s", rel);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		free(buf);
		be_error_set(err, 0, "%s: holds a NUL byte (not JSON text)", rel);
		return NULL;
	}
	return buf;
}

/* The digest a blob's path names: "blobs/sha256/HEX" (OCI, newer docker)
 * or "HEX.json" (a docker-save config); NULL when it names none. */
static char *path_digest(const char *rel)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	size_t n = strlen(base);
	if (strncmp(rel, "blobs/sha256/", 13) == 0 && rel + 13 == base && n == DIGEST_SHA256_HEX &&
	    strspn(base, "0123456789abcdef") == n)
		return xasprintf("sha256:%s", base);
	if (rel == base && n == DIGEST_SHA256_HEX + 5 &&
	    strcmp(base + DIGEST_SHA256_HEX, ".json") == 0 &&
	    strspn(base, "0123456789abcdef") == DIGEST_SHA256_HEX)
		return xasprintf("sha256:%.64s", base);
	return NULL;
}

static int digest_mismatch(const char *rel, const char *want, const char *got,
                           struct be_error **err)
{
	return be_error_set(err, 0, "%s: digest mismatch: the archive names %s, its content is %s",
	                    rel, want, got);
}

/* read_text, then checks the content against the digest its path names. */
static char *read_blob(int dfd, const char *rel, struct be_error **err)
{
	char *text = read_text(dfd, rel, err);
	cleanup_free char *want = text ? path_digest(rel) : NULL;
	if (want) {
		char got[DIGEST_STR_MAX];
		digest_sha256_buf(text, strlen(text), got);
		if (strcmp(got, want) != 0) {
			free(text);
			digest_mismatch(rel, want, got, err);
			return NULL;
		}
	}
	return text;
}

static json_t *parse_json(const char *text, const char *file, struct be_error **err)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		be_error_set(err, 0, "%s: line %d: %s", file, je.line, je.text);
	return j;
}

/* ---- docker save --------------------------------------------------------------- */

/* A path in the archive, normalised; NULL when it would leave it. */
static char *archive_path(const char *s)
{
	char *out = NULL;
	const char *why;
	if (s == NULL || extract_norm_path(s, &out, &why) < 0)
		return NULL;
	if (out[0] == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

int image_archive_docker_plan(const char *text, struct be_archive_plan *p, struct be_error **err)
{
	static const char *const file = "manifest.json";
	cleanup_json json_t *j = parse_json(text, file, err);
	if (j == NULL)
		return -1;
	json_t *img = json_array_get(j, 0);
	if (!json_is_array(j) || !json_is_object(img))
		return be_error_set(err, 0, "%s: not an array of images", file);
	json_t *layers = json_object_get(img, "Layers");
	size_t n = json_array_size(layers);
	p->config = archive_path(json_string_value(json_object_get(img, "Config")));
	if (p->config == NULL)
		return be_error_set(err, 0, "%s: \"Config\" must name a file in the archive", file);
	if (!json_is_array(layers) || n == 0 || n > MAX_IMAGE_LAYERS)
		return be_error_set(err, 0, "%s: \"Layers\" must list 1 to %d files", file,
		                    MAX_IMAGE_LAYERS);
	p->layers = xcalloc(n, sizeof(*p->layers));
	for (size_t i = 0; i < n; i++, p->n_layers++) {
		p->layers[i] = archive_path(json_string_value(json_array_get(layers, i)));
		if (p->layers[i] == NULL)
			return be_error_set(
			        err, 0, "%s: \"Layers\" item %zu must name a file in the archive",
			        file, i + 1);
	}
	return 0;
}

/* ---- OCI layout ------------------------------------------------------------------ */

/* "sha256:HEX" -> "blobs/sha256/HEX"; NULL for anything else (sha256 is
 * the only digest berth checks). */
static char *blob_path(const char *digest)
{
	if (digest == NULL || !digest_valid(digest))
		return NULL;
	return xasprintf("blobs/sha256/%s", digest + 7);
}

static bool is_index_type(const char *t)
{
	return t && (strcmp(t, "application/vnd.oci.image.index.v1+json") == 0 ||
	             strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* This machine's architecture in OCI's words. */
static const char *host_arch(void)
{
	static const char *const map[][2] = {{"x86_64", "amd64"},    {"aarch64", "arm64"},
	                                     {"i686", "386"},        {"armv7l", "arm"},
	                                     {"ppc64le", "ppc64le"}, {"s390x", "s390x"}};
	struct utsname u;
	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(u.machine, map[i][0]) == 0)
				return map[i][1];
	return "";
}

/* The first manifest for this architecture, else the first one. */
static json_t *pick_manifest(json_t *list)
{
	const char *arch = host_arch();
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *m = json_array_get(list, i);
		const char *a = json_string_value(
		        json_object_get(json_object_get(m, "platform"), "architecture"));
		if (a && strcmp(a, arch) == 0)
			return m;
	}
	return json_array_get(list, 0);
}

int image_archive_oci_index(const char *text, const char *file, char **blob, bool *nested,
                            struct be_error **err)
{
	cleanup_json json_t *j = parse_json(text, file, err);
	if (j == NULL)
		return -1;
	json_t *list = json_object_get(j, "manifests");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return be_error_set(err, 0, "%s: \"manifests\" must list at least one manifest",
		                    file);
	json_t *m = pick_manifest(list);
	*blob = blob_path(json_string_value(json_object_get(m, "digest")));
	if (*blob == NULL)
		return be_error_set(err, 0, "%s: a manifest's \"digest\" is not sha256:HEX", file);
	*nested = is_index_type(json_string_value(json_object_get(m, "mediaType")));
	return 0;
}

/* Layer media types berth extracts (libarchive detects the compression). */
static bool tar_media_type(const char *t)
{
	static const char *const ends[] = {".tar", ".tar+gzip", ".tar+zstd", ".tar.gzip"};
	size_t n = t ? strlen(t) : 0;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t k = strlen(ends[i]);
		if (n > k && strcmp(t + n - k, ends[i]) == 0)
			return true;
	}
	return false;
}

int image_archive_oci_manifest(const char *text, const char *file, struct be_archive_plan *p,
                               struct be_error **err)
{
	cleanup_json json_t *j = parse_json(text, file, err);
	if (j == NULL)
		return -1;
	json_t *layers = json_object_get(j, "layers");
	size_t n = json_array_size(layers);
	p->config = blob_path(
	        json_string_value(json_object_get(json_object_get(j, "config"), "digest")));
	if (p->config == NULL)
		return be_error_set(err, 0, "%s: \"config\" has no digest sha256:HEX", file);
	if (!json_is_array(layers) || n == 0 || n > MAX_IMAGE_LAYERS)
		return be_error_set(err, 0, "%s: \"layers\" must list 1 to %d layers", file,
		                    MAX_IMAGE_LAYERS);
	p->layers = xcalloc(n, sizeof(*p->layers));
	p->digests = xcalloc(n, sizeof(*p->digests));
	for (size_t i = 0; i < n; i++, p->n_layers++) {
		json_t *l = json_array_get(layers, i);
		const char *type = json_string_value(json_object_get(l, "mediaType"));
		if (!tar_media_type(type))
			return be_error_set(err, 0,
			                    "%s: layer %zu: media type %s is not a tar layer", file,
			                    i + 1, type ? type : "(none)");
		p->layers[i] = blob_path(json_string_value(json_object_get(l, "digest")));
		if (p->layers[i] == NULL)
			return be_error_set(err, 0, "%s: layer %zu has no digest sha256:HEX", file,
			                    i + 1);
		p->digests[i] = xstrdup(json_string_value(json_object_get(l, "digest")));
	}
	return 0;
}

int image_archive_diff_ids(const char *text, const char *file, struct be_archive_plan *p,
                           struct be_error **err)
{
	cleanup_json json_t *j = parse_json(text, file, err);
	if (j == NULL)
		return -1;
	json_t *ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) != p->n_layers)
		return be_error_set(
		        err, 0,
		        "%s: \"rootfs.diff_ids\" must list the digest of each of the %zu "
		        "layers",
		        file, p->n_layers);
	p->digests = xcalloc(p->n_layers, sizeof(*p->digests));
	for (size_t i = 0; i < p->n_layers; i++) {
		const char *d = json_string_value(json_array_get(ids, i));
		if (d == NULL || !digest_valid(d))
			return be_error_set(err, 0,
			                    "%s: \"rootfs.diff_ids\" item %zu is not sha256:HEX",
			                    file, i + 1);
		p->digests[i] = xstrdup(d);
	}
	return 0;
}

/* index.json, through nested indexes, to the image manifest. */
static int oci_plan(int dfd, struct be_archive_plan *p, struct be_error **err)
{
	cleanup_free char *file = xstrdup("index.json");
	bool nested = true;
	for (int depth = 0; nested; depth++) {
		if (depth == MAX_INDEX_DEPTH)
			return be_error_set(err, 0, "%s: indexes nested too deep", file);
		cleanup_free char *text = read_blob(dfd, file, err);
		char *blob = NULL;
		if (text == NULL || image_archive_oci_index(text, file, &blob, &nested, err) < 0)
			return -1;
		free(file);
		file = blob;
	}
	cleanup_free char *text = read_blob(dfd, file, err);
	if (text == NULL)
		return -1;
	return image_archive_oci_manifest(text, file, p, err);
}

/* ---- config -------------------------------------------------------------------- */

/* Appends the strings of config.KEY (absent or null: nothing) to *v. */
static int add_strv(json_t *cfg, const char *key, const char *file, char ***v, size_t *n,
                    struct be_error **err)
{
	json_t *a = json_object_get(cfg, key);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return be_error_set(err, 0, "%s: \"config.%s\" must be an array of strings", file,
		                    key);
	*v = xrealloc(*v, (*n + json_array_size(a) + 1) * sizeof(**v));
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (s == NULL)
			return be_error_set(err, 0, "%s: \"config.%s\" must be an array of strings",
			                    file, key);
		(*v)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static bool has_path(char *const *env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return true;
	return false;
}

int image_archive_config(const char *text, const char *file, struct be_image_rec *rec,
                         struct be_error **err)
{
	cleanup_json json_t *j = parse_json(text, file, err);
	if (j == NULL)
		return -1;
	if (!json_is_object(j))
		return be_error_set(err, 0, "%s: not a JSON object", file);
	json_t *cfg = json_object_get(j, "config");
	if (cfg && !json_is_null(cfg) && !json_is_object(cfg))
		return be_error_set(err, 0, "%s: \"config\" must be an object", file);
	/* docker run's command: the entrypoint followed by the cmd. */
	if (add_strv(cfg, "Entrypoint", file, &rec->cmd, &rec->n_cmd, err) < 0 ||
	    add_strv(cfg, "Cmd", file, &rec->cmd, &rec->n_cmd, err) < 0 ||
	    add_strv(cfg, "Env", file, &rec->env, &rec->n_env, err) < 0)
		return -1;
	if (rec->n_cmd == 0) {
		rec->cmd = xrealloc(rec->cmd, sizeof(*rec->cmd));
		rec->cmd[rec->n_cmd++] = xstrdup("/bin/sh");
	}
	if (!has_path(rec->env, rec->n_env)) {
		/* docker gives a container a PATH when the image sets none. */
		rec->env = xrealloc(rec->env, (rec->n_env + 1) * sizeof(*rec->env));
		memmove(rec->env + 1, rec->env, rec->n_env * sizeof(*rec->env));
		rec->env[0] = xstrdup(DEFAULT_PATH);
		rec->n_env++;
	}
	json_t *wd = json_object_get(cfg, "WorkingDir");
	if (wd && !json_is_null(wd) && !json_is_string(wd))
		return be_error_set(err, 0, "%s: \"config.WorkingDir\" must be a string", file);
	const char *w = json_string_value(wd);
	rec->workdir = (w == NULL || w[0] == '\0') ? xstrdup("/")
	               : w[0] == '/'               ? xstrdup(w)
	                                           : xasprintf("/%s", w);
	return 0;
}

/* ---- detection and the chain ------------------------------------------------------ */

/* Whether the JSON file rel at the top of dfd says this is an image archive:
 * 0 when absent or valid JSON (*j gets it), -1 when present but unreadable,
 * too large, holding a NUL or not JSON (an error, never a root filesystem). */
static int top_json(int dfd, const char *rel, json_t **j, struct be_error **err)
{
	*j = NULL;
	struct stat st;
	if (fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	cleanup_free char *text = read_text(dfd, rel, err);
	if (text == NULL)
		return -1;
	*j = parse_json(text, rel, err);
	return *j ? 0 : -1;
}

int image_archive_kind(const char *dir, enum be_archive_kind *kind, struct be_error **err)
{
	*kind = BE_ARCHIVE_ROOTFS;
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	cleanup_json json_t *m = NULL;
	cleanup_json json_t *idx = NULL;
	if (top_json(dfd, "manifest.json", &m, err) < 0 ||
	    top_json(dfd, "index.json", &idx, err) < 0)
		return -1;
	struct stat st;
	if (json_is_array(m))
		*kind = BE_ARCHIVE_DOCKER;
	else if (idx && fstatat(dfd, "oci-layout", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	         S_ISREG(st.st_mode))
		*kind = BE_ARCHIVE_OCI;
	return 0;
}

/* A layer blob's running digest (extract_fd's on_read hook). */
static void hash_read(const void *buf, size_t n, void *data)
{
	digest_sha256_update(data, buf, n);
}

/* Finishes the digest of the layer blob fd (what follows the archive's end
 * too) and compares it with want. */
static int check_layer_digest(int fd, struct digest_sha256 *d, const char *rel, const char *want,
                              struct be_error **err)
{
	char buf[64 * 1024];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return be_error_set(err, errno, "reading %s", rel);
		if (r == 0)
			break;
		digest_sha256_update(d, buf, (size_t)r);
	}
	char got[DIGEST_STR_MAX];
	digest_sha256_final(d, got);
	return strcmp(got, want) == 0 ? 0 : digest_mismatch(rel, want, got, err);
}

/* Extracts the layer tarball rel into a new layer over parent, hashing
 * the blob as it is read: its content must have the digest want. */
static int build_layer(const struct be_ctx *ctx, int dfd, const char *rel, const char *want,
                       const char *parent, char id[BE_LAYER_ID_LEN + 1], struct be_error **err)
{
	cleanup_close int fd = open_beneath(dfd, rel, err);
	if (fd < 0)
		return -1;
	struct be_layer_tmp *t = NULL;
	cleanup_close int lock = -1;
	if (layer_begin_locked(ctx, &t, &lock, err) < 0)
		return -1;
	struct digest_sha256 d;
	digest_sha256_init(&d);
	const struct be_extract_opts xo = {
	        .image_layer = true, .on_read = hash_read, .on_read_data = &d};
	if (extract_fd(fd, layer_tmp_diff(t), &xo, err) < 0) {
		layer_abort(t);
		/* A blob that is not what the archive names is the cause to
		 * report, whatever its extraction tripped on. */
		struct be_error *e2 = NULL;
		if (check_layer_digest(fd, &d, rel, want, &e2) < 0 && e2->errnum == 0 && err) {
			be_error_clear(err);
			*err = e2;
			return -1;
		}
		be_error_free(e2);
		return be_error_wrap(err, "layer %s", rel);
	}
	if (check_layer_digest(fd, &d, rel, want, err) < 0) {
		layer_abort(t);
		return -1;
	}
	return layer_commit(ctx, t, parent, "import", id, err);
}

/* One layer per entry of p, lowest first; rec->layers gets them top
 * first.  On failure the layers made so far are removed. */
static int build_chain(const struct be_ctx *ctx, int dfd, const struct be_archive_plan *p,
                       struct be_image_rec *rec, struct be_error **err)
{
	size_t n = p->n_layers;
	char **ids = xcalloc(n, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		char id[BE_LAYER_ID_LEN + 1];
		if (build_layer(ctx, dfd, p->layers[i], p->digests[i], i ? ids[n - i] : NULL, id,
		                err) < 0) {
			for (size_t k = n - i; k < n; k++) {
				layer_remove(ctx, ids[k], NULL);
				free(ids[k]);
			}
			free(ids);
			return -1;
		}
		ids[n - 1 - i] = xstrdup(id);
	}
	rec->layers = ids;
	rec->n_layers = n;
	return 0;
}

int image_archive_build(const struct be_ctx *ctx, const char *dir, enum be_archive_kind kind,
                        struct be_image_rec *rec, struct be_error **err)
{
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return be_error_set(err, errno, "opening %s", dir);
	struct be_archive_plan p = {0};
	int rc;
	if (kind == BE_ARCHIVE_DOCKER) {
		cleanup_free char *text = read_text(dfd, "manifest.json", err);
		rc = text ? image_archive_docker_plan(text, &p, err) : -1;
	} else {
		rc = oci_plan(dfd, &p, err);
	}
	cleanup_free char *config = rc == 0 ? read_blob(dfd, p.config, err) : NULL;
	if (rc == 0 && config == NULL)
		rc = -1;
	if (rc == 0)
		rc = image_archive_config(config, p.config, rec, err);
	/* docker save: each layer tar's digest is in the config (OCI: in the
	 * manifest, read above). */
	if (rc == 0 && kind == BE_ARCHIVE_DOCKER)
		rc = image_archive_diff_ids(config, p.config, &p, err);
	if (rc == 0)
		rc = build_chain(ctx, dfd, &p, rec, err);
	image_archive_plan_free(&p);
	return rc;
}
