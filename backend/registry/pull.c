/* berth pull: manifest (through an index to the platform's), config, the
 * layers berth lacks (downloaded in parallel, checked), unpacked into a
 * chain of layers, registered as an image.  Nothing stays registered when
 * a step fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/extract.h"
#include "image/image_archive.h"
#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

static const char *const accept_hdr[] = {
        "Accept: " REG_MT_OCI_INDEX ", " REG_MT_OCI_MANIFEST ", " REG_MT_DOCKER_LIST
        ", " REG_MT_DOCKER_MANIFEST,
        NULL,
};

struct pull {
	const struct be_ctx *ctx;
	struct reg_session s;
	struct reg_ref ref;
	struct reg_manifest m;
	char manifest_digest[DIGEST_STR_MAX];
	char *config;
	char **diff_ids;
	size_t n_diff;
	char **ids; /* local layer ids, lowest first (NULL: not made yet) */
	bool *made; /* made by this pull */
	struct reg_layer_ent *ents;
};

static void pull_free(struct pull *p)
{
	reg_session_close(&p->s);
	for (size_t i = 0; p->ids && i < p->m.n_layers; i++)
		free(p->ids[i]);
	free(p->ids);
	reg_manifest_free(&p->m);
	free(p->config);
	layer_chain_free(p->diff_ids, p->n_diff);
	free(p->made);
	free(p->ents);
	reg_ref_free(&p->ref);
}

static void report(struct pull *p, enum be_reg_event ev, const char *digest, size_t index)
{
	const struct be_reg_opts *o = p->s.opts;
	if (o == NULL || o->progress == NULL)
		return;
	struct be_reg_progress ev_ = {
	        .event = ev, .digest = digest, .index = index, .count = p->m.n_layers};
	o->progress(&ev_, o->progress_data);
}

/* GETs a manifest by tag or digest; checks it against want when given. */
static int get_manifest(struct pull *p, const char *what, const char *want, struct reg_resp *r,
                        struct be_error **err)
{
	cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", p->ref.repo, what);
	if (reg_request(&p->s, "GET", path, accept_hdr, NULL, 0, -1, 0, r, err) < 0)
		return -1;
	if (r->status != 200) {
		cleanup_free char *w = xasprintf("manifest %s", what);
		return reg_http_fail(&p->s, w, r, err);
	}
	char got[DIGEST_STR_MAX];
	digest_sha256_buf(r->body ? r->body : "", r->len, got);
	if (want && strcmp(got, want) != 0)
		return be_error_set(err, 0, "%s/%s: manifest %s: digest mismatch: got %s",
		                    p->ref.registry, p->ref.repo, want, got);
	snprintf(p->manifest_digest, sizeof(p->manifest_digest), "%s", got);
	return 0;
}

/* The image manifest for the platform, through an index when there is one. */
static int resolve(struct pull *p, struct be_error **err)
{
	const char *platform = p->s.opts && p->s.opts->platform ? p->s.opts->platform : NULL;
	const char *what = p->ref.digest[0] ? p->ref.digest : p->ref.tag;
	const char *want = p->ref.digest[0] ? p->ref.digest : NULL;
	char chosen[DIGEST_STR_MAX] = "";
	for (int depth = 0; depth < 3; depth++) {
		struct reg_resp r = {0};
		int rc = get_manifest(p, what, want, &r, err);
		if (rc == 0)
			rc = reg_manifest_parse(r.body, r.len, r.content_type, platform, &p->m,
			                        chosen, err);
		reg_resp_free(&r);
		if (rc < 0)
			return -1;
		if (!p->m.is_index)
			return 0;
		p->m = (struct reg_manifest){0};
		want = what = chosen;
	}
	return be_error_set(err, 0, "%s/%s: indexes nested too deep", p->ref.registry, p->ref.repo);
}

