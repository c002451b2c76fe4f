/* The image store's internal API, for the runtime and commit: image
 * records (ROOT/images/<name>.json) and which layers are in use. */
#ifndef BE_IMAGE_INT_H
#define BE_IMAGE_INT_H

#include "store/ctx.h"
#include "layer/layer.h"

struct be_image_rec {
	char name[65];
	char **layers; /* top first, down to the base: the order of overlay lowerdirs */
	size_t n_layers;
	char **cmd;
	size_t n_cmd;
	char **env;
	size_t n_env;
	char *workdir;
	int64_t created; /* unix seconds */
	int64_t size;    /* bytes in all layers */
	char *source;    /* what it was made from ("" when unknown) */
};

/* Loads and checks images/<name>.json (the name is checked first).  A
 * missing image fails with errno ENOENT and "no such image: NAME".  Free
 * with image_rec_free. */
int image_load(const struct be_ctx *ctx, const char *name, struct be_image_rec **out,
               struct be_error **err);
void image_rec_free(struct be_image_rec *rec);
/* Registers image NAME over an existing chain of layers (top first; each
 * layer's parent must be the next).  cmd, env and workdir come from
 * defaults_from when given, else the defaults (/bin/sh, a standard PATH,
 * "/").  Refused when NAME exists. */
int image_save_chain(const struct be_ctx *ctx, const char *name, char **layers, size_t n,
                     const struct be_image_rec *defaults_from, struct be_error **err);

/* Records image NAME as the single layer id (made by import or demo) with
 * the default cmd, env and workdir.  An existing image is refused unless
 * replace, in which case its layers that nothing else uses are removed.
 * The caller holds the lock of image NAME. */
int image_register_layer(const struct be_ctx *ctx, const char *name, const char *id,
                         const char *source, bool replace, struct be_error **err);

/* Registers image NAME over the chain ids (top first, made by the caller:
 * a pull), with cmd, env and workdir from from, under the image's lock.
 * An existing image is refused unless replace; its layers that nothing
 * else uses are then removed.  The new layers are the caller's to remove
 * on failure. */
int image_register_chain(const struct be_ctx *ctx, const char *name, char *const *ids, size_t n,
                         const struct be_image_rec *from, const char *source, bool replace,
                         struct be_error **err);

#endif
