/* berth push: each layer as a blob (one the registry already has, from the
 * index, or a fresh deterministic export), HEAD before any upload, a
 * monolithic upload (POST, then PUT ?digest=), the config, the manifest
 * last; and login/logout. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

struct push {
	const struct be_ctx *ctx;
	struct reg_session s;
	struct reg_ref ref;
	struct be_image_rec *img;
	struct reg_layer_ent *ents; /* lowest first */
	size_t n;
	char *tmpdir;
	int tmplock;
};

static void report(struct push *p, enum be_reg_event ev, const char *digest, size_t i,
                   uint64_t total)
{
	const struct be_reg_opts *o = p->s.opts;
	if (o == NULL || o->progress == NULL)
		return;
	struct be_reg_progress e = {
	        .event = ev, .digest = digest, .index = i, .count = p->n, .total = total};
	if (ev == BE_REG_DONE)
		e.bytes = total;
	o->progress(&e, o->progress_data);
}

/* 1 when the registry has the blob, 0 when not. */
static int has_blob(struct push *p, const char *digest, struct be_error **err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", p->ref.repo, digest);
	struct reg_resp r = {0};
	int rc = reg_request(&p->s, "HEAD", path, NULL, NULL, 0, -1, 0, &r, err);
	if (rc == 0 && r.status != 200 && r.status != 404) {
		cleanup_free char *w = xasprintf("blob %s", digest);
		rc = reg_http_fail(&p->s, w, &r, err);
	}
	if (rc == 0)
		rc = r.status == 200;
	reg_resp_free(&r);
	return rc;
}

/* POST an upload session, PUT the bytes with ?digest=. */
static int upload(struct push *p, const char *digest, const void *body, size_t len, int fd,
                  int64_t size, struct be_error **err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/", p->ref.repo);
	cleanup_free char *w = xasprintf("uploading blob %s", digest);
	struct reg_resp r = {0};
	int rc = reg_request(&p->s, "POST", path, NULL, "", 0, -1, 0, &r, err);
	if (rc == 0 && (r.status != 202 || r.location == NULL))
		rc = reg_http_fail(&p->s, w, &r, err);
	cleanup_free char *put = NULL;
	if (rc == 0)
		put = xasprintf("%s%sdigest=%s", r.location, strchr(r.location, '?') ? "&" : "?",
		                digest);
	reg_resp_free(&r);
	static const char *const octet[] = {"Content-Type: application/octet-stream", NULL};
	if (rc == 0)
		rc = reg_request(&p->s, "PUT", put, octet, body, len, fd, size, &r, err);
	if (rc == 0 && r.status != 201)
		rc = reg_http_fail(&p->s, w, &r, err);
	reg_resp_free(&r);
	return rc;
}

/* Asks the registry to link a blob of another of its repositories into
 * this one (POST ?mount=&from=): 1 when it did (201), 0 when not (it may
 * open an upload session instead, which is left to expire). */
static int mount_blob(struct push *p, const struct reg_layer_ent *e, struct be_error **err)
{
	size_t rl = strlen(p->ref.registry);
	if (strncmp(e->repo, p->ref.registry, rl) != 0 || e->repo[rl] != '/' ||
	    strcmp(e->repo + rl + 1, p->ref.repo) == 0)
		return 0;
	cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", p->ref.repo,
	                                    e->blob, e->repo + rl + 1);
	struct reg_resp r = {0};
	int rc = reg_request(&p->s, "POST", path, NULL, "", 0, -1, 0, &r, err);
	if (rc == 0)
		rc = r.status == 201;
	reg_resp_free(&r);
	return rc;
}

/* A blob the registry already has (or mounts from another repository)
 * among the index's entries for layer i (its chain must be the one this
 * push builds); 1 when found. */
static int reuse(struct push *p, size_t i, const char *parent_chain, struct be_error **err)
{
	struct reg_layer_ent *c = NULL;
	size_t n = 0;
	reg_index_for_layer(p->ctx, p->ents[i].layer, &c, &n);
	int found = 0;
	for (size_t k = 0; k < n && found == 0; k++) {
		char chain[DIGEST_STR_MAX];
		reg_chain_id(parent_chain, c[k].diff_id, chain);
		if (strcmp(chain, c[k].chain) != 0)
			continue;
		found = has_blob(p, c[k].blob, err);
		if (found == 0)
			found = mount_blob(p, &c[k], err);
		if (found == 1)
			p->ents[i] = c[k];
	}
	free(c);
	return found;
}

