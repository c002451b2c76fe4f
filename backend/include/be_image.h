/* Public API of the image store: an image is a named chain of sealed layers
 * (ROOT/images/<name>.json, ROOT/layers/<id>/).  Included by berth.h. */
#ifndef BE_IMAGE_H
#define BE_IMAGE_H

#include "berth.h"

/* What an import has done so far, for a progress display. */
struct be_import_progress {
	uint64_t bytes;      /* source bytes read (compressed bytes for a compressed archive,
	                        file data for a directory) */
	uint64_t total;      /* size of the source file when known, else 0 */
	uint64_t entries;    /* entries written into the layer */
	uint64_t elapsed_ns; /* since the import began */
	bool done;           /* last call: everything was read */
};
typedef void (*be_import_progress_fn)(const struct be_import_progress *p, void *data);

struct be_import_opts {
	bool replace;                   /* replace an image of that name (else refused) */
	be_import_progress_fn progress; /* called after each entry and each MiB; NULL: none */
	void *progress_data;
};

/* Imports SOURCE as image NAME, one new layer: a tarball of any compression
 * libarchive reads (tar, gzip, xz, zstd, bzip2, ...), "-" for standard
 * input, or a directory (copied with modes, owners, symlinks, hard links,
 * xattrs).  A tarball made by `docker save`, `podman save` or holding an OCI
 * image layout becomes a chain of layers instead, one per image layer (their
 * whiteouts turned into overlay whiteouts), with the cmd, env and workdir
 * of the image's config (docs/image.md).  Entries that would leave the layer (absolute, "..",
 * through a symlink, links pointing out) and device nodes are refused with the entry's name; a
 * failed import leaves nothing behind.  opts may be NULL. While it runs the process's working
 * directory is the new layer (it is restored): not for use from several threads. */
int be_image_import(const struct be_ctx *ctx, const char *name, const char *source,
                    const struct be_import_opts *opts, struct be_error **err);

/* Builds image NAME (normally "demo") from the host's /bin/busybox
 * (Debian's busybox-static) with its applet links and a minimal /etc.  An
 * existing image built from the same busybox is kept (fast, idempotent);
 * otherwise it is replaced. */
int be_image_demo(const struct be_ctx *ctx, const char *name, struct be_error **err);

struct be_image_info {
	char name[BE_NAME_MAX + 1];
	char top[16]; /* id of the top layer */
	size_t n_layers;
	int64_t size;    /* bytes in all layers */
	int64_t files;   /* entries in all layers */
	int64_t created; /* unix seconds */
	char *source;    /* what it was imported from */
	/* Pulled from a registry: its repository ("host:port/repo/name"), tag
	 * and manifest digest, as `docker images` shows them; "" otherwise. */
	char repository[256];
	char tag[128];
	char digest[80];
};
/* Fills repository, tag and digest of info from its source text
 * ("pulled from REF (manifest sha256:...)"); leaves them "" for others. */
void be_image_info_origin(struct be_image_info *info);

/* Every image, sorted by name.  Free with be_image_list_free. */
int be_image_list(const struct be_ctx *ctx, struct be_image_info **out, size_t *n,
                  struct be_error **err);
void be_image_list_free(struct be_image_info *list, size_t n);
/* The same as a JSON array of objects (name, id, layers, size, files,
 * created, source) for `image ls --json`; the caller frees the text. */
int be_image_list_json(const struct be_ctx *ctx, char **json_out, struct be_error **err);
/* Pretty JSON of the image record plus "layer_info": each layer's record,
 * top first.  Missing image: "no such image: NAME".  Caller frees. */
int be_image_inspect_json(const struct be_ctx *ctx, const char *name, char **json_out,
                          struct be_error **err);
/* Removes image NAME and the layers no other image, container or snapshot
 * uses.  Refused while a container was made from it. */
int be_image_remove(const struct be_ctx *ctx, const char *name, struct be_error **err);

#endif