static int get_config(struct pull *p, struct be_error **err)
{
	const char *d = p->m.config.digest;
	if (p->m.config.size > (int64_t)REG_MAX_JSON)
		return be_error_set(err, 0, "%s/%s: config %s is too large", p->ref.registry,
		                    p->ref.repo, d);
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", p->ref.repo, d);
	struct reg_resp r = {0};
	int rc = reg_request(&p->s, "GET", path, NULL, NULL, 0, -1, 0, &r, err);
	if (rc == 0 && r.status != 200) {
		cleanup_free char *w = xasprintf("config %s", d);
		rc = reg_http_fail(&p->s, w, &r, err);
	}
	char got[DIGEST_STR_MAX];
	if (rc == 0) {
		digest_sha256_buf(r.body ? r.body : "", r.len, got);
		if (strcmp(got, d) != 0)
			rc = be_error_set(err, 0, "%s/%s: config %s: digest mismatch: got %s",
			                  p->ref.registry, p->ref.repo, d, got);
	}
	if (rc == 0) {
		p->config = r.body ? steal_pointer(&r.body) : xstrdup("");
		rc = reg_config_diff_ids(p->config, &p->diff_ids, &p->n_diff, err);
	}
	reg_resp_free(&r);
	if (rc == 0 && p->n_diff != p->m.n_layers)
		rc = be_error_set(err, 0, "%s/%s: the config lists %zu layers, the manifest %zu",
		                  p->ref.registry, p->ref.repo, p->n_diff, p->m.n_layers);
	return rc;
}

/* Finds the layers already held, from the bottom up; returns how many. */
static size_t find_held(struct pull *p)
{
	size_t n = p->m.n_layers, k = 0;
	p->ids = xcalloc(n, sizeof(*p->ids));
	p->made = xcalloc(n, sizeof(*p->made));
	p->ents = xcalloc(n, sizeof(*p->ents));
	char chain[DIGEST_STR_MAX] = "";
	for (size_t i = 0; i < n; i++) {
		struct reg_layer_ent *e = &p->ents[i];
		reg_chain_id(chain, p->diff_ids[i], e->chain);
		snprintf(chain, sizeof(chain), "%s", e->chain);
		snprintf(e->diff_id, sizeof(e->diff_id), "%s", p->diff_ids[i]);
		snprintf(e->blob, sizeof(e->blob), "%s", p->m.layers[i].digest);
		snprintf(e->media_type, sizeof(e->media_type), "%s", p->m.layers[i].media_type);
		e->blob_size = p->m.layers[i].size;
		snprintf(e->repo, sizeof(e->repo), "%s/%s", p->ref.registry, p->ref.repo);
		struct reg_layer_ent held;
		if (k == i &&
		    reg_index_by_chain(p->ctx, e->chain, i ? p->ids[i - 1] : "", &held) == 0) {
			p->ids[i] = xstrdup(held.layer);
			snprintf(e->layer, sizeof(e->layer), "%s", held.layer);
			k++;
			report(p, BE_REG_EXISTS, e->blob, i);
		}
	}
	return k;
}

/* Unpacks the checked blob at path into a new layer over parent. */
static int unpack(struct pull *p, size_t i, const char *path, struct be_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s", path);
	report(p, BE_REG_EXTRACT, p->m.layers[i].digest, i);
	struct be_layer_tmp *t = NULL;
	cleanup_close int lock = -1;
	if (layer_begin_locked(p->ctx, &t, &lock, err) < 0)
		return -1;
	const struct be_extract_opts xo = {.image_layer = true};
	if (extract_fd(fd, layer_tmp_diff(t), &xo, err) < 0) {
		layer_abort(t);
		return be_error_wrap(err, "layer %s", p->m.layers[i].digest);
	}
	char id[BE_LAYER_ID_LEN + 1];
	if (layer_commit(p->ctx, t, i ? p->ids[i - 1] : NULL, "pull", id, err) < 0)
		return -1;
	p->ids[i] = xstrdup(id);
	p->made[i] = true;
	snprintf(p->ents[i].layer, sizeof(p->ents[i].layer), "%s", id);
	return 0;
}

struct unpack_state {
	struct pull *p;
	size_t k;    /* first layer downloaded */
	size_t next; /* next layer to unpack */
};

