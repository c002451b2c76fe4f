/* The journal module's interface: snapshot records (containers/<name>/
 * snapshots.json), the intent record op.json, the journaled steps of
 * snapshot operations (capture, rollback, squash) with their crash repair,
 * layer garbage collection, and tree copy and merge. */
#ifndef BE_JOURNAL_H
#define BE_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "berth.h"
#include "record/record.h"
#include "store/ctx.h"
#include "layer/layer.h"

/* ---- snapshots.json ------------------------------------------------------ */
struct snap_rec {
	char name[BE_NAME_MAX + 1];
	char layer[BE_LAYER_ID_LEN + 1];
	char parent[BE_NAME_MAX + 1]; /* "" none */
	int64_t created;
	int64_t size; /* -1 unknown */
};

struct snap_list {
	struct snap_rec *v;
	size_t n;
	int64_t next;                  /* N of the next default name snap-N */
	char current[BE_NAME_MAX + 1]; /* snapshot the state derives from, "" none */
};

/* Parses a snapshots.json object (path names it in errors); every field is
 * checked.  Fills out (free with snap_list_clear). */
int snap_list_parse(const char *path, json_t *o, struct snap_list *out, struct be_error **err);
/* Loads containers/<name>/snapshots.json; a missing file is an empty list. */
int snap_list_load(const struct be_ctx *ctx, const char *name, struct snap_list *out,
                   struct be_error **err);
/* Writes it durably (temp, fsync, rename, fsync dir). */
int snap_list_save(const struct be_ctx *ctx, const char *name, const struct snap_list *l,
                   struct be_error **err);
/* Writes it atomically; durable as snap_list_save, else not synced. */
int snap_list_write(const struct be_ctx *ctx, const char *name, const struct snap_list *l,
                    bool durable, struct be_error **err);
json_t *snap_list_json(const struct snap_list *l);
void snap_list_clear(struct snap_list *l);
/* The record named name, or NULL. */
struct snap_rec *snap_find(const struct snap_list *l, const char *name);
/* The record whose layer is id, or NULL. */
struct snap_rec *snap_find_layer(const struct snap_list *l, const char *id);
void snap_list_add(struct snap_list *l, const struct snap_rec *r);
/* Removes name (no-op when absent); its children take its parent and a
 * current pointing at it moves to its parent. */
void snap_list_del(struct snap_list *l, const char *name);

/* ---- op.json: the intent record of a multi-step change ------------------- */
enum snap_op_kind {
	SNAP_OP_SNAPSHOT, /* stopped: seal the upper into a new layer */
	SNAP_OP_LIVE,     /* running: freeze, copy the upper, thaw */
	SNAP_OP_ROLLBACK,
	SNAP_OP_SNAPRM,
	SNAP_OP_SQUASH,
};

struct snap_op {
	enum snap_op_kind kind;
	char purpose[16];                   /* snapshot, commit, clone */
	char snap[BE_NAME_MAX + 1];         /* snapshot name, "" none */
	char layer[BE_LAYER_ID_LEN + 1];    /* rollback: target; squash: new; "" none */
	char old_head[BE_LAYER_ID_LEN + 1]; /* head when the op began */
	uint64_t upper_ino; /* inode of upper/ when the op began (a sealed upper is found by it) */
	bool frozen;        /* live: the cgroup may be frozen by us */
	char target[BE_NAME_MAX + 1]; /* image or clone being made, "" none */
};

int snap_op_parse(const char *path, json_t *o, struct snap_op *out, struct be_error **err);
/* Returns 1 and fills out when containers/<name>/op.json exists, 0 when not. */
int snap_op_load(const struct be_ctx *ctx, const char *name, struct snap_op *out,
                 struct be_error **err);
int snap_op_save(const struct be_ctx *ctx, const char *name, const struct snap_op *op,
                 struct be_error **err);
int snap_op_remove(const struct be_ctx *ctx, const char *name, struct be_error **err);
const char *snap_op_kind_name(enum snap_op_kind k);

/* ---- steps shared by the operations (steps.c) ----------------------- */
/* Inode number of path, 0 when it cannot be read. */
uint64_t snap_ino(const char *path);
/* True when the directory has no entries (or cannot be read). */
bool snap_dir_empty(const char *path);
/* Rolls a stopped capture forward from the point where the upper was
 * exchanged into op->layer: fresh upper's root attributes, the snapshot
 * record (when op->snap is set), the head.  Idempotent. */
int snap_capture_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                        struct be_error **err);
/* Seals the stopped container's upper into a new layer whose parent is its
 * head, leaving op.json (purpose, snap, target as given) in place when
 * keep_op, else removing it.  layer_out receives the id. */
int snap_capture_stopped(struct be_ctx *ctx, const char *name, const char *purpose,
                         const char *snap, const char *target, bool keep_op,
                         char layer_out[BE_LAYER_ID_LEN + 1], struct be_error **err);
/* Copies the running container's upper into a new layer whose parent is
 * the head: a first pass while it runs, then frozen only to copy again what
 * changed meanwhile, then thawed (on every path); records snap when set.
 * *frozen_ns (may be NULL) receives how long the container was frozen. */
int snap_capture_live(struct be_ctx *ctx, const char *name, const char *purpose, const char *snap,
                      const char *target, bool keep_op, char layer_out[BE_LAYER_ID_LEN + 1],
                      int64_t *frozen_ns, struct be_error **err);
/* The layer of the last live capture of running container NAME, into
 * layer, when its upper has not changed since that capture was frozen, in
 * the same run and on the same head: then that layer holds exactly the
 * current state and can be shared (clones).  False otherwise. */
