/* Layer directories (internal API): ROOT/layers/<id>/diff/ holds the
 * content, ROOT/layers/<id>/layer.json the record.  New layers are built
 * under ROOT/tmp/ and renamed into place, so a crash leaves only temp dirs. */
#ifndef BE_LAYER_H
#define BE_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/ctx.h"

#define BE_LAYER_ID_LEN 12

/* be_error_set with errno code kept in err->errnum for callers to test, but
 * not appended to the message ("no such image: web", not "...: No such
 * file or directory").  Evaluates to -1. */
#define BE_FAIL_CODE(err, code, ...)                                                               \
	((err) && !*(err) ? (be_error_set((err), 0, __VA_ARGS__), (*(err))->errnum = (code), -1)   \
	                  : -1)

struct be_layer_info {
	char id[BE_LAYER_ID_LEN + 1];
	char parent[BE_LAYER_ID_LEN + 1]; /* "" for none */
	int64_t created;                  /* unix seconds */
	int64_t size;                     /* bytes of the diff, -1 when not yet computed */
	int64_t files;                    /* entries in the diff, -1 when not yet computed */
	char origin[16];                  /* import, dir, demo, snapshot, squash */
};

/* True when id is 12 lowercase hex characters. */
bool layer_id_valid(const char *id);

struct be_layer_tmp;
/* Makes ROOT/tmp/<random>/diff/ (empty, 0755) to build a layer in, the
 * directory flocked from its birth until commit or abort (so no repair of
 * another client takes it).  Finish with layer_commit or layer_abort. */
int layer_begin(const struct be_ctx *ctx, struct be_layer_tmp **out, struct be_error **err);
/* layer_begin with the temporary directory flocked (*lock_fd; the caller
 * closes it after commit or abort), so that the repair run by other
 * clients' be_ctx_open leaves it alone while it is filled. */
int layer_begin_locked(const struct be_ctx *ctx, struct be_layer_tmp **out, int *lock_fd,
                       struct be_error **err);
/* The directory to fill: absolute, valid until commit or abort. */
const char *layer_tmp_diff(const struct be_layer_tmp *t);
/* Gives commit the size and file count of the diff, as layer_count_dir
 * would find them, so that it need not walk the tree again (the caller
 * vouches for them: extraction counts as it writes).  -1 keeps the walk. */
void layer_tmp_set_counts(struct be_layer_tmp *t, int64_t size, int64_t files);
/* Seals t as a new layer: counts size and files (unless given), syncs the filesystem,
 * writes layer.json durably and renames the whole into ROOT/layers/<id>.
 * parent is a layer id or NULL; origin one of the names above.  t is freed
 * (and on failure its directory removed) either way. */
int layer_commit(const struct be_ctx *ctx, struct be_layer_tmp *t, const char *parent,
                 const char *origin, char id_out[BE_LAYER_ID_LEN + 1], struct be_error **err);
/* Removes t's directory and frees t; NULL is fine. */
void layer_abort(struct be_layer_tmp *t);

/* Turns an existing directory on the root's filesystem (a container's
 * upper/) into a new layer's diff/ by rename, in constant time: the tree is
 * not walked (size and files are -1 until layer_size) nor synced.  On
 * failure dir is where it was. */
int layer_seal_dir(const struct be_ctx *ctx, const char *dir, const char *parent,
                   const char *origin, char id_out[BE_LAYER_ID_LEN + 1], struct be_error **err);

/* Reads and checks layers/<id>/layer.json (the id is checked first).  A
 * missing layer fails with errno ENOENT and "no such layer: ID". */
int layer_load(const struct be_ctx *ctx, const char *id, struct be_layer_info *out,
               struct be_error **err);
/* Size (apparent bytes of regular files, each inode once, plus symlink
 * lengths) and entry count of a layer's diff; computed by walking the tree
 * when layer.json says -1, then cached there. */
int layer_size(const struct be_ctx *ctx, const char *id, int64_t *size, int64_t *files,
               struct be_error **err);
/* "ROOT/layers/<id>/diff"; the caller frees. */
char *layer_diff_path(const struct be_ctx *ctx, const char *id);
/* The chain from top down to the base, following parents (top first: the
 * order of overlay lowerdirs).  Fails on a missing layer, a cycle or a
 * depth over 1000.  Free with layer_chain_free. */
int layer_chain(const struct be_ctx *ctx, const char *top, char ***ids, size_t *n,
                struct be_error **err);
void layer_chain_free(char **ids, size_t n);
/* Moves the layer to the trash and starts the reaper (store_trash_reap).  Missing: ENOENT error.
 * The caller makes sure no image, container or snapshot uses it. */
int layer_remove(const struct be_ctx *ctx, const char *id, struct be_error **err);
/* Ids of every layer under ROOT/layers, sorted.  Free with
 * layer_chain_free. */
int layer_list(const struct be_ctx *ctx, char ***ids, size_t *n, struct be_error **err);

/* Calls fn for every run of exactly 12 lowercase hex digits in the file
 * (layer ids in records; a stray match only ever keeps a layer, never loses
 * one).  An unreadable file calls nothing. */
void layer_ids_in_file(const char *path, void (*fn)(const char *id, void *data), void *data);

/* Walks dir (without following symlinks) and counts as layer_size does. */
int layer_count_dir(const char *dir, int64_t *size, int64_t *files, struct be_error **err);

/* Overlay of a container: lower = chain from head, upper/work in its dir,
 * mounted on containers/<name>/merged.  scratch: the upper is thrown away
 * when the container ends (--rm): overlayfs's volatile option, so that no
 * sync of the host's filesystem runs at unmount (or on the container's
 * syncs). */
int layer_overlay_mount(const struct be_ctx *ctx, const char *name, const char *head, bool scratch,
                        struct be_error **err);
/* The same for the working set in ROOT/WHERE/NAME ("containers", or
 * "tmp" for a container's directory still being written: the mount moves
 * with the directory when it is renamed into containers/); errors name
 * the container shown. */
int layer_overlay_mount_in(const struct be_ctx *ctx, const char *where, const char *name,
                           const char *shown, const char *head, bool scratch,
                           struct be_error **err);
int layer_overlay_unmount(const struct be_ctx *ctx, const char *name, struct be_error **err);
bool layer_overlay_mounted(const struct be_ctx *ctx, const char *name);

#endif
