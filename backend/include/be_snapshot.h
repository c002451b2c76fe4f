/* Public API of snapshots: constant-time snapshot and rollback of a
 * container's overlay state, the snapshot tree, diff, commit and clone.
 * Included by berth.h. */
#ifndef BE_SNAPSHOT_H
#define BE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct be_ctx;
struct be_error;

/* Default depth above which a container's chain of snapshot layers is
 * squashed into one layer; $BERTH_SQUASH_DEPTH (2 to 400) overrides it. */
#define BE_SQUASH_DEPTH_DEFAULT 64

struct be_snapshot_info {
	char name[BE_NAME_MAX + 1];
	char layer[16];               /* layer id holding the snapshot's state */
	char parent[BE_NAME_MAX + 1]; /* snapshot it was taken from, "" for none */
	int64_t created;              /* unix seconds */
	int64_t size;                 /* bytes of its own diff, -1 when unknown */
	bool current;                 /* the container's state derives from it */
};

/* What a snapshot did. */
struct be_snapshot_taken {
	char name[BE_NAME_MAX + 1];
	bool live;         /* the container ran: its upper was copied */
	int64_t frozen_ns; /* live: how long the container was frozen */
};

/* Takes a snapshot of container NAME.  snap NULL picks "snap-N".  A stopped
 * container's upper is sealed by rename (constant time).  A running one's
 * upper is copied while it runs, then the container is frozen only to copy
 * again what changed meanwhile, and thawed (never left frozen).  out (may
 * be NULL) receives the name and the frozen time.  Bad or duplicate names
 * fail with nothing changed. */
int be_snapshot_take(struct be_ctx *ctx, const char *name, const char *snap,
                     struct be_snapshot_taken *out, struct be_error **err);
/* be_snapshot_take that gives only the name (BE_NAME_MAX + 1 bytes; may be
 * NULL). */
int be_snapshot_create(struct be_ctx *ctx, const char *name, const char *snap, char *name_out,
                       struct be_error **err);

/* The snapshots of NAME, oldest first (repairing a crashed operation
 * first when the container is idle).  With sizes, sizes not yet known are
 * computed (walks each such layer once; cached).  Free with
 * be_snapshot_list_free. */
int be_snapshot_list(struct be_ctx *ctx, const char *name, bool sizes,
                     struct be_snapshot_info **out, size_t *n, struct be_error **err);
void be_snapshot_list_free(struct be_snapshot_info *list, size_t n);
/* JSON array of the list (`snapshots --json`); the caller frees. */
char *be_snapshot_list_json(const struct be_snapshot_info *list, size_t n);

/* Rolls NAME back to snapshot SNAP in constant time: the upper goes to the
 * trash, the head points at SNAP's layer, a fresh upper is made; later
 * snapshots stay.  A running container is refused unless restart (stop
 * with timeout_s, roll back, start).  The old upper is deleted
 * by be_snapshot_cleanup's reaper, after the call (or by the next command). */
int be_snapshot_rollback(struct be_ctx *ctx, const char *name, const char *snap, bool restart,
                         unsigned timeout_s, struct be_error **err);

/* Removes snapshot SNAP of NAME.  When other snapshots build on it, it is
 * refused with their names unless merge: then only the name goes, its
 * children take its parent, and its layer stays inside their chains.  Its
 * layer is freed once nothing (snapshot, container, image) uses it.
 * kept_by (may be NULL; BE_NAME_MAX + 1 bytes) receives the first
 * snapshot still building on it, "" when none. */
int be_snapshot_remove(struct be_ctx *ctx, const char *name, const char *snap, bool merge,
                       char *kept_by, struct be_error **err);

/* Starts deleting what rollback moved to the trash, in a detached process
 * at the lowest CPU and I/O priority; returns without waiting for it. */
int be_snapshot_cleanup(struct be_ctx *ctx, struct be_error **err);

/* One line of `berth diff`: kind 'A' added, 'C' changed, 'D' deleted; path
 * absolute within the container. */
struct be_change {
	char kind;
	char *path;
};
/* What changed in NAME since its head (snap NULL) or since snapshot SNAP,
 * sorted by path.  Reads the upper and the layers between SNAP and the
 * current state only; the lower tree is looked up per path, never walked.
 * Free with be_changes_free. */
int be_container_diff(struct be_ctx *ctx, const char *name, const char *snap,
                      struct be_change **out, size_t *n, struct be_error **err);
void be_changes_free(struct be_change *c, size_t n);
/* JSON array of {"kind","path"} objects; the caller frees. */
char *be_changes_json(const struct be_change *c, size_t n);

/* Makes image IMAGE of NAME's current state: its layers are the
 * container's chain (the upper is sealed, or copied while it runs), shared,
 * not copied.  An existing image name is refused. */
int be_container_commit(struct be_ctx *ctx, const char *name, const char *image,
                        struct be_error **err);

/* Creates container NEW on the same layers as NAME with an empty upper:
 * from snapshot from_snap, or (NULL) from NAME's current state (its upper is
 * sealed, or copied while it runs, into a layer both share).  The config is
 * NAME's with NEW as name and hostname. */
int be_container_clone(struct be_ctx *ctx, const char *name, const char *new_name,
                       const char *from_snap, struct be_error **err);

#endif