bool snap_live_reusable(struct be_ctx *ctx, const char *name, char layer[BE_LAYER_ID_LEN + 1]);

/* Rollback of a stopped container to the layer op->layer, from op.json
 * onwards.  Idempotent (repair re-runs it).  With durable false the
 * records are written without fsync: the caller then leaves op.json (which
 * must be durable) for the next command's repair to finish again durably. */
int snap_rollback_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                         bool durable, struct be_error **err);
/* Squash of a stopped container's chain when deeper than the configured
 * depth; a no-op otherwise. */
int snap_squash_maybe(struct be_ctx *ctx, const char *name, struct be_error **err);
/* Repoints head and snapshots from op->old_head to op->layer.  Idempotent. */
int snap_squash_finish(struct be_ctx *ctx, const char *name, const struct snap_op *op,
                       struct be_error **err);
/* The squash depth: $BERTH_SQUASH_DEPTH or the default; fails on bad text. */
int snap_squash_depth(unsigned *out, struct be_error **err);

/* ---- repair and garbage collection --------------------------------------- */
/* Finishes or undoes what a crash left half done in container NAME (the
 * op.json intent record), thaws a cgroup a live snapshot left frozen, then
 * collects unused layers.  The caller holds NAME's lock.  Quick (one stat)
 * when there is nothing to do. */
int journal_repair(struct be_ctx *ctx, const char *name, struct be_error **err);
/* Removes every snapshot or squash layer that no image, container, snapshot
 * or intent record references (directly or as an ancestor).  held names a
 * container whose lock the caller holds (or NULL); its op.json does not
 * count (its operation is finished or undone: collect, then remove op.json,
 * so that a crash in between collects again).  When another container is
 * busy (its lock held by someone else) or has an interrupted operation not
 * yet repaired, nothing is removed: a layer may be in the making there; the
 * next collection gets it.  Sets *removed
 * (may be NULL) to the count removed. */
int journal_gc(struct be_ctx *ctx, const char *held, size_t *removed, struct be_error **err);

/* Every layer's parent, loaded once (for questions over many chains). */
struct snap_graph;
struct snap_graph *snap_graph_load(struct be_ctx *ctx);
/* True when anc is id or one of its ancestors. */
bool snap_graph_descends(const struct snap_graph *g, const char *id, const char *anc);
void snap_graph_free(struct snap_graph *g);

/* ---- trees (copy.c) ------------------------------------------------- */
/* True for an overlay whiteout: a char device 0/0, or a regular file with
 * the xattr trusted.overlay.whiteout.  path is the entry's path. */
bool snap_is_whiteout(const char *path, const struct stat *st);
/* True when the directory at path has trusted.overlay.opaque = "y". */
bool snap_is_opaque(const char *path);
/* Copies the tree src into the existing empty directory dst: types, modes,
 * owners, times, every xattr (overlay ones too), whiteouts, hard links
 * within the tree; data by reflink where possible, else copy_file_range. */
int snap_copy_tree(const char *src, const char *dst, struct be_error **err);
/* The same of a live source (a running container's upper): an entry that
 * vanishes while it is copied is skipped (snap_copy_delta settles it). */
int snap_copy_tree_live(const char *src, const char *dst, void (*tick)(void *), void *arg,
                        struct be_error **err);
/* dst becomes a fresh copy of the entry src (removed when src is gone). */
int snap_copy_replace(const char *src, const char *dst, struct be_error **err);
/* The directory dst takes src's xattrs, owner, mode and times. */
int snap_copy_dir_attrs(const char *src, const char *dst, struct be_error **err);

/* ---- what changed during a live copy (watch.c) ---------------------------- */
struct snap_watch;
/* Watches every directory of the tree dir for changes (inotify); NULL when
 * it cannot (then use snap_copy_delta).  Free with snap_watch_free. */
struct snap_watch *snap_watch_start(const char *dir);
/* Takes the queued events (call often during the copy, so that the
 * kernel's queue cannot overflow). */
void snap_watch_drain(struct snap_watch *w);
/* With src frozen: copies again into dst what the events name.  Returns 0,
 * 1 when the events cannot tell everything (overflow, a moved directory,
 * hard links: use snap_copy_delta), -1 on error.  *copied (may be NULL)
 * receives how many entries it copied again. */
int snap_watch_apply(struct snap_watch *w, const char *src, const char *dst, size_t *copied,
                     struct be_error **err);
void snap_watch_free(struct snap_watch *w);
/* The frozen pass of a live copy: brings dst (a copy of src begun at or
 * after since, a time of the file system's clock) up to date with src, by
 * copying again what changed since then (by ctime, and by type, size and
 * mtime against the copy) and removing what src lost.  *copied (may be
 * NULL) receives how many entries it copied or removed. */
int snap_copy_delta(const char *src, const char *dst, const struct timespec *since, size_t *copied,
                    struct be_error **err);
/* True when anything in the tree dir (itself included) changed at or after
 * since, or cannot be read; stops at the first change. */
bool snap_tree_changed_since(const char *dir, const struct timespec *since);
/* Applies the layer diff src onto dst as overlayfs stacks src above it:
 * whiteouts delete (and stay as whiteouts), opaque directories replace,
 * directories merge; non-directories are hard-linked from src (copied when
 * a link is impossible).  dst's root takes src's root attributes. */
int snap_merge_layer(const char *src, const char *dst, struct be_error **err);
/* Gives dst (a directory) the mode, owner and times of src. */
int snap_copy_root_attrs(const char *src, const char *dst, struct be_error **err);

#endif
