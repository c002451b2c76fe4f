/* The snapshot module's own declarations: opening a container for a
 * snapshot command, and the diff of two overlay views. */
#ifndef BE_SNAPSHOT_INT_H
#define BE_SNAPSHOT_INT_H

#include "berth.h"
#include "journal/journal.h"

/* Takes NAME's lock (released by the caller), checks the container exists,
 * and brings it up to date with the kernel and with any interrupted
 * operation: how every snapshot command starts. */
int snap_open_locked(struct be_ctx *ctx, const char *name, struct be_lock **lock,
                     struct be_error **err);

/* ---- diff (diff.c) ------------------------------------------------------- */
/* Changes from view b to view a.  Each view is a stack of diff directories,
 * top first, as overlayfs would mount them; the last `common` directories of
 * both are the same.  Only the other directories are walked; paths are
 * looked up in both views.  Sorted by path. */
int snap_diff_views(char *const *a, size_t na, char *const *b, size_t nb, size_t common,
                    struct be_change **out, size_t *n, struct be_error **err);

#endif