static int push_layer(struct push *p, size_t i, const char *parent_chain, struct be_error **err)
{
	int r = reuse(p, i, parent_chain, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		report(p, BE_REG_EXISTS, p->ents[i].blob, i, (uint64_t)p->ents[i].blob_size);
		return 0;
	}
	cleanup_free char *file = xasprintf("%s/layer", p->tmpdir);
	cleanup_close int fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return be_error_set(err, errno, "creating %s", file);
	char id[16];
	snprintf(id, sizeof(id), "%s", p->ents[i].layer);
	if (reg_export_layer(p->ctx, id, fd, &p->ents[i], err) < 0)
		return -1;
	reg_chain_id(parent_chain, p->ents[i].diff_id, p->ents[i].chain);
	struct reg_layer_ent *e = &p->ents[i];
	r = has_blob(p, e->blob, err);
	if (r == 1)
		report(p, BE_REG_EXISTS, e->blob, i, (uint64_t)e->blob_size);
	if (r != 0)
		return r < 0 ? -1 : 0;
	report(p, BE_REG_START, e->blob, i, (uint64_t)e->blob_size);
	if (upload(p, e->blob, NULL, 0, fd, e->blob_size, err) < 0)
		return -1;
	report(p, BE_REG_DONE, e->blob, i, (uint64_t)e->blob_size);
	return 0;
}

static json_t *strv(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *reg_config_json(const struct be_image_rec *img, const struct reg_layer_ent *ents, size_t n)
{
	char created[32];
	time_t t = (time_t)img->created;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *diffs = json_array(), *hist = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(diffs, json_string(ents[i].diff_id));
		json_array_append_new(
		        hist, json_pack("{s:s,s:s}", "created", created, "created_by", "berth"));
	}
	cleanup_json json_t *j = json_pack(
	        "{s:s,s:s,s:s,s:{s:o,s:o,s:s},s:{s:s,s:o},s:o}", "architecture", "amd64", "os",
	        "linux", "created", created, "config", "Env", strv(img->env, img->n_env), "Cmd",
	        strv(img->cmd, img->n_cmd), "WorkingDir", img->workdir ? img->workdir : "/",
	        "rootfs", "type", "layers", "diff_ids", diffs, "history", hist);
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

/* The OCI name of a layer media type (Docker's gzip'd tar is OCI's). */
static const char *oci_layer_type(const char *t)
{
	if (strcmp(t, "application/vnd.docker.image.rootfs.diff.tar.gzip") == 0)
		return REG_MT_OCI_LAYER_GZIP;
	if (strcmp(t, "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip") == 0)
		return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
	return t;
}

char *reg_manifest_json(const struct reg_layer_ent *ents, size_t n, const char *cfg_digest,
                        size_t cfg_len)
{
	json_t *layers = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType",
		                                        oci_layer_type(ents[i].media_type),
		                                        "digest", ents[i].blob, "size",
		                                        (json_int_t)ents[i].blob_size));
	cleanup_json json_t *j =
	        json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
	                  REG_MT_OCI_MANIFEST, "config", "mediaType", REG_MT_OCI_CONFIG, "digest",
	                  cfg_digest, "size", (json_int_t)cfg_len, "layers", layers);
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static int put_manifest(struct push *p, char **digest_out, struct be_error **err)
{
	cleanup_free char *cfg = reg_config_json(p->img, p->ents, p->n);
	char cd[DIGEST_STR_MAX];
	digest_sha256_buf(cfg, strlen(cfg), cd);
	int r = has_blob(p, cd, err);
	if (r == 0)
		r = upload(p, cd, cfg, strlen(cfg), -1, 0, err);
	if (r < 0)
		return -1;
	cleanup_free char *man = reg_manifest_json(p->ents, p->n, cd, strlen(cfg));
	char md[DIGEST_STR_MAX];
	digest_sha256_buf(man, strlen(man), md);
	const char *tag = p->ref.digest[0] ? md : p->ref.tag;
	if (p->ref.digest[0] && strcmp(p->ref.digest, md) != 0)
		return be_error_set(err, 0, "pushing to %s: the manifest's digest is %s",
		                    p->ref.digest, md);
	cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", p->ref.repo, tag);
	static const char *const ct[] = {"Content-Type: " REG_MT_OCI_MANIFEST, NULL};
	struct reg_resp resp = {0};
	int rc = reg_request(&p->s, "PUT", path, ct, man, strlen(man), -1, 0, &resp, err);
	if (rc == 0 && resp.status != 201) {
		cleanup_free char *w = xasprintf("manifest %s", tag);
		rc = reg_http_fail(&p->s, w, &resp, err);
	}
	reg_resp_free(&resp);
	if (rc == 0) {
		report(p, BE_REG_MANIFEST, md, p->n, strlen(man));
		if (digest_out)
			*digest_out = xstrdup(md);
	}
	return rc;
}

