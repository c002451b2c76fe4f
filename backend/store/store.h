/* The state store's internal API: JSON records (durable or runtime), locks
 * and crash repair.  store.c alone reads and writes state files. */
#ifndef BE_STORE_H
#define BE_STORE_H

#include <jansson.h>

#include "store/ctx.h"
#include "base/util.h"

#define BE_STORE_VERSION 1

static inline void be_cleanup_jsonp(json_t **j)
{
	if (*j)
		json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(be_cleanup_jsonp)))

enum be_store_flags {
	BE_STORE_DURABLE = 1 << 0, /* fsync file and directory (configs, layers) */
};

/* Loads a state file: rejects duplicate keys, checks it is an object whose
 * "version" is BE_STORE_VERSION.  Errors name the file, line and column.
 * Returns a new reference or NULL. */
json_t *store_load(const char *path, struct be_error **err);
/* Writes obj (adding "version") to path: temp file in the same directory,
 * (fsync), rename, (fsync dir).  A failure leaves the old file as it was.
 * Fault points: store.before_rename, store.after_rename. */
int store_save(const char *path, json_t *obj, unsigned flags, struct be_error **err);
/* Schema of one field of a record, for store_check. */
struct be_field {
	const char *key;
	json_type type; /* JSON_INTEGER, JSON_STRING, JSON_OBJECT, JSON_ARRAY, JSON_TRUE (any bool),
	                   JSON_REAL (any number) */
	bool optional;  /* may be absent or null */
};
/* Checks obj's fields against a schema: each present field has its type,
 * each required one is there.  The error names the file and the line where
 * the key stands: "PATH:LINE: field "KEY" must be a string".  Unknown keys
 * are allowed (records written by newer versions). */
int store_check(const char *path, json_t *obj, const struct be_field *fields, size_t n,
                struct be_error **err);
#define BE_STORE_CHECK(path, obj, fields, err)                                                     \
	store_check(path, obj, fields, sizeof(fields) / sizeof((fields)[0]), err)

/* Appends an event of container name to ROOT/events.jsonl (be_events.h);
 * failures are ignored: a lost event never fails what it reports. */
__attribute__((format(printf, 4, 5))) void store_event(const struct be_ctx *ctx, const char *name,
                                                       const char *type, const char *fmt, ...);

/* ---- locks ------------------------------------------------------------ */
struct be_lock;
/* Takes the lock of object KIND/NAME (flock on RUN/locks/KIND.NAME.lock).
 * Busy: fails with "KIND NAME is busy (locked by pid N)" unless the context
 * waits.  Release with store_lock_release (NULL is fine). */
int store_lock_take(const struct be_ctx *ctx, const char *kind, const char *name,
                    struct be_lock **out, struct be_error **err);
/* A shared lock of KIND/NAME, waited for: users of an object (a create
 * reading an image) take it shared, its remover exclusive. */
int store_lock_take_shared(const struct be_ctx *ctx, const char *kind, const char *name,
                           struct be_lock **out, struct be_error **err);
void store_lock_release(struct be_lock *lock);
/* The locked object is gone: release (exclusive locks only) also removes
 * the lock file, so that RUN/locks holds no file per removed object. */
void store_lock_drop_file(struct be_lock *lock);
/* The lock's fd, e.g. to hand it to a child that must keep holding it. */
int store_lock_fd(const struct be_lock *lock);
static inline void be_cleanup_lockp(struct be_lock **l)
{
	store_lock_release(*l);
}
#define cleanup_lock __attribute__((cleanup(be_cleanup_lockp)))

/* ---- trash and repair -------------------------------------------------- */
/* Moves path (inside the root: ROOT/...) into ROOT/trash atomically; the
 * content is deleted by store_empty_trash.  Its parent is reached from the
 * root without following any symbolic link (openat2 RESOLVE_NO_SYMLINKS):
 * a link on the way is an error, never a move of what it points to.  A
 * missing path is success. */
int store_trash(const struct be_ctx *ctx, const char *path, struct be_error **err);
int store_empty_trash(const struct be_ctx *ctx, struct be_error **err);
/* Starts deleting the trash's content in a detached process at nice 19
 * and idle I/O priority (reaper.c), and returns without waiting.  Nothing
 * to do when the trash is empty or a reaper is at work (it takes what
 * comes in meanwhile).  Fails only when the process cannot be made. */
int store_trash_reap(const struct be_ctx *ctx, struct be_error **err);
/* The same in the calling process (a keeper that has reported and is about
 * to exit): lowers its priority for good, then deletes. */
void store_trash_reap_here(const struct be_ctx *ctx);
/* nice 19 and the idle I/O class for the calling process. */
void store_trash_lower_priority(void);
/* Removes stray temp files (".*.tmp*") under the root's record directories
 * and the run directory, the entries of ROOT/tmp, and starts a reaper for
 * what a crash left in the trash (store_trash_reap).
 * What a live process holds a flock on is left alone: a user of ROOT/tmp
 * keeps its entry flocked while it works there. */
int store_repair(const struct be_ctx *ctx, struct be_error **err);
/* What be_ctx_open calls: the same, but the sweep of temp files and
 * ROOT/tmp, a walk of every record directory, runs at most once every
 * STORE_REPAIR_EVERY seconds a root (the time of the last one is
 * RUN/repaired's mtime; there is none in a new root or after a reboot, so
 * then it runs): what a crash left waits that long at most, and a command
 * on a root of 1,000 containers does not read 1,000 directories first.
 * The trash check runs every time. */
#define STORE_REPAIR_EVERY 30
int store_repair_if_due(const struct be_ctx *ctx, struct be_error **err);
/* Makes a fresh work directory ROOT/tmp/PREFIX-<16 hex> and returns its path
 * (caller frees) with *lock_fd, an fd holding a flock on it: while that fd
 * is open, the repair of other clients leaves the directory alone.  Close
 * the fd once the directory is renamed away or removed. */
char *store_mkdtemp(const struct be_ctx *ctx, const char *prefix, int *lock_fd,
                    struct be_error **err);

#endif
