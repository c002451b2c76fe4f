/* Manifests and indexes as registries serve them (OCI image index and
 * manifest, Docker schema2 manifest and manifest list), platform
 * selection, the diff ids of an image config and OCI chain ids. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

void reg_manifest_free(struct reg_manifest *m)
{
	free(m->config.media_type);
	for (size_t i = 0; i < m->n_layers; i++)
		free(m->layers[i].media_type);
	free(m->layers);
	*m = (struct reg_manifest){0};
}

static json_t *parse(const char *text, size_t len, const char *what, struct be_error **err)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		be_error_set(err, 0, "%s: line %d: %s", what, je.line, je.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		be_error_set(err, 0, "%s: not a JSON object", what);
		j = NULL;
	}
	return j;
}

/* A descriptor: digest (sha256 only), size, mediaType. */
static int blob_of(json_t *d, const char *what, struct reg_blob *b, struct be_error **err)
{
	const char *digest = json_string_value(json_object_get(d, "digest"));
	json_t *size = json_object_get(d, "size");
	const char *mt = json_string_value(json_object_get(d, "mediaType"));
	if (!json_is_object(d) || digest == NULL || !digest_valid(digest))
		return be_error_set(err, 0, "manifest: %s has no digest sha256:HEX", what);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return be_error_set(err, 0, "manifest: %s has no size", what);
	snprintf(b->digest, sizeof(b->digest), "%s", digest);
	b->size = json_integer_value(size);
	b->media_type = xstrdup(mt ? mt : "");
	return 0;
}

/* Layer media types berth can unpack: tar, gzip'd tar, zstd'd tar. */
static bool layer_type_ok(const char *t)
{
	static const char *const ok[] = {
	        "application/vnd.oci.image.layer.v1.tar",
	        "application/vnd.oci.image.layer.v1.tar+gzip",
	        "application/vnd.oci.image.layer.v1.tar+zstd",
	        "application/vnd.docker.image.rootfs.diff.tar.gzip",
	        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(t, ok[i]) == 0)
			return true;
	return false;
}

static int parse_image(json_t *j, struct reg_manifest *m, struct be_error **err)
{
	if (blob_of(json_object_get(j, "config"), "the config", &m->config, err) < 0)
		return -1;
	json_t *layers = json_object_get(j, "layers");
	size_t n = json_array_size(layers);
	if (!json_is_array(layers) || n == 0 || n > REG_MAX_LAYERS)
		return be_error_set(err, 0, "manifest: \"layers\" must list 1 to %d layers",
		                    REG_MAX_LAYERS);
	m->layers = xcalloc(n, sizeof(*m->layers));
	for (size_t i = 0; i < n; i++) {
		char what[32];
		snprintf(what, sizeof(what), "layer %zu", i + 1);
		int r = blob_of(json_array_get(layers, i), what, &m->layers[i], err);
		m->n_layers += m->layers[i].media_type != NULL; /* freed with m */
		if (r < 0)
			return -1;
		if (!layer_type_ok(m->layers[i].media_type))
			return be_error_set(
			        err, 0,
			        "manifest: layer %zu has media type \"%s\", not a tar layer", i + 1,
			        m->layers[i].media_type);
	}
	return 0;
}

/* "os/arch[/variant]" of an index entry's platform. */
static void platform_of(json_t *p, char *buf, size_t len)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));
	snprintf(buf, len, "%s/%s%s%s", os ? os : "?", arch ? arch : "?", var ? "/" : "",
	         var ? var : "");
}

/* Whether entry platform have matches want; want without a variant takes
 * any variant. */
static bool platform_match(const char *have, const char *want)
{
	if (strcmp(have, want) == 0)
		return true;
	const char *slash = strchr(want, '/');
	bool want_variant = slash && strchr(slash + 1, '/');
	size_t n = strlen(want);
	return !want_variant && strncmp(have, want, n) == 0 && have[n] == '/';
}

static int pick(json_t *j, const char *platform, char chosen[DIGEST_STR_MAX], struct be_error **err)
{
	json_t *list = json_object_get(j, "manifests");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return be_error_set(err, 0, "index: \"manifests\" lists nothing");
	char offered[512] = "";
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		char have[128];
		platform_of(json_object_get(e, "platform"), have, sizeof(have));
		if (platform_match(have, platform)) {
			struct reg_blob b = {0};
			int r = blob_of(e, "an index entry", &b, err);
			free(b.media_type);
			if (r == 0)
				snprintf(chosen, DIGEST_STR_MAX, "%s", b.digest);
			return r;
		}
		size_t used = strlen(offered);
		snprintf(offered + used, sizeof(offered) - used, "%s%s", used ? ", " : "", have);
	}
	return BE_FAIL_CODE(err, ENOENT, "no image for platform %s (offered: %s)", platform,
	                    offered);
}

int reg_manifest_parse(const char *text, size_t len, const char *media_type, const char *platform,
                       struct reg_manifest *out, char chosen[DIGEST_STR_MAX], struct be_error **err)
{
	*out = (struct reg_manifest){0};
	cleanup_json json_t *j = parse(text, len, "manifest", err);
	if (j == NULL)
		return -1;
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	/* The Content-Type wins; registries may serve generic JSON types. */
	if (media_type == NULL || strstr(media_type, "vnd.") == NULL)
		media_type = mt;
	if (media_type == NULL)
		media_type =
		        json_object_get(j, "manifests") ? REG_MT_OCI_INDEX : REG_MT_OCI_MANIFEST;
	if (strcmp(media_type, REG_MT_OCI_INDEX) == 0 ||
	    strcmp(media_type, REG_MT_DOCKER_LIST) == 0) {
		out->is_index = true;
		return pick(j, platform ? platform : "linux/amd64", chosen, err);
	}
	if (strcmp(media_type, REG_MT_OCI_MANIFEST) != 0 &&
	    strcmp(media_type, REG_MT_DOCKER_MANIFEST) != 0)
		return be_error_set(err, 0, "unsupported manifest type \"%s\"", media_type);
	if (parse_image(j, out, err) < 0) {
		reg_manifest_free(out);
		return -1;
	}
	return 0;
}

int reg_config_diff_ids(const char *text, char ***ids, size_t *n, struct be_error **err)
{
	cleanup_json json_t *j = parse(text, strlen(text), "image config", err);
	if (j == NULL)
		return -1;
	json_t *a = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(a) || json_array_size(a) == 0)
		return be_error_set(err, 0, "image config: \"rootfs.diff_ids\" lists nothing");
	size_t k = json_array_size(a);
	char **v = xcalloc(k, sizeof(*v));
	for (size_t i = 0; i < k; i++) {
		const char *d = json_string_value(json_array_get(a, i));
		if (d == NULL || !digest_valid(d)) {
			layer_chain_free(v, i);
			return be_error_set(err, 0, "image config: diff id %zu is not sha256:HEX",
			                    i + 1);
		}
		v[i] = xstrdup(d);
	}
	*ids = v;
	*n = k;
	return 0;
}

void reg_chain_id(const char *parent, const char *diff, char out[DIGEST_STR_MAX])
{
	if (parent == NULL || *parent == '\0') {
		snprintf(out, DIGEST_STR_MAX, "%s", diff);
		return;
	}
	cleanup_free char *s = xasprintf("%s %s", parent, diff);
	digest_sha256_buf(s, strlen(s), out);
}
