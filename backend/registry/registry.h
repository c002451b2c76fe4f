/* The registry client's internal API: image references, WWW-Authenticate
 * challenges, auth.json credentials, manifests and indexes, the HTTP
 * session over libcurl (loaded on first use) and the index of layers that
 * came from or went to a registry. */
#ifndef BE_REGISTRY_INT_H
#define BE_REGISTRY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "base/digest.h"
#include "base/util.h"
#include "berth.h"
#include "image/image.h"
#include "store/ctx.h"

#define REG_DEFAULT_REGISTRY "docker.io"
#define REG_DOCKER_HUB_HOST "registry-1.docker.io"
#define REG_MAX_JSON (4u << 20)
#define REG_MAX_LAYERS 500

/* ---- references (ref.c) ---------------------------------------------------- */

/* An image reference as docker writes it: [HOST[:PORT]/]REPO[:TAG][@DIGEST]. */
struct reg_ref {
	char *registry; /* "127.0.0.1:5000", "docker.io" */
	char *host;     /* what to connect to: registry-1.docker.io for docker.io */
	char *repo;     /* "library/busybox", "test/img" */
	char *tag;      /* "latest" when neither tag nor digest is given; NULL with a bare digest */
	char digest[DIGEST_STR_MAX]; /* "" when none */
	bool insecure;               /* localhost, 127.0.0.0/8, ::1: plain http allowed */
};
/* Parses s; errors say what is wrong ('invalid reference "X": ...'). */
int reg_ref_parse(const char *s, struct reg_ref *out, struct be_error **err);
void reg_ref_free(struct reg_ref *r);
/* "REGISTRY/REPO:TAG" or "REGISTRY/REPO@DIGEST"; caller frees. */
char *reg_ref_string(const struct reg_ref *r);
/* A local image name for r (see docs/registry.md): the last part of the
 * repository, "_TAG" when the tag is not latest, "_" and 12 hex digits of
 * a digest; characters outside the name rule become '_'. */
void reg_ref_local_name(const struct reg_ref *r, char out[BE_NAME_MAX + 1]);

/* A WWW-Authenticate challenge: Basic or Bearer with its parameters. */
struct reg_challenge {
	enum { REG_AUTH_NONE, REG_AUTH_BASIC, REG_AUTH_BEARER } scheme;
	char *realm;
	char *service;
	char *scope;
};
int reg_challenge_parse(const char *header, struct reg_challenge *out, struct be_error **err);
void reg_challenge_free(struct reg_challenge *c);

/* ---- libcurl, loaded on first use (http.c) ------------------------------ */

/* The libcurl functions berth calls, found with dlsym: linking libcurl
 * would cost every command its start-up (TLS libraries and all). */
struct reg_curl {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
};
/* The table, loading libcurl.so.4 at the first call; NULL with an error
 * when it cannot be loaded. */
const struct reg_curl *reg_curl_load(struct be_error **err);

/* ---- HTTP session (http.c) ------------------------------------------------------ */

/* A connection to one repository of one registry: scheme chosen by a ping,
 * credentials, the bearer token, one reused easy handle. */
struct reg_session {
	const struct reg_curl *c;
	CURL *easy;
	const struct reg_ref *ref; /* borrowed */
	const struct be_reg_opts *opts;
	char *base;  /* "https://HOST" or "http://HOST" */
	bool verify; /* TLS peers verified */
	char *user, *pass;
	char *authz;         /* "Authorization: ..." header, or NULL */
	const char *actions; /* "pull" or "pull,push" */
	struct reg_challenge chal;
};
struct reg_resp {
	long status;
	char *body;
	size_t len;
	char *content_type;
	char *digest;   /* Docker-Content-Digest */
	char *location; /* Location */
	char *www_auth; /* WWW-Authenticate */
};
void reg_resp_free(struct reg_resp *r);
/* Opens a session: loads libcurl, reads credentials (user/pass given win
 * over the stored ones), pings /v2/ (https first; plain http when TLS is
 * not verified and the https handshake fails) and authenticates when the
 * registry asks.  actions: "pull" or "pull,push". */
int reg_session_open(struct reg_session *s, const struct reg_ref *ref,
                     const struct be_reg_opts *opts, const char *actions, const char *user,
                     const char *pass, struct be_error **err);
void reg_session_close(struct reg_session *s);
/* One request, METHOD PATH ("/v2/..." or an absolute URL from a Location),
 * with extra headers; body/len for a PUT or POST from memory, or upload_fd
 * (>= 0) with upload_len bytes.  401 re-authenticates once, 429 and 5xx
 * and transport errors are retried 3 times with backoff.  An HTTP status
 * >= 400 is returned in out->status, not as an error (callers decide);
 * transport failures are errors. */
int reg_request(struct reg_session *s, const char *method, const char *path,
                const char *const *headers, const void *body, size_t len, int upload_fd,
                int64_t upload_len, struct reg_resp *out, struct be_error **err);
/* The one-line error for a failed response: "REGISTRY/REPO: WHAT: HTTP
 * STATUS: meaning" (401 login needed, 404 no such image or tag, ...). */
int reg_http_fail(struct reg_session *s, const char *what, const struct reg_resp *r,
                  struct be_error **err);
/* Sets the common options on a fresh or reset easy handle (TLS, timeouts,
 * speed, the Authorization header list *hdrs to free). */
void reg_session_setup(struct reg_session *s, CURL *e, const char *url, struct curl_slist **hdrs,
                       const char *const *headers);
/* Backoff before retry number attempt (1..3), in ms. */
unsigned reg_backoff_ms(int attempt);

/* ---- credentials (auth.c) ------------------------------------------------ */

