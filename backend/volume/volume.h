/* The volume module's interface: a container's mounts checked at create
 * (vol_prepare) and their sources opened safely at start (vol_open_source),
 * named volumes under ROOT/volumes. */
#ifndef BE_VOLUME_INT_H
#define BE_VOLUME_INT_H

#include <stdbool.h>

#include "berth.h"
#include "store/ctx.h"
#include "base/util.h"

/* True when path holds a ".." component. */
bool vol_path_has_dotdot(const char *p);

/* Checks the mounts a user asked for and returns them ready to record
 * (*out, n entries, free each with be_volume_mount_clear and the array):
 * bind sources resolved (realpath) and refused when missing, or under
 * /proc, /sys, /dev or the berth root and run dir unless forced; named
 * volumes created when missing; two mounts on one target refused. */
int vol_prepare(struct be_ctx *ctx, const struct be_mount *in, size_t n, struct be_mount **out,
                struct be_error **err);

/* At start, in the keeper's mount namespace: a detached mount (open_tree
 * clone, read-only when asked) of the mount's source (bind: opened without
 * following any symbolic link, checked again against the refused places;
 * volume: its data directory), or -1 for a tmpfs (returns 0 then); the
 * container's init moves it into place (move_mount).
 * *is_dir tells a directory from a file.  Returns -1 with *err. */
int vol_open_source(const struct be_ctx *ctx, const struct be_mount *m, int *fd_out, bool *is_dir,
                    struct be_error **err);

/* ROOT/volumes/NAME/_data (the caller frees). */
char *vol_data_path(const struct be_ctx *ctx, const char *name);
/* Creates volume NAME if missing (the volume's lock taken inside). */
int vol_ensure(struct be_ctx *ctx, const char *name, struct be_error **err);

#endif
