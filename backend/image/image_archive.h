/* Image archives (internal API): `docker save` / `podman save` tarballs and
 * OCI image layouts, once extracted into a directory, turned into a chain of
 * layers with the image's command, environment and working directory. */
#ifndef BE_IMAGE_ARCHIVE_H
#define BE_IMAGE_ARCHIVE_H

#include "image/image.h"

enum be_archive_kind {
	BE_ARCHIVE_ROOTFS = 0, /* not an image archive: a root filesystem */
	BE_ARCHIVE_DOCKER,     /* top-level manifest.json holding a JSON array */
	BE_ARCHIVE_OCI,        /* top-level oci-layout and index.json */
};

/* What the top of dir (an extracted tarball) is.  A manifest.json that is
 * valid JSON but not an array is a root filesystem's own file (a web app's);
 * a manifest.json or index.json that is present but invalid (not JSON,
 * truncated, over 16 MiB, holding a NUL) is an error, never a rootfs. */
int image_archive_kind(const char *dir, enum be_archive_kind *kind, struct be_error **err);

/* Builds one sealed layer per image layer of the archive extracted in dir,
 * checking every blob's sha256 as it is read (OCI: the digests its index
 * and manifest name; docker save: the config's name when it is HEX.json,
 * and rootfs.diff_ids for the layers): a mismatch fails with both digests.
 * the lowest first, each the parent of the next, and fills rec->layers (top
 * first), cmd (Entrypoint then Cmd), env and workdir from the image's
 * config.  rec comes zeroed from the caller, who frees it with
 * image_rec_free.  On failure no new layer is left, and the error names
 * the file or the layer and entry. */
int image_archive_build(const struct be_ctx *ctx, const char *dir, enum be_archive_kind kind,
                        struct be_image_rec *rec, struct be_error **err);

/* ---- parsers, exported for tests ------------------------------------------ */

/* Files of an image inside the archive, relative to its top. */
struct be_archive_plan {
	char *config;
	char **layers;  /* lowest first */
	char **digests; /* each layer blob's sha256 ("sha256:HEX"), as layers */
	size_t n_layers;
};
void image_archive_plan_free(struct be_archive_plan *p);
/* Parses a docker-save manifest.json (its first image). */
int image_archive_docker_plan(const char *text, struct be_archive_plan *p, struct be_error **err);
/* Parses an OCI index (index.json or a nested index blob): *blob gets the
 * path of the chosen manifest ("blobs/ALG/HEX"), *nested whether that is
 * itself an index.  The manifest for this machine's architecture is chosen
 * when platforms are given, else the first. */
int image_archive_oci_index(const char *text, const char *file, char **blob, bool *nested,
                            struct be_error **err);
/* Parses an OCI image manifest blob into the config and layer blob paths. */
int image_archive_oci_manifest(const char *text, const char *file, struct be_archive_plan *p,
                               struct be_error **err);
/* docker save: fills p->digests from the config's rootfs.diff_ids (one per
 * layer of p, each sha256:HEX), against which the layer tars are checked. */
int image_archive_diff_ids(const char *text, const char *file, struct be_archive_plan *p,
                           struct be_error **err);
/* Parses an image config (docker or OCI: the same "config" object) into
 * rec's cmd, env and workdir, with berth's defaults for what is missing. */
int image_archive_config(const char *text, const char *file, struct be_image_rec *rec,
                         struct be_error **err);

#endif
