/* Public API of the registry client: pull and push images over the OCI
 * distribution protocol, and the credentials of login/logout.  Included by
 * berth.h. */
#ifndef BE_REGISTRY_H
#define BE_REGISTRY_H

#include <signal.h>

#include "berth.h"

/* One event of a pull or push, per blob, for a progress display. */
enum be_reg_event {
	BE_REG_EXISTS,   /* pull: layer already here; push: blob already in the registry */
	BE_REG_START,    /* transfer begins (offset > 0: resumed at offset) */
	BE_REG_BYTES,    /* more bytes moved (at most ~10 times a second per blob) */
	BE_REG_DONE,     /* transfer complete and digest checked */
	BE_REG_EXTRACT,  /* pull: the blob is being unpacked into a layer */
	BE_REG_MANIFEST, /* the manifest was fetched or written: digest is the manifest's */
};
struct be_reg_progress {
	enum be_reg_event event;
	const char *digest; /* "sha256:..." of the blob */
	uint64_t bytes;     /* moved so far (including a resumed prefix) */
	uint64_t total;     /* blob size, 0 when unknown */
	uint64_t offset;    /* START: where a resumed download began */
	size_t index;       /* which layer (0 = lowest); the config is index == n */
	size_t count;       /* layers in the image */
};
typedef void (*be_reg_progress_fn)(const struct be_reg_progress *p, void *data);

struct be_reg_opts {
	const char *platform; /* "os/arch[/variant]"; NULL: linux/amd64 */
	int tls_verify;       /* 1 verify, 0 do not (and allow http), -1 default: verify
	                         except for localhost and 127.0.0.0/8 */
	unsigned parallel;    /* blobs at once, 0: 4 */
	uint64_t max_speed;   /* bytes/s per transfer, 0: unlimited */
	be_reg_progress_fn progress;
	void *progress_data;
	/* When set and it becomes non-zero (a SIGINT handler), the transfer
	 * stops within ~0.1 s and the pull or push fails with "interrupted",
	 * undoing what it made (a partial blob stays, to be resumed). */
	const volatile sig_atomic_t *cancel;
};

/* Pulls REF (docker's syntax: [HOST[:PORT]/]REPO[:TAG][@sha256:...]) and
 * registers it as image NAME (NULL: a name made from the reference, see
 * docs/registry.md), replacing an image of that name.  Every blob is
 * checked against its digest while it streams; layers already held (same
 * chain of diff ids) are reused, not downloaded.  An interrupted download
 * stays in ROOT/registry/blobs and is resumed by the next pull.  On any
 * failure no layer and no image is left registered.  *name_out (may be
 * NULL) gets the image name; caller frees. */
int be_registry_pull(const struct be_ctx *ctx, const char *ref, const char *name,
                     const struct be_reg_opts *opts, char **name_out, struct be_error **err);
/* Pushes image IMAGE to REF: blobs the registry lacks are uploaded (HEAD
 * first, then a monolithic POST + PUT), the manifest last.  The layers'
 * blobs are made deterministically (tar + gzip), and their digests recorded,
 * so pushing again or pulling the pushed image back moves nothing.
 * *digest_out (may be NULL) gets the manifest digest; caller frees. */
int be_registry_push(const struct be_ctx *ctx, const char *image, const char *ref,
                     const struct be_reg_opts *opts, char **digest_out, struct be_error **err);
/* Checks USER/PASS against REGISTRY (a ping of /v2/ with them) and stores
 * them in $XDG_CONFIG_HOME/berth/auth.json (mode 0600). */
int be_registry_login(const char *registry, const char *user, const char *pass,
                      const struct be_reg_opts *opts, struct be_error **err);
/* Removes REGISTRY's entry from berth's auth.json. */
int be_registry_logout(const char *registry, struct be_error **err);

/* Registers image NAME over the same layers, command, environment and
 * working directory as IMAGE.  An existing NAME is refused. */
int be_registry_tag(const struct be_ctx *ctx, const char *image, const char *name,
                    struct be_error **err);

/* One layer of an image for `image history`. */
struct be_reg_layer {
	char id[16];
	char origin[16]; /* import, dir, demo, snapshot, squash, pull */
	int64_t created; /* unix seconds */
	int64_t size;    /* bytes of the diff */
	char blob[80];   /* its registry blob ("" when never pulled or pushed) */
	char diff_id[80];
};
/* The layers of IMAGE, top first.  Free with be_registry_history_free. */
int be_registry_history(const struct be_ctx *ctx, const char *image, struct be_reg_layer **out,
                        size_t *n, struct be_error **err);
void be_registry_history_free(struct be_reg_layer *v, size_t n);

/* Writes IMAGE to FILE as an OCI image layout tarball (format NULL or
 * "oci-archive") or a `docker save` tarball ("docker-archive"), with the
 * gzip'd tar layers a push makes.  FILE is written as FILE.tmpPID and
 * renamed, so a failure leaves no partial file. */
int be_registry_save(const struct be_ctx *ctx, const char *image, const char *file,
                     const char *format, struct be_error **err);

#endif