static int push(struct push *p, char **digest_out, struct be_error **err)
{
	p->n = p->img->n_layers;
	p->ents = xcalloc(p->n, sizeof(*p->ents));
	for (size_t i = 0; i < p->n; i++)
		snprintf(p->ents[i].layer, sizeof(p->ents[i].layer), "%s",
		         p->img->layers[p->n - 1 - i]);
	p->tmpdir = store_mkdtemp(p->ctx, "push", &p->tmplock, err);
	if (p->tmpdir == NULL)
		return -1;
	char chain[DIGEST_STR_MAX] = "";
	const struct be_reg_opts *o = p->s.opts;
	for (size_t i = 0; i < p->n; i++) {
		if (o && o->cancel && *o->cancel)
			return BE_FAIL_CODE(err, EINTR, "interrupted");
		if (push_layer(p, i, chain, err) < 0)
			return -1;
		snprintf(chain, sizeof(chain), "%s", p->ents[i].chain);
	}
	if (put_manifest(p, digest_out, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++)
		snprintf(p->ents[i].repo, sizeof(p->ents[i].repo), "%s/%s", p->ref.registry,
		         p->ref.repo);
	return reg_index_add(p->ctx, p->ents, p->n, err);
}

int be_registry_push(const struct be_ctx *ctx, const char *image, const char *ref,
                     const struct be_reg_opts *opts, char **digest_out, struct be_error **err)
{
	struct push p = {.ctx = ctx, .tmplock = -1};
	int rc = reg_ref_parse(ref, &p.ref, err);
	if (rc == 0)
		rc = image_load(ctx, image, &p.img, err);
	if (rc == 0)
		rc = reg_session_open(&p.s, &p.ref, opts, "pull,push", NULL, NULL, err);
	if (rc == 0)
		rc = push(&p, digest_out, err);
	if (p.tmpdir)
		util_rm_rf(p.tmpdir, NULL);
	if (p.tmplock >= 0)
		close(p.tmplock);
	free(p.tmpdir);
	free(p.ents);
	if (p.img)
		image_rec_free(p.img);
	reg_session_close(&p.s);
	reg_ref_free(&p.ref);
	if (rc < 0)
		return be_error_wrap(err, "pushing %s to %s", image, ref);
	return 0;
}

/* ---- login / logout -------------------------------------------------------------- */

int be_registry_login(const char *registry, const char *user, const char *pass,
                      const struct be_reg_opts *opts, struct be_error **err)
{
	struct reg_ref ref;
	cleanup_free char *probe = xasprintf("%s/x", registry);
	if (reg_ref_parse(probe, &ref, err) < 0 || strcmp(ref.registry, registry) != 0) {
		if (ref.registry)
			reg_ref_free(&ref);
		return BE_FAIL_CODE(err, EINVAL, "invalid registry \"%s\"", registry);
	}
	struct reg_session s;
	int rc = reg_session_open(&s, &ref, opts, "pull", user, pass, err);
	struct reg_resp r = {0};
	if (rc == 0)
		rc = reg_request(&s, "GET", "/v2/", NULL, NULL, 0, -1, 0, &r, err);
	if (rc == 0 && r.status != 200)
		rc = r.status == 401
		             ? BE_FAIL_CODE(err, EACCES, "%s: HTTP 401: user or password refused",
		                            registry)
		             : reg_http_fail(&s, "login", &r, err);
	reg_resp_free(&r);
	reg_session_close(&s);
	reg_ref_free(&ref);
	cleanup_free char *path = reg_auth_path();
	if (rc == 0)
		rc = reg_auth_store(path, registry, user, pass, err);
	if (rc < 0)
		return be_error_wrap(err, "logging in to %s", registry);
	return 0;
}

int be_registry_logout(const char *registry, struct be_error **err)
{
	cleanup_free char *path = reg_auth_path();
	if (reg_auth_store(path, registry, NULL, NULL, err) < 0)
		return be_error_wrap(err, "logging out of %s", registry);
	return 0;
}