/* A blob arrived: unpack every layer whose blob and those below are here,
 * while the other downloads go on (their data waits in the sockets). */
static int on_blob(struct reg_fetch *f, size_t done, void *data, struct be_error **err)
{
	(void)done;
	struct unpack_state *u = data;
	struct pull *p = u->p;
	const struct be_reg_opts *o = p->s.opts;
	while (u->next < p->m.n_layers && f[u->next - u->k].ready) {
		if (o && o->cancel && *o->cancel)
			return BE_FAIL_CODE(err, EINTR, "interrupted");
		struct reg_fetch *b = &f[u->next - u->k];
		if (unpack(p, u->next, b->path, err) < 0)
			return -1;
		unlink(b->path);
		u->next++;
	}
	return 0;
}

/* Downloads the layers from k up, unpacking them in order as they come. */
static int fetch_and_unpack(struct pull *p, size_t k, struct be_error **err)
{
	size_t n = p->m.n_layers;
	struct reg_fetch *f = xcalloc(n - k + 1, sizeof(*f));
	for (size_t i = k; i < n; i++) {
		f[i - k].blob = p->m.layers[i];
		f[i - k].index = i;
	}
	struct unpack_state u = {.p = p, .k = k, .next = k};
	int rc = reg_fetch_blobs(&p->s, p->ctx, f, n - k, n, on_blob, &u, err);
	if (rc == 0 && u.next != n)
		rc = be_error_set(err, 0, "internal error: %zu of %zu layers unpacked", u.next, n);
	for (size_t i = 0; i < n - k; i++) {
		if (f[i].path)
			unlink(f[i].path);
		free(f[i].path);
	}
	free(f);
	return rc;
}

static int register_image(struct pull *p, const char *name, struct be_error **err)
{
	size_t n = p->m.n_layers;
	struct be_image_rec *rec = xcalloc(1, sizeof(*rec));
	int rc = image_archive_config(p->config, "image config", rec, err);
	char **top_first = xcalloc(n, sizeof(*top_first));
	for (size_t i = 0; i < n; i++)
		top_first[i] = p->ids[n - 1 - i];
	cleanup_free char *refs = reg_ref_string(&p->ref);
	cleanup_free char *source =
	        xasprintf("pulled from %s (manifest %s)", refs, p->manifest_digest);
	if (rc == 0)
		rc = image_register_chain(p->ctx, name, top_first, n, rec, source, true, err);
	free(top_first);
	image_rec_free(rec);
	if (rc == 0)
		rc = reg_index_add(p->ctx, p->ents, n, err);
	return rc;
}

static int pull(struct pull *p, const char *name, struct be_error **err)
{
	if (resolve(p, err) < 0 || get_config(p, err) < 0)
		return -1;
	report(p, BE_REG_MANIFEST, p->manifest_digest, p->m.n_layers);
	size_t k = find_held(p);
	if (fetch_and_unpack(p, k, err) < 0 || register_image(p, name, err) < 0) {
		for (size_t i = p->m.n_layers; i-- > 0;)
			if (p->made && p->made[i])
				layer_remove(p->ctx, p->ids[i], NULL);
		return -1;
	}
	return 0;
}

int be_registry_pull(const struct be_ctx *ctx, const char *ref, const char *name,
                     const struct be_reg_opts *opts, char **name_out, struct be_error **err)
{
	struct pull p = {.ctx = ctx};
	char local[BE_NAME_MAX + 1];
	int rc = reg_ref_parse(ref, &p.ref, err);
	if (rc == 0 && name == NULL) {
		reg_ref_local_name(&p.ref, local);
		name = local;
	}
	if (rc == 0)
		rc = be_name_check("image", name, err);
	if (rc == 0)
		rc = reg_session_open(&p.s, &p.ref, opts, "pull", NULL, NULL, err);
	if (rc == 0)
		rc = pull(&p, name, err);
	if (rc == 0 && name_out)
		*name_out = xstrdup(name);
	pull_free(&p);
	if (rc < 0)
		return be_error_wrap(err, "pulling %s", ref);
	return 0;
}