/* Path of berth's auth.json: $XDG_CONFIG_HOME/berth/auth.json, else
 * ~/.config/berth/auth.json.  Caller frees. */
char *reg_auth_path(void);
/* Credentials for registry from the auths object of a docker-format JSON
 * text ("auth": base64 of USER:PASS, or "username"/"password").  0 found,
 * 1 not there, -1 bad file. */
int reg_auth_find_text(const char *text, const char *file, const char *registry, char **user,
                       char **pass, struct be_error **err);
/* The same from berth's file, then $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json. */
int reg_auth_find(const char *registry, char **user, char **pass, struct be_error **err);
/* Stores (pass != NULL) or removes (pass NULL) the registry's entry in the
 * file at path (made 0600, parent made 0700).  Removing a missing entry
 * fails with ENOENT. */
int reg_auth_store(const char *path, const char *registry, const char *user, const char *pass,
                   struct be_error **err);
/* Base64 (standard alphabet, padded); caller frees.  Decode returns NULL
 * on bad input. */
char *reg_base64_encode(const void *data, size_t n);
char *reg_base64_decode(const char *s, size_t *n);

/* ---- manifests (manifest.c) -------------------------------------------------- */

#define REG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REG_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define REG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define REG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

struct reg_blob {
	char digest[DIGEST_STR_MAX];
	int64_t size;
	char *media_type;
};
struct reg_manifest {
	bool is_index;
	/* an image manifest: */
	struct reg_blob config;
	struct reg_blob *layers; /* lowest first */
	size_t n_layers;
};
/* Parses a manifest or index; media_type is the Content-Type (may be NULL:
 * then the body's own mediaType decides).  For an index, chosen gets the
 * digest of the manifest for platform ("os/arch[/variant]"); none
 * matching is an error listing the platforms offered. */
int reg_manifest_parse(const char *text, size_t len, const char *media_type, const char *platform,
                       struct reg_manifest *out, char chosen[DIGEST_STR_MAX],
                       struct be_error **err);
void reg_manifest_free(struct reg_manifest *m);
/* The diff ids (rootfs.diff_ids) of an image config; *n must equal the
 * manifest's layer count (checked by the caller). */
int reg_config_diff_ids(const char *text, char ***ids, size_t *n, struct be_error **err);
/* OCI chain id of the layer diff over the chain parent ("" for a base
 * layer): parent empty -> diff, else sha256("PARENT DIFF"). */
void reg_chain_id(const char *parent, const char *diff, char out[DIGEST_STR_MAX]);

/* ---- layer index (index.c) --------------------------------------------------- */

/* What berth knows of a local layer as a registry blob. */
struct reg_layer_ent {
	char layer[16];               /* local layer id */
	char chain[DIGEST_STR_MAX];   /* chain id of the layer with everything below it */
	char diff_id[DIGEST_STR_MAX]; /* sha256 of the uncompressed tar */
	char blob[DIGEST_STR_MAX];    /* digest of the blob as stored in a registry */
	int64_t blob_size;
	char media_type[80];
	char repo[300]; /* "REGISTRY/REPO" where the blob was last seen ("" unknown) */
};
/* Finds the live local layer for chain id (whose parent is parent, "" for
 * none): 0 found, 1 not known (or its layer is gone). */
int reg_index_by_chain(const struct be_ctx *ctx, const char *chain, const char *parent,
                       struct reg_layer_ent *out);
/* Every entry of local layer id (whatever chain it was pushed or pulled
 * in); *n may be 0.  Caller frees *out. */
void reg_index_for_layer(const struct be_ctx *ctx, const char *id, struct reg_layer_ent **out,
                         size_t *n);
/* Adds or replaces entries (by layer id and chain id), dropping those whose layer is
 * gone; written durably under the lock registry/layers. */
int reg_index_add(const struct be_ctx *ctx, const struct reg_layer_ent *ents, size_t n,
                  struct be_error **err);

/* ---- blobs (blob.c) ------------------------------------------------------------- */

struct reg_fetch {
	struct reg_blob blob; /* borrowed digest, size */
	size_t index;         /* for progress */
	char *path;           /* where the checked blob lands */
	bool ready;           /* checked and in place */
};
/* Called each time a blob is checked and in place (k: its place in f),
 * from the transfer loop; a failure stops every transfer. */
typedef int (*reg_fetch_done_fn)(struct reg_fetch *f, size_t k, void *data, struct be_error **err);
/* Downloads the blobs into ROOT/registry/blobs/HEX, opts->parallel at once;
 * each is hashed as it streams and checked, resumed with Range from a
 * partial file left by an earlier attempt.  On failure every checked blob
 * of this call is removed; partial ones stay only after a transport error
 * (so the next pull resumes). */
int reg_fetch_blobs(struct reg_session *s, const struct be_ctx *ctx, struct reg_fetch *f, size_t n,
                    size_t count, reg_fetch_done_fn done, void *data, struct be_error **err);

/* ---- push (export.c, push.c) ----------------------------------------------------- */

/* Writes layer id as a gzip'd tar to fd (deterministic bytes); out gets
 * layer, diff_id, blob (digest of what was written), blob_size,
 * media_type; chain is left for the caller. */
int reg_export_layer(const struct be_ctx *ctx, const char *id, int fd, struct reg_layer_ent *out,
                     struct be_error **err);
/* The image config of img over the layers ents (lowest first): Cmd, Env,
 * WorkingDir, diff ids; keys sorted, compact.  Caller frees. */
char *reg_config_json(const struct be_image_rec *img, const struct reg_layer_ent *ents, size_t n);
/* The OCI manifest over the config and the layers' blobs.  Caller frees. */
char *reg_manifest_json(const struct reg_layer_ent *ents, size_t n, const char *cfg_digest,
                        size_t cfg_len);

#endif
